//! The server-rendered web pages in Simplified Chinese: login, the clerk's inbox, the message page with its forms, the supervisor's dashboard, the leader's overview, the inspection self-check and the admin pages. Templates (askama, auto-escaped) live in `templates/web/`, the stylesheet is compiled into the binary, and nothing is loaded from elsewhere.
//!
//! Permissions are the API's: every page takes the [`session::CurrentUser`] whose
//! principal comes from the staff row, and calls the same `Principal` checks and
//! `Workflow` methods as the JSON handlers.

pub mod admin;
pub mod dashboard;
pub mod error;
pub mod figures;
pub mod inbox;
pub mod inspection_page;
pub mod login;
pub mod message;
pub mod message_page;
pub mod refusal;
pub mod session;
pub mod throttle;
pub mod view;

use std::sync::LazyLock;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use sha2::{Digest, Sha256};

use crate::api::AppState;
use crate::auth::Role;
use crate::config::WebSettings;
use crate::error::AppError;

pub use error::WebError;
pub use session::{CurrentUser, Posted};

/// What the pages need beside the database: the session key and the login throttle.
pub struct WebState {
    pub key: Vec<u8>,
    pub session_secs: i64,
    pub secure_cookies: bool,
    pub throttle: throttle::Throttle,
    /// No key was configured: logins end at restart (the server warns when it starts).
    pub random_key: bool,
}

impl WebState {
    /// The configured key, or a random one when none is set.
    pub fn from_settings(settings: &WebSettings) -> WebState {
        let configured = settings.session_key.expose();
        let key = if configured.is_empty() {
            let mut k = vec![0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut k);
            k
        } else {
            configured.as_bytes().to_vec()
        };
        WebState {
            key,
            session_secs: i64::from(settings.session_hours) * 3600,
            secure_cookies: settings.secure_cookies,
            throttle: Default::default(),
            random_key: configured.is_empty(),
        }
    }

    /// Says at start-up what a missing session key means.
    pub fn warn_if_random_key(&self) {
        if self.random_key {
            tracing::warn!(
                "web.session_key is empty: using a random key, so web logins end when the service restarts \
                 (several instances behind one address need the same configured key)"
            );
        }
    }
}

const CSS: &str = include_str!("../../static/app.css");
const FAVICON: &str = include_str!("../../static/favicon.svg");

/// Changes whenever the stylesheet does, so it can be cached for long.
static ASSET_VERSION: LazyLock<String> =
    LazyLock::new(|| hex::encode(&Sha256::digest(CSS.as_bytes())[..6]));

/// Largest form body: a 20,000-character reply, percent-encoded, with room to spare.
pub const MAX_FORM_BYTES: usize = 1 << 20;

/// Registers the pages at `/` (after the API, which keeps `/api/v1`, `/healthz` and `/openapi.json`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .app_data(web::PayloadConfig::new(MAX_FORM_BYTES))
            .app_data(
                web::PathConfig::default().error_handler(|_, _| {
                    WebError::App(AppError::NotFound("no page".into())).into()
                }),
            )
            .app_data(web::QueryConfig::default().error_handler(|_, _| {
                WebError::App(AppError::bad_request(None, "invalid query")).into()
            }))
            .route("/static/app.css", web::get().to(stylesheet))
            .route("/static/favicon.svg", web::get().to(favicon))
            .route("/favicon.ico", web::get().to(favicon))
            .configure(login::routes)
            .configure(inbox::routes)
            .configure(message::routes)
            .configure(dashboard::routes)
            .configure(inspection_page::routes)
            .configure(admin::routes)
            .default_service(web::to(not_found)),
    );
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(CSS)
}

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(FAVICON)
}

/// No route for this request: a path of the API document with another method is a 405 in the
/// API's envelope; anything else is the pages' 404.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, WebError> {
    if let Some(methods) = crate::api::openapi::declared_methods(req.path()) {
        use actix_web::ResponseError;
        return Ok(AppError::MethodNotAllowed(methods.join(", ")).error_response());
    }
    Err(AppError::NotFound("no such page".into()).into())
}

/// An HTML answer with the pages' security headers: nothing from other origins, no framing, no caching of personal data.
pub fn html_response(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// Renders a template as a page with `status`.
pub fn render_status<T: Template>(status: StatusCode, page: &T) -> Result<HttpResponse, WebError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(html_response(status, html))
}

/// Renders a template as a 200 page.
pub fn render<T: Template>(page: &T) -> Result<HttpResponse, WebError> {
    render_status(StatusCode::OK, page)
}

/// 303 See Other to `to` (after a form).
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

/// The logged-in user as the header shows them, and which sections they may open.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub role_label: &'static str,
    pub department: String,
    pub dashboard: bool,
    pub overview: bool,
    /// The self-check page (迎检自查).
    pub inspection: bool,
    pub admin: bool,
    /// Replies waiting for review, for the reviewers (`Principal::may_review`).
    pub review: Option<i64>,
}

/// What every page's frame needs.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub office: String,
    pub user: Option<NavUser>,
    pub csrf: String,
    /// The navigation entry to highlight: inbox, dashboard, overview, inspection, admin, account.
    pub active: &'static str,
    pub css: String,
}

impl Layout {
    /// The frame of a page seen without logging in (login, errors).
    pub fn anonymous(title: &str) -> Layout {
        Layout {
            title: title.to_string(),
            office: String::new(),
            user: None,
            csrf: String::new(),
            active: "",
            css: format!("/static/app.css?v={}", *ASSET_VERSION),
        }
    }

    /// The frame of a page for the logged-in user.
    pub async fn for_user(
        state: &AppState,
        user: &CurrentUser,
        title: &str,
        active: &'static str,
    ) -> Result<Layout, WebError> {
        let role = user.principal.role;
        let department = match user.staff.department_code.clone() {
            Some(code) => {
                state
                    .db
                    .run(move |conn| Ok(crate::directory::find_department(conn, &code)?.name))
                    .await?
            }
            None => String::new(),
        };
        let review = if user
            .principal
            .may_review(&state.workflow.rules.office_department)
        {
            Some(
                state
                    .db
                    .run(crate::messages::model::count_review_pending)
                    .await?,
            )
        } else {
            None
        };
        Ok(Layout {
            title: title.to_string(),
            office: state.settings.office.name.clone(),
            user: Some(NavUser {
                name: user.staff.name.clone(),
                role_label: role.label_zh(),
                department,
                dashboard: matches!(role, Role::Supervisor | Role::Leader | Role::Admin),
                overview: matches!(role, Role::Leader | Role::Admin),
                inspection: matches!(role, Role::Leader | Role::Admin),
                admin: role == Role::Admin,
                review,
            }),
            csrf: user.csrf.clone(),
            active,
            css: format!("/static/app.css?v={}", *ASSET_VERSION),
        })
    }
}
