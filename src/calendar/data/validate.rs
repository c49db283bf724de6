//! Checking the years read against each other and the weekdays (every problem collected), and building the [`Calendar`] arrays.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};

use super::{Calendar, DataProblem, DayKind, Holiday, Makeup, Problems, YearFile};

/// Checks across entries and files: duplicate or missing years, overlapping ranges,
/// make-up days that are also holidays.
pub(super) fn validate(
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
pub(super) fn build(
    years: &[YearFile],
    holidays: &[Holiday],
    makeups: &[Makeup],
    provisional_through: Option<i32>,
) -> Calendar {
    let first_year = years.iter().map(|y| y.year).min().unwrap_or(2024);
    let official_year = years.iter().map(|y| y.year).max().unwrap_or(first_year);
    let last_year = provisional_through.unwrap_or(official_year + 1).clamp(
        official_year + 1,
        official_year + crate::calendar::MAX_PROVISIONAL_YEARS,
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
        for (date, name) in crate::calendar::provisional::statutory_holidays(year) {
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
