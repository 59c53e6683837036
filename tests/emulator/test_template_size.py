"""CloudFormation's limit on a template body passed in the request (51,200 bytes).

Run: ``python3 -m unittest tests.emulator.test_template_size``
"""

import json

from botocore.exceptions import ClientError

from tests.emulator.harness import OrganizationTestCase


def template(size: int) -> str:
    """A valid template of exactly ``size`` bytes (padded in its description)."""
    base = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Description": ""}
    padding = size - len(json.dumps(base))
    base["Description"] = "x" * padding
    body = json.dumps(base)
    assert len(body) == size
    return body


class TemplateSizeTest(OrganizationTestCase):
    name = "template-size"

    def test_a_body_at_the_limit_is_accepted_and_one_byte_more_is_refused_everywhere(self):
        cfn = self.client("cloudformation")
        cfn.create_stack(StackName="at-limit", TemplateBody=template(51_200))
        cfn.update_stack(StackName="at-limit", TemplateBody=template(51_199))
        for call, arguments in [
            (cfn.create_stack, {"StackName": "over"}),
            (cfn.update_stack, {"StackName": "at-limit"}),
            (cfn.create_change_set, {"StackName": "over", "ChangeSetName": "c", "ChangeSetType": "CREATE"}),
            (cfn.validate_template, {}),
        ]:
            with self.subTest(call=call.__name__):
                with self.assertRaises(ClientError) as raised:
                    call(TemplateBody=template(51_201), **arguments)
                error = raised.exception.response["Error"]
                self.assertEqual(error["Code"], "ValidationError")
                self.assertIn("at 'templateBody' failed to satisfy constraint", error["Message"])
                self.assertIn("less than or equal to 51200", error["Message"])
        names = [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]
        self.assertEqual(names, ["at-limit"])
