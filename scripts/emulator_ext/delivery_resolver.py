"""Route 53 Resolver query logging to S3: delivery and its failures.

moto's query logging configurations accept any destination, their
associations are always ``ACTIVE`` with ``Error: NONE``, and no query log is
ever written. Resolver query logs to S3 are delivered by the same vended-logs
infrastructure as flow logs, as delivery.logs.amazonaws.com, with the same
bucket policy and, for SSE-KMS, key policy
(https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-choosing-target-resource.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-S3.html);
a bucket its account owns gets the required statements added, as
delivery_flowlogs describes.

The checks run when a VPC is associated (AssociateResolverQueryLogConfig and
AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation) and on every
``POST /_irready/deliver``. A refused delivery shows on the association as
the API reference defines it
(https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ResolverQueryLogConfigAssociation.html):
``Status: FAILED`` with ``Error: ACCESS_DENIED`` ("Permissions don't allow
sending logs to the destination") or ``DESTINATION_NOT_FOUND`` ("The specified
destination (for example, an Amazon S3 bucket) was deleted"), and an
``ErrorMessage``; a later successful delivery sets ``ACTIVE``, ``NONE`` and an
empty message. A delivered file is
``<folder>/AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/YYYY/MM/DD/<account>_vpcdnsquerylogs_<vpc-id>_YYYYMMDDTHHmmZ_<hash>.log.gz``
holding one query log record in the documented JSON format
(https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html).
"""

from __future__ import annotations

import json
from typing import Any

from moto.route53resolver.models import Route53ResolverBackend, route53resolver_backends

from . import delivery, delivery_flowlogs

_original: dict[str, Any] = {}

_ERRORS = {
    "NoSuchBucket": ("DESTINATION_NOT_FOUND", "The specified destination (for example, an Amazon S3 bucket) was deleted."),
    "AccessDenied": ("ACCESS_DENIED", "Permissions don't allow sending logs to the destination."),
}


def _record(account: str, region: str, vpc_id: str, moment: Any) -> str:
    return json.dumps(
        {
            "version": "1.100000",
            "account_id": account,
            "region": region,
            "vpc_id": vpc_id,
            "query_timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "query_name": "example.com.",
            "query_type": "A",
            "query_class": "IN",
            "rcode": "NOERROR",
            "answers": [{"Rdata": "93.184.216.34", "Type": "A", "Class": "IN"}],
            "srcaddr": "10.0.1.5",
            "srcport": "53710",
            "transport": "UDP",
            "srcids": {"instance": "i-0123456789abcdef0"},
        }
    )


def deliver_association(backend: Route53ResolverBackend, association: Any) -> dict[str, Any]:
    config = backend.resolver_query_log_configs.get(association.resolver_query_log_config_id)
    account, region = backend.account_id, backend.region_name
    report: dict[str, Any] = {
        "delivery": "resolver-query-logs",
        "account": account,
        "region": region,
        "resource": association.id,
        "destination": config.destination_arn if config else None,
    }
    moment = delivery.now()
    bucket_name, folder = delivery_flowlogs.split_s3_arn(config.destination_arn)
    vpc = association.resource_id
    key = (
        f"{folder}AWSLogs/{account}/vpcdnsquerylogs/{vpc}/{moment:%Y/%m/%d}/"
        f"{account}_vpcdnsquerylogs_{vpc}_{moment:%Y%m%dT%H%M}Z_{delivery.unique(8, '0123456789abcdef')}.log.gz"
    )
    error, detail = delivery_flowlogs._write(account, region, bucket_name, key, _record(account, region, vpc, moment) + "\n")
    if error is None:
        association.status, association.error, association.error_message = "ACTIVE", "NONE", ""
        report.update(ok=True, objects=[key])
    else:
        code, message = _ERRORS.get(error, _ERRORS["AccessDenied"])
        association.status, association.error, association.error_message = "FAILED", code, message
        report.update(ok=False, error=error, detail=detail)
    return report


def _is_s3(backend: Route53ResolverBackend, association: Any) -> bool:
    config = backend.resolver_query_log_configs.get(association.resolver_query_log_config_id)
    return config is not None and config.destination_arn.startswith("arn:aws:s3:::")


@delivery.register
def deliver_resolver_query_logs() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(route53resolver_backends):
        for association in list(backend.resolver_query_log_config_associations.values()):
            if _is_s3(backend, association):
                reports.append(deliver_association(backend, association))
    return reports


def associate_resolver_query_log_config(
    self: Route53ResolverBackend, resolver_query_log_config_id: str, resource_id: str
) -> Any:
    association = _original["associate"](self, resolver_query_log_config_id, resource_id)
    if _is_s3(self, association):
        config = self.resolver_query_log_configs[resolver_query_log_config_id]
        # The vended-logs setup step: a bucket this account owns gets the statements.
        delivery_flowlogs.ensure_log_delivery_policy(self.account_id, self.region_name, config.destination_arn)
        delivery.locked(deliver_association)(self, association)
    return association


def install() -> None:
    if _original:
        return
    _original["associate"] = Route53ResolverBackend.associate_resolver_query_log_config
    Route53ResolverBackend.associate_resolver_query_log_config = associate_resolver_query_log_config
