//! `irready plan`: what apply would change.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::{AwsArgs, EnvArgs, ExitCode, RefreshArgs};
use crate::{config, report, workflow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    /// For a pull-request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub refresh: RefreshArgs,
    /// Exit 0 when there is nothing to change, 2 when there is, 1 on error, 5 when some
    /// targets could not be planned (the others are).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Exit 3 when the plan loses data (removes or replaces a bucket, log group, key or
    /// trail), 4 when it widens access and loses no data; otherwise as without it.
    #[arg(long)]
    pub hazard_exitcode: bool,
    /// Also write the plan as JSON to this file, for `irready apply FILE` and `irready show`.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

pub async fn run(args: PlanArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let aws = args.aws.connect().await;
    let prepared = workflow::prepare_plan(
        &aws,
        &env,
        args.aws.parallelism.into(),
        args.refresh.refresh(),
    )
    .await?;
    let plan = &prepared.plan;
    match args.format {
        PlanFormat::Text => print!("{}", report::plan_text::render(plan, verbose)),
        PlanFormat::Json => println!("{}", report::plan_json(plan)),
        PlanFormat::Markdown => print!("{}", report::plan_markdown::render(plan, &[])),
    }
    if let Some(path) = &args.out {
        std::fs::write(path, report::plan_json(plan))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("Plan saved to {}", path.display());
    }
    args.aws.print_stats(&aws);
    Ok(ExitCode::of_plan(
        plan,
        args.detailed_exitcode,
        args.hazard_exitcode,
    ))
}
