//! The working-day calendar of one year as twelve month grids, holidays and make-up working days marked (admin).

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::api::AppState;
use crate::calendar::DayKind;
use crate::calendar_reload::Reloaded;
use crate::error::AppError;

use super::forms::require_admin;
use crate::web::{redirect, render, CurrentUser, Layout, Posted, WebError};

/// One day in a month grid.
#[derive(Debug, Clone)]
pub struct DayCell {
    pub day: u32,
    /// workday, weekend, holiday, makeup
    pub class: &'static str,
    /// The holiday or make-up day's name, or the kind.
    pub title: String,
    /// 休 or 班 for holidays and make-up days.
    pub mark: &'static str,
}

/// A month as weeks of seven cells (Monday first; `None` outside the month).
#[derive(Debug, Clone)]
pub struct MonthGrid {
    pub label: String,
    pub weeks: Vec<Vec<Option<DayCell>>>,
    pub workdays: u32,
}

/// Consecutive days with the same holiday or make-up name.
struct Run {
    first: NaiveDate,
    last: NaiveDate,
    label: String,
}

impl Run {
    /// `(10月1日至7日, 国庆节（法定节假日）)`.
    fn describe(&self) -> (String, String) {
        let first = self.first.format("%-m月%-d日").to_string();
        let dates = if self.first == self.last {
            first
        } else if self.first.month() == self.last.month() {
            format!("{first}至{}日", self.last.day())
        } else {
            format!("{first}至{}", self.last.format("%-m月%-d日"))
        };
        (dates, self.label.clone())
    }
}

#[derive(Template)]
#[template(path = "web/admin_calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    prev: Option<i32>,
    next: Option<i32>,
    months: Vec<MonthGrid>,
    workdays: u32,
    holidays: Vec<(String, String)>,
    notices: Vec<String>,
    /// The year has no official notice yet: weekends and statutory holidays only.
    provisional: bool,
    /// The coverage warning, `calendar.warn_days` ahead of the official end.
    warning: Option<String>,
    official_through: String,
    /// The outcome of the reload just asked for, or of the last one.
    outcome: Option<String>,
    failed: bool,
}

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    year: Option<String>,
    reloaded: Option<String>,
}

/// The calendar of `?year=` (default: this year).
pub async fn calendar(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, WebError> {
    require_admin(&user)?;
    let outcome = query
        .reloaded
        .is_some()
        .then(|| state.calendar.last().map(|r| describe_reload(&r)))
        .flatten();
    page(&state, &user, query.year.as_deref(), outcome, false).await
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// Reads the calendar files again: a newly installed notice replaces the provisional year and
/// the stored deadlines it changes are recomputed.
pub async fn reload(
    state: web::Data<AppState>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, WebError> {
    require_admin(&posted.user)?;
    let st = state.clone();
    let result = web::block(move || st.reload_calendar())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("calendar reload: {e}")))?;
    match result {
        Ok(_) => Ok(redirect("/admin/calendar?reloaded=1")),
        Err(e) => {
            let text = format!("日历文件有误，未安装，原有日历继续使用：{e}");
            page(&state, &posted.user, None, Some(text), true).await
        }
    }
}

/// What a reload did, in the admin's words.
fn describe_reload(r: &Reloaded) -> String {
    if r.installed_years.is_empty() {
        return if r.calendar_changed {
            "日历文件已重新载入；没有新的正式年份，已存留言的办理期限不变。".to_string()
        } else {
            "日历文件没有变化。".to_string()
        };
    }
    let years: Vec<String> = r.installed_years.iter().map(|y| format!("{y}年")).collect();
    format!(
        "已安装{}正式放假安排：检查留言{}条，重新计算{}条（每条留言的办理记录中有说明）。",
        years.join("、"),
        r.examined,
        r.changed.len()
    )
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    year: Option<&str>,
    outcome: Option<String>,
    failed: bool,
) -> Result<HttpResponse, WebError> {
    let tl = &state.workflow.timeline;
    let cal = tl.calendar();
    let coverage = state.calendar_coverage();
    let (first, last) = (cal.first_date().year(), cal.last_date().year());
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (first..=last).contains(y))
            .ok_or_else(|| AppError::invalid("year", "year outside the calendar"))?,
        None => tl.local_date(state.clock.now()).year().clamp(first, last),
    };
    let mut months = Vec::with_capacity(12);
    let mut holidays: Vec<Run> = Vec::new();
    let mut total = 0;
    for month in 1..=12 {
        let Some(start) = NaiveDate::from_ymd_opt(year, month, 1) else {
            continue;
        };
        let mut weeks = Vec::new();
        let mut week: Vec<Option<DayCell>> =
            vec![None; start.weekday().num_days_from_monday() as usize];
        let mut workdays = 0;
        let mut d = start;
        while d.month() == month {
            let kind = cal.day_kind(d).map_err(AppError::from)?;
            let name = cal.holiday_name(d).map(str::to_string);
            if kind.is_workday() {
                workdays += 1;
            }
            let (class, mark) = match kind {
                DayKind::Workday => ("workday", ""),
                DayKind::Weekend => ("weekend", ""),
                DayKind::Holiday => ("holiday", "休"),
                DayKind::MakeupWorkday => ("makeup", "班"),
            };
            if let Some(n) = &name {
                let label = format!("{n}（{}）", kind.label_zh());
                // Consecutive days of one holiday make one line: 10月1日至7日.
                match holidays.last_mut() {
                    Some(run) if run.label == label && run.last.succ_opt() == Some(d) => {
                        run.last = d
                    }
                    _ => holidays.push(Run {
                        first: d,
                        last: d,
                        label,
                    }),
                }
            }
            week.push(Some(DayCell {
                day: d.day(),
                class,
                title: name.unwrap_or_else(|| kind.label_zh().to_string()),
                mark,
            }));
            if week.len() == 7 {
                weeks.push(std::mem::take(&mut week));
            }
            let Some(next) = d.succ_opt() else { break };
            d = next;
        }
        if !week.is_empty() {
            week.resize(7, None);
            weeks.push(week);
        }
        total += workdays;
        months.push(MonthGrid {
            label: format!("{month}月"),
            weeks,
            workdays,
        });
    }
    render(&CalendarPage {
        layout: Layout::for_user(state, user, &format!("{year}年工作日历"), "admin").await?,
        provisional: year > cal.official_last_date().year(),
        warning: coverage.warning_zh(),
        official_through: cal
            .official_last_date()
            .format("%Y年%-m月%-d日")
            .to_string(),
        outcome,
        failed,
        year,
        prev: (year > first).then_some(year - 1),
        next: (year < last).then_some(year + 1),
        months,
        workdays: total,
        holidays: holidays.iter().map(Run::describe).collect(),
        notices: cal
            .notices()
            .into_iter()
            .filter(|(y, _)| *y == year)
            .map(|(_, n)| n)
            .collect(),
    })
}
