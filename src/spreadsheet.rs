//! The house style of every XLSX table huiyin writes (the monthly report, the self-check): real
//! date cells in the office's local time, numbers for every count, rate and change, a frozen
//! header row with filters, column widths that fit Chinese text, and A4 print setup. The writers
//! of each workbook say what goes in the cells; how a table looks is decided here once.

use chrono::{DateTime, NaiveDateTime};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// One cell of a table.
pub enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Int(i64),
    /// A rate decided in basis points (9950 = 99.50%); `None` prints "—".
    Rate(Option<i64>),
    /// A fraction shown as a percentage with one decimal (a relative change); `None` prints "—".
    Fraction(Option<f64>),
    /// A change in percentage points, in hundredths of a point; `None` prints "—".
    Points(Option<i64>),
    /// A plain number such as an average of working days; `None` prints "—".
    Number(Option<f64>),
    /// A local date and time; `None` prints the text given.
    Time(Option<NaiveDateTime>, &'a str),
}

impl Cell<'_> {
    /// A time cell from an RFC 3339 text in the office's offset (as the report views keep it):
    /// the wall-clock time the office saw, as a date cell.
    pub fn time<'a>(rfc3339: Option<&str>, otherwise: &'a str) -> Cell<'a> {
        Cell::Time(rfc3339.and_then(local_time), otherwise)
    }

    /// The width of the cell's printed text, in character widths (a Chinese character is two).
    fn width(&self) -> usize {
        match self {
            Cell::Text(s) => display_width(s),
            Cell::Owned(s) => display_width(s),
            Cell::Int(n) => n.to_string().len(),
            Cell::Rate(_) | Cell::Fraction(_) | Cell::Points(_) => 7,
            Cell::Number(_) => 6,
            Cell::Time(Some(_), _) => 16,
            Cell::Time(None, s) => display_width(s),
        }
    }
}

/// The wall-clock time of an RFC 3339 text, in its own offset.
pub fn local_time(rfc3339: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.naive_local())
}

/// Columns of full-width characters count twice: that is how wide they print.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

/// Text wider than this wraps inside its column instead of widening it.
const MAX_WIDTH: usize = 48;
/// A sheet whose columns add up to more than this prints in landscape.
const PORTRAIT_WIDTH: usize = 100;
/// A4 in the paper codes of the XLSX format.
const PAPER_A4: u8 = 9;

/// The formats of one workbook.
pub struct Style {
    title: Format,
    header: Format,
    text: Format,
    wrap: Format,
    percent: Format,
    fraction: Format,
    points: Format,
    number: Format,
    time: Format,
}

impl Style {
    /// Rates print with `decimals` (1 or 2) decimals, as the report is configured.
    pub fn new(decimals: u8) -> Style {
        let body = || Format::new().set_border(FormatBorder::Thin);
        let rate = if decimals == 1 { "0.0%" } else { "0.00%" };
        Style {
            title: Format::new().set_bold().set_font_size(14),
            header: body()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#E7E6E6"),
            text: body(),
            wrap: body().set_text_wrap().set_align(FormatAlign::Top),
            percent: body().set_num_format(rate),
            fraction: body().set_num_format("+0.0%;-0.0%;0.0%"),
            points: body().set_num_format("+0.00;-0.00;0.00"),
            number: body().set_num_format("0.00"),
            time: body().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }
}

/// A table on a sheet of its own: a title, a few labelled facts under it (scope, time of the
/// figures), a header row, and its rows.
pub struct Table<'a> {
    pub sheet: &'a str,
    pub title: Option<String>,
    pub facts: Vec<(&'a str, Cell<'a>)>,
    pub headers: Vec<&'a str>,
    pub rows: Vec<Vec<Cell<'a>>>,
}

impl<'a> Table<'a> {
    /// A bare table: header in the first row.
    pub fn new(sheet: &'a str, headers: Vec<&'a str>, rows: Vec<Vec<Cell<'a>>>) -> Table<'a> {
        Table {
            sheet,
            title: None,
            facts: Vec::new(),
            headers,
            rows,
        }
    }

    /// The row of the header: below the title and facts and one empty row.
    pub fn header_row(&self) -> u32 {
        let above = u32::from(self.title.is_some()) + self.facts.len() as u32;
        if above == 0 {
            0
        } else {
            above + 1
        }
    }
}

/// Adds `table` as a sheet of `book`: header frozen and filtered, widths fitted, printed on A4
/// fitted to the page width with the header repeated on every page.
pub fn add_table(book: &mut Workbook, style: &Style, table: &Table<'_>) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(table.sheet)?;
    let mut row = 0;
    if let Some(title) = &table.title {
        sheet.write_string_with_format(0, 0, title, &style.title)?;
        row += 1;
    }
    for (label, value) in &table.facts {
        sheet.write_string(row, 0, *label)?;
        write_cell(sheet, style, row, 1, value)?;
        row += 1;
    }
    let header = table.header_row();
    for (col, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(header, col as u16, *h, &style.header)?;
    }
    for (i, cells) in table.rows.iter().enumerate() {
        write_row(sheet, style, header + 1 + i as u32, cells)?;
    }
    let widths = column_widths(table);
    for (col, w) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *w as f64)?;
    }
    let last_col = table.headers.len().saturating_sub(1) as u16;
    sheet.set_freeze_panes(header + 1, 0)?;
    sheet.autofilter(header, 0, header + table.rows.len() as u32, last_col)?;
    sheet.set_paper_size(PAPER_A4);
    if widths.iter().sum::<usize>() > PORTRAIT_WIDTH {
        sheet.set_landscape();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, header)?;
    sheet.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

fn write_row(
    sheet: &mut Worksheet,
    style: &Style,
    row: u32,
    cells: &[Cell<'_>],
) -> Result<(), XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        write_cell(sheet, style, row, col as u16, cell)?;
    }
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    s: &Style,
    row: u32,
    col: u16,
    cell: &Cell<'_>,
) -> Result<(), XlsxError> {
    let text = |sheet: &mut Worksheet, t: &str| {
        let format = if display_width(t) > MAX_WIDTH {
            &s.wrap
        } else {
            &s.text
        };
        sheet
            .write_string_with_format(row, col, t, format)
            .map(|_| ())
    };
    let number = |sheet: &mut Worksheet, v: f64, format: &Format| {
        sheet
            .write_number_with_format(row, col, v, format)
            .map(|_| ())
    };
    match cell {
        Cell::Text(t) => text(sheet, t),
        Cell::Owned(t) => text(sheet, t),
        Cell::Int(n) => number(sheet, *n as f64, &s.text),
        Cell::Rate(Some(bp)) => number(sheet, *bp as f64 / 10_000.0, &s.percent),
        Cell::Fraction(Some(f)) => number(sheet, *f, &s.fraction),
        Cell::Points(Some(p)) => number(sheet, *p as f64 / 100.0, &s.points),
        Cell::Number(Some(v)) => number(sheet, *v, &s.number),
        Cell::Time(Some(t), _) => sheet
            .write_datetime_with_format(row, col, t, &s.time)
            .map(|_| ()),
        Cell::Time(None, t) => text(sheet, t),
        Cell::Rate(None) | Cell::Fraction(None) | Cell::Points(None) | Cell::Number(None) => {
            text(sheet, "—")
        }
    }
}

/// Each column as wide as its widest cell or header word, within [6, MAX_WIDTH] plus padding.
fn column_widths(table: &Table<'_>) -> Vec<usize> {
    (0..table.headers.len())
        .map(|col| {
            // A header wraps onto two lines when it is long, so half its width is enough.
            let header = display_width(table.headers[col]).div_ceil(2).max(4);
            let facts = table.facts.iter().map(|(label, value)| match col {
                0 => display_width(label),
                1 => value.width(),
                _ => 0,
            });
            let cells = table
                .rows
                .iter()
                .filter_map(|r| r.get(col))
                .map(Cell::width)
                .chain(facts)
                .max()
                .unwrap_or(0);
            header.max(cells).clamp(6, MAX_WIDTH) + 2
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_characters_count_twice() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("市长信箱"), 8);
        assert_eq!(display_width("12345热线"), 9);
    }

    #[test]
    fn a_time_cell_keeps_the_offices_wall_clock() {
        let t = local_time("2026-11-21T18:06:58+08:00").unwrap();
        assert_eq!(t.format("%Y-%m-%d %H:%M").to_string(), "2026-11-21 18:06");
        assert!(local_time("yesterday").is_none());
    }

    #[test]
    fn columns_fit_their_widest_cell_but_long_text_wraps() {
        let long = "关".repeat(60);
        let table = Table {
            sheet: "t",
            title: None,
            facts: vec![],
            headers: vec!["单位名称", "标题", "收到时间"],
            rows: vec![vec![
                Cell::Text("市住房和城乡建设局"),
                Cell::Owned(long),
                Cell::time(Some("2026-11-21T18:06:58+08:00"), ""),
            ]],
        };
        assert_eq!(column_widths(&table), vec![20, MAX_WIDTH + 2, 18]);
    }
}
