//! The HTML check report in a real browser: headless Chromium loads the page from a file,
//! and the tests read the DOM after the page's script has run, and the browser's log of the
//! page's console. Chromium comes from Debian's package, which scripts/setup installs; a
//! machine without it fails here rather than skipping, since CI must run these.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use irready::addr::Target;
use irready::check::{controls, CheckReport, ControlId, Finding, Status, CHECK_FORMAT_VERSION};
use irready::report::check::html;

/// Long enough for a cold start on a loaded CI machine; the page itself takes milliseconds.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

fn chromium() -> PathBuf {
    let candidates = [
        std::env::var_os("IRREADY_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
    ];
    if let Some(found) = candidates.into_iter().flatten().find(|p| p.is_file()) {
        return found;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "chromium is not installed, and these tests need it: run scripts/setup \
                 (it installs Debian's chromium package), or point IRREADY_CHROMIUM at a binary"
            )
        })
}

/// What the browser made of a page.
struct Loaded {
    /// The DOM after the page's scripts ran, serialized.
    dom: String,
    /// The lines of the browser's log that come from the page's console, uncaught
    /// exceptions included.
    console: Vec<String>,
}

fn load(page: &Path, profile: &Path) -> Loaded {
    let url = format!("file://{}", page.display());
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");

    let read = |mut stream: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stream.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {BROWSER_TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    let dom = stdout.join().expect("stdout reader");
    let log = stderr.join().expect("stderr reader");
    assert!(status.success(), "chromium failed ({status}):\n{log}");
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect();
    Loaded { dom, console }
}

fn target(account: &str, region: &str) -> Target {
    Target::new(
        account.parse().expect("account id"),
        region.parse().expect("region"),
    )
}

/// Three controls in two accounts × two regions, every status, and a message that tries
/// to close the page's data block and run a script of its own.
fn report() -> CheckReport {
    let ids = [
        ControlId::GuardDuty,
        ControlId::FlowLogs,
        ControlId::Breakglass,
    ];
    let targets = [
        target("111111111111", "eu-west-1"),
        target("111111111111", "us-east-1"),
        target("222222222222", "eu-west-1"),
        target("222222222222", "us-east-1"),
    ];
    let mut findings = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let statuses = [
            (
                ControlId::GuardDuty,
                [Status::Fail, Status::Pass, Status::Error, Status::Fail][i],
            ),
            (
                ControlId::FlowLogs,
                [
                    Status::Pass,
                    Status::NotApplicable,
                    Status::Fail,
                    Status::Pass,
                ][i],
            ),
        ];
        for (control, status) in statuses {
            findings.push(Finding {
                control,
                target: t.clone(),
                status,
                message: format!(
                    "{status} </script><script>document.body.dataset.injected = \"yes\"</script>"
                ),
                evidence: vec![format!("arn:aws:ec2:{}:{}:vpc/vpc-1", t.region, t.account)],
                resource: None,
            });
        }
    }
    // IAM is global: the breakglass role is checked in one region per account.
    for (t, status) in [(&targets[0], Status::Pass), (&targets[2], Status::Fail)] {
        findings.push(Finding {
            control: ControlId::Breakglass,
            target: t.clone(),
            status,
            message: "trust policy checked".to_owned(),
            evidence: Vec::new(),
            resource: None,
        });
    }
    findings.sort_by(|a, b| (&a.control, &a.target).cmp(&(&b.control, &b.target)));
    CheckReport {
        format_version: CHECK_FORMAT_VERSION,
        irready_version: env!("CARGO_PKG_VERSION").to_owned(),
        environment: "prod".to_owned(),
        checked_at: Utc
            .with_ymd_and_hms(2025, 3, 14, 9, 26, 53)
            .single()
            .expect("time"),
        account_names: BTreeMap::from([
            ("111111111111".parse().expect("id"), "prod-app".to_owned()),
            ("222222222222".parse().expect("id"), "<dev>".to_owned()),
        ]),
        controls: ids.iter().map(|id| controls::of(*id).clone()).collect(),
        findings,
    }
}

#[test]
fn the_page_runs_its_script_and_shows_every_failure() {
    let report = report();
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("check.html");
    std::fs::write(&page, html::render(&report)).expect("page written");

    let loaded = load(&page, &dir.path().join("profile"));

    assert!(
        loaded.dom.contains("data-ready=\"true\""),
        "the page's script did not finish; console:\n{}",
        loaded.console.join("\n")
    );
    let failing = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .count();
    assert_eq!(failing, 4);
    assert_eq!(loaded.dom.matches("data-status=\"fail\"").count(), failing);
    assert_eq!(loaded.dom.matches("data-status=\"error\"").count(), 1);
    // Two targets have no breakglass finding: their cells say so.
    assert_eq!(loaded.dom.matches("data-status=\"absent\"").count(), 2);
    assert!(
        !loaded.dom.contains("data-injected"),
        "a message ran as a script"
    );
    assert!(
        loaded.console.is_empty(),
        "the page logged to the console:\n{}",
        loaded.console.join("\n")
    );
}

#[test]
fn the_console_log_is_read() {
    // Without this, a browser that logged nothing would pass the test above.
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error(\"seen\"); \
         undefinedFunction();</script></body></html>",
    )
    .expect("page written");

    let loaded = load(&page, &dir.path().join("profile"));

    let console = loaded.console.join("\n");
    assert!(console.contains("seen"), "{console}");
    assert!(console.contains("Uncaught ReferenceError"), "{console}");
}
