//! Progress of an automation: a bar over the runbook's steps on a terminal, timestamped
//! lines otherwise (CI logs, tests).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::aws::ssm::{AutomationFact, StepFact};

pub trait StepProgress: Send + Sync {
    /// The execution was started.
    fn started(&self, document: &str, execution_id: &str);
    /// A step started, or changed status.
    fn step(&self, step: &StepFact);
    /// The execution ended.
    fn finished(&self, execution: &AutomationFact);
}

/// The terminal or the plain form, from whether stderr is a terminal. `steps` is how many
/// steps the runbook has (the bar's length; branches skip some).
pub fn for_stderr(steps: usize) -> Box<dyn StepProgress> {
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:30.green/dim} {pos}/{len} steps  {elapsed}  {msg}")
                .expect("valid template"),
        );
        Box::new(BarProgress { bar })
    } else {
        Box::new(LineProgress)
    }
}

fn describe(step: &StepFact) -> String {
    // A script's failure carries its traceback: its first line says why.
    match step.failure.as_deref().and_then(|f| f.lines().next()) {
        Some(failure) => format!(
            "{} ({}): {}: {failure}",
            step.name, step.action, step.status
        ),
        None => format!("{} ({}): {}", step.name, step.action, step.status),
    }
}

fn ended(step: &StepFact) -> bool {
    !matches!(step.status.as_str(), "Pending" | "InProgress" | "Waiting")
}

pub struct LineProgress;

impl StepProgress for LineProgress {
    fn started(&self, document: &str, execution_id: &str) {
        eprintln!(
            "{} started {document}: execution {execution_id}",
            chrono::Utc::now().format("%H:%M:%S")
        );
    }

    fn step(&self, step: &StepFact) {
        eprintln!(
            "{} {}",
            chrono::Utc::now().format("%H:%M:%S"),
            describe(step)
        );
    }

    fn finished(&self, execution: &AutomationFact) {
        eprintln!(
            "{} execution {}",
            chrono::Utc::now().format("%H:%M:%S"),
            execution.status
        );
    }
}

pub struct BarProgress {
    bar: ProgressBar,
}

impl StepProgress for BarProgress {
    fn started(&self, document: &str, execution_id: &str) {
        self.bar
            .println(format!("started {document}: execution {execution_id}"));
    }

    fn step(&self, step: &StepFact) {
        if ended(step) {
            self.bar.inc(1);
            self.bar.println(describe(step));
        } else {
            self.bar.set_message(step.name.clone());
        }
    }

    fn finished(&self, execution: &AutomationFact) {
        self.bar
            .finish_with_message(format!("execution {}", execution.status));
    }
}
