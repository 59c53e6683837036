//! `irready destroy`: deletes every stack of an environment (its tabletop exercise first),
//! in the reverse of the order apply creates them in, and lists the resources that stay
//! (evidence and log buckets, log groups, keys: `DeletionPolicy: Retain`) with their ids.
//!
//! `destroy --expired -e FILE...` does so only for the environments whose file says they
//! are ephemeral and whose stacks' `irready:expires` has passed; the others are kept.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{AwsArgs, ExitCode};
use crate::apply::{progress, ApplyOptions, Outcome};
use crate::plan::StackAction;
use crate::{config, report, workflow};

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The environment file (environments/*.yaml); with --expired, any number of them.
    #[arg(short = 'e', long = "env", value_name = "FILE", required = true)]
    pub env: Vec<PathBuf>,
    /// Destroy only ephemeral environments whose expiry (`irready:expires` on their
    /// stacks) has passed; keep the others.
    #[arg(long)]
    pub expired: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Destroy without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How long one stack deletion may take, in minutes.
    #[arg(long, default_value_t = 60, value_name = "MINUTES")]
    pub stack_timeout: u64,
}

/// Holds each environment's apply lock throughout, as apply does.
pub async fn run(args: DestroyArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    if args.expired {
        return run_expired(&args, verbose).await;
    }
    let [path] = args.env.as_slice() else {
        anyhow::bail!("destroy takes one environment file; several only with --expired");
    };
    let env = config::load(path)?;
    let aws = args.aws.connect().await;
    let lock = super::lock(&aws, &env, "destroy").await?;
    let result = match workflow::prepare_destroy(&aws, &env, args.aws.parallelism.into()).await {
        Ok(prepared) => destroy(&args, &aws, &env, prepared, verbose).await,
        Err(err) => Err(err.into()),
    };
    if let Err(err) = lock.release(&aws).await {
        eprintln!("warning: the apply lock was not released: {err}");
    }
    result
}

/// Destroys each given environment that is ephemeral and expired, in the order given;
/// an environment that cannot be read is an error and the others still go on.
async fn run_expired(args: &DestroyArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let aws = args.aws.connect().await;
    let now = chrono::Utc::now();
    let mut code = ExitCode::Ok;
    for path in &args.env {
        let result = async {
            let env = config::load(path)?;
            if env.ephemeral.is_none() {
                println!(
                    "{}: kept: not ephemeral (no `ephemeral:` in {})",
                    env.name,
                    path.display()
                );
                return Ok(ExitCode::Ok);
            }
            let lock = super::lock(&aws, &env, "destroy --expired").await?;
            let result = async {
                let prepared =
                    workflow::prepare_destroy(&aws, &env, args.aws.parallelism.into()).await?;
                match workflow::deployed_expiry(&prepared.discovery) {
                    None => {
                        println!("{}: nothing deployed carries irready:expires", env.name);
                        Ok(ExitCode::Ok)
                    }
                    Some(expires) if expires > now => {
                        println!(
                            "{}: kept: expires at {}",
                            env.name,
                            workflow::format_time(&expires)
                        );
                        Ok(ExitCode::Ok)
                    }
                    Some(expires) => {
                        println!(
                            "{}: expired at {}: destroying",
                            env.name,
                            workflow::format_time(&expires)
                        );
                        destroy(args, &aws, &env, prepared, verbose).await
                    }
                }
            }
            .await;
            if let Err(err) = lock.release(&aws).await {
                eprintln!("warning: the apply lock was not released: {err}");
            }
            result
        }
        .await;
        match result {
            Ok(ExitCode::Ok) => {}
            Ok(other) => code = other,
            Err(err) => {
                eprintln!("error: {}: {err:#}", path.display());
                code = ExitCode::Error;
            }
        }
    }
    Ok(code)
}

pub(super) async fn destroy(
    args: &DestroyArgs,
    aws: &crate::aws::Aws,
    env: &config::Environment,
    destroy: workflow::Destroy,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let plan = &destroy.plan;
    debug_assert!(plan.stacks.iter().all(|s| s.action == StackAction::Delete));
    if destroy.is_empty(env) {
        for error in &plan.errors {
            eprintln!("error: {}: {}", error.target, error.message);
        }
        println!(
            "Nothing to destroy: environment {} has no stacks in the targets read.",
            env.name
        );
        args.aws.print_stats(aws);
        return Ok(if plan.errors.is_empty() {
            ExitCode::Ok
        } else {
            ExitCode::Error
        });
    }
    let exercises = destroy.exercises();
    print!("{}", report::plan_text::render(plan, verbose));
    for (addr, scenario) in &exercises {
        println!("Tabletop exercise {scenario}: {addr} (deleted first)");
    }
    if !destroy.retained.is_empty() {
        println!("Kept (DeletionPolicy: Retain), with their data:");
        for r in &destroy.retained {
            println!("  {} {} {}", r.stack, r.logical_id, r.resource_type);
        }
    }
    if !args.auto_approve && !confirm(&env.name)? {
        eprintln!("Destroy cancelled.");
        return Ok(ExitCode::Error);
    }

    let progress = progress::for_stderr(plan.stacks.len() + exercises.len());
    let options = ApplyOptions {
        parallelism: args.aws.parallelism.into(),
        stack_timeout: Duration::from_secs(args.stack_timeout * 60),
    };
    let done = workflow::destroy::execute(aws, env, &destroy, &options, progress.as_ref()).await?;
    drop(progress);
    for warning in &done.warnings {
        eprintln!("warning: {warning}");
    }
    let restored = &done.restored;
    let report = &done.report;
    let restore_failed = restored.iter().filter(|r| r.outcome.is_failure()).count();
    for result in restored {
        match &result.outcome {
            Outcome::Failed { error, .. } => eprintln!(
                "\nputting back {} {} in {}: {error}",
                result.resource_type.label(),
                result.name,
                result.target
            ),
            outcome => println!(
                "Put back the logging of {} {} in {}{}",
                result.resource_type.label(),
                result.name,
                result.target,
                if matches!(outcome, Outcome::AlreadyCurrent) {
                    " (gone)"
                } else {
                    ""
                }
            ),
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
    let failed = report.failed() + restore_failed;
    println!(
        "\nDestroy complete: {} stacks deleted, {failed} failed.",
        report.results.len() - failed
    );
    let deleted: std::collections::BTreeSet<_> = report
        .results
        .iter()
        .filter(|r| !r.outcome.is_failure())
        .map(|r| &r.addr)
        .collect();
    let kept: Vec<_> = destroy
        .retained
        .iter()
        .filter(|r| deleted.contains(&r.stack))
        .collect();
    if !kept.is_empty() {
        println!("Retained, with their data (no longer managed by irready):");
        for r in kept {
            let id = done
                .retained_ids
                .get(&(r.stack.clone(), r.logical_id.clone()))
                .map_or("(id unknown)", String::as_str);
            println!(
                "  {}/{}  {:<16} {:<22} {id}",
                r.stack.account, r.stack.region, r.logical_id, r.resource_type
            );
        }
    }
    args.aws.print_stats(aws);
    Ok(if failed > 0 || !plan.errors.is_empty() {
        ExitCode::Error
    } else {
        ExitCode::Ok
    })
}

/// Asks on the terminal; refuses to guess when there is none.
fn confirm(env: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "destroy needs confirmation and standard input is not a terminal: review what it \
             deletes and pass --auto-approve"
        );
    }
    print!("\nDelete every stack of environment {env}? Only 'yes' is accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}
