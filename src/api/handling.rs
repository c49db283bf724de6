//! Endpoints for the handling rules: extension and pause requests and decisions, returns and reassignment, verdicts, review of replies.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::messages::{act, MessageView};
use crate::api::messages::{ExtensionRequestView, PauseRequestView};
use crate::api::AppState;
use crate::auth::Principal;
use crate::directory::DepartmentCode;
use crate::error::{AppError, ErrorEnvelope};
use crate::messages::handling::Finding;
use crate::messages::{self as msgs, Verdict};
use crate::sla::WorkingDays;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/messages/{id}/extension-requests",
        web::post().to(request_extension),
    )
    .route(
        "/messages/{id}/extension-requests/{request}/approve",
        web::post().to(approve_extension),
    )
    .route(
        "/messages/{id}/extension-requests/{request}/refuse",
        web::post().to(refuse_extension),
    )
    .route(
        "/messages/{id}/pause-requests",
        web::post().to(request_pause),
    )
    .route(
        "/messages/{id}/pause-requests/{request}/approve",
        web::post().to(approve_pause),
    )
    .route(
        "/messages/{id}/pause-requests/{request}/refuse",
        web::post().to(refuse_pause),
    )
    .route("/messages/{id}/return", web::post().to(return_to_office))
    .route("/messages/{id}/reassign", web::post().to(reassign))
    .route("/messages/{id}/verdict", web::post().to(verdict))
    .route("/messages/{id}/review", web::post().to(review));
}

/// Asks to stop the clock while the citizen is asked for more (`[handling] pause =
/// "with_approval"`, the department's clerks); a supervisor decides.
#[utoipa::path(post, path = "/api/v1/messages/{id}/pause-requests", request_body = super::messages::ReasonForm, security(("bearer" = [])),
    responses((status = 201, body = PauseRequestView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "the pause policy has no requests, or one is waiting")))]
pub async fn request_pause(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<super::messages::ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let reason = msgs::parse_reason(&form.reason)?;
    let now = state.clock.now();
    let (st, id) = (state.clone(), id.into_inner());
    let request = state
        .db
        .write(move |conn| st.workflow.request_pause(conn, &who, id, reason, now))
        .await?;
    Ok(HttpResponse::Created().json(PauseRequestView::render(request, &state.workflow.timeline)))
}

async fn decide_pause(
    state: web::Data<AppState>,
    who: Principal,
    (id, request): (i64, i64),
    approve: bool,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let reason = decision_reason(reason, approve, "say why the pause is refused")?;
    act(state, who, move |st, w, conn, now| {
        st.workflow
            .decide_pause(conn, w, id, request, approve, reason, now)
    })
    .await
}

/// Approves a pending pause request: the message is paused from now (supervisor of the
/// department, or admin).
#[utoipa::path(post, path = "/api/v1/messages/{id}/pause-requests/{request}/approve", request_body = DecisionForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn approve_pause(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(i64, i64)>,
    form: super::OptionalJson<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let reason = form.0.and_then(|f| f.reason);
    decide_pause(state, who, path.into_inner(), true, reason).await
}

/// Refuses a pending pause request, with a reason.
#[utoipa::path(post, path = "/api/v1/messages/{id}/pause-requests/{request}/refuse", request_body = DecisionForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn refuse_pause(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(i64, i64)>,
    form: web::Json<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    decide_pause(
        state,
        who,
        path.into_inner(),
        false,
        form.into_inner().reason,
    )
    .await
}

/// A decision's reason, trimmed; required when refusing.
fn decision_reason(
    reason: Option<String>,
    approve: bool,
    missing: &str,
) -> Result<Option<String>, AppError> {
    let reason = reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| msgs::parse_reason(&r))
        .transpose()?;
    if !approve && reason.is_none() {
        return Err(AppError::invalid("reason", missing.to_string()));
    }
    Ok(reason)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequestForm {
    #[serde(deserialize_with = "crate::api::whole_number")]
    pub working_days: i64,
    pub reason: String,
}

/// Asks for an extension (before the deadline, within the cap); a supervisor decides.
#[utoipa::path(post, path = "/api/v1/messages/{id}/extension-requests", request_body = ExtensionRequestForm, security(("bearer" = [])),
    responses((status = 201, body = ExtensionRequestView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "after the deadline or past the total cap from receipt")))]
pub async fn request_extension(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ExtensionRequestForm>,
) -> Result<HttpResponse, AppError> {
    let days = WorkingDays::try_from(form.working_days)
        .map_err(|e| AppError::invalid("working_days", e))?;
    let reason = msgs::parse_reason(&form.reason)?;
    let now = state.clock.now();
    let (st, id) = (state.clone(), id.into_inner());
    let request = state
        .db
        .write(move |conn| {
            st.workflow
                .request_extension(conn, &who, id, days, reason, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(ExtensionRequestView::render(
        request,
        &state.workflow.timeline,
    )))
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionForm {
    pub reason: Option<String>,
}

async fn decide(
    state: web::Data<AppState>,
    who: Principal,
    path: (i64, i64),
    approve: bool,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let reason = decision_reason(reason, approve, "say why the extension is refused")?;
    let (id, request) = path;
    act(state, who, move |st, w, conn, now| {
        st.workflow
            .decide_extension(conn, w, id, request, approve, reason, now)
    })
    .await
}

/// Approves a pending extension request: the approver `[handling] extension_approver` names (by
/// default the office: a supervisor of `office_department`), or an admin; anyone else gets 403
/// naming the rule. The deadline moves and the citizen is told.
#[utoipa::path(post, path = "/api/v1/messages/{id}/extension-requests/{request}/approve", request_body = DecisionForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope, description = "not the approver the setting names"), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "past the total cap from receipt")))]
pub async fn approve_extension(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(i64, i64)>,
    form: super::OptionalJson<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let reason = form.0.and_then(|f| f.reason);
    decide(state, who, path.into_inner(), true, reason).await
}

/// Refuses a pending extension request, with a reason.
#[utoipa::path(post, path = "/api/v1/messages/{id}/extension-requests/{request}/refuse", request_body = DecisionForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn refuse_extension(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(i64, i64)>,
    form: web::Json<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    decide(
        state,
        who,
        path.into_inner(),
        false,
        form.into_inner().reason,
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnForm {
    pub reason: String,
}

/// Returns a misrouted message to the office (within the configured working days, or recorded as late).
#[utoipa::path(post, path = "/api/v1/messages/{id}/return", request_body = ReturnForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope)))]
pub async fn return_to_office(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ReturnForm>,
) -> Result<HttpResponse, AppError> {
    let reason = msgs::parse_reason(&form.reason)?;
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.return_to_office(conn, w, id, reason, now)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignForm {
    pub department: String,
    pub reason: String,
    /// Grant a fresh deadline counted from now (default: keep the original).
    #[serde(default)]
    pub fresh_deadline: bool,
}

/// The office assigns a returned message to another department.
#[utoipa::path(post, path = "/api/v1/messages/{id}/reassign", request_body = ReassignForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn reassign(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ReassignForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let to =
        DepartmentCode::parse(&form.department).map_err(|e| AppError::invalid("department", e))?;
    let reason = msgs::parse_reason(&form.reason)?;
    let (id, fresh) = (id.into_inner(), form.fresh_deadline);
    act(state, who, move |st, w, conn, now| {
        st.workflow.reassign(conn, w, id, &to, reason, fresh, now)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictForm {
    /// `confirmed` (属实) or `rejected` (不属实).
    pub verdict: Verdict,
    /// What was fixed (属实) or why it is not an error (不属实).
    pub note: String,
    /// When it was fixed (属实; default now), RFC 3339.
    pub fixed_at: Option<String>,
}

/// Records 属实 / 不属实 on a website error report.
#[utoipa::path(post, path = "/api/v1/messages/{id}/verdict", request_body = VerdictForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 409, body = ErrorEnvelope, description = "not a 找错 message in a state that takes a verdict"), (status = 422, body = ErrorEnvelope)))]
pub async fn verdict(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<VerdictForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let note = msgs::parse_reason(&form.note)
        .map_err(|_| AppError::invalid("note", "say what was fixed, or why it is not an error"))?;
    let fixed_at: Option<DateTime<Utc>> = form
        .fixed_at
        .map(|s| msgs::parse_time("fixed_at", &s))
        .transpose()?;
    let finding = Finding {
        verdict: form.verdict,
        note,
        fixed_at,
    };
    let id = id.into_inner();
    act(state, who, move |st, w, conn, now| {
        st.workflow.record_verdict(conn, w, id, finding, now)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewForm {
    pub accept: bool,
    /// Required when rejecting.
    pub reason: Option<String>,
}

/// Accepts the reply waiting for review (it becomes final) or rejects it (the message reopens, deadline unchanged).
#[utoipa::path(post, path = "/api/v1/messages/{id}/review", request_body = ReviewForm, security(("bearer" = [])),
    responses((status = 200, body = MessageView), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub async fn review(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<i64>,
    form: web::Json<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, accept, reason) = (id.into_inner(), form.accept, form.reason);
    act(state, who, move |st, w, conn, now| {
        st.workflow.review(conn, w, id, accept, reason, now)
    })
    .await
}
