-- name: irready-defense-evasion
-- description: Changes to the trails, GuardDuty detectors, flow logs, Resolver query logging and AWS Config that could blind the responders (defense evasion).
-- table: cloudtrail
-- parameters: account, region, first date (yyyy/MM/dd), last date (yyyy/MM/dd)
SELECT eventtime,
       eventsource,
       eventname,
       useridentity.arn AS principal_arn,
       sourceipaddress,
       errorcode,
       requestparameters
FROM cloudtrail
WHERE account = ?
  AND region = ?
  AND "date" BETWEEN ? AND ?
  AND eventname IN (
    'StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors',
    'DeleteDetector', 'UpdateDetector', 'DeleteMembers', 'DisassociateMembers',
    'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount',
    'DeletePublishingDestination', 'UpdatePublishingDestination', 'CreateFilter', 'UpdateFilter',
    'CreateIPSet', 'UpdateIPSet', 'DeleteFlowLogs',
    'DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig',
    'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'
  )
ORDER BY eventtime
