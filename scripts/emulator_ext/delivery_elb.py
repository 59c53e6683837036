"""Load balancer access logs (ALB, NLB, Classic): the checks AWS makes when they are turned on, and delivery.

moto's ModifyLoadBalancerAttributes (elbv2 and elb) stores any
``access_logs.s3.*`` / ``AccessLog`` setting: a bucket that does not exist, in
another Region, whose policy lets nobody write. Here, through moto's ELB, S3
and KMS backends, turning access logs on (``access_logs.s3.enabled`` true, or
``AccessLog.Enabled`` true) is checked as the Elastic Load Balancing guides
describe, and refused with ``InvalidConfigurationRequest``, the error AWS
returns ("Access Denied for bucket: <bucket>. Please check S3bucket
permission", as reported in kubernetes-sigs/aws-load-balancer-controller#1956
and terraform-aws-modules/terraform-aws-s3-bucket#98); turning them off is
never checked.

Application and Classic Load Balancers
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html,
https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-access-logs.html):

- "The bucket must be located in the same Region as the load balancer. The
  bucket and the load balancer can be owned by different accounts."
- "The only server-side encryption option that's supported is Amazon
  S3-managed keys (SSE-S3)": a bucket whose default encryption is SSE-KMS is
  refused like a denied write (the ELB account cannot use the key).
- The bucket policy must let Elastic Load Balancing s3:PutObject under
  ``<prefix>/AWSLogs/<account>/``: in the Regions listed in the guide
  (available before August 2022) the Region's ELB account
  (``arn:aws:iam::<elb-account>:root``, e.g. 127311923021 in us-east-1,
  156460612806 in eu-west-1), elsewhere the
  ``logdelivery.elasticloadbalancing.amazonaws.com`` service principal. The
  account form is what the guides now call the "legacy bucket policy" (AWS
  China user guide, Elastic Load Balancing,
  https://docs.amazonaws.cn/en_us/aws/latest/userguide/elb.html); in the
  older Regions a grant to the service principal is accepted as well.
- "After access logs are enabled for your load balancer, Elastic Load
  Balancing validates the S3 bucket and creates a test file": the test write
  is the check, and ``<prefix>/AWSLogs/<account>/ELBAccessLogTestFile`` is
  written on success.

Network Load Balancers deliver through the vended-logs infrastructure as
delivery.logs.amazonaws.com
(https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html,
"Bucket requirements"; CloudWatch Logs user guide, "Logs sent to Amazon S3",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3,
which lists "Network Load Balancer access logs"): s3:GetBucketAcl on the
bucket and s3:PutObject under ``<prefix>/AWSLogs/<account>/`` with
s3:x-amz-acl bucket-owner-full-control, aws:SourceAccount and aws:SourceArn
``arn:aws:logs:<region>:<account>:*``; a bucket of the load balancer's own
account gets the statements added, as for flow logs (delivery_flowlogs); SSE-KMS
needs a customer managed key whose policy lets delivery.logs use it.

A bucket that does not exist is refused with "The specified bucket does not
exist" (wording not documented), and an empty bucket name with
``ValidationError`` "The value of 'access_logs.s3.bucket' cannot be empty"
(elbv2, terraform-aws-modules/terraform-aws-alb#7) or "S3Bucket name cannot be
empty" (Classic, infrablocks/terraform-aws-ecs-load-balancer#6).

Delivery (when logs are turned on and on every ``POST /_irready/deliver``)
re-evaluates the same rules and writes one file under the documented layout:
``<prefix>/AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/``
``<account>_elasticloadbalancing_<region>_app.<name>.<id>_<end-time>_<ip>_<random>.log.gz``
(ALB), ``..._net.<name>.<id>_<end-time>_<random>.log.gz`` (NLB),
``..._<name>_<end-time>_<ip>_<random>.log`` (Classic), each holding one
record in the documented entry format. AWS reports a failed delivery through
no API; it shows here only as no file and in the deliver endpoint's report.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.elb.models import ELBBackend, elb_backends
from moto.elbv2.models import ELBv2Backend, elbv2_backends

from . import delivery, delivery_flowlogs
from .delivery import Check, Encryption
from .policy import Principal

_original: dict[str, Any] = {}

SERVICE_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"

# "Replace elb-account-id with the ID of the AWS account for Elastic Load
# Balancing for your Region" (ALB guide, "Attach a policy to your S3 bucket").
ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
}


class Refused(Exception):
    """A refusal, raised as each service's own InvalidConfigurationRequest by the patches."""

    def __init__(self, message: str, code: str = "InvalidConfigurationRequest"):
        super().__init__(message)
        self.message = message
        self.code = code


def _as_elbv2_error(refused: Refused) -> Exception:
    from moto.elbv2.exceptions import InvalidConfigurationRequest
    from moto.elbv2.exceptions import ValidationError as V2ValidationError

    if refused.code == "ValidationError":
        return V2ValidationError(refused.message)
    return InvalidConfigurationRequest(refused.message)


def _as_elb_error(refused: Refused) -> Exception:
    from moto.elb.exceptions import ELBClientError

    # The elb model gives InvalidConfigurationRequest HTTP 409.
    return ELBClientError(refused.code, refused.message)


def access_denied(bucket: str) -> str:
    return f"Access Denied for bucket: {bucket}. Please check S3bucket permission"


def account_folder(prefix: str, account: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/AWSLogs/{account}/" if prefix else f"AWSLogs/{account}/"


# --------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------


def _elb_principal_checks(bucket: Any, account: str, region: str, lb_arn: str, key: str) -> list[Check]:
    """The PutObject ALB and Classic make: as the Region's ELB account, or the service principal."""
    checks = []
    elb_account = ELB_ACCOUNTS.get(region)
    if elb_account is not None:
        context = {
            "aws:PrincipalAccount": elb_account,
            "aws:PrincipalIsAWSService": False,
            "aws:SecureTransport": True,
        }
        checks.append(
            delivery.s3_check(bucket, Principal.aws(f"arn:aws:iam::{elb_account}:root"), "s3:PutObject", key, context)
        )
    context = delivery.source_context(SERVICE_PRINCIPAL, account, lb_arn)
    checks.append(delivery.s3_check(bucket, Principal.service(SERVICE_PRINCIPAL), "s3:PutObject", key, context))
    return checks


def elb_write_refusal(bucket: Any, account: str, region: str, lb_arn: str, key: str) -> tuple[str, Any] | None:
    """Why the ELB (ALB/Classic) write of ``key`` is refused, or None."""
    if bucket.region_name != region:
        return "AccessDenied", {"reason": f"bucket {bucket.name} is in {bucket.region_name}, not {region}"}
    encryption = delivery.default_encryption(bucket)
    if encryption.algorithm in ("aws:kms", "aws:kms:dsse"):
        return "AccessDenied", {"reason": "only SSE-S3 is supported for load balancer access logs"}
    checks = [check.run() for check in _elb_principal_checks(bucket, account, region, lb_arn, key)]
    if any(check.allowed for check in checks):
        return None
    return "AccessDenied", checks[0].describe()


def check_elb_bucket(bucket_name: str, prefix: str, account: str, region: str, lb_arn: str) -> None:
    """Turning on ALB/Classic access logs: the bucket and the test file write."""
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        raise Refused("The specified bucket does not exist")
    if elb_write_refusal(bucket, account, region, lb_arn, account_folder(prefix, account) + "ELBAccessLogTestFile"):
        raise Refused(access_denied(bucket_name))


def check_nlb_bucket(bucket_name: str, prefix: str, account: str, region: str) -> None:
    """Turning on NLB access logs: the vended-logs checks (statements added to an own bucket)."""
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        raise Refused("The specified bucket does not exist")
    if bucket.region_name != region:
        raise Refused(access_denied(bucket_name))
    folder = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    refusal = delivery_flowlogs.ensure_log_delivery_policy(account, region, f"arn:aws:s3:::{bucket_name}/{folder}")
    if refusal is not None:
        raise Refused(access_denied(bucket_name))


# --------------------------------------------------------------------------
# Delivery
# --------------------------------------------------------------------------


def _end_time(moment: datetime.datetime) -> str:
    return f"{moment:%Y%m%dT%H%M}Z"


def _lb_resource(lb: Any) -> str:
    """``app/<name>/<id>`` or ``net/<name>/<id>``, the load balancer's resource id.

    Built from the type: moto's ARNs say ``app/`` for every type.
    """
    name, lb_id = lb.arn.rsplit("/", 2)[-2:]
    return f"{'net' if lb.type == 'network' else 'app'}/{name}/{lb_id}"


def _lb_id(lb: Any) -> str:
    """The guides' load-balancer-id in file names: the resource id with its slashes as periods."""
    return _lb_resource(lb).replace("/", ".")


def _alb_record(lb: Any, moment: datetime.datetime) -> str:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    resource = _lb_resource(lb)
    return (
        f'http {stamp} {resource} 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 '
        f'"GET http://{lb.dns_name}:80/ HTTP/1.1" "curl/8.5.0" - - '
        f'- "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 {stamp} "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"\n'
    )


def _nlb_record(lb: Any, moment: datetime.datetime) -> str:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S")
    resource = _lb_resource(lb)
    return (
        f"tls 2.0 {stamp} {resource} g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - "
        f"- - ECDHE-RSA-AES128-SHA tlsv12 - {lb.dns_name} - - -\n"
    )


def _classic_record(name: str, moment: datetime.datetime) -> str:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return (
        f'{stamp} {name} 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 '
        f'"GET http://www.example.com:80/ HTTP/1.1" "curl/8.5.0" - -\n'
    )


def _day_folder(prefix: str, account: str, region: str, moment: datetime.datetime) -> str:
    return f"{account_folder(prefix, account)}elasticloadbalancing/{region}/{moment:%Y/%m/%d}/"


def _write_elb(
    bucket_name: str, key: str, body: bytes, account: str, region: str, lb_arn: str
) -> tuple[str | None, Any]:
    bucket = delivery.find_bucket(bucket_name)
    if bucket is None:
        return "NoSuchBucket", None
    refusal = elb_write_refusal(bucket, account, region, lb_arn, key)
    if refusal is not None:
        return refusal
    delivery.put_object(bucket, key, body, Encryption("AES256"))
    return None, None


def _test_file(bucket_name: str, prefix: str, account: str, region: str, lb_arn: str, name: str) -> None:
    moment = delivery.now()
    key = account_folder(prefix, account) + "ELBAccessLogTestFile"
    body = f"Enable AccessLog for ELB: {name} at {moment:%Y-%m-%dT%H:%M:%S.%f}Z".encode()
    _write_elb(bucket_name, key, body, account, region, lb_arn)


def deliver_elbv2(backend: ELBv2Backend, lb: Any) -> dict[str, Any]:
    account, region = backend.account_id, backend.region_name
    bucket_name = lb.attrs.get("access_logs.s3.bucket", "")
    prefix = lb.attrs.get("access_logs.s3.prefix", "") or ""
    report: dict[str, Any] = {
        "delivery": "elb-access-logs",
        "account": account,
        "region": region,
        "resource": lb.arn,
        "destination": f"s3://{bucket_name}/{prefix}",
    }
    moment = delivery.now()
    folder = _day_folder(prefix, account, region, moment)
    base = f"{account}_elasticloadbalancing_{region}_{_lb_id(lb)}_{_end_time(moment)}"
    if lb.type == "network":
        key = f"{folder}{base}_{delivery.unique(8, '0123456789abcdefghijklmnopqrstuvwxyz')}.log.gz"
        bucket = delivery.find_bucket(bucket_name)
        encryption = delivery.default_encryption(bucket) if bucket is not None else None
        if encryption is not None and encryption.algorithm in ("aws:kms", "aws:kms:dsse") and not encryption.key_reference:
            # "If you choose SSE-KMS, you must use a customer managed key, because using an AWS
            # managed key is not supported" (CloudWatch Logs guide, "Logs sent to Amazon S3").
            error, detail = "KMS.AccessDenied", {"reason": "SSE-KMS with the AWS managed key aws/s3"}
        else:
            error, detail = delivery_flowlogs._write(account, region, bucket_name, key, _nlb_record(lb, moment))
    else:
        key = f"{folder}{base}_10.0.1.25_{delivery.unique(8, '0123456789abcdefghijklmnopqrstuvwxyz')}.log.gz"
        body = delivery.gzip_text(_alb_record(lb, moment))
        error, detail = _write_elb(bucket_name, key, body, account, region, lb.arn)
    if error is None:
        report.update(ok=True, objects=[key])
    else:
        report.update(ok=False, error=error, detail=detail)
    return report


def _classic_arn(backend: ELBBackend, name: str) -> str:
    return f"arn:aws:elasticloadbalancing:{backend.region_name}:{backend.account_id}:loadbalancer/{name}"


def deliver_classic(backend: ELBBackend, name: str, log: dict[str, Any]) -> dict[str, Any]:
    account, region = backend.account_id, backend.region_name
    bucket_name = log.get("S3BucketName") or ""
    prefix = log.get("S3BucketPrefix") or ""
    report: dict[str, Any] = {
        "delivery": "elb-access-logs",
        "account": account,
        "region": region,
        "resource": name,
        "destination": f"s3://{bucket_name}/{prefix}",
    }
    moment = delivery.now()
    key = (
        f"{_day_folder(prefix, account, region, moment)}{account}_elasticloadbalancing_{region}_{name}_"
        f"{_end_time(moment)}_10.0.1.25_{delivery.unique(8, '0123456789abcdefghijklmnopqrstuvwxyz')}.log"
    )
    error, detail = _write_elb(
        bucket_name, key, _classic_record(name, moment).encode(), account, region, _classic_arn(backend, name)
    )
    if error is None:
        report.update(ok=True, objects=[key])
    else:
        report.update(ok=False, error=error, detail=detail)
    return report


def _enabled(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


@delivery.register
def deliver_load_balancer_logs() -> list[dict[str, Any]]:
    reports = []
    for _, _, backend in delivery.backends_of(elbv2_backends):
        for lb in list(backend.load_balancers.values()):
            if lb.type in ("application", "network") and _enabled(lb.attrs.get("access_logs.s3.enabled")):
                reports.append(deliver_elbv2(backend, lb))
    for _, _, backend in delivery.backends_of(elb_backends):
        for name, lb in list(backend.load_balancers.items()):
            log = lb.attributes.get("access_log") or {}
            if _enabled(log.get("Enabled")):
                reports.append(deliver_classic(backend, name, log))
    return reports


# --------------------------------------------------------------------------
# Patches
# --------------------------------------------------------------------------

_ACCESS_LOG_KEYS = ("access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix")


def modify_load_balancer_attributes(self: ELBv2Backend, arn: str, attrs: dict[str, Any]) -> dict[str, Any]:
    lb = self.load_balancers.get(arn)
    touches_logs = any(key in attrs for key in _ACCESS_LOG_KEYS)
    if lb is None or not touches_logs:
        return _original["elbv2_modify"](self, arn, attrs)
    merged = {**lb.attrs, **attrs}
    turning_on = _enabled(merged.get("access_logs.s3.enabled")) and lb.type in ("application", "network")
    if turning_on:
        bucket_name = merged.get("access_logs.s3.bucket") or ""
        prefix = merged.get("access_logs.s3.prefix") or ""
        try:
            if not bucket_name:
                raise Refused("The value of 'access_logs.s3.bucket' cannot be empty", "ValidationError")
            with delivery._LOCK:
                if lb.type == "network":
                    check_nlb_bucket(bucket_name, prefix, self.account_id, self.region_name)
                else:
                    check_elb_bucket(bucket_name, prefix, self.account_id, self.region_name, lb.arn)
        except Refused as refused:
            raise _as_elbv2_error(refused) from None
    result = _original["elbv2_modify"](self, arn, attrs)
    if turning_on:
        with delivery._LOCK:
            if lb.type != "network":
                _test_file(bucket_name, prefix, self.account_id, self.region_name, lb.arn, lb.name)
            deliver_elbv2(self, lb)
    return result


def classic_modify_load_balancer_attributes(
    self: ELBBackend, load_balancer_name: str, *args: Any, access_log: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    turning_on = bool(access_log) and _enabled(access_log.get("Enabled"))
    if turning_on:
        assert access_log is not None
        self.get_load_balancer(load_balancer_name)
        bucket_name = access_log.get("S3BucketName") or ""
        prefix = access_log.get("S3BucketPrefix") or ""
        arn = _classic_arn(self, load_balancer_name)
        try:
            if not bucket_name:
                raise Refused("S3Bucket name cannot be empty", "ValidationError")
            with delivery._LOCK:
                check_elb_bucket(bucket_name, prefix, self.account_id, self.region_name, arn)
        except Refused as refused:
            raise _as_elb_error(refused) from None
    _original["elb_modify"](self, load_balancer_name, *args, access_log=access_log, **kwargs)
    if turning_on:
        assert access_log is not None
        with delivery._LOCK:
            _test_file(bucket_name, prefix, self.account_id, self.region_name, arn, load_balancer_name)
            deliver_classic(self, load_balancer_name, access_log)


def install() -> None:
    if _original:
        return
    _original["elbv2_modify"] = ELBv2Backend.modify_load_balancer_attributes
    _original["elb_modify"] = ELBBackend.modify_load_balancer_attributes
    ELBv2Backend.modify_load_balancer_attributes = modify_load_balancer_attributes
    ELBBackend.modify_load_balancer_attributes = classic_modify_load_balancer_attributes
