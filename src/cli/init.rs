//! `irready init`: writes a commented environment file from the live organization, read
//! with the management account's credentials (read-only): its OUs and accounts, the regions
//! enabled, a forensic account proposed by name, and what exists already (an organization
//! trail, GuardDuty detectors, Config recorders made outside irready) with the hint the
//! plan will show for it. The file validates and plans as written; it is a start to review.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{AwsArgs, ExitCode};
use crate::addr::{AccountId, Region};
use crate::aws::{cloudtrail, configservice, ec2, guardduty, org, Aws};
use crate::discover::organization::Organization;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the environment file.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// The environment's name (1-16 lowercase letters, digits and dashes).
    #[arg(long, default_value = "prod")]
    pub name: String,
    /// The home region: the forensic core, the trail and the alarms go there.
    #[arg(long, default_value = "us-east-1")]
    pub home_region: Region,
    /// The forensic account, by name or id; by default one whose name mentions
    /// "forensic", else the first account that is not the management account.
    #[arg(long, value_name = "ACCOUNT")]
    pub forensic_account: Option<String>,
    /// The role irready assumes in member accounts.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub member_role: String,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// What init found outside irready, for the hints it writes.
#[derive(Debug, Default)]
struct Found {
    trails: Vec<String>,
    detectors: Vec<String>,
    recorders: Vec<String>,
}

pub async fn run(args: InitArgs) -> anyhow::Result<ExitCode> {
    if args.out.exists() && !args.force {
        anyhow::bail!(
            "{} exists: irready init does not overwrite it (pass --force to replace it)",
            args.out.display()
        );
    }
    let aws = args.aws.connect().await;
    let caller = aws
        .caller_account()
        .await
        .context("reading the caller's identity")?;
    let session = aws.caller_session(caller.clone());
    let organization = org::read_organization(&aws, &session)
        .await
        .context("reading the organization")?
        .unwrap_or_else(|| Organization::single_account(caller.clone()));
    let regions = ec2::enabled_regions(&aws, &session, &args.home_region)
        .await
        .context("listing the enabled regions")?;
    let found = existing(&aws, &args, &caller, &organization).await;
    let text = file(&args, &organization, &regions, &found)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, text).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "Wrote {}. Review it, then: irready validate -e {0} && irready plan -e {0}",
        args.out.display()
    );
    args.aws.print_stats(&aws);
    Ok(ExitCode::Ok)
}

/// What exists outside irready: trails of the management account's home region, and the
/// detector and recorder of each active account's home region. An account that cannot be
/// entered is left out of the hints (plan reports it).
async fn existing(aws: &Aws, args: &InitArgs, caller: &AccountId, org: &Organization) -> Found {
    let mut found = Found::default();
    let home = &args.home_region;
    let none = Default::default();
    for account in org.accounts.iter().filter(|a| a.is_active()) {
        let session = if account.id == *caller {
            aws.caller_session(caller.clone())
        } else {
            aws.session(caller, &account.id, &args.member_role, "irready-init")
                .await
        };
        if account.id == org.management_account {
            if let Ok(trails) = cloudtrail::trails(aws, &session, home, &none).await {
                found.trails.extend(trails.iter().map(|t| {
                    let kind = if t.is_organization {
                        "organization"
                    } else {
                        "account"
                    };
                    format!("{} ({kind} trail, {})", t.name, t.arn)
                }));
            }
        }
        if let Ok(detectors) = guardduty::detectors(aws, &session, home, &none).await {
            found.detectors.extend(
                detectors
                    .iter()
                    .map(|d| format!("{} in {}", d.id, account.name)),
            );
        }
        if let Ok(recorders) = configservice::recorders(aws, &session, home, &none).await {
            found.recorders.extend(
                recorders
                    .iter()
                    .map(|r| format!("{} in {}", r.name, account.name)),
            );
        }
    }
    found
}

/// The environment file's text.
fn file(
    args: &InitArgs,
    org: &Organization,
    regions: &[Region],
    found: &Found,
) -> anyhow::Result<String> {
    let active: Vec<_> = org.accounts.iter().filter(|a| a.is_active()).collect();
    let forensic = match &args.forensic_account {
        Some(wanted) => active
            .iter()
            .find(|a| a.name == *wanted || a.id.as_str() == wanted)
            .with_context(|| format!("no active account named {wanted} in the organization"))?,
        None => active
            .iter()
            .find(|a| a.name.to_lowercase().contains("forensic"))
            .or_else(|| active.iter().find(|a| a.id != org.management_account))
            .or_else(|| active.first())
            .context("the organization has no active account")?,
    };
    let security: Vec<&str> = active
        .iter()
        .filter(|a| a.name.to_lowercase().contains("security") && a.id != forensic.id)
        .map(|a| a.name.as_str())
        .collect();
    let mut out = String::new();
    let w = &mut out;
    writeln!(
        w,
        "# yaml-language-server: $schema=../schema/environment.schema.json"
    )?;
    writeln!(
        w,
        "# Written by `irready init` from {} (management account {}).",
        org.id
            .as_deref()
            .map_or("a single account".to_owned(), |id| format!(
                "organization {id}"
            )),
        org.management_account
    )?;
    writeln!(
        w,
        "# Review every line, then: irready validate -e FILE && irready plan -e FILE"
    )?;
    writeln!(w, "name: {}", args.name)?;
    writeln!(w, "home_region: {}", args.home_region)?;
    let enabled: Vec<String> = regions.iter().map(ToString::to_string).collect();
    writeln!(w, "# Enabled in the management account:")?;
    for line in wrap(&enabled, 86) {
        writeln!(w, "#   {line}")?;
    }
    writeln!(
        w,
        "# Add the regions to prepare, or write `regions: all-enabled` for every one."
    )?;
    writeln!(w, "regions: [{}]", args.home_region)?;
    writeln!(w)?;
    writeln!(w, "organization:")?;
    writeln!(w, "  member_role: {}", args.member_role)?;
    writeln!(w, "  # The organization's accounts, by OU:")?;
    for unit in &org.units {
        let members: Vec<String> = active
            .iter()
            .filter(|a| a.parent == unit.id)
            .map(|a| format!("{} ({})", a.name, a.id))
            .collect();
        if !members.is_empty() {
            writeln!(
                w,
                "  #   {} ({}): {}",
                unit.path.join("/"),
                unit.id,
                members.join(", ")
            )?;
        }
    }
    writeln!(
        w,
        "  # Every active account is a target; or list them: `accounts: [...]`,"
    )?;
    writeln!(w, "  # `include_ous: [...]`, `exclude_accounts: [...]`.")?;
    writeln!(w, "  targets:")?;
    writeln!(w, "    all: true")?;
    writeln!(w)?;
    writeln!(w, "forensic:")?;
    writeln!(
        w,
        "  # Proposed: {} ({}). Name an account that holds nothing else, or write",
        forensic.name, forensic.id
    )?;
    writeln!(
        w,
        "  # `create: {{ name: forensics, email: ... }}` to have apply create one."
    )?;
    writeln!(w, "  account: {}", quoted(&forensic.name))?;
    writeln!(w)?;
    writeln!(w, "access:")?;
    writeln!(
        w,
        "  # Who may assume the breakglass role (with MFA): accounts by name, or role ARNs."
    )?;
    let principals = if security.is_empty() {
        vec![forensic.name.as_str()]
    } else {
        security
    };
    let principals: Vec<String> = principals.iter().map(|p| quoted(p)).collect();
    writeln!(w, "  security_principals: [{}]", principals.join(", "))?;
    writeln!(w)?;
    writeln!(w, "logging:")?;
    writeln!(w, "  cloudtrail: {{ organization: {} }}", org.enabled)?;
    if found.trails.is_empty() {
        writeln!(
            w,
            "  # No trail exists in the management account's {}.",
            args.home_region
        )?;
    } else {
        writeln!(w, "  # Trails that exist: {}.", found.trails.join("; "))?;
        writeln!(
            w,
            "  # One that meets every setting stands for irready's (the plan says \"satisfied\n  # by existing\"); one that lacks only data events is complemented by a trail of\n  # data events only; otherwise irready adds its own."
        )?;
    }
    writeln!(
        w,
        "  guardduty: {{ features: [s3, eks_audit, ebs_malware, rds_login, runtime] }}"
    )?;
    if !found.detectors.is_empty() {
        writeln!(
            w,
            "  # Detectors that exist ({}): {}.",
            args.home_region,
            found.detectors.join(", ")
        )?;
        writeln!(
            w,
            "  # GuardDuty allows one per account and region: add `adopt: true` above to accept\n  # each as it is, or the plan reports what each lacks."
        )?;
    }
    writeln!(w, "  config: {{ all_supported: true }}")?;
    if !found.recorders.is_empty() {
        writeln!(
            w,
            "  # Config recorders that exist ({}): {}.",
            args.home_region,
            found.recorders.join(", ")
        )?;
        writeln!(
            w,
            "  # One per account and region: `adopt: true` accepts each as it is."
        )?;
    }
    writeln!(
        w,
        "  flow_logs: {{ traffic: ALL, aggregation_seconds: 60 }}"
    )?;
    writeln!(w, "  dns_query_logs: true")?;
    writeln!(w, "  # Who the CIS alarms notify:")?;
    writeln!(w, "  alarm_emails: []")?;
    Ok(out)
}

/// `words` joined by ", " in lines of at most `width` characters.
fn wrap(words: &[String], width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in words {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.len() + word.len() + 2 > width {
            lines.push(String::new());
        }
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(word);
    }
    lines
}

/// A YAML scalar for a name: quoted when YAML would read it as something else.
fn quoted(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.chars().all(|c| c.is_ascii_digit())
        && !matches!(
            name,
            "true" | "false" | "yes" | "no" | "null" | "on" | "off"
        );
    if plain {
        name.to_owned()
    } else {
        serde_json::to_string(name).expect("strings serialize")
    }
}
