//! Readiness: whether the organization is ready for an incident, whoever made it so.
//! Unlike `plan`, which compares irready's stacks with the environment, `check` reads the
//! live state of every control through the service APIs and judges it.

pub mod controls;
pub mod model;

pub use model::*;
