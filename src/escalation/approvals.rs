//! Emails to the approvers when a request waits for their decision (an extension request goes to the supervisors of the department the setting names: the office by default), through the outbox, once per request and approver.

use crate::auth::Role;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::after_step::Approval;
use crate::messages::MessageRow;
use crate::privacy;

use super::outbox::{self, Kind, OutboxEmail};
use super::recipients::Directory;
use super::render;
use chrono::{DateTime, Utc};

/// Queues one email per approver of `request` (none when the approving department has no supervisor:
/// the request still shows on the dashboard of the admins).
pub(super) fn notify(
    conn: &mut DbConnection,
    sender: &super::Rearm,
    row: &MessageRow,
    request: Approval<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Approval::Extension {
        request_id,
        working_days,
        reason,
        approver_department,
    } = request;
    let mut dir = Directory::default();
    let approvers = dir.people(conn, &[Role::Supervisor], approver_department)?;
    if approvers.is_empty() {
        tracing::warn!(message.id = row.id, department = %approver_department, "no supervisor to approve an extension request");
        return Ok(());
    }
    let department_name = dir.department_name(conn, &row.department_code);
    let subject = format!(
        "【延期申请】留言 #{} 申请延长{working_days}个工作日，请审批",
        row.id
    );
    // Emails leave the system: the citizen's contact details are masked as in alerts.
    let reason = privacy::text_for(reason, &row.citizen(), false);
    let base = sender.base_url.trim_end_matches('/');
    for person in &approvers {
        let body = format!(
            "{}同志：\n\n{department_name}的留言 #{}（{}）申请延长{working_days}个工作日。\n\
             理由：{reason}\n\n请在督办看板审批（同意或不同意）：{base}/dashboard\n\
             留言：{base}/messages/{}\n\n{}",
            person.name,
            row.id,
            render::masked_subject(row),
            row.id,
            sender.office,
        );
        let email = OutboxEmail {
            dedup_key: format!("approval:extension:{request_id}:{}", person.email),
            kind: Kind::Report,
            message_id: Some(row.id),
            department: Some(row.department_code.clone()),
            level: None,
            to: person.email.clone(),
            cc: Vec::new(),
            subject: subject.clone(),
            body,
            attachment: None,
        };
        outbox::enqueue(conn, email, now.timestamp())?;
    }
    Ok(())
}
