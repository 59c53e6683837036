"""Tests for scripts/emulator_ext/policy.py, the IAM policy-language evaluator.

The policies here are AWS documentation examples (CloudTrail's and Config's
bucket policies, CloudTrail's KMS key policy statement, the S3 TLS-only deny,
the data-perimeter identity deny, the IAM guide's NotPrincipal and condition
examples) or small hand-written documents; none is one of irready's templates.

Run: cd /work/main && python3 -m unittest discover -s tests/emulator -t .
"""

from __future__ import annotations

import json
import sys
import unittest
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from emulator_ext.policy import (  # noqa: E402
    Decision,
    Principal,
    Request,
    evaluate,
    evaluate_all,
    matches_principal,
)

ACCOUNT = "111122223333"
OTHER = "444455556666"
BUCKET = "amzn-s3-demo-bucket"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/management-events"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

CLOUDTRAIL = Principal.service("cloudtrail.amazonaws.com")
CONFIG = Principal.service("config.amazonaws.com")
ROLE = Principal.aws(f"arn:aws:iam::{ACCOUNT}:role/Auditor")
SESSION = Principal.aws(f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/alice")
OTHER_SESSION = Principal.aws(f"arn:aws:sts::{OTHER}:assumed-role/Auditor/alice")
USER = Principal.aws(f"arn:aws:iam::{ACCOUNT}:user/Bob")


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def stmt(effect: str = "Allow", **elements: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect, "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}
    statement.update(elements)
    return {k: v for k, v in statement.items() if v is not None}


def req(context: dict[str, Any] | None = None, *, principal: Principal = CLOUDTRAIL,
        action: str = "s3:PutObject", resource: str = f"arn:aws:s3:::{BUCKET}/x") -> Request:
    return Request(principal, action, resource, context or {})


def condition_holds(block: dict[str, Any], context: dict[str, Any] | None) -> bool:
    """Whether an Allow statement with this Condition block applies."""
    return evaluate(doc(stmt(Condition=block)), req(context)).allowed


# CloudTrail's documented bucket policy (CloudTrail User Guide, "Amazon S3 bucket
# policy for CloudTrail"), with a trail ARN filled in.
CLOUDTRAIL_BUCKET_POLICY = doc(
    {
        "Sid": "AWSCloudTrailAclCheck20150319",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": f"arn:aws:s3:::{BUCKET}",
        "Condition": {"StringEquals": {"aws:SourceArn": TRAIL}},
    },
    {
        "Sid": "AWSCloudTrailWrite20150319",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/*",
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}},
    },
)

# AWS Config's documented delivery bucket policy (note the "AWS:SourceAccount" spelling).
CONFIG_BUCKET_POLICY = doc(
    {
        "Sid": "AWSConfigBucketPermissionsCheck",
        "Effect": "Allow",
        "Principal": {"Service": "config.amazonaws.com"},
        "Action": "s3:GetBucketAcl",
        "Resource": f"arn:aws:s3:::{BUCKET}",
        "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT}},
    },
    {
        "Sid": "AWSConfigBucketDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "config.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/Config/*",
        "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": ACCOUNT}},
    },
)

# CloudTrail's documented KMS key policy statements ("Configure AWS KMS key policies for CloudTrail").
CLOUDTRAIL_KEY_POLICY = doc(
    {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    },
    {
        "Sid": "Allow CloudTrail to encrypt logs",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "kms:GenerateDataKey*",
        "Resource": "*",
        "Condition": {
            "StringEquals": {"aws:SourceArn": TRAIL},
            "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
        },
    },
)

# S3 User Guide: deny every request that is not sent over TLS.
TLS_ONLY_DENY = {
    "Sid": "RestrictToTLSRequestsOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}

# Data perimeter example (resource-based policy): deny principals outside the
# organization, but never AWS service principals.
IDENTITY_PERIMETER_DENY = {
    "Sid": "EnforceIdentityPerimeter",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    },
}


class DocumentExamples(unittest.TestCase):
    def test_cloudtrail_bucket_policy(self) -> None:
        good = {"aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control"}
        key = f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2024/01/01/x.json.gz"
        cases = [
            ("delivery", CLOUDTRAIL, "s3:PutObject", key, good, Decision.ALLOW, "AWSCloudTrailWrite20150319"),
            ("acl check", CLOUDTRAIL, "s3:GetBucketAcl", f"arn:aws:s3:::{BUCKET}", {"aws:SourceArn": TRAIL},
             Decision.ALLOW, "AWSCloudTrailAclCheck20150319"),
            ("other trail", CLOUDTRAIL, "s3:PutObject", key, {**good, "aws:SourceArn": TRAIL + "x"},
             Decision.IMPLICIT_DENY, None),
            ("no acl header", CLOUDTRAIL, "s3:PutObject", key, {"aws:SourceArn": TRAIL}, Decision.IMPLICIT_DENY, None),
            ("other account prefix", CLOUDTRAIL, "s3:PutObject", f"arn:aws:s3:::{BUCKET}/AWSLogs/{OTHER}/x", good,
             Decision.IMPLICIT_DENY, None),
            ("other service", CONFIG, "s3:PutObject", key, good, Decision.IMPLICIT_DENY, None),
            ("acl check is not write", CLOUDTRAIL, "s3:PutObject", f"arn:aws:s3:::{BUCKET}", good,
             Decision.IMPLICIT_DENY, None),
        ]
        for name, principal, action, resource, context, decision, sid in cases:
            with self.subTest(name):
                result = evaluate(CLOUDTRAIL_BUCKET_POLICY, Request(principal, action, resource, context))
                self.assertIs(result.decision, decision, result.reason)
                self.assertEqual(result.statement, sid)

    def test_config_bucket_policy_condition_keys_are_case_insensitive(self) -> None:
        key = f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/Config/ConfigWritabilityCheckFile"
        context = {"aws:sourceaccount": ACCOUNT, "S3:X-AMZ-ACL": "bucket-owner-full-control"}
        self.assertTrue(evaluate(CONFIG_BUCKET_POLICY, req(context, principal=CONFIG, resource=key)).allowed)
        wrong = {**context, "aws:sourceaccount": OTHER}
        self.assertFalse(evaluate(CONFIG_BUCKET_POLICY, req(wrong, principal=CONFIG, resource=key)).allowed)
        # Condition *values* stay case-sensitive under StringEquals.
        shouty = {**context, "S3:X-AMZ-ACL": "BUCKET-OWNER-FULL-CONTROL"}
        self.assertFalse(evaluate(CONFIG_BUCKET_POLICY, req(shouty, principal=CONFIG, resource=key)).allowed)

    def test_cloudtrail_key_policy(self) -> None:
        context = {"aws:SourceArn": TRAIL, "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL}
        for action in ("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"):
            with self.subTest(action):
                result = evaluate(CLOUDTRAIL_KEY_POLICY, req(context, action=action, resource=KEY))
                self.assertIs(result.decision, Decision.ALLOW, result.reason)
                self.assertEqual(result.statement, "Allow CloudTrail to encrypt logs")
        self.assertFalse(evaluate(CLOUDTRAIL_KEY_POLICY, req(context, action="kms:Decrypt", resource=KEY)).allowed)
        foreign = {**context, "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL.replace(ACCOUNT, OTHER)}
        self.assertFalse(evaluate(CLOUDTRAIL_KEY_POLICY, req(foreign, action="kms:GenerateDataKey", resource=KEY)).allowed)
        # The root statement delegates to the account: any role session in it gets kms:*.
        by_role = evaluate(CLOUDTRAIL_KEY_POLICY, req(principal=SESSION, action="kms:Decrypt", resource=KEY))
        self.assertEqual((by_role.decision, by_role.statement), (Decision.ALLOW, "Enable IAM User Permissions"))
        self.assertFalse(evaluate(CLOUDTRAIL_KEY_POLICY, req(principal=OTHER_SESSION, action="kms:Decrypt", resource=KEY)).allowed)

    def test_tls_only_deny_beats_allow(self) -> None:
        policy = doc(CLOUDTRAIL_BUCKET_POLICY["Statement"][1], TLS_ONLY_DENY)
        key = f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/x"
        context = {"aws:SourceArn": TRAIL, "s3:x-amz-acl": "bucket-owner-full-control"}
        over_tls = evaluate(policy, req({**context, "aws:SecureTransport": True}, resource=key))
        self.assertIs(over_tls.decision, Decision.ALLOW, over_tls.reason)
        plain = evaluate(policy, req({**context, "aws:SecureTransport": False}, resource=key))
        self.assertIs(plain.decision, Decision.EXPLICIT_DENY)
        self.assertEqual(plain.statement, "RestrictToTLSRequestsOnly")
        self.assertFalse(plain.allowed)
        # Bool with a missing key is false (not an IfExists operator): no deny.
        self.assertTrue(evaluate(policy, req(context, resource=key)).allowed)

    def test_identity_perimeter_deny(self) -> None:
        policy = doc(stmt(Sid="AllowAll", Action="s3:*"), IDENTITY_PERIMETER_DENY)
        cases = [
            ("service principal", CLOUDTRAIL, {"aws:PrincipalIsAWSService": True}, Decision.ALLOW),
            ("principal in the org", SESSION, {"aws:PrincipalIsAWSService": False, "aws:PrincipalOrgID": "o-abc123"},
             Decision.ALLOW),
            ("principal in another org", OTHER_SESSION,
             {"aws:PrincipalIsAWSService": False, "aws:PrincipalOrgID": "o-zzz999"}, Decision.EXPLICIT_DENY),
            ("principal in no org", OTHER_SESSION, {"aws:PrincipalIsAWSService": False}, Decision.EXPLICIT_DENY),
        ]
        for name, principal, context, decision in cases:
            with self.subTest(name):
                result = evaluate(policy, req(context, principal=principal))
                self.assertIs(result.decision, decision, result.reason)


class Principals(unittest.TestCase):
    def test_principal_element_table(self) -> None:
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/Auditor"
        cases: list[tuple[Any, Principal, bool]] = [
            ("*", CLOUDTRAIL, True),
            ("*", SESSION, True),
            ({"AWS": "*"}, CLOUDTRAIL, True),  # Principal page: equivalent to "*"
            ({"AWS": "*"}, USER, True),
            ({"Service": ["config.amazonaws.com", "cloudtrail.amazonaws.com"]}, CLOUDTRAIL, True),
            ({"Service": "config.amazonaws.com"}, CLOUDTRAIL, False),
            ({"Service": "cloudtrail.amazonaws.com"}, Principal.aws(f"arn:aws:iam::{ACCOUNT}:root"), False),
            ({"AWS": ACCOUNT}, SESSION, True),
            ({"AWS": ACCOUNT}, USER, True),
            ({"AWS": ACCOUNT}, OTHER_SESSION, False),
            ({"AWS": ACCOUNT}, CLOUDTRAIL, False),
            ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ROLE, True),
            ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, Principal.aws(ACCOUNT), True),
            ({"AWS": role_arn}, ROLE, True),
            ({"AWS": role_arn}, SESSION, True),
            ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/team/Auditor"}, SESSION, True),  # path not in session ARN
            ({"AWS": role_arn}, OTHER_SESSION, False),
            ({"AWS": role_arn}, Principal.aws(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice"), False),
            ({"AWS": role_arn}, USER, False),
            ({"AWS": SESSION.id}, SESSION, True),
            ({"AWS": SESSION.id}, Principal.aws(SESSION.id.replace("alice", "mallory")), False),
            ({"AWS": SESSION.id}, ROLE, False),
            # "You cannot use a wildcard to match part of a principal name or ARN."
            ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"}, ROLE, False),
            ({"Service": "*.amazonaws.com"}, CLOUDTRAIL, False),
            ({"Federated": "cognito-identity.amazonaws.com"}, Principal("Federated", "cognito-identity.amazonaws.com"), True),
        ]
        for element, principal, expected in cases:
            with self.subTest(element=element, principal=principal.id):
                self.assertIs(matches_principal(element, principal), expected)
                # The same answer through a whole policy.
                result = evaluate(doc(stmt(Principal=element)), req(principal=principal))
                self.assertIs(result.allowed, expected, result.reason)

    def test_bad_principal_elements_raise(self) -> None:
        for element in ("arn:aws:iam::111122223333:root", {"Group": "x"}, {}, {"AWS": []}):
            with self.subTest(element=element), self.assertRaises(ValueError):
                matches_principal(element, ROLE)

    def test_not_principal_deny_needs_the_whole_chain(self) -> None:
        # IAM guide, NotPrincipal with Deny: list the session, its role and its account.
        allow_all = stmt(Sid="AllowAll", Action="s3:*")

        def deny_except(*arns: str) -> dict[str, Any]:
            return doc(allow_all, stmt("Deny", Sid="DenyOthers", Principal=None, NotPrincipal={"AWS": list(arns)},
                                       Action="s3:*"))

        role_arn = f"arn:aws:iam::{ACCOUNT}:role/Auditor"
        root = f"arn:aws:iam::{ACCOUNT}:root"
        full = deny_except(SESSION.id, role_arn, root)
        self.assertIs(evaluate(full, req(principal=SESSION)).decision, Decision.ALLOW)
        for partial in (deny_except(SESSION.id), deny_except(SESSION.id, root), deny_except(role_arn, root)):
            with self.subTest(partial=partial["Statement"][1]["NotPrincipal"]):
                self.assertIs(evaluate(partial, req(principal=SESSION)).decision, Decision.EXPLICIT_DENY)
        # A principal that is not listed at all is denied; a user needs user + account.
        self.assertIs(evaluate(full, req(principal=OTHER_SESSION)).decision, Decision.EXPLICIT_DENY)
        self.assertIs(evaluate(deny_except(USER.id, root), req(principal=USER)).decision, Decision.ALLOW)
        self.assertIs(evaluate(deny_except(USER.id), req(principal=USER)).decision, Decision.EXPLICIT_DENY)

    def test_not_principal_service(self) -> None:
        policy = doc(stmt(Sid="AllowAll"), stmt("Deny", Principal=None, NotPrincipal={"Service": "cloudtrail.amazonaws.com"}))
        self.assertTrue(evaluate(policy, req(principal=CLOUDTRAIL)).allowed)
        self.assertIs(evaluate(policy, req(principal=CONFIG)).decision, Decision.EXPLICIT_DENY)


class ActionsAndResources(unittest.TestCase):
    def test_action_matching_table(self) -> None:
        cases = [
            ("s3:PutObject", "s3:putobject", True),  # action names are case-insensitive
            ("S3:PUTOBJECT", "s3:PutObject", True),
            ("s3:*", "s3:GetBucketAcl", True),
            ("*", "kms:Decrypt", True),
            ("kms:GenerateDataKey*", "kms:GenerateDataKeyPairWithoutPlaintext", True),
            ("kms:GenerateDataKey*", "kms:Decrypt", False),
            ("s3:Get?ucketAcl", "s3:GetBucketAcl", True),
            ("s3:Get?ucketAcl", "s3:GetBBucketAcl", False),
            ("s3:Put*", "s3express:PutObject", False),
            (["s3:GetObject", "s3:PutObject"], "s3:PutObject", True),
        ]
        for action, requested, expected in cases:
            with self.subTest(action=action, requested=requested):
                self.assertIs(evaluate(doc(stmt(Action=action)), req(action=requested)).allowed, expected)

    def test_not_action(self) -> None:
        policy = doc(stmt(Sid="AllowAll", Action="s3:*"), stmt("Deny", Sid="OnlyReads", Action=None, NotAction="s3:Get*"))
        self.assertIs(evaluate(policy, req(action="s3:PutObject")).decision, Decision.EXPLICIT_DENY)
        self.assertIs(evaluate(policy, req(action="s3:GetObject")).decision, Decision.ALLOW)

    def test_resource_matching_table(self) -> None:
        cases = [
            (f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}/AWSLogs/1/a:b:c.gz", True),
            (f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}", False),
            (f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}", True),
            ("arn:aws:s3:::Amzn-S3-Demo-Bucket/*", f"arn:aws:s3:::{BUCKET}/x", False),  # case-sensitive
            (f"arn:aws:s3:::{BUCKET}/AWSLogs/*", f"arn:aws:s3:::{BUCKET}/awslogs/x", False),
            (f"arn:aws:s3:::{BUCKET}/AWSLogs/????????????/*", f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/x", True),
            ("*", KEY, True),  # a key policy's "Resource": "*"
            ("arn:aws:kms:*:111122223333:key/*", KEY, True),
            ("arn:aws:kms:*:444455556666:key/*", KEY, False),
            # A wildcard stays inside its ARN component.
            ("arn:aws:kms:us-east-1:*", KEY, False),
        ]
        for pattern, resource, expected in cases:
            with self.subTest(pattern=pattern, resource=resource):
                result = evaluate(doc(stmt(Resource=pattern)), req(resource=resource))
                self.assertIs(result.allowed, expected, result.reason)

    def test_not_resource(self) -> None:
        policy = doc(stmt(Sid="AllowAll"), stmt("Deny", Resource=None, NotResource=f"arn:aws:s3:::{BUCKET}/AWSLogs/*"))
        self.assertTrue(evaluate(policy, req(resource=f"arn:aws:s3:::{BUCKET}/AWSLogs/x")).allowed)
        self.assertIs(evaluate(policy, req(resource=f"arn:aws:s3:::{BUCKET}/other")).decision, Decision.EXPLICIT_DENY)

    def test_trust_policy_without_resource(self) -> None:
        trust = {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
        }
        role = f"arn:aws:iam::{ACCOUNT}:role/flow-logs"
        delivery = Principal.service("delivery.logs.amazonaws.com")
        result = evaluate(json.dumps(trust), Request(delivery, "sts:AssumeRole", role, {}))
        self.assertIs(result.decision, Decision.ALLOW)
        self.assertEqual(result.statement, 0)  # no Sid: the statement's index
        self.assertFalse(evaluate(trust, Request(CLOUDTRAIL, "sts:AssumeRole", role, {})).allowed)


class Conditions(unittest.TestCase):
    def test_missing_keys_and_if_exists(self) -> None:
        # Condition operators page: a missing key makes a condition false, a
        # negated one true; ...IfExists makes it true.
        cases = [
            ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, {}, False),
            ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {}, True),
            ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {"aws:SourceAccount": OTHER}, False),
            ({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}, {}, True),
            ({"StringNotEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {"aws:SourceAccount": ACCOUNT}, False),
            ({"ArnNotLike": {"aws:SourceArn": TRAIL}}, {}, True),
            ({"ArnLike": {"aws:SourceArn": TRAIL}}, {}, False),
            ({"NumericLessThan": {"s3:max-keys": "10"}}, {}, False),
            ({"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}, {}, True),
        ]
        for block, context, expected in cases:
            with self.subTest(block=block, context=context):
                self.assertIs(condition_holds(block, context), expected)

    def test_negated_operator_with_several_values_is_nor(self) -> None:
        block = {"StringNotEquals": {"aws:SourceAccount": [ACCOUNT, OTHER]}}
        self.assertFalse(condition_holds(block, {"aws:SourceAccount": ACCOUNT}))
        self.assertFalse(condition_holds(block, {"aws:SourceAccount": OTHER}))
        self.assertTrue(condition_holds(block, {"aws:SourceAccount": "999999999999"}))
        like = {"StringNotLike": {"aws:SourceArn": ["arn:aws:cloudtrail:*", "arn:aws:logs:*"]}}
        self.assertFalse(condition_holds(like, {"aws:SourceArn": TRAIL}))
        self.assertTrue(condition_holds(like, {"aws:SourceArn": "arn:aws:config:us-east-1:1:x"}))

    def test_and_across_keys_and_operators_or_across_values(self) -> None:
        block = {
            "StringEquals": {"aws:SourceAccount": [OTHER, ACCOUNT], "s3:x-amz-acl": "bucket-owner-full-control"},
            "ArnLike": {"aws:SourceArn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"},
        }
        full = {"aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}
        self.assertTrue(condition_holds(block, full))
        for dropped in full:
            with self.subTest(dropped=dropped):
                self.assertFalse(condition_holds(block, {k: v for k, v in full.items() if k != dropped}))

    def test_string_operators(self) -> None:
        cases = [
            ("StringEquals", "bucket-owner-full-control", "bucket-owner-full-control", True),
            ("StringEquals", "bucket-owner-*", "bucket-owner-full-control", False),  # no wildcards
            ("StringEqualsIgnoreCase", "Bucket-Owner-Full-Control", "bucket-owner-full-control", True),
            ("StringNotEqualsIgnoreCase", "Bucket-Owner-Full-Control", "bucket-owner-full-control", False),
            ("StringLike", "bucket-owner-*", "bucket-owner-full-control", True),
            ("StringLike", "Bucket-owner-*", "bucket-owner-full-control", False),  # case-sensitive
            ("StringLike", "bucket-owner-?ull-control", "bucket-owner-full-control", True),
            ("StringNotLike", "private", "bucket-owner-full-control", True),
        ]
        for operator, policy_value, request_value, expected in cases:
            with self.subTest(operator=operator, policy_value=policy_value):
                self.assertIs(condition_holds({operator: {"s3:x-amz-acl": policy_value}}, {"s3:x-amz-acl": request_value}), expected)

    def test_arn_operators_compare_component_by_component(self) -> None:
        # The condition operators page's own example: StringLike matches, ArnLike does not.
        pattern = "arn:aws:someservice:*:111122223333:finance/*"
        value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        self.assertTrue(condition_holds({"StringLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value}))
        self.assertFalse(condition_holds({"ArnLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value}))
        self.assertTrue(condition_holds({"ArnNotLike": {"aws:SourceArn": pattern}}, {"aws:SourceArn": value}))
        # ArnEquals behaves like ArnLike, wildcards included; the resource part keeps its colons.
        self.assertTrue(condition_holds({"ArnEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}},
                                        {"aws:SourceArn": TRAIL}))
        self.assertTrue(condition_holds({"ArnLike": {"aws:SourceArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"}},
                                        {"aws:SourceArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/x:*"}))
        self.assertFalse(condition_holds({"ArnEquals": {"aws:SourceArn": TRAIL}}, {"aws:SourceArn": "not-an-arn"}))
        self.assertTrue(condition_holds({"ArnNotEquals": {"aws:SourceArn": TRAIL}}, {"aws:SourceArn": TRAIL + "2"}))

    def test_null(self) -> None:
        self.assertTrue(condition_holds({"Null": {"aws:SourceOrgID": "true"}}, {}))
        self.assertFalse(condition_holds({"Null": {"aws:SourceOrgID": "true"}}, {"aws:SourceOrgID": "o-abc"}))
        self.assertTrue(condition_holds({"Null": {"aws:SourceOrgID": False}}, {"aws:SourceOrgID": "o-abc"}))
        self.assertFalse(condition_holds({"Null": {"aws:SourceOrgID": "false"}}, {}))

    def test_bool(self) -> None:
        self.assertTrue(condition_holds({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": True}))
        self.assertTrue(condition_holds({"Bool": {"aws:SecureTransport": "False"}}, {"aws:SecureTransport": "false"}))
        self.assertFalse(condition_holds({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": False}))
        self.assertTrue(condition_holds({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "TRUE"}))

    def test_numeric_date_and_ip(self) -> None:
        cases = [
            ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": 10}, True),
            ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
            ({"NumericGreaterThan": {"s3:max-keys": 1.5}}, {"s3:max-keys": 2}, True),
            ({"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}, {"s3:max-keys": 2}, False),
            ({"NumericEquals": {"s3:max-keys": "2.0"}}, {"s3:max-keys": 2}, True),
            ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
            ({"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, False),
            ({"DateEquals": {"aws:EpochTime": "1700000000"}}, {"aws:EpochTime": 1700000000}, True),
            ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}, True),
            ({"IpAddress": {"aws:SourceIp": "203.0.113.9"}}, {"aws:SourceIp": "203.0.113.7"}, False),  # /32
            ({"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
             {"aws:SourceIp": "2001:db8:1234:5678::1"}, False),
            ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, True),
            ({"BinaryEquals": {"example:blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"example:blob": b"BinaryValueInBase64"}, True),
            ({"BinaryEquals": {"example:blob": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, {"example:blob": b"other"}, False),
        ]
        for block, context, expected in cases:
            with self.subTest(block=block, context=context):
                self.assertIs(condition_holds(block, context), expected)

    def test_set_operators(self) -> None:
        allowed = ["PostDateTime", "Message", "Tags"]
        key = "dynamodb:Attributes"
        cases = [
            # IAM guide, multivalued context keys: ForAllValues needs every request value matched.
            ({"ForAllValues:StringLike": {key: allowed}}, ["PostDateTime", "Message"], True),
            ({"ForAllValues:StringLike": {key: allowed}}, ["PostDateTime", "UserName"], False),
            ({"ForAllValues:StringLike": {key: allowed}}, None, True),  # no values: vacuously true
            ({"ForAllValues:StringLike": {key: allowed}}, [], True),
            ({"ForAllValues:StringLike": {key: allowed}}, "", True),  # an empty string is an empty set
            ({"ForAnyValue:StringLike": {key: ["*"]}}, "", False),
            ({"ForAnyValue:StringLike": {key: ["ID", "PostDateTime"]}}, ["UserName", "Message", "PostDateTime"], True),
            ({"ForAnyValue:StringLike": {key: ["ID", "PostDateTime"]}}, ["UserName"], False),
            ({"ForAnyValue:StringLike": {key: ["ID", "PostDateTime"]}}, None, False),
            ({"ForAnyValue:StringEqualsIfExists": {key: ["ID"]}}, None, True),
            # Negated set operators: each request value must match none of the policy values.
            ({"ForAllValues:StringNotEquals": {key: ["ID", "UserName"]}}, ["Message", "Tags"], True),
            ({"ForAllValues:StringNotEquals": {key: ["ID", "UserName"]}}, ["Message", "ID"], False),
            ({"ForAnyValue:StringNotEquals": {key: ["ID", "UserName"]}}, ["ID", "Message"], True),
            ({"ForAnyValue:StringNotEquals": {key: ["ID", "UserName"]}}, ["ID", "UserName"], False),
            # A single-valued request value is a set of one.
            ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["o-abc", "o-def"]}}, "o-def", True),
        ]
        for block, values, expected in cases:
            with self.subTest(block=block, values=values):
                context = {} if values is None else {next(iter(next(iter(block.values())))): values}
                self.assertIs(condition_holds(block, context), expected)

    def test_policy_variables(self) -> None:
        resource = f"arn:aws:s3:::{BUCKET}/AWSLogs/${{aws:SourceAccount}}/*"
        policy = doc(stmt(Resource=resource))
        inside = f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/x"
        self.assertTrue(evaluate(policy, req({"aws:SourceAccount": ACCOUNT}, resource=inside)).allowed)
        self.assertFalse(evaluate(policy, req({"aws:SourceAccount": OTHER}, resource=inside)).allowed)
        # Unresolvable variable: the statement never applies, neither to allow nor to deny.
        self.assertFalse(evaluate(policy, req({}, resource=inside)).allowed)
        deny = doc(stmt(Sid="AllowAll"), stmt("Deny", Resource=resource))
        self.assertTrue(evaluate(deny, req({}, resource=inside)).allowed)
        # ...in particular it is not read as an empty string (which would match everything here).
        deny_like = doc(stmt(Sid="AllowAll"), stmt("Deny", Condition={"StringLike": {"s3:prefix": "${aws:username}*"}}))
        self.assertTrue(evaluate(deny_like, req({"s3:prefix": "home/"})).allowed)
        self.assertFalse(evaluate(deny_like, req({"s3:prefix": "bob/x", "aws:username": "bob"})).allowed)
        # A default value resolves it.
        with_default = doc(stmt(Condition={"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount, 'none'}"}}))
        self.assertTrue(evaluate(with_default, req({"aws:SourceAccount": "none"})).allowed)
        # Variable values are literal: a "*" in them is no wildcard; ${*} is a literal star.
        like = doc(stmt(Condition={"StringLike": {"s3:prefix": "home/${aws:username}/${*}"}}))
        self.assertTrue(evaluate(like, req({"aws:username": "bob", "s3:prefix": "home/bob/*"})).allowed)
        self.assertFalse(evaluate(like, req({"aws:username": "bob", "s3:prefix": "home/bob/x"})).allowed)
        self.assertFalse(evaluate(like, req({"aws:username": "*", "s3:prefix": "home/bob/*"})).allowed)
        # Before Version 2012-10-17 variables are literal text.
        old = doc(stmt(Condition={"StringEquals": {"s3:prefix": "${aws:username}"}}), version="2008-10-17")
        self.assertTrue(evaluate(old, req({"aws:username": "bob", "s3:prefix": "${aws:username}"})).allowed)
        self.assertFalse(evaluate(old, req({"aws:username": "bob", "s3:prefix": "bob"})).allowed)


class Evaluation(unittest.TestCase):
    def test_explicit_deny_wins_whatever_the_order(self) -> None:
        allow = stmt(Sid="Allow")
        deny = stmt("Deny", Sid="Deny", Principal={"Service": "cloudtrail.amazonaws.com"})
        for statements in ((allow, deny), (deny, allow)):
            with self.subTest(order=[s["Sid"] for s in statements]):
                result = evaluate(doc(*statements), req())
                self.assertEqual((result.decision, result.statement, result.allowed), (Decision.EXPLICIT_DENY, "Deny", False))

    def test_empty_policies_implicitly_deny(self) -> None:
        for policy in (None, "", "  ", {}, {"Version": "2012-10-17", "Statement": []}):
            with self.subTest(policy=policy):
                result = evaluate(policy, req())
                self.assertEqual((result.decision, result.statement, result.allowed), (Decision.IMPLICIT_DENY, None, False))

    def test_single_statement_object_and_json_text(self) -> None:
        text = json.dumps({"Version": "2012-10-17", "Statement": stmt(Sid="One")})
        self.assertEqual(evaluate(text, req()).statement, "One")
        self.assertEqual(evaluate(text.encode(), req()).statement, "One")

    def test_implicit_deny_reason_says_why(self) -> None:
        result = evaluate(CLOUDTRAIL_BUCKET_POLICY, req({"aws:SourceArn": TRAIL}, resource=f"arn:aws:s3:::{BUCKET}/AWSLogs/{ACCOUNT}/x"))
        self.assertIs(result.decision, Decision.IMPLICIT_DENY)
        self.assertIn("s3:x-amz-acl", result.reason)

    def test_evaluate_all(self) -> None:
        allow = doc(stmt(Sid="Allow"))
        deny = doc(stmt("Deny", Sid="Deny"))
        unrelated = doc(stmt(Sid="Other", Action="kms:Decrypt"))
        result = evaluate_all([unrelated, allow, None], req())
        self.assertEqual((result.decision, result.statement, result.policy), (Decision.ALLOW, "Allow", 1))
        result = evaluate_all([allow, unrelated, deny], req())
        self.assertEqual((result.decision, result.statement, result.policy), (Decision.EXPLICIT_DENY, "Deny", 2))
        self.assertIs(evaluate_all([unrelated, None], req()).decision, Decision.IMPLICIT_DENY)
        self.assertIs(evaluate_all([], req()).decision, Decision.IMPLICIT_DENY)


class Malformed(unittest.TestCase):
    def assert_rejected(self, policy: Any, request: Request | None = None) -> None:
        with self.assertRaises(ValueError):
            evaluate(policy, request or req())

    def test_unknown_operators_raise(self) -> None:
        for operator in ("StringEqualz", "ForSomeValues:StringEquals", "NullIfExists", "ForAnyValue:Null", "IfExists"):
            with self.subTest(operator=operator):
                self.assert_rejected(doc(stmt(Condition={operator: {"aws:SourceAccount": "true"}})))

    def test_raises_even_when_the_statement_would_not_match(self) -> None:
        bad = stmt(Action="kms:Decrypt", Condition={"StringEqualz": {"aws:SourceAccount": ACCOUNT}})
        self.assert_rejected(doc(stmt(Sid="Allow"), bad))

    def test_bad_values_and_elements(self) -> None:
        cases = [
            doc(stmt(Condition={"NumericLessThan": {"s3:max-keys": "ten"}})),
            doc(stmt(Condition={"IpAddress": {"aws:SourceIp": "not-an-ip"}})),
            doc(stmt(Condition={"Bool": {"aws:SecureTransport": "yes"}})),
            doc(stmt(Condition={"Null": {"aws:SourceOrgID": "maybe"}})),
            doc(stmt(Effect="Permit")),
            doc(stmt(NotAction="s3:GetObject")),  # both Action and NotAction
            doc({"Effect": "Allow", "Principal": "*", "Resource": "*"}),  # neither
            doc(stmt(NotPrincipal={"AWS": ACCOUNT})),  # both Principal and NotPrincipal
            doc(stmt(Principal={"Group": "admins"})),
            {"Version": "2012-10-18", "Statement": []},
            "{not json",
        ]
        for policy in cases:
            with self.subTest(policy=policy):
                self.assert_rejected(policy)

    def test_multivalued_request_value_needs_a_set_operator(self) -> None:
        policy = doc(stmt(Condition={"StringEquals": {"aws:PrincipalServiceNamesList": "cloudtrail.amazonaws.com"}}))
        self.assert_rejected(policy, req({"aws:PrincipalServiceNamesList": ["cloudtrail.amazonaws.com"]}))

    def test_context_keys_differing_only_in_case(self) -> None:
        self.assert_rejected(doc(stmt()), req({"aws:SourceAccount": ACCOUNT, "AWS:SOURCEACCOUNT": OTHER}))

    def test_principal_kind_is_checked(self) -> None:
        with self.assertRaises(ValueError):
            Principal("User", "bob")


if __name__ == "__main__":
    unittest.main()
