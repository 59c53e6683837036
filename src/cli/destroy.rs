//! `irready destroy`: deletes every stack of an environment, in the reverse of the order
//! apply creates them in, and lists the resources that stay (evidence and log buckets,
//! log groups, keys: `DeletionPolicy: Retain`) with their ids.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use clap::Args;

use super::{AwsArgs, EnvArgs, ExitCode};
use crate::apply::{self, progress, ApplyOptions, Outcome};
use crate::aws::cfn;
use crate::plan::StackAction;
use crate::{config, report, workflow};

#[derive(Debug, Args)]
pub struct DestroyArgs {
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

/// Holds the environment's apply lock throughout, as apply does.
pub async fn run(args: DestroyArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let aws = args.aws.connect().await;
    let lock = super::lock(&aws, &env, "destroy").await?;
    let result = destroy(&args, &aws, &env, verbose).await;
    if let Err(err) = lock.release(&aws).await {
        eprintln!("warning: the apply lock was not released: {err}");
    }
    result
}

async fn destroy(
    args: &DestroyArgs,
    aws: &crate::aws::Aws,
    env: &config::Environment,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let destroy = workflow::prepare_destroy(aws, env, args.aws.parallelism.into()).await?;
    let plan = &destroy.plan;
    debug_assert!(plan.stacks.iter().all(|s| s.action == StackAction::Delete));
    if plan.stacks.is_empty() {
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
    print!("{}", report::plan_text::render(plan, verbose));
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

    // The physical ids of what stays, read while the stacks still say.
    let mut ids: BTreeMap<(crate::addr::StackAddr, String), String> = BTreeMap::new();
    let stacks: std::collections::BTreeSet<_> =
        destroy.retained.iter().map(|r| r.stack.clone()).collect();
    for stack in stacks {
        let Some(session) = destroy.discovery.session(&stack.account) else {
            continue;
        };
        match cfn::stack_resources(aws, session, &stack.region, &stack.stack).await {
            Ok(resources) => {
                ids.extend(resources.into_iter().filter_map(|(logical, resource)| {
                    Some(((stack.clone(), logical), resource.physical_id?))
                }));
            }
            Err(err) => eprintln!("warning: {stack}: the ids of its resources: {err}"),
        }
    }

    let progress = progress::for_stderr(plan.stacks.len());
    let options = ApplyOptions {
        parallelism: args.aws.parallelism.into(),
        stack_timeout: Duration::from_secs(args.stack_timeout * 60),
    };
    let report = apply::apply(aws, &destroy.discovery, plan, &options, progress.as_ref()).await;
    drop(progress);
    for result in &report.results {
        if let Outcome::Failed { error, events } = &result.outcome {
            eprintln!("\n{}: {error}", result.addr);
            for event in events {
                eprintln!("    {event}");
            }
        }
    }
    let failed = report.failed();
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
            let id = ids
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
