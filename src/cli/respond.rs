//! `irready respond`: runs one of irready's containment runbooks against an instance, an
//! access key or a principal of a target account, follows it, and prints what changed,
//! the evidence it left and how to undo an isolation. The work is `respond`'s.

use std::fmt::Write as _;

use clap::Args;

use super::{AwsArgs, EnvArgs, ExitCode};
use crate::addr::Region;
use crate::config;
use crate::model::runbooks::Runbook;
use crate::respond::{self, Follow, Outcome, Request};

/// What `respond` can run.
const ACTIONS: [&str; 4] = [
    "isolate-instance",
    "acquire-volumes",
    "disable-access-key",
    "contain-principal",
];

#[derive(Debug, Args)]
pub struct RespondArgs {
    /// The containment: isolate-instance, acquire-volumes, disable-access-key or
    /// contain-principal.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(ACTIONS))]
    pub action: String,
    #[command(flatten)]
    pub env: EnvArgs,
    /// The target account, by name or id.
    #[arg(long, value_name = "NAME")]
    pub account: String,
    /// The region of the instance (for IAM runbooks: any region of the environment).
    #[arg(long, value_name = "REGION")]
    pub region: Region,
    /// The instance id, the access key id, or the user or role ARN.
    #[arg(long, value_name = "ID")]
    pub target: String,
    /// The case id, recorded in tags on what the runbook touches.
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// Change nothing: print every step the runbook would take.
    #[arg(long)]
    pub dry_run: bool,
    /// With isolate-instance: undo an isolation (the release-instance runbook).
    #[arg(long)]
    pub release: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub async fn run(args: RespondArgs) -> anyhow::Result<ExitCode> {
    let Some(runbook) = Runbook::from_request(&args.action, args.release) else {
        anyhow::bail!("--release undoes isolate-instance only");
    };
    let env = config::load(&args.env.env)?;
    let aws = args.aws.connect().await;
    let request = Request {
        runbook,
        account: args.account.clone(),
        region: args.region.clone(),
        target: args.target.clone(),
        case: args.case.clone(),
        dry_run: args.dry_run,
    };
    let resolved = respond::resolve(&aws, &env, &request).await?;
    let steps = runbook.content()["mainSteps"]
        .as_array()
        .map_or(0, Vec::len);
    let progress = respond::for_stderr(steps);
    let outcome = respond::run(
        &aws,
        &env,
        &request,
        &resolved,
        Follow::default(),
        progress.as_ref(),
    )
    .await?;
    print!("{}", text(&outcome, &args));
    Ok(if outcome.succeeded() {
        ExitCode::Ok
    } else {
        ExitCode::Error
    })
}

/// The outcome as a responder reads it.
fn text(outcome: &Outcome, args: &RespondArgs) -> String {
    let mut out = String::new();
    let where_ = format!(
        "{} ({}), {}",
        outcome.account_name, outcome.target.account, outcome.target.region
    );
    let _ = writeln!(
        out,
        "\n{} on {} in {where_}: {} (execution {})",
        outcome.document, args.target, outcome.execution.status, outcome.execution_id
    );
    if !outcome.succeeded() {
        let failed = outcome
            .execution
            .steps
            .iter()
            .filter(|s| s.status != "Success")
            .map(|s| {
                // A script's failure carries its traceback: its first line says why.
                let why = s.failure.as_deref().unwrap_or(s.status.as_str());
                format!("{}: {}", s.name, why.lines().next().unwrap_or_default())
            })
            .collect::<Vec<_>>();
        let _ = writeln!(out, "It failed; nothing after the failing step ran:");
        for line in failed {
            let _ = writeln!(out, "  {line}");
        }
    }
    let list = |out: &mut String, title: &str, items: &[String]| {
        let _ = writeln!(out, "{title}");
        for item in items {
            let _ = writeln!(out, "  - {item}");
        }
    };
    if outcome.dry_run {
        list(
            &mut out,
            "Dry run: nothing was changed. The runbook would:",
            &outcome.actions,
        );
    } else if let Some(changed) = outcome
        .summary
        .as_ref()
        .and_then(|s| s.get("Changed"))
        .and_then(|c| c.as_array())
    {
        let changed: Vec<String> = changed
            .iter()
            .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
            .collect();
        list(&mut out, "Changed:", &changed);
    }
    if !outcome.evidence.is_empty() {
        list(
            &mut out,
            "Evidence (snapshot copies shared with the forensic account, under its key):",
            &outcome.evidence,
        );
    }
    if outcome.runbook == Runbook::IsolateInstance && !outcome.dry_run && outcome.succeeded() {
        let _ = writeln!(
            out,
            "To release the instance (restores its security groups):\n  irready respond \
             isolate-instance -e {} --account {} --region {} --target {} --release",
            args.env.env.display(),
            args.account,
            args.region,
            args.target
        );
    }
    out
}
