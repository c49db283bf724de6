//! Admin pages for API tokens: the list, creation (the token is shown once, only its hash is stored) and revocation.

use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::Role;
use crate::directory;

use super::forms::{
    department_choices, refusal_zh, require_admin, role_and_department, role_choices,
};
use crate::web::inbox::Choice;
use crate::web::{redirect, render, render_status, CurrentUser, Layout, Posted, WebError};

/// One API token as listed (never its value).
#[derive(Debug, Clone)]
pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub department: String,
    pub created: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "web/admin_tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenLine>,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    /// The token just created: shown on this answer only.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    user: &CurrentUser,
    created: Option<(String, String)>,
    error: Option<String>,
) -> Result<TokensPage, WebError> {
    let tokens = state.db.run(directory::list_tokens).await?;
    let (departments, list) = department_choices(state).await?;
    let names = crate::web::view::Names::new(&list, &[]);
    let tl = &state.workflow.timeline;
    Ok(TokensPage {
        layout: Layout::for_user(state, user, "接口令牌", "admin").await?,
        tokens: tokens
            .iter()
            .map(|t| TokenLine {
                id: t.id,
                name: t.name.clone(),
                role: t.role.parse::<Role>().map_or("?", |r| r.label_zh()),
                department: t
                    .department_code
                    .as_deref()
                    .map(|d| names.department(d))
                    .unwrap_or_default(),
                created: crate::web::view::local_time(tl, t.created_at),
                revoked: t.revoked_at.map(|r| crate::web::view::local_time(tl, r)),
            })
            .collect(),
        roles: role_choices(true),
        departments,
        created,
        error,
    })
}

/// API tokens and the form to create one.
pub async fn tokens(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    render(&tokens_page(&state, &user, None, None).await?)
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
    role: String,
    department: Option<String>,
}

/// Creates a token and shows it once (the answer is not cached; only its hash is stored).
pub async fn create_token(
    state: web::Data<AppState>,
    posted: Posted<TokenForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    require_admin(&user)?;
    let now = state.clock.now().timestamp();
    let result = async {
        let (role, department) = role_and_department(&form.role, form.department.as_deref())?;
        let name = form.name.clone();
        state
            .db
            .write(move |conn| directory::create_token(conn, &name, role, department.as_ref(), now))
            .await
    }
    .await;
    match result {
        Ok((_, plain)) => {
            tracing::info!(token.name = %form.name.trim(), "API token created on the web");
            let page = tokens_page(
                &state,
                &user,
                Some((form.name.trim().to_string(), plain)),
                None,
            )
            .await?;
            render(&page)
        }
        Err(e) => match refusal_zh(&e) {
            Some(text) => render_status(
                e.status_code(),
                &tokens_page(&state, &user, None, Some(text)).await?,
            ),
            None => Err(e.into()),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// Revokes a token.
pub async fn revoke_token(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, WebError> {
    require_admin(&posted.user)?;
    let id = id.into_inner();
    let now = state.clock.now().timestamp();
    state
        .db
        .write(move |conn| directory::revoke_token(conn, id, now))
        .await?;
    state.tokens.clear();
    tracing::info!(token.id = id, "API token revoked on the web");
    Ok(redirect("/admin/tokens"))
}
