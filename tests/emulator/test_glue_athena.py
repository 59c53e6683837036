"""The query layer in the emulator: Glue and Athena from stacks and APIs, and S3 log key formats.

Starts the emulator server (harness.py), creates stacks with AWS::Glue::Database,
AWS::Glue::Table (rendered from templates/analysis/tables.yaml the way the
product renders them), AWS::Athena::WorkGroup and AWS::Athena::NamedQuery
(from templates/analysis/queries), and reads them back through the Glue and
Athena APIs at the server's root URL (the awsJson1_1 protocol the Rust SDK
speaks too). Also: TargetObjectKeyFormat through PutBucketLogging,
GetBucketLogging and AWS::S3::Bucket, and the delivered keys under the
s3_access_logs table's location.

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import datetime
import json
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.harness import MANAGEMENT, REGION, OrganizationTestCase
from tests.emulator.test_analysis_sql import expand, fill, projected_date, queries, table_location, tables

KEY_ARN = f"arn:aws:kms:{REGION}:{MANAGEMENT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def table_input(entry: dict, values: dict) -> dict:
    """The Glue TableInput for one tables.yaml entry, as the analysis component renders it."""
    location = fill(entry["location"], **values)
    parameters = {"EXTERNAL": "TRUE", **entry["table_parameters"], "projection.enabled": "true",
                  "storage.location.template": location}
    for key, spec in entry["projection"].items():
        for field, value in spec.items():
            parameters[f"projection.{key}.{'interval.unit' if field == 'unit' else field}"] = str(value)
    parameters["projection.account.type"] = "enum"
    parameters["projection.account.values"] = "111111111111,222222222222"
    if any(p["name"] == "region" for p in entry["partition_keys"]):
        parameters["projection.region.type"] = "enum"
        parameters["projection.region.values"] = "us-east-1,eu-west-1"
    return {
        "Name": entry["name"],
        "Description": entry["description"],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [{"Name": p["name"], "Type": p["type"]} for p in entry["partition_keys"]],
        "StorageDescriptor": {
            "Columns": [{"Name": c["name"], "Type": c["type"]} for c in entry["columns"]],
            "Location": table_location(location),
            "InputFormat": entry["input_format"],
            "OutputFormat": entry["output_format"],
            "SerdeInfo": {"SerializationLibrary": entry["serde"]["library"],
                          "Parameters": {k: str(v) for k, v in entry["serde"]["parameters"].items()}},
        },
    }


class GlueAthenaTest(OrganizationTestCase):
    name = "glue-athena"

    def stack(self, name: str, resources: dict, outputs: dict | None = None, update: bool = False) -> dict:
        cloudformation = self.client("cloudformation")
        body = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, "Outputs": outputs or {}})
        if update:
            cloudformation.update_stack(StackName=name, TemplateBody=body)
        else:
            cloudformation.create_stack(StackName=name, TemplateBody=body)
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def analysis_resources(self, suffix: str, cutoff: int | None = 1_000_000_000, query_text: str | None = None) -> dict:
        values = {"bucket": f"logs-{suffix}", "org_id": "o-a1b2c3d4e5", "environment": "test"}
        resources: dict = {
            "Database": {"Type": "AWS::Glue::Database", "Properties": {
                "CatalogId": {"Ref": "AWS::AccountId"},
                "DatabaseInput": {"Name": f"irready_{suffix}", "Description": "log archive"}}},
            "Results": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"results-{suffix}"}},
            "WorkGroup": {"Type": "AWS::Athena::WorkGroup", "Properties": {
                "Name": f"irready-{suffix}",
                "Description": "incident queries",
                "State": "ENABLED",
                "RecursiveDeleteOption": True,
                "WorkGroupConfiguration": {
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                    **({"BytesScannedCutoffPerQuery": cutoff} if cutoff else {}),
                    "ResultConfiguration": {
                        "OutputLocation": {"Fn::Sub": "s3://${Results}/results/"},
                        "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": KEY_ARN}}}}},
        }
        for entry in tables():
            logical = "Table" + entry["name"].title().replace("_", "")
            resources[logical] = {"Type": "AWS::Glue::Table", "Properties": {
                "CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseName": {"Ref": "Database"},
                "TableInput": table_input(entry, values)}}
        for file, query in queries().items():
            logical = "Query" + file.removesuffix(".sql").title().replace("_", "")
            resources[logical] = {"Type": "AWS::Athena::NamedQuery", "Properties": {
                "Name": query["name"], "Description": query["description"], "Database": {"Ref": "Database"},
                "WorkGroup": {"Ref": "WorkGroup"},
                "QueryString": query_text if (query_text and file == "access_key_activity.sql") else query["sql"]}}
        return resources

    def test_stack_creates_the_query_layer_and_the_apis_read_it_back(self):
        suffix = uuid.uuid4().hex[:8]
        outputs = self.stack(f"analysis-{suffix}", self.analysis_resources(suffix), {
            "Database": {"Value": {"Ref": "Database"}},
            "WorkGroup": {"Value": {"Ref": "WorkGroup"}},
            "Engine": {"Value": {"Fn::GetAtt": ["WorkGroup", "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion"]}},
            "Table": {"Value": {"Ref": "TableCloudtrail"}},
            "Query": {"Value": {"Fn::GetAtt": ["QueryAccessKeyActivity", "NamedQueryId"]}},
        })
        database, workgroup = f"irready_{suffix}", f"irready-{suffix}"
        self.assertEqual((outputs["Database"], outputs["WorkGroup"], outputs["Table"]), (database, workgroup, "cloudtrail"))
        self.assertEqual(outputs["Engine"], "Athena engine version 3")

        glue = self.client("glue")
        self.assertEqual(glue.get_database(Name=database)["Database"]["Description"], "log archive")
        listed = {t["Name"]: t for t in glue.get_tables(DatabaseName=database)["TableList"]}
        self.assertEqual(set(listed), {t["name"] for t in tables()})
        trail = glue.get_table(DatabaseName=database, Name="cloudtrail")["Table"]
        self.assertEqual(trail["TableType"], "EXTERNAL_TABLE")
        self.assertEqual(trail["StorageDescriptor"]["Location"], f"s3://logs-{suffix}/AWSLogs/o-a1b2c3d4e5/")
        self.assertEqual(trail["Parameters"]["storage.location.template"],
                         f"s3://logs-{suffix}/AWSLogs/o-a1b2c3d4e5/${{account}}/CloudTrail/${{region}}/${{date}}/")
        self.assertEqual(trail["Parameters"]["projection.date.format"], "yyyy/MM/dd")
        self.assertEqual(trail["Parameters"]["projection.date.interval.unit"], "DAYS")
        self.assertEqual([k["Name"] for k in trail["PartitionKeys"]], ["account", "region", "date"])
        self.assertEqual(trail["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"], "org.apache.hive.hcatalog.data.JsonSerDe")
        dns = listed["dns_query_logs"]
        self.assertEqual(dns["Parameters"]["projection.vpc.type"], "injected")

        athena = self.client("athena")
        group = athena.get_work_group(WorkGroup=workgroup)["WorkGroup"]
        configuration = group["Configuration"]
        self.assertEqual(group["State"], "ENABLED")
        self.assertTrue(configuration["EnforceWorkGroupConfiguration"])
        self.assertTrue(configuration["PublishCloudWatchMetricsEnabled"])
        self.assertEqual(configuration["BytesScannedCutoffPerQuery"], 1_000_000_000)
        self.assertEqual(configuration["ResultConfiguration"]["OutputLocation"], f"s3://results-{suffix}/results/")
        self.assertEqual(configuration["ResultConfiguration"]["EncryptionConfiguration"],
                         {"EncryptionOption": "SSE_KMS", "KmsKey": KEY_ARN})

        ids = athena.list_named_queries(WorkGroup=workgroup)["NamedQueryIds"]
        self.assertEqual(len(ids), len(queries()))
        self.assertIn(outputs["Query"], ids)
        batch = athena.batch_get_named_query(NamedQueryIds=ids + ["00000000-0000-0000-0000-000000000000"])
        self.assertEqual({q["Name"] for q in batch["NamedQueries"]}, {q["name"] for q in queries().values()})
        self.assertEqual([u["NamedQueryId"] for u in batch["UnprocessedNamedQueryIds"]], ["00000000-0000-0000-0000-000000000000"])
        one = athena.get_named_query(NamedQueryId=outputs["Query"])["NamedQuery"]
        self.assertEqual((one["Database"], one["WorkGroup"]), (database, workgroup))
        self.assertIn("useridentity.accesskeyid = ?", one["QueryString"])

        # Delete: everything goes, the workgroup with its queries (RecursiveDeleteOption).
        self.client("cloudformation").delete_stack(StackName=f"analysis-{suffix}")
        with self.assertRaises(ClientError) as missing:
            athena.get_work_group(WorkGroup=workgroup)
        self.assertEqual(missing.exception.response["Error"]["Code"], "InvalidRequestException")
        with self.assertRaises(ClientError) as gone:
            glue.get_database(Name=database)
        self.assertEqual(gone.exception.response["Error"]["Code"], "EntityNotFoundException")
        with self.assertRaises(ClientError):
            athena.get_named_query(NamedQueryId=outputs["Query"])

    def test_update_in_place_and_by_replacement(self):
        suffix = uuid.uuid4().hex[:8]
        name = f"analysis-{suffix}"
        outputs = self.stack(name, self.analysis_resources(suffix), {
            "Query": {"Value": {"Ref": "QueryAccessKeyActivity"}}, "Other": {"Value": {"Ref": "QuerySourceIpActivity"}}})
        resources = self.analysis_resources(suffix, cutoff=None, query_text="SELECT 1 FROM cloudtrail WHERE account = ?")
        resources["WorkGroup"]["Properties"]["Description"] = "changed"
        del resources["WorkGroup"]["Properties"]["WorkGroupConfiguration"]["ResultConfiguration"]["EncryptionConfiguration"]
        resources["TableVpcFlowLogs"]["Properties"]["TableInput"]["Parameters"]["projection.date.range"] = "2023/01/01,NOW"
        updated = self.stack(name, resources, {
            "Query": {"Value": {"Ref": "QueryAccessKeyActivity"}}, "Other": {"Value": {"Ref": "QuerySourceIpActivity"}}}, update=True)

        athena = self.client("athena")
        group = athena.get_work_group(WorkGroup=f"irready-{suffix}")["WorkGroup"]
        self.assertEqual(group["Description"], "changed")
        self.assertNotIn("BytesScannedCutoffPerQuery", group["Configuration"])  # RemoveBytesScannedCutoffPerQuery
        self.assertNotIn("EncryptionConfiguration", group["Configuration"]["ResultConfiguration"])
        self.assertEqual(group["Configuration"]["ResultConfiguration"]["OutputLocation"], f"s3://results-{suffix}/results/")
        # A new QueryString replaces the named query; an unchanged one stays.
        self.assertNotEqual(updated["Query"], outputs["Query"])
        self.assertEqual(updated["Other"], outputs["Other"])
        ids = athena.list_named_queries(WorkGroup=f"irready-{suffix}")["NamedQueryIds"]
        self.assertNotIn(outputs["Query"], ids)
        self.assertEqual(athena.get_named_query(NamedQueryId=updated["Query"])["NamedQuery"]["QueryString"],
                         "SELECT 1 FROM cloudtrail WHERE account = ?")
        # TableInput updates the same table in place: a new version.
        flow = self.client("glue").get_table(DatabaseName=f"irready_{suffix}", Name="vpc_flow_logs")["Table"]
        self.assertEqual(flow["Parameters"]["projection.date.range"], "2023/01/01,NOW")
        self.assertEqual(flow["VersionId"], "2")
        self.client("cloudformation").delete_stack(StackName=name)

    def test_workgroup_validation(self):
        # Without boto3's own checks (the Rust SDK sends what it is given), so the server's are tested.
        athena = boto3.client("athena", endpoint_url=self.emulator.url, region_name=REGION,
                              config=Config(parameter_validation=False), **self.credentials[MANAGEMENT])
        cases = {
            "name": dict(Name="no spaces allowed"),
            "cutoff": dict(Name=f"wg-{uuid.uuid4().hex[:6]}", Configuration={"BytesScannedCutoffPerQuery": 9_999_999}),
            "location": dict(Name=f"wg-{uuid.uuid4().hex[:6]}", Configuration={"ResultConfiguration": {"OutputLocation": "https://bucket/results/"}}),
            "key": dict(Name=f"wg-{uuid.uuid4().hex[:6]}", Configuration={"ResultConfiguration": {
                "OutputLocation": "s3://bucket/results/", "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS"}}}),
        }
        for case, arguments in cases.items():
            with self.subTest(case=case), self.assertRaises(ClientError) as refused:
                athena.create_work_group(**arguments)
            self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidRequestException")
        athena.create_work_group(Name="minimum-ok", Configuration={"BytesScannedCutoffPerQuery": 10_000_000})
        self.assertEqual(athena.get_work_group(WorkGroup="minimum-ok")["WorkGroup"]["Configuration"]["BytesScannedCutoffPerQuery"], 10_000_000)
        with self.assertRaises(ClientError) as missing:
            athena.get_work_group(WorkGroup="nosuch")
        self.assertEqual(missing.exception.response["Error"]["Code"], "InvalidRequestException")
        # A workgroup with named queries is deleted only with RecursiveDeleteOption; primary never.
        athena.create_named_query(Name="q", Database="db", QueryString="SELECT 1", WorkGroup="minimum-ok")
        with self.assertRaises(ClientError) as not_empty:
            athena.delete_work_group(WorkGroup="minimum-ok")
        self.assertEqual(not_empty.exception.response["Error"]["Code"], "InvalidRequestException")
        athena.delete_work_group(WorkGroup="minimum-ok", RecursiveDeleteOption=True)
        with self.assertRaises(ClientError):
            athena.delete_work_group(WorkGroup="primary")
        with self.assertRaises(ClientError) as unknown:
            athena.create_named_query(Name="q", Database="db", QueryString="SELECT 1", WorkGroup="nosuch")
        self.assertEqual(unknown.exception.response["Error"]["Code"], "InvalidRequestException")

    def test_stack_refusals_name_the_service_error(self):
        suffix = uuid.uuid4().hex[:8]
        cases = {
            "cutoff": {"Type": "AWS::Athena::WorkGroup", "Properties": {
                "Name": f"wg-{suffix}", "WorkGroupConfiguration": {"BytesScannedCutoffPerQuery": 1000}}},
            "no-database": {"Type": "AWS::Athena::NamedQuery", "Properties": {"Name": "q", "QueryString": "SELECT 1"}},
            "glue-name": {"Type": "AWS::Glue::Table", "Properties": {
                "CatalogId": MANAGEMENT, "DatabaseName": "default_missing", "TableInput": {"Name": "x"}}},
        }
        for case, resource in cases.items():
            with self.subTest(case=case), self.assertRaises(ClientError) as refused:
                self.stack(f"refused-{case}-{suffix}", {"Resource": resource})
            self.assertEqual(refused.exception.response["Error"]["Code"], "ValidationError")
            expected = "EntityNotFoundException" if case == "glue-name" else "InvalidRequestException"
            self.assertIn(expected, refused.exception.response["Error"]["Message"])

    def test_glue_folds_names_to_lowercase_and_checks_them(self):
        glue = self.client("glue")
        glue.create_database(DatabaseInput={"Name": "Evidence_DB"})
        glue.create_table(DatabaseName="Evidence_DB", TableInput={"Name": "CloudTrail_Events", "TableType": "EXTERNAL_TABLE",
                          "Parameters": {"projection.enabled": "true"}})
        self.assertEqual(glue.get_database(Name="evidence_db")["Database"]["Name"], "evidence_db")
        got = glue.get_table(DatabaseName="evidence_db", Name="CLOUDTRAIL_EVENTS")["Table"]
        self.assertEqual((got["Name"], got["Parameters"]["projection.enabled"]), ("cloudtrail_events", "true"))
        with self.assertRaises(ClientError) as refused:
            glue.create_table(DatabaseName="evidence_db", TableInput={"Name": "two\nlines"})
        self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidInputException")
        with self.assertRaises(ClientError) as exists:
            glue.create_table(DatabaseName="evidence_db", TableInput={"Name": "cloudtrail_events"})
        self.assertEqual(exists.exception.response["Error"]["Code"], "AlreadyExistsException")


class S3LogKeyFormatTest(OrganizationTestCase):
    name = "s3-log-format"

    def target(self, account: str, source: str) -> str:
        s3 = self.client("s3", account)
        name = f"logs-{uuid.uuid4().hex[:10]}"
        s3.create_bucket(Bucket=name)
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{name}/*", "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]}))
        return name

    def source(self, account: str) -> str:
        name = f"assets-{uuid.uuid4().hex[:10]}"
        self.client("s3", account).create_bucket(Bucket=name)
        return name

    def test_put_and_get_round_trip_and_malformed_formats(self):
        account = self.workload
        s3 = self.client("s3", account)
        source = self.source(account)
        target = self.target(account, source)
        for key_format in ({"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
                           {"PartitionedPrefix": {"PartitionDateSource": "DeliveryTime"}},
                           {"SimplePrefix": {}}):
            with self.subTest(format=key_format):
                s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {
                    "TargetBucket": target, "TargetPrefix": f"{source}/", "TargetObjectKeyFormat": key_format}})
                enabled = s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]
                self.assertEqual(enabled["TargetObjectKeyFormat"], key_format)
        for bad in ({"PartitionedPrefix": {"PartitionDateSource": "Yesterday"}},
                    {"SimplePrefix": {}, "PartitionedPrefix": {"PartitionDateSource": "EventTime"}}):
            with self.subTest(bad=bad), self.assertRaises(ClientError) as refused:
                s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {
                    "TargetBucket": target, "TargetPrefix": "x/", "TargetObjectKeyFormat": bad}})
            self.assertEqual(refused.exception.response["Error"]["Code"], "MalformedXML")
        # Without a format the reply has none (SimplePrefix is the default).
        s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "y/"}})
        self.assertNotIn("TargetObjectKeyFormat", s3.get_bucket_logging(Bucket=source)["LoggingEnabled"])

    def test_stack_bucket_logging_format_and_delivered_keys_under_the_table_location(self):
        account = self.workload
        target = self.target(account, "")
        source = f"assets-{uuid.uuid4().hex[:10]}"
        cloudformation = self.client("cloudformation", account)
        template = {"Resources": {"Source": {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": source,
            "LoggingConfiguration": {"DestinationBucketName": target, "LogFilePrefix": f"{source}/",
                                     "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}}}}}}
        cloudformation.create_stack(StackName=f"source-{source}", TemplateBody=json.dumps(template))
        s3 = self.client("s3", account)
        enabled = s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]
        self.assertEqual(enabled["TargetObjectKeyFormat"], {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}})
        self.assertEqual(enabled["TargetPrefix"], f"{source}/")

        reports = self.emulator.deliver()
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=target).get("Contents", [])]
        self.assertTrue(keys, reports)
        day = datetime.datetime.now(datetime.timezone.utc).date()
        entry = next(t for t in tables() if t["log"] == "s3_access")
        # The table's location, for this bucket (the workload bucket's name stands for the
        # irready-<environment>-s3-logs-<account>-<region> one), is a prefix of every key.
        location = entry["location"].replace("irready-{environment}-s3-logs-${account}-${region}", target)
        expanded = expand(location, {"account": account, "region": REGION, "source_bucket": source,
                                     "date": projected_date(entry["projection"]["date"], day)})
        for key in keys:
            self.assertTrue(f"s3://{target}/{key}".startswith(expanded), (expanded, key))
            self.assertRegex(key[len(expanded) - len(f"s3://{target}/"):], r"^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$")

        # In place: back to the simple layout.
        template["Resources"]["Source"]["Properties"]["LoggingConfiguration"]["TargetObjectKeyFormat"] = {"SimplePrefix": {}}
        cloudformation.update_stack(StackName=f"source-{source}", TemplateBody=json.dumps(template))
        self.assertEqual(s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetObjectKeyFormat"], {"SimplePrefix": {}})
