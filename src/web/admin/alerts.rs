//! Admin page of the alerts nobody can receive (`undeliverable` in the outbox): which message,
//! which level, why (no active staff with the role), since when. They go out by themselves
//! at the next sweep once someone holds the role (系统管理 → 用户与角色).

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::api::AppState;
use crate::escalation::outbox::{self, status, OutboxFilter};
use crate::escalation::Level;
use crate::messages::model::utc;

use super::forms::require_admin;
use crate::web::{render, CurrentUser, Layout, WebError};

/// One alert held as undeliverable, as listed.
pub struct HeldLine {
    pub message_id: i64,
    pub level: &'static str,
    pub department: String,
    pub reason: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "web/admin_alerts.html")]
struct AlertsPage {
    layout: Layout,
    held: Vec<HeldLine>,
    total: i64,
}

/// The page: the newest 200 undeliverable alerts and how many there are.
pub async fn undeliverable(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    let filter = OutboxFilter {
        status: Some(status::UNDELIVERABLE.into()),
        ..Default::default()
    };
    let (rows, total) = state
        .db
        .run(move |conn| outbox::list(conn, &filter, 1, 200))
        .await?;
    let tl = &state.workflow.timeline;
    let held = rows
        .into_iter()
        .map(|r| HeldLine {
            message_id: r.message_id.unwrap_or_default(),
            level: r
                .level
                .as_deref()
                .and_then(Level::parse)
                .map_or("", |l| l.label_zh()),
            department: r.department_code.unwrap_or_default(),
            reason: r.last_error.unwrap_or_default(),
            since: tl.format_local(utc(r.created_at)),
        })
        .collect();
    render(&AlertsPage {
        layout: Layout::for_user(&state, &user, "无法送达的督办提醒", "admin").await?,
        held,
        total,
    })
}
