//! The email that tells the citizen of a handling step (延期、转办、退回、重新交办), in plain
//! Chinese with the deadline now in force, queued once per step through the outbox. The
//! address is personal data: it goes to the outbox row alone, never to a log.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::handling::notice::{CitizenNotice, CitizenStep};
use crate::messages::MessageRow;

use super::outbox::{self, Kind, OutboxEmail};
use super::recipients::Directory;

fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Queues the email to the citizen's address; `false` when there is none or the step's
/// email was queued before.
pub(super) fn notify(
    conn: &mut DbConnection,
    office: &str,
    row: &MessageRow,
    notice: &CitizenNotice<'_>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(to) = row
        .citizen_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
    else {
        return Ok(false);
    };
    let mut dir = Directory::default();
    let due = date_zh(notice.due_on);
    let (title, line) = match notice.step {
        CitizenStep::Extended => (
            "延期办理".to_string(),
            format!("因需进一步调查核实，经审批延长办理期限，答复期限延至{due}。"),
        ),
        CitizenStep::Transferred { from, to } => {
            let from = dir.department_name(conn, from);
            let to = dir.department_name(conn, to);
            (
                "转交办理".to_string(),
                format!("经研究，该事项由{to}负责，已由{from}转交{to}办理，答复期限为{due}。"),
            )
        }
        CitizenStep::Returned { from } => {
            let from = dir.department_name(conn, from);
            (
                "重新分办".to_string(),
                format!(
                    "经{from}核实，该事项不属于其职责范围，已退回{office}重新分办，答复期限为{due}。"
                ),
            )
        }
        CitizenStep::Reassigned { to } => {
            let to = dir.department_name(conn, to);
            (
                "交办".to_string(),
                format!("{office}已将您的留言交由{to}办理，答复期限为{due}。"),
            )
        }
    };
    let body = format!(
        "您好：\n\n您于{}提交的留言（编号{}）{line}\n\n\
         我们将在答复期限内给您答复。感谢您的理解与支持。\n\n{office}\n\n\
         （本邮件由系统自动发送，请勿直接回复。）",
        date_zh(notice.received_on),
        row.id,
    );
    let email = OutboxEmail {
        dedup_key: notice.key.clone(),
        kind: Kind::Report,
        message_id: Some(row.id),
        department: Some(row.department_code.clone()),
        level: None,
        to: to.to_string(),
        cc: Vec::new(),
        subject: format!("【留言办理进展】您的留言（编号{}）{title}", row.id),
        body,
        attachment: None,
    };
    Ok(outbox::enqueue(conn, email, now.timestamp())?.is_some())
}
