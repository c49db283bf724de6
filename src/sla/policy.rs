//! SLA policy: channels, message categories and how many working days each accepted
//! (channel, category) pair gets for a reply, loaded from `config/sla.toml`.
//!
//! File format (every accepted pair must be present):
//!
//! ```toml
//! [mayor_mailbox.consultation]
//! working_days = 5
//! explanation = "…"
//! max_total_working_days = 15   # the whole handling time from receipt, extensions included
//! max_total_source = "…"        # the rule that sets it, shown on the admin page
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::{Table, Value};

use super::cap::TotalCap;

/// Where a message came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 市长信箱: the mayor's mailbox.
    MayorMailbox,
    /// 我为政府网站找错: error reports about government websites.
    WebsiteError,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 2] = [Channel::MayorMailbox, Channel::WebsiteError];

    /// Machine name: `mayor_mailbox` or `website_error`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::MayorMailbox => "mayor_mailbox",
            Channel::WebsiteError => "website_error",
        }
    }

    /// Chinese label: 市长信箱 or 我为政府网站找错.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Channel::MayorMailbox => "市长信箱",
            Channel::WebsiteError => "我为政府网站找错",
        }
    }

    /// The categories a message on this channel may have.
    pub const fn allowed_categories(self) -> &'static [Category] {
        match self {
            Channel::MayorMailbox => &[
                Category::Consultation,
                Category::Complaint,
                Category::Suggestion,
                Category::Help,
                Category::Report,
            ],
            Channel::WebsiteError => &[Category::ErrorReport],
        }
    }

    /// Whether `category` is accepted on this channel.
    pub fn allows(self, category: Category) -> bool {
        self.allowed_categories().contains(&category)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| PolicyError::UnknownChannel(s.to_owned()))
    }
}

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 咨询
    Consultation,
    /// 投诉
    Complaint,
    /// 建议
    Suggestion,
    /// 求助
    Help,
    /// 举报
    Report,
    /// 网站纠错 (only on [`Channel::WebsiteError`])
    ErrorReport,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 6] = [
        Category::Consultation,
        Category::Complaint,
        Category::Suggestion,
        Category::Help,
        Category::Report,
        Category::ErrorReport,
    ];

    /// Machine name, e.g. `consultation`, `error_report`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Consultation => "consultation",
            Category::Complaint => "complaint",
            Category::Suggestion => "suggestion",
            Category::Help => "help",
            Category::Report => "report",
            Category::ErrorReport => "error_report",
        }
    }

    /// Chinese label: 咨询, 投诉, 建议, 求助, 举报 or 网站纠错.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Category::Consultation => "咨询",
            Category::Complaint => "投诉",
            Category::Suggestion => "建议",
            Category::Help => "求助",
            Category::Report => "举报",
            Category::ErrorReport => "网站纠错",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| PolicyError::UnknownCategory {
                value: s.to_owned(),
            })
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Errors about channels, categories and the SLA policy file.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A channel name that does not exist.
    #[error("unknown channel '{0}': expected one of {allowed}", allowed = join(&Channel::ALL))]
    UnknownChannel(String),
    /// A category name that does not exist.
    #[error("unknown category '{value}': expected one of {}", join(&Category::ALL))]
    UnknownCategory {
        /// The name given.
        value: String,
    },
    /// The category exists but is not accepted on the channel.
    #[error("category '{category}' is not accepted on channel '{channel}': expected one of {}", join(.allowed))]
    CategoryNotAllowed {
        /// The channel.
        channel: Channel,
        /// The category given.
        category: Category,
        /// The categories the channel accepts.
        allowed: Vec<Category>,
    },
    /// The policy file could not be read.
    #[error("cannot read SLA policy file {}: {source}", .path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The policy file was read but is not valid; every problem names its key.
    #[error("{file}: invalid SLA policy:\n  {}", .problems.join("\n  "))]
    Invalid {
        /// The file (or `<string>`).
        file: String,
        /// One line per problem, each starting with the key, e.g. `mayor_mailbox.help: missing`.
        problems: Vec<String>,
    },
}

/// A reply time in working days, 1 to 60.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "i64")]
pub struct WorkingDays(u16);

impl WorkingDays {
    /// Smallest allowed value.
    pub const MIN: u32 = 1;
    /// Largest allowed value.
    pub const MAX: u32 = 60;

    /// `n` working days; errors unless `1 <= n <= 60`.
    pub fn new(n: u32) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&n) {
            Ok(WorkingDays(n as u16))
        } else {
            Err(format!(
                "working days must be between {} and {}, got {n}",
                Self::MIN,
                Self::MAX
            ))
        }
    }

    /// The number of working days.
    #[inline]
    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

impl TryFrom<i64> for WorkingDays {
    type Error = String;

    fn try_from(n: i64) -> Result<Self, Self::Error> {
        match u32::try_from(n) {
            Ok(n) => WorkingDays::new(n),
            Err(_) => Err(format!(
                "working days must be between {} and {}, got {n}",
                Self::MIN,
                Self::MAX
            )),
        }
    }
}

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone)]
struct Rule {
    days: WorkingDays,
    explanation: String,
    cap: TotalCap,
}

/// Working days allowed for a reply, per channel and category.
#[derive(Debug, Clone)]
pub struct SlaPolicy {
    rules: [[Option<Rule>; Category::ALL.len()]; Channel::ALL.len()],
}

impl SlaPolicy {
    /// Reads and validates a policy file such as `config/sla.toml`.
    pub fn load(path: &Path) -> Result<SlaPolicy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::File {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses and validates policy text (errors name the file as `<string>`).
    pub fn from_toml_str(text: &str) -> Result<SlaPolicy, PolicyError> {
        Self::parse("<string>", text)
    }

    /// Working days for a message on `channel` with `category`.
    ///
    /// Errors with [`PolicyError::CategoryNotAllowed`] (naming the accepted categories) when the
    /// channel does not accept the category.
    pub fn working_days(
        &self,
        channel: Channel,
        category: Category,
    ) -> Result<WorkingDays, PolicyError> {
        match &self.rules[channel as usize][category as usize] {
            Some(rule) if channel.allows(category) => Ok(rule.days),
            _ => Err(PolicyError::CategoryNotAllowed {
                channel,
                category,
                allowed: channel.allowed_categories().to_vec(),
            }),
        }
    }

    /// The categories accepted on `channel`, in display order.
    pub fn categories(&self, channel: Channel) -> Vec<Category> {
        channel.allowed_categories().to_vec()
    }

    /// The explanation configured for a pair, if the channel accepts the category.
    pub fn explanation(&self, channel: Channel, category: Category) -> Option<&str> {
        self.rules[channel as usize][category as usize]
            .as_ref()
            .map(|r| r.explanation.as_str())
    }

    /// The cap on the whole handling time of a message on `channel` with `category`, counted
    /// from receipt (its limit plus every extension), with the rule that sets it.
    pub fn total_cap(&self, channel: Channel, category: Category) -> Option<&TotalCap> {
        self.rules[channel as usize][category as usize]
            .as_ref()
            .map(|r| &r.cap)
    }

    /// Every configured `(channel, category, working days, explanation)`, for the admin page.
    pub fn entries(&self) -> Vec<(Channel, Category, WorkingDays, String)> {
        Channel::ALL
            .into_iter()
            .flat_map(|channel| {
                channel
                    .allowed_categories()
                    .iter()
                    .filter_map(move |&category| {
                        self.rules[channel as usize][category as usize]
                            .as_ref()
                            .map(|rule| (channel, category, rule.days, rule.explanation.clone()))
                    })
            })
            .collect()
    }

    fn parse(file: &str, text: &str) -> Result<SlaPolicy, PolicyError> {
        let invalid = |problems: Vec<String>| PolicyError::Invalid {
            file: file.to_owned(),
            problems,
        };
        let table: Table = toml::from_str(text)
            .map_err(|e| invalid(vec![format!("not valid TOML: {}", e.message().trim())]))?;
        let mut rules: [[Option<Rule>; Category::ALL.len()]; Channel::ALL.len()] =
            Default::default();
        let mut problems = Vec::new();
        for (channel_key, channel_value) in &table {
            let channel = match channel_key.parse::<Channel>() {
                Ok(channel) => channel,
                Err(e) => {
                    problems.push(format!("{channel_key}: {e}"));
                    continue;
                }
            };
            let Some(categories) = channel_value.as_table() else {
                problems.push(format!(
                    "{channel_key}: must be a table of categories ([{channel_key}.<category>])"
                ));
                continue;
            };
            for (category_key, value) in categories {
                let key = format!("{channel_key}.{category_key}");
                let category = match category_key.parse::<Category>() {
                    Ok(category) if channel.allows(category) => category,
                    Ok(category) => {
                        let allowed = channel.allowed_categories().to_vec();
                        let e = PolicyError::CategoryNotAllowed {
                            channel,
                            category,
                            allowed,
                        };
                        problems.push(format!("{key}: {e}"));
                        continue;
                    }
                    Err(e) => {
                        problems.push(format!("{key}: {e}"));
                        continue;
                    }
                };
                match parse_rule(value) {
                    Ok(rule) => rules[channel as usize][category as usize] = Some(rule),
                    Err(messages) => {
                        problems.extend(messages.into_iter().map(|m| format!("{key}.{m}")))
                    }
                }
            }
        }
        for channel in Channel::ALL {
            for &category in channel.allowed_categories() {
                let key = format!("{channel}.{category}");
                let present = table
                    .get(channel.as_str())
                    .and_then(Value::as_table)
                    .is_some_and(|t| t.contains_key(category.as_str()));
                if !present {
                    problems.push(format!(
                        "{key}: missing; every category accepted on {channel} needs [{key}] with working_days and explanation"
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(SlaPolicy { rules })
        } else {
            Err(invalid(problems))
        }
    }
}

/// Parses one `[channel.category]` table; messages start with the sub-key.
fn parse_rule(value: &Value) -> Result<Rule, Vec<String>> {
    let Some(entry) = value.as_table() else {
        return Err(vec![
            "working_days: expected a table with working_days and explanation".to_owned(),
        ]);
    };
    let mut problems = Vec::new();
    for key in entry.keys() {
        if !RULE_KEYS.contains(&key.as_str()) {
            problems.push(format!(
                "{key}: unknown key (expected {})",
                RULE_KEYS.join(", ")
            ));
        }
    }
    let days = match entry.get("working_days") {
        Some(Value::Integer(n)) => WorkingDays::try_from(*n)
            .map_err(|e| problems.push(format!("working_days: {e}")))
            .ok(),
        Some(other) => {
            problems.push(format!("working_days: expected an integer, found {other}"));
            None
        }
        None => {
            problems.push("working_days: missing".to_owned());
            None
        }
    };
    let explanation = text_key(entry, "explanation", &mut problems);
    let source = text_key(entry, "max_total_source", &mut problems);
    let total = match entry.get("max_total_working_days") {
        Some(Value::Integer(n)) => match WorkingDays::try_from(*n) {
            Ok(total) if days.is_some_and(|d| total < d) => {
                problems.push(format!(
                    "max_total_working_days: {total} is less than working_days"
                ));
                None
            }
            Ok(total) => Some(total),
            Err(e) => {
                problems.push(format!("max_total_working_days: {e}"));
                None
            }
        },
        Some(other) => {
            problems.push(format!(
                "max_total_working_days: expected an integer, found {other}"
            ));
            None
        }
        None => {
            problems.push("max_total_working_days: missing".to_owned());
            None
        }
    };
    match (days, explanation, total, source) {
        (Some(days), Some(explanation), Some(total), Some(source)) if problems.is_empty() => {
            Ok(Rule {
                days,
                explanation,
                cap: TotalCap {
                    working_days: total,
                    source,
                },
            })
        }
        _ => Err(problems),
    }
}

/// The keys of one `[channel.category]` table.
const RULE_KEYS: [&str; 4] = [
    "working_days",
    "explanation",
    "max_total_working_days",
    "max_total_source",
];

/// A required non-empty string of a rule table (its problem recorded otherwise).
fn text_key(entry: &Table, key: &str, problems: &mut Vec<String>) -> Option<String> {
    match entry.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(_) => {
            problems.push(format!("{key}: expected a non-empty string"));
            None
        }
        None => {
            problems.push(format!("{key}: missing"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> String {
        let mut text = String::new();
        for channel in Channel::ALL {
            for category in channel.allowed_categories() {
                text.push_str(&format!(
                    "[{channel}.{category}]\nworking_days = 5\nexplanation = \"because\"\nmax_total_working_days = 15\nmax_total_source = \"rule\"\n"
                ));
            }
        }
        text
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_allowed_values() {
        for channel in Channel::ALL {
            assert_eq!(channel.as_str().parse::<Channel>().unwrap(), channel);
        }
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>().unwrap(), category);
        }
        assert_eq!(
            "foo".parse::<Channel>().unwrap_err().to_string(),
            "unknown channel 'foo': expected one of mayor_mailbox, website_error"
        );
        assert_eq!(
            "bar".parse::<Category>().unwrap_err().to_string(),
            "unknown category 'bar': expected one of consultation, complaint, suggestion, help, report, error_report"
        );
        assert_eq!(Category::ErrorReport.label_zh(), "网站纠错");
        assert_eq!(Channel::WebsiteError.label_zh(), "我为政府网站找错");
    }

    #[test]
    fn serde_uses_snake_case_names() {
        assert_eq!(
            serde_json::to_string(&Channel::MayorMailbox).unwrap(),
            "\"mayor_mailbox\""
        );
        assert_eq!(
            serde_json::from_str::<Category>("\"error_report\"").unwrap(),
            Category::ErrorReport
        );
        assert_eq!(
            serde_json::to_string(&WorkingDays::new(5).unwrap()).unwrap(),
            "5"
        );
        assert!(serde_json::from_str::<WorkingDays>("0").is_err());
    }

    #[test]
    fn working_days_must_be_between_1_and_60() {
        assert!(WorkingDays::new(0).is_err());
        assert_eq!(WorkingDays::new(60).unwrap().get(), 60);
        assert!(WorkingDays::new(61).is_err());
        assert!(WorkingDays::try_from(-1i64).is_err());
        assert_eq!(WorkingDays::try_from(3i64).unwrap().get(), 3);
    }

    #[test]
    fn a_complete_policy_loads_and_lists_its_entries() {
        let policy = SlaPolicy::from_toml_str(&valid()).unwrap();
        assert_eq!(policy.entries().len(), 6);
        assert_eq!(
            policy
                .working_days(Channel::WebsiteError, Category::ErrorReport)
                .unwrap()
                .get(),
            5
        );
        assert_eq!(
            policy.categories(Channel::WebsiteError),
            vec![Category::ErrorReport]
        );
        assert_eq!(
            policy.explanation(Channel::MayorMailbox, Category::Help),
            Some("because")
        );
    }

    #[test]
    fn a_category_the_channel_does_not_accept_names_the_allowed_ones() {
        let policy = SlaPolicy::from_toml_str(&valid()).unwrap();
        let err = policy
            .working_days(Channel::WebsiteError, Category::Complaint)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "category 'complaint' is not accepted on channel 'website_error': expected one of error_report"
        );
    }

    #[test]
    fn load_errors_name_the_file_and_key() {
        let text = valid().replace("[mayor_mailbox.help]\nworking_days = 5", "[mayor_mailbox.help]\nworking_days = 0")
            + "[mayor_mailbox.error_report]\nworking_days = 1\nexplanation = \"x\"\n[city_hotline.help]\n";
        let text = text.replace(
            "[website_error.error_report]\nworking_days = 5\nexplanation = \"because\"\nmax_total_working_days = 15\nmax_total_source = \"rule\"\n",
            "",
        );
        let err = SlaPolicy::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.starts_with("<string>: invalid SLA policy:"), "{err}");
        assert!(
            err.contains(
                "mayor_mailbox.help.working_days: working days must be between 1 and 60, got 0"
            ),
            "{err}"
        );
        assert!(err.contains("mayor_mailbox.error_report: category 'error_report' is not accepted on channel 'mayor_mailbox'"), "{err}");
        assert!(
            err.contains("city_hotline: unknown channel 'city_hotline'"),
            "{err}"
        );
        assert!(err.contains("website_error.error_report: missing"), "{err}");
    }

    #[test]
    fn a_missing_file_is_reported_with_its_path() {
        let err = SlaPolicy::load(Path::new("/nonexistent/sla.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read SLA policy file /nonexistent/sla.toml:"),
            "{err}"
        );
    }

    #[test]
    fn the_shipped_policy_file_is_valid() {
        let policy = SlaPolicy::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/sla.toml"
        )))
        .unwrap();
        assert_eq!(
            policy
                .working_days(Channel::MayorMailbox, Category::Consultation)
                .unwrap()
                .get(),
            5
        );
        assert_eq!(
            policy
                .working_days(Channel::WebsiteError, Category::ErrorReport)
                .unwrap()
                .get(),
            3
        );
    }
}
