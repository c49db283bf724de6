//! Reporting periods (a month, a quarter or a year) and their bounds in the office's time zone.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// A month (`2026-10`), a quarter (`2026-Q3`) or a year (`2026`), on the office's local calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

const QUARTERS_ZH: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// The month that contains `now` in `tz`.
    pub fn month_of(now: DateTime<Utc>, tz: Tz) -> Period {
        let d = now.with_timezone(&tz).date_naive();
        Period::Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// First local date of the period.
    pub fn first_day(&self) -> NaiveDate {
        let (y, m) = match *self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, 3 * quarter - 2),
            Period::Year { year } => (year, 1),
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    /// The period that follows this one.
    pub fn next(&self) -> Period {
        match *self {
            Period::Month { year, month: 12 } => Period::Month {
                year: year + 1,
                month: 1,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month + 1,
            },
            Period::Quarter { year, quarter: 4 } => Period::Quarter {
                year: year + 1,
                quarter: 1,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter + 1,
            },
            Period::Year { year } => Period::Year { year: year + 1 },
        }
    }

    /// The period before (环比: previous month, quarter or year).
    pub fn previous(&self) -> Period {
        match *self {
            Period::Month { year, month: 1 } => Period::Month {
                year: year - 1,
                month: 12,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month - 1,
            },
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
            Period::Year { year } => Period::Year { year: year - 1 },
        }
    }

    /// The same period a year earlier (同比).
    pub fn year_earlier(&self) -> Period {
        match *self {
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::Year { year } => Period::Year { year: year - 1 },
        }
    }

    /// `[start, end)` in UTC seconds: local midnight of the first day to local midnight after the last.
    pub fn bounds(&self, tz: Tz) -> (i64, i64) {
        (
            local_midnight(tz, self.first_day()),
            local_midnight(tz, self.next().first_day()),
        )
    }

    /// Closed once its end is not after `as_of`: its figures can be frozen.
    pub fn is_closed(&self, as_of: DateTime<Utc>, tz: Tz) -> bool {
        self.bounds(tz).1 <= as_of.timestamp()
    }

    /// The 12 months ending with this period's last month (the trend chart).
    pub fn trailing_months(&self) -> Vec<Period> {
        let last = self.next().first_day().pred_opt().unwrap_or_default();
        let mut m = Period::Month {
            year: last.year(),
            month: last.month(),
        };
        let mut out = Vec::with_capacity(12);
        for _ in 0..12 {
            out.push(m);
            m = m.previous();
        }
        out.reverse();
        out
    }

    /// `"2026年10月"`, `"2026年第三季度"`, `"2026年"`.
    pub fn label_zh(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year}年{month}月"),
            Period::Quarter { year, quarter } => {
                format!("{year}年第{}季度", QUARTERS_ZH[(quarter - 1) as usize])
            }
            Period::Year { year } => format!("{year}年"),
        }
    }

    /// `"本月"`, `"本季度"`, `"本年度"`.
    pub fn this_zh(&self) -> &'static str {
        match self {
            Period::Month { .. } => "本月",
            Period::Quarter { .. } => "本季度",
            Period::Year { .. } => "本年度",
        }
    }

    /// `"上月"`, `"上季度"`, `"上年"` (环比 wording).
    pub fn previous_zh(&self) -> &'static str {
        match self {
            Period::Month { .. } => "上月",
            Period::Quarter { .. } => "上季度",
            Period::Year { .. } => "上年",
        }
    }
}

/// UTC seconds of the first instant of local date `d` (midnight, or the first instant after a DST gap).
fn local_midnight(tz: Tz, d: NaiveDate) -> i64 {
    let midnight = d.and_time(chrono::NaiveTime::MIN);
    for minutes in (0..=24 * 60).step_by(15) {
        let local = midnight + chrono::Duration::minutes(minutes);
        if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
            tz.from_local_datetime(&local)
        {
            return t.timestamp();
        }
    }
    midnight.and_utc().timestamp()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
            Period::Year { year } => write!(f, "{year:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("'{s}' is not a period: use 2026-10 (month), 2026-Q3 (quarter) or 2026 (year)")
        };
        let year = |y: &str| -> Result<i32, String> {
            if y.len() != 4 {
                return Err(bad());
            }
            y.parse::<i32>()
                .ok()
                .filter(|y| (1970..=9999).contains(y))
                .ok_or_else(bad)
        };
        match s.trim().split_once('-') {
            None => Ok(Period::Year {
                year: year(s.trim())?,
            }),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                    match q {
                        "1" | "2" | "3" | "4" => Ok(Period::Quarter {
                            year: y,
                            quarter: q.parse().map_err(|_| bad())?,
                        }),
                        _ => Err(bad()),
                    }
                } else if rest.len() == 2 {
                    match rest.parse::<u32>() {
                        Ok(m @ 1..=12) => Ok(Period::Month { year: y, month: m }),
                        _ => Err(bad()),
                    }
                } else {
                    Err(bad())
                }
            }
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn periods_parse_print_and_label_in_chinese() {
        for (text, label) in [
            ("2026-10", "2026年10月"),
            ("2026-Q3", "2026年第三季度"),
            ("2026", "2026年"),
        ] {
            let p: Period = text.parse().unwrap();
            assert_eq!(p.to_string(), text);
            assert_eq!(p.label_zh(), label);
        }
        for bad in [
            "2026-13",
            "2026-1",
            "2026-Q5",
            "2026-Q",
            "26",
            "x",
            "2026-10-01",
            "",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds_are_local_midnights_so_late_october_evenings_are_october() {
        let oct: Period = "2026-10".parse().unwrap();
        let (start, end) = oct.bounds(Shanghai);
        assert_eq!(start, at("2026-10-01T00:00:00+08:00").timestamp());
        assert_eq!(end, at("2026-11-01T00:00:00+08:00").timestamp());
        let t = at("2026-10-31T23:30:00+08:00").timestamp();
        assert!(start <= t && t < end);
        assert_eq!(Period::month_of(at("2026-10-31T15:30:00Z"), Shanghai), oct);
        // 16:30 UTC is already 00:30 on 1 November in Shanghai, still October in UTC.
        assert_eq!(
            Period::month_of(at("2026-10-31T16:30:00Z"), Shanghai).to_string(),
            "2026-11"
        );
        assert_eq!(
            Period::month_of(at("2026-10-31T16:30:00Z"), chrono_tz::UTC),
            oct
        );
        let q3: Period = "2026-Q3".parse().unwrap();
        assert_eq!(
            q3.bounds(Shanghai).0,
            at("2026-07-01T00:00:00+08:00").timestamp()
        );
        assert_eq!(
            q3.bounds(Shanghai).1,
            at("2026-10-01T00:00:00+08:00").timestamp()
        );
    }

    #[test]
    fn previous_and_year_earlier_cross_year_ends() {
        let jan: Period = "2026-01".parse().unwrap();
        assert_eq!(jan.previous().to_string(), "2025-12");
        assert_eq!(jan.year_earlier().to_string(), "2025-01");
        let q1: Period = "2026-Q1".parse().unwrap();
        assert_eq!(q1.previous().to_string(), "2025-Q4");
        assert_eq!(
            "2026".parse::<Period>().unwrap().previous().to_string(),
            "2025"
        );
        let months: Vec<String> = q1.trailing_months().iter().map(|p| p.to_string()).collect();
        assert_eq!(months.first().unwrap(), "2025-04");
        assert_eq!(months.last().unwrap(), "2026-03");
        assert_eq!(months.len(), 12);
    }

    #[test]
    fn a_period_is_closed_once_its_end_has_passed() {
        let oct: Period = "2026-10".parse().unwrap();
        assert!(!oct.is_closed(at("2026-10-31T23:59:59+08:00"), Shanghai));
        assert!(oct.is_closed(at("2026-11-01T00:00:00+08:00"), Shanghai));
    }
}
