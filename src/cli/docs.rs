//! `irready completions SHELL`, `irready man` and `irready schema`: shell completions and
//! the manual page, generated from the same clap definitions that parse the arguments, and
//! the environment files' JSON Schema, from the structs that read them, so none falls
//! behind. Completions cover subcommands, flags and their values (shells, formats,
//! severities) and file paths; not account or environment names, which would need the
//! environment file read, or AWS called, at every key press.

use std::io::Write;

use clap::{Args, CommandFactory};

use super::{Cli, ExitCode};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Writes the completion script for `shell` to standard output.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "irready", &mut out);
    quiet_on_closed_pipe(out.flush())
}

/// A reader that stops early (`irready man | head`) is not an error.
fn quiet_on_closed_pipe(result: std::io::Result<()>) -> anyhow::Result<ExitCode> {
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(err.into()),
        _ => Ok(ExitCode::Ok),
    }
}

/// Writes the manual page (roff) to standard output, its subcommands listed with what
/// each does (`irready COMMAND --help` has their flags): `irready man | man -l -`.
pub fn man() -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    quiet_on_closed_pipe(
        clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .and_then(|()| out.flush()),
    )
}

/// Writes the JSON Schema of environment files to standard output (the same as
/// `schema/environment.schema.json`).
pub fn schema() -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let text = serde_json::to_string_pretty(&crate::config::json_schema())?;
    quiet_on_closed_pipe(writeln!(out, "{text}").and_then(|()| out.flush()))
}
