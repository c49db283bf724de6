//! Admin pages: the hub, departments, the SLA policy and escalation ladder in force, and what the staff and token pages share (role and department choices, refusals in Chinese). Staff (`admin_users`), API tokens (`admin_tokens`) and the calendar (`calendar_page`) have modules of their own.

use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::Role;
use crate::directory::{self, DepartmentCode};
use crate::error::AppError;

use super::inbox::Choice;
use super::{redirect, render, render_status, CurrentUser, Layout, Posted, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(index))
        .route("/admin/departments", web::get().to(departments))
        .route("/admin/departments", web::post().to(add_department))
        .configure(super::admin_users::routes)
        .route("/admin/tokens", web::get().to(super::admin_tokens::tokens))
        .route(
            "/admin/tokens",
            web::post().to(super::admin_tokens::create_token),
        )
        .route(
            "/admin/tokens/{id}/revoke",
            web::post().to(super::admin_tokens::revoke_token),
        )
        .route("/admin/policy", web::get().to(policy))
        .route(
            "/admin/calendar",
            web::get().to(super::calendar_page::calendar),
        )
        .route(
            "/admin/calendar/reload",
            web::post().to(super::calendar_page::reload),
        );
}

/// Admin pages are for admins only.
pub fn require_admin(user: &CurrentUser) -> Result<(), WebError> {
    Ok(user
        .principal
        .require_role(&[Role::Admin], "administration")?)
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

pub(super) fn refusal_zh(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { field, .. } => Some(
            match field.as_deref() {
                Some("code") => "部门代码只能包含字母、数字、“-”和“_”，1至32个字符。",
                Some("name") => "请填写名称。",
                Some("email") => "请填写有效的电子邮箱。",
                Some("department") => "所选部门不存在，或该角色与部门不匹配（承办人、科室负责人须属于部门，管理员不属于部门）。",
                Some("role") => "请选择角色。",
                Some("password") => "初始密码至少10个字符。",
                Some("staff") => "不能停用自己的账号，也不能取消自己的管理员角色：请由另一位管理员操作。",
                _ => "填写的内容有误，请检查后重新提交。",
            }
            .to_string(),
        ),
        AppError::Conflict(_) => Some("已存在相同的记录（部门代码或邮箱重复）。".into()),
        _ => None,
    }
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

pub(super) fn role_choices(include_intake: bool) -> Vec<Choice> {
    Role::ALL
        .into_iter()
        .filter(|r| include_intake || *r != Role::Intake)
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label_zh().into(),
            selected: r == Role::Clerk,
        })
        .collect()
}

pub(super) async fn department_choices(
    state: &AppState,
) -> Result<(Vec<Choice>, Vec<directory::Department>), WebError> {
    let list = state.db.run(directory::list_departments).await?;
    let choices = list
        .iter()
        .map(|d| Choice {
            value: d.code.clone(),
            label: d.name.clone(),
            selected: false,
        })
        .collect();
    Ok((choices, list))
}

/// The role and optional department of an admin form (users and tokens), checked.
pub(super) fn role_and_department(
    role: &str,
    department: Option<&str>,
) -> Result<(Role, Option<DepartmentCode>), AppError> {
    let role: Role = role
        .parse()
        .map_err(|e: String| AppError::invalid("role", e))?;
    let department = department
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| DepartmentCode::parse(d).map_err(|e| AppError::invalid("department", e)))
        .transpose()?;
    Ok((role, department))
}

/// One rule of the SLA policy.
#[derive(Debug, Clone)]
pub struct PolicyLine {
    pub channel: &'static str,
    pub category: &'static str,
    pub days: u32,
    pub explanation: String,
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
        .map(|(channel, category, days, explanation)| PolicyLine {
            channel: channel.label_zh(),
            category: category.label_zh(),
            days: days.get(),
            explanation,
        })
        .collect();
    render(&PolicyPage {
        layout: Layout::for_user(&state, &user, "办理时限", "admin").await?,
        rules,
        policy_file: state.settings.sla.policy.display().to_string(),
        timezone: state.settings.office.timezone.clone(),
        ladder: ladder_lines(&state.ladder),
        ladder_file: state.settings.escalation.ladder.display().to_string(),
    })
}
