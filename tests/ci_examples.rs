//! The CI pipelines in examples/ci/ are ready to copy: each passes the schema of its CI
//! system (GitHub Actions and GitLab CI, as bundled by check-jsonschema, pinned in
//! scripts/requirements.txt), and every irready command they run exists with the flags
//! they give it.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

const PIPELINES: [(&str, &str); 2] = [
    ("examples/ci/github/irready.yml", "vendor.github-workflows"),
    ("examples/ci/gitlab/.gitlab-ci.yml", "vendor.gitlab-ci"),
];

#[test]
fn each_pipeline_passes_its_ci_systems_schema() {
    for (file, schema) in PIPELINES {
        // Through the interpreter: a console script installed by pip may not be on PATH
        // until a version manager's shims are refreshed.
        let out = Command::new("python3")
            .args(["-m", "check_jsonschema", "--builtin-schema", schema])
            .arg(common::repo().join(file))
            .output()
            .expect("check-jsonschema runs: scripts/setup installs it");
        assert!(
            out.status.success(),
            "{file}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The irready command lines of a pipeline: `irready SUBCOMMAND ...` wherever it starts.
fn irready_commands(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|line| {
            let at = line.find("irready ")?;
            // Not the comments, and not `cargo install ... irready`.
            let before = &line[..at];
            if before.trim_start().starts_with('#') || before.contains("install") {
                return None;
            }
            let words: Vec<String> = line[at..]
                .split("||")
                .next()
                .unwrap()
                .split('>')
                .next()
                .unwrap()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            Some(words)
        })
        .collect()
}

#[test]
fn every_irready_command_in_the_pipelines_exists_with_its_flags() {
    let mut seen = BTreeSet::new();
    for (file, _) in PIPELINES {
        let text = std::fs::read_to_string(common::repo().join(file)).unwrap();
        let commands = irready_commands(&text);
        assert!(commands.len() >= 4, "{file}: {commands:?}");
        for words in commands {
            let subcommand = &words[1];
            seen.insert(subcommand.clone());
            let help = common::run_irready(&[subcommand, "--help"], None);
            help.expect_code(0);
            for flag in words.iter().filter(|w| w.starts_with('-')) {
                let long = flag.split('=').next().unwrap();
                assert!(
                    help.stdout.contains(long),
                    "{file}: `irready {subcommand}` has no {long}"
                );
            }
        }
    }
    for needed in ["plan", "show", "apply", "check"] {
        assert!(seen.contains(needed), "{needed} in {seen:?}");
    }
}
