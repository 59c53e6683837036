//! Bad environment files: each gives an error naming file, line, column and field, and
//! irready makes no AWS call.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A loopback listener that counts the connections made to it: the AWS endpoint given
/// to irready, so that any AWS call would show.
fn counting_endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut stream) = stream {
                let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
                let _ = stream.read(&mut [0; 1024]);
            }
        }
    });
    (url, count)
}

#[test]
fn every_invalid_environment_fails_before_any_aws_call() {
    let (url, connections) = counting_endpoint();
    let dir = common::repo().join("tests/fixtures/invalid-environments");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10);
    for fixture in &fixtures {
        let text = std::fs::read_to_string(fixture).unwrap();
        let expected = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("# error: ")
            .unwrap();
        let relative = fixture.strip_prefix(common::repo()).unwrap();
        let relative = relative.to_str().unwrap();
        for command in ["validate", "plan", "apply"] {
            let mut args = vec![command, "-e", relative];
            if command == "apply" {
                args.push("--auto-approve");
            }
            let run = common::run_irready(&args, Some(&url));
            run.expect_code(1);
            assert!(
                run.stderr.contains(&format!("{relative}:{expected}")),
                "{command} {relative}: expected `{relative}:{expected}` in:\n{}",
                run.stderr
            );
        }
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "an AWS call was made"
    );
}

#[test]
fn the_shipped_environments_are_valid() {
    for env in ["environments/demo.yaml", "environments/example.yaml"] {
        let run = common::run_irready(&["validate", "-e", env], None);
        run.expect_code(0);
        assert!(run.stdout.contains("is valid"), "{}", run.stdout);
    }
}
