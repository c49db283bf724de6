//! What the message page shows, built from the row, its history and the viewer: contact details and text masked outside the owning department, the history in words, and which forms the viewer gets.

use askama::Template;

use crate::api::messages::MessageView;
use crate::api::AppState;
use crate::directory;
use crate::messages::events::{self, Event};
use crate::messages::handling::{extension, extension_requests_of, review};
use crate::messages::model::{self, utc};
use crate::messages::Status;
use crate::privacy;
use crate::sla::Channel;

use super::inbox::Choice;
use super::view::{self, Deadline, Names};
use super::{CurrentUser, Layout, WebError};

/// What an action adds to the page: a notice, a refusal, the reply's warnings and draft.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub draft: String,
}

/// One line of the history.
#[derive(Debug, Clone)]
pub struct EventLine {
    pub at: String,
    pub label: &'static str,
    pub actor: String,
    pub detail: String,
}

/// The reply as logged.
#[derive(Debug, Clone)]
pub struct ReplyInfo {
    pub body: String,
    pub at: String,
    pub by: String,
    pub on_time: bool,
    pub days: i32,
}

/// The reply waiting for review, as submitted.
#[derive(Debug, Clone)]
pub struct SubmissionInfo {
    pub body: String,
    pub at: String,
    pub by: String,
}

/// Which forms the viewer gets, given the message's state and their role.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actions {
    pub reply: bool,
    pub transfer: bool,
    pub pause: bool,
    /// Ask for a pause (`[handling] pause = "with_approval"`, the department's clerks).
    pub request_pause: bool,
    /// Approve or refuse the pending pause request (the department's supervisors, admins).
    pub decide_pause: bool,
    pub resume: bool,
    pub request_extension: bool,
    pub extend: bool,
    pub invalid: bool,
    pub reopen: bool,
    /// Return to the office as not the department's business.
    pub return_to_office: bool,
    /// Assign a message waiting at the office to a department (the office, leaders, admins).
    pub reassign: bool,
    /// Record 属实 / 不属实 (website error reports).
    pub verdict: bool,
    /// Accept or reject the reply waiting for review.
    pub review: bool,
    /// Approve or refuse the extension request waiting for a decision.
    pub decide_extension: bool,
}

impl Actions {
    pub fn any_more(&self) -> bool {
        self.return_to_office
            || self.reassign
            || self.verdict
            || self.review
            || self.decide_extension
            || self.transfer
            || self.pause
            || self.request_pause
            || self.decide_pause
            || self.resume
            || self.request_extension
            || self.extend
            || self.invalid
            || self.reopen
    }
}

#[derive(Template)]
#[template(path = "web/message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub id: i64,
    pub external_id: String,
    pub subject: String,
    pub body: String,
    pub channel: String,
    pub category: String,
    pub department: String,
    pub status: &'static str,
    pub deadline: Deadline,
    pub critical: bool,
    pub received: String,
    pub due: String,
    /// The original deadline when extensions or pauses moved it.
    pub original_due: Option<String>,
    pub extended_days: i32,
    pub citizen_name: String,
    pub citizen_phone: String,
    pub citizen_email: String,
    pub masked: bool,
    pub site_name: Option<String>,
    pub site_url: Option<String>,
    pub reply: Option<ReplyInfo>,
    /// The reply waiting for review (shown to the reviewer and to the department).
    pub submission: Option<SubmissionInfo>,
    pub events: Vec<EventLine>,
    pub transfer_to: Vec<Choice>,
    /// The departments the office may assign the message to (every one but the office).
    pub assign_to: Vec<Choice>,
    pub actions: Actions,
    /// "N 个工作日：reason" of an extension request not yet granted.
    pub pending_request: Option<String>,
    /// The id of that request, for the approve / refuse form.
    pub pending_request_id: Option<i64>,
    /// Who refused the last extension request, and why.
    pub refusal: Option<String>,
    pub requested_days: u32,
    /// The pause request waiting for a decision, if any.
    pub pending_pause: Option<PendingPause>,
    pub extras: Extras,
}

/// A pause request waiting for a supervisor's decision.
pub struct PendingPause {
    pub id: i64,
    pub reason: String,
    /// Who asked, by name.
    pub by: String,
}

/// Every department but `except`, for a form's drop-down.
fn choices_except(departments: &[directory::Department], except: &str) -> Vec<Choice> {
    departments
        .iter()
        .filter(|d| d.code != except)
        .map(|d| Choice {
            value: d.code.clone(),
            label: d.name.clone(),
            selected: false,
        })
        .collect()
}

/// Loads the message for the user (403 outside their department, 404 if absent) and builds the page.
pub async fn build(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    extras: Extras,
) -> Result<MessagePage, WebError> {
    let who = &user.principal;
    who.require_reader()?;
    let (row, history, departments, staff, (submissions, requests, pause_requests)) = state
        .db
        .run(move |conn| {
            Ok((
                model::find(conn, id)?,
                events::history(conn, id)?,
                directory::list_departments(conn)?,
                directory::list_staff(conn)?,
                (
                    review::submissions_of(conn, id)?,
                    extension_requests_of(conn, id)?,
                    crate::messages::handling::pause_requests_of(conn, id)?,
                ),
            ))
        })
        .await?;
    // The office's reviewers open other departments' messages that wait for their review.
    let reviewer = who.may_review(&state.workflow.rules.office_department);
    if !(row.review_pending && reviewer) {
        who.require_see_message(id, &row.department_code)?;
    }
    let now = state.clock.now();
    let tl = &state.workflow.timeline;
    let names = Names::new(&departments, &staff);
    // The API's view decides what is masked, so pages and API mask alike.
    let shown = MessageView::render(&row, state, who, now);
    let owner = who.owns(&row.department_code);
    let contact = row.citizen();
    let text = |s: &str| privacy::text_for(s, &contact, owner);

    let mut lines = Vec::with_capacity(history.len());
    let mut request: Option<(u32, String)> = None;
    for e in &history {
        let event = e.event()?;
        let date = |ts: &i64| view::local_date(tl, *ts);
        let detail = match &event {
            Event::Received {
                channel,
                due_at,
                department,
                ..
            } => match department {
                Some(d) => format!(
                    "渠道：{}；承办部门：{}；办理期限：{}",
                    view::channel_label(channel),
                    names.department(d),
                    date(due_at)
                ),
                None => format!(
                    "渠道：{}；办理期限：{}",
                    view::channel_label(channel),
                    date(due_at)
                ),
            },
            Event::Assigned { department } => {
                format!("承办部门：{}", names.department(department))
            }
            Event::Transferred { from, to, reason } => format!(
                "由{}转至{}。理由：{}",
                names.department(from),
                names.department(to),
                text(reason)
            ),
            Event::Paused { reason } => format!("理由：{}", text(reason)),
            Event::Resumed {
                paused_working_days,
                due_at,
            } => format!(
                "暂停{paused_working_days}个工作日；新的办理期限：{}",
                date(due_at)
            ),
            Event::Extended {
                working_days,
                reason,
                due_at,
            } => {
                request = None;
                format!(
                    "延长{working_days}个工作日，新的办理期限：{}。理由：{}",
                    date(due_at),
                    text(reason)
                )
            }
            Event::ExtensionRequested {
                working_days,
                reason,
                ..
            } => {
                request = Some((*working_days, text(reason)));
                format!("申请延长{working_days}个工作日。理由：{}", text(reason))
            }
            Event::ExtensionRefused { reason, .. } => {
                request = None;
                format!("不同意延期。理由：{}", text(reason))
            }
            Event::PauseRequested { reason, .. } => format!("理由：{}", text(reason)),
            Event::PauseRefused { reason, .. } => format!("不同意暂停计时。理由：{}", text(reason)),
            Event::Returned {
                from,
                reason,
                working_days,
                late,
                ..
            } => format!(
                "{}退回，交办后第{working_days}个工作日{}。理由：{}",
                names.department(from),
                if *late {
                    "（超过退回时限）"
                } else {
                    ""
                },
                text(reason)
            ),
            Event::Reassigned {
                to,
                reason,
                fresh_deadline,
                due_at,
                ..
            } => format!(
                "重新交办至{}{}，办理期限：{}。理由：{}",
                names.department(to),
                if *fresh_deadline {
                    "（重新计算时限）"
                } else {
                    ""
                },
                date(due_at),
                text(reason)
            ),
            Event::VerdictRecorded { verdict, note, .. } => format!(
                "{}：{}",
                if verdict == "confirmed" {
                    "属实"
                } else {
                    "不属实"
                },
                text(note)
            ),
            Event::ReplySubmitted { .. } => "答复已提交，等待审核".to_string(),
            Event::ReviewAccepted => "审核通过，答复生效".to_string(),
            Event::ReviewRejected { reason } => format!("审核退回。理由：{}", text(reason)),
            Event::CitizenNotified {
                step,
                due_at,
                emailed,
            } => format!(
                "{}，办理期限：{}。{}",
                match step.as_str() {
                    "extended" => "延期",
                    "transferred" => "转办",
                    "returned" => "退回重新分办",
                    _ => "交办",
                },
                date(due_at),
                if *emailed {
                    "已发送电子邮件告知留言人"
                } else {
                    "留言人未留电子邮箱，未发邮件"
                }
            ),
            Event::Recalculated {
                years,
                due_at,
                working_days_taken,
                on_time,
                ..
            } => {
                let years: Vec<String> = years.iter().map(|y| format!("{y}年")).collect();
                let mut parts = Vec::new();
                if let Some([before, after]) = due_at {
                    parts.push(format!("办理期限：{} → {}", date(before), date(after)));
                }
                if let Some([before, after]) = working_days_taken {
                    let n = |v: &Option<i32>| v.map_or("—".to_string(), |n| n.to_string());
                    parts.push(format!("用时（工作日）：{} → {}", n(before), n(after)));
                }
                if let Some([before, after]) = on_time {
                    let v = |v: &Option<bool>| match v {
                        Some(true) => "按期",
                        Some(false) => "逾期",
                        None => "—",
                    };
                    parts.push(format!("{} → {}", v(before), v(after)));
                }
                format!(
                    "办理期限按{}放假安排重新计算：{}",
                    years.join("、"),
                    parts.join("；")
                )
            }
            Event::Replied {
                on_time,
                working_days_taken,
                ..
            } => format!(
                "{}，用时{working_days_taken}个工作日",
                if *on_time {
                    "按期答复"
                } else {
                    "逾期答复"
                }
            ),
            Event::MarkedInvalid { reason } | Event::Reopened { reason } => {
                format!("理由：{}", text(reason))
            }
            Event::AlertSent { level, recipients } => {
                format!("级别：{level}；收件人{recipients}人")
            }
        };
        lines.push(EventLine {
            at: view::local_time(tl, e.at),
            label: event.label_zh(),
            actor: names.actor(&e.actor),
            detail,
        });
    }

    let status = row.status();
    let pending = status.is_pending();
    let pending_pause = pause_requests
        .iter()
        .rev()
        .find(|r| r.status == crate::messages::handling::extension::status::PENDING)
        .filter(|_| status == Status::Open)
        .map(|r| PendingPause {
            id: r.id,
            reason: text(&r.reason),
            by: names.actor(&r.requested_by),
        });
    let rules = &state.workflow.rules;
    let reassign = state.workflow.awaits_assignment(&row) && state.workflow.may_assign(who);
    let waiting = row.review_pending;
    let last_request = requests.last();
    let pending_request_id = last_request
        .filter(|r| pending && r.status == extension::status::PENDING)
        .map(|r| r.id);
    let refusal = last_request
        .filter(|r| r.status == extension::status::REFUSED)
        .map(|r| {
            format!(
                "{}不同意延长{}个工作日。理由：{}",
                r.decided_by
                    .as_deref()
                    .map(|a| names.actor(a))
                    .unwrap_or_default(),
                r.working_days,
                text(r.decision_reason.as_deref().unwrap_or("未说明"))
            )
        });
    let actions = Actions {
        // One reply at a time: none while the submitted one waits for the reviewer.
        reply: pending && !waiting,
        // A returned message waiting at the office is handed on by reassigning it (which
        // records the deadline decision), so the plain transfer form gives way there.
        transfer: pending && !reassign && who.may_transfer(&row.department_code, rules),
        pause: status == Status::Open
            && state.workflow.may_pause_directly(who, &row.department_code),
        request_pause: status == Status::Open
            && pending_pause.is_none()
            && state.workflow.may_request_pause(who, &row.department_code),
        decide_pause: pending_pause.is_some() && who.may_decide_pause(&row.department_code),
        resume: status == Status::Paused,
        request_extension: pending && who.may_request_extension(&row.department_code, rules),
        // A direct grant of the shortest extension: the form checks the days it is given.
        extend: pending && who.may_approve_extension(&row.department_code, 1, rules),
        invalid: status != Status::Invalid,
        reopen: !pending,
        return_to_office: pending
            && owner
            && row.department_code != state.workflow.rules.office_department,
        reassign,
        verdict: owner
            && status != Status::Invalid
            && row.channel == crate::sla::Channel::WebsiteError.as_str(),
        review: row.review_pending && reviewer,
        decide_extension: last_request
            .filter(|r| pending_request_id == Some(r.id))
            .is_some_and(|r| {
                r.requested_by != who.actor
                    && who.may_approve_extension(
                        &row.department_code,
                        u32::try_from(r.working_days).unwrap_or(0),
                        rules,
                    )
            }),
    };
    let request = request.filter(|_| pending);
    let original_due =
        (row.original_due_at != row.due_at).then(|| view::local_date(tl, row.original_due_at));
    let citizen = shown.citizen;
    let reply = match (row.replied_at, row.on_time, row.working_days_taken) {
        (Some(at), Some(on_time), Some(days)) => Some(ReplyInfo {
            body: text(row.reply_body.as_deref().unwrap_or_default()),
            at: view::local_time(tl, at),
            by: row
                .replied_by
                .as_deref()
                .map(|a| names.actor(a))
                .unwrap_or_default(),
            on_time,
            days,
        }),
        _ => None,
    };
    let submission = submissions
        .into_iter()
        .rev()
        .find(|s| waiting && s.status == review::status::PENDING)
        .map(|s| SubmissionInfo {
            body: text(&s.body),
            at: view::local_time(tl, s.submitted_at),
            by: names.actor(&s.submitted_by),
        });
    let title = format!("留言 #{} · {}", row.id, shown.subject);
    Ok(MessagePage {
        layout: Layout::for_user(state, user, &title, "inbox").await?,
        id: row.id,
        external_id: row.external_id.clone().unwrap_or_default(),
        subject: shown.subject.clone(),
        body: shown.body,
        channel: view::channel_label(&row.channel),
        category: view::category_label(&row.category),
        department: names.department(&row.department_code),
        status: view::status_label(&row),
        deadline: view::deadline(&row, tl, now),
        critical: crate::messages::is_critical(&row, now, tl.tz()),
        received: view::local_time(tl, row.received_at),
        due: format!(
            "{}（{}）{}",
            view::local_date(tl, row.due_at),
            utc(row.due_at).with_timezone(&tl.tz()).format("%H:%M 前"),
            tl.provisional_mark(utc(row.due_at))
        ),
        original_due,
        extended_days: row.extended_days,
        citizen_name: citizen.name.unwrap_or_default(),
        citizen_phone: citizen.phone.unwrap_or_default(),
        citizen_email: citizen.email.unwrap_or_default(),
        masked: !owner,
        site_name: (row.channel == Channel::WebsiteError.as_str())
            .then(|| row.site_name.clone())
            .flatten(),
        // Intake accepts only http(s) URLs; checked again because the page makes it a link.
        site_url: row
            .site_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        reply,
        submission,
        events: lines,
        transfer_to: choices_except(&departments, &row.department_code),
        assign_to: choices_except(&departments, &state.workflow.rules.office_department),
        actions,
        requested_days: request.as_ref().map_or(5, |r| r.0),
        pending_pause,
        pending_request_id,
        refusal,
        pending_request: request.map(|(days, reason)| format!("{days}个工作日。理由：{reason}")),
        extras,
    })
}
