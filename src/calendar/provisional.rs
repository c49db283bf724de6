//! The provisional calendar (暂定) for a year that has no State Council notice yet.
//!
//! The notice for a year is published in November or December, sometimes later than an office
//! needs it, and an office that upgrades late must keep working. Until the file is installed,
//! such a year counts weekends off plus the statutory holidays of 《全国年节及纪念日放假办法》
//! as revised in 2024 (国务院令第795号), with no make-up days (the notice alone decides those):
//!
//! | holiday | days | date |
//! |---|---|---|
//! | 元旦 | 1 | 1 January |
//! | 春节 | 4 | 除夕 (the eve) and 正月初一 to 初三 |
//! | 清明节 | 1 | the day of the 清明 solar term |
//! | 劳动节 | 2 | 1–2 May |
//! | 端午节 | 1 | 五月初五 |
//! | 中秋节 | 1 | 八月十五 |
//! | 国庆节 | 3 | 1–3 October |
//!
//! Lunar dates and the solar term come from `tyme4rs` (the 寿星天文历 algorithms). The unit
//! tests check the result against every official file shipped: each statutory day the rule
//! names is a holiday in that year's notice.

use chrono::NaiveDate;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// Where the provisional days come from, shown beside a provisional year.
pub const SOURCE: &str = "暂定：按《全国年节及纪念日放假办法》（2024年修订）推算的法定节假日，无调休；以国务院办公厅通知为准";

/// The statutory days off of `year` under the 2024 rule, in date order, each with its holiday's
/// name. A date on which two holidays fall (中秋 on 1 October, as in 2020) appears once, with
/// both names.
pub fn statutory_holidays(year: i32) -> Vec<(NaiveDate, String)> {
    let mut days: Vec<(NaiveDate, &'static str)> = Vec::with_capacity(13);
    let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let y = year as isize;
    days.extend(ymd(1, 1).map(|d| (d, "元旦")));
    if let Some(new_year) = solar(LunarDay::from_ymd(y, 1, 1).get_solar_day()) {
        days.extend(new_year.pred_opt().map(|d| (d, "春节")));
        days.extend(new_year.iter_days().take(3).map(|d| (d, "春节")));
    }
    days.extend(solar(SolarTerm::from_name(y, "清明").get_solar_day()).map(|d| (d, "清明节")));
    days.extend(
        [ymd(5, 1), ymd(5, 2)]
            .into_iter()
            .flatten()
            .map(|d| (d, "劳动节")),
    );
    days.extend(solar(LunarDay::from_ymd(y, 5, 5).get_solar_day()).map(|d| (d, "端午节")));
    days.extend(solar(LunarDay::from_ymd(y, 8, 15).get_solar_day()).map(|d| (d, "中秋节")));
    days.extend(
        [ymd(10, 1), ymd(10, 2), ymd(10, 3)]
            .into_iter()
            .flatten()
            .map(|d| (d, "国庆节")),
    );
    days.sort();
    let mut merged: Vec<(NaiveDate, String)> = Vec::with_capacity(days.len());
    for (date, name) in days {
        match merged.last_mut() {
            Some((last, names)) if *last == date => {
                if !names.split('、').any(|n| n == name) {
                    names.push('、');
                    names.push_str(name);
                }
            }
            _ => merged.push((date, name.to_owned())),
        }
    }
    merged
}

fn solar(day: SolarDay) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        day.get_year() as i32,
        day.get_month() as u32,
        day.get_day() as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, DayKind};
    use chrono::Datelike;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_2027_rule_gives_thirteen_days_on_their_lunar_and_solar_dates() {
        let days = statutory_holidays(2027);
        let dates: Vec<NaiveDate> = days.iter().map(|(d, _)| *d).collect();
        // 春节 2027: 正月初一 is 6 February, so 除夕 is 5 February; 清明 is 5 April;
        // 端午 (五月初五) is 9 June; 中秋 (八月十五) is 15 September.
        assert_eq!(
            dates,
            vec![
                d(2027, 1, 1),
                d(2027, 2, 5),
                d(2027, 2, 6),
                d(2027, 2, 7),
                d(2027, 2, 8),
                d(2027, 4, 5),
                d(2027, 5, 1),
                d(2027, 5, 2),
                d(2027, 6, 9),
                d(2027, 9, 15),
                d(2027, 10, 1),
                d(2027, 10, 2),
                d(2027, 10, 3),
            ]
        );
        assert_eq!(days[1].1, "春节");
        assert_eq!(days[5].1, "清明节");
    }

    #[test]
    fn a_date_of_two_holidays_is_listed_once_with_both_names() {
        // 2020: 中秋 fell on National Day.
        let days = statutory_holidays(2020);
        let oct1: Vec<_> = days
            .iter()
            .filter(|(d0, _)| *d0 == d(2020, 10, 1))
            .collect();
        assert_eq!(oct1.len(), 1);
        assert_eq!(oct1[0].1, "中秋节、国庆节");
    }

    /// The strongest check of the lunar and solar-term arithmetic: every statutory day the rule
    /// gives for a year with an official notice is a day off in that notice. Before the 2024
    /// revision (in force from 2025) 除夕 and 2 May were not statutory days.
    #[test]
    fn every_statutory_day_is_a_holiday_in_each_official_file_shipped() {
        let cal = Calendar::load_dir(std::path::Path::new("config/calendar")).unwrap();
        let last = cal.official_last_date();
        let mut checked = 0;
        for year in 2018..=last.year() {
            for (date, name) in statutory_holidays(year) {
                let new_rule_only = (name == "春节"
                    && statutory_holidays(year)
                        .iter()
                        .find(|(_, n)| n == "春节")
                        .is_some_and(|(eve, _)| *eve == date))
                    || date == d(year, 5, 2);
                if year < 2025 && new_rule_only {
                    continue;
                }
                assert_eq!(
                    cal.day_kind(date).unwrap(),
                    DayKind::Holiday,
                    "{date} ({name}) should be off in the official {year} file"
                );
                checked += 1;
            }
        }
        assert!(checked >= 9 * 11, "checked {checked} days");
    }
}
