-- name: irready-iam-persistence
-- description: New IAM users, access keys, login profiles, roles and policies, and policy attachments (persistence). IAM events are recorded in us-east-1.
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd)
SELECT eventtime,
       eventname,
       useridentity.arn AS principal_arn,
       sourceipaddress,
       errorcode,
       requestparameters,
       responseelements
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND eventsource = 'iam.amazonaws.com'
  AND eventname IN (
    'CreateUser', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile',
    'CreateRole', 'UpdateAssumeRolePolicy', 'CreatePolicy', 'CreatePolicyVersion',
    'SetDefaultPolicyVersion', 'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy',
    'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy', 'AddUserToGroup',
    'CreateServiceSpecificCredential', 'UploadSSHPublicKey', 'CreateVirtualMFADevice'
  )
ORDER BY eventtime
