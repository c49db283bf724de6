//! The message as the API shows it: what is masked for whom, and the local times.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::messages::events::EventRow;
use crate::messages::handling::{ExtensionRequest, PauseRequest, Submission};
use crate::messages::model::{utc, MessageRow};
use crate::messages::{self as msgs, Site, Status};
use crate::privacy::{self, Citizen};
use crate::sla::{Category, Channel, Timeline};

/// A message as the API shows it. Citizen contact, and ID and mobile numbers or the citizen's own contact in the
/// subject and body, are masked unless the caller belongs to the owning department.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub channel: String,
    pub channel_label: String,
    pub category: String,
    pub category_label: String,
    pub subject: String,
    pub body: String,
    pub department: String,
    pub status: Status,
    pub status_label: String,
    pub external_id: Option<String>,
    pub citizen: Citizen,
    pub site: Option<Site>,
    pub received_at: String,
    pub due_at: String,
    /// The deadline falls in a provisional (暂定) calendar year: no official notice for it yet.
    /// It is recomputed when the notice is installed.
    pub deadline_provisional: bool,
    pub original_due_at: String,
    pub extended_days: i32,
    pub paused_at: Option<String>,
    /// Open and past the deadline now.
    pub overdue: bool,
    /// Unanswered for more than 3 calendar months (单项否决).
    pub critical: bool,
    pub reply: Option<ReplyView>,
    /// 属实 (`confirmed`) or 不属实 (`rejected`) for website error reports.
    pub verdict: Option<String>,
    /// A reply is waiting for the reviewer.
    pub review_pending: bool,
    /// Times the message was returned to the office as misrouted.
    pub returned_count: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplyView {
    pub body: String,
    pub replied_at: String,
    pub replied_by: Option<String>,
    pub on_time: bool,
    pub working_days_taken: i32,
    /// The verdict or the working days taken touch a provisional (暂定) calendar year.
    pub verdict_provisional: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub at: String,
    pub kind: String,
    pub label: String,
    pub actor: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageDetail {
    #[serde(flatten)]
    pub message: MessageView,
    pub events: Vec<EventView>,
    /// Extension requests with their decisions (why the deadline moved).
    pub extension_requests: Vec<ExtensionRequestView>,
    /// Pause requests with their decisions (`[handling] pause = "with_approval"`).
    pub pause_requests: Vec<PauseRequestView>,
    /// Replies submitted for review, with the reviewers' decisions.
    pub submissions: Vec<SubmissionView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagePage {
    pub items: Vec<MessageView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// What an intake token gets back for a message it sent before: no content.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageReceipt {
    pub id: i64,
    pub status: Status,
}

/// Answer to a reply: the message plus the on-time verdict.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplyOutcome {
    pub on_time: bool,
    pub working_days_taken: i32,
    pub message: MessageView,
}

impl MessageView {
    pub fn render(row: &MessageRow, state: &AppState, who: &Principal, now: DateTime<Utc>) -> Self {
        let tl = &state.workflow.timeline;
        let owner = who.owns(&row.department_code);
        let contact = row.citizen();
        let subject = privacy::text_for(&row.subject, &contact, owner);
        let body = privacy::text_for(&row.body, &contact, owner);
        let citizen = if owner { contact } else { contact.masked() };
        let channel = row.channel.parse::<Channel>().ok();
        let category = row.category.parse::<Category>().ok();
        MessageView {
            id: row.id,
            channel: row.channel.clone(),
            channel_label: channel
                .map(|c| c.label_zh().to_string())
                .unwrap_or_default(),
            category: row.category.clone(),
            category_label: category
                .map(|c| c.label_zh().to_string())
                .unwrap_or_default(),
            subject,
            body,
            department: row.department_code.clone(),
            status: row.status(),
            status_label: row.status().label_zh().to_string(),
            external_id: row.external_id.clone(),
            citizen,
            site: row.site(),
            received_at: tl.format_local(utc(row.received_at)),
            due_at: tl.format_local(utc(row.due_at)),
            deadline_provisional: tl.is_provisional(utc(row.due_at)),
            original_due_at: tl.format_local(utc(row.original_due_at)),
            extended_days: row.extended_days,
            paused_at: row.paused_at.map(|t| tl.format_local(utc(t))),
            overdue: row.is_overdue(now),
            critical: msgs::is_critical(row, now, tl.tz()),
            reply: match (row.replied_at, row.on_time, row.working_days_taken) {
                (Some(at), Some(on_time), Some(taken)) => Some(ReplyView {
                    body: row.reply_body.clone().unwrap_or_default(),
                    replied_at: tl.format_local(utc(at)),
                    replied_by: row.replied_by.clone(),
                    on_time,
                    working_days_taken: taken,
                    verdict_provisional: tl.touches_provisional(utc(row.due_at), utc(at)),
                }),
                _ => None,
            },
            verdict: row.verdict.clone(),
            review_pending: row.review_pending,
            returned_count: row.returned_count,
        }
    }
}

/// An extension request as the API shows it (times in RFC 3339, the office's offset).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExtensionRequestView {
    pub id: i64,
    pub message_id: i64,
    pub working_days: i32,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    /// pending, approved or refused.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}

impl ExtensionRequestView {
    pub fn render(r: ExtensionRequest, tl: &Timeline) -> Self {
        ExtensionRequestView {
            id: r.id,
            message_id: r.message_id,
            working_days: r.working_days,
            reason: r.reason,
            requested_by: r.requested_by,
            requested_at: tl.format_local(utc(r.requested_at)),
            status: r.status,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(|t| tl.format_local(utc(t))),
            decision_reason: r.decision_reason,
        }
    }
}

/// A pause request as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PauseRequestView {
    pub id: i64,
    pub message_id: i64,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    /// pending, approved or refused.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}

impl PauseRequestView {
    pub fn render(r: PauseRequest, tl: &Timeline) -> Self {
        PauseRequestView {
            id: r.id,
            message_id: r.message_id,
            reason: r.reason,
            requested_by: r.requested_by,
            requested_at: tl.format_local(utc(r.requested_at)),
            status: r.status,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(|t| tl.format_local(utc(t))),
            decision_reason: r.decision_reason,
        }
    }
}

/// A reply submitted for review, as the API shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubmissionView {
    pub id: i64,
    pub message_id: i64,
    pub body: String,
    pub submitted_by: String,
    pub submitted_at: String,
    /// pending, accepted or rejected.
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub reason: Option<String>,
}

impl SubmissionView {
    pub fn render(s: Submission, tl: &Timeline) -> Self {
        SubmissionView {
            id: s.id,
            message_id: s.message_id,
            body: s.body,
            submitted_by: s.submitted_by,
            submitted_at: tl.format_local(utc(s.submitted_at)),
            status: s.status,
            reviewed_by: s.reviewed_by,
            reviewed_at: s.reviewed_at.map(|t| tl.format_local(utc(t))),
            reason: s.reason,
        }
    }
}

/// Times in an event's detail (`due_at`, `replied_at`, … stored as Unix seconds) in RFC 3339,
/// as every other time the API answers.
fn times_in_detail(detail: &mut serde_json::Value, tl: &Timeline) {
    use serde_json::Value;
    let time = |v: &mut Value| {
        if let Some(secs) = v.as_i64() {
            *v = Value::String(tl.format_local(utc(secs)));
        }
    };
    if let Some(fields) = detail.as_object_mut() {
        for (_, value) in fields.iter_mut().filter(|(k, _)| k.ends_with("_at")) {
            match value {
                // A recalculation records [before, after].
                Value::Array(pair) => pair.iter_mut().for_each(time),
                other => time(other),
            }
        }
    }
}

pub(super) fn render_events(
    rows: &[EventRow],
    state: &AppState,
) -> Result<Vec<EventView>, AppError> {
    rows.iter()
        .map(|r| {
            let event = r.event()?;
            Ok(EventView {
                at: state.workflow.timeline.format_local(utc(r.at)),
                kind: r.kind.clone(),
                label: event.label_zh().to_string(),
                actor: r.actor.clone(),
                detail: {
                    let mut detail = serde_json::from_str(&r.detail).unwrap_or_default();
                    times_in_detail(&mut detail, &state.workflow.timeline);
                    detail
                },
            })
        })
        .collect()
}
