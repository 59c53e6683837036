"""Extensions that make moto_server behave like AWS where irready depends on it.

Every extension works through moto's own service backends: a resource created
by a stack is the same object the service API returns, so "apply, then read
back through the service API" is a real round trip. ``install()`` must run
before the server handles its first request, because moto builds its table of
CloudFormation resource types, and each service's URL map, on first use.
"""

import functools
import importlib

from moto.cloudformation import parsing

from . import cfn

# Modules that patch moto define install(); the others only add resource types,
# which they register with cfn.register when imported.
_MODULES = tuple(
    importlib.import_module(f".{name}", __name__)
    for name in (
        "apigateway_account",
        "apigatewayv2_stages",
        "cfn_attributes",
        "cfn_intrinsics",
        "cfn_stacks",
        "cfn_template_size",
        "cloudtrail",
        "cloudwatch_alarm",
        "config",
        "ec2_endpoints_flowlogs",
        "ec2_network_acl",
        "ec2_routing",
        "ec2_security_group",
        "guardduty",
        "iam",
        "iam_service_linked_role",
        "kms",
        "logs",
        "route53resolver",
        "s3",
        "s3_bucket_policy",
        "s3_xml_roots",
        "sns",
        "wafv2_logging",
        # Log delivery checks wrap the service backends' methods the modules
        # above install (guardduty's publishing destinations, cloudtrail's
        # StartLogging, the API Gateway v2 UpdateStage and the CloudFormation
        # types of apigateway_account and wafv2_logging), so they come last.
        "delivery_cloudtrail",
        "delivery_config",
        "delivery_flowlogs",
        "delivery_guardduty",
        "delivery_resolver",
        # The workloads' own logs (irready's workload-logging component).
        "delivery_apigateway",
        "delivery_cloudfront",
        "delivery_elb",
        "delivery_redshift",
        "delivery_s3_access",
        "delivery_waf",
        # Containment runbooks: SSM documents, a small automation engine, and EBS
        # snapshot sharing as AWS allows it.
        "ec2_ebs_sharing",
        "ssm_documents",
        "ssm_automation",
        # The log archive's query tables and workgroup, and date-partitioned S3
        # server access logs.
        "glue_athena",
        "s3_logging_format",
    )
)

_moto_model_list = parsing.get_model_list


_installed = False


def install() -> None:
    """Apply every extension to the moto modules loaded in this process (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    for module in _MODULES:
        if hasattr(module, "install"):
            module.install()
    # moto builds its table of resource types from the direct subclasses of
    # CloudFormationModel, once; the extensions' types are appended after
    # moto's own so that a replaced type (same name) resolves to the extension.
    moto_models = [model for model in _moto_model_list() if model is not cfn.ExtensionModel]
    parsing.get_model_list = functools.cache(lambda: moto_models + cfn.EXTENSION_MODELS)
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
