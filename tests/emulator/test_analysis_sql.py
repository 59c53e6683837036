"""The analysis component's data: templates/analysis/tables.yaml and queries/*.sql.

No emulator: the Athena DDL each table stands for is generated and parsed with
sqlglot, every named query is parsed in Athena's dialect and its columns checked
against the table it names, each table's location template is expanded and
compared with the keys irready's logs are written under (the layouts the
delivery simulators in scripts/emulator_ext write, which follow AWS's documented
ones), and sample records are parsed into the declared columns.

Run: ``cd /work/main && python3 -m unittest discover -s tests/emulator -t .``
"""

import datetime
import json
import re
import unittest

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.optimizer.scope import build_scope

from tests.emulator.harness import REPO

ANALYSIS = REPO / "templates" / "analysis"
LOGS = {"trail", "flow_logs", "dns_query_logs", "guardduty", "elb", "s3_access"}
DIALECT = "athena"

# What irready fills in the placeholders, for the checks below.
FILL = {"bucket": "irready-prod-logs-222222222222-us-east-1", "org_id": "o-a1b2c3d4e5", "environment": "prod"}


def tables() -> list[dict]:
    return yaml.safe_load((ANALYSIS / "tables.yaml").read_text())


def table(name: str) -> dict:
    return next(t for t in tables() if t["name"] == name)


def queries() -> dict[str, dict]:
    """file name -> {name, description, table, parameters, sql}."""
    found = {}
    for path in sorted((ANALYSIS / "queries").glob("*.sql")):
        text = path.read_text()
        header = dict(re.findall(r"^-- (\w+): (.*)$", text, re.M))
        found[path.name] = {**header, "sql": text}
    return found


def fill(template: str, **values: str) -> str:
    """irready's placeholders ({bucket}, {org_id}, {environment}) filled; ${...} left for Athena."""
    return re.sub(r"(?<!\$)\{(\w+)\}", lambda m: values[m.group(1)], template)


def expand(location: str, partitions: dict[str, str]) -> str:
    """Athena's projection placeholders replaced by one partition's values."""
    return re.sub(r"\$\{(\w+)\}", lambda m: partitions[m.group(1)], location)


def projected_date(spec: dict, day: datetime.date) -> str:
    """A date partition value in the projection's format (Java date pattern, the subset used here)."""
    pattern = spec["format"]
    for java, python in (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H")):
        pattern = pattern.replace(java, python)
    return day.strftime(pattern)


def table_location(location: str) -> str:
    """StorageDescriptor.Location as tables.yaml's header defines it."""
    head = location.split("${", 1)[0]
    cut = head[: head.rfind("/") + 1]
    bucket = cut[len("s3://"):].split("/", 1)[0] if cut.startswith("s3://") else ""
    return cut if bucket and "/" in cut[len("s3://"):] else location


def sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ddl(entry: dict, location: str) -> str:
    """The Athena CREATE EXTERNAL TABLE the Glue table stands for."""
    columns = ",\n  ".join(f"`{c['name']}` {c['type']}" for c in entry["columns"])
    partitions = ", ".join(f"`{p['name']}` {p['type']}" for p in entry["partition_keys"])
    serde = entry["serde"]
    serde_properties = ", ".join(f"{sql_string(k)}={sql_string(str(v))}" for k, v in serde["parameters"].items())
    properties = {**entry["table_parameters"], "projection.enabled": "true", "storage.location.template": location}
    for key, spec in entry["projection"].items():
        for field, value in spec.items():
            suffix = "interval.unit" if field == "unit" else field
            properties[f"projection.{key}.{suffix}"] = value
    for key in ("account", "region"):
        if any(p["name"] == key for p in entry["partition_keys"]) and key not in entry["projection"]:
            properties[f"projection.{key}.type"] = "enum"
            properties[f"projection.{key}.values"] = "111111111111,222222222222" if key == "account" else "us-east-1,eu-west-1"
    tblproperties = ",\n  ".join(f"{sql_string(k)}={sql_string(str(v))}" for k, v in properties.items())
    return (
        f"CREATE EXTERNAL TABLE `{entry['name']}` (\n  {columns}\n)\n"
        f"PARTITIONED BY ({partitions})\n"
        f"ROW FORMAT SERDE {sql_string(serde['library'])}"
        + (f"\nWITH SERDEPROPERTIES ({serde_properties})" if serde_properties else "")
        + f"\nSTORED AS INPUTFORMAT {sql_string(entry['input_format'])}"
        f"\nOUTPUTFORMAT {sql_string(entry['output_format'])}"
        f"\nLOCATION {sql_string(table_location(location))}"
        f"\nTBLPROPERTIES (\n  {tblproperties}\n)"
    )


def referenced_columns(tree: exp.Expression) -> set[str]:
    """Top-level columns a query reads: useridentity.arn counts as useridentity; aliases are not columns."""
    aliases = {a.alias for a in tree.find_all(exp.Alias)}
    columns: set[str] = set()
    for scope in build_scope(tree).traverse():
        for column in scope.columns:
            parts = [p.name for p in column.parts]
            top = parts[0] if parts else column.name
            if top not in aliases or len(parts) > 1:
                columns.add(top)
    return columns


def equality_constrained(tree: exp.Expression, column: str) -> bool:
    """Whether the WHERE clause gives ``column`` with = or IN, in a conjunct (not under an OR)."""
    where = tree.find(exp.Where)
    if where is None:
        return False
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    for condition in conjuncts:
        if isinstance(condition, (exp.EQ, exp.In)):
            target = condition.this
            if isinstance(target, exp.Column) and target.name == column and not target.table:
                return True
    return False


DAY = datetime.date(2024, 3, 5)
OTHER_DAY = datetime.date(2024, 3, 6)
ACCOUNT, OTHER_ACCOUNT = "333333333333", "444444444444"
REGION, OTHER_REGION = "eu-west-1", "eu-central-1"


def sample_keys(log: str, account: str, region: str, day: datetime.date) -> list[str]:
    """Where irready's logs land, as the delivery simulators write them (each follows AWS's layout).

    Each key is built as the named simulator builds it, with the destination
    irready renders (no folder in the log archive's ARNs; the workload
    buckets and prefixes of src/workload).
    """
    stamp = f"{day:%Y%m%d}T1205Z"
    bucket = FILL["bucket"]
    if log == "trail":  # delivery_cloudtrail.py, organization trail, no S3KeyPrefix
        return [f"s3://{bucket}/AWSLogs/{FILL['org_id']}/{account}/CloudTrail/{region}/{day:%Y/%m/%d}/"
                f"{account}_CloudTrail_{region}_{stamp}_AbCdEfGhIjKlMnOp.json.gz"]
    if log == "flow_logs":  # delivery_flowlogs.py, default DestinationOptions
        return [f"s3://{bucket}/AWSLogs/{account}/vpcflowlogs/{region}/{day:%Y/%m/%d}/"
                f"{account}_vpcflowlogs_{region}_fl-0123456789abcdef0_{stamp}_0a1b2c3d.log.gz"]
    if log == "dns_query_logs":  # delivery_resolver.py
        return [f"s3://{bucket}/AWSLogs/{account}/vpcdnsquerylogs/vpc-0abc/{day:%Y/%m/%d}/"
                f"{account}_vpcdnsquerylogs_vpc-0abc_{stamp}_0a1b2c3d.log.gz"]
    if log == "guardduty":  # delivery_guardduty.py
        return [f"s3://{bucket}/AWSLogs/{account}/GuardDuty/{region}/{day:%Y/%m/%d}/0f8e2c58-4a0f-4a55-9d1c-0b0ad1b1f1f1.jsonl.gz"]
    if log == "elb":  # delivery_elb.py, prefix = the load balancer's name (src/workload)
        return [f"s3://irready-{FILL['environment']}-elb-logs-{account}-{region}/web/AWSLogs/{account}/elasticloadbalancing/"
                f"{region}/{day:%Y/%m/%d}/{account}_elasticloadbalancing_{region}_app.web.50dc6c495c0c9188_"
                f"{stamp}_10.0.0.1_2f3b5kd8.log.gz"]
    if log == "s3_access":  # delivery_s3_access.py, PartitionedPrefix, prefix = "<source bucket>/"
        return [f"s3://irready-{FILL['environment']}-s3-logs-{account}-{region}/assets/{account}/{region}/assets/"
                f"{day:%Y/%m/%d}/{day:%Y-%m-%d}-12-05-33-0123456789ABCDEF"]
    raise AssertionError(log)


# Values for the injected partition keys, matching sample_keys.
INJECTED = {"vpc": "vpc-0abc", "load_balancer": "web", "source_bucket": "assets"}


class TablesTest(unittest.TestCase):
    def test_every_log_has_one_table_with_the_documented_keys(self):
        entries = tables()
        self.assertEqual({t["log"] for t in entries}, LOGS)
        self.assertEqual(len({t["name"] for t in entries}), len(entries))
        required = {"name", "log", "description", "location", "columns", "partition_keys", "serde",
                    "input_format", "output_format", "table_parameters", "projection"}
        optional = {"location_without_organization"}
        for entry in entries:
            with self.subTest(table=entry["name"]):
                self.assertTrue(required <= set(entry) <= required | optional, set(entry) ^ required)
                self.assertEqual(entry["name"], entry["name"].lower())
                self.assertFalse(any(k.startswith("projection") for k in entry["table_parameters"]))
                names = [c["name"] for c in entry["columns"]] + [p["name"] for p in entry["partition_keys"]]
                self.assertEqual(len(names), len(set(names)), "a column and a partition key share a name")
                self.assertIn("account", [p["name"] for p in entry["partition_keys"]])
                self.assertIn("date", entry["projection"])

    def test_every_partition_key_is_in_the_location_and_projected_or_filled_by_irready(self):
        for entry in tables():
            keys = [p["name"] for p in entry["partition_keys"]]
            for location in filter(None, (entry["location"], entry.get("location_without_organization"))):
                with self.subTest(table=entry["name"], location=location):
                    self.assertEqual(set(re.findall(r"\$\{(\w+)\}", location)), set(keys))
                    self.assertTrue(location.startswith("s3://") and location.endswith("/"))
                    self.assertTrue(set(re.findall(r"(?<!\$)\{(\w+)\}", location)) <= set(FILL))
            for key in keys:
                self.assertTrue(key in entry["projection"] or key in ("account", "region"), (entry["name"], key))
                self.assertNotIn(key, FILL, "an Athena placeholder would be filled by irready")

    def test_ddl_parses(self):
        for entry in tables():
            with self.subTest(table=entry["name"]):
                statement = ddl(entry, fill(entry["location"], **FILL))
                tree = sqlglot.parse_one(statement, read=DIALECT)
                self.assertIsInstance(tree, exp.Create)
                schema = tree.this
                declared = [c.name for c in schema.expressions if isinstance(c, exp.ColumnDef)]
                self.assertEqual(declared, [c["name"] for c in entry["columns"]])
                properties = {p.name: p.text("value") for p in tree.find_all(exp.Property) if p.name}
                self.assertEqual(properties.get("projection.enabled"), "true")
                partitioned = tree.find(exp.PartitionedByProperty)
                self.assertIsNotNone(partitioned)
                self.assertEqual([c.name for c in partitioned.this.expressions], [p["name"] for p in entry["partition_keys"]])

    def test_table_location_is_a_concrete_prefix_where_one_exists(self):
        trail = table("cloudtrail")
        self.assertEqual(table_location(fill(trail["location"], **FILL)), f"s3://{FILL['bucket']}/AWSLogs/{FILL['org_id']}/")
        elb = table("alb_access_logs")
        self.assertEqual(table_location(elb["location"]), elb["location"])


class QueriesTest(unittest.TestCase):
    def test_every_query_has_its_header_and_parses(self):
        found = queries()
        self.assertGreaterEqual(len(found), 11)
        names = set()
        for file, query in found.items():
            with self.subTest(query=file):
                for key in ("name", "description", "table", "parameters"):
                    self.assertTrue(query.get(key), key)
                self.assertLessEqual(len(query["name"]), 128)
                self.assertLessEqual(len(query["description"]), 1024)
                names.add(query["name"])
                tree = sqlglot.parse_one(query["sql"], read=DIALECT)
                self.assertIsInstance(tree, exp.Select)
                placeholders = len(list(tree.find_all(exp.Placeholder)))
                self.assertEqual(placeholders, len(query["parameters"].split(", ")), "parameters listed in the header")
        self.assertEqual(len(names), len(found))

    def test_columns_exist_in_the_table_named(self):
        known = {t["name"]: t for t in tables()}
        for file, query in queries().items():
            with self.subTest(query=file):
                entry = known[query["table"]]
                tree = sqlglot.parse_one(query["sql"], read=DIALECT)
                self.assertEqual({t.name for t in tree.find_all(exp.Table)}, {query["table"]})
                available = {c["name"] for c in entry["columns"]} | {p["name"] for p in entry["partition_keys"]}
                missing = referenced_columns(tree) - available
                self.assertFalse(missing, f"columns not in {query['table']}")

    def test_every_query_constrains_account_region_and_date(self):
        known = {t["name"]: t for t in tables()}
        for file, query in queries().items():
            with self.subTest(query=file):
                entry = known[query["table"]]
                tree = sqlglot.parse_one(query["sql"], read=DIALECT)
                # The injected-projection rule: account (and every injected key) by = or IN.
                self.assertTrue(equality_constrained(tree, "account"), "account = ? missing")
                for key, spec in entry["projection"].items():
                    if spec["type"] == "injected":
                        self.assertTrue(equality_constrained(tree, key), f"{key} = ? missing")
                if any(p["name"] == "region" for p in entry["partition_keys"]):
                    self.assertTrue(equality_constrained(tree, "region"), "region = ? missing")
                between = [b for b in tree.find_all(exp.Between) if b.this.name == "date"]
                self.assertEqual(len(between), 1, "date BETWEEN ? AND ? missing")

    def test_the_checks_catch_what_they_should(self):
        # A query without the account, with the account only under an OR, and with an
        # unknown column: each check must fail on it.
        loose = sqlglot.parse_one("SELECT eventname FROM cloudtrail WHERE region = ? OR account = ?", read=DIALECT)
        self.assertFalse(equality_constrained(loose, "account"))
        unknown = sqlglot.parse_one("SELECT useridentity.nosuch, bogus FROM cloudtrail WHERE account = ?", read=DIALECT)
        self.assertEqual(referenced_columns(unknown), {"useridentity", "bogus", "account"})


class LayoutTest(unittest.TestCase):
    def partitions(self, entry: dict, account: str, region: str, day: datetime.date) -> dict[str, str]:
        values = {"account": account, "region": region, "date": projected_date(entry["projection"]["date"], day)}
        values.update({k: v for k, v in INJECTED.items() if k in entry["projection"]})
        return values

    def test_each_location_is_a_prefix_of_the_key_its_log_is_written_under(self):
        for entry in tables():
            with self.subTest(table=entry["name"]):
                location = fill(entry["location"], **FILL)
                (key,) = sample_keys(entry["log"], ACCOUNT, REGION, DAY)
                expanded = expand(location, self.partitions(entry, ACCOUNT, REGION, DAY))
                self.assertTrue(key.startswith(expanded), (expanded, key))
                # Nothing of the layout is left between the partition and the file name.
                self.assertNotIn("/", key[len(expanded):])
                for other in (
                    sample_keys(entry["log"], OTHER_ACCOUNT, REGION, DAY),
                    sample_keys(entry["log"], ACCOUNT, OTHER_REGION, DAY),
                    sample_keys(entry["log"], ACCOUNT, REGION, OTHER_DAY),
                ):
                    if entry["log"] == "dns_query_logs" and other == sample_keys(entry["log"], ACCOUNT, OTHER_REGION, DAY):
                        continue  # Resolver query logs have no region in their keys.
                    self.assertFalse(other[0].startswith(expanded), (expanded, other[0]))

    def test_account_trail_location(self):
        entry = table("cloudtrail")
        location = fill(entry["location_without_organization"], **FILL)
        expanded = expand(location, self.partitions(entry, ACCOUNT, REGION, DAY))
        # delivery_cloudtrail.py without an organization: AWSLogs/<account>/CloudTrail/...
        key = f"s3://{FILL['bucket']}/AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{DAY:%Y/%m/%d}/x.json.gz"
        self.assertTrue(key.startswith(expanded))
        self.assertFalse(sample_keys("trail", ACCOUNT, REGION, DAY)[0].startswith(expanded))


FLOW_LOG_FORMAT = re.compile(r'const FLOW_LOG_FORMAT: &str = "(.*?)";', re.S)


class RecordsTest(unittest.TestCase):
    def test_flow_log_columns_follow_irready_format(self):
        source = (REPO / "src" / "render" / "context.rs").read_text()
        fields = [f.strip("${}") for f in FLOW_LOG_FORMAT.search(source).group(1).replace("\\\n", " ").split()]
        columns = table("vpc_flow_logs")["columns"]
        self.assertEqual([c.get("field", c["name"].replace("_", "-")) for c in columns], fields)
        # A record as delivery_flowlogs.py writes one, split the way LazySimpleSerDe does.
        header, record = (
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
            "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type "
            "sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path",
            "5 333333333333 eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.7 49761 443 6 10 5120 1709640000 1709640059 ACCEPT OK "
            "vpc-0abc - - 19 IPv4 10.0.1.5 10.0.2.7 eu-west-1 euw1-az1 - - - - egress 1",
        )
        self.assertEqual(header.split(" "), fields)
        values = dict(zip([c["name"] for c in columns], record.split(" ")))
        self.assertEqual(len(record.split(" ")), len(columns))
        self.assertEqual((values["interface_id"], values["dstport"], values["action"]), ("eni-0a1b2c3d4e5f60718", "443", "ACCEPT"))
        self.assertEqual(values["record_region"], "eu-west-1")

    def test_cloudtrail_record_fits_the_columns(self):
        record = {
            "eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": "AROA:s", "arn": "arn:aws:sts::333333333333:assumed-role/r/s",
            "accountId": "333333333333", "accessKeyId": "ASIAEXAMPLE", "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "2024-03-05T12:00:00Z"},
            "sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::333333333333:role/r"}}},
            "eventTime": "2024-03-05T12:05:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1",
            "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli", "requestParameters": {"bucketName": "b", "key": "k"},
            "responseElements": None, "requestID": "R", "eventID": "E", "readOnly": True, "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}],
            "eventType": "AwsApiCall", "managementEvent": False, "recipientAccountId": "333333333333", "eventCategory": "Data",
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "b.s3.amazonaws.com"},
        }
        columns = {c["name"]: c["type"] for c in table("cloudtrail")["columns"]}
        # The JSON SerDe matches keys case-insensitively: every key of the record that the
        # queries use is a column, structs hold the nested keys the queries read.
        lowered = {k.lower(): v for k, v in record.items()}
        for key in ("useridentity", "eventtime", "eventsource", "eventname", "sourceipaddress", "requestparameters",
                    "recipientaccountid", "eventcategory", "resources", "tlsdetails"):
            self.assertIn(key, columns)
            self.assertIn(key, lowered)
        identity = columns["useridentity"]
        for nested in ("accesskeyid:string", "arn:string", "sessionissuer:struct<", "mfaauthenticated:string"):
            self.assertIn(nested, identity)
        # requestparameters is a string column holding the JSON object, read with json_extract_scalar.
        self.assertEqual(columns["requestparameters"], "string")
        self.assertEqual(json.loads(json.dumps(lowered["requestparameters"]))["bucketName"], "b")

    def regex(self, name: str) -> re.Pattern:
        entry = table(name)
        pattern = re.compile(entry["serde"]["parameters"]["input.regex"])
        self.assertEqual(pattern.groups, len(entry["columns"]))
        return pattern

    def test_alb_record_matches_the_regex(self):
        pattern = self.regex("alb_access_logs")
        # The record delivery_elb.py writes (ALB access log entry format).
        record = (
            'http 2024-03-05T12:05:33.123456Z app/web/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 '
            '"GET http://web-1.eu-west-1.elb.amazonaws.com:80/ HTTP/1.1" "curl/8.5.0" - - '
            '- "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2024-03-05T12:05:33.123456Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"'
        )
        match = pattern.fullmatch(record)
        self.assertIsNotNone(match)
        values = dict(zip([c["name"] for c in table("alb_access_logs")["columns"]], match.groups()))
        self.assertEqual((values["client_ip"], values["elb_status_code"], values["request_verb"]), ("192.168.131.39", "200", "GET"))
        with_trace = pattern.fullmatch(record + " TID_1a2b3c")
        self.assertEqual(with_trace.groups()[-1], "TID_1a2b3c")

    def test_s3_access_record_matches_the_regex(self):
        pattern = self.regex("s3_access_logs")
        # The record delivery_s3_access.py writes (S3 server access log format).
        record = (
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be assets [05/Mar/2024:12:05:33 +0000] 192.0.2.3 "
            "arn:aws:iam::333333333333:root 3E57427F3EXAMPLE REST.GET.OBJECT photos/a.jpg "
            '"GET /assets/photos/a.jpg HTTP/1.1" 200 - 113 - 7 - "-" "aws-cli/2.15.0" - '
            "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader "
            "assets.s3.eu-west-1.amazonaws.com TLSv1.3 - -"
        )
        match = pattern.match(record)
        self.assertIsNotNone(match)
        values = dict(zip([c["name"] for c in table("s3_access_logs")["columns"]], match.groups()))
        self.assertEqual(values["requestdatetime"], "05/Mar/2024:12:05:33 +0000")
        self.assertEqual((values["operation"], values["key"], values["httpstatus"]), ("REST.GET.OBJECT", "photos/a.jpg", "200"))
        self.assertEqual(values["tlsversion"], "TLSv1.3")

    def test_dns_and_guardduty_records_fit_the_columns(self):
        dns = {"version": "1.100000", "account_id": "333333333333", "region": "eu-west-1", "vpc_id": "vpc-0abc",
               "query_timestamp": "2024-03-05T12:05:33Z", "query_name": "example.com.", "query_type": "A", "query_class": "IN",
               "rcode": "NOERROR", "answers": [{"Rdata": "93.184.216.34", "Type": "A", "Class": "IN"}], "srcaddr": "10.0.1.5",
               "srcport": "53710", "transport": "UDP", "srcids": {"instance": "i-0123456789abcdef0"}}
        columns = [c["name"] for c in table("dns_query_logs")["columns"]]
        self.assertTrue(set(dns) <= set(columns), set(dns) - set(columns))
        finding = {"schemaVersion": "2.0", "accountId": "333333333333", "region": "eu-west-1", "partition": "aws", "id": "x",
                   "arn": "arn:aws:guardduty:...", "type": "Recon:EC2/PortProbeUnprotectedPort", "resource": {}, "service": {},
                   "severity": 2, "createdAt": "t", "updatedAt": "t", "title": "t", "description": "d"}
        columns = {c["name"] for c in table("guardduty_findings")["columns"]}
        # region is the partition key of the same value.
        self.assertEqual({k.lower() for k in finding} - columns, {"region"})


if __name__ == "__main__":
    unittest.main()
