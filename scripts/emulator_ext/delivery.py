"""What AWS checks before a service writes logs into S3, and the writing itself.

moto lets every log destination through: CreateTrail, CreateFlowLogs,
PutDeliveryChannel, CreatePublishingDestination and query logging accept a
bucket whose policy denies the delivering service, a KMS key whose key policy
denies it, an organization trail without trusted access, and then deliver
nothing at all. Templates that AWS refuses therefore passed the tests.

This module holds what the per-service delivery modules (``delivery_*.py``)
share, all of it working on moto's own backends:

- finding a bucket across accounts, its owner and region, and the organization
  an account belongs to (moto's organizations backend);
- building the request a service principal makes to S3 or KMS, with the
  condition keys AWS puts in its context, and evaluating it with ``policy.py``
  against the bucket policy or the key policy;
- resolving a KMS key given as key id, key ARN, alias name or alias ARN;
- writing a log object through moto's S3 backend, with the encryption the
  bucket's default encryption (or the service) applies and the bucket's Object
  Lock default retention, as S3 would;
- a bucket's Object Ownership and ACL grants, for the deliveries that S3 ACLs
  still govern (S3 server access logs through the log delivery group,
  CloudFront standard logs through the awslogsdelivery account);
- the CloudWatch Logs side of vended logs (WAF, HTTP API access logs): the
  log group resource policy for delivery.logs.amazonaws.com that AWS adds
  when logging is set up, its evaluation, and writing a log event;
- the registry of periodic deliveries that ``POST /_irready/deliver``
  (``delivery_front.py``) runs, each re-evaluating the current policies.

The request context every service principal request carries, per the IAM
User Guide's global condition keys page
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
``aws:SourceAccount`` / ``aws:SourceArn`` (the resource on whose behalf the
service acts), ``aws:SourceOrgID`` when that account is in an organization
(unless a service documents that it sends none, see delivery_config.py),
``aws:PrincipalIsAWSService`` true, ``aws:PrincipalServiceName`` and
``aws:SecureTransport`` true (services call S3 and KMS over TLS).

S3 with SSE-KMS calls KMS on the writer's behalf: a PutObject needs
``kms:GenerateDataKey`` on the key, with the encryption context
``aws:s3:arn`` = the object's ARN, or the bucket's ARN when an S3 Bucket Key
is enabled
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html#bucket-key-encryption-context).
``kms:ViaService`` is ``s3.<bucket region>.amazonaws.com``
(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
Some services document more KMS actions for the delivery principal than a
single PutObject exercises (kms:Decrypt for multipart uploads, kms:Encrypt,
kms:DescribeKey); those are checked only when ``IRREADY_EMULATOR_KMS_STRICT=1``,
because AWS refuses a delivery on the calls it makes, not on the
documentation's list.
"""

from __future__ import annotations

import datetime
import gzip
import json
import logging
import os
import random
import string
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.kms.models import Key, kms_backends
from moto.organizations.models import organizations_backends
from moto.s3.models import FakeBucket, FakeKey, s3_backends
from moto.utilities.utils import get_partition

from .policy import Decision, Principal, Request, evaluate, evaluate_all

LOG = logging.getLogger(__name__)

# Regions where AWS services use a regional service principal
# (service.<region>.amazonaws.com): the opt-in Regions.
# https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
OPT_IN_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    }
)

STRICT_KMS = os.environ.get("IRREADY_EMULATOR_KMS_STRICT") == "1"

# Extra regions a multi-region delivery covers, beyond those where an account
# has anything (see active_regions).
EXTRA_REGIONS_ENV = "IRREADY_EMULATOR_DELIVERY_REGIONS"


# --------------------------------------------------------------------------
# Buckets, keys, organizations
# --------------------------------------------------------------------------


def find_bucket(name: str) -> FakeBucket | None:
    """The bucket of that name in whichever account owns it."""
    located = s3_backends.bucket_accounts.get(name)
    if located is None:
        return None
    partition, account_id = located
    return s3_backends[account_id][partition].buckets.get(name)


def bucket_arn(bucket: str, key: str | None = None) -> str:
    return f"arn:aws:s3:::{bucket}" if key is None else f"arn:aws:s3:::{bucket}/{key}"


@dataclass(frozen=True)
class Organization:
    id: str
    management_account: str
    accounts: tuple[str, ...]
    enabled_services: tuple[str, ...]


def organization(account_id: str) -> Organization | None:
    """The organization ``account_id`` belongs to, from moto's organizations backend."""
    located = organizations_backends.master_accounts.get(account_id)
    if located is not None:
        backend = organizations_backends[located[0]][located[1]]
    else:
        if account_id not in organizations_backends:
            return None
        backend = organizations_backends[account_id]["aws"]
    org = backend.org
    if org is None:
        return None
    return Organization(
        id=org.id,
        management_account=org.master_account_id,
        accounts=tuple(a.id for a in backend.accounts if a.status == "ACTIVE"),
        enabled_services=tuple(s["ServicePrincipal"] for s in backend.services),
    )


def resolve_key(reference: str | None, account_id: str, region: str) -> Key | None:
    """A KMS key from a key id, key ARN, alias name or alias ARN.

    An ARN names its own account and Region; a bare id or alias name is looked
    up in ``account_id`` / ``region`` (KMS's rule for key identifiers,
    https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id).
    """
    if not reference:
        return None
    if reference.startswith("arn:"):
        parts = reference.split(":", 5)
        if len(parts) != 6:
            return None
        region, account_id = parts[3], parts[4]
    if account_id not in kms_backends or region not in kms_backends[account_id]:
        return None
    backend = kms_backends[account_id][region]
    try:
        key_id = backend.any_id_to_key_id(reference)
    except Exception:  # noqa: BLE001 - moto raises several kinds for an unknown alias
        return None
    return backend.keys.get(key_id) if key_id else None


@dataclass(frozen=True)
class Encryption:
    """How S3 encrypts one object: SSE algorithm, KMS key (if any), Bucket Key."""

    algorithm: str | None
    key_reference: str | None = None
    bucket_key: bool = False


def default_encryption(bucket: FakeBucket) -> Encryption:
    """The bucket's default encryption, as PutBucketEncryption stored it."""
    if not bucket.encryption:
        return Encryption(None)
    rule = bucket.encryption.get("Rule") or {}
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    bucket_key = str(rule.get("BucketKeyEnabled", "false")).lower() == "true"
    return Encryption(default.get("SSEAlgorithm"), default.get("KMSMasterKeyID"), bucket_key)


def object_ownership(bucket: FakeBucket) -> str:
    """The bucket's S3 Object Ownership setting.

    A bucket moto created without one reads as ``BucketOwnerEnforced``: "By
    default, Object Ownership is set to the Bucket owner enforced setting and
    all ACLs are disabled" (Amazon S3 user guide, "Controlling ownership of
    objects and disabling ACLs for your bucket",
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html),
    which is what a bucket created today gets.
    """
    rule = bucket.ownership_rule
    if isinstance(rule, Mapping):
        rule = rule.get("ObjectOwnership")
    return str(rule) if rule else "BucketOwnerEnforced"


def acls_enabled(bucket: FakeBucket) -> bool:
    """Whether the bucket's ACLs affect permissions (anything but BucketOwnerEnforced)."""
    return object_ownership(bucket) != "BucketOwnerEnforced"


def acl_permissions(bucket: FakeBucket, uri: str | None = None, canonical_id: str | None = None) -> set[str]:
    """The permissions the bucket ACL grants a group (by URI) or a canonical user (by id).

    Empty when ACLs are disabled: they then "no longer affect permissions".
    """
    if not acls_enabled(bucket) or bucket.acl is None:
        return set()
    granted: set[str] = set()
    for grant in bucket.acl.grants:
        for grantee in grant.grantees:
            if (uri and grantee.uri == uri) or (canonical_id and grantee.id == canonical_id):
                granted.update(grant.permissions if isinstance(grant.permissions, list) else [grant.permissions])
    return granted


# --------------------------------------------------------------------------
# Requests and their evaluation
# --------------------------------------------------------------------------


def service_principal(service: str, region: str, regional_in_opt_in: bool = False) -> str:
    """``service.amazonaws.com``, or ``service.<region>.amazonaws.com`` in an opt-in Region."""
    if regional_in_opt_in and region in OPT_IN_REGIONS:
        return f"{service}.{region}.amazonaws.com"
    return f"{service}.amazonaws.com"


def source_context(
    principal: str, source_account: str, source_arn: str | None, with_org: bool = True
) -> dict[str, Any]:
    """The global condition keys a service principal's request carries."""
    context: dict[str, Any] = {
        "aws:SourceAccount": source_account,
        "aws:PrincipalIsAWSService": True,
        "aws:PrincipalServiceName": principal,
        "aws:SecureTransport": True,
    }
    if source_arn:
        context["aws:SourceArn"] = source_arn
    if with_org:
        org = organization(source_account)
        if org is not None:
            context["aws:SourceOrgID"] = org.id
    return context


@dataclass
class Check:
    """One request a service makes, and the policy it is evaluated against."""

    what: str  # "bucket policy", "key policy", "trust policy", ...
    request: Request
    policy: Any
    allowed: bool = False
    reason: str = ""
    explicit_deny: bool = False

    def run(self) -> Check:
        try:
            result = evaluate(self.policy, self.request)
        except ValueError as error:
            # A policy AWS would not have stored; it allows nothing here.
            self.allowed, self.reason = False, f"{self.what} is malformed: {error}"
            return self
        self._record(result)
        return self

    def _record(self, result: Any) -> None:
        self.allowed, self.reason = result.allowed, f"{self.what}: {result.reason}"
        self.explicit_deny = result.decision is Decision.EXPLICIT_DENY

    def describe(self) -> dict[str, Any]:
        return {
            "check": self.what,
            "principal": str(self.request.principal),
            "action": self.request.action,
            "resource": self.request.resource,
            "allowed": self.allowed,
            "reason": self.reason,
        }


class IdentityCheck(Check):
    """A request evaluated against all of an IAM principal's identity policies.

    Any explicit Deny in any of them wins, else any Allow
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
    """

    def __init__(self, what: str, request: Request, documents: list[Any]):
        super().__init__(what, request, None)
        self.documents = documents

    def run(self) -> Check:
        try:
            result = evaluate_all(self.documents, self.request)
        except ValueError as error:
            self.allowed, self.reason = False, f"{self.what} are malformed: {error}"
            return self
        self._record(result)
        return self


def role_by_arn(arn: str | None) -> Any:
    """The IAM role with that ARN, from moto's IAM backend of its account."""
    from moto.iam.models import iam_backends

    parts = (arn or "").split(":")
    if len(parts) != 6 or parts[2] != "iam" or not parts[4]:
        return None
    backend = iam_backends[parts[4]][parts[1] or "aws"]
    return next((role for role in backend.roles.values() if role.arn == arn), None)


def role_policies(role: Any) -> list[str]:
    """A role's identity policies: its inline documents and its attached managed policies' default versions."""
    documents = list(role.policies.values())
    for policy in role.managed_policies.values():
        default = next((v for v in policy.versions if v.is_default), None)
        if default is not None:
            documents.append(default.document)
    return documents


def first_denied(checks: Iterable[Check]) -> Check | None:
    for check in checks:
        if not check.run().allowed:
            return check
    return None


def s3_check(
    bucket: FakeBucket,
    principal: Principal,
    action: str,
    key: str | None,
    context: Mapping[str, Any],
    **extra: Any,
) -> Check:
    """A request to S3, evaluated against the bucket policy.

    A service principal belongs to no account, so only the bucket policy can
    grant it anything: it needs an explicit Allow there and no explicit Deny
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html).
    """
    request_context = {**context, "aws:ResourceAccount": bucket.account_id, **extra}
    return Check(
        f"bucket policy of {bucket.name}",
        Request(principal=principal, action=action, resource=bucket_arn(bucket.name, key), context=request_context),
        bucket.policy,
    )


@dataclass
class KmsUse:
    """The KMS requests one encrypted write makes, or why it cannot be made."""

    key: Key | None
    checks: list[Check] = field(default_factory=list)
    error_code: str | None = None  # the S3 error a missing/disabled key gives
    reason: str = ""

    def denied(self) -> Check | None:
        return first_denied(self.checks)


def kms_checks(
    key: Key,
    principal: Principal,
    actions: Iterable[str],
    context: Mapping[str, Any],
    encryption_context: Mapping[str, str],
) -> list[Check]:
    """Requests to KMS evaluated against the key policy.

    Each ``kms:EncryptionContext:<k>`` key carries the encryption context the
    caller sends (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context);
    DescribeKey takes no encryption context, so a DescribeKey grant conditioned
    on one never applies.
    """
    checks = []
    for action in actions:
        request_context = dict(context)
        if action not in ("kms:DescribeKey",):
            for name, value in encryption_context.items():
                request_context[f"kms:EncryptionContext:{name}"] = value
        checks.append(
            Check(
                f"key policy of {key.arn}",
                Request(principal=principal, action=action, resource=key.arn, context=request_context),
                key.policy,
            )
        )
    return checks


def key_state_error(key: Key | None) -> tuple[str, str] | None:
    """The KMS error S3 reports for a key it cannot use, if any."""
    if key is None:
        return "KMS.NotFoundException", "Key does not exist"
    if key.key_state == "Disabled" or not key.enabled:
        return "KMS.DisabledException", f"{key.arn} is disabled."
    if key.key_state != "Enabled":
        return "KMS.KMSInvalidStateException", f"{key.arn} is pending deletion."
    return None


def s3_kms_use(
    bucket: FakeBucket,
    object_key: str,
    encryption: Encryption,
    principal: Principal,
    context: Mapping[str, Any],
    extra_encryption_context: Mapping[str, str] | None = None,
    documented_extra_actions: Iterable[str] = (),
) -> KmsUse | None:
    """The KMS side of an SSE-KMS PutObject by ``principal``; None without SSE-KMS."""
    if encryption.algorithm not in ("aws:kms", "aws:kms:dsse"):
        return None
    # The key is looked up the way S3 does: an ARN as given, an id or alias in
    # the bucket owner's account and the bucket's Region (SSE-KMS keys must be
    # in the bucket's Region).
    key = resolve_key(encryption.key_reference, bucket.account_id, bucket.region_name)
    if key is None and encryption.key_reference is None:
        # No key named: S3 uses the AWS managed key aws/s3, whose policy lets
        # any principal use it through S3; nothing to check.
        return None
    use = KmsUse(key)
    state = key_state_error(key)
    if state is None and key is not None and key.region != bucket.region_name:
        state = ("KMS.NotFoundException", f"{key.arn} is not in the bucket's Region {bucket.region_name}")
    if state is not None:
        use.error_code, use.reason = state
        return use
    assert key is not None
    s3_arn = bucket_arn(bucket.name) if encryption.bucket_key else bucket_arn(bucket.name, object_key)
    encryption_context = {"aws:s3:arn": s3_arn, **(extra_encryption_context or {})}
    kms_context = {**context, "kms:ViaService": f"s3.{bucket.region_name}.amazonaws.com"}
    actions = ["kms:GenerateDataKey"]
    if STRICT_KMS:
        actions.extend(a for a in documented_extra_actions if a not in actions)
    use.checks = kms_checks(key, principal, actions, kms_context, encryption_context)
    return use


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def gzip_text(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


def unique(length: int = 16, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(random.choice(alphabet) for _ in range(length))


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def epoch(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def put_object(bucket: FakeBucket, key: str, body: bytes, encryption: Encryption) -> FakeKey:
    """Write through moto's S3 backend as S3 would store a service's PutObject.

    The encryption is the one the writer asked for or the bucket's default;
    a lock-enabled bucket's default retention applies to the new version
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-bucket-config).
    """
    backend = s3_backends[bucket.account_id][get_partition(bucket.region_name)]
    lock_mode = lock_until = None
    if bucket.has_default_lock:
        lock_mode, lock_until = bucket.default_lock_mode, bucket.default_retention()
    kms_key_id = None
    if encryption.algorithm in ("aws:kms", "aws:kms:dsse"):
        resolved = resolve_key(encryption.key_reference, bucket.account_id, bucket.region_name)
        kms_key_id = resolved.arn if resolved is not None else encryption.key_reference
    stored = backend.put_object(
        bucket.name,
        key,
        body,
        encryption=encryption.algorithm,
        kms_key_id=kms_key_id,
        bucket_key_enabled=encryption.bucket_key or None,
        lock_mode=lock_mode,
        lock_until=lock_until,
    )
    if encryption.algorithm not in ("aws:kms", "aws:kms:dsse"):
        # moto fills in the bucket default's key even for an explicit SSE-S3 write.
        stored.kms_key_id = None
    return stored


def object_exists(bucket: FakeBucket, key: str) -> bool:
    return key in bucket.keys


# --------------------------------------------------------------------------
# CloudWatch Logs destinations of vended logs
# --------------------------------------------------------------------------

# The principal, and the resource policy AWS creates or extends, when a service
# on the vended-logs infrastructure (WAF, API Gateway HTTP API access logs)
# starts sending logs to a log group (CloudWatch Logs user guide, "Enabling
# logging from AWS services", "Logs sent to CloudWatch Logs",
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-CWL):
# "If the log group currently does not have a resource policy, ... AWS
# automatically creates the following policy ... If the log group does have a
# resource policy but that policy doesn't contain the statement shown in the
# previous policy, ... that statement is appended".
LOG_DELIVERY = "delivery.logs.amazonaws.com"
VENDED_LOGS_POLICY = "AWSLogDeliveryWrite20150319"


def log_group_parts(arn: str | None) -> tuple[str, str, str] | None:
    """(account, region, name) of ``arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]``."""
    parts = (arn or "").split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        return None
    return parts[4], parts[3], parts[6]


def log_group_exists(account: str, region: str, name: str) -> bool:
    from moto.logs.models import logs_backends

    return account in logs_backends and name in logs_backends[account][region].groups


def vended_logs_checks(account: str, region: str, group: str, stream: str) -> list[Check]:
    """delivery.logs' CreateLogStream and PutLogEvents, judged by the Region's resource policies.

    CloudWatch Logs resource policies belong to the account and Region; a
    request is allowed when one of them allows it and none denies it.
    """
    from moto.logs.models import logs_backends

    documents = [p.policy_document for p in logs_backends[account][region].resource_policies.values()]
    stream_arn = f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}"
    context = source_context(LOG_DELIVERY, account, f"arn:aws:logs:{region}:{account}:*")
    return [
        IdentityCheck(
            f"CloudWatch Logs resource policies of {account}/{region}",
            Request(Principal.service(LOG_DELIVERY), action, stream_arn, context),
            documents,
        )
        for action in ("logs:CreateLogStream", "logs:PutLogEvents")
    ]


def ensure_vended_logs_policy(account: str, region: str, group: str) -> Check | None:
    """Add the delivery statement for ``group`` as AWS does; None, or the check still refused.

    The statement goes into the ``AWSLogDeliveryWrite20150319`` resource
    policy (created when missing); an explicit Deny elsewhere still refuses.
    The 5,120-character policy limit and the ``/aws/vendedlogs/*`` fallback
    AWS applies near it are not emulated.
    """
    from moto.logs.models import logs_backends

    if first_denied(vended_logs_checks(account, region, group, "probe")) is None:
        return None
    backend = logs_backends[account][region]
    resource = f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:*"
    existing = backend.resource_policies.get(VENDED_LOGS_POLICY)
    document = json.loads(existing.policy_document) if existing else {"Version": "2012-10-17", "Statement": []}
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    statement = next((s for s in statements if s.get("Sid") == VENDED_LOGS_POLICY), None)
    if statement is None:
        statement = {
            "Sid": VENDED_LOGS_POLICY,
            "Effect": "Allow",
            "Principal": {"Service": [LOG_DELIVERY]},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [],
            "Condition": {
                "StringEquals": {"aws:SourceAccount": [account]},
                "ArnLike": {"aws:SourceArn": [f"arn:aws:logs:{region}:{account}:*"]},
            },
        }
        statements.append(statement)
    resources = statement.get("Resource") or []
    if isinstance(resources, str):
        resources = [resources]
    if resource not in resources:
        resources.append(resource)
    statement["Resource"] = resources
    document["Statement"] = statements
    try:
        backend.put_resource_policy(VENDED_LOGS_POLICY, json.dumps(document))
    except Exception as error:  # noqa: BLE001 - moto's LimitExceededException (10 policies per Region)
        LOG.warning("could not add the vended-logs resource policy: %r", error)
    return first_denied(vended_logs_checks(account, region, group, "probe"))


def write_log_event(account: str, region: str, group: str, stream: str, message: str, moment: datetime.datetime) -> None:
    """One event into ``group``/``stream`` through moto's CloudWatch Logs backend (stream made if missing)."""
    from moto.logs.models import logs_backends

    backend = logs_backends[account][region]
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    backend.put_log_events(group, stream, [{"timestamp": int(moment.timestamp() * 1000), "message": message}])


# --------------------------------------------------------------------------
# Regions a delivery covers
# --------------------------------------------------------------------------


def active_regions(account_id: str, home_region: str) -> list[str]:
    """The Regions a multi-region delivery writes for an account.

    Writing for every Region moto knows (30+) per account per delivery would
    bury the objects that matter; AWS writes a file only for Regions with
    activity. Here: the home Region, every Region where the account has an EC2
    or CloudFormation backend (it has touched something there), and the
    Regions listed in ``IRREADY_EMULATOR_DELIVERY_REGIONS`` (comma-separated).
    """
    from moto.cloudformation.models import cloudformation_backends
    from moto.ec2.models import ec2_backends

    regions = {home_region}
    for backends in (ec2_backends, cloudformation_backends):
        if account_id in backends:
            regions.update(backends[account_id].keys())
    regions.update(r.strip() for r in os.environ.get(EXTRA_REGIONS_ENV, "").split(",") if r.strip())
    regions.discard("global")
    regions.discard("aws")
    return sorted(regions)


def backends_of(backend_dict: Any) -> list[tuple[str, str, Any]]:
    """(account, region, backend) for every backend moto has created."""
    found = []
    for account_id, per_region in list(backend_dict.items()):
        for region, backend in list(per_region.items()):
            found.append((account_id, region, backend))
    return found


# --------------------------------------------------------------------------
# The periodic deliveries
# --------------------------------------------------------------------------

# Each delivery function runs every delivery of its service in every account
# and Region once and returns one report per delivery.
DELIVERIES: list[Callable[[], list[dict[str, Any]]]] = []
_LOCK = threading.RLock()


def register(function: Callable[[], list[dict[str, Any]]]) -> Callable[[], list[dict[str, Any]]]:
    if function not in DELIVERIES:
        DELIVERIES.append(function)
    return function


def deliver_all() -> list[dict[str, Any]]:
    """Run every registered delivery once; reports of each delivery, in order."""
    reports: list[dict[str, Any]] = []
    with _LOCK:
        for function in DELIVERIES:
            try:
                reports.extend(function())
            except Exception as error:  # noqa: BLE001 - one broken delivery must not hide the others
                LOG.exception("delivery %s failed", function.__name__)
                reports.append({"delivery": function.__name__, "ok": False, "error": f"emulator error: {error!r}"})
    return reports


def locked(function: Callable[..., Any]) -> Callable[..., Any]:
    """Serialise a delivery started by an API call with the periodic ones."""

    def run(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return function(*args, **kwargs)

    run.__name__ = function.__name__
    run.__doc__ = function.__doc__
    return run


def denial_detail(check: Check | None) -> dict[str, Any] | None:
    return check.describe() if check is not None else None


def json_line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"))


def as_stack_failure(service: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A CloudFormation handler whose service error fails the resource, as CloudFormation reports it.

    The services' refusals are JSON-protocol errors; raised through a stack
    operation they would reach the client inside a query-protocol response.
    CloudFormation reports them as the resource's failure reason, "<message>
    (Service: <service>, Status Code: 400, Error Code: <code>)"; the extensions
    turn resource failures into a ValidationError of the stack operation
    (cfn.TemplateError).
    """
    from moto.core.exceptions import JsonRESTError

    from .cfn import TemplateError

    def handler(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except JsonRESTError as error:
            raise TemplateError(
                f"{error.message} (Service: {service}, Status Code: {error.code}, Error Code: {error.error_type})"
            ) from error

    handler.__name__ = getattr(function, "__name__", "handler")
    return handler
