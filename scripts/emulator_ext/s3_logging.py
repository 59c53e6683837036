"""PutBucketLogging against a target bucket whose policy has a ``"Principal": "*"``.

moto checks that the target bucket lets ``logging.s3.amazonaws.com`` write, reading
each statement's principal as a mapping (``stmt.get("Principal", {}).get("Service")``).
A statement with the string principal ``"*"``, such as the usual deny of requests
without TLS, makes that check raise, and PutBucketLogging answers HTTP 500. AWS accepts
such a policy. Here statements whose principal is not a mapping are passed over (they
cannot be the logging service's grant); the rest of moto's check is unchanged.
"""

import copy
import json

from moto.s3.models import FakeBucket


def install() -> None:
    original = FakeBucket._log_permissions_enabled_policy

    def log_permissions_enabled_policy(target_bucket, target_prefix):
        policy = target_bucket.policy
        if not policy:
            return original(target_bucket, target_prefix)
        document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if isinstance(s.get("Principal", {}), dict)]
        if len(kept) == len(statements):
            return original(target_bucket, target_prefix)
        view = copy.copy(target_bucket)
        view.policy = json.dumps({**document, "Statement": kept}).encode()
        return original(view, target_prefix)

    FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions_enabled_policy)
