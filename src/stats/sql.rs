//! The aggregate queries behind the statistics: one pass per cohort over an index range, grouped finely and summed in Rust.
//!
//! SQL is written once with numbered parameters (`$1`); SQLite reads them as `?1`.
//! Every count is `SUM(CASE …)` or `COUNT(*)`, which both backends return as 64-bit integers.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::sqlite::Sqlite;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::messages::handling::Verdict;
use crate::messages::model::overdue_sql;
use crate::messages::Status;

/// A bind parameter.
#[derive(Debug, Clone)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// Runs `sql` (numbered `$n` parameters) on either backend.
pub fn load<R>(conn: &mut DbConnection, sql: &str, binds: &[Bind]) -> Result<Vec<R>, AppError>
where
    R: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
{
    fn bind_all<'a, DB>(
        mut q: BoxedSqlQuery<'a, DB, diesel::query_builder::SqlQuery>,
        binds: &[Bind],
    ) -> BoxedSqlQuery<'a, DB, diesel::query_builder::SqlQuery>
    where
        i64: diesel::serialize::ToSql<BigInt, DB>,
        String: diesel::serialize::ToSql<Text, DB>,
        DB: diesel::backend::Backend
            + diesel::sql_types::HasSqlType<BigInt>
            + diesel::sql_types::HasSqlType<Text>,
    {
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind::<BigInt, _>(*v),
                Bind::Text(v) => q.bind::<Text, _>(v.clone()),
            };
        }
        q
    }
    Ok(match conn {
        DbConnection::Sqlite(c) => {
            let sql = sql.replace('$', "?");
            bind_all(diesel::sql_query(sql).into_boxed::<Sqlite>(), binds).load(c)?
        }
        DbConnection::Postgresql(c) => {
            bind_all(diesel::sql_query(sql).into_boxed::<Pg>(), binds).load(c)?
        }
    })
}

/// Received-cohort counts for one (department, channel, category, site) group, or one bucket.
#[derive(Debug, Clone, QueryableByName)]
pub struct ReceivedRow {
    /// Index of the time bucket ([`Grouping::Buckets`]); 0 otherwise.
    #[diesel(sql_type = BigInt)]
    pub bucket: i64,
    #[diesel(sql_type = Text)]
    pub department_code: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub site_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub invalid: i64,
    #[diesel(sql_type = BigInt)]
    pub replied: i64,
    #[diesel(sql_type = BigInt)]
    pub same_day: i64,
    #[diesel(sql_type = BigInt)]
    pub working_days_sum: i64,
    #[diesel(sql_type = BigInt)]
    pub open_overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub paused: i64,
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
    #[diesel(sql_type = BigInt)]
    pub not_confirmed: i64,
}

/// Due-cohort counts for one group, or one bucket.
#[derive(Debug, Clone, QueryableByName)]
pub struct DueRow {
    #[diesel(sql_type = BigInt)]
    pub bucket: i64,
    #[diesel(sql_type = Text)]
    pub department_code: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub site_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub due: i64,
    #[diesel(sql_type = BigInt)]
    pub replied_on_time: i64,
    /// Of those, replied by the original limit (from receipt, before extensions and pauses).
    #[diesel(sql_type = BigInt)]
    pub replied_on_time_original: i64,
    #[diesel(sql_type = BigInt)]
    pub replied_late: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue_open: i64,
}

/// Critical (unanswered > 3 months) counts for one group.
#[derive(Debug, Clone, QueryableByName)]
pub struct CriticalRow {
    #[diesel(sql_type = Text)]
    pub department_code: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub site_name: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub critical: i64,
}

/// How many replies of one department took a given number of working days.
#[derive(Debug, Clone, QueryableByName)]
pub struct DaysRow {
    #[diesel(sql_type = Text)]
    pub department_code: String,
    #[diesel(sql_type = BigInt)]
    pub days: i64,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Filters shared by every query: the optional department and channel of the scope.
pub struct Filter<'a> {
    pub department: Option<&'a str>,
    pub channel: Option<&'a str>,
}

impl Filter<'_> {
    /// `AND department_code = $n …`, appending binds.
    fn clause(&self, binds: &mut Vec<Bind>) -> String {
        let mut s = String::new();
        if let Some(d) = self.department {
            binds.push(Bind::Text(d.to_string()));
            s.push_str(&format!(" AND department_code = ${}", binds.len()));
        }
        if let Some(c) = self.channel {
            binds.push(Bind::Text(c.to_string()));
            s.push_str(&format!(" AND channel = ${}", binds.len()));
        }
        s
    }
}

const GROUP: &str = "department_code, channel, category, site_name";

/// How the cohort queries group their rows.
#[derive(Debug, Clone, Copy)]
pub enum Grouping<'a> {
    /// By (department, channel, category, site), over one range.
    Detail,
    /// By time bucket only: ascending bounds `b0 < b1 < … < bn`, bucket `i` = `[b_i, b_i+1)`.
    Buckets(&'a [i64]),
}

impl Grouping<'_> {
    /// The range the whole query covers.
    fn range(&self, bounds: (i64, i64)) -> (i64, i64) {
        match self {
            Grouping::Buckets(b) if b.len() >= 2 => (b[0], b[b.len() - 1]),
            _ => bounds,
        }
    }

    /// `(select list of the group columns, GROUP BY clause)`, appending the inner bucket bounds.
    fn columns(&self, column: &str, binds: &mut Vec<Bind>) -> (String, String) {
        match self {
            Grouping::Detail => (
                format!("CAST(0 AS BIGINT) AS bucket, {GROUP}"),
                format!("GROUP BY {GROUP}"),
            ),
            Grouping::Buckets(b) => {
                let inner = b.get(1..b.len().saturating_sub(1)).unwrap_or_default();
                let case = if inner.is_empty() {
                    "0".to_string()
                } else {
                    let mut case = String::from("CASE");
                    for (i, bound) in inner.iter().enumerate() {
                        binds.push(Bind::Int(*bound));
                        case.push_str(&format!(" WHEN {column} < ${} THEN {i}", binds.len()));
                    }
                    case.push_str(&format!(" ELSE {} END", inner.len()));
                    case
                };
                (
                    format!(
                        "CAST({case} AS BIGINT) AS bucket, '' AS department_code, '' AS channel, \
                         '' AS category, CAST(NULL AS TEXT) AS site_name"
                    ),
                    "GROUP BY 1".to_string(),
                )
            }
        }
    }
}

/// "Replied as of $3": status replied with the reply at or before the as-of time.
/// The stored statuses and verdicts the queries name (from [`Status::as_str`], the one spelling).
const OPEN: &str = Status::Open.as_str();
const PAUSED: &str = Status::Paused.as_str();
const REPLIED_STATUS: &str = Status::Replied.as_str();
const INVALID: &str = Status::Invalid.as_str();
const CONFIRMED: &str = Verdict::Confirmed.as_str();
const REJECTED: &str = Verdict::Rejected.as_str();

/// Answered by the as-of time `$3`.
fn replied() -> String {
    format!("(status = '{REPLIED_STATUS}' AND replied_at <= $3)")
}

/// Messages received in `[start, end)`, grouped. `offset` is the office's UTC offset in seconds
/// (same-day = receipt and reply on the same local calendar date).
pub fn received(
    conn: &mut DbConnection,
    bounds: (i64, i64),
    grouping: Grouping,
    as_of: i64,
    offset: i64,
    filter: &Filter,
) -> Result<Vec<ReceivedRow>, AppError> {
    let (start, end) = grouping.range(bounds);
    let mut binds = vec![
        Bind::Int(start),
        Bind::Int(end),
        Bind::Int(as_of),
        Bind::Int(offset),
    ];
    let extra = filter.clause(&mut binds);
    let (group, group_by) = grouping.columns("received_at", &mut binds);
    let replied = replied();
    let overdue = overdue_sql("$3");
    let sql = format!(
        "SELECT {group}, \
           SUM(CASE WHEN status <> '{INVALID}' THEN 1 ELSE 0 END) AS received, \
           SUM(CASE WHEN status = '{INVALID}' THEN 1 ELSE 0 END) AS invalid, \
           SUM(CASE WHEN {replied} THEN 1 ELSE 0 END) AS replied, \
           SUM(CASE WHEN {replied} AND (received_at + $4) / 86400 = (replied_at + $4) / 86400 \
               THEN 1 ELSE 0 END) AS same_day, \
           SUM(CASE WHEN {replied} THEN COALESCE(working_days_taken, 0) ELSE 0 END) AS working_days_sum, \
           SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS open_overdue, \
           SUM(CASE WHEN status = '{PAUSED}' THEN 1 ELSE 0 END) AS paused, \
           SUM(CASE WHEN status <> '{INVALID}' AND verdict = '{CONFIRMED}' THEN 1 ELSE 0 END) AS confirmed, \
           SUM(CASE WHEN status <> '{INVALID}' AND verdict = '{REJECTED}' THEN 1 ELSE 0 END) AS not_confirmed \
         FROM messages WHERE received_at >= $1 AND received_at < $2{extra} {group_by}"
    );
    load(conn, &sql, &binds)
}

/// Messages whose (current) deadline falls in `[start, end)`, invalid ones excluded, grouped.
pub fn due(
    conn: &mut DbConnection,
    bounds: (i64, i64),
    grouping: Grouping,
    as_of: i64,
    filter: &Filter,
) -> Result<Vec<DueRow>, AppError> {
    let (start, end) = grouping.range(bounds);
    let mut binds = vec![Bind::Int(start), Bind::Int(end), Bind::Int(as_of)];
    let extra = filter.clause(&mut binds);
    let (group, group_by) = grouping.columns("due_at", &mut binds);
    let replied = replied();
    let overdue = overdue_sql("$3");
    let sql = format!(
        "SELECT {group}, COUNT(*) AS due, \
           SUM(CASE WHEN {replied} AND on_time THEN 1 ELSE 0 END) AS replied_on_time, \
           SUM(CASE WHEN {replied} AND replied_at <= original_due_at THEN 1 ELSE 0 END) \
               AS replied_on_time_original, \
           SUM(CASE WHEN {replied} AND NOT on_time THEN 1 ELSE 0 END) AS replied_late, \
           SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue_open \
         FROM messages WHERE due_at >= $1 AND due_at < $2 AND status <> '{INVALID}'{extra} {group_by}"
    );
    load(conn, &sql, &binds)
}

/// Unanswered messages received before `threshold` (three calendar months before the as-of time), grouped.
pub fn critical(
    conn: &mut DbConnection,
    threshold: i64,
    filter: &Filter,
) -> Result<Vec<CriticalRow>, AppError> {
    let mut binds = vec![Bind::Int(threshold)];
    let extra = filter.clause(&mut binds);
    let sql = format!(
        "SELECT {GROUP}, COUNT(*) AS critical FROM messages \
         WHERE status IN ('{OPEN}', '{PAUSED}') AND received_at < $1{extra} GROUP BY {GROUP}"
    );
    load(conn, &sql, &binds)
}

/// Replies of the received cohort counted by department and working days taken: a small
/// histogram (working days take few values) from which the medians are read exactly.
pub fn working_days_histogram(
    conn: &mut DbConnection,
    (start, end): (i64, i64),
    as_of: i64,
    filter: &Filter,
) -> Result<Vec<DaysRow>, AppError> {
    let mut binds = vec![Bind::Int(start), Bind::Int(end), Bind::Int(as_of)];
    let extra = filter.clause(&mut binds);
    let replied = replied();
    let sql = format!(
        "SELECT department_code, CAST(working_days_taken AS BIGINT) AS days, COUNT(*) AS n \
         FROM messages WHERE received_at >= $1 AND received_at < $2 AND {replied} \
           AND working_days_taken IS NOT NULL{extra} \
         GROUP BY department_code, working_days_taken"
    );
    load(conn, &sql, &binds)
}

/// The median of a histogram `(value, count)` in hundredths: the middle value, or the mean of
/// the two middle values for an even total; `None` when empty.
pub fn median_hundredths(histogram: &[(i64, i64)]) -> Option<i64> {
    let mut h: Vec<(i64, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    h.sort_unstable();
    let total: i64 = h.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // 0-based ranks of the middle element(s).
    let (lo, hi) = ((total - 1) / 2, total / 2);
    let at = |rank: i64| {
        let mut seen = 0;
        for (v, n) in &h {
            seen += n;
            if rank < seen {
                return *v;
            }
        }
        h.last().map_or(0, |(v, _)| *v)
    };
    Some((at(lo) + at(hi)) * 100 / 2)
}

/// A message on the 核查清单: late, either still open past its deadline or replied after it.
#[derive(Debug, Clone, QueryableByName)]
pub struct OverdueRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub department_code: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub site_name: Option<String>,
    /// The citizen's contact, read only to mask it where the subject repeats it.
    #[diesel(sql_type = Nullable<Text>)]
    pub citizen_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub citizen_phone: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub citizen_email: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub received_at: i64,
    #[diesel(sql_type = BigInt)]
    pub due_at: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub replied_at: Option<i64>,
}

/// Messages received or due in the period that were late as of `as_of`: the `limit` with the oldest deadlines.
pub fn overdue(
    conn: &mut DbConnection,
    (start, end): (i64, i64),
    as_of: i64,
    limit: i64,
    filter: &Filter,
) -> Result<Vec<OverdueRow>, AppError> {
    let mut binds = vec![Bind::Int(start), Bind::Int(end), Bind::Int(as_of)];
    let extra = filter.clause(&mut binds);
    binds.push(Bind::Int(limit));
    let lim = binds.len();
    let replied = replied();
    let late = format!(
        "due_at < $3 AND status <> '{INVALID}' AND status <> '{PAUSED}' \
         AND (NOT {replied} OR NOT on_time){extra}"
    );
    // The ids are picked from the covering indexes (the oldest deadlines first, a top-N per
    // range); only the listed rows are read from the table.
    // Ordering the receipt-range branch by `due_at + 0` keeps planners from walking the whole
    // deadline index in order to skip a sort (PostgreSQL did, taking seconds).
    let pick = |range: &str, order: &str| {
        format!(
            "SELECT id, due_at FROM messages WHERE {range} AND {late} \
             ORDER BY {order}, id LIMIT ${lim}"
        )
    };
    let sql = format!(
        "SELECT id, department_code, channel, category, subject, site_name, \
           citizen_name, citizen_phone, citizen_email, received_at, due_at, \
           CASE WHEN {replied} THEN replied_at ELSE NULL END AS replied_at \
         FROM messages WHERE id IN ( \
           SELECT id FROM ( \
             SELECT id, due_at FROM ({a}) by_receipt UNION SELECT id, due_at FROM ({b}) by_deadline \
           ) late ORDER BY due_at, id LIMIT ${lim}) \
         ORDER BY due_at, id",
        a = pick("received_at >= $1 AND received_at < $2", "due_at + 0"),
        b = pick("due_at >= $1 AND due_at < $2", "due_at"),
    );
    load(conn, &sql, &binds)
}

#[cfg(test)]
mod tests {
    use super::median_hundredths;

    #[test]
    fn medians_come_from_the_histogram_exactly() {
        assert_eq!(median_hundredths(&[]), None);
        assert_eq!(median_hundredths(&[(3, 1)]), Some(300));
        // 0, 0, 1, 3 → (0 + 1) / 2.
        assert_eq!(median_hundredths(&[(3, 1), (0, 2), (1, 1)]), Some(50));
        // 1, 2, 2, 2, 9 → 2.
        assert_eq!(median_hundredths(&[(2, 3), (9, 1), (1, 1)]), Some(200));
        assert_eq!(median_hundredths(&[(4, 2), (5, 2)]), Some(450));
    }
}

#[derive(Debug, Clone, QueryableByName)]
struct HandoffEvent {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// A department's hand-offs in a period: both paths of a misrouted message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Handoffs {
    /// Returned to the office (退回).
    pub returned: i64,
    /// Of those, within the return limit (not `late`).
    pub returned_on_time: i64,
    /// Transferred straight to another department (转办).
    pub transferred: i64,
}

/// Returns to the office and direct transfers recorded in `[start, end)`, per department the
/// message left. They are few, so their events are read and counted here rather than parsed by
/// each backend's JSON functions.
pub fn handoffs_by_department(
    conn: &mut DbConnection,
    bounds: (i64, i64),
) -> Result<std::collections::BTreeMap<String, Handoffs>, AppError> {
    use crate::messages::Event;
    let rows: Vec<HandoffEvent> = load(
        conn,
        "SELECT detail FROM message_events WHERE kind IN ('returned', 'transferred') AND at >= $1 AND at < $2",
        &[Bind::Int(bounds.0), Bind::Int(bounds.1)],
    )?;
    let mut out = std::collections::BTreeMap::<String, Handoffs>::new();
    for r in rows {
        match serde_json::from_str(&r.detail) {
            Ok(Event::Returned { from, late, .. }) => {
                let h = out.entry(from).or_default();
                h.returned += 1;
                h.returned_on_time += i64::from(!late);
            }
            Ok(Event::Transferred { from, .. }) => out.entry(from).or_default().transferred += 1,
            _ => {}
        }
    }
    Ok(out)
}
