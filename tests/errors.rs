//! End to end: the failures a new user meets first (no credentials, an endpoint that does
//! not answer, expired credentials) are each one line that says what is wrong and what to
//! do; the SDK's own account of them (providers tried, raw HTTP responses) only with -v.

mod common;

use common::{Emulator, FaultProxy, Faults};

const DEMO: &str = "environments/demo.yaml";
const COMMANDS: [&[&str]; 3] = [
    &["plan", "-e", DEMO],
    &["render", "-e", DEMO, "--out", "target/render-errors"],
    &["check", "-e", DEMO],
];

/// The one error line of a failed run: exactly one line on stderr, starting `error:`.
fn one_line(run: &common::Run) -> String {
    run.expect_code(1);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line on stderr:\n{}", run.stderr);
    assert!(lines[0].starts_with("error: "), "{}", run.stderr);
    for internal in [
        "dispatch failure",
        "IMDS",
        "headers",
        "ConnectorError",
        "SdkBody",
    ] {
        assert!(!lines[0].contains(internal), "SDK internals: {}", lines[0]);
    }
    lines[0].to_owned()
}

#[test]
fn without_credentials_each_command_says_how_to_provide_them() {
    let home = tempfile::tempdir().unwrap();
    for args in COMMANDS {
        let mut command = common::irready_command(args, None);
        // No credentials anywhere in the chain: no keys, no profile files (HOME is empty),
        // no instance metadata.
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_CONFIG_FILE")
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
            .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .env("HOME", home.path());
        let run = common::Run::of(command.output().expect("irready runs"));
        let line = one_line(&run);
        assert!(
            line.contains(
                "no AWS credentials found: set AWS_PROFILE (or --profile), run `aws sso login`, \
                 or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ),
            "{args:?}: {line}"
        );
        // With -v, the detail is there.
        command.arg("-v");
        let verbose = common::Run::of(command.output().expect("irready runs"));
        assert!(verbose.stderr.lines().count() > 1, "{}", verbose.stderr);
    }
}

#[test]
fn an_endpoint_that_does_not_answer_is_named_as_such() {
    // A loopback port nothing listens on: every connection is refused.
    let port = common::free_port();
    let url = format!("http://127.0.0.1:{port}");
    for args in COMMANDS {
        let run = common::run_irready(args, Some(&url));
        let line = one_line(&run);
        assert!(
            line.contains(
                "cannot connect to the AWS endpoint: check the network, and \
                 --endpoint-url or AWS_ENDPOINT_URL if set"
            ),
            "{args:?}: {line}"
        );
    }
}

#[test]
fn expired_credentials_say_to_refresh_them() {
    let emu = Emulator::start();
    // AWS answers ExpiredToken to a session past its expiry; the emulator never expires
    // one, so the proxy answers in its place.
    let proxy = FaultProxy::start(
        &emu.url,
        &Faults {
            seed: 1,
            throttle: 0.0,
            server_error: 0.0,
            reset: 0.0,
            deny_assume_role: &[],
            expired_token: true,
        },
    );
    for args in COMMANDS {
        let run = proxy.irready(args);
        let line = one_line(&run);
        assert!(
            line.contains("the AWS credentials have expired (ExpiredToken): refresh them"),
            "{args:?}: {line}"
        );
    }
}
