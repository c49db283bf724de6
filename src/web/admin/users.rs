//! Admin pages for staff: the list, adding a member with an initial password, and one member's page where an admin changes their role and department or deactivates and reactivates them (through [`directory::change_staff`]).

use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth;
use crate::directory::{self, StaffChange, StaffInput};
use crate::error::AppError;

use super::forms::{
    department_choices, refusal_zh, require_admin, role_and_department, role_choices,
};
use crate::web::inbox::Choice;
use crate::web::{redirect, render, render_status, CurrentUser, Layout, Posted, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(users))
        .route("/admin/users", web::post().to(add_user))
        .route("/admin/users/{id}", web::get().to(user_page))
        .route("/admin/users/{id}/role", web::post().to(change_role))
        .route("/admin/users/{id}/deactivate", web::post().to(deactivate))
        .route("/admin/users/{id}/reactivate", web::post().to(reactivate));
}

/// One member of staff as listed.
#[derive(Debug, Clone)]
pub struct StaffLine {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub department: String,
    pub active: bool,
    pub can_login: bool,
}

#[derive(Template)]
#[template(path = "web/admin_users.html")]
struct UsersPage {
    layout: Layout,
    staff: Vec<StaffLine>,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
) -> Result<UsersPage, WebError> {
    let staff = state.db.run(directory::list_staff).await?;
    let (departments, list) = department_choices(state).await?;
    let names = crate::web::view::Names::new(&list, &[]);
    Ok(UsersPage {
        layout: Layout::for_user(state, user, "用户与角色", "admin").await?,
        staff: staff
            .iter()
            .map(|s| StaffLine {
                id: s.id,
                name: s.name.clone(),
                email: s.email.clone(),
                role: s.role().label_zh(),
                department: s
                    .department_code
                    .as_deref()
                    .map(|d| names.department(d))
                    .unwrap_or_default(),
                active: s.active,
                can_login: s.password_hash.is_some(),
            })
            .collect(),
        roles: role_choices(false),
        departments,
        error,
    })
}

/// Staff and the form to add a member.
pub async fn users(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    render(&users_page(&state, &user, None).await?)
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    name: String,
    email: String,
    role: String,
    department: Option<String>,
    password: String,
}

/// Adds a member of staff with an initial password (they change it after logging in).
pub async fn add_user(
    state: web::Data<AppState>,
    posted: Posted<UserForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    require_admin(&user)?;
    let now = state.clock.now().timestamp();
    let result = async {
        let (role, department) = role_and_department(&form.role, form.department.as_deref())?;
        if !auth::password_long_enough(&form.password) {
            return Err(AppError::invalid("password", "too short"));
        }
        let password = form.password.clone();
        let hash = web::block(move || auth::hash_password(&password))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing: {e}")))??;
        let (name, email) = (form.name.clone(), form.email.clone());
        state
            .db
            .write(move |conn| {
                directory::add_staff(
                    conn,
                    StaffInput {
                        name: &name,
                        email: &email,
                        role,
                        department: department.as_ref(),
                        password_hash: Some(&hash),
                    },
                    now,
                )
            })
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(redirect("/admin/users")),
        Err(e) => match refusal_zh(&e) {
            Some(text) => render_status(
                e.status_code(),
                &users_page(&state, &user, Some(text)).await?,
            ),
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "web/admin_user.html")]
struct UserPage {
    layout: Layout,
    line: StaffLine,
    /// The admin's own account: they may neither deactivate it nor change its role.
    own: bool,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    notice: Option<&'static str>,
    error: Option<String>,
}

/// The notice shown after a change, by its code in the address.
fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "role" => "角色和部门已更新，该用户此后打开的页面即按新角色办理。",
        "deactivated" => "账号已停用：该用户不能再登录，已登录的页面随即失效，也不再接收督办提醒。",
        "reactivated" => "账号已重新启用，该用户可以用原密码登录。",
        _ => return None,
    })
}

async fn member_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<UserPage, WebError> {
    let member = state
        .db
        .run(move |conn| directory::find_staff(conn, id))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no member of staff {id}")))?;
    let (mut departments, list) = department_choices(state).await?;
    for d in &mut departments {
        d.selected = member.department_code.as_deref() == Some(d.value.as_str());
    }
    let role = member.role();
    let roles = role_choices(false)
        .into_iter()
        .map(|c| Choice {
            selected: c.value == role.as_str(),
            ..c
        })
        .collect();
    let names = crate::web::view::Names::new(&list, &[]);
    let title = format!("用户：{}", member.name);
    Ok(UserPage {
        layout: Layout::for_user(state, user, &title, "admin").await?,
        own: user.staff.id == member.id,
        line: StaffLine {
            id: member.id,
            name: member.name.clone(),
            email: member.email.clone(),
            role: role.label_zh(),
            department: member
                .department_code
                .as_deref()
                .map(|d| names.department(d))
                .unwrap_or_default(),
            active: member.active,
            can_login: member.password_hash.is_some(),
        },
        roles,
        departments,
        notice,
        error,
    })
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// One member of staff, with the forms to change their role and department and to deactivate or reactivate them.
pub async fn user_page(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    let notice = query.done.as_deref().and_then(notice);
    render(&member_page(&state, &user, id.into_inner(), notice, None).await?)
}

/// Applies one change through the directory; back to the member's page with a notice, or with the refusal.
async fn apply(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: i64,
    change: Result<StaffChange, AppError>,
    done: &'static str,
) -> Result<HttpResponse, WebError> {
    let result = match change {
        Ok(change) => {
            let by = user.principal.clone();
            state
                .db
                .write(move |conn| directory::change_staff(conn, &by, id, &change))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            tracing::info!(
                staff.id = id,
                staff.change = done,
                "staff changed on the web"
            );
            Ok(redirect(&format!("/admin/users/{id}?done={done}")))
        }
        Err(e) => match refusal_zh(&e) {
            Some(text) => render_status(
                e.status_code(),
                &member_page(&state, &user, id, None, Some(text)).await?,
            ),
            None => Err(e.into()),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    role: String,
    department: Option<String>,
}

/// Gives the member a new role and department.
pub async fn change_role(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<RoleForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    require_admin(&user)?;
    let change = role_and_department(&form.role, form.department.as_deref())
        .map(|(role, department)| StaffChange::Role { role, department });
    apply(state, user, id.into_inner(), change, "role").await
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// Deactivates the member: no more logins, sessions or alerts.
pub async fn deactivate(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, WebError> {
    require_admin(&posted.user)?;
    let change = Ok(StaffChange::Deactivate);
    apply(state, posted.user, id.into_inner(), change, "deactivated").await
}

/// Lets a deactivated member log in again.
pub async fn reactivate(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, WebError> {
    require_admin(&posted.user)?;
    let change = Ok(StaffChange::Reactivate);
    apply(state, posted.user, id.into_inner(), change, "reactivated").await
}
