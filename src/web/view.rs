//! What the pages show of a message: local times, the deadline badge (overdue, due soon, paused, working days left), labels, and the names behind event actors.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::auth::Principal;
use crate::directory::{Department, Staff};
use crate::messages::model::utc;
use crate::messages::{MessageRow, Status};
use crate::sla::{Category, Channel, Timeline};

/// `2026-11-23 09:30` in the office's time zone.
pub fn local_time(tl: &Timeline, ts: i64) -> String {
    utc(ts)
        .with_timezone(&tl.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `2026-11-23` in the office's time zone.
pub fn local_date(tl: &Timeline, ts: i64) -> String {
    tl.local_date(utc(ts)).format("%Y-%m-%d").to_string()
}

/// How urgent a message is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Overdue,
    /// Due today or on the next working day.
    DueSoon,
    Normal,
    Paused,
    Done,
}

/// The deadline column of a message: its urgency and the words shown.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub urgency: Urgency,
    /// CSS class: overdue, soon, normal, paused, done.
    pub class: &'static str,
    pub text: String,
}

/// Working days from today (local) to the deadline's date: 0 when due today; `None` outside the calendar.
pub fn working_days_left(tl: &Timeline, due_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    tl.working_days_between(now, due_at).ok()
}

/// The status of a message whose reply waits for the reviewer, as everyone sees it.
pub const REVIEW_PENDING_LABEL: &str = "已提交待审核";

/// The status as the pages name it: 已提交待审核 while a reply waits for review.
pub fn status_label(row: &MessageRow) -> &'static str {
    if row.review_pending && row.status() == Status::Open {
        REVIEW_PENDING_LABEL
    } else {
        row.status().label_zh()
    }
}

/// The deadline badge of `row` at `now`.
pub fn deadline(row: &MessageRow, tl: &Timeline, now: DateTime<Utc>) -> Deadline {
    let make = |urgency, class, text: String| Deadline {
        urgency,
        class,
        text,
    };
    match row.status() {
        Status::Paused => make(Urgency::Paused, "paused", "已暂停计时".into()),
        Status::Replied => make(Urgency::Done, "done", "已办结".into()),
        Status::Invalid => make(Urgency::Done, "done", "无效留言".into()),
        // The department has answered; the deadline no longer runs against it.
        Status::Open if row.review_pending => {
            make(Urgency::Paused, "paused", REVIEW_PENDING_LABEL.into())
        }
        Status::Open if row.is_overdue(now) => {
            let days = tl.working_days_overdue(utc(row.due_at), now).unwrap_or(0);
            make(
                Urgency::Overdue,
                "overdue",
                crate::sla::lateness_zh(days, false),
            )
        }
        Status::Open => match working_days_left(tl, utc(row.due_at), now) {
            Some(0) => make(Urgency::DueSoon, "soon", "今日到期".into()),
            Some(n @ 1) => make(Urgency::DueSoon, "soon", format!("剩余{n}个工作日")),
            Some(n) => make(Urgency::Normal, "normal", format!("剩余{n}个工作日")),
            None => make(Urgency::Normal, "normal", "—".into()),
        },
    }
}

/// 市长信箱, 我为政府网站找错 (or the stored value if unknown).
pub fn channel_label(code: &str) -> String {
    code.parse::<Channel>()
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// 咨询, 投诉… (or the stored value if unknown).
pub fn category_label(code: &str) -> String {
    code.parse::<Category>()
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// Department names by code.
#[derive(Debug, Clone, Default)]
pub struct Names {
    departments: HashMap<String, String>,
    staff_by_id: HashMap<i64, String>,
    staff_by_email: HashMap<String, String>,
}

impl Names {
    pub fn new(departments: &[Department], staff: &[Staff]) -> Names {
        Names {
            departments: departments
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect(),
            staff_by_id: staff.iter().map(|s| (s.id, s.name.clone())).collect(),
            staff_by_email: staff
                .iter()
                .map(|s| (s.email.clone(), s.name.clone()))
                .collect(),
        }
    }

    /// The department's name, or its code when unknown.
    pub fn department(&self, code: &str) -> String {
        self.departments
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// Who an event actor is: `staff:3` → the name, `token:portal` → 接口 portal,
    /// `demo:clerk.zjj@…` → the demo account's name.
    pub fn actor(&self, actor: &str) -> String {
        if let Some(name) = actor
            .strip_prefix("staff:")
            .and_then(|id| id.parse::<i64>().ok())
            .and_then(|id| self.staff_by_id.get(&id))
        {
            return name.clone();
        }
        if let Some(name) = actor
            .strip_prefix("demo:")
            .and_then(|email| self.staff_by_email.get(email))
        {
            return name.clone();
        }
        match actor.split_once(':') {
            Some(("token", name)) => format!("接口（{name}）"),
            Some(("demo", _)) => "演示数据导入".into(),
            _ => actor.to_string(),
        }
    }
}

/// One line of a message list.
#[derive(Debug, Clone)]
pub struct MessageItem {
    pub id: i64,
    pub channel: String,
    pub category: String,
    pub subject: String,
    pub department: String,
    pub received: String,
    pub due: String,
    pub status: &'static str,
    pub deadline: Deadline,
    pub critical: bool,
}

impl MessageItem {
    /// The line as `who` may see it: the subject masked outside the owning department.
    pub fn new(
        row: &MessageRow,
        tl: &Timeline,
        names: &Names,
        now: DateTime<Utc>,
        who: &Principal,
    ) -> Self {
        MessageItem {
            id: row.id,
            channel: channel_label(&row.channel),
            category: category_label(&row.category),
            subject: crate::privacy::text_for(
                &row.subject,
                &row.citizen(),
                who.owns(&row.department_code),
            ),
            department: names.department(&row.department_code),
            received: local_time(tl, row.received_at),
            due: format!(
                "{}{}",
                local_date(tl, row.due_at),
                tl.provisional_mark(utc(row.due_at))
            ),
            status: status_label(row),
            deadline: deadline(row, tl, now),
            critical: crate::messages::is_critical(row, now, tl.tz()),
        }
    }
}
