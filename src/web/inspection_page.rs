//! The self-check page (迎检自查) for leaders and admins: for a chosen check date, the veto register, the appraisal points estimate with the messages behind each deduction, points by site and department, and the departments that would be named; printable, and as an XLSX download.

use std::collections::BTreeMap;

use actix_web::{http::header, web, HttpResponse};
use askama::Template;
use chrono::{DateTime, FixedOffset};

use crate::api::inspection::{self_check_for, InspectionQuery};
use crate::api::AppState;
use crate::auth::Role;
use crate::inspection::appraisal::{LATE_POINTS, NO_RECENT_REPLY_POINTS, UNFINISHED_POINTS};
use crate::inspection::{self, appraisal::AppraisalItem, SelfCheck};

use super::view::{category_label, channel_label};
use super::{render, CurrentUser, Layout, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/inspection", web::get().to(page))
        .route("/inspection.xlsx", web::get().to(workbook));
}

/// One message on the veto register.
#[derive(Debug, Clone)]
pub struct VetoLine {
    pub id: i64,
    pub department: String,
    pub channel: String,
    pub category: String,
    pub subject: String,
    pub received: String,
    pub crossed: String,
    /// None: still unanswered (仍未答复).
    pub replied: Option<String>,
}

/// One 找错 message behind a deduction.
#[derive(Debug, Clone)]
pub struct DeductionLine {
    pub id: i64,
    pub department: String,
    pub site: String,
    pub subject: String,
    pub received: String,
    pub replied: Option<String>,
    pub days: i64,
}

/// Points of one site or department.
#[derive(Debug, Clone)]
pub struct PointsLine {
    pub name: String,
    pub veto_items: i64,
    pub unfinished: i64,
    pub late: i64,
    pub points: i64,
}

#[derive(Template)]
#[template(path = "web/inspection.html")]
struct InspectionPage {
    layout: Layout,
    date: String,
    /// The year field as asked (empty: the check date's year).
    year_asked: String,
    /// The query string of this check, for the XLSX link.
    query: String,
    since: String,
    at_risk: bool,
    veto: Vec<VetoLine>,
    year: i32,
    points_deducted: i64,
    unfinished: Vec<DeductionLine>,
    late: Vec<DeductionLine>,
    unfinished_points: i64,
    late_points: i64,
    no_recent_reply: bool,
    no_recent_reply_points: i64,
    last_reply: Option<String>,
    by_site: Vec<PointsLine>,
    by_department: Vec<PointsLine>,
    named: Vec<PointsLine>,
    /// The year-to-date on-time rates: the inspectors' (from receipt) and the office's.
    on_time: crate::inspection::OnTimeRates,
}

fn time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The check `user` asked for, with department names by code.
async fn check(
    state: &AppState,
    user: &CurrentUser,
    q: &InspectionQuery,
) -> Result<(SelfCheck, BTreeMap<String, String>), WebError> {
    user.principal
        .require_role(&[Role::Leader, Role::Admin], "the inspection self-check")?;
    let check = self_check_for(state, &user.principal, q).await?;
    let names = state
        .db
        .run(|conn| {
            Ok(crate::directory::list_departments(conn)?
                .into_iter()
                .map(|d| (d.code, d.name))
                .collect())
        })
        .await?;
    Ok((check, names))
}

/// The page: a date picker and the figures of that date (today by default).
pub async fn page(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<InspectionQuery>,
) -> Result<HttpResponse, WebError> {
    let (check, names) = check(&state, &user, &q).await?;
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let deduction = |i: &AppraisalItem| DeductionLine {
        id: i.message_id,
        department: name(&i.department),
        site: i.site_name.clone().unwrap_or_default(),
        subject: i.subject.clone(),
        received: time(&i.received_at),
        replied: i.replied_at.as_ref().map(time),
        days: i.days,
    };
    let a = &check.appraisal;
    let points = |key: String, r: &inspection::PointsRow| PointsLine {
        name: key,
        veto_items: 0,
        unfinished: r.unfinished,
        late: r.late,
        points: r.points,
    };
    let date = check.date.format("%Y-%m-%d").to_string();
    let year_asked = q.year.clone().unwrap_or_default().trim().to_string();
    let mut asked = vec![("date", date.as_str())];
    if !year_asked.is_empty() {
        asked.push(("year", year_asked.as_str()));
    }
    let query = serde_urlencoded::to_string(&asked).unwrap_or_default();
    render(&InspectionPage {
        layout: Layout::for_user(&state, &user, "迎检自查", "inspection").await?,
        query,
        year_asked,
        since: check.veto_register.since.format("%Y-%m-%d").to_string(),
        on_time: check.on_time.clone(),
        at_risk: check.veto_register.at_risk,
        veto: check
            .veto_register
            .items
            .iter()
            .map(|v| VetoLine {
                id: v.message_id,
                department: name(&v.department),
                channel: channel_label(&v.channel),
                category: category_label(&v.category),
                subject: v.subject.clone(),
                received: time(&v.received_at),
                crossed: time(&v.crossed_at),
                replied: v.replied_at.as_ref().map(time),
            })
            .collect(),
        year: a.year,
        points_deducted: a.points_deducted,
        unfinished: a.unfinished.iter().map(deduction).collect(),
        late: a.late.iter().map(deduction).collect(),
        unfinished_points: UNFINISHED_POINTS * a.unfinished.len() as i64,
        late_points: LATE_POINTS * a.late.len() as i64,
        no_recent_reply: a.no_recent_reply,
        no_recent_reply_points: NO_RECENT_REPLY_POINTS,
        last_reply: a.last_reply_at.as_ref().map(time),
        by_site: a.by_site.iter().map(|r| points(r.key.clone(), r)).collect(),
        by_department: a
            .by_department
            .iter()
            .map(|r| points(name(&r.key), r))
            .collect(),
        named: check
            .named_departments
            .iter()
            .map(|d| PointsLine {
                name: name(&d.department),
                veto_items: d.veto_items,
                unfinished: d.unfinished,
                late: d.late,
                points: d.points,
            })
            .collect(),
        date,
    })
}

/// The same figures as a workbook (sheets 单项否决, 考核扣分, 按网站, 按部门).
pub async fn workbook(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<InspectionQuery>,
) -> Result<HttpResponse, WebError> {
    let (check, names) = check(&state, &user, &q).await?;
    let bytes = inspection::export::xlsx(
        &check,
        &state.settings.office.name,
        &names,
        state.settings.reports.decimals,
    )?;
    let file = format!("huiyin-inspection-{}.xlsx", check.date.format("%Y-%m-%d"));
    Ok(HttpResponse::Ok()
        .content_type(crate::reports::email::XLSX_MIME)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
