//! Approvals as a queue on 督办看板: a clerk's extension request listed for its approvers (the office's
//! supervisors by default, the department's under `extension_approver = "department"`), approved or refused (with a reason) from the list or the message page, the real reason of a refused request, and the forms' permission and CSRF failures.

use huiyin::auth::Role;
use serde_json::Value;

use super::logged_in;
use crate::helpers::{mailbox, TestApp};

/// Monday 23 November 2026.
const NOW: &str = "2026-11-23T10:00:00+08:00";

/// The department decides its own extensions (not the default, which is the office).
const DEPARTMENT_APPROVES: &[(&str, &str)] =
    &[("HUIYIN_HANDLING__EXTENSION_APPROVER", "department")];

async fn message(app: &TestApp, dept: &str, received_at: &str) -> i64 {
    let (status, msg) = app
        .post(&app.admin, "/api/v1/messages", &mailbox(dept, received_at))
        .await;
    assert_eq!(status, 201, "{msg}");
    msg["id"].as_i64().unwrap()
}

async fn api_message(app: &TestApp, id: i64) -> Value {
    let (status, msg) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
    assert_eq!(status, 200);
    msg
}

/// The address of the approve / refuse form of the message's pending request, from its page.
fn decision_path(html: &str, id: i64) -> String {
    let prefix = format!("/messages/{id}/extension-requests/");
    let start = html
        .find(&prefix)
        .unwrap_or_else(|| panic!("no decision form in:\n{html}"));
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn the_office_refuses_a_clerks_extension_request_from_its_dashboard_and_the_clerk_reads_why()
{
    for app in TestApp::each(NOW).await {
        // Received Friday 20th: due Friday 27th.
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00").await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let asked = clerk
            .submit(
                &page,
                &format!("{page}/extension-request"),
                &[("working_days", "5"), ("reason", "需现场勘查")],
            )
            .await;
        assert_eq!(asked.status, 303, "{}", asked.body);
        // The office decides by default: its dashboard lists every department's requests.
        let supervisor = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        let board = supervisor.get("/dashboard").await.body;
        assert!(board.contains("待审批 <small>1 件</small>"), "{board}");
        assert!(board.contains("延期申请") && board.contains("由办公室审批"));
        let form = decision_path(&board, id);
        // The department's own supervisor is refused, with the rule in Chinese.
        let own = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        assert!(
            !own.get(&page).await.body.contains(&form),
            "no decision form"
        );
        let refused = own.submit(&page, &form, &[("decision", "approve")]).await;
        assert_eq!(refused.status, 403, "{}", app.backend);
        assert!(
            refused
                .body
                .contains("延期须由市政府办公室（督查）负责人审批"),
            "{}",
            refused.body
        );
        // Refusing needs a reason.
        let bare = supervisor
            .submit(
                "/dashboard",
                &form,
                &[("decision", "refuse"), ("back", "dashboard")],
            )
            .await;
        assert_eq!(bare.status, 422, "{}", app.backend);
        assert!(bare.body.contains("请填写理由"));
        let refused = supervisor
            .submit(
                "/dashboard",
                &form,
                &[
                    ("decision", "refuse"),
                    ("reason", "现有期限足够办结"),
                    ("back", "dashboard"),
                ],
            )
            .await;
        assert_eq!(refused.status, 303);
        let back = refused.location.unwrap();
        assert!(
            back.starts_with("/dashboard?done=extension_refused"),
            "{back}"
        );
        let board = supervisor.get(&back).await.body;
        assert!(board.contains("已不同意留言"), "{board}");
        assert!(board.contains("没有等待审批的事项"));
        let shown = clerk.get(&page).await.body;
        assert!(shown.contains("延期申请未获同意"), "{shown}");
        assert!(shown.contains("现有期限足够办结"));
        assert_eq!(api_message(&app, id).await["extended_days"], 0);
    }
}

#[tokio::test]
async fn a_departments_supervisor_approves_a_request_from_the_message_page_when_it_approves() {
    for app in TestApp::each_with(NOW, DEPARTMENT_APPROVES).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00").await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        clerk
            .submit(
                &page,
                &format!("{page}/extension-request"),
                &[("working_days", "3"), ("reason", "需会商")],
            )
            .await;
        let supervisor = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        let shown = supervisor.get(&page).await.body;
        assert!(shown.contains("审批延期申请") && shown.contains("不同意"));
        let ok = supervisor
            .submit(
                &page,
                &decision_path(&shown, id),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(ok.status, 303);
        assert_eq!(
            ok.location.unwrap(),
            format!("{page}?done=extension_approved")
        );
        assert_eq!(api_message(&app, id).await["extended_days"], 3);
    }
}

#[tokio::test]
async fn a_late_or_oversized_request_shows_the_workflows_real_reason() {
    for app in TestApp::each(NOW).await {
        // Received 2 November: due 9 November, long past.
        let late = message(&app, "zjj", "2026-11-02T10:00:00+08:00").await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = format!("/messages/{late}");
        let refused = clerk
            .submit(
                &page,
                &format!("{page}/extension-request"),
                &[("working_days", "5"), ("reason", "需现场勘查")],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(
            refused
                .body
                .contains("已超过办理期限，不能再申请或批准延期"),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains("延期天数须为1至60之间的整数"));
        // Past the total of 15 working days from receipt (5 + 11).
        let fresh = message(&app, "zjj", "2026-11-20T10:00:00+08:00").await;
        let page = format!("/messages/{fresh}");
        let over = clerk
            .submit(
                &page,
                &format!("{page}/extension-request"),
                &[("working_days", "11"), ("reason", "需现场勘查")],
            )
            .await;
        assert_eq!(over.status, 422);
        assert!(
            over.body.contains(
                "办理时限自受理起累计不得超过15个工作日（含延期），本件最多还可延长10个工作日"
            ),
            "{}",
            over.body
        );
    }
}

#[tokio::test]
async fn the_decision_form_refuses_clerks_other_departments_and_a_missing_csrf_token() {
    // The department's supervisor decides here, so the form is on its message page.
    for app in TestApp::each_with(NOW, DEPARTMENT_APPROVES).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00").await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        clerk
            .submit(
                &page,
                &format!("{page}/extension-request"),
                &[("working_days", "3"), ("reason", "需会商")],
            )
            .await;
        let supervisor = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        let form = decision_path(&supervisor.get(&page).await.body, id);
        let own = clerk
            .submit(
                &page,
                &form,
                &[("decision", "refuse"), ("reason", "自己不同意")],
            )
            .await;
        assert_eq!(own.status, 403, "a clerk does not decide: {}", app.backend);
        let other = logged_in(&app, Role::Supervisor, Some("jyj")).await;
        let elsewhere = other.submit("/", &form, &[("decision", "approve")]).await;
        assert_eq!(
            elsewhere.status, 404,
            "another department's message is not found"
        );
        let forged = supervisor.post(&form, &[("decision", "approve")]).await;
        assert_eq!(forged.status, 403);
        assert_eq!(api_message(&app, id).await["extended_days"], 0);
        assert!(supervisor
            .get("/dashboard")
            .await
            .body
            .contains("待审批 <small>1 件</small>"));
    }
}
