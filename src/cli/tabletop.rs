//! `irready tabletop up|down`: a throw-away environment for an exercise. `up` applies
//! the (ephemeral) environment, plants the scenario's resources in a workload account
//! through a stack of their own, and prints the responders' brief; `down` is `destroy`
//! (the exercise first, evidence kept).

use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::apply::ApplyArgs;
use super::destroy::DestroyArgs;
use super::{AwsArgs, EnvArgs, ExitCode};
use crate::addr::{AccountId, StackAddr, Target};
use crate::apply::{self, progress, ApplyOptions};
use crate::aws::{cfn, ec2, iam, Aws};
use crate::discover::{self, Discovery};
use crate::render::{Component, ForensicNames};
use crate::tabletop::{self, BriefFacts, Scenario};
use crate::{config, workflow};

#[derive(Debug, Args)]
pub struct TabletopArgs {
    #[command(subcommand)]
    pub command: TabletopCommand,
}

#[derive(Debug, Subcommand)]
pub enum TabletopCommand {
    /// Apply an ephemeral environment, plant a scenario, print the exercise brief.
    Up(UpArgs),
    /// Remove the exercise and the environment; evidence and logs stay.
    Down(DownArgs),
}

#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    /// The scenario: compromised-instance or leaked-key.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
        Scenario::ALL.map(Scenario::name)))]
    pub scenario: String,
    /// The workload account the scenario goes into (name or id); by default the first
    /// target account by name that is neither the forensic nor the caller's account.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How long one stack operation may take, in minutes.
    #[arg(long, default_value_t = 60, value_name = "MINUTES")]
    pub stack_timeout: u64,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Destroy without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How long one stack deletion may take, in minutes.
    #[arg(long, default_value_t = 60, value_name = "MINUTES")]
    pub stack_timeout: u64,
}

pub async fn run(args: TabletopArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    match args.command {
        TabletopCommand::Up(args) => up(args, verbose).await,
        TabletopCommand::Down(args) => {
            let env = config::load(&args.env.env)?;
            if env.ephemeral.is_none() {
                bail!(
                    "{}: `tabletop down` removes ephemeral environments only; use `destroy`",
                    args.env.env.display()
                );
            }
            let destroy = DestroyArgs {
                env: vec![args.env.env],
                expired: false,
                aws: args.aws,
                auto_approve: args.auto_approve,
                stack_timeout: args.stack_timeout,
            };
            super::destroy::run(destroy, verbose).await
        }
    }
}

/// Holds the environment's apply lock from the apply to the brief.
async fn up(args: UpArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::from_name(&args.scenario).expect("clap checks the name");
    let env = config::load(&args.env.env)?;
    let file = args.env.env.display();
    if env.ephemeral.is_none() {
        bail!(
            "{file}: a tabletop environment must be ephemeral: add `ephemeral: {{ expires: 7d }}`"
        );
    }
    let Some(access) = &env.access else {
        bail!("{file}: a tabletop environment needs `access:` (the responders' roles)");
    };
    if env.forensic.is_none() {
        bail!("{file}: a tabletop environment needs `forensic:` (where evidence goes)");
    }
    if scenario == Scenario::CompromisedInstance && !access.isolation_security_group {
        bail!("{file}: the compromised-instance scenario needs `access.isolation_security_group: true`");
    }
    let aws = args.aws.connect().await;
    let lock = super::lock(&aws, &env, "tabletop up").await?;
    let result = up_locked(&args, &aws, &env, scenario, verbose).await;
    if let Err(err) = lock.release(&aws).await {
        eprintln!("warning: the apply lock was not released: {err}");
    }
    result
}

async fn up_locked(
    args: &UpArgs,
    aws: &Aws,
    env: &config::Environment,
    scenario: Scenario,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let apply_args = ApplyArgs {
        plan: None,
        env: Some(args.env.env.clone()),
        aws: args.aws.clone(),
        refresh: super::RefreshArgs { refresh: true },
        auto_approve: args.auto_approve,
        stack_timeout: args.stack_timeout,
        skip_stale: false,
        allow_data_loss: false,
    };
    let code = super::apply::run_fresh(&apply_args, aws, env, verbose).await?;
    if code != ExitCode::Ok {
        eprintln!("The environment was not applied completely: no exercise was planted.");
        return Ok(code);
    }

    let parallelism = args.aws.parallelism.into();
    let discovery = discover::discover(aws, env, parallelism, discover::Refresh::Live).await?;
    let account = workload_account(&discovery, args.account.as_deref())?;
    let region = env.home_region.clone();
    let target = Target {
        account: account.clone(),
        region: region.clone(),
    };
    let addr = StackAddr::new(&target, tabletop::stack_name(&env.name));
    let session = discovery
        .session(&account)
        .with_context(|| format!("no session for account {account}"))?
        .clone();
    let expires =
        workflow::expiry(env, &discovery, chrono::Utc::now()).map(|t| workflow::format_time(&t));

    // One exercise per environment at a time.
    let running: Vec<_> = discovery
        .targets
        .iter()
        .filter_map(|(t, s)| s.as_ref().ok().map(|s| (t, s)))
        .flat_map(|(t, s)| s.exercises.values().map(move |x| (t, x)))
        .collect();
    let already = match running.as_slice() {
        [] => false,
        [(t, stack)]
            if **t == target
                && stack.tags.get(discover::TAG_EXERCISE).map(String::as_str)
                    == Some(scenario.name()) =>
        {
            true
        }
        [(t, stack), ..] => bail!(
            "an exercise is already running: {} in {t} ({}); `irready tabletop down` first",
            stack.name,
            stack
                .tags
                .get(discover::TAG_EXERCISE)
                .cloned()
                .unwrap_or_default()
        ),
    };
    if !already {
        let image = match scenario {
            Scenario::CompromisedInstance => Some(exercise_image(aws, &session, &target).await?),
            Scenario::LeakedKey => None,
        };
        let body = scenario.template(image.as_deref());
        let tags = tabletop::tags(&env.name, scenario, expires.as_deref());
        let options = ApplyOptions {
            parallelism,
            stack_timeout: Duration::from_secs(args.stack_timeout * 60),
        };
        let progress = progress::for_stderr(1);
        let runner = apply::change_set::Runner {
            aws,
            session: &session,
            options: &options,
            progress: progress.as_ref(),
        };
        apply::exercise::deploy(&runner, &addr, &body, &tags)
            .await
            .map_err(|err| anyhow::anyhow!("{addr}: planting the exercise: {err}"))?;
        progress.finish(&addr, true, "exercise planted");
    }

    let resources = cfn::stack_resources(aws, &session, &region, &addr.stack).await?;
    let subject_id = resources
        .get(scenario.subject_logical_id())
        .and_then(|r| r.physical_id.clone())
        .with_context(|| format!("{addr} holds no {}", scenario.subject_logical_id()))?;
    let responder = iam::role(aws, &session, &access_spec(env).responder.role_name)
        .await?
        .with_context(|| format!("no responder role in account {account}"))?;
    let access_stack = Component::Access.stack_name(&env.name);
    let deny_all = cfn::stack_resources(aws, &session, &region, &access_stack)
        .await?
        .get("DenyAllPolicy")
        .and_then(|r| r.physical_id.clone());
    let isolation_group = match scenario {
        Scenario::CompromisedInstance => {
            let vpc = discovery
                .targets
                .get(&target)
                .and_then(|s| s.as_ref().ok())
                .and_then(|s| s.vpcs.iter().find(|v| v.is_default))
                .map(|v| v.id.clone());
            ec2::tagged_security_groups(aws, &session, &region, "irready:isolation", "true")
                .await?
                .into_iter()
                .find(|g| Some(&g.vpc_id) == vpc.as_ref())
                .map(|g| g.id)
        }
        Scenario::LeakedKey => None,
    };
    let forensic = discovery
        .scope
        .forensic_account
        .clone()
        .context("the forensic account is not known")?;
    let names = ForensicNames::new(
        env,
        &Target {
            account: forensic.clone(),
            region: region.clone(),
        },
    );
    let facts = BriefFacts {
        scenario,
        account: account.to_string(),
        account_name: account_name(&discovery, &account),
        region: region.to_string(),
        subject_id,
        responder_role_arn: responder.arn,
        deny_all_policy_arn: deny_all,
        isolation_group,
        forensic_account: forensic.to_string(),
        evidence_bucket: names.evidence_bucket,
        expires,
        env_file: args.env.env.display().to_string(),
    };
    print!("{}", tabletop::brief(&facts));
    Ok(ExitCode::Ok)
}

fn access_spec(env: &config::Environment) -> &config::AccessSpec {
    env.access.as_ref().expect("checked before the apply")
}

fn account_name(discovery: &Discovery, id: &AccountId) -> String {
    discovery
        .scope
        .organization
        .accounts
        .iter()
        .find(|a| &a.id == id)
        .map_or_else(|| id.to_string(), |a| a.name.clone())
}

/// The account the scenario goes into: the one named, which must be a target, or the
/// first target by name that is neither the forensic account nor the caller's.
fn workload_account(discovery: &Discovery, wanted: Option<&str>) -> anyhow::Result<AccountId> {
    let scope = &discovery.scope;
    let mut candidates: Vec<(String, AccountId)> = scope
        .accounts
        .iter()
        .map(|id| (account_name(discovery, id), id.clone()))
        .collect();
    candidates.sort();
    if let Some(wanted) = wanted {
        return candidates
            .into_iter()
            .find(|(name, id)| name == wanted || id.to_string() == wanted)
            .map(|(_, id)| id)
            .with_context(|| format!("`{wanted}` is not a target account of the environment"));
    }
    candidates
        .into_iter()
        .map(|(_, id)| id)
        .find(|id| Some(id) != scope.forensic_account.as_ref() && *id != discovery.caller)
        .context("the environment targets no workload account (one that is neither the forensic nor the caller's account): name one with --account")
}

/// The image the "compromised" instance runs: the newest Amazon Linux 2023 in the region.
async fn exercise_image(
    aws: &Aws,
    session: &crate::aws::AccountSession,
    target: &Target,
) -> anyhow::Result<String> {
    let query = ec2::ImageQuery::OwnerName {
        owner: "amazon",
        name: "al2023-ami-2023*-x86_64",
    };
    ec2::images(aws, session, &target.region, query)
        .await?
        .into_iter()
        .next()
        .map(|i| i.id)
        .with_context(|| format!("no Amazon Linux 2023 image in {}", target.region))
}
