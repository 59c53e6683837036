-- name: irready-access-key-activity
-- description: Every API call made with one access key (a leaked or suspect key): what, where from, with which result.
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd), access key id (AKIA... or ASIA...)
SELECT eventtime,
       eventsource,
       eventname,
       awsregion,
       sourceipaddress,
       useragent,
       useridentity.arn AS principal_arn,
       errorcode,
       errormessage,
       requestparameters
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND useridentity.accesskeyid = ?
ORDER BY eventtime
