//! The project's vocabulary, shared by every stage: the organization and what the
//! environment means in it, the components and where each goes, what existing resources
//! cover, the names and tags irready gives things, values known only after apply, and the
//! pure rules both plan and check apply. Depends only on `addr` and `config`; no I/O.

pub mod analysis;
pub mod component;
pub mod controls;
pub mod covered;
pub mod deferred;
pub mod organization;
pub mod outputs;
pub mod rules;
pub mod runbooks;
pub mod scope;
pub mod tags;
