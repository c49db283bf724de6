//! The drafted bulletin paragraph (通报段落): the report's figures in the wording of the published bulletins, for the writer to edit.

use chrono::NaiveDate;

use crate::stats::Period;

use super::views::{ChangeView, Report};

fn change(c: &ChangeView, previous: &str) -> String {
    match &c.phrase_zh {
        Some(p) => format!("，较{previous}{p}"),
        None => String::new(),
    }
}

/// The date of the report's figures in Chinese (2026年11月5日): the paragraph's 截至 and the
/// Word draft's signature.
pub(super) fn as_of_date(report: &Report) -> String {
    // as_of is RFC 3339 in the office time zone: its date part is the local date.
    report
        .as_of
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| d.format("%Y年%-m月%-d日").to_string())
        .unwrap_or_default()
}

/// The 同比 sentence: receipts and the rates against the same period a year earlier, when that
/// period had messages (a year's report has only the 环比 against the year before).
fn year_on_year(report: &Report, period: &Period) -> String {
    let y = &report.year_earlier;
    let Some(received) = &y.received_change_phrase_zh else {
        return String::new();
    };
    if matches!(period, Period::Year { .. }) {
        return String::new();
    }
    let mut parts = vec![format!("接收留言{received}")];
    if let Some(p) = &y.completion_rate_change.phrase_zh {
        parts.push(format!("办结率{p}"));
    }
    if let Some(p) = &y.inspector_on_time_rate_change.phrase_zh {
        parts.push(format!("按期答复率（自受理起计）{p}"));
    }
    format!("与去年同期（{}）相比，{}。", y.label, parts.join("，"))
}

/// One paragraph: receipts, completions and rate, on-time rate, changes against the previous
/// period, same-day replies, and the departments with late messages named.
pub fn draft(report: &Report, period: &Period) -> String {
    let s = &report.summary;
    let previous = period.previous_zh();
    let channels: Vec<String> = report
        .by_channel
        .iter()
        .filter(|c| c.figures.received > 0 || c.figures.due > 0)
        .map(|c| match c.key.as_str() {
            "website_error" => format!("“{}”平台", c.label),
            _ => format!("“{}”", c.label),
        })
        .collect();
    let channels = if channels.is_empty() {
        "“市长信箱”".to_string()
    } else {
        channels.join("、")
    };
    let received_change = match &report.previous.received_change_phrase_zh {
        Some(p) => format!("（较{previous}{p}）"),
        None => String::new(),
    };
    let mut text = format!(
        "{}，{}共接收网民留言{}件{}，办结{}件，办结率{}{}",
        report.period_label,
        channels,
        s.received,
        received_change,
        s.replied,
        s.completion_rate.text,
        change(&report.previous.completion_rate_change, previous),
    );
    if s.due > 0 {
        // The inspectors count from receipt: their rate first, the office's after it.
        text.push_str(&format!(
            "；{}应答复留言{}件，自受理起在规定时间内答复{}件，按期答复率（自受理起计）为{}{}",
            period.this_zh(),
            s.due,
            s.replied_on_time_original,
            s.inspector_on_time_rate.text,
            change(&report.previous.inspector_on_time_rate_change, previous),
        ));
        text.push_str(&format!(
            "，计入经批准的延期和暂停后按期答复{}件，按期答复率为{}{}",
            s.replied_on_time,
            s.on_time_rate.text,
            change(&report.previous.on_time_rate_change, previous),
        ));
    }
    text.push('。');
    if let Some(errors) = report
        .by_channel
        .iter()
        .find(|c| c.key == "website_error" && c.figures.received > 0)
    {
        let f = &errors.figures;
        let finished = if f.replied == f.received && f.replied_late == 0 {
            "，均已按期办结"
        } else {
            ""
        };
        text.push_str(&format!(
            "受理“我为政府网站找错”平台留言{}条，其中问题属实留言{}条（属实率{}）{}。",
            f.received, f.confirmed, f.confirmed_rate.text, finished,
        ));
    }
    text.push_str(&year_on_year(report, period));
    if s.same_day > 0 {
        text.push_str(&format!("当日答复留言{}件。", s.same_day));
    }
    if s.invalid > 0 {
        text.push_str(&format!("另有无效留言{}件，未计入统计。", s.invalid));
    }
    // Bulletins name the departments with the most late messages first.
    let named = |open: bool| -> Vec<String> {
        let mut counted: Vec<(usize, &str)> = report
            .by_department
            .iter()
            .filter_map(|d| {
                let n = d
                    .overdue
                    .iter()
                    .filter(|o| o.replied_at.is_none() == open)
                    .count();
                (n > 0).then_some((n, d.name.as_str()))
            })
            .collect();
        // Stable: equal counts keep the ranking's order.
        counted.sort_by_key(|c| std::cmp::Reverse(c.0));
        counted
            .into_iter()
            .map(|(n, name)| format!("{name}（{n}件）"))
            .collect()
    };
    let open = named(true);
    let late = named(false);
    let date = as_of_date(report);
    if open.is_empty() && late.is_empty() {
        text.push_str(&format!("截至{date}，各单位均按期答复，无逾期留言。"));
    } else {
        let mut parts = Vec::new();
        if !open.is_empty() {
            parts.push(format!("{}存在逾期未办结留言", open.join("、")));
        }
        if !late.is_empty() {
            parts.push(format!("{}存在超期答复留言", late.join("、")));
        }
        text.push_str(&format!("截至{date}，{}。", parts.join("；")));
    }
    if s.critical > 0 {
        text.push_str(&format!(
            "超过三个月未答复的留言{}件，请相关单位立即整改。",
            s.critical
        ));
    }
    text
}
