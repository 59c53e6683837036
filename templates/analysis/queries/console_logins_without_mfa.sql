-- name: irready-console-logins-without-mfa
-- description: Console sign-ins without MFA (ConsoleLogin with additionalEventData.MFAUsed No), successful or not. Sign-in events are recorded in the region of the sign-in endpoint, us-east-1 for most.
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd)
SELECT eventtime,
       useridentity.type AS identity_type,
       useridentity.arn AS principal_arn,
       sourceipaddress,
       useragent,
       json_extract_scalar(responseelements, '$.ConsoleLogin') AS result,
       errormessage
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'
ORDER BY eventtime
