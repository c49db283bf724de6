//! Rates and their changes as bulletins print them: one or two decimals from integers, rounded or truncated, "—" when undefined.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::config::Rounding;

/// How a percentage is printed: the rounding rule and the decimals kept (1 or 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Precision {
    pub rounding: Rounding,
    pub decimals: u8,
}

impl Precision {
    /// `decimals` outside 1..=2 is taken as 2 (the settings refuse it before).
    pub fn new(rounding: Rounding, decimals: u8) -> Precision {
        Precision {
            rounding,
            decimals: if decimals == 1 { 1 } else { 2 },
        }
    }

    /// Hundredths per printed unit: 10 with one decimal, 1 with two.
    fn step(self) -> i64 {
        if self.decimals == 1 {
            10
        } else {
            1
        }
    }

    /// How a report states the rule it used.
    pub fn label_zh(self) -> String {
        let (kept, next) = if self.decimals == 1 {
            ("一", "二")
        } else {
            ("两", "三")
        };
        match self.rounding {
            Rounding::HalfUp => format!("百分比保留{kept}位小数，第{next}位四舍五入"),
            Rounding::Truncate => format!("百分比保留{kept}位小数，第{next}位起舍去"),
        }
    }

    /// `v` hundredths printed with this many decimals (`9940` → `"99.4"`).
    pub fn fixed(self, v: i64) -> String {
        if self.decimals == 1 {
            let sign = if v < 0 { "-" } else { "" };
            let a = v.unsigned_abs() / 10;
            format!("{sign}{}.{}", a / 10, a % 10)
        } else {
            hundredths(v)
        }
    }
}

impl From<Rounding> for Precision {
    fn from(rounding: Rounding) -> Precision {
        Precision::new(rounding, 2)
    }
}

/// A ratio of two counts, kept as integers until it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub num: i64,
    pub den: i64,
}

impl Rate {
    pub fn new(num: i64, den: i64) -> Rate {
        Rate { num, den }
    }

    /// The percentage as printed, in hundredths of a percent (9261 = 92.61%; 9940 = 99.4% with
    /// one decimal); `None` when the denominator is 0.
    pub fn basis_points(&self, precision: impl Into<Precision>) -> Option<i64> {
        let p = precision.into();
        let step = p.step();
        (self.den > 0).then(|| p.rounding.divide(self.num.max(0), self.den, 10_000 / step) * step)
    }

    /// `"92.61%"` (`"92.6%"` with one decimal), or `"—"` when the denominator is 0 (never 0% or 100%).
    pub fn format(&self, precision: impl Into<Precision>) -> String {
        let p = precision.into();
        match self.basis_points(p) {
            Some(bp) => format!("{}%", p.fixed(bp)),
            None => "—".to_string(),
        }
    }
}

/// `9261` → `"92.61"`, `-105` → `"-1.05"`.
pub fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// `sum / count` in hundredths under `rounding` (average working days); `None` when `count` is 0.
pub fn mean_hundredths(sum: i64, count: i64, rounding: Rounding) -> Option<i64> {
    (count > 0).then(|| rounding.divide(sum.max(0), count, 100))
}

/// A change between two printed rates in percentage points (百分点), from their basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Hundredths of a percentage point; `None` when either rate is undefined.
    pub basis_points: Option<i64>,
    /// Decimals printed (1 or 2).
    #[serde(default = "two")]
    pub decimals: u8,
}

fn two() -> u8 {
    2
}

impl Change {
    /// `now - before`, each as printed under `rounding`, so the change matches the printed figures.
    pub fn between(now: Rate, before: Rate, precision: impl Into<Precision>) -> Change {
        let p = precision.into();
        Change {
            basis_points: match (now.basis_points(p), before.basis_points(p)) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            },
            decimals: p.decimals,
        }
    }

    fn fixed(&self, v: i64) -> String {
        Precision::new(Rounding::HalfUp, self.decimals).fixed(v)
    }

    /// `"+2.32"`, `"-1.05"`, `"0.00"` (percentage points) or `"—"`.
    pub fn signed(&self) -> String {
        match self.basis_points {
            Some(v) if v > 0 => format!("+{}", self.fixed(v)),
            Some(v) => self.fixed(v),
            None => "—".to_string(),
        }
    }

    /// `"上升2.32个百分点"`, `"下降1.05个百分点"`, `"持平"`, or `None` when undefined.
    pub fn phrase_zh(&self) -> Option<String> {
        self.basis_points.map(|v| match v.cmp(&0) {
            std::cmp::Ordering::Greater => format!("上升{}个百分点", self.fixed(v)),
            std::cmp::Ordering::Less => format!("下降{}个百分点", self.fixed(-v)),
            std::cmp::Ordering::Equal => "持平".to_string(),
        })
    }
}

/// A change in a count as a relative percentage of the earlier count (同比上升46.5%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountChange {
    /// Hundredths of a percent of `before`; `None` when `before` is 0.
    pub basis_points: Option<i64>,
    #[serde(default = "two")]
    pub decimals: u8,
}

impl CountChange {
    /// `(now - before) / before`, printed under `precision`.
    pub fn between(now: i64, before: i64, precision: impl Into<Precision>) -> CountChange {
        let p = precision.into();
        let diff = now - before;
        CountChange {
            basis_points: (before > 0).then(|| {
                let v = Rate::new(diff.abs(), before).basis_points(p).unwrap_or(0);
                if diff < 0 {
                    -v
                } else {
                    v
                }
            }),
            decimals: p.decimals,
        }
    }

    /// `"上升46.5%"`, `"下降3.2%"`, `"持平"`, or `None` when the earlier count is 0.
    pub fn phrase_zh(&self) -> Option<String> {
        let p = Precision::new(Rounding::HalfUp, self.decimals);
        self.basis_points.map(|v| match v.cmp(&0) {
            std::cmp::Ordering::Greater => format!("上升{}%", p.fixed(v)),
            std::cmp::Ordering::Less => format!("下降{}%", p.fixed(-v)),
            std::cmp::Ordering::Equal => "持平".to_string(),
        })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.signed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bulletin_figures_come_out_to_the_last_digit() {
        let qingyang = Rate::new(138, 149);
        assert_eq!(qingyang.format(Rounding::Truncate), "92.61%");
        assert_eq!(qingyang.format(Rounding::HalfUp), "92.62%");
        assert_eq!(Rate::new(166, 183).format(Rounding::HalfUp), "90.71%");
        assert_eq!(Rate::new(166, 183).format(Rounding::Truncate), "90.71%");
        assert_eq!(Rate::new(608, 609).format(Rounding::HalfUp), "99.84%");
        assert_eq!(Rate::new(786, 792).format(Rounding::HalfUp), "99.24%");
        assert_eq!(Rate::new(40, 43).format(Rounding::HalfUp), "93.02%");
        assert_eq!(Rate::new(6, 9).format(Rounding::HalfUp), "66.67%");
        assert_eq!(Rate::new(6, 9).format(Rounding::Truncate), "66.66%");
    }

    #[test]
    fn one_decimal_553_of_556_is_99_5_half_up_and_99_4_truncated() {
        let r = Rate::new(553, 556);
        assert_eq!(r.format(Precision::new(Rounding::HalfUp, 1)), "99.5%");
        assert_eq!(r.format(Precision::new(Rounding::Truncate, 1)), "99.4%");
        assert_eq!(
            r.basis_points(Precision::new(Rounding::Truncate, 1)),
            Some(9940)
        );
        assert_eq!(r.format(Rounding::HalfUp), "99.46%");
        assert_eq!(
            Rate::new(0, 5).format(Precision::new(Rounding::HalfUp, 1)),
            "0.0%"
        );
        let c = Change::between(
            Rate::new(553, 556),
            Rate::new(90, 100),
            Precision::new(Rounding::Truncate, 1),
        );
        assert_eq!(c.phrase_zh().unwrap(), "上升9.4个百分点");
    }

    #[test]
    fn count_changes_are_relative_percentages_of_the_earlier_count() {
        let p = Precision::new(Rounding::HalfUp, 1);
        assert_eq!(
            CountChange::between(293, 200, p).phrase_zh().unwrap(),
            "上升46.5%"
        );
        assert_eq!(
            CountChange::between(150, 200, p).phrase_zh().unwrap(),
            "下降25.0%"
        );
        assert_eq!(CountChange::between(5, 0, p).phrase_zh(), None);
        assert_eq!(CountChange::between(7, 7, p).phrase_zh().unwrap(), "持平");
    }

    #[test]
    fn a_zero_denominator_is_a_dash_never_zero_or_a_hundred() {
        let r = Rate::new(0, 0);
        assert_eq!(r.format(Rounding::HalfUp), "—");
        assert_eq!(r.basis_points(Rounding::HalfUp), None);
        assert_eq!(Rate::new(0, 5).format(Rounding::HalfUp), "0.00%");
        assert_eq!(Rate::new(5, 5).format(Rounding::Truncate), "100.00%");
    }

    #[test]
    fn half_up_rounds_exact_halves_up_and_truncate_never_rounds() {
        // 1/8 = 12.5 % exactly; 1/800 = 0.125 % → 0.13 % half up, 0.12 % truncated.
        assert_eq!(Rate::new(1, 800).format(Rounding::HalfUp), "0.13%");
        assert_eq!(Rate::new(1, 800).format(Rounding::Truncate), "0.12%");
        assert_eq!(
            Rate::new(199_999, 200_000).format(Rounding::HalfUp),
            "100.00%"
        );
        assert_eq!(
            Rate::new(199_999, 200_000).format(Rounding::Truncate),
            "99.99%"
        );
    }

    #[test]
    fn changes_carry_their_sign_in_percentage_points() {
        let now = Rate::new(9302, 10_000);
        let before = Rate::new(9070, 10_000);
        let up = Change::between(now, before, Rounding::HalfUp);
        assert_eq!(up.signed(), "+2.32");
        assert_eq!(up.phrase_zh().unwrap(), "上升2.32个百分点");
        let down = Change::between(before, now, Rounding::HalfUp);
        assert_eq!(down.signed(), "-2.32");
        assert_eq!(down.phrase_zh().unwrap(), "下降2.32个百分点");
        let flat = Change::between(now, now, Rounding::HalfUp);
        assert_eq!(
            (flat.signed().as_str(), flat.phrase_zh().unwrap().as_str()),
            ("0.00", "持平")
        );
        let none = Change::between(now, Rate::new(0, 0), Rounding::HalfUp);
        assert_eq!((none.signed().as_str(), none.phrase_zh()), ("—", None));
    }

    #[test]
    fn averages_are_computed_in_hundredths() {
        assert_eq!(mean_hundredths(5, 4, Rounding::HalfUp), Some(125));
        assert_eq!(mean_hundredths(2, 3, Rounding::HalfUp), Some(67));
        assert_eq!(mean_hundredths(2, 3, Rounding::Truncate), Some(66));
        assert_eq!(mean_hundredths(0, 0, Rounding::HalfUp), None);
        assert_eq!(hundredths(-5), "-0.05");
    }

    #[test]
    fn rounding_parses_from_its_setting_names() {
        assert_eq!("half_up".parse::<Rounding>().unwrap(), Rounding::HalfUp);
        assert_eq!("truncate".parse::<Rounding>().unwrap(), Rounding::Truncate);
        assert!("bankers"
            .parse::<Rounding>()
            .unwrap_err()
            .contains("half_up or truncate"));
    }
}
