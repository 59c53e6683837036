-- name: irready-s3-data-access-by-principal
-- description: S3 object reads, writes and deletes by one principal (CloudTrail S3 data events), with bucket and key.
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd), principal ARN (user / role / assumed-role session)
SELECT eventtime,
       eventname,
       json_extract_scalar(requestparameters, '$.bucketName') AS bucket,
       json_extract_scalar(requestparameters, '$.key') AS object_key,
       sourceipaddress,
       useragent,
       errorcode,
       json_extract_scalar(additionaleventdata, '$.bytesTransferredOut') AS bytes_out
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND eventsource = 's3.amazonaws.com'
  AND eventcategory = 'Data'
  AND useridentity.arn = ?
ORDER BY eventtime
