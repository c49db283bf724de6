//! The `reports` table: frozen report versions, stored as JSON with their as-of time and rounding rule.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::schema::reports;
use crate::stats::{Figures, Period};

use super::Report;

#[derive(Insertable)]
#[diesel(table_name = reports)]
struct NewReportRow<'a> {
    period: &'a str,
    scope: &'a str,
    version: i32,
    as_of: i64,
    rounding: &'a str,
    body: &'a str,
    figures: &'a str,
    created_by: &'a str,
    created_at: i64,
}

/// A stored version, without its body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct VersionRow {
    pub version: i32,
    pub as_of: i64,
    pub rounding: String,
    pub created_by: String,
    pub created_at: i64,
}

fn decode(body: &str) -> Result<Report, AppError> {
    serde_json::from_str(body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored report is unreadable: {e}")))
}

/// Stores `report` under its version (unique per period and scope).
pub fn insert(
    conn: &mut DbConnection,
    period: &Period,
    scope: &str,
    report: &Report,
    figures: &Figures,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let body = serde_json::to_string(report).map_err(|e| AppError::Internal(e.into()))?;
    let figures = serde_json::to_string(figures).map_err(|e| AppError::Internal(e.into()))?;
    diesel::insert_into(reports::table)
        .values(NewReportRow {
            period: &period.to_string(),
            scope,
            version: report.version.unwrap_or(1),
            as_of: report.as_of_unix,
            rounding: report.rounding.as_str(),
            body: &body,
            figures: &figures,
            created_by: actor,
            created_at: now.timestamp(),
        })
        .execute(conn)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}

pub fn latest_version(
    conn: &mut DbConnection,
    period: &Period,
    scope: &str,
) -> Result<Option<i32>, AppError> {
    Ok(reports::table
        .filter(reports::period.eq(period.to_string()))
        .filter(reports::scope.eq(scope))
        .select(diesel::dsl::max(reports::version))
        .first::<Option<i32>>(conn)?)
}

/// The newest stored version.
pub fn latest(
    conn: &mut DbConnection,
    period: &Period,
    scope: &str,
) -> Result<Option<Report>, AppError> {
    let body: Option<String> = reports::table
        .filter(reports::period.eq(period.to_string()))
        .filter(reports::scope.eq(scope))
        .order(reports::version.desc())
        .select(reports::body)
        .first(conn)
        .optional()?;
    body.as_deref().map(decode).transpose()
}

/// One stored version.
pub fn get(
    conn: &mut DbConnection,
    period: &Period,
    scope: &str,
    version: i32,
) -> Result<Option<Report>, AppError> {
    let body: Option<String> = reports::table
        .filter(reports::period.eq(period.to_string()))
        .filter(reports::scope.eq(scope))
        .filter(reports::version.eq(version))
        .select(reports::body)
        .first(conn)
        .optional()?;
    body.as_deref().map(decode).transpose()
}

/// Every stored version, oldest first.
pub fn versions(
    conn: &mut DbConnection,
    period: &Period,
    scope: &str,
) -> Result<Vec<VersionRow>, AppError> {
    Ok(reports::table
        .filter(reports::period.eq(period.to_string()))
        .filter(reports::scope.eq(scope))
        .order(reports::version.asc())
        .select(VersionRow::as_select())
        .load(conn)?)
}

/// The summary counts of the latest frozen version of each of `periods` that has one.
pub fn published_figures(
    conn: &mut DbConnection,
    periods: &[Period],
    scope: &str,
) -> Result<std::collections::HashMap<String, Figures>, AppError> {
    let names: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
    let rows: Vec<(String, i32, String)> = reports::table
        .filter(reports::period.eq_any(&names))
        .filter(reports::scope.eq(scope))
        .order((reports::period.asc(), reports::version.asc()))
        .select((reports::period, reports::version, reports::figures))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (period, _, figures) in rows {
        // Ascending versions: the latest one wins.
        let f: Figures = serde_json::from_str(&figures).map_err(|e| {
            AppError::Internal(anyhow::anyhow!("stored figures are unreadable: {e}"))
        })?;
        out.insert(period, f);
    }
    Ok(out)
}
