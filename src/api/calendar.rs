//! Calendar endpoints over the working-day engine: a deadline for a receipt time, and the kind of each day in a range.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::AppState;
use crate::auth::{Principal, Role};
use crate::error::{AppError, ErrorEnvelope};
use crate::messages::parse_time;
use crate::sla::WorkingDays;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/calendar/deadline", web::get().to(deadline))
        .route("/calendar/days", web::get().to(days))
        .route("/calendar/reload", web::post().to(reload));
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadlineQuery {
    /// RFC 3339 receipt time.
    pub received_at: String,
    pub working_days: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeadlineAnswer {
    pub received_at: String,
    pub working_days: u32,
    /// End of the N-th working day after the local date of receipt, RFC 3339 with the office's offset.
    pub due_at: String,
    /// The deadline falls in a provisional (暂定) year: no official notice for it yet.
    pub deadline_provisional: bool,
}

/// The deadline for a receipt time and a number of working days.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", params(DeadlineQuery), security(("bearer" = [])),
    responses((status = 200, body = DeadlineAnswer), (status = 422, body = ErrorEnvelope, description = "outside the calendar's years")))]
pub async fn deadline(
    state: web::Data<AppState>,
    _who: Principal,
    q: web::Query<DeadlineQuery>,
) -> Result<HttpResponse, AppError> {
    let received = parse_time("received_at", &q.received_at)?;
    let days =
        WorkingDays::try_from(q.working_days).map_err(|e| AppError::invalid("working_days", e))?;
    let tl = &state.workflow.timeline;
    let due = tl
        .due_at(received, days)
        .map_err(|e| AppError::invalid("received_at", e.to_string()))?;
    Ok(HttpResponse::Ok().json(DeadlineAnswer {
        received_at: tl.format_local(received),
        working_days: days.get(),
        due_at: tl.format_local(due),
        deadline_provisional: tl.is_provisional(due),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DaysQuery {
    /// First date, YYYY-MM-DD.
    pub from: NaiveDate,
    /// Last date (inclusive), YYYY-MM-DD; at most 3 years after `from`.
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DayView {
    pub date: NaiveDate,
    pub is_workday: bool,
    /// workday, weekend, holiday or makeup_workday.
    pub kind: String,
    /// Holiday name, e.g. 国庆节 or 国庆节调休.
    pub name: Option<String>,
    /// In a year without an official notice: weekends and statutory holidays only (暂定).
    pub provisional: bool,
}

/// The kind of each day in a range.
#[utoipa::path(get, path = "/api/v1/calendar/days", params(DaysQuery), security(("bearer" = [])),
    responses((status = 200, body = [DayView]), (status = 422, body = ErrorEnvelope)))]
pub async fn days(
    state: web::Data<AppState>,
    _who: Principal,
    q: web::Query<DaysQuery>,
) -> Result<HttpResponse, AppError> {
    if q.to < q.from {
        return Err(AppError::invalid("to", "`to` is before `from`"));
    }
    if (q.to - q.from).num_days() > 366 * 3 {
        return Err(AppError::invalid("to", "at most three years at a time"));
    }
    let cal = state.workflow.timeline.calendar();
    let mut out = Vec::new();
    for date in q.from.iter_days().take_while(|d| *d <= q.to) {
        let kind = cal
            .day_kind(date)
            .map_err(|e| AppError::invalid("from", e.to_string()))?;
        out.push(DayView {
            date,
            is_workday: kind.is_workday(),
            kind: kind.to_string(),
            name: cal.holiday_name(date).map(str::to_string),
            provisional: cal.is_provisional(date),
        });
    }
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReloadAnswer {
    /// Years whose official notice replaced the provisional calendar.
    pub installed_years: Vec<i32>,
    /// Last date covered by an official notice.
    pub official_through: Option<NaiveDate>,
    /// Messages whose figures touched the newly official days.
    pub examined: usize,
    /// Ids of the messages whose deadline, working days or verdict changed (each has a
    /// `recalculated` event).
    pub changed: Vec<i64>,
}

/// Reads the calendar files again (admins): a newly installed notice replaces the provisional
/// year, and the stored figures it changes are recomputed. Invalid files change nothing (422).
#[utoipa::path(post, path = "/api/v1/calendar/reload", security(("bearer" = [])),
    responses((status = 200, body = ReloadAnswer), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "the calendar files are invalid")))]
pub async fn reload(state: web::Data<AppState>, who: Principal) -> Result<HttpResponse, AppError> {
    who.require_role(&[Role::Admin], "reloading the calendar")?;
    let st = state.clone();
    let r = web::block(move || st.reload_calendar())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("calendar reload: {e}")))?
        .map_err(|e| AppError::invalid("calendar", e.to_string()))?;
    Ok(HttpResponse::Ok().json(ReloadAnswer {
        installed_years: r.installed_years,
        official_through: r.official_through,
        examined: r.examined,
        changed: r.changed,
    }))
}
