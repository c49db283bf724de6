//! Rates and their changes as bulletins print them: two decimals from integers, rounded or truncated, "—" when undefined.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::config::Rounding;

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

    /// The percentage in hundredths of a percent (9261 = 92.61%); `None` when the denominator is 0.
    pub fn basis_points(&self, rounding: Rounding) -> Option<i64> {
        (self.den > 0).then(|| rounding.divide(self.num.max(0), self.den, 10_000))
    }

    /// `"92.61%"`, or `"—"` when the denominator is 0 (never 0% or 100%).
    pub fn format(&self, rounding: Rounding) -> String {
        match self.basis_points(rounding) {
            Some(bp) => format!("{}%", hundredths(bp)),
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
}

impl Change {
    /// `now - before`, each as printed under `rounding`, so the change matches the printed figures.
    pub fn between(now: Rate, before: Rate, rounding: Rounding) -> Change {
        Change {
            basis_points: match (now.basis_points(rounding), before.basis_points(rounding)) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            },
        }
    }

    /// `"+2.32"`, `"-1.05"`, `"0.00"` (percentage points) or `"—"`.
    pub fn signed(&self) -> String {
        match self.basis_points {
            Some(v) if v > 0 => format!("+{}", hundredths(v)),
            Some(v) => hundredths(v),
            None => "—".to_string(),
        }
    }

    /// `"上升2.32个百分点"`, `"下降1.05个百分点"`, `"持平"`, or `None` when undefined.
    pub fn phrase_zh(&self) -> Option<String> {
        self.basis_points.map(|v| match v.cmp(&0) {
            std::cmp::Ordering::Greater => format!("上升{}个百分点", hundredths(v)),
            std::cmp::Ordering::Less => format!("下降{}个百分点", hundredths(-v)),
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
