//! The handling rules as published (issue 22): who approves an extension, the total cap from
//! receipt, the citizen told by email, and transfer versus return.

use std::sync::Arc;

use huiyin::api::AppState;
use huiyin::auth::Role;
use huiyin::clock::ManualClock;
use huiyin::worker;
use serde_json::{json, Value};

use crate::builder::event;
use crate::escalation::apps;
use crate::helpers::{error_code, mailbox, t, test_settings, TestApp, TestDb};

/// Received Monday 10-12 at 08:00: a mailbox consultation (5 working days) is due Monday 10-19.
const MONDAY: &str = "2026-10-12T08:00:00+08:00";
const MAILBOX_DUE: &str = "2026-10-19T23:59:59+08:00";
/// The citizen's address in the test messages (`helpers::mailbox`).
const CITIZEN: &str = "zhangsan@example.com";

fn message_of(err: &Value) -> &str {
    err["error"]["message"].as_str().unwrap_or_default()
}

async fn ask(app: &TestApp, clerk: &str, id: i64, days: u32) -> Value {
    app.post_expect(
        clerk,
        &format!("/api/v1/messages/{id}/extension-requests"),
        &json!({"working_days": days, "reason": "需要现场核查"}),
        201,
    )
    .await
}

#[tokio::test]
async fn a_request_approved_by_the_office_moves_the_deadline_and_the_departments_supervisor_is_refused(
) {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let office = app.token(Role::Supervisor, Some("gov-office")).await;
        let request = ask(&app, &clerk, id, 3).await;
        let approve = format!(
            "/api/v1/messages/{id}/extension-requests/{}/approve",
            request["id"]
        );

        // Under the default (extension_approver = "office"), the department's own supervisor may not.
        let err = app
            .post_expect(&supervisor, &approve, &json!({}), 403)
            .await;
        assert_eq!(error_code(&err), "forbidden", "{}: {err}", app.backend);
        assert!(
            message_of(&err).contains("approved by the office")
                && message_of(&err).contains("handling.extension_approver"),
            "{err}"
        );
        let err = app
            .post_expect(
                &supervisor,
                &format!("/api/v1/messages/{id}/extend"),
                &json!({"working_days": 2, "reason": "核查"}),
                403,
            )
            .await;
        assert!(message_of(&err).contains("approved by the office"), "{err}");
        assert_eq!(app.detail(id).await["due_at"], MAILBOX_DUE);

        // The office's supervisor approves a message of another department: three working days more.
        let out = app.post_expect(&office, &approve, &json!({}), 200).await;
        assert_eq!(
            out["due_at"], "2026-10-22T23:59:59+08:00",
            "{}",
            app.backend
        );
        assert_eq!(out["extended_days"], 3);
        let detail = app.detail(id).await;
        assert_eq!(detail["extension_requests"][0]["status"], "approved");
        assert!(event(&detail, "extended")["actor"].is_string());
    }
}

#[tokio::test]
async fn under_department_then_office_short_extensions_are_the_departments_and_long_ones_the_offices(
) {
    let settings = [
        (
            "HUIYIN_HANDLING__EXTENSION_APPROVER",
            "department_then_office",
        ),
        (
            "HUIYIN_HANDLING__DEPARTMENT_APPROVES_UP_TO_WORKING_DAYS",
            "3",
        ),
    ];
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", &settings).await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let office = app.token(Role::Supervisor, Some("gov-office")).await;

        let short = app.message().received(MONDAY).create().await;
        let request = ask(&app, &clerk, short, 3).await;
        let approve = format!(
            "/api/v1/messages/{short}/extension-requests/{}/approve",
            request["id"]
        );
        let err = app.post_expect(&office, &approve, &json!({}), 404).await;
        assert_eq!(
            error_code(&err),
            "not_found",
            "the office neither decides nor sees it"
        );
        let out = app
            .post_expect(&supervisor, &approve, &json!({}), 200)
            .await;
        assert_eq!(out["extended_days"], 3, "{}", app.backend);

        let long = app.message().received(MONDAY).create().await;
        let request = ask(&app, &clerk, long, 4).await;
        let approve = format!(
            "/api/v1/messages/{long}/extension-requests/{}/approve",
            request["id"]
        );
        let err = app
            .post_expect(&supervisor, &approve, &json!({}), 403)
            .await;
        assert!(
            message_of(&err).contains("the department up to 3 working days, the office above"),
            "{err}"
        );
        let out = app.post_expect(&office, &approve, &json!({}), 200).await;
        assert_eq!(out["extended_days"], 4, "{}", app.backend);
    }
}

#[tokio::test]
async fn an_extension_past_the_total_cap_from_receipt_is_refused_naming_the_cap() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let office = app.token(Role::Supervisor, Some("gov-office")).await;

        // A consultation has 5 working days; the whole handling is capped at 15 from receipt.
        let err = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{id}/extension-requests"),
                &json!({"working_days": 11, "reason": "太复杂"}),
                422,
            )
            .await;
        assert_eq!(err["error"]["field"], "working_days", "{err}");
        assert!(
            message_of(&err).contains("capped at 15 working days")
                && message_of(&err).contains("黄山市长信箱办理规则")
                && message_of(&err).contains("at most 10 more"),
            "{}: {err}",
            app.backend
        );

        let out = app
            .act(
                &office,
                id,
                "extend",
                json!({"working_days": 10, "reason": "需协调多个部门"}),
            )
            .await;
        assert_eq!(out["extended_days"], 10);
        let due = out["due_at"].clone();
        let err = app
            .post_expect(
                &office,
                &format!("/api/v1/messages/{id}/extend"),
                &json!({"working_days": 1, "reason": "再延"}),
                422,
            )
            .await;
        assert!(
            message_of(&err).contains("capped at 15 working days")
                && message_of(&err).contains("at most 0 more"),
            "{err}"
        );
        assert_eq!(app.detail(id).await["due_at"], due, "the deadline stays");

        // A 举报 has 15 working days already: the total leaves no extension.
        let mut report = mailbox("zjj", MONDAY);
        report["category"] = json!("report");
        let created = app
            .post_expect(&app.admin, "/api/v1/messages", &report, 201)
            .await;
        let err = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{}/extension-requests", created["id"]),
                &json!({"working_days": 1, "reason": "需调查"}),
                422,
            )
            .await;
        assert!(
            message_of(&err).contains("capped at 15 working days"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn the_citizen_is_emailed_the_new_deadline_once_and_the_history_says_so() {
    for (app, _url, smtp) in apps("2026-10-12T09:00:00+08:00", &[]).await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let office = app.token(Role::Supervisor, Some("gov-office")).await;
        let request = ask(&app, &clerk, id, 3).await;
        app.post_expect(
            &office,
            &format!(
                "/api/v1/messages/{id}/extension-requests/{}/approve",
                request["id"]
            ),
            &json!({}),
            200,
        )
        .await;

        // Queued once, in the step's transaction.
        let st = app.state.clone();
        let queued: i64 = tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            use huiyin::schema::alert_outbox as o;
            let mut conn = st.db.get().unwrap();
            o::table
                .filter(o::recipient_email.eq(CITIZEN))
                .count()
                .get_result(&mut conn)
                .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(queued, 1, "{}", app.backend);

        // Delivered once, however many rounds run.
        worker::run_once(&app.worker()).await.unwrap();
        app.clock.set(t("2026-10-12T10:00:00+08:00"));
        worker::run_once(&app.worker()).await.unwrap();
        let mails = smtp.to(CITIZEN);
        assert_eq!(mails.len(), 1, "{}", app.backend);
        assert!(
            mails[0].subject().contains("延期办理"),
            "{}",
            mails[0].subject()
        );
        let text = mails[0].text();
        assert!(text.contains("答复期限延至2026年10月22日"), "{text}");
        assert!(text.contains(&format!("编号{id}")), "{text}");

        let detail = app.detail(id).await;
        let told = event(&detail, "citizen_notified");
        assert_eq!(told["detail"]["step"], "extended", "{told}");
        assert_eq!(told["detail"]["emailed"], true, "{told}");

        // A transfer is told too; a message without an address is recorded, not emailed.
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        app.act(
            &supervisor,
            id,
            "transfer",
            json!({"department": "jyj", "reason": "属教育局职责"}),
        )
        .await;
        let mut anonymous = mailbox("zjj", MONDAY);
        anonymous["citizen"] = json!({"name": "李四"});
        let other = app
            .post_expect(&app.admin, "/api/v1/messages", &anonymous, 201)
            .await["id"]
            .as_i64()
            .unwrap();
        app.act(&clerk, other, "return", json!({"reason": "非本单位职责"}))
            .await;
        worker::run_once(&app.worker()).await.unwrap();
        let mails = smtp.to(CITIZEN);
        assert_eq!(mails.len(), 2, "{}", app.backend);
        assert!(mails[1].text().contains("转交"), "{}", mails[1].text());
        let told = event(&app.detail(other).await, "citizen_notified").clone();
        assert_eq!(
            (&told["detail"]["step"], &told["detail"]["emailed"]),
            (&json!("returned"), &json!(false))
        );
    }
}

#[tokio::test]
async fn a_clerks_direct_transfer_is_refused_by_default_and_the_return_path_works() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let err = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{id}/transfer"),
                &json!({"department": "jyj", "reason": "属教育局职责"}),
                403,
            )
            .await;
        assert_eq!(error_code(&err), "forbidden", "{}: {err}", app.backend);
        assert!(
            message_of(&err).contains("handling.direct_transfer_roles")
                && message_of(&err).contains("return it to the office"),
            "{err}"
        );
        assert_eq!(app.detail(id).await["department"], "zjj");

        // The clerk returns it with a reason; the office reassigns it.
        let out = app
            .act(&clerk, id, "return", json!({"reason": "属教育局职责"}))
            .await;
        assert_eq!(out["department"], "gov-office");
        let office = app.token(Role::Clerk, Some("gov-office")).await;
        let out = app
            .act(
                &office,
                id,
                "reassign",
                json!({"department": "jyj", "reason": "转教育局办理"}),
            )
            .await;
        assert_eq!(out["department"], "jyj");
        assert_eq!(out["due_at"], MAILBOX_DUE, "the deadline stays");

        // A supervisor transfers directly; both paths are in the statistics.
        let moved = app.message().received(MONDAY).create().await;
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        app.act(
            &supervisor,
            moved,
            "transfer",
            json!({"department": "jyj", "reason": "属教育局职责"}),
        )
        .await;
        let (status, body) = app.get(&app.admin, "/api/v1/stats?period=2026-10").await;
        assert_eq!(status, 200, "{body}");
        let zjj = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "zjj")
            .unwrap();
        let f = &zjj["figures"];
        assert_eq!(
            (&f["returned"], &f["returned_on_time"], &f["transferred"]),
            (&json!(1), &json!(1), &json!(1)),
            "{}: {f}",
            app.backend
        );
    }
}

#[tokio::test]
async fn clerks_transfer_directly_when_the_setting_allows_it() {
    let settings = [("HUIYIN_HANDLING__DIRECT_TRANSFER_ROLES", "clerk,supervisor")];
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", &settings).await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let out = app
            .act(
                &clerk,
                id,
                "transfer",
                json!({"department": "jyj", "reason": "属教育局职责"}),
            )
            .await;
        assert_eq!(out["department"], "jyj", "{}", app.backend);
    }
}

/// The demo loads under every `[handling] extension_approver` setting: its extension requests
/// are decided by whoever the setting names (the browser test runs it with `department`).
#[tokio::test]
async fn the_demo_loads_under_every_extension_approver() {
    for approver in ["office", "department", "department_then_office"] {
        let (_db, url) = TestDb::sqlite();
        let now = t("2026-12-03T10:00:00+08:00");
        let settings = test_settings(
            &url,
            &[
                ("HUIYIN_HANDLING__EXTENSION_APPROVER", approver),
                ("HUIYIN_HANDLING__PAUSE", "free"),
            ],
        );
        let loaded = tokio::task::spawn_blocking(move || {
            let state = AppState::load(settings, Arc::new(ManualClock::new(now))).unwrap();
            huiyin::demo::load(&state.db, &state.workflow, now)
        })
        .await
        .unwrap();
        let summary = loaded.unwrap_or_else(|e| panic!("{approver}: {e}"));
        assert!(summary.contains("364 messages"), "{approver}: {summary}");
    }
}
