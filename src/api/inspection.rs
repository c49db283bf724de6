//! `GET /api/v1/inspection`: the self-check (迎检自查) for a check date — the veto register and the appraisal estimate — for the whole office (leaders and admins) or one department (clerks and supervisors: always their own).

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::AppState;
use crate::auth::Principal;
use crate::error::{AppError, ErrorEnvelope};
use crate::inspection::{self, InspectionContext, SelfCheck};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/inspection", web::get().to(self_check));
}

/// The years a check date or an appraisal year may lie in.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2999;

/// The query of the self-check (the API's and the page's).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InspectionQuery {
    /// The check date, `YYYY-MM-DD`: figures as of the end of that local day. Today in the
    /// office's time zone by default.
    pub date: Option<String>,
    /// The appraisal year (考核年度), at most the check date's year; the check date's year by
    /// default.
    pub year: Option<String>,
    /// A department code. Leaders and admins: optional, the whole office by default. Clerks and
    /// supervisors always get their own department; asking for another is 403.
    pub department: Option<String>,
}

/// What a self-check request asks for, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRequest {
    pub date: NaiveDate,
    pub year: Option<i32>,
}

/// A query value, with an empty one (an empty form field) taken as absent.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl InspectionQuery {
    /// The check date (`today` when none is given) and the appraisal year.
    pub fn parse(&self, today: NaiveDate) -> Result<CheckRequest, AppError> {
        let date = match given(&self.date) {
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| YEARS.contains(&d.year()))
                .ok_or_else(|| {
                    AppError::invalid(
                        "date",
                        format!(
                            "'{s}' is not a check date: expected YYYY-MM-DD between 2000 and 2999"
                        ),
                    )
                })?,
            None => today,
        };
        let year = given(&self.year)
            .map(|s| {
                s.parse::<i32>()
                    .ok()
                    .filter(|y| YEARS.contains(y) && *y <= date.year())
                    .ok_or_else(|| {
                        AppError::invalid(
                            "year",
                            format!(
                                "'{s}' is not an appraisal year: expected a year from 2000 to the check date's ({})",
                                date.year()
                            ),
                        )
                    })
            })
            .transpose()?;
        Ok(CheckRequest { date, year })
    }

    /// The department asked for, if any.
    pub fn department(&self) -> Option<&str> {
        given(&self.department)
    }
}

/// The self-check `who` may see for `q`: the API's answer, and what the page and its XLSX show.
pub async fn self_check_for(
    state: &AppState,
    who: &Principal,
    q: &InspectionQuery,
) -> Result<SelfCheck, AppError> {
    let department = who.figures_scope(q.department(), "inspection figures")?;
    let today = state.workflow.timeline.local_date(state.clock.now());
    let CheckRequest { date, year } = q.parse(today)?;
    let ctx = InspectionContext::from_settings(&state.settings, state.workflow.timeline.clone());
    state
        .db
        .run(move |conn| {
            let department = department.map(|d| d.as_str().to_string());
            if let Some(d) = &department {
                crate::directory::find_department(conn, d)?;
            }
            inspection::self_check(conn, &ctx, date, year, department.as_deref())
        })
        .await
}

/// The self-check (迎检自查) for a check date: the veto register (单项否决「互动回应差」: every
/// consultation-type message more than three calendar months without an answer at any time in
/// the year before the date) and the annual appraisal's points for 找错 messages (−3 for each
/// not finished, −2 for each finished after more than one calendar month, −3 without a reply in
/// the two months before the date), with the messages behind each figure and the departments
/// that would be named. An estimate: the inspector's count decides.
#[utoipa::path(get, path = "/api/v1/inspection", params(InspectionQuery), security(("bearer" = [])),
    responses((status = 200, body = SelfCheck),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope, description = "an intake token, or another department than the caller's own"),
        (status = 422, body = ErrorEnvelope, description = "a bad date, year or department, named in `field`")))]
pub async fn self_check(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<InspectionQuery>,
) -> Result<HttpResponse, AppError> {
    let check = self_check_for(&state, &who, &q).await?;
    Ok(HttpResponse::Ok().json(check))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(date: Option<&str>, year: Option<&str>) -> InspectionQuery {
        InspectionQuery {
            date: date.map(str::to_string),
            year: year.map(str::to_string),
            department: None,
        }
    }

    #[test]
    fn the_check_date_defaults_to_today_and_bad_values_name_their_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let ok = |d, y| query(d, y).parse(today).unwrap();
        assert_eq!(
            ok(None, None),
            CheckRequest {
                date: today,
                year: None
            }
        );
        assert_eq!(ok(Some(""), Some(" ")).date, today);
        assert_eq!(
            ok(Some("2027-05-01"), Some("2026")),
            CheckRequest {
                date: NaiveDate::from_ymd_opt(2027, 5, 1).unwrap(),
                year: Some(2026)
            }
        );
        let field = |d, y| match query(d, y).parse(today) {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "20260101",
            "yesterday",
            "1999-12-31",
        ] {
            assert_eq!(field(Some(bad), None).as_deref(), Some("date"), "{bad}");
        }
        for bad in ["2027", "26", "x"] {
            assert_eq!(
                field(Some("2026-06-01"), Some(bad)).as_deref(),
                Some("year"),
                "{bad}"
            );
        }
    }
}
