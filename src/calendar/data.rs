//! Calendar data files: parsing `config/calendar/*.toml`, validating them (every problem is
//! collected, none stops the others from being found) and building the [`Calendar`] arrays.
//!
//! One file per year:
//!
//! ```toml
//! year = 2024
//! notice = "国务院办公厅关于2024年部分节假日安排的通知"
//! document = "国办发明电〔2023〕7号"     # optional
//! published = 2023-10-25                 # optional
//!
//! [[amendment]]                          # optional, for a later notice changing the year
//! notice = "…"
//! document = "…"
//!
//! [[holiday]]
//! name = "春节"
//! start = 2024-02-10
//! end = 2024-02-17
//!
//! [[makeup]]
//! name = "春节调休"
//! date = 2024-02-04
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use toml::{Table, Value};

use super::{Calendar, DayKind};

/// One problem found in the calendar files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataProblem {
    /// File the problem is in (as given to the loader, e.g. `config/calendar/2024.toml`).
    pub file: String,
    /// The year section, when known.
    pub year: Option<i32>,
    /// The entry, e.g. `holiday #2 "春节" (2024-02-10 to 2024-02-17)`, when the problem is in one.
    pub entry: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DataProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(year) = self.year {
            write!(f, ": year {year}")?;
        }
        if let Some(entry) = &self.entry {
            write!(f, ": {entry}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The calendar files could not be loaded; lists every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDataError {
    problems: Vec<DataProblem>,
}

impl CalendarDataError {
    /// Every problem found, in file order.
    pub fn problems(&self) -> &[DataProblem] {
        &self.problems
    }
}

impl fmt::Display for CalendarDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CalendarDataError {}

/// Reads every `*.toml` file of `dir` (in file-name order) and builds the calendar, with
/// provisional years after the last official one through `provisional_through` (at least one).
/// Which years a loaded calendar covers.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Span {
    /// Ignore official files after this year (rebuilds the calendar as it was before a year
    /// was installed).
    pub official_until: Option<i32>,
    /// Provisional years through this one (default: the year after the last official one).
    pub provisional_through: Option<i32>,
}

pub(super) fn load_dir(dir: &Path, span: Span) -> Result<Calendar, CalendarDataError> {
    let dir_name = dir.display().to_string();
    let fail = |message: String| CalendarDataError {
        problems: vec![DataProblem {
            file: dir_name.clone(),
            year: None,
            entry: None,
            message,
        }],
    };
    let entries =
        std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read calendar directory: {e}")))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| fail(format!("cannot read calendar directory: {e}")))?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(fail("no *.toml calendar files found".to_owned()));
    }
    let mut sources = Vec::with_capacity(paths.len());
    let mut problems = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push((file, text)),
            Err(e) => problems.push(DataProblem {
                file,
                year: None,
                entry: None,
                message: format!("cannot read file: {e}"),
            }),
        }
    }
    match from_sources(&sources, span) {
        Ok(calendar) if problems.is_empty() => Ok(calendar),
        Ok(_) => Err(CalendarDataError { problems }),
        Err(mut e) => {
            problems.append(&mut e.problems);
            Err(CalendarDataError { problems })
        }
    }
}

/// A holiday range as written in a file.
#[derive(Debug)]
struct Holiday {
    file: usize,
    year: i32,
    label: String,
    name: String,
    start: NaiveDate,
    end: NaiveDate,
}

/// A make-up working day as written in a file.
#[derive(Debug)]
struct Makeup {
    file: usize,
    year: i32,
    label: String,
    name: String,
    date: NaiveDate,
}

/// A parsed year file.
#[derive(Debug)]
struct YearFile {
    file: usize,
    year: i32,
    notices: Vec<String>,
    holiday_entries: usize,
}

/// Collects problems while parsing, tagged with the file names.
struct Problems<'a> {
    names: Vec<&'a str>,
    list: Vec<DataProblem>,
}

impl Problems<'_> {
    fn push(
        &mut self,
        file: usize,
        year: Option<i32>,
        entry: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(DataProblem {
            file: self.names[file].to_owned(),
            year,
            entry: entry.map(str::to_owned),
            message: message.into(),
        });
    }
}

/// Parses, validates and builds a calendar from `(file name, text)` pairs; provisional years
/// follow the last official one through `provisional_through` (at least one year).
pub(super) fn from_sources(
    sources: &[(String, String)],
    span: Span,
) -> Result<Calendar, CalendarDataError> {
    let mut problems = Problems {
        names: sources.iter().map(|(name, _)| name.as_str()).collect(),
        list: Vec::new(),
    };
    let mut years = Vec::new();
    let mut holidays = Vec::new();
    let mut makeups = Vec::new();
    for (file, (name, text)) in sources.iter().enumerate() {
        if let Some(year) = parse_file(file, name, text, &mut problems, &mut holidays, &mut makeups)
        {
            years.push(year);
        }
    }
    validate(&years, &holidays, &makeups, &mut problems);
    if !problems.list.is_empty() {
        return Err(CalendarDataError {
            problems: problems.list,
        });
    }
    if let Some(until) = span.official_until {
        years.retain(|y| y.year <= until);
        holidays.retain(|h| h.year <= until);
        makeups.retain(|m| m.year <= until);
    }
    if years.is_empty() {
        return Err(CalendarDataError {
            problems: vec![DataProblem {
                file: sources
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                year: None,
                entry: None,
                message: "no calendar years found".to_owned(),
            }],
        });
    }
    Ok(build(&years, &holidays, &makeups, span.provisional_through))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses one file; entries go to `holidays`/`makeups`, problems to `problems`.
fn parse_file(
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

/// Checks across entries and files: duplicate or missing years, overlapping ranges,
/// make-up days that are also holidays.
fn validate(
    years: &[YearFile],
    holidays: &[Holiday],
    makeups: &[Makeup],
    problems: &mut Problems<'_>,
) {
    let mut by_year: BTreeMap<i32, &YearFile> = BTreeMap::new();
    for y in years {
        if let Some(previous) = by_year.get(&y.year) {
            let other = problems.names[previous.file].to_owned();
            problems.push(
                y.file,
                Some(y.year),
                None,
                format!("year {} is also defined in {other}", y.year),
            );
        } else {
            by_year.insert(y.year, y);
        }
        if y.holiday_entries == 0 {
            problems.push(
                y.file,
                Some(y.year),
                None,
                "year has no [[holiday]] entries",
            );
        }
    }
    if let (Some(&first), Some(&last)) = (by_year.keys().next(), by_year.keys().next_back()) {
        // A gap belongs to no file: name the directory the files are in.
        let scope = problems
            .names
            .first()
            .and_then(|name| Path::new(name).parent())
            .map(|dir| dir.display().to_string())
            .filter(|dir| !dir.is_empty())
            .unwrap_or_else(|| "calendar data".to_owned());
        for year in first..last {
            if !by_year.contains_key(&year) {
                problems.list.push(DataProblem {
                    file: scope.clone(),
                    year: Some(year),
                    entry: None,
                    message: format!(
                        "no data for {year}, which lies between the first ({first}) and last ({last}) covered years: add {year}.toml"
                    ),
                });
            }
        }
    }

    let mut sorted: Vec<&Holiday> = holidays.iter().collect();
    sorted.sort_by_key(|h| (h.start, h.end));
    let mut reach: Option<&Holiday> = None;
    for h in sorted {
        if let Some(prev) = reach {
            if h.start <= prev.end {
                let other = format!(
                    "{} in {} (year {})",
                    prev.label, problems.names[prev.file], prev.year
                );
                problems.push(
                    h.file,
                    Some(h.year),
                    Some(&h.label),
                    format!("overlaps {other}"),
                );
            }
            if h.end > prev.end {
                reach = Some(h);
            }
        } else {
            reach = Some(h);
        }
    }

    let mut sorted_makeups: Vec<&Makeup> = makeups.iter().collect();
    sorted_makeups.sort_by_key(|m| m.date);
    for pair in sorted_makeups.windows(2) {
        if pair[0].date == pair[1].date {
            let other = format!(
                "{} in {} (year {})",
                pair[0].label, problems.names[pair[0].file], pair[0].year
            );
            problems.push(
                pair[1].file,
                Some(pair[1].year),
                Some(&pair[1].label),
                format!("same date as {other}"),
            );
        }
    }
    for m in makeups {
        for h in holidays
            .iter()
            .filter(|h| h.start <= m.date && m.date <= h.end)
        {
            let other = format!(
                "{} in {} (year {})",
                h.label, problems.names[h.file], h.year
            );
            problems.push(
                m.file,
                Some(m.year),
                Some(&m.label),
                format!("{} is also a holiday: {other}", m.date),
            );
        }
    }
}

/// Builds the per-day arrays from validated entries; dates outside the covered years are dropped.
/// The years after the last official one, through `provisional_through` (at least one year),
/// get the provisional rule of [`provisional`](super::provisional).
fn build(
    years: &[YearFile],
    holidays: &[Holiday],
    makeups: &[Makeup],
    provisional_through: Option<i32>,
) -> Calendar {
    let first_year = years.iter().map(|y| y.year).min().unwrap_or(2024);
    let official_year = years.iter().map(|y| y.year).max().unwrap_or(first_year);
    let last_year = provisional_through.unwrap_or(official_year + 1).clamp(
        official_year + 1,
        official_year + super::MAX_PROVISIONAL_YEARS,
    );
    let first = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or_default();
    let official_last = NaiveDate::from_ymd_opt(official_year, 12, 31).unwrap_or(first);
    let last = NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap_or(official_last);
    let len = (last - first).num_days() as usize + 1;

    let mut kinds: Vec<DayKind> = first
        .iter_days()
        .take(len)
        .map(|d| {
            if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                DayKind::Weekend
            } else {
                DayKind::Workday
            }
        })
        .collect();
    let mut name_ids = vec![0u16; len];
    let mut names: Vec<String> = Vec::new();
    let mut intern = |name: &str| -> u16 {
        let pos = names.iter().position(|n| n == name).unwrap_or_else(|| {
            names.push(name.to_owned());
            names.len() - 1
        });
        (pos + 1) as u16
    };
    let index = |d: NaiveDate| -> Option<usize> {
        let i = (d - first).num_days();
        (0..len as i64).contains(&i).then_some(i as usize)
    };
    for h in holidays {
        let id = intern(&h.name);
        for d in h.start.iter_days().take_while(|d| *d <= h.end) {
            if let Some(i) = index(d) {
                kinds[i] = DayKind::Holiday;
                name_ids[i] = id;
            }
        }
    }
    for m in makeups {
        let id = intern(&m.name);
        if let Some(i) = index(m.date) {
            kinds[i] = DayKind::MakeupWorkday;
            name_ids[i] = id;
        }
    }
    for year in official_year + 1..=last_year {
        for (date, name) in super::provisional::statutory_holidays(year) {
            let id = intern(&name);
            if let Some(i) = index(date) {
                kinds[i] = DayKind::Holiday;
                name_ids[i] = id;
            }
        }
    }
    let mut sorted: Vec<&YearFile> = years.iter().collect();
    sorted.sort_by_key(|y| y.year);
    let notices = sorted
        .iter()
        .flat_map(|y| y.notices.iter().map(move |n| (y.year, n.clone())))
        .collect();
    Calendar::from_parts(first, official_last, kinds, name_ids, names, notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_2024: &str =
        "year = 2024\nnotice = \"国务院办公厅关于2024年部分节假日安排的通知\"\n";

    fn problems_of(sources: &[(&str, &str)]) -> Vec<String> {
        let sources: Vec<(String, String)> = sources
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        match from_sources(&sources, Span::default()) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(ToString::to_string).collect(),
        }
    }

    fn one_file(body: &str) -> Vec<String> {
        problems_of(&[("2024.toml", &format!("{HEADER_2024}{body}"))])
    }

    const NATIONAL_DAY: &str =
        "[[holiday]]\nname = \"国庆节\"\nstart = 2024-10-01\nend = 2024-10-07\n";

    #[test]
    fn a_valid_file_has_no_problems() {
        assert!(one_file(NATIONAL_DAY).is_empty());
    }

    #[test]
    fn overlapping_ranges_are_reported_with_both_entries() {
        let problems = one_file(&format!(
            "{NATIONAL_DAY}[[holiday]]\nname = \"中秋节\"\nstart = 2024-09-30\nend = 2024-10-02\n"
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("2024.toml: year 2024: holiday #1 \"国庆节\" (2024-10-01 to 2024-10-07): overlaps holiday #2 \"中秋节\""), "{}", problems[0]);
    }

    #[test]
    fn a_makeup_day_on_a_weekday_is_reported() {
        let problems = one_file(&format!(
            "{NATIONAL_DAY}[[makeup]]\nname = \"国庆节调休\"\ndate = 2024-10-11\n"
        ));
        assert_eq!(
            problems,
            vec!["2024.toml: year 2024: make-up day #1 \"国庆节调休\" (2024-10-11): a make-up working day must be a Saturday or Sunday, but 2024-10-11 is a Friday"]
        );
    }

    #[test]
    fn a_holiday_that_is_also_a_makeup_day_is_reported() {
        let problems = one_file(&format!(
            "{NATIONAL_DAY}[[makeup]]\nname = \"国庆节调休\"\ndate = 2024-10-05\n"
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("make-up day #1 \"国庆节调休\" (2024-10-05): 2024-10-05 is also a holiday: holiday #1 \"国庆节\""), "{}", problems[0]);
    }

    #[test]
    fn a_missing_year_between_covered_years_is_reported() {
        let problems = problems_of(&[
            (
                "2022.toml",
                &format!(
                    "year = 2022\nnotice = \"n\"\n{}",
                    NATIONAL_DAY.replace("2024", "2022")
                ),
            ),
            ("2024.toml", &format!("{HEADER_2024}{NATIONAL_DAY}")),
        ]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("calendar data: year 2023: no data for 2023"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn an_unparsable_date_is_reported() {
        let problems =
            one_file("[[holiday]]\nname = \"国庆节\"\nstart = \"2024-10-32\"\nend = 2024-10-07\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0],
            "2024.toml: year 2024: holiday #1 \"国庆节\": `start` is not a date (expected YYYY-MM-DD): \"2024-10-32\""
        );
    }

    #[test]
    fn a_range_ending_before_it_starts_is_reported() {
        let problems =
            one_file("[[holiday]]\nname = \"国庆节\"\nstart = 2024-10-07\nend = 2024-10-01\n");
        assert_eq!(
            problems,
            vec!["2024.toml: year 2024: holiday #1 \"国庆节\" (2024-10-07 to 2024-10-01): range ends (2024-10-01) before it starts (2024-10-07)"]
        );
    }

    #[test]
    fn an_entry_in_the_wrong_years_section_is_reported() {
        let problems = one_file(&format!(
            "{NATIONAL_DAY}[[makeup]]\nname = \"春节调休\"\ndate = 2025-01-26\n"
        ));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("make-up day #1 \"春节调休\" (2025-01-26): 2025-01-26 does not belong in the 2024 section"), "{}", problems[0]);
        let problems =
            one_file("[[holiday]]\nname = \"国庆节\"\nstart = 2023-10-01\nend = 2023-10-07\n");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("does not belong in the 2024 section")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_new_year_arrangement_may_start_in_the_previous_december() {
        let body = "[[holiday]]\nname = \"元旦\"\nstart = 2023-12-30\nend = 2024-01-01\n[[makeup]]\nname = \"元旦调休\"\ndate = 2023-12-23\n";
        assert!(one_file(body).is_empty(), "{:?}", one_file(body));
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let problems = problems_of(&[
            ("2024.toml", &format!("{HEADER_2024}[[holiday]]\nname = \"国庆节\"\nstart = 2024-10-07\nend = 2024-10-01\n[[makeup]]\nname = \"x\"\ndate = 2024-10-08\n")),
            ("2025.toml", "year = 2025\nnotice = \n"),
        ]);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[2].starts_with("2025.toml: not valid TOML at line 2"),
            "{}",
            problems[2]
        );
    }

    #[test]
    fn duplicate_years_missing_fields_and_unknown_keys_are_reported() {
        let problems = problems_of(&[
            ("a.toml", &format!("{HEADER_2024}{NATIONAL_DAY}")),
            (
                "b.toml",
                &format!(
                    "year = 2024\n{}[[makeup]]\ndate = 2024-10-12\nnam = \"y\"\n",
                    NATIONAL_DAY.replace("10-0", "11-0")
                ),
            ),
        ]);
        let joined = problems.join("\n");
        assert!(
            joined.contains("b.toml: year 2024: missing `notice`"),
            "{joined}"
        );
        assert!(joined.contains("unknown key `nam`"), "{joined}");
        assert!(joined.contains("missing `name`"), "{joined}");
        assert!(
            joined.contains("b.toml: year 2024: year 2024 is also defined in a.toml"),
            "{joined}"
        );
    }

    #[test]
    fn a_year_without_holidays_and_a_misnamed_file_are_reported() {
        let problems = problems_of(&[("2025.toml", HEADER_2024)]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("file is named for 2025"),
            "{}",
            problems[0]
        );
        assert!(
            problems[1].contains("year has no [[holiday]] entries"),
            "{}",
            problems[1]
        );
    }

    #[test]
    fn the_error_display_prints_one_problem_per_line() {
        let sources = vec![(
            "2024.toml".to_owned(),
            format!("{HEADER_2024}[[holiday]]\nname = 1\n"),
        )];
        let err = from_sources(&sources, Span::default()).unwrap_err();
        assert_eq!(err.to_string().lines().count(), err.problems().len());
        assert!(err.problems().len() >= 3);
    }
}
