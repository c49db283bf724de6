//! The Chinese alert and digest emails, rendered from the askama templates in `templates/email/` (first line subject, rest body), with the citizen's contact masked.

use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::messages::model::{utc, MessageRow};
use crate::sla::Timeline;
use crate::sla::{Category, Channel};

use super::ladder::Level;

/// `2024-10-12 23:59` in the office's time zone.
pub fn local_minutes(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The citizen's contact as an email outside the department may show it: masked.
pub fn masked_contact(row: &MessageRow) -> String {
    let c = row.citizen().masked();
    let parts: Vec<String> = [c.name, c.phone, c.email].into_iter().flatten().collect();
    if parts.is_empty() {
        "（未留联系方式）".into()
    } else {
        parts.join("，")
    }
}

/// The message's subject as an email may show it (emails leave the department): on one line,
/// with ID and mobile numbers and the citizen's own contact masked.
pub(super) fn masked_subject(row: &MessageRow) -> String {
    one_line(&crate::privacy::mask_text_of(&row.subject, &row.citizen()))
}

/// A one-line subject: no line breaks from user text.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Template)]
#[template(path = "email/alert.txt")]
struct AlertTemplate<'a> {
    level: &'a str,
    level_label: &'a str,
    greeting: &'a str,
    department: &'a str,
    subject: &'a str,
    channel: &'a str,
    category: &'a str,
    received: String,
    due: String,
    overdue_days: i64,
    citizen: String,
    link: String,
    cc_note: String,
    office: &'a str,
}

/// What an alert email needs beyond the message row.
pub struct AlertContext<'a> {
    pub level: Level,
    pub department_name: &'a str,
    pub overdue_days: i64,
    pub base_url: &'a str,
    pub office: &'a str,
    pub tz: Tz,
    /// After the deadline: "（暂定）" when it falls in a provisional calendar year.
    pub provisional_mark: &'static str,
    /// Names of the copied roles, e.g. "承办人".
    pub cc_note: String,
    /// e.g. "承办人" / "科室负责人" / "领导".
    pub greeting: &'a str,
}

/// The page of a message in the web interface.
pub fn message_link(base_url: &str, id: i64) -> String {
    format!("{}/messages/{id}", base_url.trim_end_matches('/'))
}

fn split(rendered: String) -> (String, String) {
    let text = rendered.trim_start_matches('\n');
    match text.split_once('\n') {
        Some((subject, body)) => (subject.trim().to_string(), body.trim_start().to_string()),
        None => (text.trim().to_string(), String::new()),
    }
}

/// (subject, body) of one alert.
pub fn alert(row: &MessageRow, ctx: &AlertContext<'_>) -> Result<(String, String), askama::Error> {
    let subject = masked_subject(row);
    let t = AlertTemplate {
        level: ctx.level.as_str(),
        level_label: ctx.level.label_zh(),
        greeting: ctx.greeting,
        department: ctx.department_name,
        subject: &subject,
        channel: row
            .channel
            .parse::<Channel>()
            .map(|c| c.label_zh())
            .unwrap_or("留言"),
        category: row
            .category
            .parse::<Category>()
            .map(|c| c.label_zh())
            .unwrap_or(""),
        received: local_minutes(utc(row.received_at), ctx.tz),
        due: format!(
            "{}{}",
            local_minutes(utc(row.due_at), ctx.tz),
            ctx.provisional_mark
        ),
        overdue_days: ctx.overdue_days,
        citizen: masked_contact(row),
        link: message_link(ctx.base_url, row.id),
        cc_note: ctx.cc_note.clone(),
        office: ctx.office,
    };
    Ok(split(t.render()?))
}

/// One message listed in a digest.
pub struct DigestItem {
    pub level_label: &'static str,
    pub department: String,
    pub subject: String,
    pub due: String,
    pub overdue_days: i64,
    pub citizen: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct DigestTemplate<'a> {
    date: &'a str,
    greeting: &'a str,
    overdue: &'a [DigestItem],
    due_soon: &'a [DigestItem],
    office: &'a str,
}

/// (subject, body) of a digest.
pub fn digest(
    date: &str,
    greeting: &str,
    overdue: &[DigestItem],
    due_soon: &[DigestItem],
    office: &str,
) -> Result<(String, String), askama::Error> {
    let t = DigestTemplate {
        date,
        greeting,
        overdue,
        due_soon,
        office,
    };
    Ok(split(t.render()?))
}

impl DigestItem {
    pub fn new(
        row: &MessageRow,
        level: Level,
        department: String,
        overdue_days: i64,
        base_url: &str,
        tl: &Timeline,
    ) -> DigestItem {
        DigestItem {
            level_label: level.label_zh(),
            department,
            subject: masked_subject(row),
            due: format!(
                "{}{}",
                local_minutes(utc(row.due_at), tl.tz()),
                tl.provisional_mark(utc(row.due_at))
            ),
            overdue_days,
            citizen: masked_contact(row),
            link: message_link(base_url, row.id),
        }
    }
}
