//! Bounds on concurrent AWS requests: one for the whole run, one per account, one per
//! service in each account and region (where AWS applies its rate limits), so that a
//! run over many accounts goes wide without hammering one account or one API.
//!
//! They are enforced in the HTTP client every SDK client uses: a permit of each bound is
//! held for one HTTP attempt only, never during a retry's backoff or a stack wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tokio::sync::Semaphore;

use crate::addr::{AccountId, Region};

/// How many AWS requests may be in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Across the whole run.
    pub global: usize,
    /// In one account, all regions and services together.
    pub per_account: usize,
    /// For one service in one account and region.
    pub per_service: usize,
}

impl Limits {
    /// Defaults measured with `scripts/bench` (see docs/performance.md).
    pub const DEFAULT: Self = Self {
        global: 32,
        per_account: 8,
        per_service: 4,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A service in one account and region, as AWS scopes its rate limits.
type ServiceKey = (AccountId, Region, &'static str);

/// The semaphores behind [`Limits`], created per account and service as they are met.
#[derive(Debug)]
pub(crate) struct Permits {
    limits: Limits,
    global: Arc<Semaphore>,
    accounts: Mutex<HashMap<AccountId, Arc<Semaphore>>>,
    services: Mutex<HashMap<ServiceKey, Arc<Semaphore>>>,
}

impl Permits {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            global: Arc::new(Semaphore::new(limits.global.max(1))),
            accounts: Mutex::new(HashMap::new()),
            services: Mutex::new(HashMap::new()),
        }
    }

    /// The semaphores a request to `service` in `account` and `region` takes, narrowest
    /// first. Every request takes them in that order, and none is held while waiting for
    /// a narrower one, so requests cannot wait on each other in a cycle.
    pub(crate) fn chain(
        &self,
        account: &AccountId,
        region: &Region,
        service: &'static str,
    ) -> Vec<Arc<Semaphore>> {
        let service = self
            .services
            .lock()
            .unwrap()
            .entry((account.clone(), region.clone(), service))
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_service.max(1))))
            .clone();
        let account = self
            .accounts
            .lock()
            .unwrap()
            .entry(account.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_account.max(1))))
            .clone();
        vec![service, account, self.global.clone()]
    }

    /// Only the global bound: for calls made with the caller's base configuration
    /// (Organizations, STS).
    pub(crate) fn global(&self) -> Vec<Arc<Semaphore>> {
        vec![self.global.clone()]
    }
}

/// An HTTP client that holds a permit of each semaphore in `chain` for every attempt.
#[derive(Debug, Clone)]
pub(crate) struct Limited {
    pub(crate) inner: SharedHttpClient,
    pub(crate) chain: Vec<Arc<Semaphore>>,
}

impl HttpClient for Limited {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            chain: self.chain.clone(),
        })
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    chain: Vec<Arc<Semaphore>>,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let chain = self.chain.clone();
        HttpConnectorFuture::new(async move {
            let mut held = Vec::with_capacity(chain.len());
            for semaphore in chain {
                held.push(
                    semaphore
                        .acquire_owned()
                        .await
                        .expect("the semaphores are never closed"),
                );
            }
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_and_services_get_their_own_bounds_and_share_the_global_one() {
        let permits = Permits::new(Limits {
            global: 10,
            per_account: 3,
            per_service: 2,
        });
        let (a, b): (AccountId, AccountId) = (
            "111111111111".parse().unwrap(),
            "222222222222".parse().unwrap(),
        );
        let east = Region::us_east_1();
        let a_cfn = permits.chain(&a, &east, "cloudformation");
        let a_ec2 = permits.chain(&a, &east, "ec2");
        let b_cfn = permits.chain(&b, &east, "cloudformation");
        assert!(Arc::ptr_eq(
            &a_cfn[0],
            &permits.chain(&a, &east, "cloudformation")[0]
        ));
        assert!(!Arc::ptr_eq(&a_cfn[0], &a_ec2[0]));
        assert!(Arc::ptr_eq(&a_cfn[1], &a_ec2[1]));
        assert!(!Arc::ptr_eq(&a_cfn[1], &b_cfn[1]));
        assert!(Arc::ptr_eq(&a_cfn[2], &b_cfn[2]));
        assert_eq!(a_cfn[0].available_permits(), 2);
        assert_eq!(a_cfn[1].available_permits(), 3);
        assert_eq!(a_cfn[2].available_permits(), 10);
    }
}
