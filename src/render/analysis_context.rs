//! The values of the analysis template: the Glue tables over the log archive with their
//! partition projection rendered from the organization, the workgroup's settings, the
//! hunting queries and what the investigator role may read. Pure.

use serde_json::{json, Map, Value};

use crate::addr::Target;
use crate::config::Environment;
use crate::discover::Scope;
use crate::model::analysis::{
    self, location_template, projection_parameters, storage_location, AnalysisNames, Log, Table,
};
use crate::workload::DestinationNames;

use super::context::ForensicNames;

pub fn build(env: &Environment, scope: &Scope, target: &Target) -> Value {
    let spec = env
        .forensic
        .as_ref()
        .and_then(|f| f.analysis.as_ref())
        .expect("placed only with forensic.analysis");
    let names = AnalysisNames::new(env, target);
    let archive = ForensicNames::new(env, target);
    let tables: Vec<Value> = analysis::tables(env)
        .into_iter()
        .map(|table| {
            json!({
                "logical": logical_id("Table", &table.name),
                "description": table.description,
                "input": table_input(table, env, scope, &archive.log_archive_bucket),
            })
        })
        .collect();
    let queries: Vec<Value> = analysis::queries(env)
        .into_iter()
        .map(|q| {
            json!({
                "logical": logical_id("Query", q.name.trim_start_matches("irready-")),
                "name": q.name,
                "description": format!("{} Parameters: {}.", q.description, q.parameters.join(", ")),
                "query": q.query,
            })
        })
        .collect();
    let (read_buckets, read_objects) = readable(env, &archive.log_archive_bucket);
    json!({
        "database": names.database,
        "workgroup": names.workgroup,
        "results_bucket": names.results_bucket,
        "results_key_alias": names.results_key_alias,
        "results_days": spec.results_days,
        "scan_cutoff_bytes": spec.scan_cutoff_bytes,
        "tables": tables,
        "queries": queries,
        // The access stack makes the role only where the forensic account is a target.
        "investigator_role": env
            .access
            .as_ref()
            .filter(|_| scope.accounts.contains(&target.account))
            .map(|a| a.investigator.role_name.clone()),
        "log_archive_key_alias": archive.log_archive_key_alias,
        "read_buckets": read_buckets,
        "read_objects": read_objects,
    })
}

/// `irready_access_key_activity` → `QueryAccessKeyActivity`.
fn logical_id(prefix: &str, name: &str) -> String {
    let mut out = prefix.to_owned();
    for word in name.split(['_', '-']) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// The Glue `TableInput` of one table (AWS::Glue::Table resource reference, TableInput):
/// an external table whose partitions Athena projects from `storage.location.template`.
pub fn table_input(table: &Table, env: &Environment, scope: &Scope, archive: &str) -> Value {
    let template = location_template(table, env, scope, archive);
    let mut parameters: Map<String, Value> = table
        .table_parameters
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    parameters.insert("EXTERNAL".to_owned(), "TRUE".into());
    for (key, value) in projection_parameters(table, scope) {
        parameters.insert(key, value.into());
    }
    parameters.insert(
        "storage.location.template".to_owned(),
        template.clone().into(),
    );
    let columns: Vec<Value> = table
        .columns
        .iter()
        .map(|c| match &c.field {
            Some(field) => json!({
                "Name": c.name,
                "Type": c.kind,
                "Comment": format!("the log's `{field}` field"),
            }),
            None => json!({ "Name": c.name, "Type": c.kind }),
        })
        .collect();
    let partition_keys: Vec<Value> = table
        .partition_keys
        .iter()
        .map(|k| json!({ "Name": k.name, "Type": k.kind }))
        .collect();
    json!({
        "Name": table.name,
        "Description": table.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": partition_keys,
        "StorageDescriptor": {
            "Columns": columns,
            "Location": storage_location(&template),
            "InputFormat": table.input_format,
            "OutputFormat": table.output_format,
            "SerdeInfo": {
                "SerializationLibrary": table.serde.library,
                "Parameters": table.serde.parameters,
            },
        },
    })
}

/// The buckets and objects the investigator reads to query: the log archive's prefixes of
/// the logs the tables read, and the workloads' log buckets.
fn readable(env: &Environment, archive: &str) -> (Vec<String>, Vec<String>) {
    let mut buckets = vec![format!("arn:aws:s3:::{archive}")];
    let mut objects = Vec::new();
    for table in analysis::tables(env) {
        let prefix = match table.log {
            Log::Trail | Log::FlowLogs | Log::DnsQueryLogs | Log::Guardduty => {
                format!("arn:aws:s3:::{archive}/AWSLogs/*")
            }
            Log::Elb | Log::S3Access => {
                let pattern = Target::new(
                    "000000000000".parse().expect("a valid account id"),
                    "us-east-1".parse().expect("a valid region"),
                );
                let names = DestinationNames::new(&env.name, &pattern);
                let bucket = if table.log == Log::Elb {
                    names.elb_access_logs
                } else {
                    names.s3_access_logs
                };
                let wildcard = bucket.replace("000000000000-us-east-1", "*");
                buckets.push(format!("arn:aws:s3:::{wildcard}"));
                format!("arn:aws:s3:::{wildcard}/*")
            }
        };
        if !objects.contains(&prefix) {
            objects.push(prefix);
        }
    }
    buckets.dedup();
    (buckets, objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_camel_case() {
        assert_eq!(
            logical_id("Query", "access-key-activity"),
            "QueryAccessKeyActivity"
        );
        assert_eq!(logical_id("Table", "vpc_flow_logs"), "TableVpcFlowLogs");
    }
}
