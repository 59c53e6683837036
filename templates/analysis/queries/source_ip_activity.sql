-- name: irready-source-ip-activity
-- description: Every API call made from one source IP address, by any principal.
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd), source IP address
SELECT eventtime,
       useridentity.arn AS principal_arn,
       useridentity.accesskeyid AS access_key_id,
       eventsource,
       eventname,
       awsregion,
       useragent,
       errorcode
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND sourceipaddress = ?
ORDER BY eventtime
