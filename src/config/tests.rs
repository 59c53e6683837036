use std::path::{Path, PathBuf};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid-environments")
}

/// Each invalid fixture starts with `# error: LINE:COL: FIELD: MESSAGE-PREFIX`, the first
/// diagnostic the loader must give for it.
#[test]
fn every_invalid_fixture_gives_its_expected_error() {
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let expected = source
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# error: "))
            .unwrap_or_else(|| panic!("{} has no `# error:` header", path.display()));
        let diagnostics = match parse(&path, &source) {
            Err(ConfigError::Invalid(d)) => d,
            other => panic!("{}: expected diagnostics, got {other:?}", path.display()),
        };
        let first = &diagnostics[0];
        let shown = format!(
            "{}:{}: {}: {}",
            first.at.position.line, first.at.position.column, first.at.field, first.message
        );
        assert!(
            shown.starts_with(expected),
            "{}:\n  expected: {expected}\n  got:      {shown}",
            path.display()
        );
        assert_eq!(first.at.file, path);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures");
}

#[test]
fn all_semantic_problems_are_reported_at_once() {
    let source = "name: Demo_1\nhome_region: us-east-1\nregions: [us-east-1, mars-1]\n\
                  forensic:\n  account: forensics\n  vpc: { cidr: 10.0.0.0/8, azs: 9 }\n";
    let Err(ConfigError::Invalid(diagnostics)) = parse(Path::new("x.yaml"), source) else {
        panic!("expected diagnostics");
    };
    let fields: Vec<&str> = diagnostics.iter().map(|d| d.at.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "name",
            "regions[1]",
            "forensic.vpc.cidr",
            "forensic.vpc.azs"
        ]
    );
}

#[test]
fn the_demo_and_example_environments_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("environments");
    for name in ["demo.yaml", "example.yaml"] {
        let env = load(&root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(env.access.is_some(), "{name} has an access section");
        assert!(env.forensic.is_some(), "{name} has a forensic section");
    }
}

#[test]
fn defaults_fill_what_the_file_leaves_out() {
    let source = "name: small\nhome_region: eu-west-1\nregions: [eu-west-1]\n\
                  forensic: { account: forensics }\naccess: { security_principals: [security] }\n";
    let env = parse(Path::new("small.yaml"), source).unwrap();
    assert_eq!(
        env.organization.member_role,
        "OrganizationAccountAccessRole"
    );
    assert!(env.organization.targets.selects_all());
    let forensic = env.forensic.unwrap();
    assert_eq!(forensic.analysis_regions, vec![env.home_region.clone()]);
    assert_eq!(forensic.vpc.cidr.to_string(), "10.250.0.0/16");
    let subnets: Vec<String> = forensic
        .vpc
        .subnets
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(subnets, ["10.250.0.0/18", "10.250.64.0/18"]);
    let access = env.access.unwrap();
    assert_eq!(access.breakglass.max_session_seconds, 3600);
    assert_eq!(
        access.security_principals[0].value,
        PrincipalRef::AccountRoot(AccountRef::Name("security".into()))
    );
}

#[test]
fn adopt_is_off_unless_the_environment_says_so() {
    let source = "name: demo\nhome_region: us-east-1\nregions: [us-east-1]\n\
                  forensic:\n  account: forensics\n\
                  logging:\n  guardduty: { adopt: true }\n";
    let env = parse(Path::new("x.yaml"), source).expect("valid");
    let logging = env.logging.expect("logging");
    assert!(logging.guardduty.expect("guardduty").adopt);
    assert!(!logging.config.expect("config").adopt);
}

#[test]
fn expiry_is_a_time_or_a_bounded_duration() {
    let at = parse_expiry("2026-01-31T18:00:00+01:00").unwrap();
    assert_eq!(
        at,
        Expiry::At("2026-01-31T17:00:00Z".parse().unwrap()),
        "kept in UTC"
    );
    assert_eq!(
        parse_expiry("7d"),
        Ok(Expiry::After(chrono::Duration::days(7)))
    );
    assert_eq!(
        parse_expiry("12h"),
        Ok(Expiry::After(chrono::Duration::hours(12)))
    );
    assert_eq!(
        parse_expiry("2w"),
        Ok(Expiry::After(chrono::Duration::weeks(2)))
    );
    for bad in [
        "",
        "d",
        "7",
        "7m",
        "-1d",
        "0h",
        "91d",
        "tomorrow",
        "2026-01-31",
    ] {
        assert!(parse_expiry(bad).is_err(), "{bad:?} accepted");
    }
}
