//! Settings: `config/default.toml`, then the `HUIYIN_CONFIG` file, then `HUIYIN_*` variables, into one typed tree.
//!
//! Every field is documented in `config/default.toml`. Unknown keys and invalid
//! values stop start-up with a message naming the key.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::mail::SmtpSettings;
pub use crate::privacy::Secret;

/// The whole configuration tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub office: OfficeSettings,
    pub calendar: CalendarSettings,
    pub sla: SlaSettings,
    pub smtp: SmtpSettings,
    pub handling: HandlingSettings,
    pub escalation: EscalationSettings,
    /// The web pages' sessions.
    #[serde(default)]
    pub web: WebSettings,
    pub reports: ReportSettings,
    /// What the inspection self-check counts.
    #[serde(default)]
    pub inspection: InspectionSettings,
    /// `[log]`: how log lines are written.
    #[serde(default)]
    pub log: LogSettings,
    /// `[metrics]`: the Prometheus endpoint.
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// `[metrics]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Serve `/metrics` (on the main port it needs an admin or a metrics token).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// A separate `host:port` that serves `/metrics` alone, without a token (keep it private);
    /// empty or absent: none.
    #[serde(default)]
    pub listen: Option<String>,
}

fn yes() -> bool {
    true
}

impl Default for MetricsSettings {
    fn default() -> Self {
        MetricsSettings {
            enabled: true,
            listen: None,
        }
    }
}

/// `[log]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `text` (default) or `json` (one object per line).
    #[serde(default)]
    pub format: crate::telemetry::LogFormat,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// `host:port`; port 0 picks a free port (tests).
    pub listen: String,
    /// Public base URL for links in emails.
    pub base_url: String,
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Where the first start writes the admin token when stdout is not a terminal (mode 0600).
    pub first_token_file: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_size: u32,
    pub pool_timeout_secs: u64,
    /// SQLite page cache per pooled connection, in MiB.
    pub sqlite_cache_mib: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeSettings {
    pub timezone: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    pub dir: PathBuf,
    /// Warn this many days before the official calendar ends (`/healthz`, the admin calendar
    /// page, the start-up log, `huiyin calendar check --strict`).
    #[serde(default = "default_warn_days")]
    pub warn_days: u32,
}

fn default_warn_days() -> u32 {
    60
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaSettings {
    pub policy: PathBuf,
}

/// Handling rules from the regulations (extensions, returns, review of replies).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlingSettings {
    /// Code of the office that assigns messages and takes returns.
    pub office_department: String,
    /// Extension requests must come at least this many working days before the due date (0: before the due time).
    pub extension_lead_working_days: u32,
    /// Who approves an extension: the office (the default), the department's supervisor, or the
    /// department up to [`HandlingSettings::department_approves_up_to_working_days`] and the office above.
    pub extension_approver: ExtensionApprover,
    /// Under `department_then_office`: the longest extension the department's supervisor approves.
    pub department_approves_up_to_working_days: u32,
    /// Roles that move a message straight to another department besides the office's own staff,
    /// leaders and admins (who assign); the others return it to the office with a reason.
    pub direct_transfer_roles: Vec<crate::org::Role>,
    /// Email the citizen (when an address was given) when an extension is approved or the
    /// message is transferred, returned or reassigned, with the new deadline.
    pub notify_citizen: bool,
    /// A return later than this many working days after assignment is recorded as late.
    pub return_within_working_days: u32,
    /// Channels whose replies a reviewer must accept before they are final.
    pub review_channels: Vec<String>,
    /// The reply time of a reviewed reply: `submission` (when the accepted reply was submitted) or `acceptance`.
    pub reviewed_reply_time: ReviewedReplyTime,
    /// Who may stop the clock while the citizen is asked for more: `off` (nobody), `with_approval`
    /// (a clerk asks, a supervisor of the department approves) or `free` (anyone who handles it).
    #[serde(default)]
    pub pause: PausePolicy,
    /// Most working days a pause may move the deadline, counted at resume.
    #[serde(default = "default_max_pause")]
    pub max_pause_working_days: u32,
    /// A reply waiting for review longer than this many working days alerts the reviewers (once).
    pub review_within_working_days: u32,
}

/// `[handling] extension_approver`: who decides an extension (the rule lives in
/// `Principal::may_approve_extension` in `auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionApprover {
    /// The coordinating office (督查/办公室): a supervisor of `office_department`, or an admin.
    Office,
    /// The department's own supervisor, or an admin.
    Department,
    /// The department's supervisor for short extensions, the office for longer ones.
    DepartmentThenOffice,
}

impl ExtensionApprover {
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionApprover::Office => "office",
            ExtensionApprover::Department => "department",
            ExtensionApprover::DepartmentThenOffice => "department_then_office",
        }
    }
}

fn default_max_pause() -> u32 {
    10
}

/// `[handling] pause`: whether and how the clock may be stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PausePolicy {
    /// No pause: the mailbox rules have none, and the inspectors count from receipt.
    #[default]
    Off,
    /// A clerk asks with a reason; a supervisor of the department approves or refuses.
    WithApproval,
    /// Anyone who handles the message pauses it directly.
    Free,
}

impl PausePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            PausePolicy::Off => "off",
            PausePolicy::WithApproval => "with_approval",
            PausePolicy::Free => "free",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewedReplyTime {
    Submission,
    Acceptance,
}

/// The escalation worker; the ladder itself is in the file `ladder` names (see `crate::escalation::ladder`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    pub ladder: PathBuf,
    pub worker: bool,
    pub sweep_interval_secs: u64,
    pub batch_size: i64,
    pub digest_threshold: i64,
    pub digest_hour: u32,
    pub retry_base_secs: i64,
    pub retry_max_secs: i64,
    pub max_attempts: i32,
    pub lease_secs: i64,
    pub delivery_batch: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// Key that signs session cookies (at least 32 characters); empty = a random key per start.
    pub session_key: Secret,
    /// Hours a login lasts.
    pub session_hours: u32,
    /// Send cookies only over HTTPS (set when served behind TLS).
    pub secure_cookies: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            session_key: Secret::new(""),
            session_hours: 12,
            secure_cookies: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// How rates are cut to their last decimal: `half_up` or `truncate`.
    pub rounding: Rounding,
    /// Decimals printed in rates and their changes: 1 (99.4%) or 2 (99.46%).
    #[serde(default = "default_decimals")]
    pub decimals: u8,
    /// Email last month's report to the leaders on the first working day of each month.
    pub monthly_email: bool,
}

fn default_decimals() -> u8 {
    2
}

/// How the last decimal of a percentage is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Round half up (四舍五入): 608/609 → 99.84%, 138/149 → 92.62%.
    #[default]
    HalfUp,
    /// Cut after the second decimal (截断): 138/149 = 0.92617… → 92.61%.
    Truncate,
}

impl Rounding {
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::Truncate => "truncate",
        }
    }

    /// How a report states the rule it used.
    pub fn label_zh(self) -> &'static str {
        match self {
            Rounding::HalfUp => "百分比保留两位小数，第三位四舍五入",
            Rounding::Truncate => "百分比保留两位小数，第三位起舍去",
        }
    }

    /// `num / den` in units of `1 / scale` under this rule (`den > 0`, `num >= 0`).
    pub(crate) fn divide(self, num: i64, den: i64, scale: i64) -> i64 {
        let n = i128::from(num) * i128::from(scale);
        let d = i128::from(den);
        let q = match self {
            Rounding::HalfUp => (2 * n + d).div_euclid(2 * d),
            Rounding::Truncate => n.div_euclid(d),
        };
        i64::try_from(q).unwrap_or(i64::MAX)
    }
}

impl FromStr for Rounding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "half_up" => Ok(Rounding::HalfUp),
            "truncate" => Ok(Rounding::Truncate),
            other => Err(format!(
                "unknown rounding '{other}': expected half_up or truncate"
            )),
        }
    }
}

/// `[inspection]`: the channels and categories whose messages the veto register counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionSettings {
    pub veto_channels: Vec<String>,
    pub veto_categories: Vec<String>,
}

impl Default for InspectionSettings {
    fn default() -> Self {
        InspectionSettings {
            veto_channels: vec!["mayor_mailbox".into(), "website_error".into()],
            veto_categories: [
                "consultation",
                "help",
                "suggestion",
                "complaint",
                "report",
                "error_report",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error("invalid setting `{key}`: {message}")]
    Setting { key: String, message: String },
}

/// Short environment aliases documented in the README.
const ALIASES: &[(&str, &str)] = &[
    ("HUIYIN_DATABASE_URL", "database.url"),
    ("HUIYIN_LISTEN", "server.listen"),
    ("HUIYIN_SMTP_URL", "smtp.url"),
];

impl Settings {
    /// Loads the layered configuration from the process environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("HUIYIN_"))
            .collect();
        Self::load_from(Path::new("config/default.toml"), &env)
    }

    /// Loads `default_file`, then the file named by `HUIYIN_CONFIG` in `env`,
    /// then the `HUIYIN_*` variables in `env`.
    pub fn load_from(
        default_file: &Path,
        env: &BTreeMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let mut tree = read_toml(default_file)?;
        if let Some(extra) = env.get("HUIYIN_CONFIG").filter(|s| !s.is_empty()) {
            merge(&mut tree, read_toml(Path::new(extra))?);
        }
        for (name, value) in env {
            let key = match ALIASES.iter().find(|(alias, _)| alias == name) {
                Some((_, key)) => key.to_string(),
                None => match name.strip_prefix("HUIYIN_") {
                    Some(rest) if rest.contains("__") => rest.to_lowercase().replace("__", "."),
                    _ => continue,
                },
            };
            set_path(&mut tree, &key, value)?;
        }
        let mut settings: Settings = tree
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_string()))?;
        if settings.server.base_url.trim().is_empty() {
            // Links follow the address served unless a public one is named.
            settings.server.base_url = format!("http://{}", settings.server.listen);
        }
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| ConfigError::Setting {
            key: key.to_string(),
            message,
        };
        self.listen_addr()?;
        url::Url::parse(&self.server.base_url)
            .map_err(|e| bad("server.base_url", format!("not a URL: {e}")))?;
        self.timezone()?;
        crate::db::Backend::from_url(self.database.url.expose())
            .map_err(|e| bad("database.url", e.to_string()))?;
        if self.database.pool_size == 0 {
            return Err(bad("database.pool_size", "must be at least 1".into()));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(bad("server.max_body_bytes", "must be at least 1024".into()));
        }
        crate::mail::SmtpEndpoint::parse(self.smtp.url.expose())
            .map_err(|e| bad("smtp.url", e.to_string()))?;
        crate::org::DepartmentCode::parse(&self.handling.office_department)
            .map_err(|e| bad("handling.office_department", e))?;
        for c in &self.inspection.veto_channels {
            c.parse::<crate::sla::Channel>()
                .map_err(|e| bad("inspection.veto_channels", e.to_string()))?;
        }
        for c in &self.inspection.veto_categories {
            c.parse::<crate::sla::Category>()
                .map_err(|e| bad("inspection.veto_categories", e.to_string()))?;
        }
        for c in &self.handling.review_channels {
            c.parse::<crate::sla::Channel>()
                .map_err(|e| bad("handling.review_channels", e.to_string()))?;
        }
        let esc = &self.escalation;
        if esc.sweep_interval_secs == 0 {
            return Err(bad(
                "escalation.sweep_interval_secs",
                "must be at least 1".into(),
            ));
        }
        if esc.batch_size < 1 || esc.delivery_batch < 1 {
            return Err(bad(
                "escalation.batch_size",
                "batch sizes must be at least 1".into(),
            ));
        }
        if esc.digest_hour > 23 {
            return Err(bad(
                "escalation.digest_hour",
                "must be an hour 0 to 23".into(),
            ));
        }
        if esc.retry_base_secs < 1 || esc.retry_max_secs < esc.retry_base_secs {
            return Err(bad(
                "escalation.retry_base_secs",
                "must be at least 1 and at most escalation.retry_max_secs".into(),
            ));
        }
        if esc.lease_secs <= self.smtp.timeout_secs as i64 {
            return Err(bad(
                "escalation.lease_secs",
                "must be longer than smtp.timeout_secs".into(),
            ));
        }
        let key = self.web.session_key.expose();
        if !key.is_empty() && key.len() < 32 {
            return Err(bad(
                "web.session_key",
                "must be empty (random key) or at least 32 characters".into(),
            ));
        }
        for role in &self.handling.direct_transfer_roles {
            if role.is_system() {
                return Err(bad(
                    "handling.direct_transfer_roles",
                    format!("'{role}' is a system role and handles no messages"),
                ));
            }
        }
        if self.handling.extension_approver == ExtensionApprover::DepartmentThenOffice
            && self.handling.department_approves_up_to_working_days == 0
        {
            return Err(bad(
                "handling.department_approves_up_to_working_days",
                "must be at least 1 with extension_approver = \"department_then_office\" (use \"office\" otherwise)".into(),
            ));
        }
        if self.handling.max_pause_working_days == 0 {
            return Err(bad(
                "handling.max_pause_working_days",
                "must be at least 1 (turn pauses off with handling.pause = \"off\")".into(),
            ));
        }
        if !(1..=2).contains(&self.reports.decimals) {
            return Err(bad("reports.decimals", "must be 1 or 2".into()));
        }
        if self.web.session_hours == 0 {
            return Err(bad("web.session_hours", "must be at least 1".into()));
        }
        Ok(())
    }

    /// The listen address, parsed.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server
            .listen
            .parse()
            .map_err(|e| ConfigError::Setting {
                key: "server.listen".into(),
                message: format!("expected host:port such as 127.0.0.1:8080 ({e})"),
            })
    }

    /// The office time zone, parsed.
    pub fn timezone(&self) -> Result<chrono_tz::Tz, ConfigError> {
        self.office
            .timezone
            .parse()
            .map_err(|_| ConfigError::Setting {
                key: "office.timezone".into(),
                message: format!(
                    "unknown time zone '{}': use an IANA name such as Asia/Shanghai",
                    self.office.timezone
                ),
            })
    }
}

fn read_toml(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    text.parse::<toml::Table>().map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Sets `section.key` from an environment string, typed like the default it replaces.
fn set_path(tree: &mut toml::Table, key: &str, raw: &str) -> Result<(), ConfigError> {
    let unknown = || ConfigError::Setting {
        key: key.to_string(),
        message: "unknown setting".into(),
    };
    let (section, field) = key.split_once('.').ok_or_else(unknown)?;
    let table = tree
        .get_mut(section)
        .and_then(|v| v.as_table_mut())
        .ok_or_else(unknown)?;
    let value = match table.get(field) {
        Some(toml::Value::Integer(_)) => {
            toml::Value::Integer(raw.parse().map_err(|_| ConfigError::Setting {
                key: key.to_string(),
                message: format!("expected a whole number, got '{raw}'"),
            })?)
        }
        Some(toml::Value::Boolean(_)) => {
            toml::Value::Boolean(raw.parse().map_err(|_| ConfigError::Setting {
                key: key.to_string(),
                message: format!("expected true or false, got '{raw}'"),
            })?)
        }
        // A list from the environment: comma-separated names (`clerk,supervisor`; empty: none).
        Some(toml::Value::Array(_)) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        Some(_) => toml::Value::String(raw.to_string()),
        None => return Err(unknown()),
    };
    table.insert(field.to_string(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::load_from(Path::new("config/default.toml"), &env(pairs))
    }

    #[test]
    fn defaults_load_and_use_embedded_sqlite() {
        let s = load(&[]).unwrap();
        assert!(s.database.url.expose().starts_with("sqlite://"));
        assert_eq!(s.timezone().unwrap(), chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn email_links_follow_the_listen_address_unless_a_public_url_is_named() {
        assert_eq!(load(&[]).unwrap().server.base_url, "http://127.0.0.1:8080");
        let moved = load(&[("HUIYIN_LISTEN", "127.0.0.1:9090")]).unwrap();
        assert_eq!(moved.server.base_url, "http://127.0.0.1:9090");
        let named = load(&[
            ("HUIYIN_LISTEN", "127.0.0.1:9090"),
            ("HUIYIN_SERVER__BASE_URL", "https://huiyin.example.gov.cn"),
        ])
        .unwrap();
        assert_eq!(named.server.base_url, "https://huiyin.example.gov.cn");
    }

    #[test]
    fn aliases_and_nested_variables_override_the_file() {
        let s = load(&[
            ("HUIYIN_LISTEN", "0.0.0.0:9000"),
            ("HUIYIN_DATABASE__POOL_SIZE", "3"),
        ])
        .unwrap();
        assert_eq!(s.server.listen, "0.0.0.0:9000");
        assert_eq!(s.database.pool_size, 3);
    }

    #[test]
    fn invalid_settings_name_the_key() {
        let cases = [
            ("HUIYIN_LISTEN", "nonsense", "server.listen"),
            ("HUIYIN_DATABASE_URL", "mysql://x", "database.url"),
            ("HUIYIN_OFFICE__TIMEZONE", "Mars/Base", "office.timezone"),
            ("HUIYIN_DATABASE__POOL_SIZE", "many", "database.pool_size"),
            ("HUIYIN_SERVER__NO_SUCH", "1", "server.no_such"),
            ("HUIYIN_SMTP_URL", "http://x", "smtp.url"),
            // An unknown variant is named with the allowed ones (serde does not give the key).
            (
                "HUIYIN_HANDLING__PAUSE",
                "sometimes",
                "`off`, `with_approval`, `free`",
            ),
            (
                "HUIYIN_HANDLING__MAX_PAUSE_WORKING_DAYS",
                "0",
                "handling.max_pause_working_days",
            ),
            ("HUIYIN_REPORTS__DECIMALS", "3", "reports.decimals"),
            (
                "HUIYIN_HANDLING__EXTENSION_APPROVER",
                "mayor",
                "`office`, `department`, `department_then_office`",
            ),
            (
                "HUIYIN_HANDLING__DIRECT_TRANSFER_ROLES",
                "clerk,intake",
                "handling.direct_transfer_roles",
            ),
            (
                "HUIYIN_HANDLING__MAX_EXTENSION_WORKING_DAYS",
                "10",
                "handling.max_extension_working_days",
            ),
        ];
        for (var, value, key) in cases {
            let err = load(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(key), "{var}={value}: {err}");
        }
    }

    #[test]
    fn pausing_is_off_and_rates_have_two_decimals_by_default() {
        let s = load(&[]).unwrap();
        assert_eq!(s.handling.pause, PausePolicy::Off);
        assert_eq!(s.handling.max_pause_working_days, 10);
        assert_eq!(s.reports.decimals, 2);
        let s = load(&[("HUIYIN_HANDLING__PAUSE", "with_approval")]).unwrap();
        assert_eq!(s.handling.pause, PausePolicy::WithApproval);
    }

    #[test]
    fn the_office_approves_extensions_supervisors_transfer_and_citizens_are_told_by_default() {
        let s = load(&[]).unwrap();
        assert_eq!(s.handling.extension_approver, ExtensionApprover::Office);
        assert_eq!(s.handling.department_approves_up_to_working_days, 5);
        assert_eq!(
            s.handling.direct_transfer_roles,
            vec![crate::org::Role::Supervisor]
        );
        assert!(s.handling.notify_citizen);
        let s = load(&[
            (
                "HUIYIN_HANDLING__EXTENSION_APPROVER",
                "department_then_office",
            ),
            (
                "HUIYIN_HANDLING__DEPARTMENT_APPROVES_UP_TO_WORKING_DAYS",
                "3",
            ),
            (
                "HUIYIN_HANDLING__DIRECT_TRANSFER_ROLES",
                "clerk, supervisor",
            ),
        ])
        .unwrap();
        assert_eq!(
            s.handling.extension_approver,
            ExtensionApprover::DepartmentThenOffice
        );
        assert_eq!(s.handling.department_approves_up_to_working_days, 3);
        assert_eq!(s.handling.direct_transfer_roles.len(), 2);
        let err = load(&[
            (
                "HUIYIN_HANDLING__EXTENSION_APPROVER",
                "department_then_office",
            ),
            (
                "HUIYIN_HANDLING__DEPARTMENT_APPROVES_UP_TO_WORKING_DAYS",
                "0",
            ),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("handling.department_approves_up_to_working_days"),
            "{err}"
        );
    }

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let s = load(&[("HUIYIN_DATABASE_URL", "postgres://u:hunter2@h/db")]).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
