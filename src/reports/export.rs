//! Report files: CSV (the department table) and XLSX (summary, departments, channels, categories, 找错 by site, late messages, the draft), with Chinese headers, in the house style of `crate::spreadsheet`.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::error::AppError;
use crate::sla::PROVISIONAL_MARK;
use crate::spreadsheet::{self as sheet, add_table, Style, Table};

use super::views::{ComparisonView, FiguresView, RateView, Report};

/// Column headers of the department table (CSV and the XLSX sheet 各单位).
pub const DEPARTMENT_HEADERS: [&str; 23] = [
    "排名",
    "单位代码",
    "单位名称",
    "接收留言",
    "无效留言",
    "办结",
    "办结率",
    "当日答复",
    "平均办理工作日",
    "办理工作日中位数",
    "仍在办理",
    "逾期未办结",
    "应答复",
    "按期答复",
    "超期答复",
    "逾期未答复",
    "按期答复率",
    "超过三个月未答复",
    "按期答复（自受理起计）",
    "按期答复率（自受理起计）",
    "属实",
    "不属实",
    "属实率",
];

/// Column headers of the XLSX sheet 找错 (website error reports by site).
pub const SITE_HEADERS: [&str; 9] = [
    "网站",
    "接收留言",
    "办结",
    "应答复",
    "按期答复",
    "按期答复率",
    "属实",
    "不属实",
    "属实率",
];

/// One cell of a table row.
enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Rate(&'a RateView),
    Decimal(Option<&'a str>),
}

fn figure_cells(f: &FiguresView) -> Vec<Cell<'_>> {
    vec![
        Cell::Int(f.received),
        Cell::Int(f.invalid),
        Cell::Int(f.replied),
        Cell::Rate(&f.completion_rate),
        Cell::Int(f.same_day),
        Cell::Decimal(f.average_working_days.as_deref()),
        Cell::Decimal(f.median_working_days.as_deref()),
        Cell::Int(f.still_open),
        Cell::Int(f.open_overdue),
        Cell::Int(f.due),
        Cell::Int(f.replied_on_time),
        Cell::Int(f.replied_late),
        Cell::Int(f.due_overdue_open),
        Cell::Rate(&f.on_time_rate),
        Cell::Int(f.critical),
        Cell::Int(f.replied_on_time_original),
        Cell::Rate(&f.inspector_on_time_rate),
        Cell::Int(f.confirmed),
        Cell::Int(f.not_confirmed),
        Cell::Rate(&f.confirmed_rate),
    ]
}

/// The department rows and the total row, as cells.
fn department_table(report: &Report) -> Vec<Vec<Cell<'_>>> {
    let mut rows = Vec::new();
    for d in &report.by_department {
        let mut row = vec![
            Cell::Int(d.rank as i64),
            Cell::Text(&d.code),
            Cell::Text(&d.name),
        ];
        row.extend(figure_cells(&d.figures));
        rows.push(row);
    }
    let mut total = vec![Cell::Text(""), Cell::Text(""), Cell::Text("合计")];
    total.extend(figure_cells(&report.summary));
    rows.push(total);
    rows
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The department table as CSV (UTF-8 with a byte-order mark so spreadsheet programs read the Chinese).
pub fn csv(report: &Report) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&DEPARTMENT_HEADERS.join(","));
    out.push_str("\r\n");
    for row in department_table(report) {
        let fields: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => csv_field(s),
                Cell::Int(n) => n.to_string(),
                Cell::Rate(r) => r.text.clone(),
                Cell::Decimal(d) => d.unwrap_or("—").to_string(),
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("cannot write the XLSX file: {e}"))
}

/// The cell of the spreadsheet for a cell of the tables.
fn sheet_cell<'a>(c: &Cell<'a>) -> sheet::Cell<'a> {
    match c {
        Cell::Text(s) => sheet::Cell::Text(s),
        Cell::Int(n) => sheet::Cell::Int(*n),
        // The rate was decided in integers; the cell carries that printed value as a number.
        Cell::Rate(r) => sheet::Cell::Rate(r.basis_points),
        Cell::Decimal(d) => sheet::Cell::Number(d.and_then(|s| s.parse().ok())),
    }
}

fn sheet_cells<'a>(cells: &[Cell<'a>]) -> Vec<sheet::Cell<'a>> {
    cells.iter().map(sheet_cell).collect()
}

/// The workbook: 汇总, 各单位, 按渠道, 按类别, 找错 (by site), 逾期清单, 通报草稿.
pub fn xlsx(report: &Report) -> Result<Vec<u8>, AppError> {
    build_xlsx(report).map_err(xlsx_err)
}

/// The sheets, in order.
pub const SHEETS: [&str; 7] = [
    "汇总",
    "各单位",
    "按渠道",
    "按类别",
    "找错",
    "逾期清单",
    "通报草稿",
];

/// Column headers of the 逾期清单 sheet.
pub const OVERDUE_HEADERS: [&str; 12] = [
    "单位名称",
    "留言编号",
    "渠道",
    "类别",
    "标题",
    "网站",
    "收到时间",
    "答复期限",
    "答复时间",
    "状态",
    "逾期工作日",
    "逾期情况",
];

fn build_xlsx(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let style = Style::new(report.decimals);
    let title = |what: &str| format!("{}{}{what}", report.office, report.period_label);
    let facts = || {
        vec![
            ("统计周期", sheet::Cell::Text(&report.period_label)),
            ("统计范围", sheet::Cell::Text(&report.scope_label)),
            (
                "统计时点",
                sheet::Cell::time(Some(&report.as_of), &report.as_of),
            ),
        ]
    };

    let mut summary_facts = facts();
    summary_facts.push(("舍入规则", sheet::Cell::Text(&report.rounding_label)));
    summary_facts.push((
        "版本",
        sheet::Cell::Owned(match report.version {
            Some(v) => format!("第{v}版（已固定）"),
            None => "实时数据（统计周期未结束）".into(),
        }),
    ));
    add_table(
        &mut book,
        &style,
        &Table {
            sheet: SHEETS[0],
            title: Some(title("留言办理情况统计")),
            facts: summary_facts,
            headers: vec![
                "指标",
                "本期",
                report.previous.label.as_str(),
                report.year_earlier.label.as_str(),
            ],
            rows: summary_rows(report),
        },
    )?;

    let mut departments = Table::new(SHEETS[1], DEPARTMENT_HEADERS.to_vec(), vec![]);
    departments.title = Some(title("各单位留言办理情况"));
    departments.facts = facts();
    departments.rows = department_table(report)
        .iter()
        .map(|r| sheet_cells(r))
        .collect();
    add_table(&mut book, &style, &departments)?;

    for (name, key, what, rows) in [
        (SHEETS[2], "渠道", "按渠道统计", &report.by_channel),
        (SHEETS[3], "类别", "按类别统计", &report.by_category),
    ] {
        let mut headers = vec![key];
        headers.extend_from_slice(&DEPARTMENT_HEADERS[3..]);
        let mut table = Table::new(name, headers, vec![]);
        table.title = Some(title(what));
        table.facts = facts();
        table.rows = rows
            .iter()
            .map(|b| {
                let mut cells = vec![sheet::Cell::Text(&b.label)];
                cells.extend(sheet_cells(&figure_cells(&b.figures)));
                cells
            })
            .collect();
        add_table(&mut book, &style, &table)?;
    }

    let mut sites = Table::new(SHEETS[4], SITE_HEADERS.to_vec(), vec![]);
    sites.title = Some(title("“我为政府网站找错”留言办理情况（按网站）"));
    sites.facts = facts();
    sites.rows = report
        .by_site
        .iter()
        .map(|s| {
            let f = &s.figures;
            sheet_cells(&[
                Cell::Text(&s.label),
                Cell::Int(f.received),
                Cell::Int(f.replied),
                Cell::Int(f.due),
                Cell::Int(f.replied_on_time),
                Cell::Rate(&f.on_time_rate),
                Cell::Int(f.confirmed),
                Cell::Int(f.not_confirmed),
                Cell::Rate(&f.confirmed_rate),
            ])
        })
        .collect();
    add_table(&mut book, &style, &sites)?;

    let mut late = Table::new(SHEETS[5], OVERDUE_HEADERS.to_vec(), vec![]);
    late.title = Some(title("逾期留言核查清单"));
    late.facts = facts();
    for d in &report.by_department {
        for o in &d.overdue {
            late.rows.push(vec![
                sheet::Cell::Text(&d.name),
                sheet::Cell::Int(o.id),
                sheet::Cell::Text(&o.channel),
                sheet::Cell::Text(&o.category),
                sheet::Cell::Text(&o.subject),
                sheet::Cell::Text(o.site_name.as_deref().unwrap_or("")),
                sheet::Cell::time(Some(&o.received_at), &o.received_at),
                // A provisional deadline keeps its mark, so it stays text.
                if o.deadline_provisional {
                    sheet::Cell::Owned(format!("{}{}", o.due_at, PROVISIONAL_MARK))
                } else {
                    sheet::Cell::time(Some(&o.due_at), &o.due_at)
                },
                sheet::Cell::time(o.replied_at.as_deref(), ""),
                sheet::Cell::Text(&o.status),
                sheet::Cell::Int(o.working_days_overdue),
                sheet::Cell::Owned(o.lateness_zh()),
            ]);
        }
    }
    add_table(&mut book, &style, &late)?;

    let mut notes = Table::new(SHEETS[6], vec!["项目", "内容"], vec![]);
    notes.title = Some(title("通报段落（草稿）与统计口径"));
    notes.rows.push(vec![
        sheet::Cell::Text("通报段落（草稿）"),
        sheet::Cell::Text(&report.bulletin),
    ]);
    for (i, d) in report.definitions.iter().enumerate() {
        let label = if i == 0 { "统计口径" } else { "" };
        notes
            .rows
            .push(vec![sheet::Cell::Text(label), sheet::Cell::Text(d)]);
    }
    add_table(&mut book, &style, &notes)?;
    book.save_to_buffer()
}

/// The 汇总 rows: each figure this period, the previous one and a year earlier, then the
/// changes as numbers (a relative change for counts, percentage points for rates).
fn summary_rows(report: &Report) -> Vec<Vec<sheet::Cell<'_>>> {
    let now = figure_cells(&report.summary);
    let prev = figure_cells(&report.previous.figures);
    let earlier = figure_cells(&report.year_earlier.figures);
    let mut rows: Vec<Vec<sheet::Cell<'_>>> = DEPARTMENT_HEADERS[3..]
        .iter()
        .enumerate()
        .map(|(i, label)| {
            vec![
                sheet::Cell::Text(label),
                sheet_cell(&now[i]),
                sheet_cell(&prev[i]),
                sheet_cell(&earlier[i]),
            ]
        })
        .collect();
    let relative = |c: &ComparisonView| {
        (c.figures.received > 0).then(|| c.received_change as f64 / c.figures.received as f64)
    };
    let (p, y) = (&report.previous, &report.year_earlier);
    rows.push(vec![
        sheet::Cell::Text("接收留言变化（相对百分比）"),
        sheet::Cell::Text(""),
        sheet::Cell::Fraction(relative(p)),
        sheet::Cell::Fraction(relative(y)),
    ]);
    for (label, a, b) in [
        (
            "办结率变化（百分点）",
            &p.completion_rate_change,
            &y.completion_rate_change,
        ),
        (
            "按期答复率变化（百分点）",
            &p.on_time_rate_change,
            &y.on_time_rate_change,
        ),
        (
            "按期答复率（自受理起计）变化（百分点）",
            &p.inspector_on_time_rate_change,
            &y.inspector_on_time_rate_change,
        ),
    ] {
        rows.push(vec![
            sheet::Cell::Text(label),
            sheet::Cell::Text(""),
            sheet::Cell::Points(a.basis_points),
            sheet::Cell::Points(b.basis_points),
        ]);
    }
    rows
}
