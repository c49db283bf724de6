//! 待办: the department's messages awaiting an answer, soonest deadline first, with filters, search and pages (leaders and admins see every department).

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::error::AppError;
use crate::messages::model::{self, MessageFilter};
use crate::messages::Status;
use crate::sla::{Category, Channel};

use super::figures::{self, QueueCounts};
use super::view::{MessageItem, Names};
use super::{render, CurrentUser, Layout, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(inbox));
}

/// Messages per page.
pub const PER_PAGE: i64 = 20;

/// The inbox's filters, as they appear in the address.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InboxQuery {
    pub channel: Option<String>,
    pub category: Option<String>,
    /// open, paused, overdue or review (已提交待审核); empty = all pending.
    pub status: Option<String>,
    pub q: Option<String>,
    pub dept: Option<String>,
    pub page: Option<String>,
    /// Set after an action that took a message out of the inbox (`replied`, `transferred`, `returned`, `reassigned`), with the message's `id`.
    pub done: Option<String>,
    pub id: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A choice in a filter's drop-down.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(options: Vec<(String, String)>, current: Option<&str>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: current == Some(value.as_str()),
            value,
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "web/inbox.html")]
struct InboxPage {
    layout: Layout,
    scope_name: String,
    items: Vec<MessageItem>,
    counts: QueueCounts,
    /// Replies waiting for review across departments, for the reviewers.
    review_count: Option<i64>,
    /// The 待审核 tab is open.
    reviewing: bool,
    total: i64,
    page: i64,
    pages: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
    q: String,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    departments: Vec<Choice>,
    show_departments: bool,
    filtered: bool,
    notice: Option<String>,
}

impl InboxQuery {
    fn link(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("channel", &self.channel),
            ("category", &self.category),
            ("status", &self.status),
            ("q", &self.q),
            ("dept", &self.dept),
        ] {
            if let Some(v) = nonempty(v) {
                pairs.push((k, v.to_string()));
            }
        }
        pairs.push(("page", page.to_string()));
        format!(
            "/?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// The line shown after an action that took a message out of the inbox.
fn notice(query: &InboxQuery) -> Option<String> {
    let id: i64 = nonempty(&query.id)?.parse().ok()?;
    match nonempty(&query.done)? {
        "replied" => Some(format!("留言 #{id} 已答复办结，已移出待办。")),
        "reviewed" => Some(format!("留言 #{id} 的审核意见已记录。")),
        "transferred" => Some(format!("留言 #{id} 已转办至其他部门。")),
        "returned" => Some(format!("留言 #{id} 已退回交办单位重新分派。")),
        "reassigned" => Some(format!("留言 #{id} 已重新交办至承办部门。")),
        _ => None,
    }
}

/// The inbox page.
pub async fn inbox(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, WebError> {
    let who = &user.principal;
    who.require_reader()?;
    let query = query.into_inner();
    let now = state.clock.now();
    let status = nonempty(&query.status);
    let reviewer = who.may_review(&state.workflow.rules.office_department);
    // The review queue spans every department for the reviewers; others see their own waiting replies.
    let department = if status == Some("review") && reviewer {
        None
    } else {
        who.list_scope(nonempty(&query.dept))?
    };
    let channel = nonempty(&query.channel)
        .map(|c| c.parse::<Channel>())
        .transpose()
        .map_err(|e| AppError::invalid("channel", e.to_string()))?;
    let category = nonempty(&query.category)
        .map(|c| c.parse::<Category>())
        .transpose()
        .map_err(|e| AppError::invalid("category", e.to_string()))?;
    let mut filter = MessageFilter {
        department: department.clone(),
        channel: channel.map(|c| c.as_str().to_string()),
        category: category.map(|c| c.as_str().to_string()),
        search: crate::messages::parse_search(nonempty(&query.q))?,
        ..Default::default()
    };
    match status {
        None => {}
        Some("open") => filter.status = Some(Status::Open),
        Some("paused") => filter.status = Some(Status::Paused),
        Some("overdue") => filter.overdue_at = Some(now.timestamp()),
        Some("review") => filter.review_pending = Some(true),
        Some(_) => return Err(AppError::invalid("status", "unknown inbox status").into()),
    }
    let page: i64 = match nonempty(&query.page) {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .ok_or_else(|| AppError::invalid("page", "page starts at 1"))?,
    };
    let page = crate::messages::check_page(page, PER_PAGE)?;
    let st = state.clone();
    let dept = department.clone();
    let (rows, total, counts, review_count, departments, staff) = state
        .db
        .run(move |conn| {
            let (rows, total) = model::list_pending(conn, &filter, page, PER_PAGE)?;
            let counts = figures::queue_counts(conn, dept.as_deref(), &st.workflow.timeline, now)?;
            let review_count = if reviewer {
                Some(model::count_review_pending(conn)?)
            } else {
                None
            };
            Ok((
                rows,
                total,
                counts,
                review_count,
                crate::directory::list_departments(conn)?,
                crate::directory::list_staff(conn)?,
            ))
        })
        .await?;
    let names = Names::new(&departments, &staff);
    let tl = &state.workflow.timeline;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let scope_name = match &department {
        Some(code) => names.department(code),
        None => "全部部门".into(),
    };
    let title = if status == Some("review") {
        format!("待审核答复 · {scope_name}")
    } else {
        format!("待办留言 · {scope_name}")
    };
    render(&InboxPage {
        layout: Layout::for_user(
            &state,
            &user,
            &title,
            if status == Some("review") {
                "review"
            } else {
                "inbox"
            },
        )
        .await?,
        scope_name,
        items: rows
            .iter()
            .map(|r| MessageItem::new(r, tl, &names, now, who))
            .collect(),
        counts,
        review_count,
        reviewing: status == Some("review"),
        total,
        page,
        pages,
        prev_link: (page > 1).then(|| query.link(page - 1)),
        next_link: (page < pages).then(|| query.link(page + 1)),
        q: nonempty(&query.q).unwrap_or_default().to_string(),
        channels: choices(
            Channel::ALL
                .iter()
                .map(|c| (c.as_str().into(), c.label_zh().into()))
                .collect(),
            channel.map(|c| c.as_str()),
        ),
        categories: choices(
            Category::ALL
                .iter()
                .map(|c| (c.as_str().into(), c.label_zh().into()))
                .collect(),
            category.map(|c| c.as_str()),
        ),
        statuses: choices(
            vec![
                ("open".into(), "办理中".into()),
                ("overdue".into(), "已逾期".into()),
                ("paused".into(), "暂停计时".into()),
                ("review".into(), "已提交待审核".into()),
            ],
            status,
        ),
        departments: choices(
            departments
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect(),
            department.as_deref(),
        ),
        show_departments: who.scope().is_none(),
        filtered: channel.is_some()
            || category.is_some()
            || status.is_some()
            || nonempty(&query.q).is_some(),
        notice: notice(&query),
    })
}
