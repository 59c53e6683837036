//! Desired state: loads `environments/*.yaml` into a typed, validated [`Environment`].
//!
//! Loading never touches the network. Every problem is reported with the file, line,
//! column and field it concerns, and all semantic problems of a file are reported at once.
//! References to accounts and OUs by name stay unresolved here ([`AccountRef`], [`OuRef`]):
//! only discovery knows the organization, and it reports unknown names at the same
//! locations.

mod position;
mod raw;
mod resolve;
mod spec;
mod workload;

use std::fmt;
use std::path::{Path, PathBuf};

use ipnet::Ipv4Net;
use sha2::{Digest, Sha256};

use crate::addr::{AccountId, Region, KNOWN_REGIONS};
pub use position::{Position, PositionIndex};
use raw::RawEnvironment;
use resolve::{serde_diagnostic, Resolver};
pub use spec::*;
pub use workload::{
    ExistingDestinations, RawWorkloadLogging, WorkloadKind, WorkloadLoggingSpec,
    DEFAULT_WORKLOAD_LOG_DAYS,
};

/// Where a value came from: file, line, column and field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub position: Position,
    pub field: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.position.line,
            self.position.column,
            self.field
        )
    }
}

/// A value together with the place in the environment file that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub at: Location,
}

/// One problem in an environment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub at: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let noun = if diagnostics.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    format!(
        "{} {noun} in the environment file:\n  {}",
        diagnostics.len(),
        lines.join("\n  ")
    )
}

/// The JSON Schema of environment files, generated from the structs the loader reads
/// them with: what editors complete and check. The loader checks more (values, references,
/// combinations); the schema never accepts a key or a shape the loader refuses.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(raw::RawEnvironment);
    schema.insert(
        "$id".to_owned(),
        "https://irready.dev/schema/environment.schema.json".into(),
    );
    schema.insert("title".to_owned(), "irready environment file".into());
    schema.to_value()
}

/// Loads and validates an environment file. No AWS call is made.
pub fn load(path: &Path) -> Result<Environment, ConfigError> {
    let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &source)
}

/// Parses and validates environment text; `path` is used in messages only.
pub fn parse(path: &Path, source: &str) -> Result<Environment, ConfigError> {
    let index = PositionIndex::build(source);
    let deserializer = serde_yaml::Deserializer::from_str(source);
    let raw: RawEnvironment = match serde_path_to_error::deserialize(deserializer) {
        Ok(raw) => raw,
        Err(err) => {
            return Err(ConfigError::Invalid(vec![serde_diagnostic(
                path, &index, err,
            )]))
        }
    };
    let mut resolver = Resolver {
        file: path.to_owned(),
        index,
        diagnostics: Vec::new(),
    };
    let env = resolver.environment(raw, source);
    match env {
        Some(env) if resolver.diagnostics.is_empty() => Ok(env),
        _ => {
            let mut diagnostics = resolver.diagnostics;
            diagnostics.sort_by_key(|d| d.at.position);
            Err(ConfigError::Invalid(diagnostics))
        }
    }
}

#[cfg(test)]
mod tests;
