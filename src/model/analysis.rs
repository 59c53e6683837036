//! The query layer over the log archive, as data: the Glue tables (one per log irready
//! delivers, `templates/analysis/tables.yaml`) and the hunting queries
//! (`templates/analysis/queries/*.sql`), with the names irready gives the database, the
//! workgroup and the results bucket, and the partition projection each table gets from the
//! organization. Pure: plan renders it, check compares what Glue holds with it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::addr::{AccountId, Region, Target, KNOWN_REGIONS};
use crate::config::{Environment, WorkloadKind};

use super::scope::Scope;

/// Beyond this many accounts the account projection is `injected` rather than an `enum`
/// of every account: each query then gives the account (all irready's queries do), and
/// the table does not change when an account joins.
pub const MAX_ENUM_ACCOUNTS: usize = 50;

/// The log a table reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Log {
    Trail,
    FlowLogs,
    DnsQueryLogs,
    Guardduty,
    Elb,
    S3Access,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The log's own field name, where the column is renamed.
    #[serde(default)]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PartitionKey {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Serde {
    pub library: String,
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

/// The static part of one partition key's projection.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Projection {
    #[serde(rename = "type")]
    pub kind: String,
    pub format: Option<String>,
    pub range: Option<String>,
    pub interval: Option<String>,
    pub unit: Option<String>,
}

/// One table of `tables.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Table {
    pub name: String,
    pub log: Log,
    pub description: String,
    pub location: String,
    #[serde(default)]
    pub location_without_organization: Option<String>,
    pub columns: Vec<Column>,
    pub partition_keys: Vec<PartitionKey>,
    pub serde: Serde,
    pub input_format: String,
    pub output_format: String,
    #[serde(default)]
    pub table_parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub projection: BTreeMap<String, Projection>,
}

/// One hunting query of `queries/*.sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuntingQuery {
    pub name: String,
    pub description: String,
    /// The table it reads.
    pub table: String,
    /// What each `?` stands for, in order.
    pub parameters: Vec<String>,
    pub query: String,
}

const QUERY_FILES: &[(&str, &str)] = &[
    (
        "access_key_activity",
        include_str!("../../templates/analysis/queries/access_key_activity.sql"),
    ),
    (
        "console_logins_without_mfa",
        include_str!("../../templates/analysis/queries/console_logins_without_mfa.sql"),
    ),
    (
        "cross_account_assume_role",
        include_str!("../../templates/analysis/queries/cross_account_assume_role.sql"),
    ),
    (
        "defense_evasion",
        include_str!("../../templates/analysis/queries/defense_evasion.sql"),
    ),
    (
        "dns_queries_of_instance",
        include_str!("../../templates/analysis/queries/dns_queries_of_instance.sql"),
    ),
    (
        "iam_persistence",
        include_str!("../../templates/analysis/queries/iam_persistence.sql"),
    ),
    (
        "rejected_flows_by_address",
        include_str!("../../templates/analysis/queries/rejected_flows_by_address.sql"),
    ),
    (
        "rejected_flows_by_interface",
        include_str!("../../templates/analysis/queries/rejected_flows_by_interface.sql"),
    ),
    (
        "role_session_activity",
        include_str!("../../templates/analysis/queries/role_session_activity.sql"),
    ),
    (
        "s3_data_access_by_principal",
        include_str!("../../templates/analysis/queries/s3_data_access_by_principal.sql"),
    ),
    (
        "source_ip_activity",
        include_str!("../../templates/analysis/queries/source_ip_activity.sql"),
    ),
];

/// Every table irready knows, in the order of `tables.yaml`.
pub fn all_tables() -> &'static [Table] {
    static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        serde_yaml::from_str(include_str!("../../templates/analysis/tables.yaml"))
            .expect("templates/analysis/tables.yaml is valid (a unit test reads it)")
    })
}

/// Every hunting query, by file name order.
pub fn all_queries() -> &'static [HuntingQuery] {
    static QUERIES: OnceLock<Vec<HuntingQuery>> = OnceLock::new();
    QUERIES.get_or_init(|| {
        QUERY_FILES
            .iter()
            .map(|(file, text)| {
                parse_query(text).unwrap_or_else(|e| panic!("queries/{file}.sql: {e}"))
            })
            .collect()
    })
}

/// A query file: `-- key: value` header lines, then the query.
fn parse_query(text: &str) -> Result<HuntingQuery, String> {
    let mut header: BTreeMap<&str, &str> = BTreeMap::new();
    let mut body = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("-- ").and_then(|l| l.split_once(": ")) {
            Some((key, value)) if body.is_empty() => {
                header.insert(key.trim(), value.trim());
            }
            _ => body.push(line),
        }
    }
    let field = |key: &str| {
        header
            .get(key)
            .map(|v| (*v).to_owned())
            .ok_or_else(|| format!("no `-- {key}:` header"))
    };
    let query = body.join("\n").trim().trim_end_matches(';').to_owned();
    if query.is_empty() {
        return Err("no query".to_owned());
    }
    Ok(HuntingQuery {
        name: field("name")?,
        description: field("description")?,
        table: field("table")?,
        parameters: field("parameters")?
            .split(", ")
            .map(str::to_owned)
            .collect(),
        query,
    })
}

/// Whether the environment asks for the query layer: a log archive to read, and
/// `forensic.analysis` not turned off.
pub fn wanted(env: &Environment) -> bool {
    env.logging.is_some() && env.forensic.as_ref().is_some_and(|f| f.analysis.is_some())
}

/// Whether irready delivers `log` into a place a table can read, in this environment.
pub fn delivers(env: &Environment, log: Log) -> bool {
    let logging = env.logging.as_ref();
    let workload = |kind| env.workload_logging.as_ref().is_some_and(|w| w.wants(kind));
    match log {
        Log::Trail => logging.is_some_and(|l| l.cloudtrail.is_some()),
        Log::FlowLogs => logging.is_some_and(|l| l.flow_logs.is_some()),
        Log::DnsQueryLogs => logging.is_some_and(|l| l.dns_query_logs),
        Log::Guardduty => logging.is_some_and(|l| l.guardduty.is_some()),
        Log::Elb => workload(WorkloadKind::Elb),
        Log::S3Access => workload(WorkloadKind::S3),
    }
}

/// The tables of the logs this environment delivers.
pub fn tables(env: &Environment) -> Vec<&'static Table> {
    all_tables()
        .iter()
        .filter(|t| delivers(env, t.log))
        .collect()
}

/// The queries over those tables.
pub fn queries(env: &Environment) -> Vec<&'static HuntingQuery> {
    let tables: Vec<&str> = tables(env).iter().map(|t| t.name.as_str()).collect();
    all_queries()
        .iter()
        .filter(|q| tables.contains(&q.table.as_str()))
        .collect()
}

/// The names irready gives the query layer's resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisNames {
    /// Glue database: lowercase, digits and underscores.
    pub database: String,
    pub workgroup: String,
    pub results_bucket: String,
    pub results_key_alias: String,
}

impl AnalysisNames {
    pub fn new(env: &Environment, forensic: &Target) -> Self {
        let name = &env.name;
        Self {
            database: format!("irready_{}", name.to_lowercase().replace('-', "_")),
            workgroup: format!("irready-{name}"),
            results_bucket: format!(
                "irready-{name}-athena-{}-{}",
                forensic.account, forensic.region
            ),
            results_key_alias: format!("alias/irready-{name}-athena"),
        }
    }
}

/// The values of a table's projected partition keys that irready renders from the
/// organization (`account`, `region`); the others are static, in `tables.yaml`.
pub fn projected_accounts(scope: &Scope) -> Vec<AccountId> {
    let mut accounts: Vec<AccountId> = scope
        .organization
        .accounts
        .iter()
        .filter(|a| a.is_active())
        .map(|a| a.id.clone())
        .chain(scope.accounts.iter().cloned())
        .collect();
    accounts.sort();
    accounts.dedup();
    accounts
}

/// The regions a table's region projection lists: a trail records every region, so its
/// table lists every region irready knows; the other logs are where the environment
/// places them.
pub fn projected_regions(table: &Table, scope: &Scope) -> Vec<Region> {
    match table.log {
        Log::Trail => KNOWN_REGIONS
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect(),
        _ => scope.regions.clone(),
    }
}

/// Every `projection.*` table parameter of `table`, as rendered for this organization.
pub fn projection_parameters(table: &Table, scope: &Scope) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    out.insert("projection.enabled".to_owned(), "true".to_owned());
    for key in &table.partition_keys {
        let name = &key.name;
        let mut set = |what: &str, value: String| {
            out.insert(format!("projection.{name}.{what}"), value);
        };
        if let Some(projection) = table.projection.get(name) {
            set("type", projection.kind.clone());
            for (what, value) in [
                ("format", &projection.format),
                ("range", &projection.range),
                ("interval", &projection.interval),
                ("interval.unit", &projection.unit),
            ] {
                if let Some(value) = value {
                    set(what, value.clone());
                }
            }
            continue;
        }
        match name.as_str() {
            "account" => {
                let accounts = projected_accounts(scope);
                if accounts.len() > MAX_ENUM_ACCOUNTS {
                    set("type", "injected".to_owned());
                } else {
                    set("type", "enum".to_owned());
                    set("values", join(&accounts));
                }
            }
            "region" => {
                set("type", "enum".to_owned());
                set("values", join(&projected_regions(table, scope)));
            }
            // A key neither tables.yaml nor the organization gives values for is given
            // by each query.
            _ => set("type", "injected".to_owned()),
        }
    }
    out
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The table's `storage.location.template`, with irready's placeholders filled.
pub fn location_template(
    table: &Table,
    env: &Environment,
    scope: &Scope,
    archive_bucket: &str,
) -> String {
    let org_id = scope.organization.id.as_deref();
    let template = match (org_id, &table.location_without_organization) {
        (None, Some(without)) => without,
        _ => &table.location,
    };
    template
        .replace("{bucket}", archive_bucket)
        .replace("{org_id}", org_id.unwrap_or_default())
        .replace("{environment}", &env.name)
}

/// `StorageDescriptor.Location`: the template cut before its first projected key, or the
/// template itself when that leaves no bucket name.
pub fn storage_location(template: &str) -> String {
    let Some(first) = template.find("${") else {
        return template.to_owned();
    };
    let head = &template[..first];
    match head.rfind('/') {
        Some(cut) if cut + 1 > "s3://".len() && head[..=cut].len() > "s3://".len() + 1 => {
            head[..=cut].to_owned()
        }
        _ => template.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scope;

    #[test]
    fn every_table_and_query_reads_and_every_query_names_a_table() {
        let tables = all_tables();
        assert_eq!(tables.len(), 6);
        let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        for query in all_queries() {
            assert!(names.contains(&query.table.as_str()), "{}", query.name);
            assert_eq!(
                query.parameters.len(),
                query.query.matches('?').count(),
                "{}: one description per `?`",
                query.name
            );
        }
        for table in tables {
            for key in &table.partition_keys {
                assert!(
                    table.location.contains(&format!("${{{}}}", key.name)),
                    "{}: {} not in the location",
                    table.name,
                    key.name
                );
            }
        }
    }

    #[test]
    fn the_account_projection_lists_the_organization_until_it_is_too_large() {
        let scope = scope::tests::resolved(
            "name: t\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
             organization:\n  targets:\n    all: true\n",
        );
        let trail = &all_tables()[0];
        let params = projection_parameters(trail, &scope);
        assert_eq!(params["projection.account.type"], "enum");
        let accounts = projected_accounts(&scope);
        assert_eq!(params["projection.account.values"], join(&accounts));
        assert!(params["projection.region.values"].contains("ap-southeast-2"));
        assert_eq!(params["projection.date.format"], "yyyy/MM/dd");
        let flow = all_tables()
            .iter()
            .find(|t| t.log == Log::FlowLogs)
            .unwrap();
        assert_eq!(
            projection_parameters(flow, &scope)["projection.region.values"],
            "us-east-1,eu-west-1"
        );

        let mut large = scope.clone();
        for n in 0..MAX_ENUM_ACCOUNTS {
            large.accounts.push(
                format!("{:012}", 900_000_000_000u64 + n as u64)
                    .parse()
                    .unwrap(),
            );
        }
        let params = projection_parameters(trail, &large);
        assert_eq!(params["projection.account.type"], "injected");
        assert!(!params.contains_key("projection.account.values"));
    }

    #[test]
    fn the_storage_location_is_the_template_up_to_its_first_projected_key() {
        assert_eq!(
            storage_location("s3://b/AWSLogs/o-1/${account}/CloudTrail/${region}/${date}/"),
            "s3://b/AWSLogs/o-1/"
        );
        assert_eq!(
            storage_location("s3://irready-t-elb-logs-${account}-${region}/${lb}/"),
            "s3://irready-t-elb-logs-${account}-${region}/${lb}/"
        );
    }
}
