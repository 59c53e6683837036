//! `irready check` and `irready controls`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::{AwsArgs, EnvArgs, ExitCode};
use crate::addr::Region;
use crate::check::{self, controls, CheckOptions, Severity, Status};
use crate::report::check::{Format, RenderOptions};
use crate::{config, report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Junit,
    Sarif,
    Markdown,
}

impl From<CheckFormat> for Format {
    fn from(format: CheckFormat) -> Self {
        match format {
            CheckFormat::Text => Self::Text,
            CheckFormat::Json => Self::Json,
            CheckFormat::Junit => Self::Junit,
            CheckFormat::Sarif => Self::Sarif,
            CheckFormat::Markdown => Self::Markdown,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub env: EnvArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Also write the report in this format to a file.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML page with the coverage matrix.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Evaluate only these controls (repeatable; `irready controls` lists them).
    #[arg(long = "control", value_name = "ID")]
    pub controls: Vec<String>,
    /// Only these accounts, by id or name (repeatable).
    #[arg(long = "account", value_name = "ACCOUNT")]
    pub accounts: Vec<String>,
    /// Only these regions (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Exit with the "not ready" code only for failing controls at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "low", value_parser = parse_severity)]
    pub min_severity: Severity,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::from_name(s).ok_or_else(|| "one of info, low, medium, high, critical".to_owned())
}

#[derive(Debug, Args)]
pub struct ControlsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

pub async fn run(args: CheckArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let env = config::load(&args.env.env)?;
    let regions = args
        .regions
        .iter()
        .map(|r| r.parse::<Region>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let aws = args.aws.connect().await;
    let options = CheckOptions {
        parallelism: args.aws.parallelism.into(),
        controls: args.controls.clone(),
        accounts: args.accounts.clone(),
        regions,
    };
    let report = check::check(&aws, &env, &options).await?;
    let options = RenderOptions {
        verbose,
        environment_file: Some(args.env.env.display().to_string()),
    };
    let rendered = report::check::render(&report, args.format.into(), &options);
    print!("{rendered}");
    if let Some(path) = &args.out {
        std::fs::write(path, &rendered).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, report::check::html::render(&report))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("Coverage matrix written to {}", path.display());
    }
    args.aws.print_stats(&aws);
    let errors = report.findings.iter().any(|f| f.status == Status::Error);
    Ok(if errors {
        ExitCode::Error
    } else if report
        .failures_at_or_above(args.min_severity)
        .next()
        .is_some()
    {
        ExitCode::NotReady
    } else {
        ExitCode::Ok
    })
}

pub fn list(args: ControlsArgs) -> anyhow::Result<ExitCode> {
    match args.format {
        CheckFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(controls::CATALOG).expect("controls serialize")
        ),
        _ => {
            for control in controls::CATALOG {
                println!(
                    "{:<12} {:<9} {}\n{:22}reads: {}\n{:22}fix: {}",
                    control.id,
                    control.severity,
                    control.title,
                    "",
                    control.reads.join(", "),
                    "",
                    control.remediation
                );
            }
        }
    }
    Ok(ExitCode::Ok)
}
