//! `GET /api/v1/alerts`: the escalation outbox with each email's delivery status, for leaders and admins (all) and supervisors (their department).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::AppState;
use crate::auth::{Principal, Role};
use crate::error::{AppError, ErrorEnvelope};
use crate::escalation::outbox::{self, status, OutboxFilter, OutboxRow};
use crate::messages::model::utc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/alerts", web::get().to(list));
}

/// One outbox email as the API shows it (never the body, which may quote the message).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    /// alert, digest or report.
    pub kind: String,
    /// reminder, overdue, severe or critical (alerts only).
    pub level: Option<String>,
    pub message_id: Option<i64>,
    pub department: Option<String>,
    pub recipient: String,
    pub cc: Vec<String>,
    pub subject: String,
    /// pending, sending, sent, failed, held (waiting for the digest), digested or cancelled.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// The digest that carried this alert.
    pub digest_id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AlertPage {
    pub items: Vec<AlertView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    /// pending, sending, sent, failed, held, digested or cancelled.
    pub status: Option<String>,
    pub message_id: Option<i64>,
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// Items per page, 1 to 500 (default 50).
    pub per_page: Option<i64>,
}

impl AlertView {
    fn render(row: OutboxRow, state: &AppState) -> AlertView {
        let tl = &state.workflow.timeline;
        let cc = row.cc();
        AlertView {
            id: row.id,
            kind: row.kind,
            level: row.level,
            message_id: row.message_id,
            department: row.department_code,
            recipient: row.recipient_email,
            cc,
            // Rendered masked since issue 14; older rows are masked again on the way out.
            subject: crate::privacy::mask_text(&row.subject),
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.map(|t| tl.format_local(utc(t))),
            created_at: tl.format_local(utc(row.created_at)),
            sent_at: row.sent_at.map(|t| tl.format_local(utc(t))),
            digest_id: row.digest_id,
        }
    }
}

/// Lists the outbox, newest first. Leaders and admins see every email; supervisors those about their department.
#[utoipa::path(get, path = "/api/v1/alerts", params(AlertQuery), security(("bearer" = [])),
    responses((status = 200, body = AlertPage), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
    query: web::Query<AlertQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_role(
        &[Role::Supervisor, Role::Leader, Role::Admin],
        "listing alerts",
    )?;
    let q = query.into_inner();
    if let Some(s) = &q.status {
        if !status::ALL.contains(&s.as_str()) {
            return Err(AppError::invalid(
                "status",
                format!(
                    "unknown status '{s}': expected one of {}",
                    status::ALL.join(", ")
                ),
            ));
        }
    }
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=500).contains(&per_page) {
        return Err(AppError::invalid(
            "per_page",
            "per_page must be between 1 and 500",
        ));
    }
    let page = crate::messages::check_page(q.page.unwrap_or(1), per_page)?;
    let department = match who.scope() {
        Some(d) => Some(d.as_str().to_string()),
        None if who.sees_all() => None,
        None => {
            return Err(AppError::Forbidden(
                "a supervisor token needs a department".into(),
            ))
        }
    };
    let filter = OutboxFilter {
        status: q.status,
        department,
        message_id: q.message_id,
    };
    let (rows, total) = state
        .db
        .run(move |conn| outbox::list(conn, &filter, page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(AlertPage {
        items: rows
            .into_iter()
            .map(|r| AlertView::render(r, &state))
            .collect(),
        page,
        per_page,
        total,
    }))
}
