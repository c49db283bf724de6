//! The self-check as an XLSX workbook with Chinese headers: 单项否决 (the veto register), 考核扣分 (each deduction and the messages behind it), 按网站 and 按部门.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::error::AppError;
use crate::sla::{Category, Channel};

use super::appraisal::{AppraisalItem, LATE_POINTS, NO_RECENT_REPLY_POINTS, UNFINISHED_POINTS};
use super::SelfCheck;

/// The sheets, in order.
pub const SHEETS: [&str; 4] = ["单项否决", "考核扣分", "按网站", "按部门"];

/// Column headers of the veto register sheet.
pub const VETO_HEADERS: [&str; 10] = [
    "留言编号",
    "部门代码",
    "部门",
    "渠道",
    "类别",
    "标题",
    "网站",
    "受理时间",
    "超过三个月之日",
    "答复时间",
];

/// Column headers of the deductions table.
pub const DEDUCTION_HEADERS: [&str; 10] = [
    "扣分项",
    "扣分",
    "留言编号",
    "部门代码",
    "部门",
    "网站",
    "标题",
    "受理时间",
    "办结时间",
    "历时（天）",
];

/// The workbook of `check` for `office`; `departments` gives department names by code.
pub fn xlsx(
    check: &SelfCheck,
    office: &str,
    departments: &BTreeMap<String, String>,
) -> Result<Vec<u8>, AppError> {
    build(check, office, departments)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write the XLSX file: {e}")))
}

fn time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn channel_label(code: &str) -> String {
    code.parse::<Channel>()
        .map_or_else(|_| code.to_string(), |c| c.label_zh().to_string())
}

fn category_label(code: &str) -> String {
    code.parse::<Category>()
        .map_or_else(|_| code.to_string(), |c| c.label_zh().to_string())
}

fn headers(
    sheet: &mut Worksheet,
    row: u32,
    names: &[&str],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (col, h) in names.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *h, bold)?;
    }
    Ok(())
}

fn build(
    check: &SelfCheck,
    office: &str,
    departments: &BTreeMap<String, String>,
) -> Result<Vec<u8>, XlsxError> {
    let name = |code: &str| {
        departments
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    let scope = check
        .department
        .as_deref()
        .map_or_else(|| "全部部门".to_string(), name);
    let date = check.date.format("%Y-%m-%d").to_string();

    let register = &check.veto_register;
    let sheet = book.add_worksheet().set_name(SHEETS[0])?;
    sheet.write_string_with_format(
        0,
        0,
        format!("{office}迎检自查：单项否决（互动回应差）"),
        &bold,
    )?;
    let verdict = if register.at_risk {
        format!("不合格风险：{}条留言超过三个月未答复", register.items.len())
    } else {
        "未发现超过三个月未答复的留言".to_string()
    };
    let meta = [
        ("检查日期", date.clone()),
        ("统计范围", scope.clone()),
        (
            "回溯期间",
            format!("{} 至 {}", register.since.format("%Y-%m-%d"), date),
        ),
        ("结论", verdict),
    ];
    for (i, (k, v)) in meta.iter().enumerate() {
        sheet.write_string(1 + i as u32, 0, *k)?;
        sheet.write_string(1 + i as u32, 1, v)?;
    }
    headers(sheet, 6, &VETO_HEADERS, &bold)?;
    for (i, item) in register.items.iter().enumerate() {
        let row = 7 + i as u32;
        sheet.write_number(row, 0, item.message_id as f64)?;
        let cells = [
            item.department.clone(),
            name(&item.department),
            channel_label(&item.channel),
            category_label(&item.category),
            item.subject.clone(),
            item.site_name.clone().unwrap_or_default(),
            time(&item.received_at),
            time(&item.crossed_at),
            item.replied_at
                .as_ref()
                .map_or_else(|| "仍未答复".to_string(), time),
        ];
        for (col, text) in cells.iter().enumerate() {
            sheet.write_string(row, col as u16 + 1, text)?;
        }
    }
    sheet.set_column_width(2, 24)?;
    sheet.set_column_width(5, 40)?;
    for col in 7..10 {
        sheet.set_column_width(col, 18)?;
    }

    let a = &check.appraisal;
    let sheet = book.add_worksheet().set_name(SHEETS[1])?;
    sheet.write_string_with_format(
        0,
        0,
        format!("{office}{}年度考核：我为政府网站找错扣分估算", a.year),
        &bold,
    )?;
    let last_reply = match (&a.last_reply_at, a.no_recent_reply) {
        (_, true) => format!("检查日期前2个月内无答复，扣{NO_RECENT_REPLY_POINTS}分"),
        (Some(t), false) => format!("最近一次答复 {}", time(t)),
        (None, false) => String::new(),
    };
    let meta = [
        ("考核年度", a.year.to_string()),
        ("检查日期", date),
        ("统计范围", scope),
        ("扣分合计", a.points_deducted.to_string()),
        ("近2个月答复", last_reply),
    ];
    for (i, (k, v)) in meta.iter().enumerate() {
        sheet.write_string(1 + i as u32, 0, *k)?;
        sheet.write_string(1 + i as u32, 1, v)?;
    }
    headers(sheet, 7, &DEDUCTION_HEADERS, &bold)?;
    let rows = a
        .unfinished
        .iter()
        .map(|i| ("未办结", UNFINISHED_POINTS, i))
        .chain(a.late.iter().map(|i| ("超1个月办结", LATE_POINTS, i)));
    for (n, (kind, points, item)) in rows.enumerate() {
        let row = 8 + n as u32;
        deduction_row(sheet, row, kind, points, item, &name(&item.department))?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(4, 24)?;
    sheet.set_column_width(5, 24)?;
    sheet.set_column_width(6, 40)?;
    sheet.set_column_width(7, 18)?;
    sheet.set_column_width(8, 18)?;

    let sheet = book.add_worksheet().set_name(SHEETS[2])?;
    headers(sheet, 0, &["网站", "未办结", "超1个月办结", "扣分"], &bold)?;
    for (i, r) in a.by_site.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, &r.key)?;
        sheet.write_number(row, 1, r.unfinished as f64)?;
        sheet.write_number(row, 2, r.late as f64)?;
        sheet.write_number(row, 3, r.points as f64)?;
    }
    sheet.set_column_width(0, 32)?;

    let sheet = book.add_worksheet().set_name(SHEETS[3])?;
    headers(
        sheet,
        0,
        &[
            "部门代码",
            "部门",
            "单项否决",
            "未办结",
            "超1个月办结",
            "扣分",
        ],
        &bold,
    )?;
    for (i, d) in check.named_departments.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string(row, 0, &d.department)?;
        sheet.write_string(row, 1, name(&d.department))?;
        for (col, n) in [d.veto_items, d.unfinished, d.late, d.points]
            .into_iter()
            .enumerate()
        {
            sheet.write_number(row, col as u16 + 2, n as f64)?;
        }
    }
    sheet.set_column_width(1, 28)?;
    book.save_to_buffer()
}

fn deduction_row(
    sheet: &mut Worksheet,
    row: u32,
    kind: &str,
    points: i64,
    item: &AppraisalItem,
    department: &str,
) -> Result<(), XlsxError> {
    sheet.write_string(row, 0, kind)?;
    sheet.write_number(row, 1, -(points as f64))?;
    sheet.write_number(row, 2, item.message_id as f64)?;
    let texts = [
        item.department.as_str(),
        department,
        item.site_name.as_deref().unwrap_or(""),
        item.subject.as_str(),
    ];
    for (col, text) in texts.iter().enumerate() {
        sheet.write_string(row, col as u16 + 3, *text)?;
    }
    sheet.write_string(row, 7, time(&item.received_at))?;
    sheet.write_string(
        row,
        8,
        item.replied_at
            .as_ref()
            .map_or_else(|| "未办结".to_string(), time),
    )?;
    sheet.write_number(row, 9, item.days as f64)?;
    Ok(())
}
