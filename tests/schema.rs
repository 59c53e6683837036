//! The JSON Schema of environment files: the committed file is what `irready schema`
//! prints (generated from the structs the loader reads), every shipped environment file
//! validates against it, and the invalid files the loader refuses for their shape (an
//! unknown key, a wrong type, a missing field) are refused by the schema too. Validated
//! with Python's jsonschema (scripts/requirements.txt), as the SARIF test does.

mod common;

use std::process::Command;

const SCHEMA: &str = "schema/environment.schema.json";

/// Loader-refused fixtures whose error is one of shape, which the schema must refuse too.
const SHAPE_ERRORS: &[&str] = &[
    "alert-emails-not-a-list.yaml",
    "bad-adopt.yaml",
    "ephemeral-unknown-key.yaml",
    "missing-name.yaml",
    "regions-string.yaml",
    "unknown-key.yaml",
    "wrong-type.yaml",
];

#[test]
fn the_committed_schema_is_current() {
    let run = common::run_irready(&["schema"], None);
    run.expect_code(0);
    let committed = std::fs::read_to_string(common::repo().join(SCHEMA)).unwrap();
    assert!(
        committed == run.stdout,
        "{SCHEMA} is out of date: run `irready schema > {SCHEMA}`"
    );
}

/// Validates each YAML file against the schema; returns, per file, `ok` or the first
/// validation error.
fn validate(files: &[std::path::PathBuf]) -> Vec<(String, String)> {
    let script = r#"
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    document = yaml.safe_load(open(path))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    print(path, "ok" if not errors else errors[0].message.replace("\n", " "), sep="\t")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(common::repo().join(SCHEMA))
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (path, verdict) = l.split_once('\t').unwrap();
            (path.to_owned(), verdict.to_owned())
        })
        .collect()
}

#[test]
fn every_shipped_environment_validates_and_names_the_schema() {
    let dir = common::repo().join("environments");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/environment.schema.json\n"),
            "{} names the schema for editors on its first line",
            file.display()
        );
    }
    for (path, verdict) in validate(&files) {
        assert_eq!(verdict, "ok", "{path}");
    }
}

#[test]
fn files_the_loader_refuses_for_their_shape_the_schema_refuses_too() {
    let dir = common::repo().join("tests/fixtures/invalid-environments");
    let files: Vec<_> = SHAPE_ERRORS.iter().map(|f| dir.join(f)).collect();
    for (path, verdict) in validate(&files) {
        assert_ne!(verdict, "ok", "{path} passes the schema");
    }
}
