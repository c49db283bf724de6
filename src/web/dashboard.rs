//! The supervisor's dashboard (one department: the month's figures, overdue and due-soon lists, each clerk's workload, alerts sent) and the leader's overview (every department ranked, the critical list, links to the monthly reports).

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Months;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::Role;
use crate::directory;
use crate::error::AppError;
use crate::messages::events;
use crate::messages::handling::extension::pending_extension_requests;
use crate::messages::model::{self, MessageFilter};
use crate::messages::{critical_threshold, Status};

use super::figures::{self, DepartmentLine, Month, MonthFigures, QueueCounts};
use super::view::{self, MessageItem, Names};
use super::{redirect, render, render_status, CurrentUser, Layout, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(dashboard))
        .route("/overview", web::get().to(overview))
        .route("/reports", web::get().to(pick_period))
        // Before `/reports/{period}`: the first resource whose path matches answers the request.
        .service(
            web::resource("/reports/{period}.docx")
                // A bulletin of a few thousand characters, percent-encoded, passes the default 16 KiB.
                .app_data(web::FormConfig::default().limit(256 * 1024))
                .route(web::post().to(edited_draft))
                .route(web::get().to(report_page_docx)),
        )
        .route("/reports/{period}", web::get().to(report_page));
}

/// `GET /reports/2026-11.docx`: the draft as the report words it.
async fn report_page_docx(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    period: web::Path<String>,
    q: web::Query<crate::api::reports::ReportQuery>,
) -> Result<HttpResponse, WebError> {
    report_page(state, req, web::Path::from(format!("{period}.docx")), q).await
}

#[derive(Debug, Deserialize)]
pub struct DraftForm {
    /// The bulletin paragraph as the leader edited it.
    draft: String,
}

/// The Word draft with the leader's edited paragraph. It changes nothing stored (the edit exists
/// only in the downloaded file), so it needs the session but no CSRF token: the report page is
/// rendered outside the session layout.
pub async fn edited_draft(
    state: web::Data<AppState>,
    user: CurrentUser,
    period: web::Path<String>,
    q: web::Query<crate::api::reports::ReportQuery>,
    form: web::Form<DraftForm>,
) -> Result<HttpResponse, WebError> {
    Ok(
        crate::api::reports::edited_draft_for(&state, &user.principal, &period, &q, &form.draft)
            .await?,
    )
}

/// The printable monthly report the dashboard and the overview link to: for a logged-in member
/// of staff, or with a bearer token as before (the API's authentication).
pub async fn report_page(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    period: web::Path<String>,
    q: web::Query<crate::api::reports::ReportQuery>,
) -> Result<HttpResponse, WebError> {
    use actix_web::FromRequest;
    // A bearer token is the API's (401 when wrong); otherwise the session (to the login page).
    let principal = if req
        .headers()
        .contains_key(actix_web::http::header::AUTHORIZATION)
    {
        crate::auth::Principal::extract(&req).await?
    } else {
        CurrentUser::extract(&req).await?.principal
    };
    // `2026-11.xlsx` downloads the file on the session; `2026-11` is the page.
    Ok(if period.contains('.') {
        crate::api::reports::file_for(&state, &principal, &period, &q).await?
    } else {
        crate::api::reports::page_for(&state, &principal, &period, &q).await?
    })
}

#[derive(Debug, Deserialize)]
pub struct PeriodPick {
    /// `2026-11`, `2026-Q4` or `2026`; the current month when absent or empty.
    period: Option<String>,
    department: Option<String>,
}

/// The period picker of the report page: to the report of the chosen month, quarter or year.
pub async fn pick_period(
    state: web::Data<AppState>,
    _user: CurrentUser,
    q: web::Query<PeriodPick>,
) -> Result<HttpResponse, WebError> {
    let period: crate::stats::Period = match q.period.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => p
            .parse()
            .map_err(|e: String| AppError::invalid("period", e))?,
        _ => crate::stats::Period::month_of(state.clock.now(), state.workflow.timeline.tz()),
    };
    let department = q
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            crate::directory::DepartmentCode::parse(d)
                .map_err(|e| AppError::invalid("department", e))
        })
        .transpose()?;
    Ok(redirect(&match department {
        Some(d) => format!("/reports/{period}?department={d}"),
        None => format!("/reports/{period}"),
    }))
}

/// Longest list shown on a dashboard.
const LIST_LIMIT: i64 = 100;

/// One member of staff's workload.
#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub role: &'static str,
    pub replied: i64,
    pub pending_handled: i64,
}

/// One alert in words.
#[derive(Debug, Clone)]
pub struct AlertItem {
    pub message_id: i64,
    pub subject: String,
    pub at: String,
    pub level: String,
}

/// What waits for an approver's decision. Pause requests (when pausing needs approval) join
/// as a kind of their own, with their own form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalKind {
    /// A clerk's extension request: approve or refuse here.
    Extension,
    /// A message returned to the office: the office assigns it on the message page.
    Return,
}

/// One line of the approvals queue (待审批).
#[derive(Debug, Clone)]
pub struct ApprovalItem {
    pub kind: ApprovalKind,
    pub label: &'static str,
    pub message_id: i64,
    /// The extension request's id (the form's address).
    pub request_id: i64,
    pub subject: String,
    pub by: String,
    pub at: String,
    pub detail: String,
    /// The viewer may decide it from the list.
    pub decidable: bool,
}

#[derive(Template)]
#[template(path = "web/dashboard.html")]
struct DashboardPage {
    approvals: Vec<ApprovalItem>,
    notice: Option<String>,
    /// Why a decision taken from the approvals list was refused.
    error: Option<String>,
    layout: Layout,
    department: String,
    month: String,
    period: String,
    figures: MonthFigures,
    queue: QueueCounts,
    overdue: Vec<MessageItem>,
    due_soon: Vec<MessageItem>,
    workload: Vec<Workload>,
    alerts: Vec<AlertItem>,
    back_to_overview: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    dept: Option<String>,
    /// Set after a decision taken from the approvals list, with the message's `id`.
    done: Option<String>,
    id: Option<i64>,
}

/// The line shown after a decision taken from the approvals list.
fn notice(done: Option<&str>, id: Option<i64>) -> Option<String> {
    let id = id?;
    match done? {
        "extension_approved" => Some(format!("已同意留言 #{id} 的延期申请，办理期限已更新。")),
        "extension_refused" => Some(format!("已不同意留言 #{id} 的延期申请，理由已告知承办人。")),
        _ => None,
    }
}

/// The department dashboard: supervisors see their own; leaders and admins pick one with `?dept=`.
pub async fn dashboard(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, WebError> {
    dashboard_page(state, user, query.into_inner(), None).await
}

/// The dashboard, with `refused` (status and Chinese reason) after a decision from its approvals
/// list that the workflow refused: the office decides there on messages it does not otherwise see.
pub async fn dashboard_page(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: DashboardQuery,
    refused: Option<(actix_web::http::StatusCode, String)>,
) -> Result<HttpResponse, WebError> {
    let who = &user.principal;
    who.require_role(
        &[Role::Supervisor, Role::Leader, Role::Admin],
        "the dashboard",
    )?;
    let asked = query
        .dept
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let Some(code) = who.list_scope(asked)? else {
        return Ok(redirect("/overview"));
    };
    who.require_see(&code)?;
    let owner = who.owns(&code);
    let office = state.workflow.rules.office_department.clone();
    let rules = state.workflow.rules.clone();
    let now = state.clock.now();
    let tl = state.workflow.timeline.clone();
    let month = Month::of(now, tl.tz());
    let rounding = crate::stats::Precision::new(
        state.settings.reports.rounding,
        state.settings.reports.decimals,
    );
    let queue_rules = rules.clone();
    let data = state
        .db
        .run(move |conn| {
            let department = directory::find_department(conn, &code)
                .map_err(|_| AppError::NotFound(format!("no department {code}")))?;
            let figures = figures::month_figures(conn, Some(&code), now, tl.tz(), rounding)?;
            let queue = figures::queue_counts(conn, Some(&code), &tl, now)?;
            let overdue = model::list(
                conn,
                &MessageFilter {
                    department: Some(code.clone()),
                    overdue_at: Some(now.timestamp()),
                    ..Default::default()
                },
                1,
                LIST_LIMIT,
            )?
            .0;
            let due_soon = match figures::due_soon_before(&tl, now) {
                Some(before) => model::list(
                    conn,
                    &MessageFilter {
                        department: Some(code.clone()),
                        status: Some(Status::Open),
                        due_before: Some(before),
                        ..Default::default()
                    },
                    1,
                    LIST_LIMIT + queue.overdue,
                )?
                .0
                .into_iter()
                .filter(|r| !r.is_overdue(now))
                .collect(),
                None => Vec::new(),
            };
            let staff =
                directory::staff_of_department(conn, &code, &[Role::Clerk, Role::Supervisor])?;
            let replies = model::replies_by_actor(conn, &code, (month.start, month.end))?;
            let handled = events::pending_handled_by_actor(conn, &code)?;
            let alerts = events::alerts_sent(conn, &code, (month.start, month.end))?;
            let all_staff = directory::list_staff(conn)?;
            let departments = directory::list_departments(conn)?;
            // The office's dashboard also lists the requests the office decides, from every department.
            let office_above = (code == office)
                .then(|| crate::auth::office_decides_above(&queue_rules))
                .flatten();
            let requests = pending_extension_requests(conn, Some(&code), office_above, LIST_LIMIT)?;
            // Returns wait at the office for its staff to assign them.
            let returns = if code == office {
                model::list_pending(
                    conn,
                    &MessageFilter {
                        department: Some(code.clone()),
                        ..Default::default()
                    },
                    1,
                    LIST_LIMIT,
                )?
                .0
                .into_iter()
                .filter(|r| r.returned_count > 0)
                .collect()
            } else {
                Vec::new()
            };
            Ok((
                requests,
                returns,
                department,
                figures,
                queue,
                overdue,
                due_soon,
                staff,
                replies,
                handled,
                alerts,
                all_staff,
                departments,
            ))
        })
        .await?;
    let (
        requests,
        returns,
        department,
        figures,
        queue,
        overdue,
        due_soon,
        staff,
        replies,
        handled,
        alerts,
        all_staff,
        departments,
    ) = data;
    let tl = &state.workflow.timeline;
    let names = Names::new(&departments, &all_staff);
    // Replies and actions are stored under the actor: `staff:ID` (or `demo:EMAIL` for demo data).
    let count_for = |map: &std::collections::HashMap<String, i64>, s: &directory::Staff| {
        map.get(&format!("staff:{}", s.id)).copied().unwrap_or(0)
            + map.get(&format!("demo:{}", s.email)).copied().unwrap_or(0)
    };
    let workload = staff
        .iter()
        .map(|s| Workload {
            name: s.name.clone(),
            role: s.role().label_zh(),
            replied: count_for(&replies, s),
            pending_handled: count_for(&handled, s),
        })
        .collect();
    let alerts = alerts
        .into_iter()
        .map(|a| AlertItem {
            message_id: a.message_id,
            subject: crate::privacy::text_for(&a.subject, &a.citizen, owner),
            at: view::local_time(tl, a.at),
            level: serde_json::from_str::<serde_json::Value>(&a.detail)
                .ok()
                .and_then(|v| v["level"].as_str().map(str::to_string))
                .unwrap_or_default(),
        })
        .collect();
    let items = |rows: Vec<crate::messages::MessageRow>| -> Vec<MessageItem> {
        rows.iter()
            .map(|r| MessageItem::new(r, tl, &names, now, who))
            .collect()
    };
    let mut approvals: Vec<ApprovalItem> = requests
        .iter()
        .map(|(r, m)| {
            let citizen = m.citizen();
            ApprovalItem {
                kind: ApprovalKind::Extension,
                label: "延期申请",
                message_id: m.id,
                request_id: r.id,
                subject: crate::privacy::text_for(&m.subject, &citizen, owner),
                by: names.actor(&r.requested_by),
                at: view::local_time(tl, r.requested_at),
                detail: format!(
                    "{}申请延长{}个工作日（办理期限{}，{}）。理由：{}",
                    names.department(&m.department_code),
                    r.working_days,
                    view::local_date(tl, m.due_at),
                    match crate::auth::extension_approver(
                        u32::try_from(r.working_days).unwrap_or(0),
                        &rules
                    ) {
                        crate::auth::Approver::Office => "由办公室审批",
                        crate::auth::Approver::Department => "由本部门科室负责人审批",
                    },
                    crate::privacy::text_for(&r.reason, &citizen, owner)
                ),
                decidable: who.may_approve_extension(
                    &m.department_code,
                    u32::try_from(r.working_days).unwrap_or(0),
                    &rules,
                ),
            }
        })
        .collect();
    approvals.extend(returns.iter().map(|m| ApprovalItem {
        kind: ApprovalKind::Return,
        label: "退回待分派",
        message_id: m.id,
        request_id: 0,
        subject: crate::privacy::text_for(&m.subject, &m.citizen(), owner),
        by: String::new(),
        at: view::local_time(tl, m.assigned_at),
        detail: format!("已退回{}次，请在留言页面重新交办。", m.returned_count),
        decidable: state.workflow.may_assign(who),
    }));
    let title = format!("督办看板 · {}", department.name);
    let (status, error) = match refused {
        Some((status, text)) => (status, Some(text)),
        None => (actix_web::http::StatusCode::OK, None),
    };
    render_status(
        status,
        &DashboardPage {
            layout: Layout::for_user(&state, &user, &title, "dashboard").await?,
            department: department.name,
            month: month.label(),
            period: month.period(),
            figures,
            queue,
            overdue: items(overdue),
            due_soon: items(due_soon),
            workload,
            alerts,
            back_to_overview: who.scope().is_none(),
            approvals,
            notice: notice(query.done.as_deref(), query.id),
            error,
        },
    )
}

/// A link to a monthly report page.
#[derive(Debug, Clone)]
pub struct ReportLink {
    pub period: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "web/overview.html")]
struct OverviewPage {
    layout: Layout,
    month: String,
    office: MonthFigures,
    queue: QueueCounts,
    departments: Vec<DepartmentLine>,
    critical: Vec<MessageItem>,
    critical_total: i64,
    reports: Vec<ReportLink>,
}

/// The office overview for leaders and admins.
pub async fn overview(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, WebError> {
    user.principal
        .require_role(&[Role::Leader, Role::Admin], "the office overview")?;
    let now = state.clock.now();
    let tl = state.workflow.timeline.clone();
    let month = Month::of(now, tl.tz());
    let rounding = crate::stats::Precision::new(
        state.settings.reports.rounding,
        state.settings.reports.decimals,
    );
    let (office, queue, departments, (critical, critical_total), names) = state
        .db
        .run(move |conn| {
            let critical = model::list_pending(
                conn,
                &MessageFilter {
                    received_to: Some(critical_threshold(now, tl.tz())),
                    ..Default::default()
                },
                1,
                LIST_LIMIT,
            )?;
            let names = Names::new(
                &directory::list_departments(conn)?,
                &directory::list_staff(conn)?,
            );
            Ok((
                figures::month_figures(conn, None, now, tl.tz(), rounding)?,
                figures::queue_counts(conn, None, &tl, now)?,
                figures::by_department(conn, &tl, now, rounding)?,
                critical,
                names,
            ))
        })
        .await?;
    let tl = &state.workflow.timeline;
    let first = chrono::NaiveDate::from_ymd_opt(month.year, month.month, 1).unwrap_or_default();
    let reports = (0..6)
        .filter_map(|back| first.checked_sub_months(Months::new(back)))
        .map(|d| ReportLink {
            period: d.format("%Y-%m").to_string(),
            label: d.format("%Y年%-m月").to_string(),
        })
        .collect();
    render(&OverviewPage {
        layout: Layout::for_user(&state, &user, "全市概览", "overview").await?,
        month: month.label(),
        office,
        queue,
        departments,
        critical: critical
            .iter()
            .map(|r| MessageItem::new(r, tl, &names, now, &user.principal))
            .collect(),
        critical_total,
        reports,
    })
}
