"""The emulator's SSM documents and automation engine, on documents irready does not render.

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import hashlib
import json
import time
import uuid

from botocore.exceptions import ClientError

from tests.emulator.harness import OrganizationTestCase

TERMINAL = {"Success", "Failed", "Cancelled", "TimedOut"}
SSM_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ssm.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def document(*steps, parameters=None, outputs=None) -> dict:
    return {
        "schemaVersion": "0.3",
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": {"AutomationAssumeRole": {"type": "String"}, **(parameters or {})},
        "mainSteps": list(steps),
        **({"outputs": outputs} if outputs else {}),
    }


class SsmAutomationTest(OrganizationTestCase):
    name = "ssm-automation"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.ssm = cls.client("ssm")
        cls.iam = cls.client("iam")
        cls.role = cls.make_role("reader", [{"Effect": "Allow", "Action": ["ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"], "Resource": "*"}])

    @classmethod
    def make_role(cls, name: str, statements: list[dict], trust: dict = SSM_TRUST) -> str:
        arn = cls.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        cls.iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        return arn

    def create(self, content: dict) -> str:
        name = f"doc-{uuid.uuid4().hex[:10]}"
        self.ssm.create_document(Name=name, DocumentType="Automation", DocumentFormat="JSON", Content=json.dumps(content))
        return name

    def run_content(self, content: dict, role: str | None = None, **parameters) -> dict:
        name = self.create(content)
        given = {"AutomationAssumeRole": [role or self.role], **{k: v if isinstance(v, list) else [v] for k, v in parameters.items()}}
        execution_id = self.ssm.start_automation_execution(DocumentName=name, Parameters=given)["AutomationExecutionId"]
        return self.wait(execution_id)

    def wait(self, execution_id: str) -> dict:
        deadline = time.monotonic() + 60
        while True:
            execution = self.ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
            if execution["AutomationExecutionStatus"] in TERMINAL:
                return execution
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)

    def steps(self, execution: dict) -> dict[str, dict]:
        return {s["StepName"]: s for s in execution["StepExecutions"]}

    def assertRefused(self, code: str, call, *args, **kwargs) -> str:
        with self.assertRaises(ClientError) as raised:
            call(*args, **kwargs)
        self.assertEqual(raised.exception.response["Error"]["Code"], code, raised.exception.response["Error"])
        return raised.exception.response["Error"]["Message"]

    # -- documents ----------------------------------------------------------------

    def test_create_document_refuses_unknown_actions_and_missing_inputs(self):
        bad = [
            document({"name": "A", "action": "aws:doMagic", "inputs": {}}),
            document({"name": "A", "action": "aws:executeAwsApi", "inputs": {"Service": "ec2"}}),
            document({"name": "A", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}, "nextStep": "Missing"}),
            document({"name": "A", "action": "aws:executeScript", "inputs": {"Runtime": "python2.7", "Handler": "h", "Script": ""}}),
        ]
        for content in bad:
            with self.subTest(content=content["mainSteps"]):
                self.assertRefused("InvalidDocumentContent", self.ssm.create_document, Name=f"bad-{uuid.uuid4().hex[:8]}",
                                   DocumentType="Automation", Content=json.dumps(content))
        wrong_schema = dict(document({"name": "A", "action": "aws:sleep", "inputs": {"Duration": "PT1S"}}), schemaVersion="2.2")
        self.assertRefused("InvalidDocumentSchemaVersion", self.ssm.create_document, Name=f"bad-{uuid.uuid4().hex[:8]}",
                           DocumentType="Automation", Content=json.dumps(wrong_schema))

    def test_stack_document_with_object_content_has_a_stable_hash_and_new_versions(self):
        content = document({"name": "Nap", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}})
        template = {"Resources": {"Doc": {"Type": "AWS::SSM::Document", "Properties": {
            "Name": "stack-doc", "DocumentType": "Automation", "UpdateMethod": "NewVersion", "Content": content}}}}
        cfn = self.client("cloudformation")
        cfn.create_stack(StackName="ssm-doc", TemplateBody=json.dumps(template))
        described = self.ssm.describe_document(Name="stack-doc")["Document"]
        fetched = self.ssm.get_document(Name="stack-doc")
        self.assertEqual((described["DocumentFormat"], fetched["DocumentFormat"]), ("JSON", "JSON"))
        self.assertEqual(json.loads(fetched["Content"]), content)
        self.assertEqual(described["Hash"], hashlib.sha256(fetched["Content"].encode()).hexdigest())
        self.assertEqual(self.ssm.describe_document(Name="stack-doc")["Document"]["Hash"], described["Hash"])

        content["mainSteps"][0]["inputs"]["Duration"] = "PT1S"
        cfn.update_stack(StackName="ssm-doc", TemplateBody=json.dumps(template))
        updated = self.ssm.describe_document(Name="stack-doc")["Document"]
        self.assertEqual((updated["DocumentVersion"], updated["DefaultVersion"], updated["LatestVersion"]), ("2", "2", "2"))
        self.assertNotEqual(updated["Hash"], described["Hash"])
        self.assertIn("PT1S", self.ssm.get_document(Name="stack-doc")["Content"])

        # A YAML string needs DocumentFormat YAML, as on AWS.
        template["Resources"]["Yaml"] = {"Type": "AWS::SSM::Document", "Properties": {
            "Name": "stack-yaml", "DocumentType": "Automation", "DocumentFormat": "YAML",
            "Content": "schemaVersion: '0.3'\nassumeRole: '{{ R }}'\nparameters:\n  R: {type: String}\nmainSteps:\n"
                       "  - name: Nap\n    action: aws:sleep\n    inputs: {Duration: PT0S}\n"}}
        cfn.update_stack(StackName="ssm-doc", TemplateBody=json.dumps(template))
        self.assertEqual(self.ssm.describe_document(Name="stack-yaml")["Document"]["DocumentFormat"], "YAML")

    # -- parameters ----------------------------------------------------------------

    def test_start_refuses_unknown_missing_and_mistyped_parameters(self):
        name = self.create(document({"name": "Nap", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
                                    parameters={"Count": {"type": "Integer"}, "Flag": {"type": "Boolean", "default": False},
                                                "Id": {"type": "String", "default": "i-0", "allowedPattern": "^i-"}}))
        start = self.ssm.start_automation_execution
        code = "InvalidAutomationExecutionParametersException"
        self.assertRefused(code, start, DocumentName=name, Parameters={"AutomationAssumeRole": [self.role], "Count": ["1"], "Nope": ["x"]})
        self.assertRefused(code, start, DocumentName=name, Parameters={"AutomationAssumeRole": [self.role]})
        self.assertRefused(code, start, DocumentName=name, Parameters={"AutomationAssumeRole": [self.role], "Count": ["many"]})
        self.assertRefused(code, start, DocumentName=name, Parameters={"AutomationAssumeRole": [self.role], "Count": ["1"], "Flag": ["yes"]})
        self.assertRefused(code, start, DocumentName=name, Parameters={"AutomationAssumeRole": [self.role], "Count": ["1"], "Id": ["vol-1"]})
        self.assertRefused("AutomationDefinitionNotFoundException", start, DocumentName="no-such-document")
        execution = self.wait(start(DocumentName=name, Parameters={"AutomationAssumeRole": [self.role], "Count": ["2"]})["AutomationExecutionId"])
        self.assertEqual(execution["AutomationExecutionStatus"], "Success")
        self.assertEqual(execution["Parameters"]["Flag"], ["false"])

    # -- steps ------------------------------------------------------------------------

    def test_outputs_branch_and_wait(self):
        vpc = self.client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        content = document(
            {"name": "Read", "action": "aws:executeAwsApi",
             "inputs": {"Service": "ec2", "Api": "DescribeVpcs", "VpcIds": ["{{ VpcId }}"]},
             "outputs": [{"Name": "Cidr", "Selector": "$.Vpcs[0].CidrBlock", "Type": "String"},
                         {"Name": "Ids", "Selector": "$.Vpcs..VpcId", "Type": "StringList"}]},
            {"name": "Choose", "action": "aws:branch",
             "inputs": {"Choices": [{"NextStep": "Wrong", "Variable": "{{ Read.Cidr }}", "StringEquals": "10.0.0.0/8"},
                                    {"NextStep": "Wait", "Variable": "{{ Read.Cidr }}", "StartsWith": "10.9."}],
                        "Default": "Wrong"}},
            {"name": "Wrong", "action": "aws:executeAwsApi", "inputs": {"Service": "ec2", "Api": "DescribeVolumes"}},
            {"name": "Wait", "action": "aws:waitForAwsResourceProperty", "timeoutSeconds": 5,
             "inputs": {"Service": "ec2", "Api": "DescribeVpcs", "VpcIds": ["{{ VpcId }}"],
                        "PropertySelector": "$.Vpcs[0].State", "DesiredValues": ["available"]}},
            {"name": "Assert", "action": "aws:assertAwsResourceProperty", "isEnd": True,
             "inputs": {"Service": "ec2", "Api": "DescribeVpcs", "VpcIds": ["{{ VpcId }}"],
                        "PropertySelector": "$.Vpcs[0].CidrBlock", "DesiredValues": ["10.9.0.0/16"]}},
            parameters={"VpcId": {"type": "String"}}, outputs=["Read.Cidr", "Read.Ids"])
        execution = self.run_content(content, VpcId=vpc)
        self.assertEqual(execution["AutomationExecutionStatus"], "Success", execution.get("FailureMessage"))
        self.assertEqual(list(self.steps(execution)), ["Read", "Choose", "Wait", "Assert"])
        self.assertEqual(execution["Outputs"], {"Read.Cidr": ["10.9.0.0/16"], "Read.Ids": [vpc]})

        content["mainSteps"][3]["inputs"]["DesiredValues"] = ["pending"]
        timed_out = self.run_content(content, VpcId=vpc)
        self.assertEqual(timed_out["AutomationExecutionStatus"], "Failed")
        self.assertEqual(self.steps(timed_out)["Wait"]["StepStatus"], "TimedOut")
        self.assertNotIn("Assert", self.steps(timed_out))

    def test_a_step_the_role_may_not_take_fails_with_access_denied(self):
        content = document(
            {"name": "Allowed", "action": "aws:executeAwsApi", "inputs": {"Service": "ec2", "Api": "DescribeVpcs"}},
            {"name": "Tag", "action": "aws:executeAwsApi",
             "inputs": {"Service": "iam", "Api": "TagRole", "RoleName": "reader", "Tags": [{"Key": "k", "Value": "v"}]}},
            {"name": "Never", "action": "aws:executeAwsApi", "inputs": {"Service": "ec2", "Api": "DescribeVpcs"}})
        execution = self.run_content(content)
        steps = self.steps(execution)
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        self.assertEqual(steps["Allowed"]["StepStatus"], "Success")
        self.assertEqual(steps["Tag"]["StepStatus"], "Failed")
        self.assertIn("(AccessDenied)", steps["Tag"]["FailureMessage"])
        self.assertIn("iam:TagRole", steps["Tag"]["FailureMessage"])
        self.assertNotIn("Never", steps)
        self.assertEqual(self.iam.list_role_tags(RoleName="reader")["Tags"], [])

        # A script's boto3 is the role's too.
        script = document({"name": "Script", "action": "aws:executeScript", "inputs": {
            "Runtime": "python3.11", "Handler": "handler",
            "Script": "import boto3\ndef handler(events, context):\n    boto3.client('ec2').create_vpc(CidrBlock='10.8.0.0/16')\n"}})
        execution = self.run_content(script)
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        self.assertIn("UnauthorizedOperation", self.steps(execution)["Script"]["FailureMessage"])
        cidrs = [v["CidrBlock"] for v in self.client("ec2").describe_vpcs()["Vpcs"]]
        self.assertNotIn("10.8.0.0/16", cidrs)

    def test_a_role_that_does_not_trust_ssm_runs_nothing(self):
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = self.make_role("ec2-only", [{"Effect": "Allow", "Action": "*", "Resource": "*"}], trust)
        execution = self.run_content(document({"name": "A", "action": "aws:executeAwsApi", "inputs": {"Service": "ec2", "Api": "DescribeVpcs"}}), role)
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        self.assertIn("ssm.amazonaws.com", execution["FailureMessage"])
        self.assertEqual(execution["StepExecutions"], [])

    def test_an_action_the_engine_does_not_implement_fails_the_execution(self):
        execution = self.run_content(document(
            {"name": "Approve", "action": "aws:approve", "inputs": {"Approvers": [self.role]}},
            {"name": "After", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}))
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")
        self.assertIn("not implemented by the emulator", self.steps(execution)["Approve"]["FailureMessage"])
        self.assertNotIn("After", self.steps(execution))

    def test_on_failure_continue_and_step_and_max_attempts(self):
        content = document(
            {"name": "Flaky", "action": "aws:executeAwsApi", "maxAttempts": 2, "onFailure": "step:Cleanup",
             "inputs": {"Service": "ec2", "Api": "DescribeInstances"}},
            {"name": "Skipped", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}},
            {"name": "Cleanup", "action": "aws:executeAwsApi", "onFailure": "Continue",
             "inputs": {"Service": "ec2", "Api": "DescribeVolumes"}},
            {"name": "Last", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}})
        execution = self.run_content(content)
        steps = self.steps(execution)
        self.assertEqual(list(steps), ["Flaky", "Cleanup", "Last"])
        self.assertEqual([steps[n]["StepStatus"] for n in steps], ["Failed", "Failed", "Success"])
        self.assertEqual(execution["AutomationExecutionStatus"], "Failed")  # Flaky is critical

    def test_progress_is_visible_and_an_execution_can_be_stopped(self):
        name = self.create(document({"name": "Long", "action": "aws:sleep", "inputs": {"Duration": "PT30S"}}))
        execution_id = self.ssm.start_automation_execution(DocumentName=name, Parameters={"AutomationAssumeRole": [self.role]})["AutomationExecutionId"]
        time.sleep(0.5)
        running = self.ssm.get_automation_execution(AutomationExecutionId=execution_id)["AutomationExecution"]
        self.assertEqual(running["AutomationExecutionStatus"], "InProgress")
        self.assertEqual(running["StepExecutions"][0]["StepStatus"], "InProgress")
        listed = self.ssm.describe_automation_executions(Filters=[{"Key": "ExecutionId", "Values": [execution_id]}])
        self.assertEqual(listed["AutomationExecutionMetadataList"][0]["DocumentName"], name)
        self.ssm.stop_automation_execution(AutomationExecutionId=execution_id)
        stopped = self.wait(execution_id)
        self.assertEqual(stopped["AutomationExecutionStatus"], "Cancelled")
        steps = self.ssm.describe_automation_step_executions(AutomationExecutionId=execution_id)["StepExecutions"]
        self.assertEqual([s["StepName"] for s in steps], ["Long"])
        self.assertRefused("InvalidAutomationStatusUpdateException", self.ssm.stop_automation_execution, AutomationExecutionId=execution_id)
        self.assertRefused("AutomationExecutionNotFoundException", self.ssm.get_automation_execution, AutomationExecutionId="00000000-0000-0000-0000-000000000000")


if __name__ == "__main__":
    import unittest

    unittest.main()
