//! Logging in and out (argon2 passwords, throttled failures, a fresh session and CSRF token at every login) and changing one's own password.

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::{self, Role};
use crate::directory;
use crate::error::AppError;

use super::error::safe_next;
use super::session::{self, SessionData};
use super::WebState;
use super::{redirect, render, render_status, CurrentUser, Layout, Posted, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/account/password", web::get().to(password_page))
        .route("/account/password", web::post().to(change_password));
}

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Where each role starts after logging in.
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Supervisor => "/dashboard",
        Role::Leader => "/overview",
        Role::Admin => "/admin",
        Role::Clerk | Role::Intake | Role::Metrics => "/",
    }
}

/// The anonymous session of the login form (reusing the request's if valid), and whether it is new.
fn anonymous_session(req: &HttpRequest, state: &AppState, pages: &WebState) -> (SessionData, bool) {
    match session::read(req, pages, state.clock.now().timestamp()) {
        Some(s) => (s, false),
        None => (
            SessionData {
                staff_id: None,
                issued_at: state.clock.now().timestamp(),
                csrf: session::random_token(),
                password: "-".into(),
            },
            true,
        ),
    }
}

fn login_form(
    state: &AppState,
    csrf: String,
    next: &str,
    email: String,
    error: Option<String>,
) -> LoginPage {
    let mut layout = Layout::anonymous("登录");
    layout.office = state.settings.office.name.clone();
    layout.csrf = csrf;
    LoginPage {
        layout,
        next: safe_next(next).to_string(),
        email,
        error,
    }
}

/// The login form.
pub async fn login_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<WebState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    let (session, new) = anonymous_session(&req, &state, &pages);
    let next = query.next.clone().unwrap_or_else(|| "/".into());
    let page = login_form(&state, session.csrf.clone(), &next, String::new(), None);
    let mut resp = render(&page)?;
    if new {
        resp.add_cookie(&session::cookie(&pages, &session))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    }
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Checks the password; on success starts a new session (new CSRF token) and goes on to `next` or the role's home page.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<WebState>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let Some(anon) = session::read(&req, &pages, state.clock.now().timestamp()) else {
        return Err(WebError::Csrf);
    };
    session::check_csrf(&body, &anon.csrf)?;
    let form: LoginForm = session::parse_form(&body)?;
    let addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let email = form.email.trim().to_string();
    let next = form.next.clone().unwrap_or_else(|| "/".into());

    let wait = pages.throttle.wait(&email, &addr, Instant::now());
    if !wait.is_zero() {
        let secs = wait.as_secs().max(1);
        let page = login_form(
            &state,
            anon.csrf,
            &next,
            email,
            Some(format!(
                "登录失败次数过多，请{secs}秒后再试。如忘记密码，请联系系统管理员。"
            )),
        );
        let mut resp = render_status(StatusCode::TOO_MANY_REQUESTS, &page)?;
        resp.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(secs),
        );
        return Ok(resp);
    }

    let lookup = email.clone();
    let password = form.password;
    let staff = state
        .db
        .run(move |conn| {
            let staff = directory::find_staff_by_email(conn, &lookup)?;
            let ok = match staff.as_ref().and_then(|s| s.password_hash.as_deref()) {
                Some(hash) => auth::verify_password(&password, hash),
                None => {
                    // Same work for unknown emails, so timing does not reveal which exist.
                    auth::verify_password(&password, &DUMMY_HASH);
                    false
                }
            };
            Ok(staff.filter(|_| ok))
        })
        .await?;

    let Some(staff) = staff else {
        pages.throttle.failed(&email, &addr, Instant::now());
        tracing::info!(login.outcome = "failed", "web login failed");
        let page = login_form(
            &state,
            anon.csrf,
            &next,
            email,
            Some("邮箱或密码不正确。".into()),
        );
        return render_status(StatusCode::UNAUTHORIZED, &page);
    };
    pages.throttle.succeeded(&email);
    tracing::info!(staff.id = staff.id, login.outcome = "ok", "web login");
    let data = SessionData {
        staff_id: Some(staff.id),
        issued_at: state.clock.now().timestamp(),
        csrf: session::random_token(),
        password: session::password_fingerprint(
            staff.password_hash.as_deref(),
            staff.session_epoch,
        ),
    };
    let to = match form.next.as_deref().map(safe_next) {
        Some(n) if n != "/" => n.to_string(),
        _ => home_of(staff.role()).to_string(),
    };
    let mut resp = redirect(&to);
    resp.add_cookie(&session::cookie(&pages, &data))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(resp)
}

/// A real argon2 hash, verified against when the email is unknown.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| auth::hash_password(&session::random_token()).unwrap_or_default());

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// Ends the session on the server, not only in the browser: a copy of the cookie is refused
/// afterwards. The user's sessions end together (one epoch per user), on every device.
pub async fn logout(
    state: web::Data<AppState>,
    pages: web::Data<WebState>,
    posted: Posted<Empty>,
) -> Result<HttpResponse, WebError> {
    let id = posted.user.staff.id;
    state
        .db
        .write(move |conn| directory::end_sessions(conn, id))
        .await?;
    let mut resp = redirect("/login");
    resp.add_cookie(&session::removal_cookie(&pages))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(resp)
}

#[derive(Template)]
#[template(path = "web/password.html")]
struct PasswordPage {
    layout: Layout,
    error: Option<String>,
    done: bool,
    min_chars: usize,
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The form to change one's own password.
pub async fn password_page(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, WebError> {
    render(&PasswordPage {
        layout: Layout::for_user(&state, &user, "修改密码", "account").await?,
        error: None,
        done: query.done.is_some(),
        min_chars: auth::MIN_PASSWORD_CHARS,
    })
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

/// Changes the password (the current one is required); other sessions of the user end, this one is renewed.
pub async fn change_password(
    state: web::Data<AppState>,
    pages: web::Data<WebState>,
    posted: Posted<PasswordForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let (stored, current) = (user.staff.password_hash.clone(), form.current.clone());
    let current_ok = web::block(move || {
        stored
            .as_deref()
            .is_some_and(|h| auth::verify_password(&current, h))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("password check: {e}")))?;
    let problem = if !current_ok {
        Some("当前密码不正确。")
    } else if !auth::password_long_enough(&form.new) {
        Some("新密码太短。")
    } else if form.new != form.repeat {
        Some("两次输入的新密码不一致。")
    } else if form.new == form.current {
        Some("新密码不能与当前密码相同。")
    } else {
        None
    };
    if let Some(problem) = problem {
        let page = PasswordPage {
            layout: Layout::for_user(&state, &user, "修改密码", "account").await?,
            error: Some(problem.to_string()),
            done: false,
            min_chars: auth::MIN_PASSWORD_CHARS,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let new = form.new.clone();
    let hash = web::block(move || auth::hash_password(&new))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing: {e}")))??;
    let id = user.staff.id;
    let stored = hash.clone();
    state
        .db
        .write(move |conn| directory::set_password(conn, id, &stored))
        .await?;
    tracing::info!(staff.id = id, "password changed on the web");
    let data = SessionData {
        staff_id: Some(id),
        issued_at: state.clock.now().timestamp(),
        csrf: session::random_token(),
        password: session::password_fingerprint(Some(&hash), user.staff.session_epoch),
    };
    let mut resp = redirect("/account/password?done=1");
    resp.add_cookie(&session::cookie(&pages, &data))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cookie: {e}")))?;
    Ok(resp)
}
