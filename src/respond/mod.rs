//! Containment through irready's runbooks (`irready respond`): finds the account in the
//! environment, enters it as the responder role, makes sure the runbook is deployed there,
//! starts the automation with the values it needs and follows it step by step.
//!
//! It changes nothing itself: its one mutating call is StartAutomationExecution, and the
//! runbook makes its changes as the automation role, so every containment is on record as
//! an execution. It does not print: `cli::respond` does, from the `Outcome`.

mod progress;

pub use progress::{for_stderr, StepProgress};

use std::time::Duration;

use serde_json::Value;

use crate::addr::{AccountId, Region, Target};
use crate::aws::ssm::{self, AutomationFact, StepFact};
use crate::aws::wait::{self, Poll};
use crate::aws::{cfn, AccountSession, Aws, AwsError, ErrorKind};
use crate::config::Environment;
use crate::discover::{self, DiscoverError};
use crate::model::component::Component;
use crate::model::runbooks::{self, Runbook, EVIDENCE_KEY_OUTPUT};
use crate::model::scope::Scope;

/// What a responder asks for.
#[derive(Debug, Clone)]
pub struct Request {
    pub runbook: Runbook,
    /// The account, by name or id.
    pub account: String,
    pub region: Region,
    /// The instance id, access key id or principal ARN.
    pub target: String,
    pub case: Option<String>,
    pub dry_run: bool,
}

/// How an automation ended, and what it says it did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub runbook: Runbook,
    pub document: String,
    pub target: Target,
    pub account_name: String,
    pub execution_id: String,
    pub dry_run: bool,
    pub execution: AutomationFact,
    /// `Plan.Actions`: every call the runbook makes (or would make).
    pub actions: Vec<String>,
    /// `Summary.Result`, parsed.
    pub summary: Option<Value>,
    /// The evidence the run left: the shared snapshot copies.
    pub evidence: Vec<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.execution.status == "Success"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RespondError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("`{account}` is not a target account of environment {env} (targets: {targets})")]
    NotATarget {
        account: String,
        env: String,
        targets: String,
    },
    #[error("{region} is not a region of environment {env} (regions: {regions})")]
    NotARegion {
        region: Region,
        env: String,
        regions: String,
    },
    #[error("environment {env} has no `access:` section: there is no responder role or runbook")]
    NoAccess { env: String },
    #[error(
        "the runbooks are not deployed in {account}/{region}: run `irready apply` first \
         ({document} not found)"
    )]
    NotDeployed {
        account: String,
        region: Region,
        document: String,
    },
    #[error(
        "the evidence key is not deployed in the forensic account {target}: run `irready apply` \
         first (stack {stack} has no output {output})"
    )]
    NoEvidenceKey {
        target: Target,
        stack: String,
        output: &'static str,
    },
    #[error("environment {env} has no forensic account: acquire-volumes shares evidence into it")]
    NoForensicAccount { env: String },
    #[error(
        "the responder role {arn} could not be assumed: with the caller's credentials: \
         {direct}; through the member role: {through_member}. It trusts only \
         access.security_principals: run respond with credentials of one of them"
    )]
    ResponderRole {
        arn: String,
        direct: AwsError,
        through_member: AwsError,
    },
    #[error("{0}")]
    Aws(#[from] AwsError),
    #[error("execution {id} did not end within {minutes} minutes; it goes on in Systems Manager")]
    TimedOut { id: String, minutes: u64 },
}

/// Where a request goes, resolved against the organization.
pub struct Resolved {
    pub caller: AccountId,
    pub scope: Scope,
    pub target: Target,
    pub account_name: String,
}

/// Resolves the request's account and region against the environment's targets.
pub async fn resolve(
    aws: &Aws,
    env: &Environment,
    request: &Request,
) -> Result<Resolved, RespondError> {
    let (caller, scope) = discover::resolve_scope(aws, env).await?;
    let name_of = |id: &AccountId| {
        scope
            .organization
            .accounts
            .iter()
            .find(|a| &a.id == id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    let account = scope
        .accounts
        .iter()
        .find(|id| id.to_string() == request.account || name_of(id) == request.account)
        .cloned()
        .ok_or_else(|| RespondError::NotATarget {
            account: request.account.clone(),
            env: env.name.clone(),
            targets: scope
                .accounts
                .iter()
                .map(|id| format!("{} ({id})", name_of(id)))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    if !scope.regions.contains(&request.region) {
        return Err(RespondError::NotARegion {
            region: request.region.clone(),
            env: env.name.clone(),
            regions: scope
                .regions
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let account_name = name_of(&account);
    Ok(Resolved {
        caller,
        target: Target::new(account, request.region.clone()),
        scope,
        account_name,
    })
}

/// How long the execution is followed at most (it is read on the waiter's schedule).
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    pub timeout: Duration,
}

impl Default for Follow {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

/// Runs the request's runbook and follows it to its end.
pub async fn run(
    aws: &Aws,
    env: &Environment,
    request: &Request,
    resolved: &Resolved,
    follow: Follow,
    progress: &dyn StepProgress,
) -> Result<Outcome, RespondError> {
    let access = env.access.as_ref().ok_or_else(|| RespondError::NoAccess {
        env: env.name.clone(),
    })?;
    let target = &resolved.target;
    let responder = responder_session(aws, env, resolved, &access.responder.role_name).await?;
    let document = request.runbook.document_name(&env.name);
    if ssm::document(aws, &responder, &target.region, &document)
        .await?
        .is_none()
    {
        return Err(RespondError::NotDeployed {
            account: resolved.account_name.clone(),
            region: target.region.clone(),
            document,
        });
    }
    let parameters = parameters(aws, env, request, resolved).await?;
    let execution_id =
        ssm::start_automation(aws, &responder, &target.region, &document, &parameters).await?;
    progress.started(&document, &execution_id);
    let execution = follow_execution(
        aws,
        &responder,
        &target.region,
        &execution_id,
        follow,
        progress,
    )
    .await?;
    let output = |name: &str| execution.outputs.get(name).cloned().unwrap_or_default();
    let summary = output("Summary.Result")
        .first()
        .and_then(|text| serde_json::from_str(text).ok());
    let evidence = match request.runbook {
        Runbook::AcquireVolumes if !request.dry_run && execution.status == "Success" => {
            output("Copy.SnapshotIds")
        }
        _ => Vec::new(),
    };
    Ok(Outcome {
        runbook: request.runbook,
        document,
        target: target.clone(),
        account_name: resolved.account_name.clone(),
        execution_id,
        dry_run: request.dry_run,
        actions: output("Plan.Actions"),
        summary,
        evidence,
        execution,
    })
}

/// The responder role of the target account. It trusts only the security principals, so
/// it is assumed first with the caller's own credentials (a responder running irready as
/// one of them); when that is refused, through the member role (which succeeds only where
/// the security principals include the target account itself).
async fn responder_session(
    aws: &Aws,
    env: &Environment,
    resolved: &Resolved,
    role_name: &str,
) -> Result<AccountSession, RespondError> {
    let account = &resolved.target.account;
    let arn = format!("arn:aws:iam::{account}:role/{role_name}");
    let session_name = format!("irready-{}-respond", env.name);
    let caller = aws.caller_session(resolved.caller.clone());
    let direct = aws
        .chained_session(&caller, account, &arn, &session_name)
        .await;
    let refused = match aws.verify(&direct).await {
        Ok(()) => return Ok(direct),
        Err(err) => err,
    };
    let member = aws
        .session(
            &resolved.caller,
            account,
            &env.organization.member_role,
            &session_name,
        )
        .await;
    let through = match aws.verify(&member).await {
        Ok(()) => {
            let through = aws
                .chained_session(&member, account, &arn, &session_name)
                .await;
            aws.verify(&through).await.map(|()| through)
        }
        Err(err) => Err(err),
    };
    through.map_err(|err| RespondError::ResponderRole {
        arn,
        direct: refused,
        through_member: err,
    })
}

/// The runbook's parameters: the names irready gives the automation role, the isolation
/// profile and the deny-all policy in every target account, and the evidence key of the
/// region, read from the forensic account's evidence-keys stack.
async fn parameters(
    aws: &Aws,
    env: &Environment,
    request: &Request,
    resolved: &Resolved,
) -> Result<Vec<(String, Vec<String>)>, RespondError> {
    let access = env.access.as_ref().ok_or_else(|| RespondError::NoAccess {
        env: env.name.clone(),
    })?;
    let account = &resolved.target.account;
    let mut out = vec![(
        "AutomationAssumeRole".to_owned(),
        format!(
            "arn:aws:iam::{account}:role/{}",
            runbooks::automation_role_name(&env.name)
        ),
    )];
    let case = request.case.clone().unwrap_or_default();
    match request.runbook {
        Runbook::IsolateInstance => {
            out.push(("InstanceId".into(), request.target.clone()));
            out.push(("CaseId".into(), case));
            out.push((
                "IsolationProfileName".into(),
                runbooks::isolation_name(&env.name),
            ));
        }
        Runbook::ReleaseInstance => out.push(("InstanceId".into(), request.target.clone())),
        Runbook::AcquireVolumes => {
            let forensic = resolved.scope.forensic_account.clone().ok_or_else(|| {
                RespondError::NoForensicAccount {
                    env: env.name.clone(),
                }
            })?;
            let key = evidence_key(aws, env, resolved, &forensic).await?;
            out.push(("InstanceId".into(), request.target.clone()));
            out.push(("CaseId".into(), case));
            out.push(("ForensicAccountId".into(), forensic.to_string()));
            out.push(("EvidenceKeyArn".into(), key));
        }
        Runbook::DisableAccessKey => {
            out.push(("AccessKeyId".into(), request.target.clone()));
            out.push(("CaseId".into(), case));
        }
        Runbook::ContainPrincipal => {
            out.push(("PrincipalArn".into(), request.target.clone()));
            out.push((
                "DenyAllPolicyArn".into(),
                format!(
                    "arn:aws:iam::{account}:policy/{}",
                    access.deny_all_policy_name
                ),
            ));
            out.push(("CaseId".into(), case));
        }
    }
    out.push(("DryRun".into(), request.dry_run.to_string()));
    Ok(out
        .into_iter()
        .map(|(name, value)| (name, vec![value]))
        .collect())
}

/// The ARN of the forensic account's evidence key in the request's region, from its
/// stack's output.
async fn evidence_key(
    aws: &Aws,
    env: &Environment,
    resolved: &Resolved,
    forensic: &AccountId,
) -> Result<String, RespondError> {
    let session = aws
        .session(
            &resolved.caller,
            forensic,
            &env.organization.member_role,
            &format!("irready-{}-respond", env.name),
        )
        .await;
    let target = Target::new(forensic.clone(), resolved.target.region.clone());
    let stack = Component::EvidenceKeys.stack_name(&env.name);
    cfn::describe_stack(aws, &session, &target.region, &stack)
        .await?
        .and_then(|s| s.outputs.get(EVIDENCE_KEY_OUTPUT).cloned())
        .ok_or(RespondError::NoEvidenceKey {
            target,
            stack,
            output: EVIDENCE_KEY_OUTPUT,
        })
}

/// Reads the execution until it ends, reporting every step as it changes.
async fn follow_execution(
    aws: &Aws,
    session: &AccountSession,
    region: &Region,
    id: &str,
    follow: Follow,
    progress: &dyn StepProgress,
) -> Result<AutomationFact, RespondError> {
    let seen: std::cell::RefCell<Vec<StepFact>> = std::cell::RefCell::new(Vec::new());
    let ended = wait::until(
        "ssm:GetAutomationExecution",
        follow.timeout,
        || async {
            let execution = ssm::automation(aws, session, region, id).await?;
            for step in &execution.steps {
                if !seen.borrow().contains(step) {
                    progress.step(step);
                }
            }
            seen.replace(execution.steps.clone());
            Ok(if execution.ended() {
                Poll::Ready(execution)
            } else {
                Poll::Pending(execution.status.clone())
            })
        },
        |_| {},
    )
    .await;
    match ended {
        Ok(execution) => {
            progress.finished(&execution);
            Ok(execution)
        }
        Err(err) if err.kind == ErrorKind::StillRunning => Err(RespondError::TimedOut {
            id: id.to_owned(),
            minutes: follow.timeout.as_secs() / 60,
        }),
        Err(err) => Err(err.into()),
    }
}
