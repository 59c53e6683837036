"""Object requests judged by the bucket policy's statements, conditions included.

moto checks object requests (GetObject, PutObject, DeleteObject, HeadObject) against
the bucket policy with an evaluator that ignores conditions: a statement such as the
usual ``Deny s3:* when aws:SecureTransport is false`` then denies every request, and
a bucket that only accepts TLS answers 403 to everything. Here the same check goes
through ``policy.py``, which evaluates conditions as AWS does
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html).

moto hands the check only the action and the object, not the caller. The request is
judged as one from the bucket owner's account over TLS (the emulator stands for S3's
HTTPS endpoint): ``aws:SecureTransport`` true, the owner's account root as principal,
with ``aws:PrincipalAccount`` and, in an organization, ``aws:PrincipalOrgID``. Only an
explicit Deny is reported, as moto's own check does; Allow statements for other
principals are what the log deliveries (delivery*.py) evaluate themselves.
"""

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

from . import delivery
from .policy import Decision, Principal, Request, evaluate


def get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    document = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
    context = {
        "aws:SecureTransport": True,
        "aws:PrincipalAccount": self.account_id,
        "aws:PrincipalIsAWSService": False,
    }
    org = delivery.organization(self.account_id)
    if org is not None:
        context["aws:PrincipalOrgID"] = org.id
    request = Request(Principal.aws(f"arn:aws:iam::{self.account_id}:root"), action, resource, context)
    try:
        result = evaluate(document, request)
    except ValueError:
        # A policy the evaluator cannot read is judged as moto judged it.
        return _original(self, action, resource)
    if result.decision == Decision.EXPLICIT_DENY:
        return PermissionResult.DENIED
    if result.decision == Decision.ALLOW:
        return PermissionResult.PERMITTED
    return PermissionResult.NEUTRAL


_original = FakeBucket.get_permission


def install() -> None:
    FakeBucket.get_permission = get_permission
