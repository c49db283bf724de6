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

use std::fmt;
use std::path::Path;

use chrono::NaiveDate;

use super::{Calendar, DayKind};

mod parse;
mod validate;

use parse::parse_file;
use validate::{build, validate};

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
