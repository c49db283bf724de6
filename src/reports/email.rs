//! The monthly report email: on the first working day of a month, last month's report (the XLSX and the Word draft of the bulletin attached) to the leaders, once.

use chrono::{DateTime, Datelike, Utc};
use diesel::Connection;

use crate::auth::Role;
use crate::db::DbConnection;
use crate::directory;
use crate::error::AppError;
use crate::mail::Email;
use crate::sla::Timeline;
use crate::stats::{Period, Scope};

use super::{export, obtain, ReportContext};

/// MIME type of the attached workbook.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX_MIME: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A built report email, ready for the outbox.
#[derive(Debug, Clone)]
pub struct MonthlyEmail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    /// (file name, bytes, MIME type): the XLSX workbook, then the Word draft of the bulletin.
    pub attachments: Vec<(String, Vec<u8>, String)>,
    /// The outbox's idempotency key: `report:2026-10` (one email per month, ever).
    pub dedup_key: String,
}

impl MonthlyEmail {
    /// As a [`crate::mail::Email`].
    pub fn email(&self) -> Email {
        Email {
            to: self.to.clone(),
            cc: Vec::new(),
            subject: self.subject.clone(),
            text: self.text.clone(),
            attachments: self.attachments.clone(),
        }
    }
}

/// Whether `now`'s local date is the first working day of its month on the official calendar
/// (a make-up Saturday counts; a month starting with the National Day holiday has it on 10-08).
pub fn is_first_working_day_of_month(tl: &Timeline, now: DateTime<Utc>) -> Result<bool, AppError> {
    let today = tl.local_date(now);
    let cal = tl.calendar();
    if !cal.is_workday(today)? {
        return Ok(false);
    }
    let mut d = today.with_day(1).unwrap_or(today);
    while d < today {
        if cal.is_workday(d)? {
            return Ok(false);
        }
        d = d.succ_opt().unwrap_or(today);
    }
    Ok(true)
}

/// The dedup key of a month's report email.
pub fn dedup_key(period: &Period) -> String {
    format!("report:{period}")
}

/// Builds last month's report email when `now` is the first working day of a month and there
/// are leaders to send it to; `None` otherwise. The report is the frozen one (frozen now if
/// this is its first request).
///
/// [`enqueue_monthly`] puts the result in the alerts' outbox.
pub fn monthly_email(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    now: DateTime<Utc>,
) -> Result<Option<MonthlyEmail>, AppError> {
    if !is_first_working_day_of_month(&ctx.timeline, now)? {
        return Ok(None);
    }
    let to: Vec<String> = directory::staff_with_roles(conn, &[Role::Leader])?
        .into_iter()
        .map(|s| s.email)
        .collect();
    if to.is_empty() {
        return Ok(None);
    }
    let period = Period::month_of(now, ctx.timeline.tz()).previous();
    let report = obtain(
        conn,
        ctx,
        &period,
        &Scope::default(),
        None,
        now,
        "system:monthly-report",
    )?;
    let s = &report.summary;
    let subject = format!("【回音】{}留言办理情况月报", report.period_label);
    let text = format!(
        "各位领导：\n\n{office}{label}留言办理情况月报已生成，详见附件。\n\n\
         接收留言{received}件，办结{replied}件，办结率{completion}；\
         应答复{due}件，按期答复{on_time}件，按期答复率{on_time_rate}；\
         逾期未办结{overdue}件，超过三个月未答复{critical}件。\n\n\
         通报段落（草稿）：\n{bulletin}\n\n\
         统计时点：{as_of}；{rounding}。\n",
        office = report.office,
        label = report.period_label,
        received = s.received,
        replied = s.replied,
        completion = s.completion_rate.text,
        due = s.due,
        on_time = s.replied_on_time,
        on_time_rate = s.on_time_rate.text,
        overdue = s.open_overdue,
        critical = s.critical,
        bulletin = report.bulletin,
        as_of = report.as_of,
        rounding = report.rounding_label,
    );
    Ok(Some(MonthlyEmail {
        to,
        subject,
        text,
        attachments: vec![
            (
                format!("huiyin-report-{period}.xlsx"),
                export::xlsx(&report)?,
                XLSX_MIME.to_string(),
            ),
            (
                format!("huiyin-bulletin-{period}.docx"),
                super::docx::draft(&report, &report.bulletin)?,
                DOCX_MIME.to_string(),
            ),
        ],
        dedup_key: dedup_key(&period),
    }))
}

/// Run by every escalation sweep: on the first working day of a month, puts last month's report
/// email into the outbox, one row per leader keyed `report:2026-10:{email}`, so it goes out once
/// however many sweeps and instances run that day. Returns how many emails were queued.
pub fn enqueue_monthly(
    conn: &mut DbConnection,
    ctx: &ReportContext,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    if !ctx.monthly_email || !is_first_working_day_of_month(&ctx.timeline, now)? {
        return Ok(0);
    }
    let period = Period::month_of(now, ctx.timeline.tz()).previous();
    let prefix = dedup_key(&period);
    // Building the workbook is the costly part: skip it once this month's email is queued.
    if crate::escalation::outbox::has_key_prefix(conn, &format!("{prefix}:"))? {
        return Ok(0);
    }
    let Some(email) = monthly_email(conn, ctx, now)? else {
        return Ok(0);
    };
    conn.transaction(|conn| {
        let mut queued = 0;
        for to in &email.to {
            let row = crate::escalation::OutboxEmail {
                dedup_key: format!("{prefix}:{to}"),
                kind: crate::escalation::outbox::Kind::Report,
                message_id: None,
                department: None,
                level: None,
                to: to.clone(),
                cc: Vec::new(),
                subject: email.subject.clone(),
                body: email.text.clone(),
                attachment: email.attachments.first().cloned(),
            };
            if let Some(id) = crate::escalation::enqueue(conn, row, now.timestamp())? {
                crate::escalation::outbox::attach(conn, id, &email.attachments[1..])?;
                queued += 1;
            }
        }
        Ok(queued)
    })
}
