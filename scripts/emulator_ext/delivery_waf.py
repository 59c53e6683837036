"""WAF (v2) web ACL logging: what PutLoggingConfiguration refuses, the log group policy it adds, and delivery.

moto's PutLoggingConfiguration stores any destination: a log group whose name
WAF would reject, in another Region or account, for a web ACL that does not
exist; and it adds no resource policy and delivers nothing. Here, through
moto's WAFv2 and CloudWatch Logs backends, PutLoggingConfiguration (and
AWS::WAFv2::LoggingConfiguration, which calls the backend) follows the WAF
API reference and developer guide.

Refused:

- a destination whose name does not start with ``aws-waf-logs-``: "The name
  that you give the destination must start with aws-waf-logs-"
  (PutLoggingConfiguration,
  https://docs.aws.amazon.com/waf/latest/APIReference/API_PutLoggingConfiguration.html;
  for log groups "Your log group names must start with aws-waf-logs-", WAF
  developer guide, "Amazon CloudWatch Logs",
  https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html),
  and a CloudWatch Logs log group not "in the same Region as the web ACL and
  using the same account as you use to manage the web ACL" (same page), with
  ``WAFInvalidParameterException`` "Error reason: The ARN isn't valid. A valid
  ARN begins with arn: and includes other information separated by colons or
  slashes., field: LOG_DESTINATION, parameter: <arn>", the message AWS gives
  for a misnamed log group (hashicorp/terraform-provider-aws#23934,
  awsdocs/aws-cloudformation-user-guide#1271); the same for S3 buckets and
  Firehose streams whose names break the rule;
- a web ACL that does not exist: ``WAFNonexistentItemException`` (the API
  reference's error for "your resource doesn't exist");
- a log group resource policy that still denies delivery.logs after WAF's
  statement is added: ``WAFLogDestinationPermissionIssueException``.

"When you successfully enable logging using a PutLoggingConfiguration request,
WAF creates an additional role or policy that is required to write logs to the
logging destination. For an Amazon CloudWatch Logs log group, WAF creates a
resource policy on the log group" (API reference): the vended-logs statement
for delivery.logs.amazonaws.com (CloudWatch Logs user guide, "Logs sent to
CloudWatch Logs", see delivery.ensure_vended_logs_policy) is added to the
``AWSLogDeliveryWrite20150319`` resource policy of the log group's account and
Region, and DescribeResourcePolicies shows it.

Delivery to a log group (at PutLoggingConfiguration and on every
``POST /_irready/deliver``) writes one WAF log record (JSON, "Log fields for
web ACL traffic") to the log stream ``<region>_<web-acl-name>_<n>`` ("The log
streams have the following naming format: Region_web-ACL-name_log-stream-number"),
when the log group exists and the Region's resource policies let
delivery.logs CreateLogStream and PutLogEvents on it (aws:SourceAccount, and
aws:SourceArn ``arn:aws:logs:<region>:<account>:*``). WAF reports a failed
delivery through no API: it shows only as no log event and in the deliver
endpoint's report. Deliveries to S3 and Firehose are not emulated (only their
names are checked).
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError
from moto.wafv2.models import WAFV2Backend, wafv2_backends

from . import delivery
from .delivery import first_denied
from .wafv2_logging import LoggingConfiguration

_original: dict[str, Any] = {}

PREFIX = "aws-waf-logs-"


class WAFInvalidParameterException(WAFv2ClientError):
    def __init__(self, arn: str):
        super().__init__(
            "WAFInvalidParameterException",
            "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other information "
            f"separated by colons or slashes., field: LOG_DESTINATION, parameter: {arn}",
        )


class WAFLogDestinationPermissionIssueException(WAFv2ClientError):
    def __init__(self, arn: str):
        super().__init__(
            "WAFLogDestinationPermissionIssueException",
            f"Unable to deliver logs to the configured destination {arn}. You might need to grant log delivery "
            "permissions for the destination.",
        )


def _acl_parts(arn: str) -> tuple[str, str, str] | None:
    """(account, region, name) of ``arn:aws:wafv2:REGION:ACCOUNT:(regional|global)/webacl/NAME/ID``."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "wafv2":
        return None
    path = parts[5].split("/")
    if len(path) < 4 or path[1] != "webacl":
        return None
    return parts[4], parts[3], path[2]


def _acl_exists(account: str, arn: str) -> bool:
    return any(arn in backend.wacls for a, _, backend in delivery.backends_of(wafv2_backends) if a == account)


def check_destination(acl_arn: str, destination: str) -> None:
    """The destination rules; a log group gets WAF's resource policy statement."""
    acl = _acl_parts(acl_arn)
    if acl is None or not _acl_exists(acl[0], acl_arn):
        raise WAFNonexistentItemException()
    account, region, _ = acl
    service = destination.split(":")[2] if destination.count(":") >= 5 else ""
    if service == "logs":
        group = delivery.log_group_parts(destination)
        if group is None or not group[2].startswith(PREFIX) or group[0] != account or group[1] != region:
            raise WAFInvalidParameterException(destination)
        refused = delivery.ensure_vended_logs_policy(group[0], group[1], group[2])
        if refused is not None:
            raise WAFLogDestinationPermissionIssueException(destination)
    elif service == "s3":
        if not destination.split(":", 5)[5].split("/")[0].startswith(PREFIX):
            raise WAFInvalidParameterException(destination)
    elif service == "firehose":
        if not destination.rsplit("/", 1)[-1].startswith(PREFIX):
            raise WAFInvalidParameterException(destination)
    else:
        raise WAFInvalidParameterException(destination)


def _record(acl_arn: str, moment: datetime.datetime) -> str:
    return json.dumps(
        {
            "timestamp": int(moment.timestamp() * 1000),
            "formatVersion": 1,
            "webaclId": acl_arn,
            "terminatingRuleId": "Default_Action",
            "terminatingRuleType": "REGULAR",
            "action": "ALLOW",
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "CF" if ":global/" in acl_arn else "ALB",
            "httpSourceId": "-",
            "ruleGroupList": [],
            "rateBasedRuleList": [],
            "nonTerminatingMatchingRules": [],
            "requestHeadersInserted": None,
            "responseCodeSent": None,
            "httpRequest": {
                "clientIp": "192.0.2.44",
                "country": "US",
                "headers": [{"name": "Host", "value": "www.example.com"}],
                "uri": "/",
                "args": "",
                "httpVersion": "HTTP/1.1",
                "httpMethod": "GET",
                "requestId": str(uuid.uuid4()),
            },
        },
        separators=(",", ":"),
    )


def deliver_configuration(configuration: Any) -> list[dict[str, Any]]:
    reports = []
    acl = _acl_parts(configuration.arn)
    for destination in configuration.log_destination_configs:
        group = delivery.log_group_parts(destination)
        if group is None:
            continue  # S3 and Firehose destinations: not delivered (see the module docstring)
        account, region, name = group
        report: dict[str, Any] = {
            "delivery": "waf-logs",
            "account": acl[0] if acl else account,
            "region": acl[1] if acl else region,
            "resource": configuration.arn,
            "destination": destination,
        }
        moment = delivery.now()
        if not delivery.log_group_exists(account, region, name):
            report.update(ok=False, error="ResourceNotFoundException")
            reports.append(report)
            continue
        stream = f"{acl[1] if acl else region}_{acl[2] if acl else 'webacl'}_1"
        denied = first_denied(delivery.vended_logs_checks(account, region, name, stream))
        if denied is not None:
            report.update(ok=False, error="AccessDeniedException", detail=denied.describe())
        else:
            delivery.write_log_event(account, region, name, stream, _record(configuration.arn, moment), moment)
            report.update(ok=True, objects=[f"{destination} {stream}"])
        reports.append(report)
    return reports


@delivery.register
def deliver_waf_logs() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(wafv2_backends):
        for configuration in list(backend.logging_configurations.values()):
            reports.extend(deliver_configuration(configuration))
    return reports


def put_logging_configuration(
    self: WAFV2Backend,
    arn: str,
    log_destination_configs: list[str],
    redacted_fields: dict[str, Any] | None,
    managed_gy_firewall_manager: bool,
    logging_filter: dict[str, Any],
) -> Any:
    with delivery._LOCK:
        for destination in log_destination_configs:
            check_destination(arn, destination)
    configuration = _original["put"](
        self, arn, log_destination_configs, redacted_fields, managed_gy_firewall_manager, logging_filter
    )
    delivery.locked(deliver_configuration)(configuration)
    return configuration


def install() -> None:
    if _original:
        return
    _original["put"] = WAFV2Backend.put_logging_configuration
    WAFV2Backend.put_logging_configuration = put_logging_configuration
    # Through a stack, a refusal fails the resource (see delivery.as_stack_failure).
    LoggingConfiguration.create = classmethod(delivery.as_stack_failure("WAFV2", LoggingConfiguration.create.__func__))
    LoggingConfiguration.apply = delivery.as_stack_failure("WAFV2", LoggingConfiguration.apply)
