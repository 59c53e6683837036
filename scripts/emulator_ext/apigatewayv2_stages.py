"""UpdateStage and DeleteAccessLogSettings for API Gateway v2 (HTTP APIs).

moto's API Gateway v2 creates, reads and deletes stages but has no UpdateStage
and no DeleteAccessLogSettings: a stage's access logs cannot be turned on or off
after it is made. Here UpdateStage applies the fields it is given to moto's own
stage object (access log settings, default route settings, description,
variables, auto deploy) and DeleteAccessLogSettings removes its access log
settings, so GetStage / GetStages read back what was set.
"""

import json
from typing import Any
from urllib.parse import unquote

import moto.apigatewayv2.urls as apigatewayv2_urls
from moto.apigatewayv2.responses import ApiGatewayV2Response

# The stage fields UpdateStage sets, by their names in the request and on moto's stage.
_FIELDS = {
    "accessLogSettings": "access_log_settings",
    "autoDeploy": "auto_deploy",
    "defaultRouteSettings": "default_route_settings",
    "description": "description",
    "routeSettings": "route_settings",
    "stageVariables": "stage_variables",
}


def update_stage(self: ApiGatewayV2Response) -> Any:
    parts = self.path.split("/")
    api_id, stage_name = parts[-3], unquote(parts[-1])
    stage = self.apigatewayv2_backend.get_stage(api_id, stage_name)
    body = json.loads(self.body or "{}")
    for field, attribute in _FIELDS.items():
        if field in body:
            setattr(stage, attribute, body[field])
    return 200, {}, json.dumps(stage.to_json())


def delete_access_log_settings(self: ApiGatewayV2Response) -> Any:
    parts = self.path.split("/")
    api_id, stage_name = parts[-4], unquote(parts[-2])
    stage = self.apigatewayv2_backend.get_stage(api_id, stage_name)
    stage.access_log_settings = None
    return 204, {}, ""


def install() -> None:
    ApiGatewayV2Response.update_stage = update_stage
    ApiGatewayV2Response.delete_access_log_settings = delete_access_log_settings
    # The Flask app is built from these paths on its first request.
    apigatewayv2_urls.url_paths[
        "{0}/v2/apis/(?P<api_id>[^/]+)/stages/(?P<stage_name>[^/]+)/accesslogsettings$"
    ] = ApiGatewayV2Response.dispatch
