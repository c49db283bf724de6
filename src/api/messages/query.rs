//! The list query of `GET /api/v1/messages`, checked into the domain's [`MessageFilter`].

use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Principal;
use crate::error::AppError;
use crate::messages::{self as msgs, MessageFilter, Status};
use crate::sla::{Category, Channel};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub department: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    /// Only open messages past their deadline.
    pub overdue: Option<bool>,
    /// RFC 3339.
    pub due_before: Option<String>,
    /// RFC 3339, inclusive.
    pub received_from: Option<String>,
    /// RFC 3339, exclusive.
    pub received_to: Option<String>,
    /// Text in subject or body.
    pub q: Option<String>,
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// Items per page, 1 to 500 (default 50).
    pub per_page: Option<i64>,
}

impl ListQuery {
    /// Turns the query into a filter, scoped to the caller's department where it has one.
    pub fn into_filter(
        self,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(MessageFilter, i64, i64), AppError> {
        let department = who.list_scope(self.department.as_deref())?;
        let status = self
            .status
            .map(|s| {
                s.parse::<Status>()
                    .map_err(|e| AppError::invalid("status", e))
            })
            .transpose()?;
        let channel = self
            .channel
            .map(|c| {
                c.parse::<Channel>()
                    .map(|c| c.as_str().to_string())
                    .map_err(|e| AppError::invalid("channel", e.to_string()))
            })
            .transpose()?;
        let category = self
            .category
            .map(|c| {
                c.parse::<Category>()
                    .map(|c| c.as_str().to_string())
                    .map_err(|e| AppError::invalid("category", e.to_string()))
            })
            .transpose()?;
        let time = |field: &str, v: Option<String>| {
            v.map(|s| msgs::parse_time(field, &s).map(|t| t.timestamp()))
                .transpose()
        };
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=500).contains(&per_page) {
            return Err(AppError::invalid(
                "per_page",
                "per_page must be between 1 and 500",
            ));
        }
        let page = msgs::check_page(self.page.unwrap_or(1), per_page)?;
        Ok((
            MessageFilter {
                department,
                status,
                channel,
                category,
                overdue_at: self.overdue.unwrap_or(false).then_some(now.timestamp()),
                review_pending: None,
                due_before: time("due_before", self.due_before)?,
                received_from: time("received_from", self.received_from)?,
                received_to: time("received_to", self.received_to)?,
                search: msgs::parse_search(self.q.as_deref())?,
            },
            page,
            per_page,
        ))
    }
}
