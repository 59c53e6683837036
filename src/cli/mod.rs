//! Command-line interface: flags parsed by clap, one file per subcommand. Each command
//! returns an [`ExitCode`]; `main` maps errors to exit code 1.

mod apply;
mod check;
mod destroy;
mod docs;
mod init;
mod plan;
mod render;
mod respond;
mod show;
mod tabletop;
mod unlock;
mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::aws::{Aws, AwsOptions, Limits};

/// Exit codes, documented in the README. Codes above 2 belong to one command each, so
/// two of them share a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Success; for `plan --detailed-exitcode`, no changes.
    Ok,
    /// An error: bad input, an AWS failure, a failed apply.
    Error,
    /// `plan --detailed-exitcode`: the plan has changes.
    Changes,
    /// `check`: a control fails (at or above `--min-severity`).
    NotReady,
    /// `plan --hazard-exitcode`: the plan removes or replaces a data-bearing resource.
    DataLoss,
    /// `plan --hazard-exitcode`: the plan widens access (and loses no data).
    WidensAccess,
    /// `plan`, `apply`: some targets could not be read (role cannot be assumed, access
    /// denied, region not enabled) and are reported as errors; every other target was
    /// planned, or applied without failure.
    Partial,
}

impl ExitCode {
    pub fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Error => 1,
            Self::Changes => 2,
            Self::NotReady | Self::DataLoss => 3,
            Self::WidensAccess => 4,
            Self::Partial => 5,
        }
    }

    /// The code of a plan: its errors first (partial, or an error when no target could be
    /// planned), then, with `--hazard-exitcode`, its hazards, then, with
    /// `--detailed-exitcode`, whether it changes anything.
    pub fn of_plan(plan: &crate::plan::Plan, detailed: bool, hazards: bool) -> Self {
        if plan.is_partial() {
            Self::Partial
        } else if !plan.errors.is_empty() {
            Self::Error
        } else if hazards && plan.has_data_loss() {
            Self::DataLoss
        } else if hazards && plan.widens_access() {
            Self::WidensAccess
        } else if detailed && plan.has_changes() {
            Self::Changes
        } else {
            Self::Ok
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "irready",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("IRREADY_GIT_COMMIT"), ")"),
    about = "Prepare AWS organizations for security incidents, as code",
    long_about = "irready declares what incident responders need before an incident \
                  (forensic account and VPC, breakglass and responder roles, ...) in an \
                  environment file, plans the difference with what exists in every account \
                  and region, and applies it through CloudFormation change sets."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More logging on stderr (-v: info, -vv: debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Disable colours (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented environment file from the live organization (read-only).
    Init(init::InitArgs),
    /// Parse and validate an environment file. Makes no AWS call.
    Validate(validate::ValidateArgs),
    /// Write the CloudFormation template of every stack, one file per account/region/stack.
    Render(render::RenderArgs),
    /// Show what apply would change, per stack, resource and property.
    Plan(plan::PlanArgs),
    /// Apply the plan (made now, or saved) through CloudFormation change sets.
    Apply(apply::ApplyArgs),
    /// Judge whether the organization is ready for an incident, control by control, on
    /// its live state.
    Check(check::CheckArgs),
    /// List the readiness controls `check` evaluates.
    Controls(check::ControlsArgs),
    /// Render a saved plan, warning when it is stale.
    Show(show::ShowArgs),
    /// Delete every stack of the environment; evidence and logs stay.
    Destroy(destroy::DestroyArgs),
    /// Break the environment's apply lock, left by a run that was killed.
    Unlock(unlock::UnlockArgs),
    /// Containment through irready's runbooks: isolate an instance, acquire its volumes,
    /// disable an access key, contain a user or role.
    Respond(respond::RespondArgs),
    /// Tabletop exercises: a throw-away (ephemeral) environment with a scenario planted.
    Tabletop(tabletop::TabletopArgs),
    /// Print the shell completion script: `source <(irready completions bash)`.
    Completions(docs::CompletionsArgs),
    /// Print the manual page: `irready man | man -l -`.
    Man,
    /// Print the JSON Schema of environment files, for editors (also committed as
    /// schema/environment.schema.json).
    Schema,
}

/// The environment file.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The environment file (environments/*.yaml).
    #[arg(short = 'e', long = "env", value_name = "FILE")]
    pub env: PathBuf,
}

/// How to reach AWS. The standard credential chain applies (environment, profiles, SSO).
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files.
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint (an emulator, a proxy).
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// How many accounts, targets or stacks are worked on at once, and how many AWS
    /// requests may be in flight in all.
    #[arg(long, default_value_t = Limits::DEFAULT.global as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,

    /// How many AWS requests may be in flight in one account.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.per_account as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub account_parallelism: u16,

    /// How many AWS requests may be in flight to one service in one account and region.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.per_service as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub service_parallelism: u16,

    /// Print the AWS calls made, by operation, on stderr at the end.
    #[arg(long)]
    pub stats: bool,
}

impl AwsArgs {
    pub async fn connect(&self) -> Aws {
        Aws::connect(&AwsOptions {
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            limits: Limits {
                global: self.parallelism.into(),
                per_account: self.account_parallelism.into(),
                per_service: self.service_parallelism.into(),
            },
        })
        .await
    }

    pub fn print_stats(&self, aws: &Aws) {
        if !self.stats {
            return;
        }
        let stats = aws.stats();
        eprintln!(
            "AWS calls: {} ({} HTTP attempts)",
            stats.total_calls(),
            stats.attempts()
        );
        for (operation, count) in stats.calls() {
            eprintln!("  {count:>6}  {operation}");
        }
    }
}

/// Takes the environment's apply lock, in the caller's account and the home region.
async fn lock(
    aws: &Aws,
    env: &crate::config::Environment,
    command: &str,
) -> anyhow::Result<crate::apply::lock::Lock> {
    let place = lock_place(aws, env).await?;
    Ok(crate::apply::lock::acquire(aws, place, &env.name, command).await?)
}

async fn lock_place(
    aws: &Aws,
    env: &crate::config::Environment,
) -> anyhow::Result<crate::apply::lock::LockPlace> {
    use anyhow::Context;
    let caller = aws
        .caller_account()
        .await
        .context("reading the caller's identity")?;
    Ok(crate::apply::lock::LockPlace::new(
        aws.caller_session(caller),
        env.home_region.clone(),
        &env.name,
    ))
}

/// Whether to read live state or trust irready's stacks.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// `--refresh=false` reads no live state: only irready's stacks (one DescribeStacks
    /// per account and region), trusting the facts they recorded (VPCs, prefix lists,
    /// what existing resources covered) where they recorded them. Drift is not looked
    /// for.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub refresh: bool,
}

impl RefreshArgs {
    pub fn refresh(&self) -> crate::discover::Refresh {
        if self.refresh {
            crate::discover::Refresh::Live
        } else {
            crate::discover::Refresh::Trust
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init::run(args).await,
        Command::Validate(args) => validate::run(args),
        Command::Render(args) => render::run(args).await,
        Command::Plan(args) => plan::run(args, cli.verbose > 0).await,
        Command::Apply(args) => apply::run(args, cli.verbose > 0).await,
        Command::Check(args) => check::run(args, cli.verbose > 0).await,
        Command::Controls(args) => check::list(args),
        Command::Show(args) => show::run(args, cli.verbose > 0).await,
        Command::Destroy(args) => destroy::run(args, cli.verbose > 0).await,
        Command::Unlock(args) => unlock::run(args).await,
        Command::Tabletop(args) => tabletop::run(args, cli.verbose > 0).await,
        Command::Respond(args) => respond::run(args).await,
        Command::Completions(args) => docs::completions(args),
        Command::Man => docs::man(),
        Command::Schema => docs::schema(),
    }
}
