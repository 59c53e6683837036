//! What a user reads, pinned: the demo environment's plan (text, Markdown and JSON) on
//! the freshly seeded organization, and its check report (text and Markdown) once applied
//! and logs have landed. A change to any of them shows as a reviewable diff
//! (`cargo insta review`); the snapshots live in `tests/snapshots/`.
//!
//! The demo organization's account ids are the same on every run (the emulator seeds its
//! id generator); the ids of the default VPCs, which accounts create on first use in an
//! order the plan's concurrency decides, and the clock are redacted, nothing else is.

mod common;

use common::Emulator;

const DEMO: &str = "environments/demo.yaml";

/// Redactions for what varies between runs of the emulator.
fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    // Logical ids irready derives from a VPC id (FlowLog575a44487ec5a17b8).
    settings.add_filter(r"\b([A-Za-z]+)[0-9a-f]{17}\b", "$1[vpc]");
    settings.add_filter(r"\bvpc-[0-9a-f]{8,17}\b", "vpc-[id]");
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?( UTC|Z)?",
        "[time]",
    );
    settings.add_filter(r"\b\d{4}/\d{1,2}/\d{1,2}/", "[date]/");
    settings
}

#[tokio::test]
async fn the_demo_plan_and_check_reports_read_as_their_snapshots() {
    let emu = Emulator::start();
    let _guard = settings().bind_to_scope();

    let text = emu.irready(&["plan", "-e", DEMO, "--detailed-exitcode"]);
    text.expect_code(2);
    insta::assert_snapshot!("demo-plan.txt", text.stdout);

    // Past 30 stacks the text is a summary; --verbose shows every stack and resource.
    let verbose = emu.irready(&["plan", "-e", DEMO, "--verbose"]);
    verbose.expect_code(0);
    insta::assert_snapshot!("demo-plan-verbose.txt", verbose.stdout);

    let markdown = emu.irready(&["plan", "-e", DEMO, "--format", "markdown"]);
    markdown.expect_code(0);
    insta::assert_snapshot!("demo-plan.md", markdown.stdout);

    // The JSON plan whole, but for each stack's template body and hash: they hold the
    // VPC ids, and the template snapshots (src/render/snapshots/) pin the bodies.
    let mut json = emu
        .irready(&["plan", "-e", DEMO, "--format", "json"])
        .json();
    for stack in json["stacks"].as_array_mut().expect("stacks") {
        stack["template"] = serde_json::json!("[see the template snapshots]");
    }
    let pretty = serde_json::to_string_pretty(&json).unwrap();
    insta::assert_snapshot!("demo-plan.json", pretty);

    emu.irready(&["apply", "-e", DEMO, "--auto-approve"])
        .expect_code(0);
    emu.deliver();

    let check = emu.irready(&["check", "-e", DEMO]);
    check.expect_code(0);
    insta::assert_snapshot!("demo-check.txt", check.stdout);

    let markdown = emu.irready(&["check", "-e", DEMO, "--format", "markdown"]);
    markdown.expect_code(0);
    insta::assert_snapshot!("demo-check.md", markdown.stdout);
}
