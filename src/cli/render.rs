//! `irready render`: write every stack's template to a directory, as
//! `<out>/<account>/<region>/<stack>.yaml`. Reads the organization (names, facts) but
//! changes nothing.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{AwsArgs, EnvArgs, ExitCode};
use crate::discover::Refresh;
use crate::{config, discover, workflow};

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Directory to write the templates into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub async fn run(args: RenderArgs) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let aws = args.aws.connect().await;
    let discovery =
        discover::discover(&aws, &env, args.aws.parallelism.into(), Refresh::Live).await?;
    let evaluation = workflow::weigh_existing(&env, &discovery);
    let workflow::Rendered { stacks, errors, .. } =
        workflow::render_all(&env, &discovery, &evaluation.covered)?;
    for stack in &stacks {
        let dir = args
            .out
            .join(stack.addr.account.as_str())
            .join(stack.addr.region.as_str());
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let file = dir.join(format!("{}.yaml", stack.addr.stack));
        std::fs::write(&file, &stack.body)
            .with_context(|| format!("writing {}", file.display()))?;
        println!("{}", file.display());
    }
    for error in &errors {
        eprintln!("error: {}: {}", error.target, error.message);
    }
    args.aws.print_stats(&aws);
    Ok(if errors.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::Error
    })
}
