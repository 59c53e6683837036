//! The one waiter: polls a read until it says the awaited state is reached, on a schedule
//! that is quick at first and then every few seconds, and gives up after a timeout with
//! the last state it saw. Stack operations, change sets, image copies and account
//! creation all wait through it.

use std::future::Future;
use std::time::Duration;

use super::{AwsError, AwsResult, ErrorKind};

/// What one poll found.
pub enum Poll<T> {
    /// The wait is over, with this result.
    Ready(T),
    /// Not yet: the state seen, for progress and for the timeout's message.
    Pending(String),
}

/// The delay before poll `attempt + 1`: 250 ms, doubling, at most 5 s.
pub fn delay(attempt: u32) -> Duration {
    Duration::from_millis((250u64 << attempt.min(4)).min(5_000))
}

/// Polls `probe` until it is ready or fails, or `timeout` has passed (an error naming
/// `operation`, the state last seen and the timeout). `progress` hears every pending state.
pub async fn until<T, F, Fut>(
    operation: &'static str,
    timeout: Duration,
    mut probe: F,
    progress: impl Fn(&str),
) -> AwsResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AwsResult<Poll<T>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut attempt = 0;
    loop {
        let state = match probe().await? {
            Poll::Ready(done) => return Ok(done),
            Poll::Pending(state) => state,
        };
        progress(&state);
        if tokio::time::Instant::now() >= deadline {
            return Err(AwsError {
                kind: ErrorKind::StillRunning,
                ..AwsError::other(operation, format!("still {state} after {timeout:?}"))
            });
        }
        tokio::time::sleep(delay(attempt)).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn the_schedule_starts_quick_and_levels_off() {
        let delays: Vec<u64> = (0..7).map(|a| delay(a).as_millis() as u64).collect();
        assert_eq!(delays, [250, 500, 1000, 2000, 4000, 4000, 4000]);
    }

    /// Two pending polls: the wait takes the first two delays (0.75 s of real time).
    #[tokio::test]
    async fn it_polls_until_ready_and_reports_each_pending_state() {
        let polls = Cell::new(0);
        let seen = std::cell::RefCell::new(Vec::new());
        let result = until(
            "test:Poll",
            Duration::from_secs(60),
            || {
                polls.set(polls.get() + 1);
                let n = polls.get();
                async move {
                    Ok(if n < 3 {
                        Poll::Pending(format!("step {n}"))
                    } else {
                        Poll::Ready(n)
                    })
                }
            },
            |state| seen.borrow_mut().push(state.to_owned()),
        )
        .await
        .unwrap();
        assert_eq!(result, 3);
        assert_eq!(*seen.borrow(), ["step 1", "step 2"]);
    }

    #[tokio::test]
    async fn it_gives_up_after_the_timeout_naming_the_last_state() {
        let err = until(
            "test:Poll",
            Duration::ZERO,
            || async { Ok(Poll::<()>::Pending("CREATE_IN_PROGRESS".into())) },
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("still CREATE_IN_PROGRESS after 0ns"),
            "{err}"
        );
        assert_eq!(err.kind, ErrorKind::StillRunning);
    }

    #[tokio::test]
    async fn an_error_ends_the_wait_at_once() {
        let polls = Cell::new(0);
        let err = until(
            "test:Poll",
            Duration::from_secs(60),
            || {
                polls.set(polls.get() + 1);
                async { Err::<Poll<()>, _>(AwsError::other("test:Poll", "gone")) }
            },
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(polls.get(), 1);
        assert!(err.to_string().contains("gone"));
    }
}
