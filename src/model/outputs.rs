//! The outputs irready's stacks carry about themselves: what they were rendered from, for
//! `plan --refresh=false`.

/// Output a regional baseline stack carries while it holds AWS Config's service-linked
/// role, so that the next plan keeps it there rather than seeing "role exists, don't
/// create it" and removing it.
pub const CONFIG_ROLE_OUTPUT: &str = "IrreadyOwnsConfigServiceRole";

/// Outputs recording the facts a stack was rendered from, so that `plan --refresh=false`
/// can trust them instead of reading them again: the VPCs a regional baseline covers
/// (their ids separated by spaces, or `none`) and the S3 prefix list of a forensic VPC.
pub const VPCS_OUTPUT: &str = "IrreadyInputVpcs";
pub const S3_PREFIX_LIST_OUTPUT: &str = "IrreadyInputS3PrefixList";
/// The value of [`VPCS_OUTPUT`] when the target has no VPC: an output cannot be empty.
pub const NO_VPCS: &str = "none";
/// What resources outside irready covered when a regional baseline was rendered
/// ([`super::covered::Covered::baseline_record`]), and which existing trail stood for irready's when org
/// logging was ([`super::covered::CoveringTrail::record`]).
pub const COVERED_OUTPUT: &str = "IrreadyInputCovered";
pub const TRAIL_OUTPUT: &str = "IrreadyInputTrail";
