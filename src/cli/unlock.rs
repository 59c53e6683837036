//! `irready unlock`: breaks an environment's apply lock. For a run that was killed (a
//! cancelled CI job, SIGKILL): a live run whose lock is broken keeps going, so check that
//! the holder it names is gone first.

use clap::Args;

use super::{AwsArgs, EnvArgs, ExitCode};
use crate::apply::lock;
use crate::config;

#[derive(Debug, Args)]
pub struct UnlockArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub async fn run(args: UnlockArgs) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let aws = args.aws.connect().await;
    let place = super::lock_place(&aws, &env).await?;
    match lock::break_lock(&aws, &place).await? {
        Some(holder) => println!("Broke the apply lock of {} held by {holder}.", env.name),
        None => println!("Environment {} was not locked.", env.name),
    }
    Ok(ExitCode::Ok)
}
