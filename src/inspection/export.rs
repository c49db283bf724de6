//! The self-check as an XLSX workbook with Chinese headers: 单项否决 (the veto register), 考核扣分 (each deduction and the messages behind it), 按网站, 按部门 and 按期答复率 (the inspectors' rate and the office's), in the house style of `crate::spreadsheet`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::error::AppError;
use crate::sla::{Category, Channel};
use crate::spreadsheet::{add_table, Cell, Style, Table};

use super::appraisal::{AppraisalItem, LATE_POINTS, NO_RECENT_REPLY_POINTS, UNFINISHED_POINTS};
use super::SelfCheck;

/// The sheets, in order.
pub const SHEETS: [&str; 5] = ["单项否决", "考核扣分", "按网站", "按部门", "按期答复率"];

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
    decimals: u8,
) -> Result<Vec<u8>, AppError> {
    build(check, office, departments, decimals)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write the XLSX file: {e}")))
}

fn time(t: &DateTime<FixedOffset>) -> Cell<'static> {
    Cell::Time(Some(t.naive_local()), "")
}

fn channel_label(code: &str) -> String {
    code.parse::<Channel>()
        .map_or_else(|_| code.to_string(), |c| c.label_zh().to_string())
}

fn category_label(code: &str) -> String {
    code.parse::<Category>()
        .map_or_else(|_| code.to_string(), |c| c.label_zh().to_string())
}

fn build(
    check: &SelfCheck,
    office: &str,
    departments: &BTreeMap<String, String>,
    decimals: u8,
) -> Result<Vec<u8>, XlsxError> {
    let name = |code: &str| {
        departments
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    let style = Style::new(decimals);
    let mut book = Workbook::new();
    let scope = check
        .department
        .as_deref()
        .map_or_else(|| "全部部门".to_string(), name);
    let date = check.date.format("%Y-%m-%d").to_string();

    let register = &check.veto_register;
    let verdict = if register.at_risk {
        format!("不合格风险：{}条留言超过三个月未答复", register.items.len())
    } else {
        "未发现超过三个月未答复的留言".to_string()
    };
    let mut veto = Table::new(SHEETS[0], VETO_HEADERS.to_vec(), vec![]);
    veto.title = Some(format!("{office}迎检自查：单项否决（互动回应差）"));
    veto.facts = vec![
        ("检查日期", Cell::Owned(date.clone())),
        ("统计范围", Cell::Owned(scope.clone())),
        (
            "回溯期间",
            Cell::Owned(format!("{} 至 {}", register.since.format("%Y-%m-%d"), date)),
        ),
        ("结论", Cell::Owned(verdict)),
    ];
    veto.rows = register
        .items
        .iter()
        .map(|item| {
            vec![
                Cell::Int(item.message_id),
                Cell::Text(&item.department),
                Cell::Owned(name(&item.department)),
                Cell::Owned(channel_label(&item.channel)),
                Cell::Owned(category_label(&item.category)),
                Cell::Text(&item.subject),
                Cell::Text(item.site_name.as_deref().unwrap_or("")),
                time(&item.received_at),
                time(&item.crossed_at),
                item.replied_at
                    .as_ref()
                    .map_or(Cell::Text("仍未答复"), time),
            ]
        })
        .collect();
    add_table(&mut book, &style, &veto)?;

    let a = &check.appraisal;
    let last_reply = match (&a.last_reply_at, a.no_recent_reply) {
        (_, true) => Cell::Owned(format!(
            "检查日期前2个月内无答复，扣{NO_RECENT_REPLY_POINTS}分"
        )),
        (Some(t), false) => time(t),
        (None, false) => Cell::Text(""),
    };
    let mut points = Table::new(SHEETS[1], DEDUCTION_HEADERS.to_vec(), vec![]);
    points.title = Some(format!(
        "{office}{}年度考核：我为政府网站找错扣分估算",
        a.year
    ));
    points.facts = vec![
        ("考核年度", Cell::Int(i64::from(a.year))),
        ("检查日期", Cell::Owned(date)),
        ("统计范围", Cell::Owned(scope)),
        ("扣分合计", Cell::Int(a.points_deducted)),
        ("近2个月答复", last_reply),
    ];
    let deductions = a
        .unfinished
        .iter()
        .map(|i| ("未办结", UNFINISHED_POINTS, i))
        .chain(a.late.iter().map(|i| ("超1个月办结", LATE_POINTS, i)));
    points.rows = deductions
        .map(|(kind, p, item)| deduction_row(kind, p, item, name(&item.department)))
        .collect();
    add_table(&mut book, &style, &points)?;

    let sites = a
        .by_site
        .iter()
        .map(|r| {
            vec![
                Cell::Text(&r.key),
                Cell::Int(r.unfinished),
                Cell::Int(r.late),
                Cell::Int(r.points),
            ]
        })
        .collect();
    add_table(
        &mut book,
        &style,
        &Table::new(
            SHEETS[2],
            vec!["网站", "未办结", "超1个月办结", "扣分"],
            sites,
        ),
    )?;

    let named = check
        .named_departments
        .iter()
        .map(|d| {
            vec![
                Cell::Text(&d.department),
                Cell::Owned(name(&d.department)),
                Cell::Int(d.veto_items),
                Cell::Int(d.unfinished),
                Cell::Int(d.late),
                Cell::Int(d.points),
            ]
        })
        .collect();
    add_table(
        &mut book,
        &style,
        &Table::new(
            SHEETS[3],
            vec![
                "部门代码",
                "部门",
                "单项否决",
                "未办结",
                "超1个月办结",
                "扣分",
            ],
            named,
        ),
    )?;

    let r = &check.on_time;
    let mut rates = Table::new(
        SHEETS[4],
        vec!["口径", "应答复", "按期答复", "按期答复率"],
        vec![
            vec![
                Cell::Text("自受理起计（检查组口径）"),
                Cell::Int(r.due),
                Cell::Int(r.replied_on_time_original),
                Cell::Rate(r.inspector_on_time_basis_points),
            ],
            vec![
                Cell::Text("计入经批准的延期和暂停（本单位口径）"),
                Cell::Int(r.due),
                Cell::Int(r.replied_on_time),
                Cell::Rate(r.office_on_time_basis_points),
            ],
        ],
    );
    rates.title = Some(format!("{office}按期答复率（本年截至检查日期）"));
    rates.facts = vec![(
        "统计期间",
        Cell::Owned(format!(
            "{} 至 {}",
            r.from.format("%Y-%m-%d"),
            r.to.format("%Y-%m-%d")
        )),
    )];
    add_table(&mut book, &style, &rates)?;
    book.save_to_buffer()
}

fn deduction_row<'a>(
    kind: &'a str,
    points: i64,
    item: &'a AppraisalItem,
    department: String,
) -> Vec<Cell<'a>> {
    vec![
        Cell::Text(kind),
        Cell::Int(-points),
        Cell::Int(item.message_id),
        Cell::Text(&item.department),
        Cell::Owned(department),
        Cell::Text(item.site_name.as_deref().unwrap_or("")),
        Cell::Text(&item.subject),
        time(&item.received_at),
        item.replied_at.as_ref().map_or(Cell::Text("未办结"), time),
        Cell::Int(item.days),
    ]
}
