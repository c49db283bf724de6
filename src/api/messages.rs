//! Message endpoints: create, import, list, show, and the workflow actions. Handlers parse, call the workflow, render.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::AppState;
use crate::auth::{Principal, RepeatAnswer, Role};
use crate::directory::DepartmentCode;
use crate::error::{AppError, ErrorEnvelope};
use crate::intake::ImportReport;
use crate::messages::events::{self, EventRow};
use crate::messages::handling::{self, ExtensionRequest, Submission};
use crate::messages::model::{self, utc, MessageRow};
use crate::messages::{self as msgs, CreateOutcome, MessageFilter, MessageForm, Site, Status};
use crate::privacy::{self, Citizen};
use crate::sla::{Category, Channel, WorkingDays};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/messages", web::post().to(create))
        .route("/messages", web::get().to(list))
        .route("/messages/import", web::post().to(import))
        .route("/messages/{id}", web::get().to(show))
        .route("/messages/{id}/reply", web::post().to(reply))
        .route("/messages/{id}/transfer", web::post().to(transfer))
        .route("/messages/{id}/pause", web::post().to(pause))
        .route("/messages/{id}/resume", web::post().to(resume))
        .route("/messages/{id}/extend", web::post().to(extend))
        .route("/messages/{id}/invalid", web::post().to(mark_invalid))
        .route("/messages/{id}/reopen", web::post().to(reopen));
}

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
    pub extension_requests: Vec<ExtensionRequest>,
    /// Replies submitted for review, with the reviewers' decisions.
    pub submissions: Vec<Submission>,
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

fn render_events(rows: &[EventRow], state: &AppState) -> Result<Vec<EventView>, AppError> {
    rows.iter()
        .map(|r| {
            let event = r.event()?;
            Ok(EventView {
                at: state.workflow.timeline.format_local(utc(r.at)),
                kind: r.kind.clone(),
                label: event.label_zh().to_string(),
                actor: r.actor.clone(),
                detail: serde_json::from_str(&r.detail).unwrap_or_default(),
            })
        })
        .collect()
}

fn require_intake(who: &Principal) -> Result<(), AppError> {
    who.require_role(
        &[
            Role::Intake,
            Role::Admin,
            Role::Leader,
            Role::Supervisor,
            Role::Clerk,
        ],
        "creating messages",
    )
}

/// Creates a message. 201 when stored. A repeat of the same message (same channel and external id, same content)
/// answers 200: with the stored message, or only its id and status to an intake token. A repeat that differs, or
/// whose message the caller may not see, is 409.
#[utoipa::path(post, path = "/api/v1/messages", request_body = MessageForm, security(("bearer" = [])),
    responses((status = 201, body = MessageView), (status = 200, body = MessageView, description = "the same message sent before (to an intake token: MessageReceipt)"),
        (status = 400, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn create(
    state: web::Data<AppState>,
    who: Principal,
    form: web::Json<MessageForm>,
) -> Result<HttpResponse, AppError> {
    require_intake(&who)?;
    let now = state.clock.now();
    let pending = state.workflow.prepare(form.into_inner(), &who, now)?;
    let msg = pending.message.clone();
    let (outcome, row) = state.ingest.create(pending).await?;
    if let CreateOutcome::Existing(_) = outcome {
        return Ok(
            match who.answer_repeat(&row.department_code, msg.same_as(&row))? {
                RepeatAnswer::Message => {
                    HttpResponse::Ok().json(MessageView::render(&row, &state, &who, now))
                }
                RepeatAnswer::Receipt => HttpResponse::Ok().json(MessageReceipt {
                    id: row.id,
                    status: row.status(),
                }),
            },
        );
    }
    Ok(HttpResponse::Created().json(MessageView::render(&row, &state, &who, now)))
}

/// Imports JSON lines (one message per line, the create fields). Good lines are stored even when others are rejected.
#[utoipa::path(post, path = "/api/v1/messages/import", request_body(content = String, content_type = "application/x-ndjson"),
    security(("bearer" = [])), responses((status = 200, body = ImportReport)))]
pub async fn import(
    state: web::Data<AppState>,
    who: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    require_intake(&who)?;
    let st = state.clone();
    let now = st.clock.now();
    let report = tokio::task::spawn_blocking(move || {
        crate::intake::import_lines(&st.db, &st.workflow, &who, &body, now)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("import task failed: {e}")))??;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub department: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    /// Only open messages past their deadline.
    pub overdue: Option<bool>,
    /// RFC 3339.
    pub due_before: Option<String>,
    /// RFC 3339, inclusive.
    pub received_from: Option<String>,
    /// RFC 3339, exclusive.
    pub received_to: Option<String>,
    /// Text in subject or body.
    pub q: Option<String>,
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// Items per page, 1 to 500 (default 50).
    pub per_page: Option<i64>,
}

impl ListQuery {
    /// Turns the query into a filter, scoped to the caller's department where it has one.
    pub fn into_filter(
        self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(MessageFilter, i64, i64), AppError> {
        let department = who.list_scope(self.department.as_deref())?;
        let status = self
            .status
            .map(|s| {
                s.parse::<Status>()
                    .map_err(|e| AppError::invalid("status", e))
            })
            .transpose()?;
        let channel = self
            .channel
            .map(|c| {
                c.parse::<Channel>()
                    .map(|c| c.as_str().to_string())
                    .map_err(|e| AppError::invalid("channel", e.to_string()))
            })
            .transpose()?;
        let category = self
            .category
            .map(|c| {
                c.parse::<Category>()
                    .map(|c| c.as_str().to_string())
                    .map_err(|e| AppError::invalid("category", e.to_string()))
            })
            .transpose()?;
        let time = |field: &str, v: Option<String>| {
            v.map(|s| msgs::parse_time(field, &s).map(|t| t.timestamp()))
                .transpose()
        };
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=500).contains(&per_page) {
            return Err(AppError::invalid(
                "per_page",
                "per_page must be between 1 and 500",
            ));
        }
        let page = msgs::check_page(self.page.unwrap_or(1), per_page)?;
        Ok((
            MessageFilter {
                department,
                status,
                channel,
                category,
                overdue_at: self.overdue.unwrap_or(false).then_some(now.timestamp()),
                due_before: time("due_before", self.due_before)?,
                received_from: time("received_from", self.received_from)?,
                received_to: time("received_to", self.received_to)?,
                search: msgs::parse_search(self.q.as_deref())?,
            },
            page,
            per_page,
        ))
    }
}

/// Lists messages, soonest deadline first. Clerks and supervisors see their own department only.
#[utoipa::path(get, path = "/api/v1/messages", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = MessagePage), (status = 403, body = ErrorEnvelope)))]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_reader()?;
    let now = state.clock.now();
    let (filter, page, per_page) = query.into_inner().into_filter(&who, now)?;
    let (rows, total) = state
        .db
        .run(move |conn| model::list(conn, &filter, page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(MessagePage {
        items: rows
            .iter()
            .map(|r| MessageView::render(r, &state, &who, now))
            .collect(),
        page,
        per_page,
        total,
    }))
}

/// One message with its full event history.
#[utoipa::path(get, path = "/api/v1/messages/{id}", security(("bearer" = [])),
    responses((status = 200, body = MessageDetail), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn show(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    who.require_reader()?;
    let id = id.into_inner();
    let (row, history, requests, submissions) = state
        .db
        .run(move |conn| {
            Ok((
                model::find(conn, id)?,
                events::history(conn, id)?,
                handling::extension_requests_of(conn, id)?,
                handling::submissions_of(conn, id)?,
            ))
        })
        .await?;
    who.require_see_message(id, &row.department_code)?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(MessageDetail {
        message: MessageView::render(&row, &state, &who, now),
        events: render_events(&history, &state)?,
        extension_requests: requests,
        submissions,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyForm {
    pub body: String,
    /// RFC 3339; defaults to now.
    pub replied_at: Option<String>,
}

/// Logs the reply; answers whether it was on time and how many working days it took. 409 if already replied.
#[utoipa::path(post, path = "/api/v1/messages/{id}/reply", request_body = ReplyForm, security(("bearer" = [])),
    responses((status = 200, body = ReplyOutcome), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn reply(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let body = msgs::parse_reply_body(&form.body)?;
    let replied_at = form
        .replied_at
        .map(|s| msgs::parse_time("replied_at", &s))
        .transpose()?;
    let now = state.clock.now();
    let (st, w, id) = (state.clone(), who.clone(), id.into_inner());
    let row = state
        .db
        .write(move |conn| st.workflow.reply(conn, &w, id, body, replied_at, now))
        .await?;
    Ok(HttpResponse::Ok().json(ReplyOutcome {
        on_time: row.on_time.unwrap_or(false),
        working_days_taken: row.working_days_taken.unwrap_or_default(),
        message: MessageView::render(&row, &state, &who, now),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferForm {
    pub department: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonForm {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtendForm {
    pub working_days: i64,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OptionalReasonForm {
    pub reason: Option<String>,
}

pub(super) async fn act<F>(
    state: web::Data<AppState>,
    who: Principal,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &AppState,
            &Principal,
            &mut crate::db::DbConnection,
            DateTime<Utc>,
        ) -> Result<MessageRow, AppError>
        + Send
        + 'static,
{
    let now = state.clock.now();
    let (st, w) = (state.clone(), who.clone());
    let row = state.db.write(move |conn| f(&st, &w, conn, now)).await?;
    Ok(HttpResponse::Ok().json(MessageView::render(&row, &state, &who, now)))
}

/// Transfers to another department (转办); the deadline stays.
#[utoipa::path(post, path = "/api/v1/messages/{id}/transfer", request_body = TransferForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn transfer(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<TransferForm>,
) -> Result<HttpResponse, AppError> {
    let to =
        DepartmentCode::parse(&form.department).map_err(|e| AppError::invalid("department", e))?;
    let reason = msgs::parse_reason(&form.reason)?;
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.transfer(conn, w, id, &to, reason, now)
    })
    .await
}

/// Pauses the clock while waiting for the citizen's supplementary information.
#[utoipa::path(post, path = "/api/v1/messages/{id}/pause", request_body = ReasonForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope)))]
pub async fn pause(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let reason = msgs::parse_reason(&form.reason)?;
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.pause(conn, w, id, reason, now)
    })
    .await
}

/// Resumes the clock; the deadline moves by the working days spent paused.
#[utoipa::path(post, path = "/api/v1/messages/{id}/resume", security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope)))]
pub async fn resume(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.resume(conn, w, id, now)
    })
    .await
}

/// Grants an extension of N working days (supervisor or admin).
#[utoipa::path(post, path = "/api/v1/messages/{id}/extend", request_body = ExtendForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn extend(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ExtendForm>,
) -> Result<HttpResponse, AppError> {
    let days = WorkingDays::try_from(form.working_days)
        .map_err(|e| AppError::invalid("working_days", e))?;
    let reason = msgs::parse_reason(&form.reason)?;
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.extend(conn, w, id, days, reason, now)
    })
    .await
}

/// Marks the message invalid (spam, duplicate, out of scope): kept, excluded from statistics.
#[utoipa::path(post, path = "/api/v1/messages/{id}/invalid", request_body = ReasonForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope)))]
pub async fn mark_invalid(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let reason = msgs::parse_reason(&form.reason)?;
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.mark_invalid(conn, w, id, reason, now)
    })
    .await
}

/// Reopens a replied or invalid message.
#[utoipa::path(post, path = "/api/v1/messages/{id}/reopen", request_body = OptionalReasonForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope)))]
pub async fn reopen(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: super::OptionalJson<OptionalReasonForm>,
) -> Result<HttpResponse, AppError> {
    let reason = form
        .0
        .and_then(|f| f.reason)
        .filter(|r| !r.trim().is_empty())
        .map(|r| msgs::parse_reason(&r))
        .transpose()?
        .unwrap_or_else(|| "重新办理".to_string());
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.reopen(conn, w, id, reason, now)
    })
    .await
}
