//! The only module that knows the AWS SDK: configuration, credentials per account,
//! clients per (account, region), retry and timeout policy, call counting, and the
//! mapping of SDK errors to our own kinds.
//!
//! Everything else speaks `AccountId`, `Region` and the typed results of the functions
//! in the submodules.

pub mod apigateway;
pub mod apigatewayv2;
pub mod athena;
pub mod cfn;
pub mod cloudfront;
pub mod cloudtrail;
pub mod configservice;
pub mod ec2;
pub mod eks;
pub mod elb;
pub mod elbv2;
pub mod guardduty;
pub mod iam;
pub mod kms;
mod limits;
pub mod monitoring;
pub mod org;
pub mod redshift;
pub mod resolver;
pub mod s3;
pub mod s3_logging;
pub mod ssm;
pub mod wafv2;
pub mod wait;

pub use limits::Limits;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

use crate::addr::{AccountId, Region};

/// How to reach AWS: the standard credential chain, optionally a named profile and an
/// endpoint override (the emulator, or a VPC endpoint).
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Bounds on concurrent requests.
    pub limits: Limits,
}

/// Retry policy, set once for every client: the SDK's standard mode (exponential backoff
/// with full jitter on throttling, 5xx and transient network errors).
const MAX_ATTEMPTS: u32 = 8;
const INITIAL_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// Timeouts on every call: one attempt, and the whole call including retries.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(180);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Our kinds of AWS failure, decided once from the service's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Throttled,
    AccessDenied,
    /// No credentials, or credentials AWS does not accept (expired, unknown, malformed).
    Credentials,
    NotFound,
    Invalid,
    Unreachable,
    /// A waiter gave up: the operation it waited for may still be running.
    StillRunning,
    Other,
}

impl ErrorKind {
    /// Our kind for a service error code; no code means the service was not reached.
    pub fn of_code(code: Option<&str>) -> Self {
        match code {
            Some(
                "Throttling"
                | "ThrottlingException"
                | "TooManyRequestsException"
                | "RequestLimitExceeded",
            ) => ErrorKind::Throttled,
            Some(
                "AccessDenied"
                | "AccessDeniedException"
                | "UnauthorizedOperation"
                | "AuthFailure"
                | "OptInRequired",
            ) => ErrorKind::AccessDenied,
            Some(
                "ExpiredToken"
                | "ExpiredTokenException"
                | "RequestExpired"
                | "InvalidClientTokenId"
                | "UnrecognizedClientException"
                | "SignatureDoesNotMatch"
                | "IncompleteSignature",
            ) => ErrorKind::Credentials,
            Some(c) if c.contains("NotFound") || c.starts_with("NoSuch") => ErrorKind::NotFound,
            Some(c) if c.contains("Validation") || c.starts_with("Invalid") => ErrorKind::Invalid,
            Some(_) => ErrorKind::Other,
            None => ErrorKind::Unreachable,
        }
    }
}

/// A failed AWS call: which operation, our kind, and the service's code and message.
/// It never carries credentials: SDK errors hold none, and we add none.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct AwsError {
    pub operation: &'static str,
    pub kind: ErrorKind,
    pub code: Option<String>,
    pub message: String,
}

impl AwsError {
    /// `Ok(None)` when the error says the resource does not exist (a `NotFound` kind, or
    /// one of the service's own `codes` for it), the error itself otherwise.
    pub fn absent<T>(self, codes: &[&str]) -> AwsResult<Option<T>> {
        let missing = self.kind == ErrorKind::NotFound
            || self.code.as_deref().is_some_and(|c| codes.contains(&c));
        if missing {
            Ok(None)
        } else {
            Err(self)
        }
    }

    pub fn from_sdk<E>(operation: &'static str, err: E) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let code = err.code().map(str::to_owned);
        tracing::debug!(operation, error = %DisplayErrorContext(&err), "AWS call failed");
        if code.is_none() {
            if let Some((kind, message)) = unreached(&err) {
                // The SDK's whole account of it, for `-v`; the error itself says in one
                // line what is wrong and what to do.
                tracing::info!(operation, error = %DisplayErrorContext(&err), "{message}");
                return Self {
                    operation,
                    kind,
                    code: None,
                    message,
                };
            }
        }
        let kind = ErrorKind::of_code(code.as_deref());
        if let (ErrorKind::Credentials, Some(code)) = (kind, code.as_deref()) {
            tracing::info!(operation, error = %DisplayErrorContext(&err), "credentials refused");
            return Self {
                operation,
                kind,
                code: Some(code.to_owned()),
                message: rejected_credentials(code),
            };
        }
        let message = match err.message() {
            Some(m) => match &code {
                Some(c) => format!("{c}: {m}"),
                None => m.to_owned(),
            },
            None => DisplayErrorContext(&err).to_string(),
        };
        Self {
            operation,
            kind,
            code,
            message,
        }
    }

    pub fn other(operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            operation,
            kind: ErrorKind::Other,
            code: None,
            message: message.into(),
        }
    }
}

pub type AwsResult<T> = Result<T, AwsError>;

/// What to do without credentials.
const NO_CREDENTIALS: &str = "no AWS credentials found: set AWS_PROFILE (or --profile), run \
     `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/// A call that reached no service, in one line a person can act on: no credentials, or no
/// connection to the endpoint. `None` when the cause is something else.
fn unreached(err: &(dyn std::error::Error + 'static)) -> Option<(ErrorKind, String)> {
    use aws_credential_types::provider::error::CredentialsError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    let mut source = Some(err);
    while let Some(current) = source {
        if let Some(credentials) = current.downcast_ref::<CredentialsError>() {
            let message = match credentials {
                CredentialsError::ProviderTimedOut(_) => {
                    format!("{NO_CREDENTIALS} (the credential provider did not answer in time)")
                }
                _ => NO_CREDENTIALS.to_owned(),
            };
            return Some((ErrorKind::Credentials, message));
        }
        if let Some(connector) = current.downcast_ref::<ConnectorError>() {
            let what = if connector.is_timeout() {
                "the AWS endpoint did not answer in time"
            } else {
                "cannot connect to the AWS endpoint"
            };
            if connector.is_timeout() || connector.is_io() {
                return Some((
                    ErrorKind::Unreachable,
                    format!(
                        "{what}: check the network, and --endpoint-url or AWS_ENDPOINT_URL if \
                         set (run with -v for the details)"
                    ),
                ));
            }
        }
        source = current.source();
    }
    None
}

/// Credentials AWS refused, in one line a person can act on.
fn rejected_credentials(code: &str) -> String {
    match code {
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => format!(
            "the AWS credentials have expired ({code}): refresh them (`aws sso login`, or new \
             session credentials) and run again"
        ),
        _ => format!(
            "AWS does not accept these credentials ({code}): check AWS_PROFILE and \
             AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN"
        ),
    }
}

/// Counts the AWS calls a run makes, by `service:Operation`, and the HTTP attempts
/// (retries included). Read by `--stats` and the benchmark.
#[derive(Debug, Default)]
pub struct CallStats {
    calls: Mutex<BTreeMap<String, u64>>,
    attempts: AtomicU64,
}

impl CallStats {
    fn record(&self, operation: String) {
        *self.calls.lock().unwrap().entry(operation).or_default() += 1;
    }

    /// Calls by operation, sorted by name.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().unwrap().clone()
    }

    pub fn total_calls(&self) -> u64 {
        self.calls.lock().unwrap().values().sum()
    }

    pub fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone)]
struct CountCalls(Arc<CallStats>);

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "irready::CountCalls"
    }

    // Client-level interceptors see `read_before_execution` before the operation's
    // configuration (and its `Metadata`) is applied; serialization comes after it.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.0
                .record(format!("{}:{}", metadata.service(), metadata.name()));
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.attempts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The HTTPS client every AWS call goes through (hyper 1 with rustls over ring), built
/// here so that it can be wrapped in the concurrency bounds. The SDK crates are built
/// without a default client of their own: one TLS stack, and no C library to compile.
fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
    use aws_smithy_http_client::{Builder, ConnectorBuilder};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The service's own error behind a failed AssumeRole (its code and message, such as
/// `AccessDenied`), rather than the credential provider's layers around it.
fn assume_role_error(err: aws_credential_types::provider::error::CredentialsError) -> AwsError {
    type AssumeRoleSdkError = aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role::AssumeRoleError,
        aws_smithy_runtime_api::http::Response,
    >;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(current) = source {
        if let Some(sdk) = current.downcast_ref::<AssumeRoleSdkError>() {
            if let Some(code) = sdk.code() {
                return AwsError {
                    operation: "sts:AssumeRole",
                    kind: ErrorKind::of_code(Some(code)),
                    code: Some(code.to_owned()),
                    message: match sdk.message() {
                        Some(message) => format!("{code}: {message}"),
                        None => code.to_owned(),
                    },
                };
            }
        }
        source = current.source();
    }
    AwsError {
        operation: "sts:AssumeRole",
        kind: ErrorKind::AccessDenied,
        code: None,
        message: DisplayErrorContext(&err).to_string(),
    }
}

/// Assumed-role credentials for one account, fetched once and reused until five minutes
/// before they expire, and counted when really fetched. Both the eager check in
/// [`Aws::verify`] and the SDK clients go through it, so an account costs one AssumeRole.
#[derive(Debug)]
struct CachedProvider {
    inner: SharedCredentialsProvider,
    stats: Arc<CallStats>,
    cached: tokio::sync::Mutex<Option<Credentials>>,
}

impl CachedProvider {
    async fn get(&self) -> aws_credential_types::provider::Result {
        let mut cached = self.cached.lock().await;
        if let Some(credentials) = cached.as_ref() {
            let fresh = credentials.expiry().is_none_or(|expiry| {
                expiry > std::time::SystemTime::now() + Duration::from_secs(300)
            });
            if fresh {
                return Ok(credentials.clone());
            }
        }
        self.stats.record("sts:AssumeRole".to_owned());
        let credentials = self.inner.provide_credentials().await?;
        *cached = Some(credentials.clone());
        Ok(credentials)
    }
}

impl ProvideCredentials for CachedProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.get())
    }
}

/// Configuration for one account: the SDK config whose credentials act in it.
#[derive(Clone, Debug)]
pub struct AccountSession {
    pub account: AccountId,
    config: SdkConfig,
}

/// Entry point to AWS for one run.
pub struct Aws {
    base: SdkConfig,
    /// The HTTP client every SDK client wraps in its bounds.
    http: SharedHttpClient,
    permits: limits::Permits,
    stats: Arc<CallStats>,
    sessions: tokio::sync::Mutex<HashMap<AccountId, AccountSession>>,
}

/// A client of an AWS service in one region with the session's credentials, counted
/// by the call statistics.
macro_rules! regional_client {
    ($(#[$doc:meta])* $name:ident, $sdk:ident) => {
        $(#[$doc])*
        pub fn $name(&self, session: &AccountSession, region: &Region) -> $sdk::Client {
            let config = $sdk::config::Builder::from(&session.config)
                .region(aws_config::Region::new(region.to_string()))
                .interceptor(self.interceptor())
                .http_client(self.http_client(session, region, stringify!($name)))
                .build();
            $sdk::Client::from_conf(config)
        }
    };
}

impl Aws {
    /// Loads the standard credential chain (environment, profile, SSO, instance role).
    pub async fn connect(options: &AwsOptions) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(MAX_ATTEMPTS)
                    .with_initial_backoff(INITIAL_BACKOFF)
                    .with_max_backoff(MAX_BACKOFF),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            );
        let http = https_client();
        let permits = limits::Permits::new(options.limits);
        // Calls made with the base configuration (STS, the credential providers) are
        // held to the global bound; the clients below add their account and service.
        loader = loader.http_client(limits::Limited {
            inner: http.clone(),
            chain: permits.global(),
        });
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let base = loader.load().await;
        let base = if base.region().is_none() {
            // Organizations and STS are global: any region reaches them.
            base.to_builder()
                .region(aws_config::Region::new("us-east-1"))
                .build()
        } else {
            base
        };
        Self {
            base,
            http,
            permits,
            stats: Arc::new(CallStats::default()),
            sessions: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    pub fn stats(&self) -> &CallStats {
        &self.stats
    }

    /// The caller's own credentials: the management account, or the single account of an
    /// environment without an organization.
    pub fn caller_session(&self, account: AccountId) -> AccountSession {
        AccountSession {
            account,
            config: self.base.clone(),
        }
    }

    /// The session for `account`: the caller's credentials for the caller's own account,
    /// otherwise `role` assumed in it. Sessions are created once per account and run; the
    /// SDK's identity cache then calls AssumeRole once and refreshes before expiry.
    pub async fn session(
        &self,
        caller: &AccountId,
        account: &AccountId,
        role: &str,
        session_name: &str,
    ) -> AccountSession {
        if account == caller {
            return self.caller_session(account.clone());
        }
        let mut sessions = self.sessions.lock().await;
        if let Some(session) = sessions.get(account) {
            return session.clone();
        }
        let role_arn = format!("arn:aws:iam::{account}:role/{role}");
        let session = self
            .assumed(&self.base, account, &role_arn, session_name)
            .await;
        sessions.insert(account.clone(), session.clone());
        session
    }

    /// A session in `account` as `role_arn`, assumed with the credentials of `through`:
    /// the caller's own, or another role's (role chaining: the management account enters
    /// a member account through the member role, then assumes a role of that account).
    /// Not cached: one command uses it.
    pub async fn chained_session(
        &self,
        through: &AccountSession,
        account: &AccountId,
        role_arn: &str,
        session_name: &str,
    ) -> AccountSession {
        self.assumed(&through.config, account, role_arn, session_name)
            .await
    }

    /// A session in `account` as `role_arn`, assumed with the credentials of `with`; the
    /// credentials are cached until they expire and every fetch is counted.
    async fn assumed(
        &self,
        with: &SdkConfig,
        account: &AccountId,
        role_arn: &str,
        session_name: &str,
    ) -> AccountSession {
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .configure(with)
            .build()
            .await;
        let counted = CachedProvider {
            inner: SharedCredentialsProvider::new(provider),
            stats: self.stats.clone(),
            cached: tokio::sync::Mutex::new(None),
        };
        let config = self
            .base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(counted))
            .build();
        AccountSession {
            account: account.clone(),
            config,
        }
    }

    /// Fetches the session's credentials now, so that an account whose role cannot be
    /// assumed fails once, clearly, before any other call in it.
    pub async fn verify(&self, session: &AccountSession) -> AwsResult<()> {
        let provider = session
            .config
            .credentials_provider()
            .ok_or_else(|| AwsError::other("credentials", "no credentials found"))?;
        provider
            .provide_credentials()
            .await
            .map(|_| ())
            .map_err(assume_role_error)
    }

    fn interceptor(&self) -> CountCalls {
        CountCalls(self.stats.clone())
    }

    /// The HTTP client for `service` in the session's account and `region`, bounded.
    fn http_client(
        &self,
        session: &AccountSession,
        region: &Region,
        service: &'static str,
    ) -> limits::Limited {
        limits::Limited {
            inner: self.http.clone(),
            chain: self.permits.chain(&session.account, region, service),
        }
    }

    regional_client!(
        /// CloudFormation.
        cloudformation,
        aws_sdk_cloudformation
    );
    regional_client!(
        /// EC2.
        ec2,
        aws_sdk_ec2
    );
    regional_client!(
        /// CloudWatch alarms.
        cloudwatch,
        aws_sdk_cloudwatch
    );
    regional_client!(
        /// CloudWatch Logs.
        logs,
        aws_sdk_cloudwatchlogs
    );
    regional_client!(
        /// Systems Manager parameters.
        ssm,
        aws_sdk_ssm
    );
    regional_client!(
        /// Athena: the analysis component's workgroup.
        athena,
        aws_sdk_athena
    );
    regional_client!(
        /// The Glue Data Catalog: the analysis component's tables.
        glue,
        aws_sdk_glue
    );
    regional_client!(
        /// KMS: the policies of irready's keys.
        kms,
        aws_sdk_kms
    );
    regional_client!(
        /// SNS: who the alarms' topics notify.
        sns,
        aws_sdk_sns
    );

    /// S3, with path-style addressing when an endpoint is overridden (a local endpoint
    /// has no per-bucket host names).
    pub fn s3(&self, session: &AccountSession, region: &Region) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&session.config)
            .region(aws_config::Region::new(region.to_string()))
            .force_path_style(session.config.endpoint_url().is_some())
            .interceptor(self.interceptor())
            .http_client(self.http_client(session, region, "s3"))
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    regional_client!(
        /// CloudTrail.
        cloudtrail,
        aws_sdk_cloudtrail
    );
    regional_client!(
        /// GuardDuty.
        guardduty,
        aws_sdk_guardduty
    );
    regional_client!(
        /// AWS Config.
        config_service,
        aws_sdk_config
    );
    regional_client!(
        /// Route 53 Resolver.
        route53resolver,
        aws_sdk_route53resolver
    );
    regional_client!(
        /// Elastic Load Balancing v2 (Application and Network load balancers).
        elbv2,
        aws_sdk_elasticloadbalancingv2
    );
    regional_client!(
        /// Classic Elastic Load Balancing.
        elb,
        aws_sdk_elasticloadbalancing
    );
    regional_client!(
        /// Redshift.
        redshift,
        aws_sdk_redshift
    );
    regional_client!(
        /// EKS.
        eks,
        aws_sdk_eks
    );
    regional_client!(
        /// API Gateway (REST APIs).
        apigateway,
        aws_sdk_apigateway
    );
    regional_client!(
        /// API Gateway v2 (HTTP APIs).
        apigatewayv2,
        aws_sdk_apigatewayv2
    );
    regional_client!(
        /// WAFv2.
        wafv2,
        aws_sdk_wafv2
    );

    /// IAM, a global service answered in us-east-1.
    pub fn iam(&self, session: &AccountSession) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::config::Builder::from(&session.config)
            .region(aws_config::Region::new("us-east-1"))
            .interceptor(self.interceptor())
            .http_client(self.http_client(session, &Region::us_east_1(), "iam"))
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// CloudFront, a global service answered in us-east-1.
    pub fn cloudfront(&self, session: &AccountSession) -> aws_sdk_cloudfront::Client {
        let config = aws_sdk_cloudfront::config::Builder::from(&session.config)
            .region(aws_config::Region::new("us-east-1"))
            .interceptor(self.interceptor())
            .http_client(self.http_client(session, &Region::us_east_1(), "cloudfront"))
            .build();
        aws_sdk_cloudfront::Client::from_conf(config)
    }

    pub fn organizations(&self, session: &AccountSession) -> aws_sdk_organizations::Client {
        let config = aws_sdk_organizations::config::Builder::from(&session.config)
            .region(aws_config::Region::new("us-east-1"))
            .interceptor(self.interceptor())
            .http_client(self.http_client(session, &Region::us_east_1(), "organizations"))
            .build();
        aws_sdk_organizations::Client::from_conf(config)
    }

    /// The account the caller's credentials belong to.
    pub async fn caller_account(&self) -> AwsResult<AccountId> {
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&self.base)
                .interceptor(self.interceptor())
                .build(),
        );
        let identity = sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("sts:GetCallerIdentity", e))?;
        identity
            .account()
            .unwrap_or_default()
            .parse()
            .map_err(|e: String| AwsError::other("sts:GetCallerIdentity", e))
    }
}
