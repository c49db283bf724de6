//! Reading one calendar file: its keys, dates and entries, each problem collected with its line.

use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use toml::{Table, Value};

use super::{line_of, Holiday, Makeup, Problems, YearFile};

/// Parses one file; entries go to `holidays`/`makeups`, problems to `problems`.
pub(super) fn parse_file(
    file: usize,
    name: &str,
    text: &str,
    problems: &mut Problems<'_>,
    holidays: &mut Vec<Holiday>,
    makeups: &mut Vec<Makeup>,
) -> Option<YearFile> {
    let table: Table = match toml::from_str(text) {
        Ok(table) => table,
        Err(e) => {
            let at = e
                .span()
                .map(|s| format!(" at line {}", line_of(text, s.start)))
                .unwrap_or_default();
            problems.push(
                file,
                None,
                None,
                format!("not valid TOML{at}: {}", e.message().trim()),
            );
            return None;
        }
    };
    let year = match table.get("year") {
        Some(Value::Integer(y)) if (1949..=2200).contains(y) => *y as i32,
        Some(other) => {
            problems.push(
                file,
                None,
                None,
                format!("`year` must be a year such as 2024, found {other}"),
            );
            return None;
        }
        None => {
            problems.push(file, None, None, "missing `year = <YYYY>`");
            return None;
        }
    };
    let y = Some(year);
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if let Ok(stem_year) = stem.parse::<i32>() {
        if stem_year != year {
            problems.push(
                file,
                y,
                None,
                format!("file is named for {stem_year} but says `year = {year}`"),
            );
        }
    }
    for key in table.keys() {
        if ![
            "year",
            "notice",
            "document",
            "published",
            "amendment",
            "holiday",
            "makeup",
        ]
        .contains(&key.as_str())
        {
            problems.push(
                file,
                y,
                None,
                format!("unknown key `{key}` (expected year, notice, document, published, amendment, holiday, makeup)"),
            );
        }
    }
    let mut notices = Vec::new();
    match notice_of(&table) {
        Ok(Some(n)) => notices.push(n),
        Ok(None) => problems.push(
            file,
            y,
            None,
            "missing `notice` (the title of the State Council notice)",
        ),
        Err(message) => problems.push(file, y, None, message),
    }
    if let Some(v) = table.get("published") {
        if let Err(message) = date_value(v, "published") {
            problems.push(file, y, None, message);
        }
    }
    for (i, item) in array_of(&table, "amendment", file, y, problems)
        .iter()
        .enumerate()
    {
        let label = format!("amendment #{}", i + 1);
        match item.as_table().map(notice_of) {
            Some(Ok(Some(n))) => notices.push(n),
            Some(Ok(None)) => problems.push(file, y, Some(&label), "missing `notice`"),
            Some(Err(message)) => problems.push(file, y, Some(&label), message),
            None => problems.push(file, y, Some(&label), "must be a table ([[amendment]])"),
        }
    }

    let holiday_items = array_of(&table, "holiday", file, y, problems);
    for (i, item) in holiday_items.iter().enumerate() {
        let mut label = format!("holiday #{}", i + 1);
        let Some(entry) = item.as_table() else {
            problems.push(file, y, Some(&label), "must be a table ([[holiday]])");
            continue;
        };
        let name = entry_name(entry);
        if let Some(n) = &name {
            label.push_str(&format!(" \"{n}\""));
        }
        let start = entry.get("start").map(|v| date_value(v, "start"));
        let end = entry.get("end").map(|v| date_value(v, "end"));
        if let (Some(Ok(s)), Some(Ok(e))) = (&start, &end) {
            label.push_str(&format!(" ({s} to {e})"));
        }
        let mut ok = check_keys(entry, &["name", "start", "end"], file, y, &label, problems);
        if name.is_none() {
            problems.push(
                file,
                y,
                Some(&label),
                "missing `name` (a non-empty string such as \"春节\")",
            );
            ok = false;
        }
        let mut dates = [None, None];
        for (slot, (key, value)) in dates.iter_mut().zip([("start", start), ("end", end)]) {
            match value {
                Some(Ok(date)) => *slot = Some(date),
                Some(Err(message)) => {
                    problems.push(file, y, Some(&label), message);
                    ok = false;
                }
                None => {
                    problems.push(file, y, Some(&label), format!("missing `{key}` date"));
                    ok = false;
                }
            }
        }
        let [Some(start), Some(end)] = dates else {
            continue;
        };
        if end < start {
            problems.push(
                file,
                y,
                Some(&label),
                format!("range ends ({end}) before it starts ({start})"),
            );
            ok = false;
        }
        for date in [start, end] {
            if !in_year_section(date, year) {
                problems.push(file, y, Some(&label), wrong_year_message(date, year));
                ok = false;
                break;
            }
        }
        if ok {
            holidays.push(Holiday {
                file,
                year,
                label,
                name: name.unwrap_or_default(),
                start,
                end,
            });
        }
    }

    for (i, item) in array_of(&table, "makeup", file, y, problems)
        .iter()
        .enumerate()
    {
        let mut label = format!("make-up day #{}", i + 1);
        let Some(entry) = item.as_table() else {
            problems.push(file, y, Some(&label), "must be a table ([[makeup]])");
            continue;
        };
        let name = entry_name(entry);
        if let Some(n) = &name {
            label.push_str(&format!(" \"{n}\""));
        }
        let date = entry.get("date").map(|v| date_value(v, "date"));
        if let Some(Ok(date)) = &date {
            label.push_str(&format!(" ({date})"));
        }
        let mut ok = check_keys(entry, &["name", "date"], file, y, &label, problems);
        if name.is_none() {
            problems.push(
                file,
                y,
                Some(&label),
                "missing `name` (a non-empty string such as \"春节调休\")",
            );
            ok = false;
        }
        let date = match date {
            Some(Ok(date)) => date,
            Some(Err(message)) => {
                problems.push(file, y, Some(&label), message);
                continue;
            }
            None => {
                problems.push(file, y, Some(&label), "missing `date`");
                continue;
            }
        };
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            problems.push(
                file,
                y,
                Some(&label),
                format!(
                    "a make-up working day must be a Saturday or Sunday, but {date} is a {}",
                    weekday_name(date)
                ),
            );
            ok = false;
        }
        if !in_year_section(date, year) {
            problems.push(file, y, Some(&label), wrong_year_message(date, year));
            ok = false;
        }
        if ok {
            makeups.push(Makeup {
                file,
                year,
                label,
                name: name.unwrap_or_default(),
                date,
            });
        }
    }
    Some(YearFile {
        file,
        year,
        notices,
        holiday_entries: holiday_items.len(),
    })
}

fn array_of<'t>(
    table: &'t Table,
    key: &str,
    file: usize,
    year: Option<i32>,
    problems: &mut Problems<'_>,
) -> &'t [Value] {
    match table.get(key) {
        None => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(
                file,
                year,
                None,
                format!("`{key}` must be an array of tables ([[{key}]])"),
            );
            &[]
        }
    }
}

fn check_keys(
    entry: &Table,
    allowed: &[&str],
    file: usize,
    year: Option<i32>,
    label: &str,
    problems: &mut Problems<'_>,
) -> bool {
    let mut ok = true;
    for key in entry.keys() {
        if !allowed.contains(&key.as_str()) {
            problems.push(
                file,
                year,
                Some(label),
                format!("unknown key `{key}` (expected {})", allowed.join(", ")),
            );
            ok = false;
        }
    }
    ok
}

fn entry_name(entry: &Table) -> Option<String> {
    match entry.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// `notice` (+ optional `document`) of a table as one display string.
fn notice_of(table: &Table) -> Result<Option<String>, String> {
    let notice = match table.get("notice") {
        None => return Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim(),
        Some(_) => return Err("`notice` must be a non-empty string".to_owned()),
    };
    match table.get("document") {
        None => Ok(Some(notice.to_owned())),
        Some(Value::String(doc)) if !doc.trim().is_empty() => {
            Ok(Some(format!("{notice}（{}）", doc.trim())))
        }
        Some(_) => Err(
            "`document` must be a non-empty string such as \"国办发明电〔2023〕7号\"".to_owned(),
        ),
    }
}

/// A date given as a TOML local date (`2024-10-01`) or a string (`"2024-10-01"`).
fn date_value(value: &Value, key: &str) -> Result<NaiveDate, String> {
    let bad = |shown: String| format!("`{key}` is not a date (expected YYYY-MM-DD): {shown}");
    match value {
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
            .ok_or_else(|| bad(dt.to_string())),
            _ => Err(bad(format!("{dt} (a date-time; give only the date)"))),
        },
        Value::String(s) => {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad(format!("\"{s}\"")))
        }
        other => Err(bad(other.to_string())),
    }
}

/// Entries of year Y lie in Y, or in December of Y-1: the notice for Y also announces the
/// 元旦 arrangement, which may start (or have a make-up day) in the last days of Y-1.
fn in_year_section(date: NaiveDate, year: i32) -> bool {
    date.year() == year || (date.year() == year - 1 && date.month() == 12)
}

fn wrong_year_message(date: NaiveDate, year: i32) -> String {
    format!(
        "{date} does not belong in the {year} section (dates must be in {year}, or in December {} for the New Year holiday)",
        year - 1
    )
}

fn weekday_name(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
