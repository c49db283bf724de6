//! The working-day calendar of one year as twelve month grids, holidays and make-up working days marked (admin).

use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::calendar::DayKind;
use crate::error::AppError;
use crate::startup::AppState;

use super::{render, CurrentUser, Layout, WebError};

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
}

#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    year: Option<String>,
}

/// The calendar of `?year=` (default: this year).
pub async fn calendar(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, WebError> {
    super::admin::require_admin(&user)?;
    let tl = &state.workflow.timeline;
    let cal = tl.calendar();
    let (first, last) = (cal.first_date().year(), cal.last_date().year());
    let year = match query
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
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
        layout: Layout::for_user(&state, &user, &format!("{year}年工作日历"), "admin").await?,
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
