//! Admin pages: the hub, departments, the SLA policy and escalation ladder in force. Staff
//! (`users`), API tokens (`tokens`), the calendar (`calendar`) and the undeliverable alerts
//! (`alerts`) have modules of their own;
//! what they share is in `forms`.

use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::Role;
use crate::directory::{self, DepartmentCode};
use crate::error::AppError;

use super::inbox::Choice;
use super::{redirect, render, render_status, CurrentUser, Layout, Posted, WebError};

pub mod alerts;
pub mod calendar;
pub mod forms;
pub mod rules;
pub mod tokens;
pub mod users;

use forms::refusal_zh;
pub use forms::require_admin;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(index))
        .route("/admin/departments", web::get().to(departments))
        .route("/admin/departments", web::post().to(add_department))
        .configure(users::routes)
        .route("/admin/tokens", web::get().to(tokens::tokens))
        .route("/admin/tokens", web::post().to(tokens::create_token))
        .route(
            "/admin/tokens/{id}/revoke",
            web::post().to(tokens::revoke_token),
        )
        .route("/admin/policy", web::get().to(policy))
        .route("/admin/alerts", web::get().to(alerts::undeliverable))
        .route("/admin/calendar", web::get().to(calendar::calendar))
        .route("/admin/calendar/reload", web::post().to(calendar::reload));
}

#[derive(Template)]
#[template(path = "web/admin_index.html")]
struct IndexPage {
    layout: Layout,
}

/// The admin hub.
pub async fn index(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    render(&IndexPage {
        layout: Layout::for_user(&state, &user, "系统管理", "admin").await?,
    })
}

#[derive(Template)]
#[template(path = "web/admin_departments.html")]
struct DepartmentsPage {
    layout: Layout,
    departments: Vec<(String, String, String)>,
    parents: Vec<Choice>,
    error: Option<String>,
}

async fn departments_page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
) -> Result<DepartmentsPage, WebError> {
    let list = state.db.run(directory::list_departments).await?;
    let name_of = |code: &str| {
        list.iter()
            .find(|d| d.code == code)
            .map_or(code.to_string(), |d| d.name.clone())
    };
    Ok(DepartmentsPage {
        layout: Layout::for_user(state, user, "部门管理", "admin").await?,
        departments: list
            .iter()
            .map(|d| {
                (
                    d.code.clone(),
                    d.name.clone(),
                    d.parent_code.as_deref().map(name_of).unwrap_or_default(),
                )
            })
            .collect(),
        parents: list
            .iter()
            .map(|d| Choice {
                value: d.code.clone(),
                label: d.name.clone(),
                selected: false,
            })
            .collect(),
        error,
    })
}

/// The departments and the form to add one.
pub async fn departments(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    render(&departments_page(&state, &user, None).await?)
}

#[derive(Debug, Deserialize)]
pub struct DepartmentForm {
    code: String,
    name: String,
    parent: Option<String>,
}

/// Adds a department.
pub async fn add_department(
    state: web::Data<AppState>,
    posted: Posted<DepartmentForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    require_admin(&user)?;
    let now = state.clock.now().timestamp();
    let result = async {
        let code = DepartmentCode::parse(&form.code).map_err(|e| AppError::invalid("code", e))?;
        let parent = form
            .parent
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| DepartmentCode::parse(p).map_err(|e| AppError::invalid("department", e)))
            .transpose()?;
        let name = form.name.clone();
        state
            .db
            .write(move |conn| directory::add_department(conn, &code, &name, parent.as_ref(), now))
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(redirect("/admin/departments")),
        Err(e) => match refusal_zh(&e) {
            Some(text) => render_status(
                e.status_code(),
                &departments_page(&state, &user, Some(text)).await?,
            ),
            None => Err(e.into()),
        },
    }
}

/// One rule of the SLA policy.
#[derive(Debug, Clone)]
pub struct PolicyLine {
    pub channel: &'static str,
    pub category: &'static str,
    pub days: u32,
    pub explanation: String,
    /// The cap on the whole handling time from receipt, and its source.
    pub total_days: u32,
    pub total_source: String,
}

/// One level of the escalation ladder, in words.
#[derive(Debug, Clone)]
pub struct LadderLine {
    pub level: &'static str,
    pub when: String,
    pub to: String,
    pub cc: String,
}

fn roles_zh(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.label_zh()).collect();
    if names.is_empty() {
        "—".into()
    } else {
        names.join("、")
    }
}

fn ladder_lines(ladder: &crate::escalation::Ladder) -> Vec<LadderLine> {
    use crate::escalation::ladder::When;
    ladder
        .rungs
        .iter()
        .map(|r| LadderLine {
            level: r.level.label_zh(),
            when: match r.when {
                When::BeforeDue { days, hour } => format!("到期前{days}个工作日 {hour:02}:00"),
                When::AfterDue {
                    days: 0,
                    hour: None,
                } => "超过办理期限时".to_string(),
                When::AfterDue { days, hour } => {
                    format!("逾期第{days}个工作日 {:02}:00", hour.unwrap_or(0))
                }
                When::Unanswered => format!(
                    "收到后超过{}个自然月未答复",
                    crate::messages::CRITICAL_AFTER_MONTHS
                ),
            },
            to: roles_zh(&r.to),
            cc: roles_zh(&r.cc),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "web/admin_policy.html")]
struct PolicyPage {
    layout: Layout,
    rules: Vec<PolicyLine>,
    handling: Vec<rules::RuleLine>,
    policy_file: String,
    timezone: String,
    ladder: Vec<LadderLine>,
    ladder_file: String,
}

/// The SLA policy in force (read-only: it is configured in `config/sla.toml`).
pub async fn policy(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    let rules = state
        .workflow
        .policy
        .entries()
        .into_iter()
        .map(|(channel, category, days, explanation)| {
            let cap = state.workflow.policy.total_cap(channel, category);
            PolicyLine {
                channel: channel.label_zh(),
                category: category.label_zh(),
                days: days.get(),
                explanation,
                total_days: cap.map_or(days.get(), |c| c.working_days.get()),
                total_source: cap.map(|c| c.source.clone()).unwrap_or_default(),
            }
        })
        .collect();
    render(&PolicyPage {
        layout: Layout::for_user(&state, &user, "办理时限", "admin").await?,
        rules,
        handling: rules::handling_rules(&state.workflow.rules),
        policy_file: state.settings.sla.policy.display().to_string(),
        timezone: state.settings.office.timezone.clone(),
        ladder: ladder_lines(&state.ladder),
        ladder_file: state.settings.escalation.ladder.display().to_string(),
    })
}
