"""irready's containment runbooks (templates/runbooks/) run in the emulator, as the product deploys them.

The documents are created by a CloudFormation stack (``AWS::SSM::Document``, ``Content`` the
runbook loaded from its YAML file as an object, as the product's templates give it) in the
``workload`` member account, and run by the emulator's automation engine as an automation role
whose only permissions are ``templates/runbooks/automation-role-policy.yaml``. Every effect is
read back through the EC2 and IAM APIs; the execution status alone proves nothing.

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import hashlib
import json
import time
import uuid

import yaml

from tests.emulator.harness import REPO, OrganizationTestCase

RUNBOOKS = REPO / "templates" / "runbooks"
DOCUMENTS = {
    "isolate-instance": "IsolateInstance",
    "release-instance": "ReleaseInstance",
    "acquire-volumes": "AcquireVolumes",
    "disable-access-key": "DisableAccessKey",
    "contain-principal": "ContainPrincipal",
}
CONTRACT = {
    "isolate-instance": {"AutomationAssumeRole", "InstanceId", "CaseId", "IsolationProfileName", "DryRun"},
    "release-instance": {"AutomationAssumeRole", "InstanceId", "DryRun"},
    "acquire-volumes": {"AutomationAssumeRole", "InstanceId", "CaseId", "ForensicAccountId", "EvidenceKeyArn", "DryRun"},
    "disable-access-key": {"AutomationAssumeRole", "AccessKeyId", "UserName", "CaseId", "DryRun"},
    "contain-principal": {"AutomationAssumeRole", "PrincipalArn", "DenyAllPolicyArn", "CaseId", "DryRun"},
}
TERMINAL = {"Success", "Failed", "Cancelled", "TimedOut"}
EC2_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


class RunbooksTest(OrganizationTestCase):
    name = "runbooks"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        account = cls.workload
        iam = cls.client("iam", account)
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}
        policy = yaml.safe_load((RUNBOOKS / "automation-role-policy.yaml").read_text())
        cls.role_arn = iam.create_role(RoleName="irready-automation", AssumeRolePolicyDocument=json.dumps(trust),
                                       Tags=[{"Key": "irready:role", "Value": "automation"}])["Role"]["Arn"]
        iam.put_role_policy(RoleName="irready-automation", PolicyName="runbooks", PolicyDocument=json.dumps(policy))
        deny_all = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyEverything", "Effect": "Deny", "Action": "*", "Resource": "*"}]}
        cls.deny_all_arn = iam.create_policy(PolicyName="irready-deny-all", PolicyDocument=json.dumps(deny_all))["Policy"]["Arn"]
        iam.create_role(RoleName="irready-isolation", AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
        iam.attach_role_policy(RoleName="irready-isolation", PolicyArn=cls.deny_all_arn)
        cls.isolation_profile_arn = iam.create_instance_profile(InstanceProfileName="irready-isolation")["InstanceProfile"]["Arn"]
        iam.add_role_to_instance_profile(InstanceProfileName="irready-isolation", RoleName="irready-isolation")

        resources = {}
        for name, logical in DOCUMENTS.items():
            resources[logical] = {"Type": "AWS::SSM::Document", "Properties": {
                "Name": f"irready-{name}", "DocumentType": "Automation", "UpdateMethod": "NewVersion",
                "Content": yaml.safe_load((RUNBOOKS / f"{name}.yaml").read_text()),
                "Tags": [{"Key": "irready:component", "Value": "runbooks"}]}}
        template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
        cfn = cls.client("cloudformation", account)
        cfn.create_stack(StackName="irready-runbooks", TemplateBody=json.dumps(template))
        cls.ec2 = cls.client("ec2", account)
        cls.iam = iam

    # -- helpers ------------------------------------------------------------------

    def run_document(self, name: str, **parameters) -> dict:
        ssm = self.client("ssm", self.workload)
        given = {"AutomationAssumeRole": [self.role_arn]}
        for key, value in parameters.items():
            given[key] = [str(value).lower() if isinstance(value, bool) else str(value)]
        execution_id = ssm.start_automation_execution(DocumentName=f"irready-{name}", Parameters=given)["AutomationExecutionId"]
        deadline = time.monotonic() + 120
        while True:
            execution = ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
            if execution["AutomationExecutionStatus"] in TERMINAL:
                return execution
            self.assertLess(time.monotonic(), deadline, f"{name} did not finish: {execution}")
            time.sleep(0.3)

    def assertSucceeded(self, execution: dict) -> None:
        failures = [(s["StepName"], s.get("FailureMessage")) for s in execution["StepExecutions"] if s["StepStatus"] != "Success"]
        self.assertEqual(execution["AutomationExecutionStatus"], "Success", (execution.get("FailureMessage"), failures))

    def network(self, isolation_group: bool = True) -> dict:
        vpc = self.ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnet = self.ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
        net = {"vpc": vpc, "subnet": subnet}
        if isolation_group:
            group = self.ec2.create_security_group(
                GroupName="irready-isolation", Description="irready isolation: no ingress, no egress", VpcId=vpc,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "irready:isolation", "Value": "true"}]}],
            )["GroupId"]
            self.ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
            net["isolation"] = group
        return net

    def group(self, vpc: str) -> str:
        return self.ec2.create_security_group(GroupName=f"app-{uuid.uuid4().hex[:8]}", Description="app", VpcId=vpc)["GroupId"]

    def instance(self, net: dict, interfaces: list[list[str]], profile: str | None = None,
                 encrypted_data_volume: bool = False) -> dict:
        """An instance whose interface i has the groups interfaces[i]; two volumes deleted on termination."""
        instance = self.ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=net["subnet"], SecurityGroupIds=interfaces[0],
            BlockDeviceMappings=[
                {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}},
                {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 2, "DeleteOnTermination": True, "Encrypted": encrypted_data_volume}},
            ],
        )["Instances"][0]
        instance_id = instance["InstanceId"]
        for index, groups in enumerate(interfaces[1:], start=1):
            eni = self.ec2.create_network_interface(SubnetId=net["subnet"], Groups=groups)["NetworkInterface"]["NetworkInterfaceId"]
            self.ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance_id, DeviceIndex=index)
        if profile:
            self.ec2.associate_iam_instance_profile(IamInstanceProfile={"Name": profile}, InstanceId=instance_id)
        return self.describe(instance_id)

    def describe(self, instance_id: str) -> dict:
        return self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]

    def groups_by_interface(self, instance_id: str) -> dict[str, list[str]]:
        return {n["NetworkInterfaceId"]: sorted(g["GroupId"] for g in n["Groups"]) for n in self.describe(instance_id)["NetworkInterfaces"]}

    def tags(self, instance_id: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self.describe(instance_id).get("Tags", [])}

    def app_profile(self) -> tuple[str, str]:
        name = f"app-{uuid.uuid4().hex[:8]}"
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
        self.iam.create_instance_profile(InstanceProfileName=name)
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        return name, name

    def attribute(self, instance_id: str, name: str, key: str):
        return self.ec2.describe_instance_attribute(InstanceId=instance_id, Attribute=name)[key]["Value"]

    def transit_groups(self, vpc: str) -> list[str]:
        return [g["GroupId"] for g in self.ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc]}, {"Name": "tag:irready:transit", "Values": ["true"]}])["SecurityGroups"]]

    # -- documents ------------------------------------------------------------------

    def test_documents_from_the_stack_keep_the_parameter_contract(self):
        ssm = self.client("ssm", self.workload)
        for name, parameters in CONTRACT.items():
            with self.subTest(document=name):
                described = ssm.describe_document(Name=f"irready-{name}")["Document"]
                self.assertEqual(described["DocumentType"], "Automation")
                self.assertEqual(described["SchemaVersion"], "0.3")
                self.assertEqual({p["Name"] for p in described["Parameters"]}, parameters)
                content = ssm.get_document(Name=f"irready-{name}")["Content"]
                self.assertEqual(described["Hash"], hashlib.sha256(content.encode()).hexdigest())
                self.assertEqual(json.loads(content), yaml.safe_load((RUNBOOKS / f"{name}.yaml").read_text()))

    # -- isolate-instance / release-instance -----------------------------------------

    def test_isolate_dry_run_changes_nothing_and_lists_every_step(self):
        net = self.network()
        a, b = self.group(net["vpc"]), self.group(net["vpc"])
        profile, role = self.app_profile()
        instance = self.instance(net, [[a], [b]], profile=profile)
        instance_id = instance["InstanceId"]
        before = self.groups_by_interface(instance_id)

        execution = self.run_document("isolate-instance", InstanceId=instance_id, CaseId="case-1",
                                      IsolationProfileName="irready-isolation", DryRun=True)
        self.assertSucceeded(execution)
        ran = [s["StepName"] for s in execution["StepExecutions"]]
        self.assertEqual(ran, ["Plan", "ChooseDryRun", "Summary"])
        actions = execution["Outputs"]["Plan.Actions"]
        summary = json.loads(execution["Outputs"]["Summary.Result"][0])
        self.assertTrue(summary["DryRun"])
        self.assertEqual(summary["WouldDo"], actions)
        text = "\n".join(actions)
        for eni in before:
            self.assertIn(f"ModifyNetworkInterfaceAttribute {eni} -> {net['isolation']}", text)
        for expected in ("DisableApiTermination=true", "InstanceInitiatedShutdownBehavior=stop", "DeleteOnTermination=false",
                         "CreateSecurityGroup", "DeleteSecurityGroup", "ReplaceIamInstanceProfileAssociation",
                         f"iam:PutRolePolicy {role} irready-revoke-older-sessions", "ec2:CreateTags"):
            self.assertIn(expected, text)

        self.assertEqual(self.groups_by_interface(instance_id), before)
        self.assertEqual(self.tags(instance_id), {})
        self.assertFalse(self.attribute(instance_id, "disableApiTermination", "DisableApiTermination"))
        self.assertTrue(all(m["Ebs"]["DeleteOnTermination"] for m in self.describe(instance_id)["BlockDeviceMappings"]))
        self.assertTrue(self.describe(instance_id)["IamInstanceProfile"]["Arn"].endswith("/" + profile))
        self.assertEqual(self.iam.list_role_policies(RoleName=role)["PolicyNames"], [])
        self.assertEqual(self.transit_groups(net["vpc"]), [])

    def test_isolate_instance_with_two_interfaces(self):
        net = self.network()
        a, b, c = self.group(net["vpc"]), self.group(net["vpc"]), self.group(net["vpc"])
        profile, role = self.app_profile()
        instance = self.instance(net, [[a, b], [c]], profile=profile)
        instance_id = instance["InstanceId"]
        before = self.groups_by_interface(instance_id)
        self.assertEqual(len(before), 2)
        address = self.ec2.allocate_address(Domain="vpc")
        first_eni = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
        self.ec2.associate_address(AllocationId=address["AllocationId"], NetworkInterfaceId=first_eni)

        execution = self.run_document("isolate-instance", InstanceId=instance_id, CaseId="case-2",
                                      IsolationProfileName="irready-isolation")
        self.assertSucceeded(execution)

        self.assertEqual(self.groups_by_interface(instance_id), {eni: [net["isolation"]] for eni in before})
        self.assertTrue(self.attribute(instance_id, "disableApiTermination", "DisableApiTermination"))
        self.assertEqual(self.attribute(instance_id, "instanceInitiatedShutdownBehavior", "InstanceInitiatedShutdownBehavior"), "stop")
        self.assertTrue(all(not m["Ebs"]["DeleteOnTermination"] for m in self.describe(instance_id)["BlockDeviceMappings"]))
        associations = self.ec2.describe_iam_instance_profile_associations(
            Filters=[{"Name": "instance-id", "Values": [instance_id]}])["IamInstanceProfileAssociations"]
        self.assertEqual([a["IamInstanceProfile"]["Arn"] for a in associations], [self.isolation_profile_arn])
        revoke = self.iam.get_role_policy(RoleName=role, PolicyName="irready-revoke-older-sessions")["PolicyDocument"]
        revoke = json.loads(revoke) if isinstance(revoke, str) else revoke
        statement = revoke["Statement"][0]
        self.assertEqual((statement["Effect"], statement["Action"], statement["Resource"]), ("Deny", "*", "*"))
        self.assertIn("aws:TokenIssueTime", statement["Condition"]["DateLessThan"])
        self.assertEqual(self.transit_groups(net["vpc"]), [])
        addresses = self.ec2.describe_addresses(AllocationIds=[address["AllocationId"]])["Addresses"]
        self.assertNotIn("AssociationId", addresses[0])

        tags = self.tags(instance_id)
        self.assertEqual(tags["irready:case"], "case-2")
        self.assertRegex(tags["irready:isolated-at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        recorded = dict(entry.split("=") for entry in tags["irready:previous-groups"].split(";"))
        self.assertEqual({eni: sorted(groups.split("+")) for eni, groups in recorded.items()}, before)
        self.assertTrue(tags["irready:previous-profile"].endswith(f":instance-profile/{profile}"))

        # A second run keeps the record of the groups before the first one.
        again = self.run_document("isolate-instance", InstanceId=instance_id, CaseId="case-2",
                                  IsolationProfileName="irready-isolation")
        self.assertSucceeded(again)
        self.assertEqual(self.tags(instance_id)["irready:previous-groups"], tags["irready:previous-groups"])
        self.assertEqual(self.tags(instance_id)["irready:previous-profile"], tags["irready:previous-profile"])

    def test_isolate_fails_clearly_without_an_isolation_group_and_changes_nothing(self):
        net = self.network(isolation_group=False)
        instance_id = self.instance(net, [[self.group(net["vpc"])]])["InstanceId"]
        execution = self.run_document("isolate-instance", InstanceId=instance_id, IsolationProfileName="irready-isolation")
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        self.assertIn("no isolation security group", execution["FailureMessage"])
        self.assertEqual(self.tags(instance_id), {})
        self.assertFalse(self.attribute(instance_id, "disableApiTermination", "DisableApiTermination"))

    def test_release_restores_every_interface_even_when_the_record_spans_tags(self):
        net = self.network()
        # Three interfaces with five groups each do not fit one 256-character tag value.
        interfaces = [[self.group(net["vpc"]) for _ in range(5)] for _ in range(3)]
        instance_id = self.instance(net, interfaces)["InstanceId"]
        before = self.groups_by_interface(instance_id)
        self.assertSucceeded(self.run_document("isolate-instance", InstanceId=instance_id, CaseId="case-3",
                                               IsolationProfileName="irready-isolation"))
        tags = self.tags(instance_id)
        self.assertIn("irready:previous-groups-2", tags)
        self.assertTrue(all(len(v) <= 256 for v in tags.values()))
        self.assertEqual(tags["irready:previous-profile"], "none")
        self.assertEqual(set(map(tuple, self.groups_by_interface(instance_id).values())), {(net["isolation"],)})

        dry = self.run_document("release-instance", InstanceId=instance_id, DryRun=True)
        self.assertSucceeded(dry)
        self.assertEqual(set(map(tuple, self.groups_by_interface(instance_id).values())), {(net["isolation"],)})
        self.assertEqual(len([a for a in dry["Outputs"]["Plan.Actions"] if "ModifyNetworkInterfaceAttribute" in a]), 3)

        self.assertSucceeded(self.run_document("release-instance", InstanceId=instance_id))
        self.assertEqual(self.groups_by_interface(instance_id), before)
        tags = self.tags(instance_id)
        self.assertNotIn("irready:isolated-at", tags)
        self.assertFalse([k for k in tags if k.startswith("irready:previous-groups")])
        self.assertIn("irready:released-at", tags)
        self.assertEqual(tags["irready:case"], "case-3")
        # What release leaves on purpose.
        self.assertTrue(self.attribute(instance_id, "disableApiTermination", "DisableApiTermination"))
        self.assertEqual(self.describe(instance_id)["IamInstanceProfile"]["Arn"], self.isolation_profile_arn)

    # -- acquire-volumes ----------------------------------------------------------------

    def forensic_key(self) -> str:
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.forensic}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "MemberAccountsCopyThroughEbs", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{self.workload}:root"},
             "Action": ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
             "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": "ec2.*.amazonaws.com"}}},
        ]}
        return self.client("kms", self.forensic).create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]

    def test_acquire_volumes_shares_one_copy_per_volume_under_the_forensic_key(self):
        net = self.network()
        instance = self.instance(net, [[self.group(net["vpc"])]], encrypted_data_volume=True)
        instance_id = instance["InstanceId"]
        volumes = sorted(m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"])
        key = self.forensic_key()

        dry = self.run_document("acquire-volumes", InstanceId=instance_id, CaseId="case-4",
                                ForensicAccountId=self.forensic, EvidenceKeyArn=key, DryRun=True)
        self.assertSucceeded(dry)
        self.assertEqual(self.ec2.describe_snapshots(Filters=[{"Name": "volume-id", "Values": volumes}])["Snapshots"], [])

        execution = self.run_document("acquire-volumes", InstanceId=instance_id, CaseId="case-4",
                                      ForensicAccountId=self.forensic, EvidenceKeyArn=key)
        self.assertSucceeded(execution)
        copies = execution["Outputs"]["Copy.SnapshotIds"]
        sources = execution["Outputs"]["Snapshot.SnapshotIds"]
        self.assertEqual(len(copies), 2)

        described = self.ec2.describe_snapshots(SnapshotIds=copies)["Snapshots"]
        self.assertEqual(sorted(s["VolumeId"] for s in described), volumes)
        for snapshot in described:
            self.assertTrue(snapshot["Encrypted"])
            self.assertEqual(snapshot["KmsKeyId"], key)
            tags = {t["Key"]: t["Value"] for t in snapshot["Tags"]}
            self.assertEqual((tags["irready:case"], tags["irready:source-instance"], tags["irready:evidence"]),
                             ("case-4", instance_id, "copy"))
            permissions = self.ec2.describe_snapshot_attribute(SnapshotId=snapshot["SnapshotId"], Attribute="createVolumePermission")
            self.assertEqual(permissions["CreateVolumePermissions"], [{"UserId": self.forensic}])
        # The intermediate snapshots are kept as evidence, tagged, and shared with no one.
        for snapshot in self.ec2.describe_snapshots(SnapshotIds=sources)["Snapshots"]:
            tags = {t["Key"]: t["Value"] for t in snapshot["Tags"]}
            self.assertEqual((tags["irready:case"], tags["irready:evidence"]), ("case-4", "source"))
            attribute = self.ec2.describe_snapshot_attribute(SnapshotId=snapshot["SnapshotId"], Attribute="createVolumePermission")
            self.assertEqual(attribute["CreateVolumePermissions"], [])

        seen = self.client("ec2", self.forensic).describe_snapshots(SnapshotIds=copies)["Snapshots"]
        self.assertEqual(sorted(s["SnapshotId"] for s in seen), sorted(copies))
        self.assertTrue(all(s["OwnerId"] == self.workload and s["KmsKeyId"] == key for s in seen))

    def test_acquire_volumes_fails_when_the_key_policy_leaves_the_account_out(self):
        net = self.network()
        instance_id = self.instance(net, [[self.group(net["vpc"])]])["InstanceId"]
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{self.forensic}:root"},
             "Action": "kms:*", "Resource": "*"}]}
        key = self.client("kms", self.forensic).create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
        execution = self.run_document("acquire-volumes", InstanceId=instance_id, ForensicAccountId=self.forensic, EvidenceKeyArn=key)
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        copy = next(s for s in execution["StepExecutions"] if s["StepName"] == "Copy")
        self.assertIn("not authorized to perform: kms:CreateGrant", copy["FailureMessage"])
        self.assertIn("key policy", copy["FailureMessage"])
        self.assertEqual(self.ec2.describe_snapshots(Filters=[{"Name": "tag:irready:evidence", "Values": ["copy"]},
                                                              {"Name": "tag:irready:source-instance", "Values": [instance_id]}])["Snapshots"], [])

    # -- disable-access-key / contain-principal ------------------------------------------

    def test_disable_access_key_finds_the_user_and_makes_the_key_inactive(self):
        user = f"dev-{uuid.uuid4().hex[:6]}"
        self.iam.create_user(UserName=user)
        key = self.iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
        other = self.iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]

        dry = self.run_document("disable-access-key", AccessKeyId=key, CaseId="case-5", DryRun=True)
        self.assertSucceeded(dry)
        self.assertEqual(dry["Outputs"]["Plan.UserName"], [user])
        statuses = {k["AccessKeyId"]: k["Status"] for k in self.iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
        self.assertEqual(statuses, {key: "Active", other: "Active"})

        self.assertSucceeded(self.run_document("disable-access-key", AccessKeyId=key, CaseId="case-5"))
        statuses = {k["AccessKeyId"]: k["Status"] for k in self.iam.list_access_keys(UserName=user)["AccessKeyMetadata"]}
        self.assertEqual(statuses, {key: "Inactive", other: "Active"})
        tags = {t["Key"]: t["Value"] for t in self.iam.list_user_tags(UserName=user)["Tags"]}
        self.assertEqual((tags["irready:case"], tags["irready:disabled-access-key"]), ("case-5", key))

    def test_contain_principal_attaches_deny_all_and_the_token_age_deny(self):
        role = f"app-{uuid.uuid4().hex[:6]}"
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
        user = f"dev-{uuid.uuid4().hex[:6]}"
        user_arn = self.iam.create_user(UserName=user)["User"]["Arn"]
        session = f"arn:aws:sts::{self.workload}:assumed-role/{role}/i-0123456789abcdef0"
        for principal, attached, inline, tags in (
            (session, lambda: self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"],
             lambda: self.iam.get_role_policy(RoleName=role, PolicyName="irready-revoke-older-sessions")["PolicyDocument"],
             lambda: self.iam.list_role_tags(RoleName=role)["Tags"]),
            (user_arn, lambda: self.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"],
             lambda: self.iam.get_user_policy(UserName=user, PolicyName="irready-revoke-older-sessions")["PolicyDocument"],
             lambda: self.iam.list_user_tags(UserName=user)["Tags"]),
        ):
            with self.subTest(principal=principal):
                self.assertSucceeded(self.run_document("contain-principal", PrincipalArn=principal,
                                                       DenyAllPolicyArn=self.deny_all_arn, CaseId="case-6", DryRun=True))
                self.assertEqual(attached(), [])
                self.assertSucceeded(self.run_document("contain-principal", PrincipalArn=principal,
                                                       DenyAllPolicyArn=self.deny_all_arn, CaseId="case-6"))
                self.assertEqual([p["PolicyArn"] for p in attached()], [self.deny_all_arn])
                document = inline()
                document = json.loads(document) if isinstance(document, str) else document
                self.assertIn("aws:TokenIssueTime", document["Statement"][0]["Condition"]["DateLessThan"])
                self.assertEqual({t["Key"]: t["Value"] for t in tags()}["irready:case"], "case-6")

    def test_contain_principal_refuses_the_automation_role_and_another_policy(self):
        execution = self.run_document("contain-principal", PrincipalArn=self.role_arn, DenyAllPolicyArn=self.deny_all_arn)
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        self.assertIn("automation role", execution["FailureMessage"])
        self.assertEqual(self.iam.list_attached_role_policies(RoleName="irready-automation")["AttachedPolicies"], [])

        # The role may attach irready's deny-all policy and nothing else.
        other = self.iam.create_policy(PolicyName=f"admin-{uuid.uuid4().hex[:6]}", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
        role = f"app-{uuid.uuid4().hex[:6]}"
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
        execution = self.run_document("contain-principal", PrincipalArn=f"arn:aws:iam::{self.workload}:role/{role}",
                                      DenyAllPolicyArn=other)
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        step = next(s for s in execution["StepExecutions"] if s["StepName"] == "AttachDenyAllToRole")
        self.assertIn("(AccessDenied)", step["FailureMessage"])
        self.assertEqual(self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"], [])


if __name__ == "__main__":
    import unittest

    unittest.main()
