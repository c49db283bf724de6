//! Monthly, quarterly and yearly reports like the inspection bulletins: built from [`crate::stats`], frozen once a period closes, exported as JSON, CSV, XLSX, HTML and a Word draft of the bulletin, and emailed to leaders.

pub mod bulletin;
pub mod docx;
pub mod email;
pub mod export;
pub mod html;
pub mod store;
pub mod views;

use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::db::{Db, DbConnection};
use crate::error::{is_unique_violation, AppError};
use crate::sla::Timeline;
use crate::stats::{self, Figures, Period, Precision, Rounding, Scope};

pub use email::{monthly_email, MonthlyEmail};
pub use views::Report;
use views::{BreakdownRow, ComparisonView, DepartmentRow, FiguresView, TrendPoint};

/// What a report needs besides the database: the office's timeline, rounding rule and name.
#[derive(Clone)]
pub struct ReportContext {
    pub timeline: Timeline,
    pub rounding: Rounding,
    /// `reports.decimals`: 1 or 2 decimals in printed rates.
    pub decimals: u8,
    pub office: String,
    /// `reports.monthly_email`.
    pub monthly_email: bool,
}

impl ReportContext {
    /// The rounding rule and decimals every printed rate follows.
    pub fn precision(&self) -> Precision {
        Precision::new(self.rounding, self.decimals)
    }

    pub fn from_settings(settings: &Settings, timeline: Timeline) -> ReportContext {
        ReportContext {
            timeline,
            rounding: settings.reports.rounding,
            decimals: settings.reports.decimals,
            office: settings.office.name.clone(),
            monthly_email: settings.reports.monthly_email,
        }
    }
}

/// The definitions printed in every report.
pub const DEFINITIONS: [&str; 9] = [
    "统计周期按本机关所在时区的自然月、季度、年度划分。",
    "接收留言：统计周期内收到的留言，不含无效留言（无效留言单独列出）；转办的留言计入现承办单位。",
    "办结：截至统计时点已答复的留言；办结率 = 办结数 ÷ 接收留言数。",
    "当日答复：在收到留言的同一自然日内答复；办理工作日数按法定工作日历计算，收到当日不计。",
    "应答复：答复期限届满日在统计周期内的留言；按期答复率 = 在期限内答复数 ÷ 应答复数（经批准延期、暂停计时后的期限，本机关口径）。",
    "按期答复率（自受理起计）：检查机关口径，以收到留言起算的原答复期限（不计延期和暂停）判断是否按期 = 在原期限内答复数 ÷ 应答复数。",
    "属实：找错留言经核实问题属实；属实率 = 属实数 ÷（属实数 + 不属实数）。",
    "超过三个月未答复：截至统计时点，收到已满三个自然月仍未答复的留言（单项否决指标）。",
    "比率的环比、同比变化以百分点表示，留言数量的变化以相对百分比表示；已固定（已发布）报告的周期采用其发布时的数字；分母为零的比率显示为“—”。",
];

/// Builds the report of `period` for `scope` as of `as_of` (not stored).
pub fn build(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    period: &Period,
    scope: &Scope,
    as_of: DateTime<Utc>,
) -> Result<Report, AppError> {
    build_with_figures(conn, ctx, period, scope, as_of).map(|(report, _)| report)
}

/// Figures exist only for periods on the working-day calendar (working days taken and deadlines
/// come from it): a period reaching outside it is a 422 naming the covered range, never an empty
/// report (and never a frozen one).
fn require_covered(ctx: &ReportContext, period: &Period) -> Result<(), AppError> {
    let cal = ctx.timeline.calendar();
    let (first, last) = (cal.first_date(), cal.last_date());
    let (start, end) = (period.first_day(), period.next().first_day());
    let outside = if start < first {
        Some(start)
    } else if end.pred_opt().is_some_and(|d| d > last) {
        Some(last.succ_opt().unwrap_or(last))
    } else {
        None
    };
    match outside {
        Some(date) => Err(AppError::invalid(
            "period",
            format!(
                "{period}: {}",
                crate::calendar::CalendarError::OutOfRange { date, first, last }
            ),
        )),
        None => Ok(()),
    }
}

/// The report and the raw counts of its summary.
fn build_with_figures(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    period: &Period,
    scope: &Scope,
    as_of: DateTime<Utc>,
) -> Result<(Report, Figures), AppError> {
    require_covered(ctx, period)?;
    let tz = ctx.timeline.tz();
    let snap = stats::snapshot(conn, period, scope, as_of, tz, ctx.rounding)?;
    let r = ctx.precision();
    let previous = period.previous();
    let earlier = period.year_earlier();
    let (months, buckets, prev_figures, earlier_figures) =
        comparisons(conn, period, scope, as_of, tz, &snap.total)?;
    let trend: Vec<TrendPoint> = months
        .iter()
        .zip(&buckets)
        .map(|(m, f)| TrendPoint {
            period: m.to_string(),
            label: m.label_zh(),
            received: f.received,
            due: f.due,
            completion_rate: views::RateView::new(f.completion_rate(), r),
            on_time_rate: views::RateView::new(f.on_time_rate(), r),
        })
        .collect();
    let rows = |v: &[stats::KeyedFigures], label: fn(&str) -> String| {
        v.iter()
            .map(|k| BreakdownRow {
                label: label(&k.key),
                key: k.key.clone(),
                figures: FiguresView::new(&k.figures, r),
            })
            .collect::<Vec<_>>()
    };
    let at = as_of.timestamp();
    let mut report = Report {
        period: period.to_string(),
        period_label: period.label_zh(),
        office: ctx.office.clone(),
        scope: scope.key(),
        scope_label: scope_label(conn, scope)?,
        as_of: ctx.timeline.format_local(as_of),
        as_of_unix: at,
        rounding: r.rounding,
        decimals: r.decimals,
        rounding_label: r.label_zh(),
        frozen: false,
        version: None,
        summary: FiguresView::new(&snap.total, r),
        previous: ComparisonView::new(
            previous.to_string(),
            previous.label_zh(),
            &snap.total,
            &prev_figures,
            r,
        ),
        year_earlier: ComparisonView::new(
            earlier.to_string(),
            earlier.label_zh(),
            &snap.total,
            &earlier_figures,
            r,
        ),
        by_channel: rows(&snap.by_channel, views::channel_label),
        by_category: rows(&snap.by_category, views::category_label),
        by_site: rows(&snap.by_site, |s| s.to_string()),
        by_department: snap
            .by_department
            .iter()
            .enumerate()
            .map(|(i, d)| DepartmentRow::new(i + 1, d, r, &ctx.timeline, at))
            .collect(),
        trend,
        bulletin: String::new(),
        definitions: DEFINITIONS.iter().map(|s| s.to_string()).collect(),
    };
    report.bulletin = bulletin::draft(&report, period);
    Ok((report, snap.total))
}

/// The 12 trend months with their counts, and the previous and year-earlier figures.
///
/// A closed period with a frozen report contributes its published counts (a bulletin compares
/// with what was published); the others are counted, the running months in one bucketed pass
/// per cohort, and the period itself comes from its own snapshot.
type Comparisons = (Vec<Period>, Vec<Figures>, Figures, Figures);

fn comparisons(
    conn: &mut DbConnection,
    period: &Period,
    scope: &Scope,
    as_of: DateTime<Utc>,
    tz: chrono_tz::Tz,
    current: &Figures,
) -> Result<Comparisons, AppError> {
    let months = period.trailing_months();
    let (previous, earlier) = (period.previous(), period.year_earlier());
    let mut wanted = months.clone();
    wanted.extend([previous, earlier]);
    let published = store::published_figures(conn, &wanted, &scope.key())?;
    let monthly = matches!(period, Period::Month { .. });
    let known = |p: &Period| -> Option<Figures> {
        if monthly && p == period {
            return Some(current.clone());
        }
        published.get(&p.to_string()).cloned()
    };
    let mut figures: Vec<Option<Figures>> = months.iter().map(known).collect();
    // Count the months without published figures, from the first to the last missing one.
    let missing: Vec<usize> = (0..months.len())
        .filter(|&i| figures[i].is_none())
        .collect();
    if let (Some(&a), Some(&b)) = (missing.first(), missing.last()) {
        let mut bounds: Vec<i64> = months[a..=b].iter().map(|m| m.bounds(tz).0).collect();
        bounds.push(months[b].bounds(tz).1);
        let counted = stats::counts_by_range(conn, &bounds, scope, as_of, tz)?;
        for (i, f) in (a..=b).zip(counted) {
            if figures[i].is_none() {
                figures[i] = Some(f);
            }
        }
    }
    let figures: Vec<Figures> = figures.into_iter().map(Option::unwrap_or_default).collect();
    let find = |p: &Period| {
        months
            .iter()
            .position(|m| m == p)
            .map(|i| figures[i].clone())
    };
    let prev = match known(&previous).or_else(|| find(&previous)) {
        Some(f) => f,
        None => stats::counts(conn, previous.bounds(tz), scope, as_of, tz)?,
    };
    let then = match known(&earlier) {
        Some(f) => f,
        None => stats::counts(conn, earlier.bounds(tz), scope, as_of, tz)?,
    };
    Ok((months, figures, prev, then))
}

fn scope_label(conn: &mut DbConnection, scope: &Scope) -> Result<String, AppError> {
    let mut parts = Vec::new();
    if let Some(d) = &scope.department {
        parts.push(crate::directory::find_department(conn, d)?.name);
    }
    if let Some(c) = scope.channel {
        parts.push(c.label_zh().to_string());
    }
    Ok(if parts.is_empty() {
        "全部单位".into()
    } else {
        parts.join("·")
    })
}

/// The report of `period`: for a closed period the stored one (the latest version, or
/// `version`), generated and frozen on first request; for a running period, live figures.
pub fn obtain(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    period: &Period,
    scope: &Scope,
    version: Option<i32>,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Report, AppError> {
    let key = scope.key();
    if let Some(v) = version {
        return store::get(conn, period, &key, v)?.ok_or_else(|| {
            AppError::NotFound(format!("no version {v} of the {period} report for {key}"))
        });
    }
    if !period.is_closed(now, ctx.timeline.tz()) {
        return build(conn, ctx, period, scope, now);
    }
    if let Some(stored) = store::latest(conn, period, &key)? {
        return Ok(stored);
    }
    match freeze(conn, ctx, period, scope, now, actor, 1) {
        // Someone froze it meanwhile: theirs is the published one.
        Err(AppError::Internal(e))
            if e.downcast_ref::<diesel::result::Error>()
                .is_some_and(is_unique_violation) =>
        {
            store::latest(conn, period, &key)?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("frozen report vanished")))
        }
        other => other,
    }
}

/// Generates a new version of a closed period's report as of `now`; older versions are kept.
pub fn regenerate(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    period: &Period,
    scope: &Scope,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Report, AppError> {
    if !period.is_closed(now, ctx.timeline.tz()) {
        return Err(AppError::Conflict(format!(
            "{period} has not ended yet: its figures are live and are frozen only after it closes"
        )));
    }
    let next = store::latest_version(conn, period, &scope.key())?.unwrap_or(0) + 1;
    freeze(conn, ctx, period, scope, now, actor, next)
}

fn freeze(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    period: &Period,
    scope: &Scope,
    now: DateTime<Utc>,
    actor: &str,
    version: i32,
) -> Result<Report, AppError> {
    let (mut report, figures) = build_with_figures(conn, ctx, period, scope, now)?;
    report.frozen = true;
    report.version = Some(version);
    store::insert(conn, period, &scope.key(), &report, &figures, actor, now)?;
    Ok(report)
}

/// `huiyin report`: the report of `period` in `format` (csv, xlsx, json, html) as bytes.
pub fn cli_report(
    db: &Db,
    ctx: &ReportContext,
    now: DateTime<Utc>,
    period: &str,
    format: &str,
    department: Option<String>,
    regenerate_it: bool,
) -> anyhow::Result<Vec<u8>> {
    let period: Period = period
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--period: {e}"))?;
    if !matches!(format, "csv" | "xlsx" | "docx" | "json" | "html") {
        anyhow::bail!("--format: unknown format '{format}': use csv, xlsx, docx, json or html");
    }
    let scope = Scope {
        department,
        channel: None,
    };
    let report = db.write_blocking(|conn| {
        if regenerate_it {
            regenerate(conn, ctx, &period, &scope, now, "cli:report")
        } else {
            obtain(conn, ctx, &period, &scope, None, now, "cli:report")
        }
    })?;
    Ok(match format {
        "csv" => export::csv(&report),
        "xlsx" => export::xlsx(&report)?,
        "docx" => docx::draft(&report, &report.bulletin)?,
        "html" => html::render(&report)?.into_bytes(),
        _ => serde_json::to_vec_pretty(&report)?,
    })
}
