//! The `messages` table: its diesel rows and the queries over it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::privacy::Citizen;
use crate::schema::messages;

use super::{Site, Status};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: i64,
    pub channel: String,
    pub external_id: Option<String>,
    pub category: String,
    pub subject: String,
    pub body: String,
    pub citizen_name: Option<String>,
    pub citizen_phone: Option<String>,
    pub citizen_email: Option<String>,
    pub site_name: Option<String>,
    pub site_url: Option<String>,
    pub department_code: String,
    pub status: String,
    pub received_at: i64,
    pub due_at: i64,
    pub original_due_at: i64,
    pub paused_at: Option<i64>,
    pub extended_days: i32,
    pub replied_at: Option<i64>,
    pub reply_body: Option<String>,
    pub replied_by: Option<String>,
    pub working_days_taken: Option<i32>,
    pub on_time: Option<bool>,
    pub updated_at: i64,
    /// When the current department got it (the return limit runs from here).
    pub assigned_at: i64,
    pub returned_count: i32,
    /// 属实 (`confirmed`) or 不属实 (`rejected`), for website error reports.
    pub verdict: Option<String>,
    /// A reply is waiting for the reviewer (see `reply_submissions`).
    pub review_pending: bool,
}

/// Unix seconds to a UTC time (stored values are always in range).
pub fn utc(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

impl MessageRow {
    pub fn status(&self) -> Status {
        // The CHECK constraint keeps the column to known values.
        self.status.parse().unwrap_or(Status::Open)
    }

    pub fn citizen(&self) -> Citizen {
        Citizen {
            name: self.citizen_name.clone(),
            phone: self.citizen_phone.clone(),
            email: self.citizen_email.clone(),
        }
    }

    pub fn site(&self) -> Option<Site> {
        match (&self.site_name, &self.site_url) {
            (Some(name), Some(url)) => Some(Site {
                name: name.clone(),
                url: url.clone(),
            }),
            _ => None,
        }
    }

    /// Overdue (逾期未办) at `now`: open, no reply waiting for review, and past its deadline
    /// (a paused message's deadline does not run; a reply submitted for review counts as the
    /// department's answer, `[handling] reviewed_reply_time = "submission"`). The one rule:
    /// [`MessageFilter::overdue_at`] lists by it, [`overdue_sql`] is it in SQL for the
    /// statistics, and the escalation sweep alerts the department only by it.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status() == Status::Open && !self.review_pending && self.due_at < now.timestamp()
    }
}

/// [`MessageRow::is_overdue`] in SQL, as of the instant in the bind parameter `at` (e.g.
/// `$3`): open without a reply waiting for review at that instant (a message answered after
/// it was still open then) and past its deadline. At the present it is exactly the model's
/// rule, since no reply lies ahead.
pub fn overdue_sql(at: &str) -> String {
    format!(
        "(((status = '{open}' AND NOT review_pending) OR (status = '{replied}' AND replied_at > {at})) \
         AND due_at < {at})",
        open = Status::Open.as_str(),
        replied = Status::Replied.as_str(),
    )
}

#[derive(Insertable)]
#[diesel(table_name = messages)]
// NULL, not DEFAULT, for a missing value: one fixed statement shape that SQLite can keep prepared.
#[diesel(treat_none_as_default_value = false)]
pub struct NewMessageRow<'a> {
    pub channel: &'a str,
    pub external_id: Option<&'a str>,
    pub category: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub citizen_name: Option<&'a str>,
    pub citizen_phone: Option<&'a str>,
    pub citizen_email: Option<&'a str>,
    pub site_name: Option<&'a str>,
    pub site_url: Option<&'a str>,
    pub department_code: &'a str,
    pub status: &'a str,
    pub received_at: i64,
    pub due_at: i64,
    pub original_due_at: i64,
    pub updated_at: i64,
    pub assigned_at: i64,
}

/// Filters of the message list; all optional.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub department: Option<String>,
    pub status: Option<Status>,
    pub channel: Option<String>,
    pub category: Option<String>,
    /// Overdue at `now` ([`MessageRow::is_overdue`]).
    pub overdue_at: Option<i64>,
    /// With (`true`) or without a reply waiting for review.
    pub review_pending: Option<bool>,
    pub due_before: Option<i64>,
    pub received_from: Option<i64>,
    pub received_to: Option<i64>,
    /// Substring of subject or body.
    pub search: Option<String>,
}

type Boxed<'a> = messages::BoxedQuery<'a, crate::db::MultiBackend>;

impl MessageFilter {
    fn apply<'a>(&'a self, mut q: Boxed<'a>) -> Boxed<'a> {
        if let Some(d) = &self.department {
            q = q.filter(messages::department_code.eq(d));
        }
        if let Some(s) = self.status {
            q = q.filter(messages::status.eq(s.as_str()));
        }
        if let Some(c) = &self.channel {
            q = q.filter(messages::channel.eq(c));
        }
        if let Some(c) = &self.category {
            q = q.filter(messages::category.eq(c));
        }
        if let Some(now) = self.overdue_at {
            // MessageRow::is_overdue.
            q = q
                .filter(messages::status.eq(Status::Open.as_str()))
                .filter(messages::review_pending.eq(false))
                .filter(messages::due_at.lt(now));
        }
        if let Some(waiting) = self.review_pending {
            q = q.filter(messages::review_pending.eq(waiting));
        }
        if let Some(t) = self.due_before {
            q = q.filter(messages::due_at.lt(t));
        }
        if let Some(t) = self.received_from {
            q = q.filter(messages::received_at.ge(t));
        }
        if let Some(t) = self.received_to {
            q = q.filter(messages::received_at.lt(t));
        }
        if let Some(s) = &self.search {
            // The text is matched literally: `%`, `_` and the escape character itself are escaped.
            let literal = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = format!("%{literal}%");
            q = q.filter(
                messages::subject
                    .like(pattern.clone())
                    .escape('\\')
                    .or(messages::body.like(pattern).escape('\\')),
            );
        }
        q
    }
}

/// One page of messages, soonest deadline first, and the total matching.
pub fn list(
    conn: &mut DbConnection,
    filter: &MessageFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<MessageRow>, i64), AppError> {
    let total: i64 = filter
        .apply(messages::table.into_boxed())
        .count()
        .get_result(conn)?;
    let rows = filter
        .apply(messages::table.into_boxed())
        .order((messages::due_at.asc(), messages::id.asc()))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .select(MessageRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Like [`list`], restricted to messages still awaiting an answer (open or paused): the inbox.
pub fn list_pending(
    conn: &mut DbConnection,
    filter: &MessageFilter,
    page: i64,
    per_page: i64,
) -> Result<(Vec<MessageRow>, i64), AppError> {
    let pending = [Status::Open.as_str(), Status::Paused.as_str()];
    let total: i64 = filter
        .apply(messages::table.into_boxed())
        .filter(messages::status.eq_any(pending))
        .count()
        .get_result(conn)?;
    let rows = filter
        .apply(messages::table.into_boxed())
        .filter(messages::status.eq_any(pending))
        .order((messages::due_at.asc(), messages::id.asc()))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .select(MessageRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The reply waiting for review longest, other than `except`: the next in the review queue.
pub fn next_review(conn: &mut DbConnection, except: Option<i64>) -> Result<Option<i64>, AppError> {
    Ok(messages::table
        .filter(messages::review_pending.eq(true))
        .filter(messages::status.eq(Status::Open.as_str()))
        .filter(messages::id.ne(except.unwrap_or(0)))
        .order((messages::due_at.asc(), messages::id.asc()))
        .select(messages::id)
        .first(conn)
        .optional()?)
}

/// How many replies wait for review, across departments (the reviewer's queue).
pub fn count_review_pending(conn: &mut DbConnection) -> Result<i64, AppError> {
    Ok(messages::table
        .filter(messages::review_pending.eq(true))
        .filter(messages::status.eq(Status::Open.as_str()))
        .count()
        .get_result(conn)?)
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<MessageRow, AppError> {
    messages::table
        .find(id)
        .select(MessageRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::NotFound(format!("no message {id}")))
}

/// The messages with these ids (in no particular order). Any number of ids: they are asked
/// for in chunks, under both backends' limits on bound parameters.
pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<MessageRow>, AppError> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BIND_CHUNK) {
        rows.extend(
            messages::table
                .filter(messages::id.eq_any(chunk))
                .select(MessageRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}

/// Rows per multi-row INSERT, and values per `IN (…)` list: 17 columns × 1,000 stays under
/// SQLite's 32,766 bound parameters (PostgreSQL allows 65,535).
pub const BIND_CHUNK: usize = 1_000;

/// Inserts rows and returns their ids in the same order.
pub fn insert_many(
    conn: &mut DbConnection,
    rows: &[NewMessageRow<'_>],
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::with_capacity(rows.len());
    match conn {
        // SQLite runs in-process, so a prepared single-row insert costs no round trip.
        // A multi-row insert, or one with RETURNING, would keep a statement journal of
        // every page it touches, which doubled the writes (see db::last_insert_rowid).
        DbConnection::Sqlite(c) => {
            for row in rows {
                diesel::insert_into(messages::table)
                    .values(row)
                    .execute(c)?;
                ids.push(crate::db::last_insert_rowid(c)?);
            }
        }
        // PostgreSQL returns the ids of a multi-row VALUES insert in row order.
        DbConnection::Postgresql(c) => {
            for chunk in rows.chunks(BIND_CHUNK) {
                let part: Vec<i64> = diesel::insert_into(messages::table)
                    .values(chunk)
                    .returning(messages::id)
                    .get_results(c)?;
                ids.extend(part);
            }
        }
    }
    Ok(ids)
}

/// Of these external ids on a channel, the ones already stored, with their message ids.
pub fn existing_external_ids(
    conn: &mut DbConnection,
    channel: &str,
    external_ids: &[&str],
) -> Result<Vec<(String, i64)>, AppError> {
    let mut found = Vec::new();
    for chunk in external_ids.chunks(BIND_CHUNK) {
        let part: Vec<(Option<String>, i64)> = messages::table
            .filter(messages::channel.eq(channel))
            .filter(messages::external_id.eq_any(chunk))
            .select((messages::external_id, messages::id))
            .load(conn)?;
        found.extend(part.into_iter().filter_map(|(e, id)| e.map(|e| (e, id))));
    }
    Ok(found)
}

/// The message stored under this channel's external id, if any.
pub fn find_by_external_id(
    conn: &mut DbConnection,
    channel: &str,
    external_id: &str,
) -> Result<Option<i64>, AppError> {
    Ok(messages::table
        .filter(messages::channel.eq(channel))
        .filter(messages::external_id.eq(external_id))
        .select(messages::id)
        .first(conn)
        .optional()?)
}

#[derive(QueryableByName)]
struct Stale {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    stale: bool,
}

/// Refreshes PostgreSQL's statistics of `messages` once the rows changed since the last
/// `ANALYZE` outnumber the table at that time; returns whether it did. The duplicate check of
/// an import is planned from those statistics: without them (a table filled since it was
/// empty, with autovacuum off or not yet round) the planner takes `channel = …` for selective
/// and scans the channel's every row for each chunk, which made a 1M import quadratic.
/// Each refresh at least doubles the table, so a large import runs a handful of them.
/// SQLite plans by its indexes alone and has nothing to refresh.
pub fn refresh_statistics(conn: &mut DbConnection) -> Result<bool, AppError> {
    let DbConnection::Postgresql(c) = conn else {
        return Ok(false);
    };
    let stale = diesel::sql_query(
        "SELECT COALESCE(s.n_mod_since_analyze > GREATEST(c.reltuples, 1000), false) AS stale \
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
         WHERE c.oid = 'messages'::regclass",
    )
    .get_result::<Stale>(c)?
    .stale;
    if stale {
        diesel::sql_query("ANALYZE messages").execute(c)?;
    }
    Ok(stale)
}
/// Replies logged in `[start, end)` per actor, for a department (the dashboard's per-clerk line).
pub fn replies_by_actor(
    conn: &mut DbConnection,
    department: &str,
    (start, end): (i64, i64),
) -> Result<HashMap<String, i64>, AppError> {
    let rows: Vec<Option<String>> = messages::table
        .filter(messages::department_code.eq(department))
        .filter(messages::status.eq(Status::Replied.as_str()))
        .filter(messages::replied_at.ge(start))
        .filter(messages::replied_at.lt(end))
        .select(messages::replied_by)
        .load(conn)?;
    let mut out = HashMap::new();
    for actor in rows.into_iter().flatten() {
        *out.entry(actor).or_insert(0) += 1;
    }
    Ok(out)
}
