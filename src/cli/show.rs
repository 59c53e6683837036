//! `irready show`: renders a saved plan, and warns (without failing) when what it saw
//! has changed since it was made.

use std::path::PathBuf;

use clap::Args;

use super::plan::PlanFormat;
use super::{AwsArgs, ExitCode};
use crate::plan::{file, Plan};
use crate::{config, discover, report, workflow};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved with `irready plan -o FILE`.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// How to render it (markdown fits a pull-request comment).
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// The environment file, to check freshness against; by default the file the plan
    /// was made from.
    #[arg(short = 'e', long = "env", value_name = "FILE")]
    pub env: Option<PathBuf>,
    /// Do not read AWS to check whether the plan is stale.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub async fn run(args: ShowArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let plan = file::load(&args.plan)?;
    let stale = if args.offline {
        Vec::new()
    } else {
        match stale_lines(&args, &plan).await {
            Ok(lines) => lines,
            Err(err) => {
                eprintln!("warning: could not check whether the plan is stale: {err:#}");
                Vec::new()
            }
        }
    };
    if !stale.is_empty() {
        eprintln!("warning: stale plan: apply would refuse it; these changed since it was made:");
        for line in &stale {
            eprintln!("  {line}");
        }
    }
    match args.format {
        PlanFormat::Text => print!("{}", report::plan_text::render(&plan, verbose)),
        PlanFormat::Json => println!("{}", report::plan_json(&plan)),
        PlanFormat::Markdown => print!("{}", report::plan_markdown::render(&plan, &stale)),
    }
    Ok(ExitCode::Ok)
}

/// What changed since the plan was made, as `what: why` lines.
async fn stale_lines(args: &ShowArgs, plan: &Plan) -> anyhow::Result<Vec<String>> {
    let path = args
        .env
        .clone()
        .unwrap_or_else(|| PathBuf::from(&plan.environment.file));
    let env = config::load(&path)?;
    if let Err(err) = file::check_environment(plan, &env) {
        return Ok(vec![err.to_string()]);
    }
    let aws = args.aws.connect().await;
    let discovery = discover::discover(
        &aws,
        &env,
        args.aws.parallelism.into(),
        discover::Refresh::Live,
    )
    .await?;
    let stale = file::staleness(plan, &workflow::current(&env, &discovery));
    Ok(stale
        .iter()
        .map(|s| format!("{}: {}", s.item, s.why))
        .collect())
}
