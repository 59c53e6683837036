//! The tags irready puts on what it makes.

/// Tags irready puts on every stack it manages; discovery finds its stacks by them.
pub const TAG_MANAGED: &str = "irready:managed";
pub const TAG_ENVIRONMENT: &str = "irready:environment";
pub const TAG_COMPONENT: &str = "irready:component";
/// On every stack of an ephemeral environment: when it expires (RFC 3339).
pub const TAG_EXPIRES: &str = "irready:expires";
/// On the stack of a tabletop exercise's resources: the scenario.
pub const TAG_EXERCISE: &str = "irready:exercise";
