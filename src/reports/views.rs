//! The report as it is stored, served as JSON and rendered: figures already printed under the report's rounding rule.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::sla::{Category, Channel, Timeline};
use crate::stats::{
    rate, Change, CountChange, DepartmentFigures, Figures, OverdueItem, Precision, Rate, Rounding,
};

/// A rate as printed: the integers it comes from and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateView {
    pub num: i64,
    pub den: i64,
    /// `"92.61"` (percent, the report's decimals), or null when the denominator is 0.
    pub percent: Option<String>,
    /// Hundredths of a percent (9261), or null.
    pub basis_points: Option<i64>,
    /// `"92.61%"` or `"—"`.
    pub text: String,
}

impl RateView {
    pub fn new(r: Rate, precision: impl Into<Precision>) -> RateView {
        let p = precision.into();
        let bp = r.basis_points(p);
        RateView {
            num: r.num,
            den: r.den,
            percent: bp.map(|v| p.fixed(v)),
            basis_points: bp,
            text: r.format(p),
        }
    }
}

/// Reports frozen before a rate existed read it as undefined.
impl Default for RateView {
    fn default() -> RateView {
        RateView::new(Rate::new(0, 0), Rounding::HalfUp)
    }
}

/// The figures of one period and scope, printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FiguresView {
    /// 接收留言 (invalid ones excluded).
    pub received: i64,
    /// 无效留言 (received in the period, not counted above).
    pub invalid: i64,
    /// 办结.
    pub replied: i64,
    /// 办结率 = replied / received.
    pub completion_rate: RateView,
    /// 当日答复.
    pub same_day: i64,
    pub same_day_rate: RateView,
    /// Average working days to reply, two decimals (`"1.25"`), null without replies.
    pub average_working_days: Option<String>,
    /// Median working days to reply, null without replies (or not computed for the group).
    pub median_working_days: Option<String>,
    /// 仍在办理 (open or paused).
    pub still_open: i64,
    /// Of still open: paused waiting for the citizen.
    pub paused: i64,
    /// 逾期未办结 (of received).
    pub open_overdue: i64,
    /// 应答复 (deadline in the period).
    pub due: i64,
    /// 按期答复.
    pub replied_on_time: i64,
    /// 超期答复.
    pub replied_late: i64,
    /// 逾期未答复 (of due).
    pub due_overdue_open: i64,
    /// Of due: deadline not reached yet, or paused.
    pub due_pending: i64,
    /// 按期答复率 as the office counts it: on time after approved extensions and pauses / due.
    pub on_time_rate: RateView,
    /// Of `due`, replied by the original limit counted from receipt (no extension or pause).
    #[serde(default)]
    pub replied_on_time_original: i64,
    /// 按期答复率（自受理起计） as the inspectors count it: replied by the original limit / due.
    #[serde(default)]
    pub inspector_on_time_rate: RateView,
    /// 超过三个月未答复 (at the as-of time, any receipt date).
    pub critical: i64,
    /// 属实: website error reports found real (of `received`).
    #[serde(default)]
    pub confirmed: i64,
    /// 不属实 (of `received`).
    #[serde(default)]
    pub not_confirmed: i64,
    /// 属实率 = confirmed / (confirmed + not confirmed).
    #[serde(default)]
    pub confirmed_rate: RateView,
    /// 退回: messages returned to the office as not the department's business, in the period.
    #[serde(default)]
    pub returned: i64,
    /// 按时退回: of `returned`, within `[handling] return_within_working_days` of assignment.
    #[serde(default)]
    pub returned_on_time: i64,
    /// 转办: messages transferred straight to another department in the period, counted for the
    /// department they left.
    #[serde(default)]
    pub transferred: i64,
}

impl FiguresView {
    pub fn new(f: &Figures, precision: impl Into<Precision>) -> FiguresView {
        let p = precision.into();
        let rounding = p.rounding;
        FiguresView {
            received: f.received,
            invalid: f.invalid,
            replied: f.replied,
            completion_rate: RateView::new(f.completion_rate(), p),
            same_day: f.same_day,
            same_day_rate: RateView::new(f.same_day_rate(), p),
            average_working_days: f
                .average_working_days_hundredths(rounding)
                .map(rate::hundredths),
            median_working_days: f.median_working_days_hundredths.map(rate::hundredths),
            still_open: f.still_open,
            paused: f.paused,
            open_overdue: f.open_overdue,
            due: f.due,
            replied_on_time: f.replied_on_time,
            replied_late: f.replied_late,
            due_overdue_open: f.due_overdue_open,
            due_pending: f.due_pending(),
            on_time_rate: RateView::new(f.on_time_rate(), p),
            replied_on_time_original: f.replied_on_time_original,
            inspector_on_time_rate: RateView::new(f.inspector_on_time_rate(), p),
            critical: f.critical,
            confirmed: f.confirmed,
            not_confirmed: f.not_confirmed,
            confirmed_rate: RateView::new(f.confirmed_rate(), p),
            returned: f.returned,
            returned_on_time: f.returned_on_time,
            transferred: f.transferred,
        }
    }
}

/// The change of a rate in percentage points.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ChangeView {
    /// Hundredths of a point (232 = +2.32 points), null when either rate is undefined.
    pub basis_points: Option<i64>,
    /// `"+2.32"`, `"-1.05"`, `"0.00"` or `"—"`.
    pub text: String,
    /// `"上升2.32个百分点"`, `"下降…"`, `"持平"`, or null.
    pub phrase_zh: Option<String>,
}

impl ChangeView {
    pub fn new(c: Change) -> ChangeView {
        ChangeView {
            basis_points: c.basis_points,
            text: c.signed(),
            phrase_zh: c.phrase_zh(),
        }
    }
}

/// This period against another (环比 or 同比).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComparisonView {
    pub period: String,
    pub label: String,
    pub figures: FiguresView,
    /// Messages received: this period minus that one.
    pub received_change: i64,
    /// The same as a percentage of that period's count: `"上升46.5%"`, `"下降…"`, `"持平"`, or
    /// null when that period received none.
    #[serde(default)]
    pub received_change_phrase_zh: Option<String>,
    pub completion_rate_change: ChangeView,
    pub on_time_rate_change: ChangeView,
    /// Change of the inspector's on-time rate (from receipt).
    #[serde(default)]
    pub inspector_on_time_rate_change: ChangeView,
}

impl ComparisonView {
    pub fn new(
        period: String,
        label: String,
        now: &Figures,
        then: &Figures,
        precision: impl Into<Precision>,
    ) -> ComparisonView {
        let p = precision.into();
        ComparisonView {
            period,
            label,
            figures: FiguresView::new(then, p),
            received_change: now.received - then.received,
            received_change_phrase_zh: CountChange::between(now.received, then.received, p)
                .phrase_zh(),
            completion_rate_change: ChangeView::new(Change::between(
                now.completion_rate(),
                then.completion_rate(),
                p,
            )),
            on_time_rate_change: ChangeView::new(Change::between(
                now.on_time_rate(),
                then.on_time_rate(),
                p,
            )),
            inspector_on_time_rate_change: ChangeView::new(Change::between(
                now.inspector_on_time_rate(),
                then.inspector_on_time_rate(),
                p,
            )),
        }
    }
}

/// One row of a breakdown (channel, category, site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BreakdownRow {
    pub key: String,
    pub label: String,
    pub figures: FiguresView,
}

/// Chinese label of a channel or category machine name (the name itself when unknown).
pub fn channel_label(key: &str) -> String {
    key.parse::<Channel>()
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|_| key.to_string())
}

pub fn category_label(key: &str) -> String {
    key.parse::<Category>()
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|_| key.to_string())
}

/// An RFC 3339 time of a view as the office's wall clock, to the minute.
fn short_time(rfc3339: &str) -> String {
    crate::spreadsheet::local_time(rfc3339).map_or_else(
        || rfc3339.to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// A late message on a department's 核查清单.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OverdueView {
    pub id: i64,
    pub channel: String,
    pub category: String,
    /// Subject, ID and phone numbers masked.
    pub subject: String,
    pub site_name: Option<String>,
    pub received_at: String,
    pub due_at: String,
    /// The deadline falls in a provisional (暂定) calendar year (reports frozen before this
    /// field existed read as false).
    #[serde(default)]
    pub deadline_provisional: bool,
    /// Null while unanswered.
    pub replied_at: Option<String>,
    /// 逾期未办结 or 超期办结.
    pub status: String,
    /// Working days past the deadline, to the reply or to the as-of time.
    pub working_days_overdue: i64,
}

impl OverdueView {
    /// "超期3个工作日", "超期不足1个工作日", "已逾期2个工作日"…
    pub fn lateness_zh(&self) -> String {
        crate::sla::lateness_zh(self.working_days_overdue, self.replied_at.is_some())
    }

    /// The receipt time as the page prints it ("2026-11-21 18:06").
    pub fn received_short(&self) -> String {
        short_time(&self.received_at)
    }

    /// The deadline as the page prints it.
    pub fn due_short(&self) -> String {
        short_time(&self.due_at)
    }

    pub fn new(item: &OverdueItem, tl: &Timeline, as_of: i64) -> OverdueView {
        let utc = crate::messages::model::utc;
        let until = item.replied_at.unwrap_or(as_of);
        OverdueView {
            id: item.id,
            channel: channel_label(&item.channel),
            category: category_label(&item.category),
            subject: item.subject.clone(),
            site_name: item.site_name.clone(),
            received_at: tl.format_local(utc(item.received_at)),
            due_at: tl.format_local(utc(item.due_at)),
            deadline_provisional: tl.is_provisional(utc(item.due_at)),
            replied_at: item.replied_at.map(|t| tl.format_local(utc(t))),
            status: if item.replied_at.is_some() {
                "超期办结".into()
            } else {
                "逾期未办结".into()
            },
            working_days_overdue: tl
                .working_days_overdue(utc(item.due_at), utc(until))
                .unwrap_or(0),
        }
    }
}

/// A department in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DepartmentRow {
    /// 1-based position in the ranking.
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub figures: FiguresView,
    /// The 核查清单: late messages received or due in the period.
    pub overdue: Vec<OverdueView>,
}

impl DepartmentRow {
    pub fn new(
        rank: usize,
        d: &DepartmentFigures,
        rounding: impl Into<Precision>,
        tl: &Timeline,
        as_of: i64,
    ) -> DepartmentRow {
        DepartmentRow {
            rank,
            code: d.code.clone(),
            name: d.name.clone(),
            figures: FiguresView::new(&d.figures, rounding),
            overdue: d
                .overdue
                .iter()
                .map(|i| OverdueView::new(i, tl, as_of))
                .collect(),
        }
    }
}

/// One month of the trend chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TrendPoint {
    pub period: String,
    pub label: String,
    pub received: i64,
    pub due: i64,
    pub completion_rate: RateView,
    pub on_time_rate: RateView,
}

/// A whole report: what `GET /api/v1/stats` and the report files show, and what a frozen report stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// `2026-10`, `2026-Q3` or `2026`.
    pub period: String,
    /// `2026年10月`.
    pub period_label: String,
    pub office: String,
    /// `all`, `department:zjj`, `channel:website_error`.
    pub scope: String,
    pub scope_label: String,
    /// Every figure is as of this time (office time zone, RFC 3339).
    pub as_of: String,
    pub as_of_unix: i64,
    pub rounding: Rounding,
    /// Decimals printed in rates (1 or 2).
    #[serde(default = "two_decimals")]
    pub decimals: u8,
    /// The rounding rule, stated in Chinese.
    pub rounding_label: String,
    /// Stored and unchanging (a closed period); false for a period still running.
    pub frozen: bool,
    /// Version of a frozen report (1, 2, … after regenerations).
    pub version: Option<i32>,
    pub summary: FiguresView,
    /// 环比: the previous month, quarter or year.
    pub previous: ComparisonView,
    /// 同比: the same period a year earlier.
    pub year_earlier: ComparisonView,
    pub by_channel: Vec<BreakdownRow>,
    pub by_category: Vec<BreakdownRow>,
    /// Website-error channel, by site.
    pub by_site: Vec<BreakdownRow>,
    /// Ranked by on-time rate, then completion rate, then volume.
    pub by_department: Vec<DepartmentRow>,
    /// The 12 months ending with the period.
    pub trend: Vec<TrendPoint>,
    /// A drafted bulletin paragraph for the writer to edit.
    pub bulletin: String,
    /// The definitions of the figures.
    pub definitions: Vec<String>,
}

fn two_decimals() -> u8 {
    2
}
