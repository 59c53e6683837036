//! One apply or destroy at a time per environment. The lock is an SSM parameter,
//! `/irready/<environment>/apply-lock`, in the caller's account (the management account)
//! and the environment's home region, created only if absent (`PutParameter` without
//! overwrite is atomic), holding who took it, where and when. It is deleted when the run
//! ends; a run that is killed leaves it. The next run on the same host breaks it when the
//! holder's process is gone; elsewhere it names the holder and says how to break it.
//!
//! SSM rather than a DynamoDB table or an S3 object: the parameter needs no table or
//! bucket to exist first, costs nothing, and sits where the caller already has rights.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::addr::Region;
use crate::aws::{ssm, AccountSession, Aws, AwsError};

/// Who holds a lock, for the message that refuses a second run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub user: String,
    pub host: String,
    pub pid: u32,
    pub command: String,
    pub since: DateTime<Utc>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}@{} (pid {}, `{}`) since {}",
            self.user,
            self.host,
            self.pid,
            self.command,
            self.since.format("%Y-%m-%dT%H:%M:%SZ")
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "environment {env} is locked by {holder}: another apply or destroy is running. If \
         that run is dead, break the lock with `irready unlock -e <file>` (or delete the SSM \
         parameter {parameter} in account {account}, {region})"
    )]
    Held {
        env: String,
        holder: String,
        parameter: String,
        account: String,
        region: Region,
    },
    #[error("taking the apply lock {parameter}")]
    Aws {
        parameter: String,
        #[source]
        source: AwsError,
    },
}

/// Where an environment's lock lives.
pub struct LockPlace {
    pub session: AccountSession,
    pub region: Region,
    pub parameter: String,
}

impl LockPlace {
    pub fn new(session: AccountSession, region: Region, env: &str) -> Self {
        Self {
            session,
            region,
            parameter: format!("/irready/{env}/apply-lock"),
        }
    }
}

/// A lock held by this run. Release it with [`Lock::release`].
pub struct Lock {
    place: LockPlace,
}

fn this_host() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// Whether process `pid` of this host still runs irready. Where the process table cannot
/// be read (no `/proc`), it is taken to run: only a lock provably dead is broken.
fn process_alive(pid: u32) -> bool {
    if !std::path::Path::new("/proc/self").exists() {
        return true;
    }
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        // A recycled pid running something else does not hold the lock either.
        Ok(cmdline) => String::from_utf8_lossy(&cmdline).contains("irready"),
        Err(_) => false,
    }
}

/// Takes the lock, or says who holds it. A lock left on this host by a process that no
/// longer runs (a killed run) is broken first.
pub async fn acquire(
    aws: &Aws,
    place: LockPlace,
    env: &str,
    command: &str,
) -> Result<Lock, LockError> {
    let holder = Holder {
        user: std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown-user".to_owned()),
        host: this_host(),
        pid: std::process::id(),
        command: command.to_owned(),
        since: Utc::now(),
    };
    let value = serde_json::to_string(&holder).expect("holders serialize");
    let aws_error = |source| LockError::Aws {
        parameter: place.parameter.clone(),
        source,
    };
    let take = || {
        ssm::create_if_absent(
            aws,
            &place.session,
            &place.region,
            &place.parameter,
            &value,
            "irready apply lock: deleted when the run ends; see `irready unlock`",
        )
    };
    if take().await.map_err(aws_error)? {
        return Ok(Lock { place });
    }
    let mut current = ssm::get(aws, &place.session, &place.region, &place.parameter)
        .await
        .map_err(aws_error)?;
    // A holder on this host whose process is gone was killed: its lock protects nothing.
    if let Some(dead) = current
        .as_deref()
        .and_then(|v| serde_json::from_str::<Holder>(v).ok())
        .filter(|h| h.host == holder.host && !process_alive(h.pid))
    {
        eprintln!("Breaking the apply lock of {dead}: that process no longer runs on this host.");
        ssm::delete(aws, &place.session, &place.region, &place.parameter)
            .await
            .map_err(aws_error)?;
        if take().await.map_err(aws_error)? {
            return Ok(Lock { place });
        }
        current = ssm::get(aws, &place.session, &place.region, &place.parameter)
            .await
            .map_err(aws_error)?;
    }
    let holder = match current.as_deref().map(serde_json::from_str::<Holder>) {
        Some(Ok(holder)) => holder.to_string(),
        Some(Err(_)) => format!("an unreadable holder ({})", current.unwrap_or_default()),
        // Released between the two calls: the caller may simply try again.
        None => "a run that has just ended".to_owned(),
    };
    Err(LockError::Held {
        env: env.to_owned(),
        holder,
        parameter: place.parameter.clone(),
        account: place.session.account.to_string(),
        region: place.region.clone(),
    })
}

impl Lock {
    pub async fn release(self, aws: &Aws) -> Result<(), AwsError> {
        ssm::delete(
            aws,
            &self.place.session,
            &self.place.region,
            &self.place.parameter,
        )
        .await
    }
}

/// Breaks the lock whoever holds it; returns who held it, if anyone.
pub async fn break_lock(aws: &Aws, place: &LockPlace) -> Result<Option<String>, AwsError> {
    let current = ssm::get(aws, &place.session, &place.region, &place.parameter).await?;
    ssm::delete(aws, &place.session, &place.region, &place.parameter).await?;
    Ok(current.map(|v| match serde_json::from_str::<Holder>(&v) {
        Ok(holder) => holder.to_string(),
        Err(_) => v,
    }))
}
