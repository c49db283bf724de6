//! The HTML report page: askama template, server-rendered SVG charts, print stylesheet; nothing loaded from the internet.

use askama::Template;

use crate::error::AppError;

use super::views::{RateView, Report};

#[derive(Template)]
#[template(path = "reports/report.html")]
struct ReportPage<'a> {
    r: &'a Report,
    trend_svg: String,
    bars_svg: String,
    /// `?department=zjj` for a department's report, so its downloads stay in scope.
    query: String,
    /// The picker's quick choices: the quarter and the year of the period (label, period).
    wider: Vec<(String, String)>,
}

/// The quarter and the year that hold `period` (`2026-11` → `2026-Q4`, `2026`).
fn wider_periods(period: &str) -> Vec<(String, String)> {
    let year = period.get(..4).unwrap_or(period).to_string();
    let mut out = Vec::new();
    if let Some(month) = period.get(5..7).and_then(|m| m.parse::<u32>().ok()) {
        let q = (month - 1) / 3 + 1;
        out.push((format!("{year}年第{q}季度"), format!("{year}-Q{q}")));
    }
    if period != year {
        out.push((format!("{year}年全年"), year));
    }
    out
}

/// Renders `report` as a complete, self-contained HTML page.
pub fn render(report: &Report) -> Result<String, AppError> {
    ReportPage {
        r: report,
        trend_svg: trend_chart(report),
        bars_svg: department_chart(report),
        query: report
            .scope
            .strip_prefix("department:")
            .map(|d| format!("?department={d}"))
            .unwrap_or_default(),
        wider: wider_periods(&report.period),
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("report template: {e}")))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Percent as a float for drawing only (the printed figures come from integers).
fn pct(r: &RateView) -> Option<f64> {
    r.basis_points.map(|bp| bp as f64 / 100.0)
}

const COMPLETION: &str = "#1f5fa8";
const ON_TIME: &str = "#c0392b";

/// 12-month line chart of completion and on-time rates; months without a denominator leave a gap.
fn trend_chart(report: &Report) -> String {
    let (w, h, left, top, bottom) = (720.0, 260.0, 48.0, 20.0, 40.0);
    let plot_h = h - top - bottom;
    let n = report.trend.len().max(1) as f64;
    let step = (w - left - 20.0) / n;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |p: f64| top + plot_h * (1.0 - p / 100.0);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="近12个月办结率和按期答复率趋势" xmlns="http://www.w3.org/2000/svg">"#
    );
    for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" font-size="11" text-anchor="end">{p}%</text>"##,
            x2 = w - 20.0,
            yy = y(p),
            tx = left - 6.0,
            ty = y(p) + 4.0
        ));
    }
    for (i, t) in report.trend.iter().enumerate() {
        let label = t
            .period
            .get(5..)
            .unwrap_or(&t.period)
            .trim_start_matches('0');
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}月</text>"#,
            x(i),
            h - bottom + 18.0,
            escape(label)
        ));
    }
    for (color, pick) in [
        (
            COMPLETION,
            (|t: &super::views::TrendPoint| pct(&t.completion_rate)) as fn(&_) -> _,
        ),
        (ON_TIME, |t: &super::views::TrendPoint| pct(&t.on_time_rate)),
    ] {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, t) in report.trend.iter().enumerate() {
            match pick(t) {
                Some(p) => {
                    path.push_str(&format!(
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(p)
                    ));
                    pen_down = true;
                    svg.push_str(&format!(
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                        x(i),
                        y(p)
                    ));
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            svg.push_str(&format!(
                r#"<path d="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
                path.trim_end()
            ));
        }
    }
    svg.push_str(&format!(
        r#"<rect x="{left}" y="{ly}" width="12" height="4" fill="{COMPLETION}"/><text x="{t1}" y="{ty}" font-size="12">办结率</text><rect x="{l2}" y="{ly}" width="12" height="4" fill="{ON_TIME}"/><text x="{t2}" y="{ty}" font-size="12">按期答复率</text></svg>"#,
        ly = h - 10.0,
        ty = h - 5.0,
        t1 = left + 16.0,
        l2 = left + 110.0,
        t2 = left + 126.0
    ));
    svg
}

/// Horizontal bars per department: on-time rate and completion rate, in ranking order.
fn department_chart(report: &Report) -> String {
    let rows = &report.by_department;
    let (w, label_w, row_h, top) = (720.0, 200.0, 30.0, 10.0);
    let h = top + row_h * rows.len() as f64 + 30.0;
    let bar_w = w - label_w - 70.0;
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="各单位按期答复率和办结率" xmlns="http://www.w3.org/2000/svg">"#
    );
    for (i, d) in rows.iter().enumerate() {
        let y0 = top + row_h * i as f64;
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y0 + 17.0,
            escape(&d.name)
        ));
        for (j, (color, rate)) in [
            (ON_TIME, &d.figures.on_time_rate),
            (COMPLETION, &d.figures.completion_rate),
        ]
        .into_iter()
        .enumerate()
        {
            let yb = y0 + 4.0 + 11.0 * j as f64;
            let len = pct(rate).map_or(0.0, |p| bar_w * p / 100.0);
            svg.push_str(&format!(
                r#"<rect x="{label_w}" y="{yb:.1}" width="{len:.1}" height="9" fill="{color}"/><text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
                label_w + len + 4.0,
                yb + 8.0,
                escape(&rate.text)
            ));
        }
    }
    svg.push_str(&format!(
        r#"<rect x="{label_w}" y="{ly:.1}" width="12" height="6" fill="{ON_TIME}"/><text x="{t1}" y="{ty:.1}" font-size="12">按期答复率</text><rect x="{l2}" y="{ly:.1}" width="12" height="6" fill="{COMPLETION}"/><text x="{t2}" y="{ty:.1}" font-size="12">办结率</text></svg>"#,
        ly = h - 16.0,
        ty = h - 9.0,
        t1 = label_w + 16.0,
        l2 = label_w + 110.0,
        t2 = label_w + 126.0
    ));
    svg
}
