"""API Gateway execution and access logs: the account's CloudWatch role, and delivery.

moto's API Gateway accepts any ``cloudwatchRoleArn`` in UpdateAccount, turns
on execution and access logging on stages whether or not the account has a
CloudWatch role, and writes no log. Here, through moto's API Gateway (v1 and
v2), IAM and CloudWatch Logs backends:

REST APIs (and WebSocket APIs, which use the same account setting), following
the API Gateway developer guide, "Set up CloudWatch logging for REST APIs in
API Gateway"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html):
"To enable CloudWatch Logs, you must grant API Gateway permission to read and
write logs to CloudWatch for your account ... create an IAM role with
apigateway.amazonaws.com as its trusted entity, attach the preceding policy to
the IAM role, and set the IAM role ARN on the cloudWatchRoleArn property on
your Account".

- UpdateAccount (and AWS::ApiGateway::Account) refuses a role that does not
  exist or whose trust policy does not let apigateway.amazonaws.com
  sts:AssumeRole, with ``BadRequestException`` "The role ARN does not have
  required permissions configured. Please grant trust permission for API
  Gateway and add the required role policy." (the message AWS returns, as in
  tmobile/jazz-installer#597; aws/aws-cdk#2194 shows the older "The role ARN
  does not have required permissions set to API Gateway"). API Gateway
  documents no aws:SourceAccount / aws:SourceArn for this AssumeRole, so none
  is sent: a trust policy conditioned on them is refused.
- UpdateStage that sets an execution logging level (``/*/*/logging/loglevel``
  INFO or ERROR) or an access log destination (``/accessLogSettings/...``)
  while the account has no CloudWatch role is refused with
  ``BadRequestException`` "CloudWatch Logs role ARN must be set in account
  settings to enable logging" (Miserlou/Zappa#1946, VirtusLab/besom#347); the
  same for a WebSocket stage's default route logging level or access log
  settings (anomalyco/ion#373).

HTTP APIs send access logs through the vended-logs infrastructure instead
("Configuring logging for an HTTP API", "Permissions to enable logging":
logs:CreateLogDelivery, logs:PutResourcePolicy, ...;
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html;
CloudWatch Logs user guide, "Logs sent to CloudWatch Logs", which lists
"Amazon API Gateway access logs"): CreateStage / UpdateStage with access log
settings add delivery.logs' statement to the log group's resource policy
(delivery.ensure_vended_logs_policy); no account role is needed.

Delivery (when logging is turned on and on every ``POST /_irready/deliver``),
per stage:

- execution logs (REST): API Gateway assumes the account's role, and the role's
  policies must allow logs:CreateLogGroup on
  ``API-Gateway-Execution-Logs_{rest-api-id}/{stage_name}`` (the guide's log
  group name; created when missing) and logs:CreateLogStream /
  logs:PutLogEvents on its streams; WebSocket execution logs go to
  ``/aws/apigateway/{api-id}/{stage-name}``;
- access logs (REST, WebSocket): the destination log group must exist and the
  role's policies allow logs:CreateLogStream / logs:PutLogEvents on it; (HTTP):
  the Region's resource policies must let delivery.logs do so;
- one event each, the access log event rendered from the stage's format
  (``$context`` variables filled with sample values), in a log stream with a
  random 32-hex-digit name.

API Gateway reports a failed log delivery through no API: it shows only as no
log event and in the deliver endpoint's report.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import uuid
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import BadRequestException
from moto.apigateway.models import APIGatewayBackend, apigateway_backends
from moto.apigatewayv2.exceptions import BadRequestException as V2BadRequestException
from moto.apigatewayv2.models import ApiGatewayV2Backend, apigatewayv2_backends
from moto.apigatewayv2.responses import ApiGatewayV2Response

from . import delivery
from .apigateway_account import ApiGatewayAccount
from .delivery import Check, first_denied
from .policy import Principal, Request

_original: dict[str, Any] = {}

SERVICE = "apigateway.amazonaws.com"
ROLE_REQUIRED = "CloudWatch Logs role ARN must be set in account settings to enable logging"
ROLE_REFUSED = (
    "The role ARN does not have required permissions configured. "
    "Please grant trust permission for API Gateway and add the required role policy."
)
LEVELS = ("INFO", "ERROR")


# --------------------------------------------------------------------------
# The account's role
# --------------------------------------------------------------------------


def trust_check(role: Any) -> Check:
    context = {"aws:PrincipalIsAWSService": True, "aws:PrincipalServiceName": SERVICE, "aws:SecureTransport": True}
    return Check(
        f"trust policy of {role.arn}",
        Request(Principal.service(SERVICE), "sts:AssumeRole", role.arn, context),
        role.assume_role_policy_document,
    )


def role_refusal(role_arn: str | None) -> str | None:
    """Why API Gateway cannot assume ``role_arn``, or None."""
    role = delivery.role_by_arn(role_arn)
    if role is None:
        return f"role {role_arn} does not exist"
    check = trust_check(role).run()
    return None if check.allowed else check.reason


def account_role(account: str, region: str) -> str | None:
    return apigateway_backends[account][region].account.cloudwatch_role_arn or None


def _role_checks(role: Any, actions_resources: list[tuple[str, str]]) -> list[Check]:
    principal = Principal.aws(role.arn)
    context = {"aws:PrincipalAccount": role.account_id, "aws:SecureTransport": True}
    documents = delivery.role_policies(role)
    return [
        delivery.IdentityCheck(f"identity policies of {role.arn}", Request(principal, action, resource, context), documents)
        for action, resource in actions_resources
    ]


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------

_SAMPLE_CONTEXT = {
    "requestId": lambda: str(uuid.uuid4()),
    "extendedRequestId": lambda: "BQhZ5GcLIAMFjRQ=",
    "identity.sourceIp": lambda: "192.0.2.44",
    "identity.caller": lambda: "-",
    "identity.user": lambda: "-",
    "identity.userAgent": lambda: "curl/8.5.0",
    "requestTime": lambda: delivery.now().strftime("%d/%b/%Y:%H:%M:%S +0000"),
    "httpMethod": lambda: "GET",
    "resourcePath": lambda: "/",
    "status": lambda: "200",
    "protocol": lambda: "HTTP/1.1",
    "responseLength": lambda: "2",
    "routeKey": lambda: "$default",
    "stage": lambda: "-",
}


def render_access_log(log_format: str | None) -> str:
    """The stage's access log format with its ``$context`` variables filled in."""

    def value(match: re.Match[str]) -> str:
        producer = _SAMPLE_CONTEXT.get(match.group(1))
        return producer() if producer else "-"

    return re.sub(r"\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])", value, log_format or "$context.requestId")


def _stream() -> str:
    return uuid.uuid4().hex


def _write_with_role(
    role_arn: str | None, group: tuple[str, str, str], message: str, create_group: bool, moment: datetime.datetime
) -> tuple[str | None, Any, str | None]:
    """One event as API Gateway writes it, with the account's role: (error, detail, written)."""
    refusal = role_refusal(role_arn)
    if refusal is not None:
        return "AccessDenied", {"reason": refusal}, None
    role = delivery.role_by_arn(role_arn)
    account, region, name = group
    stream = _stream()
    group_arn = f"arn:aws:logs:{region}:{account}:log-group:{name}"
    wanted = [("logs:CreateLogStream", f"{group_arn}:log-stream:{stream}"), ("logs:PutLogEvents", f"{group_arn}:log-stream:{stream}")]
    exists = delivery.log_group_exists(account, region, name)
    if not exists:
        if not create_group:
            return "ResourceNotFoundException", {"log_group": group_arn}, None
        wanted.insert(0, ("logs:CreateLogGroup", group_arn))
    denied = first_denied(_role_checks(role, wanted))
    if denied is not None:
        return "AccessDeniedException", denied.describe(), None
    if not exists:
        from moto.logs.models import logs_backends

        logs_backends[account][region].create_log_group(name, {})
    delivery.write_log_event(account, region, name, stream, message, moment)
    return None, None, f"{group_arn} {stream}"


def _write_vended(group: tuple[str, str, str], message: str, moment: datetime.datetime) -> tuple[str | None, Any, str | None]:
    account, region, name = group
    if not delivery.log_group_exists(account, region, name):
        return "ResourceNotFoundException", {"log_group": name}, None
    stream = _stream()
    denied = first_denied(delivery.vended_logs_checks(account, region, name, stream))
    if denied is not None:
        return "AccessDeniedException", denied.describe(), None
    delivery.write_log_event(account, region, name, stream, message, moment)
    return None, None, f"arn:aws:logs:{region}:{account}:log-group:{name} {stream}"


def _report(account: str, region: str, resource: str, outcomes: list[tuple[str | None, Any, str | None]]) -> dict[str, Any]:
    report: dict[str, Any] = {"delivery": "apigateway-logs", "account": account, "region": region, "resource": resource}
    failed = [o for o in outcomes if o[0] is not None]
    if failed:
        report.update(ok=False, error=failed[0][0], detail=failed[0][1])
    else:
        report.update(ok=True, objects=[o[2] for o in outcomes])
    return report


def _execution_level(stage: Any) -> str | None:
    for settings in (stage.method_settings or {}).values():
        level = str(settings.get("loggingLevel") or "").upper()
        if level in LEVELS:
            return level
    return None


def rest_stage_logging(stage: Any) -> bool:
    return _execution_level(stage) is not None or bool((stage.access_log_settings or {}).get("destinationArn"))


def deliver_rest_stage(backend: APIGatewayBackend, api_id: str, stage: Any) -> dict[str, Any]:
    account, region = backend.account_id, backend.region_name
    role_arn = backend.account.cloudwatch_role_arn
    moment = delivery.now()
    outcomes = []
    level = _execution_level(stage)
    if level is not None:
        group = (account, region, f"API-Gateway-Execution-Logs_{api_id}/{stage.name}")
        message = f"({uuid.uuid4()}) Extended Request Id: BQhZ5GcLIAMFjRQ= {level}: Method completed with status: 200"
        outcomes.append(_write_with_role(role_arn, group, message, True, moment))
    destination = (stage.access_log_settings or {}).get("destinationArn")
    if destination:
        group = delivery.log_group_parts(destination)
        if group is None:
            outcomes.append(("InvalidDestination", {"destination": destination}, None))
        else:
            message = render_access_log(stage.access_log_settings.get("format"))
            outcomes.append(_write_with_role(role_arn, group, message, False, moment))
    return _report(account, region, f"{api_id}/{stage.name}", outcomes)


def _v2_level(stage: Any) -> str | None:
    level = str((stage.default_route_settings or {}).get("loggingLevel") or "").upper()
    return level if level in LEVELS else None


def deliver_v2_stage(backend: ApiGatewayV2Backend, api: Any, stage: Any) -> dict[str, Any]:
    account, region = backend.account_id, backend.region_name
    moment = delivery.now()
    outcomes = []
    websocket = api.protocol_type == "WEBSOCKET"
    role_arn = account_role(account, region) if websocket else None
    level = _v2_level(stage) if websocket else None
    if level is not None:
        group = (account, region, f"/aws/apigateway/{api.api_id}/{stage.name}")
        message = f"({uuid.uuid4()}) {level}: Extended Request Id: BQhZ5GcLIAMFjRQ= Received request"
        outcomes.append(_write_with_role(role_arn, group, message, True, moment))
    destination = (stage.access_log_settings or {}).get("destinationArn")
    if destination:
        group = delivery.log_group_parts(destination)
        message = render_access_log((stage.access_log_settings or {}).get("format"))
        if group is None:
            outcomes.append(("InvalidDestination", {"destination": destination}, None))
        elif websocket:
            outcomes.append(_write_with_role(role_arn, group, message, False, moment))
        else:
            outcomes.append(_write_vended(group, message, moment))
    return _report(account, region, f"{api.api_id}/{stage.name}", outcomes)


def _v2_logging(api: Any, stage: Any) -> bool:
    if (stage.access_log_settings or {}).get("destinationArn"):
        return True
    return api.protocol_type == "WEBSOCKET" and _v2_level(stage) is not None


@delivery.register
def deliver_apigateway_logs() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(apigateway_backends):
        for api_id, api in list(backend.apis.items()):
            for stage in list(api.stages.values()):
                if rest_stage_logging(stage):
                    reports.append(deliver_rest_stage(backend, api_id, stage))
    for _, _, backend in delivery.backends_of(apigatewayv2_backends):
        for api in list(backend.apis.values()):
            for stage in list(api.stages.values()):
                if _v2_logging(api, stage):
                    reports.append(deliver_v2_stage(backend, api, stage))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def update_account(self: APIGatewayBackend, patch_operations: list[dict[str, Any]]) -> Any:
    for op in patch_operations:
        if "/cloudwatchRoleArn" in op.get("path", "") and op.get("op") in ("replace", "add") and op.get("value"):
            with delivery._LOCK:
                if role_refusal(op["value"]) is not None:
                    raise BadRequestException(ROLE_REFUSED)
    return _original["update_account"](self, patch_operations)


def _turns_on_rest_logging(patch_operations: list[dict[str, Any]]) -> bool:
    for op in patch_operations:
        path, value = op.get("path", ""), op.get("value")
        if op.get("op") not in ("replace", "add"):
            continue
        if path.endswith("/logging/loglevel") and str(value or "").upper() in LEVELS:
            return True
        if path.startswith("/accessLogSettings/destinationArn") and value:
            return True
    return False


def update_stage(self: APIGatewayBackend, function_id: str, stage_name: str, patch_operations: Any) -> Any:
    if _turns_on_rest_logging(patch_operations or []) and not self.account.cloudwatch_role_arn:
        raise BadRequestException(ROLE_REQUIRED)
    stage = _original["update_stage"](self, function_id, stage_name, patch_operations)
    if rest_stage_logging(stage):
        delivery.locked(deliver_rest_stage)(self, function_id, stage)
    return stage


def check_v2_stage(backend: ApiGatewayV2Backend, api: Any, settings: dict[str, Any]) -> None:
    """A v2 stage's logging settings (CreateStage, UpdateStage) before they are stored."""
    access = settings.get("accessLogSettings") or {}
    level = str((settings.get("defaultRouteSettings") or {}).get("loggingLevel") or "").upper()
    if api.protocol_type == "WEBSOCKET":
        if (access.get("destinationArn") or level in LEVELS) and not account_role(backend.account_id, backend.region_name):
            raise V2BadRequestException(ROLE_REQUIRED)
    elif access.get("destinationArn"):
        group = delivery.log_group_parts(access["destinationArn"])
        if group is not None and group[0] == backend.account_id:
            with delivery._LOCK:
                delivery.ensure_vended_logs_policy(*group)


def create_stage(self: ApiGatewayV2Backend, api_id: str, config: dict[str, Any]) -> Any:
    api = self.get_api(api_id)
    check_v2_stage(self, api, config)
    stage = _original["v2_create_stage"](self, api_id, config)
    if _v2_logging(api, stage):
        delivery.locked(deliver_v2_stage)(self, api, stage)
    return stage


def v2_update_stage(self: ApiGatewayV2Response) -> Any:
    parts = self.path.split("/")
    api_id, stage_name = parts[-3], unquote(parts[-1])
    backend = self.apigatewayv2_backend
    api = backend.get_api(api_id)
    stage = backend.get_stage(api_id, stage_name)
    body = json.loads(self.body or "{}")
    settings = {
        "accessLogSettings": body.get("accessLogSettings", stage.access_log_settings),
        "defaultRouteSettings": body.get("defaultRouteSettings", stage.default_route_settings),
    }
    check_v2_stage(backend, api, copy.deepcopy(settings))
    response = _original["v2_update_stage"](self)
    if _v2_logging(api, stage):
        delivery.locked(deliver_v2_stage)(backend, api, stage)
    return response


def install() -> None:
    if _original:
        return
    _original["update_account"] = APIGatewayBackend.update_account
    _original["update_stage"] = APIGatewayBackend.update_stage
    _original["v2_create_stage"] = ApiGatewayV2Backend.create_stage
    _original["v2_update_stage"] = ApiGatewayV2Response.update_stage
    APIGatewayBackend.update_account = update_account
    APIGatewayBackend.update_stage = update_stage
    ApiGatewayV2Backend.create_stage = create_stage
    ApiGatewayV2Response.update_stage = v2_update_stage
    # Through a stack, a refusal fails the resource (see delivery.as_stack_failure).
    ApiGatewayAccount.create = classmethod(delivery.as_stack_failure("ApiGateway", ApiGatewayAccount.create.__func__))
    ApiGatewayAccount.apply = delivery.as_stack_failure("ApiGateway", ApiGatewayAccount.apply)
