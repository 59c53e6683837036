//! Progress of an apply: a bar and one spinner per running stack on a terminal, plain
//! timestamped lines otherwise (CI logs).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::addr::StackAddr;

pub trait Progress: Send + Sync {
    /// A stack's operation moved on: `message` says to what.
    fn step(&self, addr: &StackAddr, message: &str);
    /// A stack's operation ended.
    fn finish(&self, addr: &StackAddr, ok: bool, message: &str);
}

/// Picks the terminal or the plain form from whether stderr is a terminal.
pub fn for_stderr(total: usize) -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() {
        Box::new(TerminalProgress::new(total))
    } else {
        Box::new(LineProgress)
    }
}

pub struct LineProgress;

impl Progress for LineProgress {
    fn step(&self, addr: &StackAddr, message: &str) {
        eprintln!(
            "{} {addr}: {message}",
            chrono::Utc::now().format("%H:%M:%S")
        );
    }

    fn finish(&self, addr: &StackAddr, ok: bool, message: &str) {
        let mark = if ok { "done" } else { "FAILED" };
        eprintln!(
            "{} {addr}: {mark}: {message}",
            chrono::Utc::now().format("%H:%M:%S")
        );
    }
}

pub struct TerminalProgress {
    multi: MultiProgress,
    overall: ProgressBar,
    spinners: Mutex<HashMap<StackAddr, ProgressBar>>,
}

impl TerminalProgress {
    fn new(total: usize) -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(total as u64));
        overall.set_style(
            ProgressStyle::with_template("{bar:30.green/dim} {pos}/{len} stacks  {elapsed}")
                .expect("valid template"),
        );
        Self {
            multi,
            overall,
            spinners: Mutex::new(HashMap::new()),
        }
    }
}

impl Progress for TerminalProgress {
    fn step(&self, addr: &StackAddr, message: &str) {
        let mut spinners = self.spinners.lock().unwrap();
        let spinner = spinners.entry(addr.clone()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix}: {msg}").expect("valid template"),
            );
            bar.set_prefix(addr.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        spinner.set_message(message.to_owned());
    }

    fn finish(&self, addr: &StackAddr, ok: bool, message: &str) {
        if let Some(spinner) = self.spinners.lock().unwrap().remove(addr) {
            spinner.finish_and_clear();
            self.multi.remove(&spinner);
        }
        let mark = if ok {
            console::style("✓").green()
        } else {
            console::style("✗").red()
        };
        let _ = self.multi.println(format!("{mark} {addr}: {message}"));
        self.overall.inc(1);
        if self.overall.position() >= self.overall.length().unwrap_or(0) {
            self.overall.finish_and_clear();
        }
    }
}
