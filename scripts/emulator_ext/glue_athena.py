"""The log archive's query layer: Glue databases and tables, Athena workgroups and named queries.

moto's CloudFormation creates none of AWS::Glue::Database, AWS::Glue::Table,
AWS::Athena::WorkGroup and AWS::Athena::NamedQuery (the stack completes with
empty physical ids). Here each goes through moto's Glue or Athena backend, so
GetDatabase, GetTable / GetTables (Parameters with the projection.* keys,
StorageDescriptor with its Location), GetWorkGroup (the configuration) and
ListNamedQueries / GetNamedQuery / BatchGetNamedQuery read back what a stack
made. Both services speak awsJson1_1 (``X-Amz-Target: AWSGlue.<Op>`` /
``AmazonAthena.<Op>``) at moto_server's root URL, as boto3 and the Rust SDK send it.

Updates follow the CloudFormation resource reference, property by property:

- AWS::Glue::Database
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-glue-database.html):
  CatalogId and DatabaseName replace; DatabaseInput updates in place
  (UpdateDatabase). Glue cannot rename a database, so a new DatabaseInput.Name
  makes a new database as well. Ref: the database name.
- AWS::Glue::Table
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-glue-table.html):
  CatalogId and DatabaseName replace; TableInput updates in place (UpdateTable),
  except its Name, which Glue cannot change. Ref: the table name.
- AWS::Athena::WorkGroup
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-athena-workgroup.html):
  Name replaces; Description, State, WorkGroupConfiguration (and the older
  WorkGroupConfigurationUpdates) update in place through UpdateWorkGroup's
  ConfigurationUpdates: a setting the new WorkGroupConfiguration no longer has is
  removed (RemoveBytesScannedCutoffPerQuery, ResultConfigurationUpdates
  RemoveOutputLocation / RemoveEncryptionConfiguration), as
  https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfigurationUpdates.html
  defines them. Ref: the name; GetAtt CreationTime and
  WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion. RecursiveDeleteOption
  lets the stack delete a workgroup that still holds named queries.
- AWS::Athena::NamedQuery
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-athena-namedquery.html):
  every property replaces. Ref and GetAtt NamedQueryId: the query's id.

Validation, at the API and so for stacks (whose failures become the stack
operation's ValidationError naming the service error, as delivery.as_stack_failure
words it):

- Athena answers bad input with ``InvalidRequestException`` ("Indicates that
  something is wrong with the input to the request. For example, a required
  parameter may be missing or out of range", Athena API reference, CreateWorkGroup
  errors, https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html#API_CreateWorkGroup_Errors):
  a workgroup name outside ``[a-zA-Z0-9._-]{1,128}`` (API_CreateWorkGroup, Name);
  a description over 1024 characters; ``BytesScannedCutoffPerQuery`` under
  10000000 (API_WorkGroupConfiguration: "Minimum value of 10000000"); a results
  ``OutputLocation`` that is not an ``s3://`` URI (API_ResultConfiguration,
  OutputLocation: "the location in Amazon S3 where your query and calculation
  results are stored, such as s3://path/to/query/bucket/"); an
  ``EncryptionOption`` other than SSE_S3, SSE_KMS, CSE_KMS, or SSE_KMS / CSE_KMS
  without ``KmsKey`` (API_EncryptionConfiguration); a ``State`` other than ENABLED /
  DISABLED; a workgroup that does not exist (GetWorkGroup, UpdateWorkGroup,
  DeleteWorkGroup, CreateNamedQuery, ListNamedQueries); deleting ``primary``, or a
  workgroup with named queries without RecursiveDeleteOption (API_DeleteWorkGroup);
  a named query without ``Database`` or ``QueryString``, or with a name over 128,
  a database name over 255, a query over 262144 characters (API_CreateNamedQuery);
  an unknown named query id (GetNamedQuery, DeleteNamedQuery). The messages are
  not documented and worded here.
- Glue folds database and table names to lowercase ("For Hive compatibility,
  this is folded to lowercase when it is stored", AWS::Glue::Table TableInput Name
  and AWS::Glue::Database DatabaseInput Name in the resource reference, and Glue's
  DatabaseInput / TableInput API reference); lookups are case-insensitive in the
  same way. A name that is empty, over 255 characters or not a single line is
  ``InvalidInputException`` (API_TableInput, Name: "Length Constraints: Minimum
  length of 1. Maximum length of 255", single-line string pattern).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from moto.athena.models import AthenaBackend, NamedQuery, WorkGroup, athena_backends
from moto.athena.responses import AthenaResponse
from moto.core.exceptions import JsonRESTError
from moto.glue.models import GlueBackend, glue_backends

from . import delivery
from .cfn import ExtensionModel, TemplateError, applied, boolean, changed, register, remember

_original: dict[str, Any] = {}

WORKGROUP_NAME = re.compile(r"[a-zA-Z0-9._-]{1,128}")
MIN_CUTOFF = 10_000_000
ENCRYPTION_OPTIONS = ("SSE_S3", "SSE_KMS", "CSE_KMS")
SINGLE_LINE = re.compile(r"[^\r\n]{1,255}")


class InvalidRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


class InvalidInput(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidInputException", message)


# --------------------------------------------------------------------------
# Athena: validation and the operations moto lacks
# --------------------------------------------------------------------------


def _integer(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidRequest(f"{what} must be a number, not {value!r}") from None


def check_workgroup_name(name: Any) -> str:
    if not isinstance(name, str) or not WORKGROUP_NAME.fullmatch(name):
        raise InvalidRequest(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9._-]{1,128}"
        )
    return name


def check_description(description: Any) -> None:
    if description is not None and len(str(description)) > 1024:
        raise InvalidRequest("Description must be at most 1024 characters long")


def check_state(state: Any) -> None:
    if state is not None and state not in ("ENABLED", "DISABLED"):
        raise InvalidRequest(f"State must be ENABLED or DISABLED, not {state!r}")


def _result_configuration(result: dict[str, Any]) -> dict[str, Any]:
    """A ResultConfiguration checked, in the form GetWorkGroup returns it."""
    result = dict(result)
    location = result.get("OutputLocation")
    if location is not None and not (isinstance(location, str) and re.fullmatch(r"s3://[^/]+(/.*)?", location)):
        raise InvalidRequest(f"The query results location {location!r} is not an s3:// URI (s3://bucket/prefix/)")
    encryption = result.get("EncryptionConfiguration")
    if encryption is not None:
        option = encryption.get("EncryptionOption")
        if option not in ENCRYPTION_OPTIONS:
            raise InvalidRequest(f"EncryptionOption must be one of {', '.join(ENCRYPTION_OPTIONS)}, not {option!r}")
        if option in ("SSE_KMS", "CSE_KMS") and not encryption.get("KmsKey"):
            raise InvalidRequest(f"EncryptionOption {option} needs a KmsKey")
        result["EncryptionConfiguration"] = {k: v for k, v in encryption.items() if v is not None}
    return result


def workgroup_configuration(configuration: dict[str, Any] | None) -> dict[str, Any]:
    """A WorkGroupConfiguration checked and typed (numbers and booleans, as templates may give strings)."""
    configuration = dict(configuration or {})
    if "BytesScannedCutoffPerQuery" in configuration:
        cutoff = _integer(configuration["BytesScannedCutoffPerQuery"], "BytesScannedCutoffPerQuery")
        if cutoff < MIN_CUTOFF:
            raise InvalidRequest(
                f"1 validation error detected: Value '{cutoff}' at 'configuration.bytesScannedCutoffPerQuery' "
                f"failed to satisfy constraint: Member must have value greater than or equal to {MIN_CUTOFF}"
            )
        configuration["BytesScannedCutoffPerQuery"] = cutoff
    for flag in (
        "EnforceWorkGroupConfiguration",
        "PublishCloudWatchMetricsEnabled",
        "RequesterPaysEnabled",
        "EnableMinimumEncryptionConfiguration",
    ):
        if flag in configuration:
            configuration[flag] = boolean(configuration[flag])
    if "ResultConfiguration" in configuration:
        configuration["ResultConfiguration"] = _result_configuration(configuration["ResultConfiguration"] or {})
    return configuration


def _workgroup(backend: AthenaBackend, name: str) -> WorkGroup:
    workgroup = backend.work_groups.get(name)
    if workgroup is None:
        raise InvalidRequest(f"WorkGroup {name} is not found.")
    return workgroup


def create_work_group(
    self: AthenaBackend, name: str, configuration: dict[str, Any], description: str, tags: list[dict[str, str]]
) -> WorkGroup | None:
    check_workgroup_name(name)
    check_description(description)
    created = _original["create_work_group"](self, name, workgroup_configuration(configuration), description, tags)
    if created is not None:
        created.creation_time = time.time()
    return created


def get_work_group(self: AthenaBackend, name: str) -> dict[str, Any] | None:
    workgroup = self.work_groups.get(name)
    if workgroup is None:
        return None
    return {
        "Name": workgroup.name,
        "State": workgroup.state,
        "Configuration": workgroup.configuration,
        "Description": workgroup.description,
        "CreationTime": getattr(workgroup, "creation_time", None) or time.time(),
    }


def update_work_group(
    self: AthenaBackend,
    name: str,
    description: str | None = None,
    updates: dict[str, Any] | None = None,
    state: str | None = None,
) -> None:
    """UpdateWorkGroup: ConfigurationUpdates set what they name and remove what they say to remove."""
    workgroup = _workgroup(self, name)
    check_description(description)
    check_state(state)
    configuration = json.loads(json.dumps(workgroup.configuration))
    updates = dict(updates or {})
    result_updates = dict(updates.pop("ResultConfigurationUpdates", None) or {})
    if boolean(updates.pop("RemoveBytesScannedCutoffPerQuery", None)):
        configuration.pop("BytesScannedCutoffPerQuery", None)
    for key in ("RemoveCustomerContentEncryptionConfiguration",):
        if boolean(updates.pop(key, None)):
            configuration.pop("CustomerContentEncryptionConfiguration", None)
    configuration.update({k: v for k, v in updates.items() if v is not None})
    result = dict(configuration.get("ResultConfiguration") or {})
    removals = {
        "RemoveOutputLocation": "OutputLocation",
        "RemoveEncryptionConfiguration": "EncryptionConfiguration",
        "RemoveExpectedBucketOwner": "ExpectedBucketOwner",
        "RemoveAclConfiguration": "AclConfiguration",
    }
    for flag, key in removals.items():
        if boolean(result_updates.pop(flag, None)):
            result.pop(key, None)
    result.update({k: v for k, v in result_updates.items() if v is not None})
    configuration["ResultConfiguration"] = result
    workgroup.configuration = workgroup_configuration(configuration)
    if description is not None:
        workgroup.description = description
    if state is not None:
        workgroup.state = state


def delete_work_group(self: AthenaBackend, name: str, recursive: bool = False) -> None:
    _workgroup(self, name)
    if name == "primary":
        raise InvalidRequest("The primary workgroup cannot be deleted.")
    queries = [query_id for query_id, query in self.named_queries.items() if query.workgroup.name == name]
    if queries and not recursive:
        raise InvalidRequest(f"WorkGroup {name} is not empty: it holds {len(queries)} named queries.")
    for query_id in queries:
        self.named_queries.pop(query_id, None)
    self.work_groups.pop(name, None)


def create_named_query(
    self: AthenaBackend, name: str, description: str, database: str, query_string: str, workgroup: str
) -> str:
    if not name or len(name) > 128:
        raise InvalidRequest("Name must be 1 to 128 characters long")
    if not database or len(database) > 255:
        raise InvalidRequest("Database must be 1 to 255 characters long: a named query needs a database")
    if not query_string or len(query_string) > 262144:
        raise InvalidRequest("QueryString must be 1 to 262144 characters long")
    check_description(description)
    _workgroup(self, workgroup)
    return _original["create_named_query"](self, name, description, database, query_string, workgroup)


def _named_query(self: AthenaBackend, query_id: str) -> NamedQuery:
    query = self.named_queries.get(query_id)
    if query is None:
        raise InvalidRequest(f"NamedQuery {query_id} was not found.")
    return query


def delete_named_query(self: AthenaBackend, query_id: str) -> None:
    _named_query(self, query_id)
    self.named_queries.pop(query_id)


def _named_query_dict(query: NamedQuery) -> dict[str, Any]:
    item = {
        "Name": query.name,
        "Database": query.database,
        "QueryString": query.query_string,
        "NamedQueryId": query.id,
        "WorkGroup": query.workgroup.name,
    }
    if query.description:
        item["Description"] = query.description
    return item


# Responses: the handlers moto has, made to raise, and those it lacks.


def _response_get_work_group(self: AthenaResponse) -> str:
    name = self._get_param("WorkGroup")
    _workgroup(self.athena_backend, name)
    return json.dumps({"WorkGroup": self.athena_backend.get_work_group(name)})


def _response_update_work_group(self: AthenaResponse) -> str:
    self.athena_backend.update_work_group(
        self._get_param("WorkGroup"),
        description=self._get_param("Description"),
        updates=self._get_param("ConfigurationUpdates"),
        state=self._get_param("State"),
    )
    return "{}"


def _response_delete_work_group(self: AthenaResponse) -> str:
    self.athena_backend.delete_work_group(
        self._get_param("WorkGroup"), recursive=bool(self._get_param("RecursiveDeleteOption"))
    )
    return "{}"


def _response_create_named_query(self: AthenaResponse) -> str:
    query_id = self.athena_backend.create_named_query(
        self._get_param("Name"),
        self._get_param("Description"),
        self._get_param("Database"),
        self._get_param("QueryString"),
        self._get_param("WorkGroup") or "primary",
    )
    return json.dumps({"NamedQueryId": query_id})


def _response_get_named_query(self: AthenaResponse) -> str:
    query = _named_query(self.athena_backend, self._get_param("NamedQueryId"))
    return json.dumps({"NamedQuery": _named_query_dict(query)})


def _response_batch_get_named_query(self: AthenaResponse) -> str:
    found, missing = [], []
    for query_id in self._get_param("NamedQueryIds") or []:
        query = self.athena_backend.named_queries.get(query_id)
        if query is None:
            missing.append(
                {"NamedQueryId": query_id, "ErrorCode": "INVALID_INPUT", "ErrorMessage": f"NamedQuery {query_id} was not found."}
            )
        else:
            found.append(_named_query_dict(query))
    return json.dumps({"NamedQueries": found, "UnprocessedNamedQueryIds": missing})


def _response_delete_named_query(self: AthenaResponse) -> str:
    self.athena_backend.delete_named_query(self._get_param("NamedQueryId"))
    return "{}"


def _response_list_named_queries(self: AthenaResponse) -> str:
    work_group = self._get_param("WorkGroup") or "primary"
    _workgroup(self.athena_backend, work_group)
    return _original["response_list_named_queries"](self)


# --------------------------------------------------------------------------
# Glue: names folded to lowercase, and checked
# --------------------------------------------------------------------------


def fold_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not SINGLE_LINE.fullmatch(name):
        raise InvalidInput(f"{what} name {name!r} must be 1 to 255 characters on a single line")
    return name.lower()


def glue_create_database(self: GlueBackend, database_name: str, database_input: dict[str, Any], tags: Any = None) -> Any:
    name = fold_name(database_name, "Database")
    return _original["glue_create_database"](self, name, {**database_input, "Name": name}, tags)


def glue_get_database(self: GlueBackend, database_name: str) -> Any:
    return _original["glue_get_database"](self, str(database_name).lower())


def glue_update_database(self: GlueBackend, database_name: str, database_input: dict[str, Any]) -> None:
    name = str(database_name).lower()
    _original["glue_update_database"](self, name, {**database_input, "Name": name})


def glue_delete_database(self: GlueBackend, database_name: str) -> None:
    _original["glue_delete_database"](self, str(database_name).lower())


def glue_create_table(
    self: GlueBackend,
    database_name: str,
    table_name: str,
    table_input: dict[str, Any],
    open_table_format_input: dict[str, Any] | None = None,
) -> Any:
    name = fold_name(table_name, "Table")
    return _original["glue_create_table"](
        self, str(database_name).lower(), name, {**table_input, "Name": name}, open_table_format_input
    )


def glue_get_table(self: GlueBackend, database_name: str, table_name: str) -> Any:
    return _original["glue_get_table"](self, str(database_name).lower(), str(table_name).lower())


def glue_update_table(self: GlueBackend, database_name: str, table_name: str, table_input: dict[str, Any]) -> None:
    name = str(table_name).lower()
    _original["glue_update_table"](self, str(database_name).lower(), name, {**table_input, "Name": name})


def glue_delete_table(self: GlueBackend, database_name: str, table_name: str) -> None:
    _original["glue_delete_table"](self, str(database_name).lower(), str(table_name).lower())


# --------------------------------------------------------------------------
# CloudFormation
# --------------------------------------------------------------------------


def _athena(account_id: str, region_name: str) -> AthenaBackend:
    return athena_backends[account_id][region_name]


def _glue(account_id: str, region_name: str) -> GlueBackend:
    return glue_backends[account_id][region_name]


class _Named(ExtensionModel):
    """A type whose physical id is its name."""

    def __init__(self, account_id: str, region_name: str, name: str):
        super().__init__(account_id, region_name)
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.name


class _ReplacingModel(_Named):
    """A type whose replacement also depends on a nested name (``replaces``)."""

    @classmethod
    def replaces(cls, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return changed(old, new, *cls.create_only)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        new = cloudformation_json["Properties"]
        old = applied(original_resource)
        if cls.replaces(old, new):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        original_resource.apply(old, new)
        return remember(original_resource, new)


@register
class GlueDatabase(_ReplacingModel):
    cfn_type = "AWS::Glue::Database"
    create_only = ("CatalogId", "DatabaseName")

    @staticmethod
    def _name(resource_name: str, properties: dict[str, Any]) -> str:
        return str(
            (properties.get("DatabaseInput") or {}).get("Name") or properties.get("DatabaseName") or resource_name
        ).lower()

    @classmethod
    def replaces(cls, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return super().replaces(old, new) or cls._name("", old) != cls._name("", new)

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        database_name = cls._name(name, properties)
        database_input = {**(properties.get("DatabaseInput") or {}), "Name": database_name}
        delivery.as_stack_failure("AWSGlue", _glue(account_id, region_name).create_database)(database_name, database_input)
        return cls(account_id, region_name, database_name)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        database_input = {**(new.get("DatabaseInput") or {}), "Name": self.name}
        delivery.as_stack_failure("AWSGlue", _glue(self.account_id, self.region_name).update_database)(
            self.name, database_input
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _glue(account_id, region_name)
        if self.name in backend.databases:
            backend.delete_database(self.name)


@register
class GlueTable(_ReplacingModel):
    cfn_type = "AWS::Glue::Table"
    create_only = ("CatalogId", "DatabaseName")

    def __init__(self, account_id: str, region_name: str, database: str, name: str):
        super().__init__(account_id, region_name, name)
        self.database = database

    @staticmethod
    def _name(resource_name: str, properties: dict[str, Any]) -> str:
        return str((properties.get("TableInput") or {}).get("Name") or resource_name).lower()

    @classmethod
    def replaces(cls, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return super().replaces(old, new) or cls._name("", old) != cls._name("", new)

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        if not properties.get("DatabaseName"):
            raise TemplateError("Property DatabaseName is required for AWS::Glue::Table")
        table_name = cls._name(name, properties)
        table_input = {**(properties.get("TableInput") or {}), "Name": table_name}
        delivery.as_stack_failure("AWSGlue", _glue(account_id, region_name).create_table)(
            properties["DatabaseName"], table_name, table_input, properties.get("OpenTableFormatInput")
        )
        return cls(account_id, region_name, str(properties["DatabaseName"]).lower(), table_name)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        table_input = {**(new.get("TableInput") or {}), "Name": self.name}
        delivery.as_stack_failure("AWSGlue", _glue(self.account_id, self.region_name).update_table)(
            self.database, self.name, table_input
        )

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _glue(account_id, region_name)
        database = backend.databases.get(self.database)
        if database is not None and self.name in database.tables:
            backend.delete_table(self.database, self.name)


def _configuration_updates(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The UpdateWorkGroup ConfigurationUpdates that bring one WorkGroupConfiguration to another."""
    updates = {k: v for k, v in new.items() if k != "ResultConfiguration"}
    if "BytesScannedCutoffPerQuery" in old and "BytesScannedCutoffPerQuery" not in new:
        updates["RemoveBytesScannedCutoffPerQuery"] = True
    old_result, new_result = old.get("ResultConfiguration") or {}, new.get("ResultConfiguration") or {}
    result_updates = dict(new_result)
    for key in ("OutputLocation", "EncryptionConfiguration", "ExpectedBucketOwner", "AclConfiguration"):
        if key in old_result and key not in new_result:
            result_updates[f"Remove{key}"] = True
    updates["ResultConfigurationUpdates"] = result_updates
    return updates


@register
class AthenaWorkGroup(_Named):
    cfn_type = "AWS::Athena::WorkGroup"
    name_property = "Name"
    create_only = ("Name",)
    attributes = {
        "CreationTime": "creation_time",
        "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion": "effective_engine_version",
    }

    @property
    def backend(self) -> AthenaBackend:
        return _athena(self.account_id, self.region_name)

    @property
    def creation_time(self) -> str:
        stamp = getattr(self.backend.work_groups[self.name], "creation_time", time.time())
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))

    @property
    def effective_engine_version(self) -> str:
        engine = self.backend.work_groups[self.name].configuration.get("EngineVersion") or {}
        return engine.get("EffectiveEngineVersion", "Athena engine version 3")

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = _athena(account_id, region_name)
        if name in backend.work_groups:
            raise TemplateError(f"WorkGroup {name} already exists.")
        configuration = dict(properties.get("WorkGroupConfiguration") or {})
        delivery.as_stack_failure("AmazonAthena", backend.create_work_group)(
            name, configuration, properties.get("Description") or "", properties.get("Tags") or []
        )
        resource = cls(account_id, region_name, name)
        if properties.get("WorkGroupConfigurationUpdates"):
            delivery.as_stack_failure("AmazonAthena", backend.update_work_group)(
                name, updates=properties["WorkGroupConfigurationUpdates"]
            )
        if properties.get("State"):
            delivery.as_stack_failure("AmazonAthena", backend.update_work_group)(name, state=properties["State"])
        return resource

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        updates = None
        if changed(old, new, "WorkGroupConfiguration"):
            updates = _configuration_updates(old.get("WorkGroupConfiguration") or {}, new.get("WorkGroupConfiguration") or {})
        if changed(old, new, "WorkGroupConfigurationUpdates") and new.get("WorkGroupConfigurationUpdates"):
            updates = {**(updates or {}), **new["WorkGroupConfigurationUpdates"]}
        description = new.get("Description", "") if changed(old, new, "Description") else None
        state = new.get("State") or "ENABLED" if changed(old, new, "State") else None
        delivery.as_stack_failure("AmazonAthena", self.backend.update_work_group)(
            self.name, description=description, updates=updates, state=state
        )

    def delete(self, account_id: str, region_name: str) -> None:
        if self.name in self.backend.work_groups:
            recursive = boolean(applied(self).get("RecursiveDeleteOption"))
            delivery.as_stack_failure("AmazonAthena", self.backend.delete_work_group)(self.name, recursive=recursive)


@register
class AthenaNamedQuery(ExtensionModel):
    cfn_type = "AWS::Athena::NamedQuery"
    create_only = ("Database", "Description", "Name", "QueryString", "WorkGroup")
    attributes = {"NamedQueryId": "query_id"}

    def __init__(self, account_id: str, region_name: str, query_id: str):
        super().__init__(account_id, region_name)
        self.query_id = query_id

    @property
    def physical_resource_id(self) -> str:
        return self.query_id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        backend = _athena(account_id, region_name)
        query_id = delivery.as_stack_failure("AmazonAthena", backend.create_named_query)(
            properties.get("Name") or name,
            properties.get("Description"),
            properties.get("Database"),
            properties.get("QueryString"),
            properties.get("WorkGroup") or "primary",
        )
        return cls(account_id, region_name, query_id)

    def apply(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        # Every property replaces the query (create_only); nothing updates in place.
        return None

    def delete(self, account_id: str, region_name: str) -> None:
        _athena(account_id, region_name).named_queries.pop(self.query_id, None)


# --------------------------------------------------------------------------
# Installation
# --------------------------------------------------------------------------


def install() -> None:
    if _original:
        return
    _original["create_work_group"] = AthenaBackend.create_work_group
    _original["create_named_query"] = AthenaBackend.create_named_query
    _original["response_list_named_queries"] = AthenaResponse.list_named_queries
    AthenaBackend.create_work_group = create_work_group
    AthenaBackend.get_work_group = get_work_group
    AthenaBackend.update_work_group = update_work_group
    AthenaBackend.delete_work_group = delete_work_group
    AthenaBackend.create_named_query = create_named_query
    AthenaBackend.delete_named_query = delete_named_query
    AthenaResponse.get_work_group = _response_get_work_group
    AthenaResponse.update_work_group = _response_update_work_group
    AthenaResponse.delete_work_group = _response_delete_work_group
    AthenaResponse.create_named_query = _response_create_named_query
    AthenaResponse.get_named_query = _response_get_named_query
    AthenaResponse.batch_get_named_query = _response_batch_get_named_query
    AthenaResponse.delete_named_query = _response_delete_named_query
    AthenaResponse.list_named_queries = _response_list_named_queries
    for name in (
        "create_database",
        "get_database",
        "update_database",
        "delete_database",
        "create_table",
        "get_table",
        "update_table",
        "delete_table",
    ):
        _original[f"glue_{name}"] = getattr(GlueBackend, name)
        setattr(GlueBackend, name, globals()[f"glue_{name}"])
