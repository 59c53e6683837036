//! Shared harness for the end-to-end tests: an emulated AWS organization on a free
//! loopback port (started with `scripts/emulator`, stopped on drop), the real `irready`
//! binary, and SDK clients that read results back through the service APIs.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running emulator with the demo organization seeded.
pub struct Emulator {
    pub port: u16,
    pub url: String,
    state: tempfile::TempDir,
}

impl Emulator {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts an emulator whose server sees `vars` in its environment.
    pub fn start_with(vars: &[(&str, &str)]) -> Self {
        let state = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let out = Command::new(repo().join("scripts/emulator"))
            .args(["up", "--port", &port.to_string()])
            .envs(vars.iter().copied())
            .env("IRREADY_EMULATOR_STATE", state.path())
            .stderr(Stdio::inherit())
            .output()
            .expect("scripts/emulator runs");
        assert!(out.status.success(), "emulator did not start");
        let url = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .expect("the emulator prints its URL")
            .trim()
            .to_owned();
        assert_eq!(url, format!("http://127.0.0.1:{port}"));
        Self { port, url, state }
    }

    /// The end of the emulator's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self
            .state
            .path()
            .join(self.port.to_string())
            .join("server.log");
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Runs one round of every log delivery (`POST /_irready/deliver`), as time passing
    /// on AWS would, and returns the emulator's report of each.
    pub fn deliver(&self) -> serde_json::Value {
        let out = Command::new(repo().join("scripts/emulator"))
            .args(["deliver", "--port", &self.port.to_string()])
            .env("IRREADY_EMULATOR_STATE", self.state.path())
            .output()
            .expect("scripts/emulator runs");
        assert!(
            out.status.success(),
            "deliver failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the delivery report is JSON")
    }

    /// Runs the irready binary against this emulator.
    pub fn irready(&self, args: &[&str]) -> Run {
        run_irready(args, Some(&self.url))
    }

    pub fn base_config(&self) -> SdkConfig {
        config(&self.url, Credentials::for_tests())
    }

    /// SDK configuration acting in `account` (through the member role, as irready does).
    pub async fn account_config(&self, account: &str) -> SdkConfig {
        let base = self.base_config();
        if account == MANAGEMENT {
            return base;
        }
        let sts = aws_sdk_sts::Client::new(&base);
        let creds = sts
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("irready-tests")
            .send()
            .await
            .expect("assume role")
            .credentials
            .expect("credentials");
        config(
            &self.url,
            Credentials::new(
                creds.access_key_id,
                creds.secret_access_key,
                Some(creds.session_token),
                None,
                "tests",
            ),
        )
    }

    /// Account ids of the seeded organization, by name.
    pub async fn accounts(&self) -> std::collections::BTreeMap<String, String> {
        let org = aws_sdk_organizations::Client::new(&self.base_config());
        let out = org.list_accounts().send().await.expect("list accounts");
        out.accounts()
            .iter()
            .map(|a| (a.name().unwrap().to_owned(), a.id().unwrap().to_owned()))
            .collect()
    }

    /// The id of the KMS key behind `alias` in `account`, and its key policy.
    pub async fn key_policy(&self, account: &str, alias: &str) -> (String, serde_json::Value) {
        let kms = aws_sdk_kms::Client::new(&self.account_config(account).await);
        let key = kms.describe_key().key_id(alias).send().await.unwrap();
        let key_id = key.key_metadata().unwrap().key_id().to_owned();
        let policy = kms
            .get_key_policy()
            .key_id(&key_id)
            .policy_name("default")
            .send()
            .await
            .unwrap();
        let policy = serde_json::from_str(policy.policy().unwrap()).unwrap();
        (key_id, policy)
    }

    /// The id of the seeded organization (`o-...`).
    pub async fn organization_id(&self) -> String {
        let org = aws_sdk_organizations::Client::new(&self.base_config());
        let out = org
            .describe_organization()
            .send()
            .await
            .expect("describe organization");
        out.organization()
            .and_then(|o| o.id())
            .expect("an organization id")
            .to_owned()
    }

    pub async fn ec2(&self, account: &str, region: &str) -> aws_sdk_ec2::Client {
        let cfg = self.account_config(account).await;
        aws_sdk_ec2::Client::from_conf(
            aws_sdk_ec2::config::Builder::from(&cfg)
                .region(Region::new(region.to_owned()))
                .build(),
        )
    }

    pub async fn regional<C>(
        &self,
        account: &str,
        region: &str,
        make: impl Fn(&SdkConfig) -> C,
    ) -> C {
        let cfg = self.account_config(account).await;
        let cfg = cfg
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build();
        make(&cfg)
    }

    /// How many stacks the account holds in the region.
    pub async fn stack_count(&self, account: &str, region: &str) -> usize {
        let cfn = self.cloudformation(account, region).await;
        cfn.describe_stacks().send().await.unwrap().stacks().len()
    }

    /// S3 in the account and region, path-style (the emulator has no bucket host names).
    pub async fn s3(&self, account: &str, region: &str) -> aws_sdk_s3::Client {
        self.regional(account, region, |c| {
            aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(c)
                    .force_path_style(true)
                    .build(),
            )
        })
        .await
    }

    pub async fn iam(&self, account: &str) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.account_config(account).await)
    }

    pub async fn cloudformation(
        &self,
        account: &str,
        region: &str,
    ) -> aws_sdk_cloudformation::Client {
        let cfg = self.account_config(account).await;
        aws_sdk_cloudformation::Client::from_conf(
            aws_sdk_cloudformation::config::Builder::from(&cfg)
                .region(Region::new(region.to_owned()))
                .build(),
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/emulator"))
            .args(["down", "--port", &self.port.to_string()])
            .env("IRREADY_EMULATOR_STATE", self.state.path())
            .output();
    }
}

/// The emulator's default account, which holds the organization.
pub const MANAGEMENT: &str = "123456789012";

fn config(url: &str, credentials: Credentials) -> SdkConfig {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    // The SDK crates are built without a default HTTP client (irready brings its own):
    // the tests' clients get the same one.
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    SdkConfig::builder()
        .http_client(http)
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        )
        .build()
}

/// The result of one irready run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).expect("stdout is JSON")
    }
}

pub fn run_irready(args: &[&str], endpoint: Option<&str>) -> Run {
    Run::of(
        irready_command(args, endpoint)
            .output()
            .expect("irready runs"),
    )
}

impl Run {
    /// The exit code and output of a finished process.
    pub fn of(output: Output) -> Self {
        let Output {
            status,
            stdout,
            stderr,
        } = output;
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}

/// The irready binary with the emulator's credentials and endpoint, not yet started.
pub fn irready_command(args: &[&str], endpoint: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_irready"));
    command
        .args(args)
        .current_dir(repo())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::null());
    if let Some(url) = endpoint {
        command.env("AWS_ENDPOINT_URL", url);
    }
    command
}

/// Writes `text` to a file in `dir` and returns its path.
pub fn write_env(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write environment");
    path
}

/// The calls `--stats` printed on stderr, by `service:Operation`.
pub fn stats(stderr: &str) -> std::collections::BTreeMap<String, u64> {
    stderr
        .lines()
        .filter_map(|line| {
            let (count, operation) = line.trim().split_once(char::is_whitespace)?;
            let count = count.parse().ok()?;
            let operation = operation.trim();
            operation
                .contains(':')
                .then(|| (operation.to_owned(), count))
        })
        .collect()
}

/// `scripts/fault-proxy` on a free loopback port, in front of an emulator; killed on drop.
pub struct FaultProxy {
    pub url: String,
    child: std::process::Child,
}

/// What the proxy injects: shares of requests, and accounts whose role it refuses.
pub struct Faults<'a> {
    pub seed: u64,
    pub throttle: f64,
    pub server_error: f64,
    pub reset: f64,
    pub deny_assume_role: &'a [&'a str],
    /// Every request answered with ExpiredToken.
    pub expired_token: bool,
}

impl FaultProxy {
    pub fn start(upstream: &str, faults: &Faults<'_>) -> Self {
        use std::io::BufRead;
        let mut command = Command::new(repo().join("scripts/fault-proxy"));
        command.args([
            "--upstream",
            upstream,
            "--seed",
            &faults.seed.to_string(),
            "--throttle",
            &faults.throttle.to_string(),
            "--server-error",
            &faults.server_error.to_string(),
            "--reset",
            &faults.reset.to_string(),
        ]);
        for account in faults.deny_assume_role {
            command.args(["--deny-assume-role", account]);
        }
        if faults.expired_token {
            command.arg("--expired-token");
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("scripts/fault-proxy runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the proxy prints its URL");
        Self {
            url: line.trim().to_owned(),
            child,
        }
    }

    /// Runs the irready binary through the proxy.
    pub fn irready(&self, args: &[&str]) -> Run {
        run_irready(args, Some(&self.url))
    }

    /// The proxy's counters: requests, forwarded, throttled, server_errors, resets, denied.
    pub fn counts(&self) -> std::collections::BTreeMap<String, u64> {
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("the proxy answers");
        write!(
            stream,
            "GET /__faults HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let body = reply.split_once("\r\n\r\n").expect("an HTTP reply").1;
        serde_json::from_str(body).expect("counters as JSON")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every stack of a JSON plan with its action, as `account/region/stack action`.
pub fn stack_actions(plan: &serde_json::Value) -> std::collections::BTreeSet<String> {
    stacks_where(plan, |_| true)
}

/// The stacks of a JSON plan that change, as `account/region/stack action`.
pub fn changing(plan: &serde_json::Value) -> std::collections::BTreeSet<String> {
    stacks_where(plan, |s| s["action"] != "no_op")
}

fn stacks_where(
    plan: &serde_json::Value,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> std::collections::BTreeSet<String> {
    plan["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| keep(s))
        .map(|s| {
            format!(
                "{}/{}/{} {}",
                s["addr"]["account"].as_str().unwrap(),
                s["addr"]["region"].as_str().unwrap(),
                s["addr"]["stack"].as_str().unwrap(),
                s["action"].as_str().unwrap()
            )
        })
        .collect()
}

/// An EC2 filter on one value.
pub fn filter(name: &str, value: &str) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .values(value)
        .build()
}
