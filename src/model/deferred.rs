//! Values a plan holds that exist only once apply has run, and resources a new stack
//! takes over rather than creates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::addr::{StackAddr, Target};

/// An existing resource a new stack takes over rather than creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceImport {
    pub logical_id: String,
    pub resource_type: String,
    /// The resource's identifier as CloudFormation's `ResourcesToImport` takes it, such
    /// as `{"BucketName": "..."}` or `{"LogGroupName": "..."}`.
    pub identifier: BTreeMap<String, String>,
}

impl ResourceImport {
    /// The identifier's values, for display.
    pub fn label(&self) -> String {
        self.identifier
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A value known only after apply, such as the ARN of a key another stack creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeferredValue {
    /// The text standing for the value in the planned template; also what the plan shows.
    pub placeholder: String,
    pub source: ValueSource,
}

/// Where a deferred value comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueSource {
    /// An output of another stack, applied before this one.
    StackOutput { stack: StackAddr, output: String },
    /// The id of an analysis image that apply copies into the target's region.
    CopiedImage { target: Target, image: String },
}

impl DeferredValue {
    pub fn new(source: ValueSource) -> Self {
        let placeholder = match &source {
            ValueSource::StackOutput { stack, output } => {
                format!("(known after apply: output {output} of {stack})")
            }
            ValueSource::CopiedImage { target, image } => {
                format!("(known after apply: image {image} copied to {target})")
            }
        };
        Self {
            placeholder,
            source,
        }
    }
}
