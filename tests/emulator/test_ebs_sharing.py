"""EBS snapshot encryption and sharing in the emulator, as AWS allows it.

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import json

from botocore.exceptions import ClientError

from tests.emulator.harness import REGION, OrganizationTestCase


class EbsSharingTest(OrganizationTestCase):
    name = "ebs-sharing"

    def volume_snapshot(self, encrypted: bool, key: str | None = None) -> str:
        ec2 = self.client("ec2", self.workload)
        arguments = {"Size": 1, "AvailabilityZone": f"{REGION}a", "Encrypted": encrypted}
        if key:
            arguments["KmsKeyId"] = key
        volume = ec2.create_volume(**arguments)["VolumeId"]
        return ec2.create_snapshot(VolumeId=volume)["SnapshotId"]

    def forensic_key(self) -> str:
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{self.forensic}:root", f"arn:aws:iam::{self.workload}:root"]},
             "Action": "kms:*", "Resource": "*"}]}
        return self.client("kms", self.forensic).create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]

    def share(self, snapshot: str) -> None:
        self.client("ec2", self.workload).modify_snapshot_attribute(
            SnapshotId=snapshot, Attribute="createVolumePermission", OperationType="add", UserIds=[self.forensic])

    def test_default_key_is_the_aws_managed_alias_until_changed(self):
        ec2 = self.client("ec2", self.workload)
        self.assertEqual(ec2.get_ebs_default_kms_key_id()["KmsKeyId"], f"arn:aws:kms:{REGION}:{self.workload}:alias/aws/ebs")
        key = self.client("kms", self.workload).create_key()["KeyMetadata"]["Arn"]
        ec2.modify_ebs_default_kms_key_id(KmsKeyId=key)
        self.assertEqual(ec2.get_ebs_default_kms_key_id()["KmsKeyId"], key)
        ec2.reset_ebs_default_kms_key_id()
        self.assertTrue(ec2.get_ebs_default_kms_key_id()["KmsKeyId"].endswith(":alias/aws/ebs"))

    def test_a_snapshot_under_aws_ebs_cannot_be_shared(self):
        snapshot = self.volume_snapshot(encrypted=True)
        ec2 = self.client("ec2", self.workload)
        described = ec2.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"][0]
        self.assertTrue(described["Encrypted"])
        key = self.client("kms", self.workload).describe_key(KeyId=described["KmsKeyId"])["KeyMetadata"]
        self.assertEqual(key["KeyManager"], "AWS")
        with self.assertRaises(ClientError) as raised:
            self.share(snapshot)
        self.assertEqual(raised.exception.response["Error"]["Code"], "OperationNotPermitted")
        self.assertIn("default key", raised.exception.response["Error"]["Message"])
        # The other request form is refused the same way.
        with self.assertRaises(ClientError) as raised:
            ec2.modify_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission",
                                          CreateVolumePermission={"Add": [{"UserId": self.forensic}]})
        self.assertEqual(raised.exception.response["Error"]["Code"], "OperationNotPermitted")
        permissions = ec2.describe_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission")
        self.assertEqual(permissions["CreateVolumePermissions"], [])

    def test_a_copy_under_a_customer_key_is_shared_and_the_forensic_account_sees_it(self):
        source = self.volume_snapshot(encrypted=True)
        key = self.forensic_key()
        ec2 = self.client("ec2", self.workload)
        copy = ec2.copy_snapshot(SourceSnapshotId=source, SourceRegion=REGION, Encrypted=True, KmsKeyId=key)["SnapshotId"]
        described = ec2.describe_snapshots(SnapshotIds=[copy])["Snapshots"][0]
        self.assertEqual((described["Encrypted"], described["KmsKeyId"], described["State"]), (True, key, "completed"))

        forensic = self.client("ec2", self.forensic)
        self.assertEqual(forensic.describe_snapshots(OwnerIds=[self.workload])["Snapshots"], [])
        self.share(copy)
        seen = forensic.describe_snapshots(SnapshotIds=[copy])["Snapshots"]
        self.assertEqual([(s["SnapshotId"], s["OwnerId"], s["KmsKeyId"]) for s in seen], [(copy, self.workload, key)])
        restorable = forensic.describe_snapshots(RestorableByUserIds=["self"], OwnerIds=[self.workload])["Snapshots"]
        self.assertEqual([s["SnapshotId"] for s in restorable], [copy])
        self.assertNotIn(source, [s["SnapshotId"] for s in forensic.describe_snapshots(OwnerIds=[self.workload])["Snapshots"]])
        # Not shared with the management account.
        self.assertEqual(self.client("ec2").describe_snapshots(OwnerIds=[self.workload])["Snapshots"], [])

    def test_copy_needs_encrypted_for_a_key_and_reports_a_missing_key_on_the_copy(self):
        source = self.volume_snapshot(encrypted=False)
        key = self.forensic_key()
        ec2 = self.client("ec2", self.workload)
        with self.assertRaises(ClientError) as raised:
            ec2.copy_snapshot(SourceSnapshotId=source, SourceRegion=REGION, KmsKeyId=key)
        self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidParameterDependency")
        missing = key.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
        copy = ec2.copy_snapshot(SourceSnapshotId=source, SourceRegion=REGION, Encrypted=True, KmsKeyId=missing)["SnapshotId"]
        self.assertEqual(ec2.describe_snapshots(SnapshotIds=[copy])["Snapshots"][0]["State"], "error")


if __name__ == "__main__":
    import unittest

    unittest.main()
