//! `irready validate`: parse and check an environment file, offline.

use clap::Args;

use super::{EnvArgs, ExitCode};
use crate::config::{self, RegionSelection};
use crate::render;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub env: EnvArgs,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let regions = match &env.regions {
        RegionSelection::List(list) => format!("{} regions", list.len()),
        RegionSelection::AllEnabled => "all enabled regions".to_owned(),
    };
    let components: Vec<&str> = render::components(&env)
        .into_iter()
        .map(render::Component::name)
        .collect();
    println!(
        "{}: environment `{}` is valid ({regions}, home {}; components: {})",
        env.file.display(),
        env.name,
        env.home_region,
        components.join(", ")
    );
    Ok(ExitCode::Ok)
}
