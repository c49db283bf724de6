//! The transactional email outbox (`alert_outbox`): enqueue inside the caller's transaction, claim with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), mark sent or failed with backoff, cancel, list, and report the backlog.

use base64::Engine;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::schema::alert_outbox;

/// Where an outbox row is in its life.
pub mod status {
    /// Waiting for its first delivery attempt (at `next_attempt_at`).
    pub const PENDING: &str = "pending";
    /// Claimed by a delivering instance until `next_attempt_at` (the lease).
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    /// The last attempt failed (`last_error`); retried at `next_attempt_at` unless given up (NULL).
    pub const FAILED: &str = "failed";
    /// Part of a storm for its recipient: waits for the daily digest.
    pub const HELD: &str = "held";
    /// Covered by the digest `digest_id`.
    pub const DIGESTED: &str = "digested";
    /// No longer needed (the message was replied, paused, invalidated, transferred or extended
    /// before delivery). A later decision with the same key revives it.
    pub const CANCELLED: &str = "cancelled";
    /// An alert nobody can receive: no active staff holds the roles its level addresses (the
    /// reason in `last_error`). Kept until someone does; never sent itself.
    pub const UNDELIVERABLE: &str = "undeliverable";
    /// Was undeliverable; once someone held the role, its alerts went out as rows of their own.
    pub const RESOLVED: &str = "resolved";
    pub const ALL: [&str; 9] = [
        PENDING,
        SENDING,
        SENT,
        FAILED,
        HELD,
        DIGESTED,
        CANCELLED,
        UNDELIVERABLE,
        RESOLVED,
    ];
}

/// What kind of email a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One ladder level for one message and one recipient.
    Alert,
    /// The daily digest of one recipient's held alerts.
    Digest,
    /// Any other email (e.g. the monthly report with its attachment).
    Report,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Alert => "alert",
            Kind::Digest => "digest",
            Kind::Report => "report",
        }
    }
}

/// An email to enqueue. `dedup_key` is unique over the whole outbox: enqueuing the same key
/// twice stores (and sends) it once.
#[derive(Debug, Clone)]
pub struct OutboxEmail {
    pub dedup_key: String,
    pub kind: Kind,
    pub message_id: Option<i64>,
    pub department: Option<String>,
    pub level: Option<String>,
    pub to: String,
    pub cc: Vec<String>,
    pub subject: String,
    pub body: String,
    /// (file name, bytes, MIME type).
    pub attachment: Option<(String, Vec<u8>, String)>,
}

#[derive(Insertable)]
#[diesel(table_name = alert_outbox)]
// NULL, not DEFAULT, for a missing value: one statement shape, prepared once per connection.
#[diesel(treat_none_as_default_value = false)]
struct NewRow<'a> {
    dedup_key: &'a str,
    kind: &'a str,
    message_id: Option<i64>,
    department_code: Option<&'a str>,
    level: Option<&'a str>,
    recipient_email: &'a str,
    cc_emails: String,
    subject: &'a str,
    body: &'a str,
    attachment_name: Option<&'a str>,
    attachment_mime: Option<&'a str>,
    attachment: Option<&'a [u8]>,
    status: &'a str,
    attempts: i32,
    next_attempt_at: Option<i64>,
    created_at: i64,
}

/// One stored outbox row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = alert_outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub dedup_key: String,
    pub kind: String,
    pub message_id: Option<i64>,
    pub department_code: Option<String>,
    pub level: Option<String>,
    pub recipient_email: String,
    pub cc_emails: String,
    pub subject: String,
    pub body: String,
    pub attachment_name: Option<String>,
    pub attachment_mime: Option<String>,
    pub attachment: Option<Vec<u8>>,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub digest_id: Option<i64>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// Attachments after the first, as JSON (see [`attach`]).
    pub extra_attachments: Option<String>,
}

impl OutboxRow {
    pub fn cc(&self) -> Vec<String> {
        self.cc_emails
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The email to hand to the mailer.
    pub fn email(&self) -> crate::mail::Email {
        crate::mail::Email {
            to: vec![self.recipient_email.clone()],
            cc: self.cc(),
            subject: self.subject.clone(),
            text: self.body.clone(),
            attachments: self.attachments(),
        }
    }

    /// The first attachment from its columns, then the ones [`attach`] added.
    fn attachments(&self) -> Vec<(String, Vec<u8>, String)> {
        let first = match (
            &self.attachment_name,
            &self.attachment,
            &self.attachment_mime,
        ) {
            (Some(n), Some(b), Some(m)) => Some((n.clone(), b.clone(), m.clone())),
            _ => None,
        };
        let more: Vec<ExtraAttachment> = self
            .extra_attachments
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        first
            .into_iter()
            .chain(more.into_iter().filter_map(|a| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(a.base64)
                    .ok()?;
                Some((a.name, bytes, a.mime))
            }))
            .collect()
    }
}

/// An attachment after the first, as stored in `extra_attachments`.
#[derive(serde::Serialize, serde::Deserialize)]
struct ExtraAttachment {
    name: String,
    mime: String,
    base64: String,
}

/// Adds more files to the enqueued row `id` (the first travels in [`OutboxEmail::attachment`]);
/// call it in the transaction that enqueued the row.
pub fn attach(
    conn: &mut DbConnection,
    id: i64,
    files: &[(String, Vec<u8>, String)],
) -> Result<(), AppError> {
    let list: Vec<ExtraAttachment> = files
        .iter()
        .map(|(name, bytes, mime)| ExtraAttachment {
            name: name.clone(),
            mime: mime.clone(),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
        .collect();
    let json = serde_json::to_string(&list)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("attachments: {e}")))?;
    diesel::update(alert_outbox::table.find(id))
        .set(alert_outbox::extra_attachments.eq(Some(json)))
        .execute(conn)?;
    Ok(())
}

/// Enqueues an email for delivery as soon as possible, inside the caller's transaction.
/// Returns the row id, or `None` when the key was enqueued before (nothing changes).
pub fn enqueue(
    conn: &mut DbConnection,
    email: OutboxEmail,
    now: i64,
) -> Result<Option<i64>, AppError> {
    insert_unique(conn, &email, status::PENDING, now, false)
}

/// Whether any outbox row's key starts with `prefix` (e.g. a month's report emails).
pub fn has_key_prefix(conn: &mut DbConnection, prefix: &str) -> Result<bool, AppError> {
    let pattern = format!("{}%", prefix.replace(['%', '_'], ""));
    let n: i64 = alert_outbox::table
        .filter(alert_outbox::dedup_key.like(pattern))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Inserts unless `dedup_key` exists. With `revive`, a cancelled row with the key becomes
/// `initial_status` again with the new content (the decision was taken back and now stands again).
pub(crate) fn insert_unique(
    conn: &mut DbConnection,
    email: &OutboxEmail,
    initial_status: &str,
    now: i64,
    revive: bool,
) -> Result<Option<i64>, AppError> {
    let row = NewRow {
        dedup_key: &email.dedup_key,
        kind: email.kind.as_str(),
        message_id: email.message_id,
        department_code: email.department.as_deref(),
        level: email.level.as_deref(),
        recipient_email: &email.to,
        cc_emails: email.cc.join(","),
        subject: &email.subject,
        body: &email.body,
        attachment_name: email.attachment.as_ref().map(|a| a.0.as_str()),
        attachment_mime: email.attachment.as_ref().map(|a| a.2.as_str()),
        attachment: email.attachment.as_ref().map(|a| a.1.as_slice()),
        status: initial_status,
        attempts: 0,
        next_attempt_at: Some(now),
        created_at: now,
    };
    // The multi-backend has no ON CONFLICT clause: each backend says "insert or ignore" its own way.
    let inserted: Option<i64> = match conn {
        DbConnection::Postgresql(c) => diesel::insert_into(alert_outbox::table)
            .values(&row)
            .on_conflict_do_nothing()
            .returning(alert_outbox::id)
            .get_result(c)
            .optional()?,
        // Without RETURNING (see db::last_insert_rowid): the row count says whether the key was new.
        DbConnection::Sqlite(c) => {
            let added = diesel::insert_or_ignore_into(alert_outbox::table)
                .values(&row)
                .execute(c)?;
            if added == 1 {
                Some(crate::db::last_insert_rowid(c)?)
            } else {
                None
            }
        }
    };
    if inserted.is_some() || !revive {
        return Ok(inserted);
    }
    Ok(diesel::update(
        alert_outbox::table
            .filter(alert_outbox::dedup_key.eq(&email.dedup_key))
            .filter(alert_outbox::status.eq(status::CANCELLED)),
    )
    .set((
        alert_outbox::status.eq(initial_status),
        alert_outbox::cc_emails.eq(email.cc.join(",")),
        alert_outbox::subject.eq(&email.subject),
        alert_outbox::body.eq(&email.body),
        alert_outbox::next_attempt_at.eq(Some(now)),
        alert_outbox::last_error.eq(None::<String>),
    ))
    .returning(alert_outbox::id)
    .get_result(conn)
    .optional()?)
}

/// Cancels the undelivered alerts of a message (inside the workflow's transaction).
pub fn cancel_for_message(conn: &mut DbConnection, message_id: i64) -> Result<usize, AppError> {
    Ok(diesel::update(
        alert_outbox::table
            .filter(alert_outbox::message_id.eq(message_id))
            .filter(alert_outbox::kind.eq(Kind::Alert.as_str()))
            .filter(alert_outbox::status.eq_any([
                status::PENDING,
                status::FAILED,
                status::HELD,
                status::UNDELIVERABLE,
            ])),
    )
    .set((
        alert_outbox::status.eq(status::CANCELLED),
        alert_outbox::next_attempt_at.eq(None::<i64>),
    ))
    .execute(conn)?)
}

/// Claims up to `limit` rows due for delivery at `now` (pending, failed and due, or `sending`
/// with an expired lease), leasing them until `now + lease_secs`. On PostgreSQL the rows are
/// locked with `FOR UPDATE SKIP LOCKED`, so concurrent instances claim disjoint sets.
pub fn claim(
    conn: &mut DbConnection,
    now: i64,
    limit: i64,
    lease_secs: i64,
) -> Result<Vec<OutboxRow>, AppError> {
    conn.transaction(|conn| {
        let due = || {
            alert_outbox::table
                .filter(alert_outbox::status.eq_any([
                    status::PENDING,
                    status::FAILED,
                    status::SENDING,
                ]))
                .filter(alert_outbox::next_attempt_at.le(now))
                .order((alert_outbox::next_attempt_at, alert_outbox::id))
                .limit(limit)
                .select(alert_outbox::id)
        };
        let ids: Vec<i64> = match conn {
            DbConnection::Postgresql(c) => due().for_update().skip_locked().load(c)?,
            // SQLite runs one instance, and its writers take turns (Db::write).
            DbConnection::Sqlite(c) => due().load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(alert_outbox::table.filter(alert_outbox::id.eq_any(&ids)))
            .set((
                alert_outbox::status.eq(status::SENDING),
                alert_outbox::next_attempt_at.eq(Some(now + lease_secs)),
                alert_outbox::attempts.eq(alert_outbox::attempts + 1),
            ))
            .execute(conn)?;
        Ok(alert_outbox::table
            .filter(alert_outbox::id.eq_any(&ids))
            .order(alert_outbox::id)
            .select(OutboxRow::as_select())
            .load(conn)?)
    })
}

/// The row `id` as long as the claim that set its attempt number still holds it: every write of
/// a delivery goes through this, so a claim taken over by another instance writes nothing.
#[diesel::dsl::auto_type]
fn still_claimed(id: i64, attempts: i32) -> _ {
    let sending: &'static str = status::SENDING;
    alert_outbox::table
        .find(id)
        .filter(alert_outbox::status.eq(sending))
        .filter(alert_outbox::attempts.eq(attempts))
}

/// Renews the lease of a claimed row for one more send, right before it: true while the claim
/// (its attempt number, the claim token) is still this instance's. Each email thus gets a whole
/// lease, however long the batch before it took; and a row another instance took over after
/// the lease ran out is never sent by both. A claim that expired but was not taken is renewed:
/// claiming and renewing both write the row, so only one of them wins.
pub fn renew(
    conn: &mut DbConnection,
    id: i64,
    attempts: i32,
    now: i64,
    lease_secs: i64,
) -> Result<bool, AppError> {
    let n = diesel::update(still_claimed(id, attempts))
        .set(alert_outbox::next_attempt_at.eq(Some(now + lease_secs)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Marks a claimed row sent; false if the lease was lost meanwhile (another instance took over).
pub fn mark_sent(
    conn: &mut DbConnection,
    id: i64,
    attempts: i32,
    now: i64,
) -> Result<bool, AppError> {
    let n = diesel::update(still_claimed(id, attempts))
        .set((
            alert_outbox::status.eq(status::SENT),
            alert_outbox::sent_at.eq(Some(now)),
            alert_outbox::next_attempt_at.eq(None::<i64>),
            alert_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records a failed attempt: retried after `base · 2^(attempts-1)` seconds (at most `max`), or
/// given up (`next_attempt_at` NULL) once `max_attempts` (> 0) attempts were made.
pub fn mark_failed(
    conn: &mut DbConnection,
    row: &OutboxRow,
    error: &str,
    now: i64,
    backoff: Backoff,
) -> Result<(), AppError> {
    let next = backoff.next_attempt(row.attempts, now);
    diesel::update(still_claimed(row.id, row.attempts))
        .set((
            alert_outbox::status.eq(status::FAILED),
            alert_outbox::last_error.eq(Some(error.chars().take(1000).collect::<String>())),
            alert_outbox::next_attempt_at.eq(next),
        ))
        .execute(conn)?;
    Ok(())
}

/// The retry schedule of failed emails.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base_secs: i64,
    pub max_secs: i64,
    /// 0 = never give up.
    pub max_attempts: i32,
}

impl Backoff {
    /// When to try again after `attempts` attempts; `None` = give up.
    pub fn next_attempt(&self, attempts: i32, now: i64) -> Option<i64> {
        if self.max_attempts > 0 && attempts >= self.max_attempts {
            return None;
        }
        let shift = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let delay = self
            .base_secs
            .saturating_mul(1_i64 << shift)
            .min(self.max_secs);
        Some(now + delay)
    }
}

/// The outbox backlog, for the health check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Backlog {
    /// Waiting for delivery (pending, sending, held for the digest).
    pub pending: i64,
    /// Whose last attempt failed.
    pub failed: i64,
    /// Alerts nobody can receive (no active staff holds the addressed role), kept until someone does.
    pub undeliverable: i64,
    /// Creation time of the oldest undelivered email (RFC 3339, UTC).
    #[serde(serialize_with = "crate::clock::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub oldest_pending_at: Option<i64>,
}

/// Counts the backlog (served by the status index).
pub fn backlog(conn: &mut DbConnection) -> Result<Backlog, AppError> {
    let waiting = [status::PENDING, status::SENDING, status::HELD];
    let pending: i64 = alert_outbox::table
        .filter(alert_outbox::status.eq_any(waiting))
        .count()
        .get_result(conn)?;
    let failed: i64 = alert_outbox::table
        .filter(alert_outbox::status.eq(status::FAILED))
        .count()
        .get_result(conn)?;
    let undeliverable: i64 = alert_outbox::table
        .filter(alert_outbox::status.eq(status::UNDELIVERABLE))
        .count()
        .get_result(conn)?;
    let oldest_pending_at: Option<i64> = alert_outbox::table
        .filter(alert_outbox::status.eq_any([
            status::PENDING,
            status::SENDING,
            status::HELD,
            status::FAILED,
        ]))
        .select(diesel::dsl::min(alert_outbox::created_at))
        .first(conn)?;
    Ok(Backlog {
        pending,
        failed,
        undeliverable,
        oldest_pending_at,
    })
}

/// Filters of the outbox list.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub status: Option<String>,
    /// Only rows about this department (supervisors).
    pub department: Option<String>,
    pub message_id: Option<i64>,
}

/// One page of the outbox, newest first, and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &OutboxFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<OutboxRow>, i64), AppError> {
    let query = || {
        let mut q = alert_outbox::table.into_boxed();
        if let Some(s) = &filter.status {
            q = q.filter(alert_outbox::status.eq(s.clone()));
        }
        if let Some(d) = &filter.department {
            q = q.filter(alert_outbox::department_code.eq(d.clone()));
        }
        if let Some(m) = filter.message_id {
            q = q.filter(alert_outbox::message_id.eq(m));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows = query()
        .order(alert_outbox::id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_gives_up_when_configured() {
        let b = Backoff {
            base_secs: 60,
            max_secs: 3600,
            max_attempts: 0,
        };
        assert_eq!(b.next_attempt(1, 0), Some(60));
        assert_eq!(b.next_attempt(2, 0), Some(120));
        assert_eq!(b.next_attempt(7, 0), Some(3600));
        assert_eq!(b.next_attempt(500, 0), Some(3600));
        let b = Backoff {
            max_attempts: 3,
            ..b
        };
        assert_eq!(b.next_attempt(2, 0), Some(120));
        assert_eq!(b.next_attempt(3, 0), None);
    }
}
