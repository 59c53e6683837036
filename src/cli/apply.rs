//! `irready apply`: plan (or read a saved plan and check it is still fresh), confirm,
//! apply.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::{AwsArgs, ExitCode, RefreshArgs};
use crate::apply::{self, progress, ApplyOptions, Outcome};
use crate::aws::Aws;
use crate::discover::{self, Discovery};
use crate::plan::{file, Plan};
use crate::{config, report, workflow};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `irready plan -o FILE`: apply exactly that plan, once every
    /// stack it saw is checked to be as it was.
    #[arg(value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// The environment file (environments/*.yaml). With a saved plan, the file the plan
    /// was made from, which must be unchanged.
    #[arg(
        short = 'e',
        long = "env",
        value_name = "FILE",
        required_unless_present = "plan"
    )]
    pub env: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub refresh: RefreshArgs,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How long one stack operation may take, in minutes.
    #[arg(long, default_value_t = 60, value_name = "MINUTES")]
    pub stack_timeout: u64,
    /// With a saved plan: apply the stacks that are still as planned and report the
    /// stale ones (and what depends on them), instead of refusing the whole plan.
    #[arg(long, requires = "plan")]
    pub skip_stale: bool,
    /// Apply changes that remove or replace a bucket, log group, key or trail.
    #[arg(long)]
    pub allow_data_loss: bool,
}

/// Holds the environment's apply lock from before anything is read until the end.
pub async fn run(args: ApplyArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let saved = args.plan.as_deref().map(file::load).transpose()?;
    let env_path = match (&args.env, &saved) {
        (Some(path), _) => path.clone(),
        (None, Some(plan)) => PathBuf::from(&plan.environment.file),
        (None, None) => unreachable!("clap requires -e without a plan"),
    };
    let env = config::load(&env_path)?;
    if let Some(plan) = &saved {
        file::check_environment(plan, &env)?;
    }
    let aws = args.aws.connect().await;
    let lock = super::lock(&aws, &env, "apply").await?;
    let result = match saved {
        Some(plan) => run_saved(&args, &aws, &env, plan, verbose).await,
        None => run_fresh(&args, &aws, &env, verbose).await,
    };
    if let Err(err) = lock.release(&aws).await {
        eprintln!("warning: the apply lock was not released: {err}");
    }
    result
}

/// Plans the environment now and applies that plan.
pub(super) async fn run_fresh(
    args: &ApplyArgs,
    aws: &Aws,
    env: &config::Environment,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let parallelism = args.aws.parallelism.into();
    let refresh = args.refresh.refresh();
    let mut prepared = workflow::prepare_plan(aws, env, parallelism, refresh).await?;
    print!("{}", report::plan_text::render(&prepared.plan, verbose));
    if let Some(account) = prepared.plan.create_account.clone() {
        if !args.auto_approve && !confirm()? {
            eprintln!("Apply cancelled.");
            return Ok(ExitCode::Error);
        }
        create_account(args, aws, &prepared.discovery, env, &account).await?;
        println!("Planning again.\n");
        prepared = workflow::prepare_plan(aws, env, parallelism, refresh).await?;
        print!("{}", report::plan_text::render(&prepared.plan, verbose));
    }
    let approved = apply::Approved::fresh(prepared.plan, gates(args))?;
    execute(args, aws, &prepared.discovery, approved).await
}

/// Applies a saved plan: refuses one made from another environment or file, and one
/// whose stacks changed since (or leaves those out, with `--skip-stale`).
async fn run_saved(
    args: &ApplyArgs,
    aws: &Aws,
    env: &config::Environment,
    saved: Plan,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    // A saved plan was made from live state: its staleness is judged on live state too.
    let discovery = discover::discover(
        aws,
        env,
        args.aws.parallelism.into(),
        discover::Refresh::Live,
    )
    .await?;
    let approved =
        apply::Approved::saved(saved, env, &workflow::current(env, &discovery), gates(args))?;
    print!("{}", report::plan_text::render(approved.plan(), verbose));
    for line in approved.skipped() {
        eprintln!("skipped (stale): {line}");
    }
    if let Some(account) = approved.plan().create_account.clone() {
        // The plan's stacks could not be planned before the account existed: it holds
        // nothing else, and what goes into the account must be planned and reviewed anew.
        if !args.auto_approve && !confirm()? {
            eprintln!("Apply cancelled.");
            return Ok(ExitCode::Error);
        }
        create_account(args, aws, &discovery, env, &account).await?;
        println!("The plan holds nothing else: plan again to deploy into the new account.");
        return Ok(ExitCode::Ok);
    }
    execute(args, aws, &discovery, approved).await
}

fn gates(args: &ApplyArgs) -> apply::Gates {
    apply::Gates {
        allow_data_loss: args.allow_data_loss,
        skip_stale: args.skip_stale,
    }
}

async fn create_account(
    args: &ApplyArgs,
    aws: &Aws,
    discovery: &Discovery,
    env: &config::Environment,
    account: &crate::discover::scope::PendingAccount,
) -> anyhow::Result<()> {
    eprintln!(
        "Creating forensic account {} ({})...",
        account.name, account.email
    );
    let session = aws.caller_session(discovery.caller.clone());
    let timeout = Duration::from_secs(args.stack_timeout * 60);
    let id = apply::account::create(aws, &session, env, account, timeout)
        .await
        .with_context(|| format!("creating the forensic account {}", account.name))?;
    println!("Created forensic account {} ({id}).", account.name);
    Ok(())
}

/// Confirms, applies and reports a plan that passed apply's gates.
async fn execute(
    args: &ApplyArgs,
    aws: &Aws,
    discovery: &Discovery,
    approved: apply::Approved,
) -> anyhow::Result<ExitCode> {
    let plan = approved.plan();
    let skipped = approved.skipped();
    if !plan.has_changes() {
        args.aws.print_stats(aws);
        return Ok(ExitCode::of_plan(plan, false, false));
    }
    if !args.auto_approve && !confirm()? {
        eprintln!("Apply cancelled.");
        return Ok(ExitCode::Error);
    }

    let changing = plan.stacks.iter().filter(|s| s.action.is_change()).count();
    let progress = progress::for_stderr(changing);
    let options = ApplyOptions {
        parallelism: args.aws.parallelism.into(),
        stack_timeout: Duration::from_secs(args.stack_timeout * 60),
    };
    let report = apply::apply(aws, discovery, &approved, &options, progress.as_ref()).await;
    drop(progress);

    for access in &report.trusted_access {
        match &access.outcome {
            Outcome::Failed { error, .. } => {
                eprintln!("\ntrusted access for {}: {error}", access.service)
            }
            _ => println!(
                "Enabled trusted access for {} in the organization.",
                access.service
            ),
        }
    }
    for image in &report.images {
        if let Outcome::Failed { error, .. } = &image.outcome {
            eprintln!("\nimage {} in {}: {error}", image.image, image.target);
        }
    }
    for result in &report.results {
        if let Outcome::Failed { error, events } = &result.outcome {
            eprintln!("\n{}: {error}", result.addr);
            for event in events {
                eprintln!("    {event}");
            }
        }
    }
    for configured in &report.configured {
        if let Outcome::Failed { error, .. } = &configured.outcome {
            eprintln!(
                "\nconfigure {} {} in {}: {error}",
                configured.resource_type.label(),
                configured.name,
                configured.target
            );
        }
    }
    let failed = report.failed();
    let stacks_failed = report
        .results
        .iter()
        .filter(|r| r.outcome.is_failure())
        .count();
    let images_failed = report
        .images
        .iter()
        .filter(|i| i.outcome.is_failure())
        .count();
    let images = match report.images.len() {
        0 => String::new(),
        n => format!(
            "; {} of {n} image copies made, {images_failed} failed",
            n - images_failed
        ),
    };
    let configure_failed = report
        .configured
        .iter()
        .filter(|c| c.outcome.is_failure())
        .count();
    let images = match report.configured.len() {
        0 => images,
        n => format!(
            "{images}; {} of {n} workload settings configured, {configure_failed} failed",
            n - configure_failed
        ),
    };
    let stale = match skipped.len() {
        0 => String::new(),
        n => format!(", {n} stale left out"),
    };
    println!(
        "\nApply complete: {} stacks applied, {stacks_failed} failed{images}{stale}{}.",
        report.results.len() - stacks_failed,
        if plan.errors.is_empty() {
            String::new()
        } else {
            format!(", {} targets not planned", plan.errors.len())
        }
    );
    args.aws.print_stats(aws);
    Ok(if failed > 0 {
        ExitCode::Error
    } else {
        ExitCode::of_plan(plan, false, false)
    })
}

/// Asks on the terminal; refuses to guess when there is none.
pub(super) fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "apply needs confirmation and standard input is not a terminal: review the plan \
             and pass --auto-approve"
        );
    }
    print!("\nApply these changes? Only 'yes' is accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
