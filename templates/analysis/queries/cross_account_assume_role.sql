-- name: irready-cross-account-assume-role
-- description: AssumeRole calls in which the caller's account is not the account that recorded the event (the role's account, or the caller's own copy of a role elsewhere).
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd)
SELECT eventtime,
       useridentity.type AS identity_type,
       useridentity.arn AS caller_arn,
       useridentity.accountid AS caller_account,
       recipientaccountid,
       json_extract_scalar(requestparameters, '$.roleArn') AS role_arn,
       json_extract_scalar(requestparameters, '$.roleSessionName') AS session_name,
       sourceipaddress,
       errorcode
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND eventsource = 'sts.amazonaws.com'
  AND eventname = 'AssumeRole'
  AND useridentity.type <> 'AWSService'
  AND useridentity.accountid <> recipientaccountid
ORDER BY eventtime
