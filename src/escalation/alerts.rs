//! Writing one ladder rung's alerts for one message: who they are addressed to, the dedup key's
//! epoch, and the outbox rows. The sweep calls it for each level that fires, and the retry of
//! undeliverable alerts calls it again once someone holds the addressed role.

use std::collections::BTreeSet;

use crate::db::DbConnection;
use crate::directory::Staff;
use crate::error::AppError;
use crate::messages::model::{utc, MessageRow};

use super::ladder::{Level, Rung};
use super::outbox::{self, Kind, OutboxEmail};
use super::recipients::Directory;
use super::render::{self, AlertContext};
use super::{digest, Environment, SYSTEM_ACTOR};

/// The part of the dedup key that changes when the ladder must start again: the deadline
/// (an extension or a resume moves it) and, for the department's own levels, the department
/// (a transfer hands the ladder to the new department).
pub fn epoch(level: Level, department: &str, due_at: i64) -> String {
    match level {
        Level::Reminder | Level::Overdue => format!("{department}@{due_at}"),
        Level::Severe => due_at.to_string(),
        // Three months after receipt: neither the deadline nor the department changes that.
        Level::Critical => "-".into(),
    }
}

/// The people an alert is addressed to, and those copied.
pub(super) type Addressees = (Vec<Staff>, Vec<Staff>);

/// Who a rung's alerts go to in `department`: its `to` roles (or, when nobody holds them, the
/// copied roles directly) and the copied people; `None` when nobody holds any of them.
pub(super) fn addressees(
    conn: &mut DbConnection,
    dir: &mut Directory,
    rung: &Rung,
    department: &str,
) -> Result<Option<Addressees>, AppError> {
    let mut to = dir.people(conn, &rung.to, department)?;
    let mut cc = dir.people(conn, &rung.cc, department)?;
    if to.is_empty() {
        // Nobody holds the addressed role: the copied people get it directly rather than nobody.
        to = std::mem::take(&mut cc);
    }
    cc.retain(|c| !to.iter().any(|t| t.email == c.email));
    Ok((!to.is_empty()).then_some((to, cc)))
}

/// Writes the alerts of one rung for one message to `to` (copying `cc`); returns how many were new.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per caller, all named"
)]
pub(super) fn write_alerts(
    conn: &mut DbConnection,
    st: &Environment,
    dir: &mut Directory,
    row: &MessageRow,
    rung: &Rung,
    to: &[Staff],
    cc: &[Staff],
    now: i64,
    touched: &mut BTreeSet<String>,
) -> Result<usize, AppError> {
    let level = rung.level;
    let dept = &row.department_code;
    let tl = &st.timeline;
    let overdue_days = tl
        .working_days_overdue(utc(row.due_at), utc(now))
        .unwrap_or(0);
    let department_name = dir.department_name(conn, dept);
    let cc_note = if cc.is_empty() {
        String::new()
    } else {
        let roles: Vec<&str> = rung.cc.iter().map(|r| r.label_zh()).collect();
        format!("{}（{}人）", roles.join("、"), cc.len())
    };
    let epoch = epoch(level, dept, row.due_at);
    let mut new = 0;
    for person in to {
        let greeting = format!("{}同志", person.name);
        let (subject, body) = render::alert(
            row,
            &AlertContext {
                level,
                department_name: &department_name,
                overdue_days,
                base_url: &st.settings.server.base_url,
                office: &st.settings.office.name,
                tz: tl.tz(),
                provisional_mark: tl.provisional_mark(utc(row.due_at)),
                cc_note: cc_note.clone(),
                greeting: &greeting,
            },
        )
        .map_err(|e| AppError::Internal(anyhow::anyhow!("alert template: {e}")))?;
        let email = OutboxEmail {
            dedup_key: format!(
                "alert:{}:{}:{epoch}:{}",
                row.id,
                level.as_str(),
                person.email
            ),
            kind: Kind::Alert,
            message_id: Some(row.id),
            department: Some(dept.clone()),
            level: Some(level.as_str().into()),
            to: person.email.clone(),
            cc: cc.iter().map(|c| c.email.clone()).collect(),
            subject,
            body,
            attachment: None,
        };
        let initial = if digest::has_held(conn, &person.email)? {
            outbox::status::HELD
        } else {
            outbox::status::PENDING
        };
        if outbox::insert_unique(conn, &email, initial, now, true)?.is_some() {
            new += 1;
            touched.insert(person.email.clone());
        }
    }
    if new > 0 {
        tracing::debug!(
            message.id = row.id,
            level = level.as_str(),
            alerts = new,
            actor = SYSTEM_ACTOR,
            "alerts decided"
        );
    }
    Ok(new)
}
