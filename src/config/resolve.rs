//! Turns the file as read (`raw`) into an [`Environment`]: every value checked, every
//! problem reported with its file, line, column and field, all of them at once.

use std::path::{Path, PathBuf};

use super::raw::{self, RawEnvironment, RawRegions};
use super::*;

pub(super) fn serde_diagnostic(
    path: &Path,
    index: &PositionIndex,
    err: serde_path_to_error::Error<serde_yaml::Error>,
) -> Diagnostic {
    let field = err.path().to_string();
    let field = if field == "." { String::new() } else { field };
    let inner = err.into_inner();
    // serde_yaml knows the position of the node it failed on; the index knows fields.
    let position = inner
        .location()
        .map(|l| Position {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_else(|| index.lookup(&field));
    let mut message = inner.to_string();
    // serde_yaml appends its own "at line X column Y", which the location already says.
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    // It also prefixes the path of the enclosing mapping, which the field already says.
    let mut field = field;
    let mut position = position;
    if let Some((prefix, rest)) = message.split_once(": ") {
        if !prefix.contains(' ') && field.starts_with(prefix) {
            message = rest.to_owned();
        }
    }
    // A path inside settings read through a `Toggle` comes next: point at that field.
    if let Some((inner, rest)) = message.split_once(": ") {
        let is_path = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
        if is_path && !field.is_empty() {
            field = format!("{field}.{inner}");
            position = index.lookup(&field);
            message = rest.to_owned();
        }
    }
    let field = if field.is_empty() {
        "(document)".to_owned()
    } else {
        field
    };
    Diagnostic {
        at: Location {
            file: path.to_owned(),
            position,
            field,
        },
        message,
    }
}

pub(super) struct Resolver {
    pub(super) file: PathBuf,
    pub(super) index: PositionIndex,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl Resolver {
    pub(super) fn at(&self, field: &str) -> Location {
        Location {
            file: self.file.clone(),
            position: self.index.lookup(field),
            field: field.to_owned(),
        }
    }

    /// Checks a list of email addresses: each an address, none twice.
    pub(super) fn emails(&mut self, at: &str, emails: &[String]) {
        for (i, email) in emails.iter().enumerate() {
            let field = format!("{at}[{i}]");
            if !is_email(email) {
                self.error(
                    &field,
                    format!("`{email}` is not an email address (name@domain.example)"),
                );
            } else if emails[..i].iter().any(|e| e.eq_ignore_ascii_case(email)) {
                self.error(&field, format!("`{email}` is listed twice"));
            }
        }
    }

    pub(super) fn error(&mut self, field: &str, message: impl Into<String>) {
        let at = self.at(field);
        self.diagnostics.push(Diagnostic {
            at,
            message: message.into(),
        });
    }

    pub(super) fn environment(&mut self, raw: RawEnvironment, source: &str) -> Option<Environment> {
        let name_ok = raw.name.len() <= 16
            && raw.name.starts_with(|c: char| c.is_ascii_lowercase())
            && raw
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !name_ok {
            self.error(
                "name",
                format!(
                    "`{}` is not a valid environment name: use 1-16 lowercase letters, digits and \
                     dashes, starting with a letter (it becomes part of stack and bucket names)",
                    raw.name
                ),
            );
        }
        let home_region = self.region("home_region", &raw.home_region);
        let regions = match raw.regions {
            RawRegions::AllEnabled => RegionSelection::AllEnabled,
            RawRegions::List(list) => {
                if list.is_empty() {
                    self.error(
                        "regions",
                        "lists no region: name at least one, or write `all-enabled`",
                    );
                }
                let mut regions = Vec::new();
                for (i, region) in list.iter().enumerate() {
                    let field = format!("regions[{i}]");
                    if let Some(region) = self.region(&field, region) {
                        if regions.contains(&region) {
                            self.error(&field, format!("`{region}` is listed twice"));
                        } else {
                            regions.push(region);
                        }
                    }
                }
                if let Some(home) = &home_region {
                    if !list.is_empty() && !regions.contains(home) {
                        self.error(
                            "home_region",
                            format!("`{home}` must also be listed in `regions`"),
                        );
                    }
                }
                RegionSelection::List(regions)
            }
        };
        let organization = self.organization(raw.organization);
        let has_forensic = raw.forensic.is_some();
        let forensic = raw
            .forensic
            .map(|f| self.forensic(f, home_region.as_ref(), &regions));
        let access = raw.access.map(|a| self.access(a));
        let logging = raw.logging.map(|l| self.logging(l, has_forensic));
        // GuardDuty exports into the log archive, in the home region; it cannot export from
        // a Region enabled by default into a bucket in an opt-in Region (GuardDuty user
        // guide, "Exporting findings",
        // https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html).
        if let (Some(home), Some(Some(l))) = (&home_region, &logging) {
            let elsewhere = match &regions {
                RegionSelection::AllEnabled => true,
                RegionSelection::List(listed) => listed.iter().any(|r| r != home && !r.is_opt_in()),
            };
            if has_forensic && l.guardduty.is_some() && home.is_opt_in() && elsewhere {
                self.error(
                    "home_region",
                    format!(
                        "`{home}` is an opt-in region: GuardDuty in the other regions cannot \
                         export findings into the log archive there; choose a home region \
                         enabled by default, or list only opt-in regions"
                    ),
                );
            }
        }
        let workload_logging = raw
            .workload_logging
            .map(|w| self.workload_logging(w, &regions, home_region.as_ref()));
        let ephemeral = raw.ephemeral.and_then(|e| match parse_expiry(&e.expires) {
            Ok(expires) => Some(Ephemeral { expires }),
            Err(message) => {
                self.error("ephemeral.expires", message);
                None
            }
        });
        Some(Environment {
            file: self.file.clone(),
            file_sha256: hex::encode(Sha256::digest(source.as_bytes())),
            name: raw.name,
            home_region: home_region?,
            regions,
            organization,
            forensic: forensic.flatten(),
            access: access.flatten(),
            logging: logging.flatten(),
            workload_logging,
            ephemeral,
        })
    }

    pub(super) fn region(&mut self, field: &str, value: &str) -> Option<Region> {
        match value.parse::<Region>() {
            Ok(region) => Some(region),
            Err(_) => {
                let hint = closest(value, KNOWN_REGIONS)
                    .map(|r| format!(" (did you mean `{r}`?)"))
                    .unwrap_or_default();
                self.error(field, format!("unknown region `{value}`{hint}"));
                None
            }
        }
    }

    pub(super) fn account_ref(&mut self, field: &str, value: &str) -> Option<Located<AccountRef>> {
        let value = value.trim();
        let parsed = if value.bytes().all(|b| b.is_ascii_digit()) {
            match value.parse::<AccountId>() {
                Ok(id) => AccountRef::Id(id),
                Err(message) => {
                    self.error(field, message);
                    return None;
                }
            }
        } else if value.is_empty() || value.len() > 50 {
            self.error(
                field,
                "an account is named by its 12-digit id or by its name in the organization",
            );
            return None;
        } else {
            AccountRef::Name(value.to_owned())
        };
        Some(Located {
            value: parsed,
            at: self.at(field),
        })
    }

    pub(super) fn ou_ref(&mut self, field: &str, value: &str) -> Option<Located<OuRef>> {
        let parsed = if value.starts_with("ou-") || value.starts_with("r-") {
            let valid = value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                self.error(field, format!("`{value}` is not a valid OU or root id"));
                return None;
            }
            OuRef::Id(value.to_owned())
        } else {
            let parts: Vec<String> = value.split('/').map(str::to_owned).collect();
            if parts.first().map(String::as_str) != Some("Root")
                || parts.iter().any(String::is_empty)
            {
                self.error(
                    field,
                    format!(
                        "`{value}` is neither an OU id (`ou-…`) nor a path from the root \
                         (`Root/Workloads/Prod`)"
                    ),
                );
                return None;
            }
            OuRef::Path(parts)
        };
        Some(Located {
            value: parsed,
            at: self.at(field),
        })
    }

    pub(super) fn role_name(&mut self, field: &str, value: &str) -> bool {
        let valid = !value.is_empty()
            && value.len() <= 64
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        if !valid {
            self.error(
                field,
                format!(
                    "`{value}` is not a valid IAM role name (1-64 letters, digits and +=,.@_-)"
                ),
            );
        }
        valid
    }

    pub(super) fn organization(&mut self, raw: raw::RawOrganization) -> OrganizationSpec {
        let management_account = raw
            .management_account
            .as_deref()
            .and_then(|v| self.account_ref("organization.management_account", v));
        self.role_name("organization.member_role", &raw.member_role);
        let t = raw.targets;
        let mut include_ous = Vec::new();
        for (i, ou) in t.include_ous.iter().enumerate() {
            include_ous.extend(self.ou_ref(&format!("organization.targets.include_ous[{i}]"), ou));
        }
        let mut exclude_ous = Vec::new();
        for (i, ou) in t.exclude_ous.iter().enumerate() {
            exclude_ous.extend(self.ou_ref(&format!("organization.targets.exclude_ous[{i}]"), ou));
        }
        let mut accounts = Vec::new();
        for (i, a) in t.accounts.iter().enumerate() {
            accounts.extend(self.account_ref(&format!("organization.targets.accounts[{i}]"), a));
        }
        let mut exclude_accounts = Vec::new();
        for (i, a) in t.exclude_accounts.iter().enumerate() {
            exclude_accounts.extend(
                self.account_ref(&format!("organization.targets.exclude_accounts[{i}]"), a),
            );
        }
        match t.all {
            Some(true) if !t.include_ous.is_empty() || !t.accounts.is_empty() => self.error(
                "organization.targets.all",
                "`all: true` cannot be combined with `include_ous` or `accounts`",
            ),
            Some(false) if t.include_ous.is_empty() && t.accounts.is_empty() => self.error(
                "organization.targets.all",
                "`all: false` selects no account: list `include_ous` or `accounts`",
            ),
            _ => {}
        }
        OrganizationSpec {
            management_account,
            member_role: raw.member_role,
            targets: TargetSelection {
                include_ous,
                accounts,
                exclude_accounts,
                exclude_ous,
            },
        }
    }

    pub(super) fn forensic(
        &mut self,
        raw: raw::RawForensic,
        home_region: Option<&Region>,
        regions: &RegionSelection,
    ) -> Option<ForensicSpec> {
        let account = match (&raw.account, &raw.create) {
            (Some(account), None) => self
                .account_ref("forensic.account", account)
                .map(ForensicAccount::Existing),
            (None, Some(create)) => self.new_account(create),
            (Some(_), Some(_)) => {
                self.error(
                    "forensic.create",
                    "name an existing `account` or ask to `create` one, not both",
                );
                None
            }
            (None, None) => {
                self.error(
                    "forensic",
                    "name the forensic `account`, or ask to `create` one (name, email)",
                );
                None
            }
        };
        let mut analysis_regions = Vec::new();
        match &raw.analysis_regions {
            None => analysis_regions.extend(home_region.cloned()),
            Some(list) => {
                if list.is_empty() {
                    self.error("forensic.analysis_regions", "lists no region");
                }
                for (i, region) in list.iter().enumerate() {
                    let field = format!("forensic.analysis_regions[{i}]");
                    if let Some(region) = self.region(&field, region) {
                        if analysis_regions.contains(&region) {
                            self.error(&field, format!("`{region}` is listed twice"));
                            continue;
                        }
                        if let RegionSelection::List(covered) = regions {
                            if !covered.contains(&region) {
                                self.error(
                                    &field,
                                    format!("`{region}` must also be listed in `regions`"),
                                );
                            }
                        }
                        analysis_regions.push(region);
                    }
                }
            }
        }
        let vpc = self.forensic_vpc(&raw.vpc);
        let evidence_lock =
            self.object_lock("forensic.evidence.object_lock", &raw.evidence.object_lock);
        let log_archive_lock = self.object_lock(
            "forensic.log_archive.object_lock",
            &raw.log_archive.object_lock,
        );
        let amis = self.amis(&raw.amis, home_region, &analysis_regions);
        let analysis = self.analysis(&raw.analysis);
        Some(ForensicSpec {
            account: account?,
            analysis_regions,
            vpc: vpc?,
            evidence_lock: evidence_lock?,
            log_archive_lock: log_archive_lock?,
            amis: amis?,
            analysis: analysis?,
        })
    }

    /// `forensic.analysis`. Athena refuses a per-query cutoff under 10 MB
    /// (`BytesScannedCutoffPerQuery`, Athena API reference, WorkGroupConfiguration); the
    /// unit here is GB, so the least is 1.
    pub(super) fn analysis(&mut self, raw: &raw::RawAnalysis) -> Option<Option<AnalysisSpec>> {
        let mut ok = true;
        if raw.scan_cutoff_gb == 0 {
            self.error(
                "forensic.analysis.scan_cutoff_gb",
                "must be at least 1 (GB): a workgroup without a cutoff scans without limit",
            );
            ok = false;
        }
        if raw.results_days == 0 {
            self.error(
                "forensic.analysis.results_days",
                "must be at least 1: results expire after that many days",
            );
            ok = false;
        }
        ok.then(|| {
            raw.enabled.then(|| AnalysisSpec {
                scan_cutoff_bytes: raw.scan_cutoff_gb.saturating_mul(1_000_000_000),
                results_days: raw.results_days,
            })
        })
    }

    pub(super) fn amis(
        &mut self,
        raw: &[raw::RawAmi],
        home_region: Option<&Region>,
        analysis_regions: &[Region],
    ) -> Option<Vec<AmiSpec>> {
        let mut amis = Vec::new();
        let mut ok = true;
        for (i, ami) in raw.iter().enumerate() {
            let field = format!("forensic.amis[{i}]");
            let name_ok = (1..=32).contains(&ami.name.len())
                && ami.name.starts_with(|c: char| c.is_ascii_lowercase())
                && ami
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !name_ok {
                self.error(
                    &format!("{field}.name"),
                    format!(
                        "`{}` is not an image name: 1 to 32 lowercase letters, digits and `-`, \
                         starting with a letter",
                        ami.name
                    ),
                );
                ok = false;
            } else if amis.iter().any(|a: &AmiSpec| a.name == ami.name) {
                self.error(
                    &format!("{field}.name"),
                    format!("`{}` is listed twice", ami.name),
                );
                ok = false;
            }
            let source = match (&ami.id, &ami.owner, &ami.name_filter) {
                (Some(id), None, None) => {
                    let id_ok = id.strip_prefix("ami-").is_some_and(|h| {
                        (8..=17).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                    if !id_ok {
                        self.error(
                            &format!("{field}.id"),
                            format!("`{id}` is not an image id (ami-…)"),
                        );
                    }
                    let region_field = format!("{field}.region");
                    let region = match &ami.region {
                        Some(r) => self.region(&region_field, r),
                        None => home_region.cloned(),
                    };
                    // The image is copied from its own region into the others, which
                    // the forensic account reads: its region must be one of them.
                    let region = region.filter(|region| {
                        let analysed = analysis_regions.contains(region);
                        if !analysed {
                            let field = if ami.region.is_some() {
                                region_field.as_str()
                            } else {
                                field.as_str()
                            };
                            self.error(
                                field,
                                format!(
                                    "the image is in `{region}`, which is not an analysis region: \
                                     set `region` to the analysis region that holds it"
                                ),
                            );
                        }
                        analysed
                    });
                    match (id_ok, region) {
                        (true, Some(region)) => Some(AmiSource::Id {
                            id: id.clone(),
                            region,
                        }),
                        _ => None,
                    }
                }
                (None, Some(owner), Some(filter)) => {
                    let owner_ok = AccountId::is_account_id(owner)
                        || matches!(owner.as_str(), "amazon" | "aws-marketplace" | "self");
                    if !owner_ok {
                        self.error(
                            &format!("{field}.owner"),
                            format!("`{owner}` is not an image owner: an account id, `amazon`, `aws-marketplace` or `self`"),
                        );
                    }
                    if filter.is_empty() {
                        self.error(&format!("{field}.name_filter"), "is empty");
                    }
                    if ami.region.is_some() {
                        self.error(
                            &format!("{field}.region"),
                            "goes with `id` only: a name filter is looked up in every analysis region",
                        );
                    }
                    (owner_ok && !filter.is_empty() && ami.region.is_none()).then(|| {
                        AmiSource::Filter {
                            owner: owner.clone(),
                            name_filter: filter.clone(),
                        }
                    })
                }
                _ => {
                    self.error(
                        &field,
                        "name the image either by `id` or by `owner` and `name_filter`",
                    );
                    None
                }
            };
            match source {
                Some(source) if name_ok => amis.push(AmiSpec {
                    name: ami.name.clone(),
                    source,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(amis)
    }

    pub(super) fn new_account(&mut self, raw: &raw::RawNewAccount) -> Option<ForensicAccount> {
        let mut ok = true;
        let name = raw.name.trim();
        if name.is_empty() || name.len() > 50 || AccountId::is_account_id(name) {
            self.error(
                "forensic.create.name",
                "an account name has 1 to 50 characters and is not an account id",
            );
            ok = false;
        }
        let email_ok = raw.email.len() <= 64
            && raw
                .email
                .split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
            && !raw.email.contains(char::is_whitespace);
        if !email_ok {
            self.error(
                "forensic.create.email",
                format!(
                    "`{}` is not an email address (at most 64 characters)",
                    raw.email
                ),
            );
            ok = false;
        }
        let ou = match &raw.ou {
            Some(ou) => {
                let parsed = self.ou_ref("forensic.create.ou", ou);
                ok &= parsed.is_some();
                parsed
            }
            None => None,
        };
        ok.then(|| {
            ForensicAccount::Create(NewAccount {
                name: Located {
                    value: name.to_owned(),
                    at: self.at("forensic.create.name"),
                },
                email: raw.email.clone(),
                ou,
            })
        })
    }

    pub(super) fn object_lock(
        &mut self,
        field: &str,
        raw: &raw::RawObjectLock,
    ) -> Option<ObjectLock> {
        let mode = match raw.mode.as_str() {
            "GOVERNANCE" => Some(LockMode::Governance),
            "COMPLIANCE" => Some(LockMode::Compliance),
            other => {
                self.error(
                    &format!("{field}.mode"),
                    format!("`{other}` is not an Object Lock mode: GOVERNANCE or COMPLIANCE"),
                );
                None
            }
        };
        if !(1..=36500).contains(&raw.days) {
            self.error(
                &format!("{field}.days"),
                format!("{} days: choose between 1 and 36500", raw.days),
            );
            return None;
        }
        Some(ObjectLock {
            mode: mode?,
            days: raw.days,
        })
    }

    pub(super) fn forensic_vpc(&mut self, raw: &raw::RawForensicVpc) -> Option<ForensicVpcSpec> {
        let field = "forensic.vpc.cidr";
        let cidr = match raw.cidr.parse::<Ipv4Net>() {
            Ok(net) if net.trunc() != net => {
                self.error(
                    field,
                    format!(
                        "`{net}` has host bits set: the network is `{}`",
                        net.trunc()
                    ),
                );
                None
            }
            Ok(net) if !(16..=24).contains(&net.prefix_len()) => {
                self.error(
                    field,
                    format!("`{net}` must have a prefix length between /16 and /24"),
                );
                None
            }
            Ok(net) if !net.addr().is_private() => {
                self.error(
                    field,
                    format!("`{net}` is not a private (RFC 1918) range: the forensic VPC must not overlap the internet"),
                );
                None
            }
            Ok(net) => Some(net),
            Err(_) => {
                self.error(field, format!("`{}` is not an IPv4 CIDR block", raw.cidr));
                None
            }
        };
        if !(1..=4).contains(&raw.azs) {
            self.error(
                "forensic.vpc.azs",
                format!("{} availability zones: choose between 1 and 4", raw.azs),
            );
        }
        self.retention(
            "forensic.vpc.flow_log_retention_days",
            raw.flow_log_retention_days,
        );
        let cidr = cidr?;
        // Four equal subnets leave room for all the AZs we allow.
        let subnets: Vec<Ipv4Net> = cidr
            .subnets(cidr.prefix_len() + 2)
            .ok()?
            .take(raw.azs.clamp(1, 4) as usize)
            .collect();
        Some(ForensicVpcSpec {
            cidr,
            subnets,
            flow_log_retention_days: raw.flow_log_retention_days,
        })
    }

    pub(super) fn retention(&mut self, field: &str, days: u32) {
        if !LOG_RETENTION_DAYS.contains(&days) {
            self.error(
                field,
                format!(
                    "{days} days is not a CloudWatch Logs retention period; choose one of {}",
                    LOG_RETENTION_DAYS
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    pub(super) fn access(&mut self, raw: raw::RawAccess) -> Option<AccessSpec> {
        if raw.security_principals.is_empty() {
            self.error(
                "access.security_principals",
                "lists no principal: the breakglass role must trust at least one",
            );
        }
        let mut principals = Vec::new();
        for (i, p) in raw.security_principals.iter().enumerate() {
            let field = format!("access.security_principals[{i}]");
            if p.contains('*') {
                self.error(
                    &field,
                    format!("`{p}`: wildcard principals are not allowed"),
                );
                continue;
            }
            if p.starts_with("arn:") {
                if is_iam_principal_arn(p) {
                    principals.push(Located {
                        value: PrincipalRef::Arn(p.clone()),
                        at: self.at(&field),
                    });
                } else {
                    self.error(
                        &field,
                        format!(
                            "`{p}` is not an IAM principal ARN \
                             (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)"
                        ),
                    );
                }
            } else if let Some(account) = self.account_ref(&field, p) {
                principals.push(Located {
                    value: PrincipalRef::AccountRoot(account.value),
                    at: account.at,
                });
            }
        }
        let b = raw.breakglass;
        if !b.require_mfa {
            self.error(
                "access.breakglass.require_mfa",
                "the breakglass role always requires MFA; remove this setting",
            );
        }
        let breakglass_name = b
            .role_name
            .unwrap_or_else(|| "irready-breakglass".to_owned());
        self.role_name("access.breakglass.role_name", &breakglass_name);
        self.session(
            "access.breakglass.max_session_seconds",
            b.max_session_seconds,
        );
        if let Some(external_id) = &b.external_id {
            let valid = (2..=1224).contains(&external_id.len())
                && external_id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c));
            if !valid {
                self.error(
                    "access.breakglass.external_id",
                    "must be 2-1224 letters, digits or +=,.@:/_-",
                );
            }
        }
        self.emails("access.breakglass.alert_emails", &b.alert_emails);
        let investigator = self.role(
            "access.investigator",
            raw.investigator,
            "irready-investigator",
        );
        let responder = self.role("access.responder", raw.responder, "irready-responder");
        let names = [
            &breakglass_name,
            &investigator.role_name,
            &responder.role_name,
        ];
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                self.error(
                    "access",
                    format!("role name `{name}` is used for two roles"),
                );
            }
        }
        Some(AccessSpec {
            security_principals: principals,
            isolation_security_group: raw.isolation_security_group,
            breakglass: BreakglassSpec {
                role_name: breakglass_name,
                max_session_seconds: b.max_session_seconds,
                external_id: b.external_id,
                alert_emails: b.alert_emails,
            },
            investigator,
            responder,
            deny_all_policy_name: "irready-deny-all".to_owned(),
        })
    }

    pub(super) fn logging(
        &mut self,
        raw: raw::RawLogging,
        has_forensic: bool,
    ) -> Option<LoggingSpec> {
        use raw::Toggle;
        if !has_forensic {
            self.error(
                "logging",
                "logs are delivered to the forensic account's log archive: add a `forensic` section",
            );
        }
        let cloudtrail = match raw.cloudtrail {
            Toggle::Off => None,
            Toggle::On(t) => {
                let mut data_events = Vec::new();
                for (i, kind) in t.data_events.iter().enumerate() {
                    match kind.as_str() {
                        "s3" => data_events.push(DataEvents::S3),
                        "lambda" => data_events.push(DataEvents::Lambda),
                        other => self.error(
                            &format!("logging.cloudtrail.data_events[{i}]"),
                            format!("unknown data events `{other}`: s3 or lambda"),
                        ),
                    }
                }
                data_events.sort_unstable();
                data_events.dedup();
                self.retention(
                    "logging.cloudtrail.cloudwatch_retention_days",
                    t.cloudwatch_retention_days,
                );
                Some(CloudTrailSpec {
                    organization: t.organization,
                    data_events,
                    cloudwatch_retention_days: t.cloudwatch_retention_days,
                })
            }
        };
        let flow_logs = match raw.flow_logs {
            Toggle::Off => None,
            Toggle::On(f) => {
                if !["ALL", "ACCEPT", "REJECT"].contains(&f.traffic.as_str()) {
                    self.error(
                        "logging.flow_logs.traffic",
                        format!("`{}`: choose ALL, ACCEPT or REJECT", f.traffic),
                    );
                }
                if ![60, 600].contains(&f.aggregation_seconds) {
                    self.error(
                        "logging.flow_logs.aggregation_seconds",
                        format!(
                            "{} s: flow logs aggregate over 60 or 600 s",
                            f.aggregation_seconds
                        ),
                    );
                }
                Some(FlowLogSpec {
                    traffic: f.traffic,
                    aggregation_seconds: f.aggregation_seconds,
                })
            }
        };
        let guardduty = match raw.guardduty {
            Toggle::Off => None,
            Toggle::On(g) => {
                let mut features = Vec::new();
                for (i, name) in g.features.iter().enumerate() {
                    match GUARDDUTY_FEATURES.iter().find(|(short, _)| short == name) {
                        Some((_, feature)) => features.push(*feature),
                        None => self.error(
                            &format!("logging.guardduty.features[{i}]"),
                            format!(
                                "unknown GuardDuty feature `{name}`; known: {}",
                                GUARDDUTY_FEATURES
                                    .iter()
                                    .map(|(s, _)| *s)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                    }
                }
                features.sort_unstable();
                features.dedup();
                Some(GuardDutySpec {
                    features,
                    adopt: g.adopt,
                })
            }
        };
        let config = match raw.config {
            Toggle::Off => None,
            Toggle::On(c) => {
                // A recording group with allSupported false and no resource types is
                // refused (InvalidRecordingGroupException: AWS Config API reference,
                // RecordingGroup), and irready takes no list of types.
                if !c.all_supported {
                    self.error(
                        "logging.config.all_supported",
                        "false would record no resource type, which AWS Config refuses \
                         (InvalidRecordingGroupException); irready records every supported \
                         type: remove the key, or set `config: false` to record nothing",
                    );
                }
                Some(ConfigRecorderSpec {
                    all_supported: c.all_supported,
                    adopt: c.adopt,
                })
            }
        };
        Some(LoggingSpec {
            cloudtrail,
            flow_logs,
            guardduty,
            config,
            dns_query_logs: raw.dns_query_logs,
            cis_alarms: raw.alarms == raw::RawAlarms::Cis,
            alarm_emails: {
                self.emails("logging.alarm_emails", &raw.alarm_emails);
                raw.alarm_emails
            },
        })
    }

    pub(super) fn role(&mut self, field: &str, raw: raw::RawRole, default_name: &str) -> RoleSpec {
        let role_name = raw.role_name.unwrap_or_else(|| default_name.to_owned());
        self.role_name(&format!("{field}.role_name"), &role_name);
        let max_session_seconds = raw.max_session_seconds.unwrap_or(3600);
        self.session(&format!("{field}.max_session_seconds"), max_session_seconds);
        RoleSpec {
            role_name,
            max_session_seconds,
        }
    }

    pub(super) fn session(&mut self, field: &str, seconds: u32) {
        if !(3600..=43200).contains(&seconds) {
            self.error(
                field,
                format!("{seconds} s is outside what IAM allows for a role session (3600-43200 s)"),
            );
        }
    }
}

/// A plausible email address: a local part, one `@`, a domain with a dot, no spaces. SNS
/// checks the rest when it sends the confirmation.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 254
        && !local.is_empty()
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

fn is_iam_principal_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || !parts[1].starts_with("aws") || parts[2] != "iam" || !parts[3].is_empty()
    {
        return false;
    }
    let resource = parts[5];
    AccountId::is_account_id(parts[4])
        && (resource == "root"
            || resource
                .strip_prefix("role/")
                .is_some_and(|n| !n.is_empty())
            || resource
                .strip_prefix("user/")
                .is_some_and(|n| !n.is_empty()))
}

/// The candidate closest to `value` by edit distance, when it is close enough to be a typo.
fn closest<'a>(value: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (similar::TextDiff::from_chars(value, c).ratio(), *c))
        .filter(|(ratio, _)| *ratio >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
