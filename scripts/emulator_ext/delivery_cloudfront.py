"""CloudFront standard logs (legacy, to S3): what CreateDistribution / UpdateDistribution refuse, and delivery.

moto's CloudFront stores any ``Logging`` configuration, adds no ACL grant and
delivers nothing. Here, through moto's CloudFront and S3 backends, a
distribution whose ``Logging.Enabled`` is true is checked as the CloudFront
developer guide describes ("Configuring and using standard logs (access
logs)", now "Configure standard logging (legacy)": "Permissions required to
configure standard logging and to access your log files",
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html#AccessLogsBucketAndFileOwnership):

- the bucket (``<name>.s3.amazonaws.com``) must exist: ``InvalidArgument``
  "The S3 bucket that you specified for CloudFront logs doesn't exist: <bucket>"
  (the guide gives no wording; this follows the ACL message below);
- its ACLs must be enabled, since "When you create or update a distribution and
  enable logging, CloudFront uses these permissions to update the ACL for the
  bucket to give the awslogsdelivery account FULL_CONTROL permission": a bucket
  with Object Ownership ``BucketOwnerEnforced`` (S3's default) is refused with
  ``InvalidArgument`` "The S3 bucket that you specified for CloudFront logs does
  not enable ACL access: <bucket>" (the message CloudFront returns, as in
  aws-samples/baseline-environment-on-aws#363);
- "Your AWS account must have the following permissions for the bucket ...
  s3:GetBucketAcl, s3:PutBucketAcl ... If your account doesn't have the
  required permissions to update the ACL, creating or updating the
  distribution will fail": for a bucket of another account, its policy must
  allow the distribution's account both actions, else ``AccessDenied`` "You
  don't have permission to access the S3 bucket for CloudFront logs: ..."
  (the message in aws/aws-cdk#33297). The bucket ACL's FULL_CONTROL grant to
  that account cannot be checked: moto gives every account the same canonical
  user id.

On success the bucket ACL gets the grant of FULL_CONTROL to the awslogsdelivery
canonical user ``c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0``
(same page), which moto's GetBucketAcl then shows.

Delivery (when logging is turned on and on every ``POST /_irready/deliver``)
writes ``<prefix>/<distribution-id>.YYYY-MM-DD-HH.<unique-id>.gz`` ("File name
format": "If you include a value for the log file prefix and your prefix
doesn't end with a forward slash (/), CloudFront appends one automatically"),
in the W3C format with its two header lines, as the awslogsdelivery account,
only while: the bucket exists; its ACLs are enabled and still grant
awslogsdelivery FULL_CONTROL ("If you remove permissions for the
awslogsdelivery account, CloudFront won't be able to save logs to the S3
bucket"); its policy denies nothing to it; it is not in af-south-1,
ap-east-1, eu-south-1 or me-south-1 ("CloudFront doesn't deliver access logs to
buckets in these Regions"); and, for SSE-KMS, the key is a customer managed key
whose policy lets delivery.logs.amazonaws.com kms:GenerateDataKey* ("Required
key policy for SSE-KMS buckets"; "You can't use SSE-KMS with the AWS managed
key"; the kms:Decrypt it adds for S3 Bucket Keys is checked only with
IRREADY_EMULATOR_KMS_STRICT=1). CloudFront reports a failed delivery through no
API: it shows only as no file and in the deliver endpoint's report.

Standard logging v2 (CloudWatch Logs vended-log deliveries) is not emulated.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.cloudfront.exceptions import CloudFrontException
from moto.cloudfront.models import CloudFrontBackend, cloudfront_backends
from moto.s3.models import PERMISSION_FULL_CONTROL, FakeAcl, FakeGrant, FakeGrantee

from . import delivery
from .delivery import Check, first_denied
from .policy import Principal

_original: dict[str, Any] = {}

AWSLOGSDELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
UNSUPPORTED_REGIONS = frozenset({"af-south-1", "ap-east-1", "eu-south-1", "me-south-1"})


def bucket_name_of(domain: str) -> str:
    """``name`` of ``name.s3.amazonaws.com`` / ``name.s3.<region>.amazonaws.com`` (or a bare name)."""
    return domain.split(".s3.", 1)[0] if ".s3." in domain else domain.split(".s3-", 1)[0]


def _enabled(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _logging(config: Any) -> dict[str, Any]:
    """The Logging element of a request's DistributionConfig (dict) or a stored one (moto object)."""
    if isinstance(config, dict):
        logging = config.get("Logging") or {}
        return logging if isinstance(logging, dict) else {}
    logging = getattr(config, "Logging", None)
    return {
        "Enabled": getattr(logging, "enabled", False),
        "Bucket": getattr(logging, "bucket", ""),
        "Prefix": getattr(logging, "prefix", ""),
    }


def _caller_checks(account: str, bucket: Any) -> list[Check]:
    principal = Principal.aws(f"arn:aws:iam::{account}:root")
    context = {"aws:PrincipalAccount": account, "aws:PrincipalIsAWSService": False, "aws:SecureTransport": True}
    return [delivery.s3_check(bucket, principal, action, None, context) for action in ("s3:GetBucketAcl", "s3:PutBucketAcl")]


def check_logging(account: str, logging: dict[str, Any]) -> Any:
    """The bucket CloudFront will grant awslogsdelivery on, or a refusal."""
    domain = logging.get("Bucket") or ""
    bucket = delivery.find_bucket(bucket_name_of(domain))
    if bucket is None:
        raise CloudFrontException(
            "InvalidArgument", f"The S3 bucket that you specified for CloudFront logs doesn't exist: {domain}"
        )
    if bucket.account_id != account and first_denied(_caller_checks(account, bucket)) is not None:
        raise CloudFrontException(
            "AccessDenied",
            f"You don't have permission to access the S3 bucket for CloudFront logs: {domain} If you're using IAM, "
            "you need s3:GetBucketAcl and s3:PutBucketAcl permissions to create a distribution or to update log "
            "settings for an existing distribution. In addition, the S3 ACL for the bucket must grant you FULL_CONTROL.",
        )
    if not delivery.acls_enabled(bucket):
        raise CloudFrontException(
            "InvalidArgument", f"The S3 bucket that you specified for CloudFront logs does not enable ACL access: {domain}"
        )
    return bucket


def grant_log_delivery(bucket: Any) -> None:
    """Add awslogsdelivery FULL_CONTROL to the bucket ACL, as CloudFront does."""
    if PERMISSION_FULL_CONTROL in delivery.acl_permissions(bucket, canonical_id=AWSLOGSDELIVERY):
        return
    if bucket.acl is None:
        bucket.acl = FakeAcl()
    bucket.acl.grants.append(FakeGrant([FakeGrantee(grantee_id=AWSLOGSDELIVERY)], [PERMISSION_FULL_CONTROL]))


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------


def _record(distribution: Any, moment: datetime.datetime) -> str:
    fields = (
        "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
        "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
        "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version "
        "fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type "
        "sc-content-len sc-range-start sc-range-end"
    )
    values = [
        f"{moment:%Y-%m-%d}", f"{moment:%H:%M:%S}", "SEA19-C1", "392", "192.0.2.100", "GET",
        distribution.domain_name, "/index.html", "200", "-", "Mozilla/5.0", "-", "-", "Hit",
        delivery.unique(56), distribution.domain_name, "https", "23", "0.001", "-", "TLSv1.3",
        "TLS_AES_128_GCM_SHA256", "Hit", "HTTP/2.0", "-", "-", "11040", "0.001", "Hit", "text/html", "78", "-", "-",
    ]
    return f"#Version: 1.0\n#Fields: {fields}\n" + "\t".join(values) + "\n"


def delivery_refusal(bucket: Any, key: str) -> tuple[str, Any] | None:
    if bucket.region_name in UNSUPPORTED_REGIONS:
        return "NotDelivered", {"reason": f"CloudFront does not deliver standard logs to {bucket.region_name}"}
    if PERMISSION_FULL_CONTROL not in delivery.acl_permissions(bucket, canonical_id=AWSLOGSDELIVERY):
        return "AccessDenied", {"reason": f"the ACL of {bucket.name} grants awslogsdelivery no FULL_CONTROL"}
    principal = Principal("CanonicalUser", AWSLOGSDELIVERY)
    check = delivery.s3_check(bucket, principal, "s3:PutObject", key, {"aws:SecureTransport": True}).run()
    if check.explicit_deny:
        return "AccessDenied", check.describe()
    encryption = delivery.default_encryption(bucket)
    if encryption.algorithm in ("aws:kms", "aws:kms:dsse"):
        if not encryption.key_reference:
            return "KMS.AccessDenied", {"reason": "SSE-KMS with the AWS managed key aws/s3"}
        kms = delivery.s3_kms_use(
            bucket,
            key,
            encryption,
            Principal.service(delivery.LOG_DELIVERY),
            {"aws:SecureTransport": True, "aws:PrincipalIsAWSService": True},
            documented_extra_actions=("kms:Decrypt",) if encryption.bucket_key else (),
        )
        if kms is not None:
            if kms.error_code:
                return kms.error_code, {"reason": kms.reason}
            refused = kms.denied()
            if refused is not None:
                return "AccessDenied", refused.describe()
    return None


def deliver_distribution(account: str, distribution: Any) -> dict[str, Any]:
    logging = _logging(distribution.distribution_config)
    domain, prefix = logging.get("Bucket") or "", logging.get("Prefix") or ""
    report: dict[str, Any] = {
        "delivery": "cloudfront-standard-logs",
        "account": account,
        "region": "us-east-1",
        "resource": distribution.distribution_id,
        "destination": f"s3://{bucket_name_of(domain)}/{prefix}",
    }
    moment = delivery.now()
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    key = f"{prefix}{distribution.distribution_id}.{moment:%Y-%m-%d-%H}.{delivery.unique(8, '0123456789abcdef')}.gz"
    bucket = delivery.find_bucket(bucket_name_of(domain))
    if bucket is None:
        report.update(ok=False, error="NoSuchBucket")
        return report
    refusal = delivery_refusal(bucket, key)
    if refusal is not None:
        report.update(ok=False, error=refusal[0], detail=refusal[1])
        return report
    delivery.put_object(bucket, key, delivery.gzip_text(_record(distribution, moment)), delivery.default_encryption(bucket))
    report.update(ok=True, objects=[key])
    return report


@delivery.register
def deliver_cloudfront_standard_logs() -> list[dict[str, Any]]:
    reports = []
    for account, _, backend in delivery.backends_of(cloudfront_backends):
        for distribution in list(backend.distributions.values()):
            if _enabled(_logging(distribution.distribution_config).get("Enabled")):
                reports.append(deliver_distribution(account, distribution))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------


def _before(account: str, config: dict[str, Any]) -> Any:
    logging = _logging(config)
    if not _enabled(logging.get("Enabled")):
        return None
    with delivery._LOCK:
        return check_logging(account, logging)


def _after(account: str, bucket: Any, distribution: Any) -> None:
    if bucket is None:
        return
    with delivery._LOCK:
        grant_log_delivery(bucket)
        deliver_distribution(account, distribution)


def create_distribution_with_tags(self: CloudFrontBackend, distribution_config: dict[str, Any], tags: Any) -> Any:
    bucket = _before(self.account_id, distribution_config)
    result = _original["create"](self, distribution_config, tags)
    _after(self.account_id, bucket, result[0])
    return result


def update_distribution(self: CloudFrontBackend, dist_config: dict[str, Any], _id: str, if_match: bool) -> Any:
    bucket = _before(self.account_id, dist_config) if dist_config else None
    result = _original["update"](self, dist_config, _id, if_match)
    _after(self.account_id, bucket, result[0])
    return result


def install() -> None:
    if _original:
        return
    _original["create"] = CloudFrontBackend.create_distribution_with_tags
    _original["update"] = CloudFrontBackend.update_distribution
    CloudFrontBackend.create_distribution_with_tags = create_distribution_with_tags
    CloudFrontBackend.update_distribution = update_distribution
