//! Report files: CSV (the department table) and XLSX (summary, departments, 找错 by site, late messages), with Chinese headers.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::error::AppError;
use crate::sla::PROVISIONAL_MARK;

use super::views::{FiguresView, RateView, Report};

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

fn write_cells(
    sheet: &mut Worksheet,
    row: u32,
    first_col: u16,
    cells: &[Cell<'_>],
    percent: &Format,
) -> Result<(), XlsxError> {
    for (i, cell) in cells.iter().enumerate() {
        let col = first_col + i as u16;
        match cell {
            Cell::Text(s) => sheet.write_string(row, col, *s).map(|_| ())?,
            Cell::Int(n) => sheet.write_number(row, col, *n as f64).map(|_| ())?,
            // The rate was decided in integers; the cell carries that printed value as a number.
            Cell::Rate(r) => match r.basis_points {
                Some(bp) => sheet
                    .write_number_with_format(row, col, bp as f64 / 10_000.0, percent)
                    .map(|_| ())?,
                None => sheet.write_string(row, col, "—").map(|_| ())?,
            },
            Cell::Decimal(d) => match d.and_then(|s| s.parse::<f64>().ok()) {
                Some(v) => sheet.write_number(row, col, v).map(|_| ())?,
                None => sheet.write_string(row, col, "—").map(|_| ())?,
            },
        }
    }
    Ok(())
}

/// The workbook: 汇总 (summary), 各单位 (ranked departments), 逾期清单 (late messages).
pub fn xlsx(report: &Report) -> Result<Vec<u8>, AppError> {
    build_xlsx(report).map_err(xlsx_err)
}

fn build_xlsx(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let percent = Format::new().set_num_format(if report.decimals == 1 {
        "0.0%"
    } else {
        "0.00%"
    });
    let bold = Format::new().set_bold();

    let sheet = book.add_worksheet().set_name("汇总")?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 18)?;
    sheet.set_column_width(2, 18)?;
    sheet.set_column_width(3, 18)?;
    let title = format!("{}{}留言办理情况统计", report.office, report.period_label);
    sheet.write_string_with_format(0, 0, &title, &bold)?;
    let meta = [
        ("统计周期", report.period_label.clone()),
        ("统计范围", report.scope_label.clone()),
        ("统计时点", report.as_of.clone()),
        ("舍入规则", report.rounding_label.clone()),
        (
            "版本",
            match report.version {
                Some(v) => format!("第{v}版（已固定）"),
                None => "实时数据（统计周期未结束）".into(),
            },
        ),
    ];
    let mut row = 2;
    for (k, v) in &meta {
        sheet.write_string(row, 0, *k)?;
        sheet.write_string(row, 1, v)?;
        row += 1;
    }
    row += 1;
    for (col, h) in [
        "指标",
        "本期",
        report.previous.label.as_str(),
        report.year_earlier.label.as_str(),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, *h, &bold)?;
    }
    row += 1;
    let labels = &DEPARTMENT_HEADERS[3..];
    let now = figure_cells(&report.summary);
    let prev = figure_cells(&report.previous.figures);
    let earlier = figure_cells(&report.year_earlier.figures);
    for (i, label) in labels.iter().enumerate() {
        sheet.write_string(row, 0, *label)?;
        for (col, cells) in [&now, &prev, &earlier].iter().enumerate() {
            write_cells(sheet, row, col as u16 + 1, &cells[i..=i], &percent)?;
        }
        row += 1;
    }
    let no_change = String::from("—");
    for (label, prev, earlier) in [
        (
            "接收留言变化（相对百分比）",
            report
                .previous
                .received_change_phrase_zh
                .as_ref()
                .unwrap_or(&no_change),
            report
                .year_earlier
                .received_change_phrase_zh
                .as_ref()
                .unwrap_or(&no_change),
        ),
        (
            "办结率变化（百分点）",
            &report.previous.completion_rate_change.text,
            &report.year_earlier.completion_rate_change.text,
        ),
        (
            "按期答复率变化（百分点）",
            &report.previous.on_time_rate_change.text,
            &report.year_earlier.on_time_rate_change.text,
        ),
        (
            "按期答复率（自受理起计）变化（百分点）",
            &report.previous.inspector_on_time_rate_change.text,
            &report.year_earlier.inspector_on_time_rate_change.text,
        ),
    ] {
        sheet.write_string(row, 0, label)?;
        sheet.write_string(row, 2, prev)?;
        sheet.write_string(row, 3, earlier)?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, 0, "通报段落（草稿）", &bold)?;
    sheet.write_string(row + 1, 0, &report.bulletin)?;
    row += 3;
    sheet.write_string_with_format(row, 0, "统计口径", &bold)?;
    for (i, d) in report.definitions.iter().enumerate() {
        sheet.write_string(row + 1 + i as u32, 0, d)?;
    }

    let sheet = book.add_worksheet().set_name("各单位")?;
    for (col, h) in DEPARTMENT_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
        sheet.set_column_width(col as u16, if col == 2 { 28 } else { 12 })?;
    }
    for (i, cells) in department_table(report).iter().enumerate() {
        write_cells(sheet, i as u32 + 1, 0, cells, &percent)?;
    }

    let sheet = book.add_worksheet().set_name("找错")?;
    for (col, h) in SITE_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 32 } else { 12 })?;
    }
    for (i, s) in report.by_site.iter().enumerate() {
        let f = &s.figures;
        let cells = [
            Cell::Text(&s.label),
            Cell::Int(f.received),
            Cell::Int(f.replied),
            Cell::Int(f.due),
            Cell::Int(f.replied_on_time),
            Cell::Rate(&f.on_time_rate),
            Cell::Int(f.confirmed),
            Cell::Int(f.not_confirmed),
            Cell::Rate(&f.confirmed_rate),
        ];
        write_cells(sheet, i as u32 + 1, 0, &cells, &percent)?;
    }

    let sheet = book.add_worksheet().set_name("逾期清单")?;
    let headers = [
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
    ];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(4, 40)?;
    for c in 6..9 {
        sheet.set_column_width(c, 26)?;
    }
    let mut row = 1;
    for d in &report.by_department {
        for o in &d.overdue {
            let due = if o.deadline_provisional {
                format!("{}{}", o.due_at, PROVISIONAL_MARK)
            } else {
                o.due_at.clone()
            };
            let cells = [
                Cell::Text(&d.name),
                Cell::Int(o.id),
                Cell::Text(&o.channel),
                Cell::Text(&o.category),
                Cell::Text(&o.subject),
                Cell::Text(o.site_name.as_deref().unwrap_or("")),
                Cell::Text(&o.received_at),
                Cell::Text(&due),
                Cell::Text(o.replied_at.as_deref().unwrap_or("")),
                Cell::Text(&o.status),
                Cell::Int(o.working_days_overdue),
            ];
            write_cells(sheet, row, 0, &cells, &percent)?;
            row += 1;
        }
    }
    book.save_to_buffer()
}
