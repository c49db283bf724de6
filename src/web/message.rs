//! The message page: the message (contact masked outside the owning department), the site of a website-error report, the full history, and the forms that call the workflow: reply (checked first), transfer, pause (or ask for one and decide it), resume, ask for or grant an extension, mark invalid, reopen, and the handling rules' return, reassignment, verdict and review.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::Principal;
use crate::db::DbConnection;
use crate::directory::DepartmentCode;
use crate::error::AppError;
use crate::messages::{self as msgs, MessageRow, Workflow};
use crate::sla::WorkingDays;

use super::message_page::{self, Extras};
use super::refusal;
use super::{redirect, render_status, CurrentUser, Posted, WebError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/messages/{id}", web::get().to(show))
        .route("/messages/{id}/reply", web::post().to(reply))
        .route("/messages/{id}/transfer", web::post().to(transfer))
        .route("/messages/{id}/pause", web::post().to(pause))
        .route("/messages/{id}/resume", web::post().to(resume))
        .route(
            "/messages/{id}/pause-request",
            web::post().to(request_pause),
        )
        .route(
            "/messages/{id}/pause-decision",
            web::post().to(decide_pause),
        )
        .route(
            "/messages/{id}/extension-request",
            web::post().to(request_extension),
        )
        .route("/messages/{id}/extend", web::post().to(extend))
        .route(
            "/messages/{id}/extension-requests/{request_id}",
            web::post().to(decide_extension),
        )
        .route("/messages/{id}/invalid", web::post().to(mark_invalid))
        .route("/messages/{id}/reopen", web::post().to(reopen))
        .route("/messages/{id}/return", web::post().to(return_to_office))
        .route("/messages/{id}/reassign", web::post().to(reassign))
        .route("/messages/{id}/verdict", web::post().to(verdict))
        .route("/messages/{id}/review", web::post().to(review));
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

/// The notice shown after an action, by its code in the address.
fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "paused" => "已暂停计时，等待群众补充材料。恢复计时后，办理期限按暂停的工作日顺延。",
        "resumed" => "已恢复计时，办理期限已按暂停的工作日顺延。",
        "extended" => "已批准延期，办理期限已更新。",
        "extension_approved" => "已同意延期申请，办理期限已更新。",
        "extension_refused" => "已不同意延期申请，理由已告知承办人。",
        "extension_requested" => "延期申请已提交，等待审批。",
        "pause_requested" => "暂停计时申请已提交，等待科室负责人审批。",
        "pause_decided" => "暂停计时申请的审批意见已记录。",
        "invalid" => "已标记为无效留言（不计入统计）。",
        "reopened" => "已重新办理，留言回到待办。",
        "verdict" => "核实结论已记录。",
        "reviewed" => "审核意见已记录。",
        "reviewed_next" => "审核意见已记录。这是待审核队列中的下一件留言。",
        "submitted" => "答复已提交审核，审核通过后办结；等待审核期间不计逾期。",
        _ => return None,
    })
}

/// One message with its history and forms.
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, WebError> {
    let extras = Extras {
        notice: query.done.as_deref().and_then(notice).map(str::to_string),
        ..Default::default()
    };
    let page = message_page::build(&state, &user, id.into_inner(), extras).await?;
    render_status(StatusCode::OK, &page)
}

type Step = Box<
    dyn FnOnce(
            &Workflow,
            &Principal,
            &mut DbConnection,
            DateTime<Utc>,
        ) -> Result<MessageRow, AppError>
        + Send,
>;

/// Runs one workflow step as the user; on success goes to `success`, on a refusal the
/// page returns with the reason (and the status of the refusal), otherwise an error page.
async fn act(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: i64,
    step: Result<Step, AppError>,
    success: String,
) -> Result<HttpResponse, WebError> {
    match run(&state, &user, id, step).await? {
        Ok(_) => Ok(redirect(&success)),
        Err(refused) => Ok(refused),
    }
}

/// Runs one workflow step (or its form's error) as the user, in one write transaction.
async fn run_step(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    step: Result<Step, AppError>,
) -> Result<MessageRow, AppError> {
    let step = step?;
    let now = state.clock.now();
    let (st, who) = (state.clone(), user.principal.clone());
    state
        .db
        .write(move |conn| step(&st.workflow, &who, conn, now))
        .await
}

/// Runs one workflow step as the user: the row as it now is, or the page (or error) that
/// answers the refusal.
async fn run(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    id: i64,
    step: Result<Step, AppError>,
) -> Result<Result<MessageRow, HttpResponse>, WebError> {
    let result = run_step(state, user, step).await;
    match result {
        Ok(row) => Ok(Ok(row)),
        Err(e) => match refusal::action_error_zh(&e, &state.workflow.rules) {
            Some(text) => {
                let extras = Extras {
                    error: Some(text),
                    ..Default::default()
                };
                let page = message_page::build(state, user, id, extras).await?;
                Ok(Err(render_status(e.status_code(), &page)?))
            }
            None => Err(e.into()),
        },
    }
}

fn page_of(id: i64, done: &str) -> String {
    format!("/messages/{id}?done={done}")
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    body: String,
    /// Set by the "submit anyway" button after the warnings were shown.
    confirm: Option<String>,
}

/// Logs the reply. The body is checked first: with warnings and no confirmation the page
/// comes back showing them and the draft; the clerk may correct it or submit it anyway.
pub async fn reply(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReplyForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let warnings = msgs::reply_warnings(&form.body);
    let confirmed = form.confirm.as_deref() == Some("1");
    if !warnings.is_empty() && !confirmed && !form.body.trim().is_empty() {
        let extras = Extras {
            warnings: warnings.iter().map(|w| w.message_zh()).collect(),
            draft: form.body,
            ..Default::default()
        };
        let page = message_page::build(&state, &user, id, extras).await?;
        return render_status(StatusCode::OK, &page);
    }
    let step = msgs::parse_reply_body(&form.body).map(|body| -> Step {
        Box::new(move |wf, who, conn, now| wf.reply(conn, who, id, body, None, now))
    });
    Ok(match run(&state, &user, id, step).await? {
        // On a reviewed channel the reply waits for the reviewer: the message stays, marked.
        Ok(row) if row.review_pending => redirect(&page_of(id, "submitted")),
        Ok(_) => redirect(&format!("/?done=replied&id={id}")),
        Err(refused) => refused,
    })
}

#[derive(Debug, Deserialize)]
pub struct TransferForm {
    department: String,
    reason: String,
}

/// Transfers the message to another department (the deadline stays).
pub async fn transfer(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<TransferForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = DepartmentCode::parse(&form.department)
        .map_err(|e| AppError::invalid("department", e))
        .and_then(|to| Ok((to, msgs::parse_reason(&form.reason)?)))
        .map(|(to, reason)| -> Step {
            Box::new(move |wf, who, conn, now| wf.transfer(conn, who, id, &to, reason, now))
        });
    act(state, user, id, step, format!("/?done=transferred&id={id}")).await
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    reason: String,
}

/// Stops the clock while the citizen is asked for more information.
pub async fn pause(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = msgs::parse_reason(&form.reason).map(|reason| -> Step {
        Box::new(move |wf, who, conn, now| wf.pause(conn, who, id, reason, now))
    });
    act(state, user, id, step, page_of(id, "paused")).await
}

/// A clerk asks the supervisor to stop the clock (`[handling] pause = "with_approval"`).
pub async fn request_pause(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = msgs::parse_reason(&form.reason).map(|reason| -> Step {
        Box::new(move |wf, who, conn, now| {
            wf.request_pause(conn, who, id, reason, now)
                .and_then(|_| crate::messages::model::find(conn, id))
        })
    });
    act(state, user, id, step, page_of(id, "pause_requested")).await
}

#[derive(Debug, Deserialize)]
pub struct PauseDecisionForm {
    request: i64,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// A supervisor (or admin) approves or refuses a pause request.
pub async fn decide_pause(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<PauseDecisionForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let approve = form.decision == "approve";
    let request = form.request;
    let reason = Some(form.reason.trim().to_string())
        .filter(|r| !r.is_empty())
        .map(|r| msgs::parse_reason(&r))
        .transpose()
        .and_then(|r| match r {
            None if !approve => Err(AppError::invalid("reason", "请说明不同意的理由")),
            r => Ok(r),
        });
    let step = reason.map(|reason| -> Step {
        Box::new(move |wf, who, conn, now| {
            wf.decide_pause(conn, who, id, request, approve, reason, now)
        })
    });
    act(state, user, id, step, page_of(id, "pause_decided")).await
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// Restarts the clock.
pub async fn resume(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<NoFields>,
) -> Result<HttpResponse, WebError> {
    let id = id.into_inner();
    let step: Step = Box::new(move |wf, who, conn, now| wf.resume(conn, who, id, now));
    act(state, posted.user, id, Ok(step), page_of(id, "resumed")).await
}

#[derive(Debug, Deserialize)]
pub struct DaysForm {
    working_days: String,
    reason: String,
}

fn parse_days(form: &DaysForm) -> Result<(WorkingDays, String), AppError> {
    let days = form
        .working_days
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::invalid("working_days", "not a whole number"))
        .and_then(|n| WorkingDays::try_from(n).map_err(|e| AppError::invalid("working_days", e)))?;
    Ok((days, msgs::parse_reason(&form.reason)?))
}

/// A clerk asks the supervisor for more working days.
pub async fn request_extension(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<DaysForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = parse_days(&form).map(|(days, reason)| -> Step {
        Box::new(move |wf, who, conn, now| {
            wf.request_extension(conn, who, id, days, reason, now)
                .and_then(|_| crate::messages::model::find(conn, id))
        })
    });
    act(state, user, id, step, page_of(id, "extension_requested")).await
}

/// A supervisor (or admin) grants more working days.
pub async fn extend(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<DaysForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = parse_days(&form).map(|(days, reason)| -> Step {
        Box::new(move |wf, who, conn, now| wf.extend(conn, who, id, days, reason, now))
    });
    act(state, user, id, step, page_of(id, "extended")).await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    /// `approve` or `refuse`.
    decision: String,
    /// Required when refusing.
    reason: Option<String>,
    /// `dashboard` when sent from the approvals list there.
    back: Option<String>,
}

/// A supervisor of the department (or an admin) approves or refuses a clerk's extension
/// request, from the message page or the dashboard's approvals list.
pub async fn decide_extension(
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    posted: Posted<DecisionForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let (id, request_id) = path.into_inner();
    // The workflow checks this too; checking first gives the 403 page before any form error.
    let row = state
        .db
        .run(move |conn| msgs::model::find(conn, id))
        .await?;
    // The office decides on other departments' messages; everyone else must see the message.
    let approver = state.workflow.rules.office_department.as_str();
    if !user.principal.owns(approver) {
        user.principal
            .require_see_message(id, &row.department_code)?;
    }
    let approve = match form.decision.as_str() {
        "approve" => Ok(true),
        "refuse" => Ok(false),
        _ => Err(AppError::invalid("decision", "approve or refuse")),
    };
    let reason = form.reason.filter(|r| !r.trim().is_empty());
    let step = approve.and_then(|approve| {
        let reason = match (approve, reason) {
            (_, Some(r)) => Some(msgs::parse_reason(&r)?),
            (true, None) => None,
            (false, None) => {
                return Err(AppError::invalid(
                    "reason",
                    "say why the request is refused",
                ))
            }
        };
        Ok(Box::new(
            move |wf: &Workflow, who: &Principal, conn: &mut DbConnection, now| {
                wf.decide_extension(conn, who, id, request_id, approve, reason, now)
            },
        ) as Step)
    });
    let done = if form.decision == "approve" {
        "extension_approved"
    } else {
        "extension_refused"
    };
    if form.back.as_deref() != Some("dashboard") {
        return act(state, user, id, step, page_of(id, done)).await;
    }
    // From the approvals list: a refusal comes back to the list, which the office sees even
    // for the messages of other departments.
    match run_step(&state, &user, step).await {
        Ok(_) => Ok(redirect(&format!("/dashboard?done={done}&id={id}"))),
        Err(e) => match refusal::action_error_zh(&e, &state.workflow.rules) {
            Some(text) => {
                let query = super::dashboard::DashboardQuery::default();
                let refused = Some((e.status_code(), text));
                super::dashboard::dashboard_page(state, user, query, refused).await
            }
            None => Err(e.into()),
        },
    }
}

/// Marks the message invalid (spam, duplicate, out of scope).
pub async fn mark_invalid(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = msgs::parse_reason(&form.reason).map(|reason| -> Step {
        Box::new(move |wf, who, conn, now| wf.mark_invalid(conn, who, id, reason, now))
    });
    act(state, user, id, step, page_of(id, "invalid")).await
}

#[derive(Debug, Deserialize)]
pub struct OptionalReasonForm {
    reason: Option<String>,
}

/// Opens a replied or invalid message again.
pub async fn reopen(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<OptionalReasonForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = form
        .reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| msgs::parse_reason(&r))
        .transpose()
        .map(|reason| -> Step {
            let reason = reason.unwrap_or_else(|| "重新办理".to_string());
            Box::new(move |wf, who, conn, now| wf.reopen(conn, who, id, reason, now))
        });
    act(state, user, id, step, page_of(id, "reopened")).await
}

/// Returns the message to the office as not the department's business.
pub async fn return_to_office(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let step = msgs::parse_reason(&form.reason).map(|reason| -> Step {
        Box::new(move |wf, who, conn, now| wf.return_to_office(conn, who, id, reason, now))
    });
    act(state, user, id, step, format!("/?done=returned&id={id}")).await
}

#[derive(Debug, Deserialize)]
pub struct ReassignForm {
    department: String,
    reason: String,
    /// Sent (as `1`) only when the box 重新计算办理期限 is ticked.
    fresh_deadline: Option<String>,
}

/// The office sends a returned message to the department that should answer it; the
/// original deadline stays unless the office grants a fresh one.
pub async fn reassign(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReassignForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    // The workflow checks this too; checking first gives the 403 page before any form error.
    if !state.workflow.may_assign(&user.principal) {
        return Err(AppError::Forbidden("only the office assigns messages".into()).into());
    }
    let id = id.into_inner();
    let fresh = form.fresh_deadline.is_some();
    let step = DepartmentCode::parse(&form.department)
        .map_err(|e| AppError::invalid("department", e))
        .and_then(|to| Ok((to, msgs::parse_reason(&form.reason)?)))
        .map(|(to, reason)| -> Step {
            Box::new(move |wf, who, conn, now| wf.reassign(conn, who, id, &to, reason, fresh, now))
        });
    act(state, user, id, step, format!("/?done=reassigned&id={id}")).await
}

#[derive(Debug, Deserialize)]
pub struct VerdictForm {
    verdict: String,
    note: String,
}

/// Records 属实 / 不属实 on a website error report.
pub async fn verdict(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<VerdictForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let verdict = match form.verdict.as_str() {
        "confirmed" => Ok(msgs::Verdict::Confirmed),
        "rejected" => Ok(msgs::Verdict::Rejected),
        _ => Err(AppError::invalid("verdict", "请选择属实或不属实")),
    };
    let step = verdict.and_then(|verdict| {
        let note = msgs::parse_reason(&form.note)?;
        Ok(Box::new(
            move |wf: &Workflow, who: &Principal, conn: &mut DbConnection, now| {
                let finding = msgs::handling::Finding {
                    verdict,
                    note,
                    fixed_at: None,
                };
                wf.record_verdict(conn, who, id, finding, now)
            },
        ) as Step)
    });
    act(state, user, id, step, page_of(id, "verdict")).await
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    decision: String,
    reason: Option<String>,
}

/// Accepts or rejects the reply waiting for review.
pub async fn review(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    posted: Posted<ReviewForm>,
) -> Result<HttpResponse, WebError> {
    let Posted { user, form } = posted;
    let id = id.into_inner();
    let accept = form.decision == "accept";
    let reason = form.reason.filter(|r| !r.trim().is_empty());
    let step: Result<Step, AppError> = Ok(Box::new(move |wf, who, conn, now| {
        wf.review(conn, who, id, accept, reason, now)
    }));
    let row = match run(&state, &user, id, step).await? {
        Ok(row) => row,
        Err(refused) => return Ok(refused),
    };
    // Back to the message if the reviewer may still open it, else on to the next in the queue.
    if user.principal.can_see(&row.department_code) {
        return Ok(redirect(&page_of(id, "reviewed")));
    }
    let next = state
        .db
        .run(|conn| msgs::model::next_review(conn, None))
        .await?;
    Ok(redirect(&match next {
        Some(next) => page_of(next, "reviewed_next"),
        None => format!("/?status=review&done=reviewed&id={id}"),
    }))
}
