//! The binary describes itself: `--version` names the version and the commit, `irready
//! completions bash` completes subcommands and flags in a real bash, and `irready man`
//! is a manual page listing the subcommands.

mod common;

use std::process::Command;

fn irready(args: &[&str]) -> common::Run {
    common::run_irready(args, None)
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let run = irready(&["--version"]);
    run.expect_code(0);
    let line = run.stdout.trim();
    let commit = line
        .strip_prefix(&format!("irready {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("version line: {line}"));
    // Built from a git checkout here; from a source archive it would say `unknown`.
    assert!(
        commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{line}"
    );
}

/// Completes `words` (the command line so far, cursor at its end) with the bash script
/// `irready completions bash` prints, loaded into a real bash.
fn complete(words: &[&str]) -> Vec<String> {
    let script = irready(&["completions", "bash"]);
    script.expect_code(0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("irready.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let line = words.join(" ");
    let words_array = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let program = format!(
        "source '{}'\n\
         complete -p irready >/dev/null || exit 3\n\
         COMP_WORDS=({words_array}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}\n\
         _irready irready '{}' '{}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        words.len() - 1,
        line.len(),
        words[words.len() - 1],
        words[words.len().saturating_sub(2)],
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_their_flags() {
    assert_eq!(complete(&["irready", "pl"]), ["plan"]);
    let tabletop = complete(&["irready", "ta"]);
    assert_eq!(tabletop, ["tabletop"]);
    let flags = complete(&["irready", "plan", "--detail"]);
    assert_eq!(flags, ["--detailed-exitcode"]);
    let formats = complete(&["irready", "check", "--format", ""]);
    for format in ["text", "json", "junit", "sarif", "markdown"] {
        assert!(
            formats.iter().any(|f| f == format),
            "{format} in {formats:?}"
        );
    }
    let shells = complete(&["irready", "completions", ""]);
    assert!(shells.iter().any(|s| s == "zsh"), "{shells:?}");
}

#[test]
fn the_manual_page_lists_every_subcommand() {
    let run = irready(&["man"]);
    run.expect_code(0);
    assert!(run.stdout.contains(".TH irready 1"), "{}", run.stdout);
    for subcommand in [
        "validate",
        "render",
        "plan",
        "apply",
        "check",
        "controls",
        "show",
        "destroy",
        "unlock",
        "tabletop",
        "completions",
        "man",
    ] {
        assert!(
            run.stdout.contains(&format!("irready\\-{subcommand}"))
                || run.stdout.contains(&format!("{subcommand}(")),
            "{subcommand} in the manual page"
        );
    }
}
