//! irready: prepares AWS organizations for security incidents, as code.
//!
//! Stages, each in its own module: `config` (desired state), `discover` (current state),
//! `render` (templates), `plan` (differences), `apply` (change sets), `report` (views),
//! over a shared vocabulary, `model`. `aws` is the only module that knows the AWS SDK.
//! Every import points down the order in `layers`. See ARCHITECTURE.md.

pub mod addr;
pub mod apply;
pub mod aws;
pub mod check;
pub mod cli;
pub mod config;
pub mod discover;
pub mod layers;
pub mod model;
pub mod plan;
pub mod render;
pub mod report;
pub mod respond;
pub mod tabletop;
pub mod workflow;
pub mod workload;
