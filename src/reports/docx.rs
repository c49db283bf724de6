//! The Word (DOCX) draft of the bulletin (通报), in the house style of the published ones: title,
//! a 文号 placeholder, the addressees, the paragraph, the ranking table, the 核查清单, the
//! requirements, the signature and the date. The paragraph may be the leader's edit; every figure
//! in the tables comes from the same report as the other outputs and cannot be edited here.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, Table, TableCell,
    TableRow,
};

use crate::error::AppError;

use super::views::Report;

/// Word's sizes are half-points: 三号 (16 pt) for the text, 二号 (22 pt) for the title, 五号 in tables.
const TEXT: usize = 32;
const TITLE: usize = 44;
const TABLE: usize = 21;
/// A4 in twentieths of a point, with the margins of official documents (37 mm top, 28 mm sides).
const A4: (u32, u32) = (11_906, 16_838);

/// What the office asks of the departments after the figures (edited in Word when it differs).
pub const REQUIREMENTS: &str =
    "各单位要高度重视网民留言办理工作，对通报中指出的逾期留言立即办理答复，\
举一反三，认真整改，确保“件件有回音”。";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn text(s: &str) -> Run {
    Run::new()
        .add_text(s)
        .size(TEXT)
        .fonts(fonts("仿宋_GB2312"))
}

fn heading(s: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(s).size(TEXT).fonts(fonts("黑体")))
        .first_line_chars(200)
}

/// A body paragraph: first line indented two characters, fixed 28-point lines.
fn body(s: &str) -> Paragraph {
    Paragraph::new()
        .add_run(text(s))
        .first_line_chars(200)
        .line_spacing(LineSpacing::new().line(560))
}

fn cell(s: &str, bold: bool) -> TableCell {
    let mut run = Run::new().add_text(s).size(TABLE).fonts(fonts("宋体"));
    if bold {
        run = run.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(run).align(AlignmentType::Center))
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut out = vec![TableRow::new(
        headers.iter().map(|h| cell(h, true)).collect(),
    )];
    out.extend(
        rows.iter()
            .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
    );
    Table::new(out)
}

/// The draft of `report` with `paragraph` as its text (the report's own draft, or the leader's edit).
pub fn draft(report: &Report, paragraph: &str) -> Result<Vec<u8>, AppError> {
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1587)
                .right(1474),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(format!(
                            "{}关于{}网民留言办理情况的通报",
                            report.office, report.period_label
                        ))
                        .size(TITLE)
                        .fonts(fonts("方正小标宋简体")),
                )
                .align(AlignmentType::Center),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&format!(
                    "〔{}〕　号",
                    report.as_of.get(..4).unwrap_or_default()
                )))
                .align(AlignmentType::Center),
        )
        .add_paragraph(Paragraph::new().add_run(text("各有关单位：")))
        .add_paragraph(body(&format!(
            "现将{}网民留言办理情况通报如下：",
            report.period_label
        )))
        .add_paragraph(heading("一、总体情况"));
    for line in paragraph.lines().map(str::trim).filter(|l| !l.is_empty()) {
        doc = doc.add_paragraph(body(line));
    }
    doc = doc
        .add_paragraph(heading("二、各单位办理情况"))
        .add_table(ranking(report))
        .add_paragraph(heading("三、逾期留言核查清单"));
    let late = checklist(report);
    doc = if late.is_empty() {
        doc.add_paragraph(body("本期无逾期留言。"))
    } else {
        doc.add_table(table(
            &["单位", "编号", "标题", "收到时间", "答复期限", "逾期情况"],
            late,
        ))
    };
    doc = doc
        .add_paragraph(heading("四、工作要求"))
        .add_paragraph(body(REQUIREMENTS))
        .add_paragraph(Paragraph::new())
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&report.office))
                .align(AlignmentType::Right),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&super::bulletin::as_of_date(report)))
                .align(AlignmentType::Right),
        );
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write the DOCX file: {e}")))?;
    Ok(out.into_inner())
}

/// The ranking as the bulletins print it: rank, unit, received, replied, the two rates.
fn ranking(report: &Report) -> Table {
    let rows = report
        .by_department
        .iter()
        .map(|d| {
            let f = &d.figures;
            vec![
                d.rank.to_string(),
                d.name.clone(),
                f.received.to_string(),
                f.replied.to_string(),
                f.completion_rate.text.clone(),
                f.inspector_on_time_rate.text.clone(),
                f.open_overdue.to_string(),
            ]
        })
        .collect();
    table(
        &[
            "排名",
            "单位",
            "接收留言",
            "办结",
            "办结率",
            "按期答复率（自受理起计）",
            "逾期未办结",
        ],
        rows,
    )
}

/// One line per late message, in the words of every other output.
fn checklist(report: &Report) -> Vec<Vec<String>> {
    report
        .by_department
        .iter()
        .flat_map(|d| {
            d.overdue.iter().map(|o| {
                vec![
                    d.name.clone(),
                    o.id.to_string(),
                    o.subject.clone(),
                    o.received_short(),
                    o.due_short(),
                    o.lateness_zh(),
                ]
            })
        })
        .collect()
}
