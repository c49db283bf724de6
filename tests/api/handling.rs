//! The handling rules: extension requests, returns and reassignment, verdicts, review of replies.

use huiyin::auth::Role;
use serde_json::json;

use crate::builder::event;
use crate::helpers::{error_code, t, TestApp};

/// Received Monday 10-12 at 08:00: a mailbox consultation (5 working days) is due Monday 10-19.
const MONDAY: &str = "2026-10-12T08:00:00+08:00";
const MAILBOX_DUE: &str = "2026-10-19T23:59:59+08:00";
/// A website error report (3 working days) received then is due Thursday 10-15.
const REPORT_DUE: &str = "2026-10-15T23:59:59+08:00";

#[tokio::test]
async fn an_extension_asked_in_time_is_decided_by_the_office_and_a_late_one_is_refused() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let msg = app.message().received(MONDAY).create_detail().await;
        assert_eq!(msg["due_at"], MAILBOX_DUE, "{}", app.backend);
        let base = format!("/api/v1/messages/{}", msg["id"]);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        // The office decides extensions by default (`[handling] extension_approver = "office"`).
        let supervisor = app.token(Role::Supervisor, Some("gov-office")).await;

        app.clock.set(t("2026-10-19T20:00:00+08:00"));
        let request = app
            .post_expect(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 3, "reason": "需要现场核查"}),
                201,
            )
            .await;
        assert_eq!(request["status"], "pending");
        let approve = format!("{base}/extension-requests/{}/approve", request["id"]);

        // A clerk cannot decide; the office's supervisor can, even after the deadline, since the request was in time.
        app.clock.set(t("2026-10-20T09:00:00+08:00"));
        app.post_expect(&clerk, &approve, &json!({}), 403).await;
        let out = app
            .post_expect(&supervisor, &approve, &json!({}), 200)
            .await;
        assert_eq!(out["due_at"], "2026-10-22T23:59:59+08:00");
        assert_eq!(out["extended_days"], 3);
        let err = app
            .post_expect(&supervisor, &approve, &json!({}), 409)
            .await;
        assert_eq!(error_code(&err), "conflict", "decided already: {err}");

        // Asked after the (new) deadline: refused, as the rules count it as a late reply.
        app.clock.set(t("2026-10-23T09:00:00+08:00"));
        let err = app
            .post_expect(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 2, "reason": "再延期"}),
                422,
            )
            .await;
        assert_eq!(error_code(&err), "invalid", "{err}");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("before the deadline"));

        // The detail shows why the deadline moved.
        let (status, detail) = app.get(&clerk, &base).await;
        assert_eq!(status, 200, "{detail}");
        let requests = detail["extension_requests"].as_array().unwrap();
        assert_eq!(requests.len(), 1, "the refused request left no record");
        assert_eq!(requests[0]["status"], "approved");
        assert_eq!(requests[0]["reason"], "需要现场核查");
        assert_eq!(detail["due_at"], "2026-10-22T23:59:59+08:00");
    }
}

#[tokio::test]
async fn extensions_over_the_cap_and_refusals_leave_the_deadline_alone() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let id = app.message().received(MONDAY).create().await;
        let base = format!("/api/v1/messages/{id}");
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let supervisor = app.token(Role::Supervisor, Some("gov-office")).await;
        let err = app
            .post_expect(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 11, "reason": "太复杂"}),
                422,
            )
            .await;
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("capped at 15 working days"));

        let request = app
            .post_expect(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 8, "reason": "需协调多个部门"}),
                201,
            )
            .await;
        let refuse = format!("{base}/extension-requests/{}/refuse", request["id"]);
        let err = app.post_expect(&supervisor, &refuse, &json!({}), 422).await;
        assert_eq!(err["error"]["field"], "reason", "a refusal needs a reason");
        let out = app
            .post_expect(
                &supervisor,
                &refuse,
                &json!({"reason": "可在时限内办结"}),
                200,
            )
            .await;
        assert_eq!(out["due_at"], MAILBOX_DUE);
        assert_eq!(out["extended_days"], 0);

        // The office's direct grant obeys the same cap: 5 + 8 + 3 is past the 15 from receipt.
        let out = app
            .act(
                &supervisor,
                id,
                "extend",
                json!({"working_days": 8, "reason": "核查"}),
            )
            .await;
        // Eight working days after Monday 10-19: 20–23, 26–29.
        assert_eq!(out["due_at"], "2026-10-29T23:59:59+08:00");
        assert_eq!(out["extended_days"], 8);
        let err = app
            .post_expect(
                &supervisor,
                &format!("{base}/extend"),
                &json!({"working_days": 3, "reason": "再延"}),
                422,
            )
            .await;
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("at most 2 more"),
            "{err}"
        );
        assert_eq!(app.detail(id).await["due_at"], "2026-10-29T23:59:59+08:00");
    }
}

#[tokio::test]
async fn a_return_within_two_working_days_is_on_time_across_national_day_and_later_is_late() {
    for app in TestApp::each("2026-09-30T10:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let a = app
            .message()
            .received("2026-09-30T09:00:00+08:00")
            .create()
            .await;
        let b = app
            .message()
            .received("2026-09-30T09:30:00+08:00")
            .create()
            .await;
        // 1–7 October are holidays: Thursday 10-08 is the first working day after assignment.
        app.clock.set(t("2026-10-08T15:00:00+08:00"));
        let out = app
            .act(&clerk, a, "return", json!({"reason": "不属于住建局职责"}))
            .await;
        assert_eq!(out["department"], "gov-office");
        assert_eq!(out["returned_count"], 1);
        // Saturday 10-10 is a make-up working day: the third working day after assignment.
        app.clock.set(t("2026-10-10T11:00:00+08:00"));
        app.act(&clerk, b, "return", json!({"reason": "应由教育局办理"}))
            .await;
        let (da, db) = (app.detail(a).await, app.detail(b).await);
        let (ea, eb) = (event(&da, "returned"), event(&db, "returned"));
        assert_eq!(
            (
                ea["detail"]["late"].as_bool(),
                eb["detail"]["late"].as_bool()
            ),
            (Some(false), Some(true)),
            "{}",
            app.backend
        );
        assert_eq!(
            (&ea["detail"]["working_days"], &eb["detail"]["working_days"]),
            (&json!(1), &json!(3))
        );
    }
}

#[tokio::test]
async fn a_return_across_a_weekend_counts_working_days_only() {
    for app in TestApp::each("2026-10-16T10:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let a = app
            .message()
            .received("2026-10-16T09:00:00+08:00")
            .create()
            .await;
        let b = app
            .message()
            .received("2026-10-16T09:10:00+08:00")
            .create()
            .await;
        // Friday → Tuesday: Monday and Tuesday are the two working days.
        app.clock.set(t("2026-10-20T17:00:00+08:00"));
        app.act(&clerk, a, "return", json!({"reason": "非本单位职责"}))
            .await;
        app.clock.set(t("2026-10-21T09:00:00+08:00"));
        app.act(&clerk, b, "return", json!({"reason": "非本单位职责"}))
            .await;
        for (id, late, days) in [(a, false, 2), (b, true, 3)] {
            let d = app.detail(id).await;
            let e = event(&d, "returned");
            assert_eq!(e["detail"]["late"], late, "{}", app.backend);
            assert_eq!(e["detail"]["working_days"], days);
        }
    }
}

#[tokio::test]
async fn the_office_reassigns_a_returned_message_keeping_the_deadline_unless_it_grants_a_fresh_one()
{
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let id = app
            .message()
            .received(MONDAY)
            .returned("非本单位职责")
            .create()
            .await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let office_clerk = app.token(Role::Clerk, Some("gov-office")).await;
        let err = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{id}/reassign"),
                &json!({"department": "jyj", "reason": "x"}),
                403,
            )
            .await;
        assert_eq!(error_code(&err), "forbidden", "only the office reassigns");
        app.clock.set(t("2026-10-14T09:00:00+08:00"));
        let out = app
            .act(
                &office_clerk,
                id,
                "reassign",
                json!({"department": "jyj", "reason": "属教育局职责"}),
            )
            .await;
        assert_eq!(out["department"], "jyj");
        assert_eq!(out["due_at"], MAILBOX_DUE, "original deadline kept");

        let other = app
            .message()
            .received(MONDAY)
            .returned("非本单位职责")
            .create()
            .await;
        let out = app
            .act(
                &app.admin,
                other,
                "reassign",
                json!({"department": "jyj", "reason": "重新交办并给予新时限", "fresh_deadline": true}),
            )
            .await;
        assert_eq!(out["department"], "jyj");
        // Five working days from Wednesday 10-14: 15, 16, 19, 20, 21.
        assert_eq!(out["due_at"], "2026-10-21T23:59:59+08:00");
        let e = event(&app.detail(other).await, "reassigned").clone();
        assert_eq!(
            (&e["detail"]["fresh_deadline"], &e["detail"]["to"]),
            (&json!(true), &json!("jyj")),
            "{e}"
        );
    }
}

#[tokio::test]
async fn verdicts_are_recorded_on_website_error_reports_only() {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        let report = app
            .message()
            .channel("website_error")
            .received(MONDAY)
            .create()
            .await;
        let mailbox = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let out = app
            .act(
                &clerk,
                report,
                "verdict",
                json!({"verdict": "confirmed", "note": "已修复政策文件栏目链接"}),
            )
            .await;
        assert_eq!(out["verdict"], "confirmed");
        let err = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{mailbox}/verdict"),
                &json!({"verdict": "rejected", "note": "x"}),
                422,
            )
            .await;
        assert_eq!(err["error"]["field"], "verdict");
        assert_eq!(app.detail(mailbox).await["verdict"], json!(null));
        let err = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{report}/verdict"),
                &json!({"verdict": "maybe", "note": "x"}),
                400,
            )
            .await;
        assert_eq!(error_code(&err), "bad_request");
        assert_eq!(app.detail(report).await["verdict"], "confirmed");
    }
}

#[tokio::test]
async fn a_reviewed_reply_is_final_only_when_accepted_and_a_rejection_reopens_with_the_same_deadline(
) {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        // Website error reports are reviewed; 3 working days: due Thursday 10-15.
        let id = app
            .message()
            .channel("website_error")
            .received(MONDAY)
            .create()
            .await;
        let base = format!("/api/v1/messages/{id}");
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let dept_supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let office_supervisor = app.token(Role::Supervisor, Some("gov-office")).await;

        let out = app
            .act(&clerk, id, "reply", json!({"body": "已修复。"}))
            .await;
        assert_eq!(out["message"]["status"], "open");
        assert_eq!(out["message"]["review_pending"], true);
        app.post_expect(
            &clerk,
            &format!("{base}/reply"),
            &json!({"body": "再次提交。"}),
            409,
        )
        .await;

        let err = app
            .post_expect(
                &dept_supervisor,
                &format!("{base}/review"),
                &json!({"accept": true}),
                403,
            )
            .await;
        assert_eq!(
            error_code(&err),
            "forbidden",
            "the department does not review its own replies"
        );
        let err = app
            .post_expect(
                &office_supervisor,
                &format!("{base}/review"),
                &json!({"accept": false}),
                422,
            )
            .await;
        assert_eq!(
            err["error"]["field"], "reason",
            "a rejection needs a reason"
        );
        let out = app
            .act(
                &office_supervisor,
                id,
                "review",
                json!({"accept": false, "reason": "未说明修复时间"}),
            )
            .await;
        assert_eq!(
            (out["status"].as_str(), out["review_pending"].as_bool()),
            (Some("open"), Some(false))
        );
        assert_eq!(out["due_at"], REPORT_DUE);

        // Resubmitted after the deadline and accepted: replied, but late.
        app.clock.set(t("2026-10-16T10:00:00+08:00"));
        app.act(&clerk, id, "reply", json!({"body": "已于10月16日修复。"}))
            .await;
        let out = app
            .act(&office_supervisor, id, "review", json!({"accept": true}))
            .await;
        assert_eq!(out["status"], "replied");
        assert_eq!(out["reply"]["on_time"], false);
        assert_eq!(out["reply"]["body"], "已于10月16日修复。");
        let detail = app.detail(id).await;
        let statuses: Vec<&str> = detail["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["rejected", "accepted"]);
    }
}

#[tokio::test]
async fn an_accepted_reply_counts_from_its_submission_time() {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        let id = app
            .message()
            .channel("website_error")
            .received(MONDAY)
            .replied("已修复。")
            .create()
            .await;
        let pending = app.detail(id).await;
        assert_eq!(
            (
                pending["status"].as_str(),
                pending["review_pending"].as_bool()
            ),
            (Some("open"), Some(true))
        );
        // Accepted after the deadline: the on-time test uses the submission (10-14).
        app.clock.set(t("2026-10-20T09:00:00+08:00"));
        let leader = app.token(Role::Leader, None).await;
        let out = app
            .act(&leader, id, "review", json!({"accept": true}))
            .await;
        assert_eq!(out["status"], "replied");
        assert_eq!(out["reply"]["on_time"], true);
        assert_eq!(out["reply"]["replied_at"], "2026-10-14T09:00:00+08:00");
    }
}

#[tokio::test]
async fn verdicts_and_returns_are_counted_in_the_statistics() {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        for verdict in ["confirmed", "confirmed", "rejected"] {
            let report = app
                .message()
                .channel("website_error")
                .received(MONDAY)
                .create()
                .await;
            app.act(
                &clerk,
                report,
                "verdict",
                json!({"verdict": verdict, "note": "已核实"}),
            )
            .await;
        }
        app.message()
            .received(MONDAY)
            .returned("非本单位职责")
            .create()
            .await;
        // Another department's message counts there only.
        app.message()
            .department("jyj")
            .received(MONDAY)
            .create()
            .await;

        let (status, body) = app.get(&app.admin, "/api/v1/stats?period=2026-10").await;
        assert_eq!(status, 200, "{body}");
        let s = &body["summary"];
        assert_eq!(
            (
                s["received"].as_i64(),
                s["confirmed"].as_i64(),
                s["not_confirmed"].as_i64()
            ),
            (Some(5), Some(2), Some(1))
        );
        assert_eq!(s["returned"], 1, "{}", app.backend);
        let zjj = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "zjj")
            .unwrap();
        assert_eq!(zjj["figures"]["returned"], 1);
        assert_eq!(zjj["figures"]["received"], 3);
        // The returned message now counts for the office that holds it.
        let office = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "gov-office")
            .unwrap();
        assert_eq!(office["figures"]["received"], 1);
        assert_eq!(office["figures"]["returned"], 0);
        let jyj = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "jyj")
            .unwrap();
        assert_eq!(
            (&jyj["figures"]["received"], &jyj["figures"]["returned"]),
            (&json!(1), &json!(0))
        );
    }
}
