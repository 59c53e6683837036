//! `irready apply`: plan, confirm, apply.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::{AwsArgs, EnvArgs, ExitCode, RefreshArgs};
use crate::apply::{self, progress, ApplyOptions, Outcome};
use crate::aws::org;
use crate::{config, report, workflow};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub env: EnvArgs,
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
}

pub async fn run(args: ApplyArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let aws = args.aws.connect().await;
    let mut prepared = workflow::prepare_plan(
        &aws,
        &env,
        args.aws.parallelism.into(),
        args.refresh.refresh(),
    )
    .await?;
    print!("{}", report::plan_text::render(&prepared.plan, verbose));
    if let Some(account) = prepared.plan.create_account.clone() {
        if !args.auto_approve && !confirm()? {
            eprintln!("Apply cancelled.");
            return Ok(ExitCode::Error);
        }
        eprintln!(
            "Creating forensic account {} ({})...",
            account.name, account.email
        );
        let session = aws.caller_session(prepared.discovery.caller.clone());
        let id = org::create_account(
            &aws,
            &session,
            &account.name,
            &account.email,
            &env.organization.member_role,
            &account.parent,
            Duration::from_secs(args.stack_timeout * 60),
        )
        .await
        .with_context(|| format!("creating the forensic account {}", account.name))?;
        println!(
            "Created forensic account {} ({id}). Planning again.\n",
            account.name
        );
        prepared = workflow::prepare_plan(
            &aws,
            &env,
            args.aws.parallelism.into(),
            args.refresh.refresh(),
        )
        .await?;
        print!("{}", report::plan_text::render(&prepared.plan, verbose));
    }
    let plan = &prepared.plan;
    if !plan.has_changes() {
        args.aws.print_stats(&aws);
        return Ok(ExitCode::of_plan(plan, false));
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
    let report = apply::apply(&aws, &prepared.discovery, plan, &options, progress.as_ref()).await;
    drop(progress);

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
    println!(
        "\nApply complete: {} stacks applied, {stacks_failed} failed{images}{}.",
        report.results.len() - stacks_failed,
        if plan.errors.is_empty() {
            String::new()
        } else {
            format!(", {} targets not planned", plan.errors.len())
        }
    );
    args.aws.print_stats(&aws);
    Ok(if failed > 0 {
        ExitCode::Error
    } else {
        ExitCode::of_plan(plan, false)
    })
}

/// Asks on the terminal; refuses to guess when there is none.
fn confirm() -> anyhow::Result<bool> {
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
