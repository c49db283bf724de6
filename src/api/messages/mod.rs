//! Message endpoints: create, import, list, show, and the workflow actions. Handlers parse, call the workflow, render.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::AppState;
use crate::auth::{Principal, RepeatAnswer, Role};
use crate::directory::DepartmentCode;
use crate::error::{AppError, ErrorEnvelope};
use crate::intake::ImportReport;
use crate::messages::events;
use crate::messages::handling;
use crate::messages::model::{self, MessageRow};
use crate::messages::{self as msgs, CreateOutcome, MessageForm};
use crate::sla::WorkingDays;

mod query;
mod view;

pub use query::ListQuery;
pub use view::{
    EventView, ExtensionRequestView, MessageDetail, MessagePage, MessageReceipt, MessageView,
    PauseRequestView, ReplyOutcome, ReplyView, SubmissionView,
};

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
#[utoipa::path(post, path = "/api/v1/messages/import", request_body(content = Option<String>, content_type = "application/x-ndjson", description = "JSON lines, one message per line; an empty body imports nothing"),
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
    let (row, history, (requests, pause_requests), submissions) = state
        .db
        .run(move |conn| {
            Ok((
                model::find(conn, id)?,
                events::history(conn, id)?,
                (
                    handling::extension_requests_of(conn, id)?,
                    handling::pause_requests_of(conn, id)?,
                ),
                handling::submissions_of(conn, id)?,
            ))
        })
        .await?;
    who.require_see_message(id, &row.department_code)?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(MessageDetail {
        message: MessageView::render(&row, &state, &who, now),
        events: view::render_events(&history, &state)?,
        extension_requests: requests
            .into_iter()
            .map(|r| ExtensionRequestView::render(r, &state.workflow.timeline))
            .collect(),
        pause_requests: pause_requests
            .into_iter()
            .map(|r| PauseRequestView::render(r, &state.workflow.timeline))
            .collect(),
        submissions: submissions
            .into_iter()
            .map(|s| SubmissionView::render(s, &state.workflow.timeline))
            .collect(),
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
    #[serde(deserialize_with = "crate::api::whole_number")]
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

/// Transfers to another department (转办); the deadline stays and the citizen is told. The
/// office's staff, leaders, admins and the roles of `[handling] direct_transfer_roles` (default:
/// supervisors) transfer; a clerk is refused with 403 and returns the message to the office.
#[utoipa::path(post, path = "/api/v1/messages/{id}/transfer", request_body = TransferForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope, description = "the role does not transfer directly (handling.direct_transfer_roles)"), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
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

/// Grants an extension of N working days directly: the approver `[handling] extension_approver`
/// names for that length (the office by default), or an admin; within the total cap from receipt.
#[utoipa::path(post, path = "/api/v1/messages/{id}/extend", request_body = ExtendForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "the message is not open (replied, invalid, paused)"), (status = 422, body = ErrorEnvelope)))]
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
