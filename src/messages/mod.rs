//! Citizen messages: the domain values, the validated intake form, the append-only event log and the workflow (create, reply, transfer, pause, extend, invalidate, reopen).

pub mod after_step;
pub mod events;
pub mod handling;
pub mod model;
pub mod recalculate;
pub mod reply_check;
pub mod workflow;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::directory::DepartmentCode;
use crate::error::AppError;
use crate::privacy::Citizen;
use crate::sla::{Category, Channel, SlaPolicy};

pub use after_step::AfterStep;
pub use events::Event;
pub use handling::{ExtensionRequest, PauseRequest, Verdict};
pub use model::{MessageFilter, MessageRow};
pub use reply_check::{reply_warnings, ReplyWarning};
pub use workflow::{CreateOutcome, Pending, Workflow};

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest message or reply body, in characters (a long letter is some 5,000).
pub const MAX_BODY_CHARS: usize = 20_000;
/// Longest reason for a transfer, pause, extension or invalidation.
pub const MAX_REASON_CHARS: usize = 1_000;

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the department's answer; the deadline runs.
    Open,
    /// Waiting for the citizen's supplementary information; the deadline stands still.
    Paused,
    /// Answered (办结).
    Replied,
    /// Spam, duplicate or out of scope: kept, excluded from the statistics.
    Invalid,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Open,
        Status::Paused,
        Status::Replied,
        Status::Invalid,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Paused => "paused",
            Status::Replied => "replied",
            Status::Invalid => "invalid",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Open => "办理中",
            Status::Paused => "待补充材料",
            Status::Replied => "已办结",
            Status::Invalid => "无效留言",
        }
    }

    /// Still needs an answer.
    pub fn is_pending(self) -> bool {
        matches!(self, Status::Open | Status::Paused)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| {
                format!("unknown status '{s}': expected one of open, paused, replied, invalid")
            })
    }
}

/// The website a 找错 report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub url: String,
}

/// A message as received, validated, before it is stored.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub channel: Channel,
    pub category: Category,
    pub subject: String,
    pub body: String,
    pub department: DepartmentCode,
    pub received_at: DateTime<Utc>,
    pub external_id: Option<String>,
    pub citizen: Citizen,
    pub site: Option<Site>,
}

impl NewMessage {
    /// Whether `row` is this message as sent: an idempotent repeat of its intake. Compares what
    /// the sender wrote (category, subject, body, citizen, site), not what the office did since
    /// (department, status, deadline) nor `received_at`, which defaults to the time of each try.
    pub fn same_as(&self, row: &MessageRow) -> bool {
        row.channel == self.channel.as_str()
            && row.external_id == self.external_id
            && row.category == self.category.as_str()
            && row.subject == self.subject
            && row.body == self.body
            && row.citizen() == self.citizen
            && row.site() == self.site
    }
}

/// The intake form as sent by a client (API body or one import line).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageForm {
    /// `mayor_mailbox` (市长信箱) or `website_error` (我为政府网站找错).
    pub channel: String,
    /// consultation, complaint, suggestion, help, report (mailbox) or error_report (website_error).
    pub category: String,
    pub subject: String,
    pub body: String,
    /// Department code.
    pub department: String,
    /// RFC 3339; defaults to now.
    #[serde(default)]
    pub received_at: Option<String>,
    /// The id in the sending system; the same id on the same channel is never stored twice.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub citizen: Option<Citizen>,
    #[serde(default)]
    pub site: Option<Site>,
}

/// Refuses control characters other than tab and line breaks (CR, LF): PostgreSQL cannot store
/// a NUL byte and SQLite's `length()` stops at one, so both backends refuse them alike, before
/// any database work (422 naming the field).
pub fn check_text(field: &str, value: &str) -> Result<(), AppError> {
    match value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(AppError::invalid(
            field,
            format!(
                "{field} contains the control character U+{:04X}; only tab and line breaks are allowed",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// The search text of a list (`q`): trimmed, `None` when empty, control characters refused.
pub fn parse_search(value: Option<&str>) -> Result<Option<String>, AppError> {
    optional_text("q", value, MAX_SEARCH_CHARS)
}

/// Most items a list reaches into (page × per_page): deep pages cost a scan of every row before
/// them, and the product of two large numbers must not overflow into a negative offset.
pub const MAX_LIST_DEPTH: i64 = 1_000_000;

/// Checks a 1-based page number against the page size and [`MAX_LIST_DEPTH`].
pub fn check_page(page: i64, per_page: i64) -> Result<i64, AppError> {
    if page < 1 {
        return Err(AppError::invalid("page", "page starts at 1"));
    }
    match page.checked_mul(per_page) {
        Some(depth) if depth <= MAX_LIST_DEPTH => Ok(page),
        _ => Err(AppError::invalid(
            "page",
            format!("page × per_page may be at most {MAX_LIST_DEPTH}: narrow the filters instead"),
        )),
    }
}

fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, AppError> {
    check_text(field, value)?;
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(
            field,
            format!("{field} must not be empty"),
        ));
    }
    let n = value.chars().count();
    if n > max_chars {
        return Err(AppError::invalid(
            field,
            format!("{field} has {n} characters; the limit is {max_chars}"),
        ));
    }
    Ok(value.to_string())
}

fn optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, v, max_chars).map(Some),
    }
}

/// Parses an RFC 3339 time (with offset) from a request field.
pub fn parse_time(field: &str, value: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::invalid(
                field,
                format!("'{value}' is not an RFC 3339 time such as 2026-10-09T10:00:00+08:00"),
            )
        })
}

/// Rejects a time later than now (a minute of clock skew allowed).
pub fn not_in_future(field: &str, t: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), AppError> {
    if t > now + chrono::Duration::seconds(60) {
        return Err(AppError::invalid(
            field,
            format!("{field} is in the future"),
        ));
    }
    Ok(())
}

impl MessageForm {
    /// Checks every field and turns the form into a [`NewMessage`].
    pub fn parse(self, policy: &SlaPolicy, now: DateTime<Utc>) -> Result<NewMessage, AppError> {
        let channel: Channel = self
            .channel
            .parse()
            .map_err(|e: crate::sla::PolicyError| AppError::invalid("channel", e.to_string()))?;
        let category: Category = self
            .category
            .parse()
            .map_err(|e: crate::sla::PolicyError| AppError::invalid("category", e.to_string()))?;
        policy
            .working_days(channel, category)
            .map_err(|e| AppError::invalid("category", e.to_string()))?;
        let subject = required_text("subject", &self.subject, MAX_SUBJECT_CHARS)?;
        let body = required_text("body", &self.body, MAX_BODY_CHARS)?;
        let department = DepartmentCode::parse(&self.department)
            .map_err(|e| AppError::invalid("department", e))?;
        let received_at = match self.received_at.as_deref() {
            Some(s) => parse_time("received_at", s)?,
            None => now,
        };
        not_in_future("received_at", received_at, now)?;
        let external_id = optional_text("external_id", self.external_id.as_deref(), 128)?;
        let citizen = self.citizen.unwrap_or_default();
        let citizen = Citizen {
            name: optional_text("citizen.name", citizen.name.as_deref(), 100)?,
            phone: optional_text("citizen.phone", citizen.phone.as_deref(), 32)?,
            email: optional_text("citizen.email", citizen.email.as_deref(), 254)?,
        };
        if let Some(email) = &citizen.email {
            if !email.contains('@') {
                return Err(AppError::invalid(
                    "citizen.email",
                    "citizen.email is not an email address",
                ));
            }
        }
        let site = match self.site {
            None if channel == Channel::WebsiteError => {
                return Err(AppError::invalid(
                    "site",
                    "a website_error report needs site {name, url}",
                ))
            }
            None => None,
            Some(site) => {
                let name = required_text("site.name", &site.name, 200)?;
                let url = required_text("site.url", &site.url, 2000)?;
                match url::Url::parse(&url) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                    _ => {
                        return Err(AppError::invalid(
                            "site.url",
                            format!("'{url}' is not an http(s) URL"),
                        ))
                    }
                }
                Some(Site { name, url })
            }
        };
        Ok(NewMessage {
            channel,
            category,
            subject,
            body,
            department,
            received_at,
            external_id,
            citizen,
            site,
        })
    }
}

/// A reason given for a workflow step.
pub fn parse_reason(value: &str) -> Result<String, AppError> {
    required_text("reason", value, MAX_REASON_CHARS)
}

/// A reply body.
pub fn parse_reply_body(value: &str) -> Result<String, AppError> {
    required_text("body", value, MAX_BODY_CHARS)
}

/// Calendar months without an answer after which a message is critical (单项否决 in the inspections).
pub const CRITICAL_AFTER_MONTHS: u32 = 3;

/// Messages received before this instant and still unanswered at `now` are critical:
/// the same local wall time three calendar months earlier (end-of-month dates clamp,
/// so 05-31 + 3 months is 08-31 and 11-30 + 3 months is 02-28/29).
pub fn critical_threshold(now: DateTime<Utc>, tz: chrono_tz::Tz) -> i64 {
    use chrono::{Months, TimeZone};
    let local = now.with_timezone(&tz).naive_local();
    let earlier = local
        .checked_sub_months(Months::new(CRITICAL_AFTER_MONTHS))
        .unwrap_or(local);
    tz.from_local_datetime(&earlier)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| now.timestamp() - 92 * 86_400)
}

/// Unanswered (open or paused) for more than three calendar months at `now`.
pub fn is_critical(row: &MessageRow, now: DateTime<Utc>, tz: chrono_tz::Tz) -> bool {
    row.status().is_pending() && row.received_at < critical_threshold(now, tz)
}

/// The first instant at which a message received at `received_at` counts as critical under
/// [`critical_threshold`] (the one definition): the same local wall time
/// [`CRITICAL_AFTER_MONTHS`] months later, moved on to the next local midnight(s) where
/// end-of-month clamping makes the threshold jump.
pub fn critical_from(received_at: i64, tz: chrono_tz::Tz) -> i64 {
    use chrono::{DateTime, Months, TimeZone};
    let critical_at = |t: i64| {
        received_at < critical_threshold(DateTime::from_timestamp(t, 0).unwrap_or_default(), tz)
    };
    let local = model::utc(received_at).with_timezone(&tz).naive_local();
    let later = local
        .checked_add_months(Months::new(CRITICAL_AFTER_MONTHS))
        .unwrap_or(local);
    let mut t = tz
        .from_local_datetime(&later)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or(received_at + 92 * 86_400)
        + 1;
    for _ in 0..5 {
        if critical_at(t) {
            return t;
        }
        let next_midnight = (model::utc(t).with_timezone(&tz).date_naive() + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .and_then(|m| tz.from_local_datetime(&m).earliest())
            .map(|m| m.timestamp());
        t = next_midnight.unwrap_or(t + 86_400);
    }
    t
}
