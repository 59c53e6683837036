-- name: irready-role-session-activity
-- description: Every API call of one role session, by its assumed-role ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>).
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd), assumed-role session ARN
SELECT eventtime,
       eventsource,
       eventname,
       awsregion,
       sourceipaddress,
       useragent,
       useridentity.accesskeyid AS access_key_id,
       useridentity.sessioncontext.sessionissuer.arn AS role_arn,
       useridentity.sessioncontext.attributes.creationdate AS session_created,
       errorcode,
       requestparameters
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND useridentity.arn = ?
ORDER BY eventtime
