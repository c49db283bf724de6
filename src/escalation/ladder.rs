//! The escalation ladder: its levels, the configuration file that sets their offsets and recipients, and the instants at which each level fires for a message (all working-day arithmetic through [`Timeline`]).

use std::path::Path;

use serde::Deserialize;

use crate::auth::Role;
use crate::messages::{critical_from, CRITICAL_AFTER_MONTHS};
use crate::sla::Timeline;

/// The rungs of the ladder, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 到期提醒: before the deadline, to the clerks.
    Reminder,
    /// 逾期督办: the deadline has passed, to the supervisors.
    Overdue,
    /// 严重逾期督办: overdue by several working days, to the leaders.
    Severe,
    /// 超过三个月未答复 (单项否决), to leaders and admins.
    Critical,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Reminder,
        Level::Overdue,
        Level::Severe,
        Level::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Reminder => "reminder",
            Level::Overdue => "overdue",
            Level::Severe => "severe",
            Level::Critical => "critical",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Reminder => "到期提醒",
            Level::Overdue => "逾期督办",
            Level::Severe => "严重逾期督办",
            Level::Critical => "超过三个月未答复",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Whether the level is about the department's own handling (its epoch includes the
    /// department, so a transfer re-arms it for the new department).
    pub fn department_scoped(self) -> bool {
        matches!(self, Level::Reminder | Level::Overdue)
    }
}

/// When a level fires, relative to the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// `hour`:00 local on the working day `days` before the due date; only while not yet due.
    BeforeDue { days: u32, hour: u32 },
    /// `hour`:00 local on the `days`-th working day after the due date, or the instant the
    /// deadline passes when `hour` is `None` (then `days` is 0).
    AfterDue { days: u32, hour: Option<u32> },
    /// Unanswered for more than [`CRITICAL_AFTER_MONTHS`] calendar months after receipt.
    Unanswered,
}

/// One configured level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    pub level: Level,
    pub when: When,
    /// Roles the alert is addressed to (one email per person).
    pub to: Vec<Role>,
    /// Roles copied on each of those emails.
    pub cc: Vec<Role>,
}

/// The configured ladder (only enabled levels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    pub rungs: Vec<Rung>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LadderFile {
    reminder: Option<StepFile>,
    overdue: Option<StepFile>,
    severe: Option<StepFile>,
    critical: Option<StepFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    working_days_before: Option<u32>,
    working_days_after: Option<u32>,
    hour: Option<u32>,
    #[serde(default)]
    to: Vec<Role>,
    #[serde(default)]
    cc: Vec<Role>,
}

/// What the sweep should do with an open message now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Levels whose time has come (already-sent ones are filtered by the outbox's unique key).
    pub fire: Vec<Level>,
    /// When to look at the message again (`None`: the ladder is complete).
    pub next_at: Option<i64>,
}

impl Ladder {
    /// Reads and checks the ladder file; errors name the file and the level.
    pub fn load(path: &Path) -> anyhow::Result<Ladder> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the ladder {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// Parses the ladder TOML (see `config/escalation.toml`).
    pub fn parse(text: &str) -> anyhow::Result<Ladder> {
        let file: LadderFile = toml::from_str(text)?;
        let mut rungs = Vec::new();
        for (level, step) in [
            (Level::Reminder, file.reminder),
            (Level::Overdue, file.overdue),
            (Level::Severe, file.severe),
            (Level::Critical, file.critical),
        ] {
            let Some(step) = step else { continue };
            let name = level.as_str();
            if step.to.is_empty() {
                continue;
            }
            if let Some(r) = step.to.iter().chain(&step.cc).find(|r| r.is_system()) {
                anyhow::bail!("[{name}]: {r} is not a staff role");
            }
            if step.hour.is_some_and(|h| h > 23) {
                anyhow::bail!("[{name}] hour: must be 0 to 23");
            }
            let when = match level {
                Level::Reminder => match (step.working_days_before, step.hour) {
                    (Some(days), Some(hour)) if step.working_days_after.is_none() => {
                        When::BeforeDue { days, hour }
                    }
                    _ => anyhow::bail!("[{name}] needs working_days_before and hour"),
                },
                Level::Overdue | Level::Severe => {
                    match (step.working_days_after, step.hour, step.working_days_before) {
                        (Some(0), hour, None) => When::AfterDue { days: 0, hour },
                        (Some(days), Some(hour), None) => When::AfterDue {
                            days,
                            hour: Some(hour),
                        },
                        _ => anyhow::bail!(
                            "[{name}] needs working_days_after, and an hour unless it is 0"
                        ),
                    }
                }
                Level::Critical => {
                    if step.working_days_after.is_some()
                        || step.working_days_before.is_some()
                        || step.hour.is_some()
                    {
                        anyhow::bail!(
                            "[critical] takes only to/cc: its period is fixed at {CRITICAL_AFTER_MONTHS} calendar months"
                        );
                    }
                    When::Unanswered
                }
            };
            rungs.push(Rung {
                level,
                when,
                to: step.to,
                cc: step.cc,
            });
        }
        Ok(Ladder { rungs })
    }

    pub fn rung(&self, level: Level) -> Option<&Rung> {
        self.rungs.iter().find(|r| r.level == level)
    }

    /// The levels due for an open message at `now`, and when to look again. A reminder whose
    /// deadline has already passed is skipped rather than sent late.
    pub fn plan(&self, tl: &Timeline, received_at: i64, due_at: i64, now: i64) -> Plan {
        let mut fire = Vec::new();
        let mut next: Option<i64> = None;
        for rung in &self.rungs {
            let Some(at) = fires_at(tl, rung.when, received_at, due_at) else {
                // Outside the calendar's years: look again tomorrow (the calendar may be extended).
                next = Some(next.map_or(now + 86_400, |n| n.min(now + 86_400)));
                continue;
            };
            if at <= now {
                let still_relevant = !matches!(rung.when, When::BeforeDue { .. }) || now <= due_at;
                if still_relevant {
                    fire.push(rung.level);
                }
            } else {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        Plan {
            fire,
            next_at: next,
        }
    }
}

/// The UTC instant (seconds) at which a level fires for a message; `None` outside the calendar.
pub fn fires_at(tl: &Timeline, when: When, received_at: i64, due_at: i64) -> Option<i64> {
    let due = crate::messages::model::utc(due_at);
    match when {
        When::BeforeDue { days, hour } => tl
            .working_days_before_at_hour(due, days, hour)
            .ok()
            .map(|t| t.timestamp()),
        When::AfterDue {
            days: 0,
            hour: None,
        } => Some(due_at + 1),
        When::AfterDue { days, hour } => tl
            .working_days_after_at_hour(due, days, hour.unwrap_or(0))
            .ok()
            .map(|t| t.timestamp())
            // Never before the deadline itself has passed.
            .map(|t| t.max(due_at + 1)),
        When::Unanswered => Some(critical_from(received_at, tl.tz())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::critical_threshold;
    use crate::messages::model::utc;
    use chrono::DateTime;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn the_shipped_ladder_parses_with_four_levels() {
        let ladder = Ladder::load(Path::new("config/escalation.toml")).unwrap();
        let levels: Vec<Level> = ladder.rungs.iter().map(|r| r.level).collect();
        assert_eq!(levels, Level::ALL);
        let overdue = ladder.rung(Level::Overdue).unwrap();
        assert_eq!(overdue.to, vec![Role::Supervisor]);
        assert_eq!(overdue.cc, vec![Role::Clerk]);
    }

    #[test]
    fn bad_ladders_name_the_level() {
        for (text, needle) in [
            (
                "[reminder]\nworking_days_before = 1\nto=['clerk']",
                "[reminder]",
            ),
            (
                "[severe]\nworking_days_after = 3\nto=['leader']",
                "[severe]",
            ),
            (
                "[severe]\nworking_days_after = 3\nhour = 25\nto=['leader']",
                "hour",
            ),
            ("[critical]\nhour = 9\nto=['leader']", "[critical]"),
            ("[overdue]\nworking_days_after = 0\nto=['intake']", "intake"),
        ] {
            let err = Ladder::parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn critical_starts_three_calendar_months_after_receipt_with_clamped_month_ends() {
        let tz = chrono_tz::Asia::Shanghai;
        let r = at("2026-01-15T10:00:00+08:00");
        assert_eq!(critical_from(r, tz), at("2026-04-15T10:00:01+08:00"));
        // 11-30 + 3 months clamps to 02-28; the threshold only passes 11-30 on 03-01.
        let r = at("2025-11-30T10:00:00+08:00");
        let c = critical_from(r, tz);
        assert_eq!(c, at("2026-03-01T00:00:00+08:00"));
        let row_critical = |now: i64| r < critical_threshold(utc(now), tz);
        assert!(row_critical(c) && !row_critical(c - 1));
    }
}
