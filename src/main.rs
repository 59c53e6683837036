//! The `irready` binary: parses arguments, runs the command, maps the result to an exit
//! code. Errors are printed with their causes, never with credentials.

use clap::Parser;
use irready::cli::{self, Cli, ExitCode};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        // A role that cannot be assumed is reported once per target in the plan, and a
        // missing credential or endpoint in one line: the SDK's own warnings about them
        // (every provider of the chain it tried, raw HTTP responses) only with -v.
        0 => "warn,aws_config=error,aws_runtime=error,aws_smithy_runtime=error,aws_smithy_http_client=error",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .init();
    if cli.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let code = match runtime.block_on(cli::run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err:#}", console::style("error:").red().bold());
            ExitCode::Error
        }
    };
    std::process::ExitCode::from(code.code())
}
