//! Statistics and report endpoints: live figures as JSON, frozen reports as JSON/CSV/XLSX, regeneration, and the HTML report page.

use actix_web::{http::header, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::AppState;
use crate::auth::{Principal, Role};
use crate::error::{AppError, ErrorEnvelope};
use crate::reports::{self, export, html, Report, ReportContext};
use crate::sla::Channel;
use crate::stats::{Period, Scope};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/stats", web::get().to(stats))
        .route("/reports/{period}/regenerate", web::post().to(regenerate))
        .route("/reports/{file}", web::get().to(report_file));
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// `2026-10`, `2026-Q3` or `2026`.
    pub period: String,
    /// A department code (clerks and supervisors: only their own).
    pub department: Option<String>,
    /// `mayor_mailbox` or `website_error`.
    pub channel: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// A stored version of a frozen report; the latest by default.
    pub version: Option<i32>,
    /// A department code (leaders and admins; clerks and supervisors always get their own).
    pub department: Option<String>,
}

fn parse_period(s: &str) -> Result<Period, AppError> {
    s.parse()
        .map_err(|e: String| AppError::invalid("period", e))
}

/// The scope the caller may see: clerks and supervisors are held to their own department.
fn scope_for(
    who: &Principal,
    department: Option<&str>,
    channel: Option<&str>,
) -> Result<Scope, AppError> {
    let department = who
        .figures_scope(department, "statistics")?
        .map(|d| d.as_str().to_string());
    let channel = channel
        .map(|c| c.parse::<Channel>())
        .transpose()
        .map_err(|e| AppError::invalid("channel", e.to_string()))?;
    Ok(Scope {
        department,
        channel,
    })
}

async fn check_department(state: &AppState, scope: &Scope) -> Result<(), AppError> {
    if let Some(d) = scope.department.clone() {
        state
            .db
            .run(move |conn| crate::directory::find_department(conn, &d).map(|_| ()))
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => AppError::invalid("department", "unknown department"),
                other => other,
            })?;
    }
    Ok(())
}

/// Live figures of a period as of now, with breakdowns by channel, category, site and department.
#[utoipa::path(get, path = "/api/v1/stats", params(StatsQuery), security(("bearer" = [])),
    responses((status = 200, body = Report), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn stats(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<StatsQuery>,
) -> Result<HttpResponse, AppError> {
    let period = parse_period(&q.period)?;
    let scope = scope_for(&who, q.department.as_deref(), q.channel.as_deref())?;
    check_department(&state, &scope).await?;
    let ctx = ReportContext::from_settings(&state.settings, state.workflow.timeline.clone());
    let now = state.clock.now();
    let report = state
        .db
        .run(move |conn| reports::build(conn, &ctx, &period, &scope, now))
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The report of a period, frozen once the period has closed (the first request freezes it).
async fn obtain(
    state: &AppState,
    who: &Principal,
    period: Period,
    q: &ReportQuery,
) -> Result<Report, AppError> {
    let scope = scope_for(who, q.department.as_deref(), None)?;
    check_department(state, &scope).await?;
    let ctx = ReportContext::from_settings(&state.settings, state.workflow.timeline.clone());
    let now = state.clock.now();
    let actor = who.actor.clone();
    let version = q.version;
    let started = std::time::Instant::now();
    let report = state
        .db
        .write(move |conn| reports::obtain(conn, &ctx, &period, &scope, version, now, &actor))
        .await;
    crate::metrics::get()
        .report_seconds
        .observe(started.elapsed().as_secs_f64());
    report
}

/// `2026-10.csv`, `2026-10.xlsx`, `2026-10.json` or `2026-10.docx` (the Word draft of the bulletin).
#[utoipa::path(get, path = "/api/v1/reports/{file}", params(("file" = String, Path, description = "period and format, e.g. 2026-10.xlsx"), ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Report, description = "JSON, CSV, XLSX or DOCX by extension"), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn report_file(
    state: web::Data<AppState>,
    who: Principal,
    file: web::Path<String>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    file_for(&state, &who, &file, &q).await
}

/// A report file (`2026-10.xlsx`, `.csv`, `.json`) for any authenticated principal: the API
/// answers with it on a bearer token, the pages on the session.
pub async fn file_for(
    state: &AppState,
    who: &Principal,
    file: &str,
    q: &ReportQuery,
) -> Result<HttpResponse, AppError> {
    let (period, ext) = file.rsplit_once('.').ok_or_else(|| {
        AppError::invalid(
            "file",
            "name the format: 2026-10.json, 2026-10.csv, 2026-10.xlsx or 2026-10.docx",
        )
    })?;
    if !matches!(ext, "json" | "csv" | "xlsx" | "docx") {
        return Err(AppError::invalid(
            "file",
            format!("unknown format '{ext}': use json, csv, xlsx or docx"),
        ));
    }
    let period = parse_period(period)?;
    let report = obtain(state, who, period, q).await?;
    if ext == "docx" {
        return docx_file(&report, &report.bulletin);
    }
    let name = format!("huiyin-report-{period}.{ext}");
    let disposition = (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    );
    Ok(match ext {
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(disposition)
            .body(export::csv(&report)),
        "xlsx" => HttpResponse::Ok()
            .content_type(reports::email::XLSX_MIME)
            .insert_header(disposition)
            .body(export::xlsx(&report)?),
        _ => HttpResponse::Ok().json(report),
    })
}

/// The Word draft of the bulletin of `report`, with `paragraph` as its text.
fn docx_file(report: &Report, paragraph: &str) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type(reports::email::DOCX_MIME)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"huiyin-bulletin-{}.docx\"",
                report.period
            ),
        ))
        .body(reports::docx::draft(report, paragraph)?))
}

/// The Word draft of `period`'s bulletin with the leader's edited paragraph (the figures in its
/// tables are the report's): the report page's edit box posts here on the session.
pub async fn edited_draft_for(
    state: &AppState,
    who: &Principal,
    period: &str,
    q: &ReportQuery,
    paragraph: &str,
) -> Result<HttpResponse, AppError> {
    let period = parse_period(period)?;
    let report = obtain(state, who, period, q).await?;
    let paragraph = paragraph.trim();
    if paragraph.is_empty() {
        return Err(AppError::invalid(
            "draft",
            "the bulletin paragraph is empty",
        ));
    }
    crate::messages::check_text("draft", paragraph)?;
    docx_file(&report, paragraph)
}

/// Freezes a new version of a closed period's report as of now; earlier versions stay readable with `?version=`.
#[utoipa::path(post, path = "/api/v1/reports/{period}/regenerate", params(("period" = String, Path), ReportQuery), security(("bearer" = [])),
    responses((status = 201, body = Report), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "the period has not ended")))]
pub async fn regenerate(
    state: web::Data<AppState>,
    who: Principal,
    period: web::Path<String>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    who.require_role(&[Role::Leader, Role::Admin], "regenerating a report")?;
    let period = parse_period(&period)?;
    let scope = scope_for(&who, q.department.as_deref(), None)?;
    check_department(&state, &scope).await?;
    let ctx = ReportContext::from_settings(&state.settings, state.workflow.timeline.clone());
    let now = state.clock.now();
    let actor = who.actor.clone();
    let report = state
        .db
        .write(move |conn| reports::regenerate(conn, &ctx, &period, &scope, now, &actor))
        .await?;
    Ok(HttpResponse::Created().json(report))
}

/// The printable HTML report page for `period`, for any authenticated principal (the web
/// module can mount this behind its session login: authentication stays with the caller).
pub async fn page_for(
    state: &AppState,
    who: &Principal,
    period: &str,
    q: &ReportQuery,
) -> Result<HttpResponse, AppError> {
    let period = parse_period(period)?;
    let report = obtain(state, who, period, q).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html::render(&report)?))
}
