//! The handling rules: extension requests, returns and reassignment, verdicts, review of replies.

use huiyin::auth::Role;
use serde_json::json;

use crate::helpers::{error_code, t, website_error, TestApp};

#[tokio::test]
async fn an_extension_asked_in_time_is_decided_by_a_supervisor_and_a_late_one_is_refused() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        // Due Monday 2026-10-19 23:59:59.
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let base = format!("/api/v1/messages/{}", msg["id"]);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;

        app.clock.set(t("2026-10-19T20:00:00+08:00"));
        let (status, request) = app
            .post(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 3, "reason": "需要现场核查"}),
            )
            .await;
        assert_eq!(status, 201, "{}: {request}", app.backend);
        assert_eq!(request["status"], "pending");
        let approve = format!("{base}/extension-requests/{}/approve", request["id"]);

        // A clerk cannot decide; the supervisor can, even after the deadline, since the request was in time.
        app.clock.set(t("2026-10-20T09:00:00+08:00"));
        let (status, _) = app.post(&clerk, &approve, &json!({})).await;
        assert_eq!(status, 403);
        let (status, out) = app.post(&supervisor, &approve, &json!({})).await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["due_at"], "2026-10-22T23:59:59+08:00");
        assert_eq!(out["extended_days"], 3);
        let (status, _) = app.post(&supervisor, &approve, &json!({})).await;
        assert_eq!(status, 409, "decided already");

        // Asked after the (new) deadline: refused, as the rules count it as a late reply.
        app.clock.set(t("2026-10-23T09:00:00+08:00"));
        let (status, err) = app
            .post(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 2, "reason": "再延期"}),
            )
            .await;
        assert_eq!((status, error_code(&err)), (422, "invalid"), "{err}");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("before the deadline"));

        // The detail shows why the deadline moved.
        let (_, detail) = app.get(&clerk, &base).await;
        assert_eq!(detail["extension_requests"][0]["status"], "approved");
        assert_eq!(detail["extension_requests"][0]["reason"], "需要现场核查");
    }
}

#[tokio::test]
async fn extensions_over_the_cap_and_refusals_leave_the_deadline_alone() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let base = format!("/api/v1/messages/{}", msg["id"]);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let (status, err) = app
            .post(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 11, "reason": "太复杂"}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10"));

        let (_, request) = app
            .post(
                &clerk,
                &format!("{base}/extension-requests"),
                &json!({"working_days": 8, "reason": "需协调多个部门"}),
            )
            .await;
        let refuse = format!("{base}/extension-requests/{}/refuse", request["id"]);
        let (status, _) = app.post(&supervisor, &refuse, &json!({})).await;
        assert_eq!(status, 422, "a refusal needs a reason");
        let (status, out) = app
            .post(&supervisor, &refuse, &json!({"reason": "可在时限内办结"}))
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["due_at"], msg["due_at"]);

        // A supervisor's direct grant obeys the same cap.
        let (status, _) = app
            .post(
                &supervisor,
                &format!("{base}/extend"),
                &json!({"working_days": 8, "reason": "核查"}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, err) = app
            .post(
                &supervisor,
                &format!("{base}/extend"),
                &json!({"working_days": 3, "reason": "再延"}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
    }
}

#[tokio::test]
async fn a_return_within_two_working_days_is_on_time_across_national_day_and_later_is_late() {
    for app in TestApp::each("2026-09-30T10:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let a = app.create_message("zjj", "2026-09-30T09:00:00+08:00").await;
        let b = app.create_message("zjj", "2026-09-30T09:30:00+08:00").await;
        // 1–7 October are holidays: Thursday 10-08 is the first working day after assignment.
        app.clock.set(t("2026-10-08T15:00:00+08:00"));
        let (status, out) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/return", a["id"]),
                &json!({"reason": "不属于住建局职责"}),
            )
            .await;
        assert_eq!(status, 200, "{}: {out}", app.backend);
        assert_eq!(out["department"], "gov-office");
        assert_eq!(out["returned_count"], 1);
        // Saturday 10-10 is a make-up working day: the third working day after assignment.
        app.clock.set(t("2026-10-10T11:00:00+08:00"));
        let (status, _) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/return", b["id"]),
                &json!({"reason": "应由教育局办理"}),
            )
            .await;
        assert_eq!(status, 200);
        let lateness = |detail: &serde_json::Value| {
            detail["events"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["kind"] == "returned")
                .map(|e| e["detail"]["late"].as_bool().unwrap())
        };
        let (_, da) = app
            .get(&app.admin, &format!("/api/v1/messages/{}", a["id"]))
            .await;
        let (_, db) = app
            .get(&app.admin, &format!("/api/v1/messages/{}", b["id"]))
            .await;
        assert_eq!((lateness(&da), lateness(&db)), (Some(false), Some(true)));
    }
}

#[tokio::test]
async fn a_return_across_a_weekend_counts_working_days_only() {
    for app in TestApp::each("2026-10-16T10:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let a = app.create_message("zjj", "2026-10-16T09:00:00+08:00").await;
        let b = app.create_message("zjj", "2026-10-16T09:10:00+08:00").await;
        // Friday → Tuesday: Monday and Tuesday are the two working days.
        app.clock.set(t("2026-10-20T17:00:00+08:00"));
        app.post(
            &clerk,
            &format!("/api/v1/messages/{}/return", a["id"]),
            &json!({"reason": "非本单位职责"}),
        )
        .await;
        app.clock.set(t("2026-10-21T09:00:00+08:00"));
        app.post(
            &clerk,
            &format!("/api/v1/messages/{}/return", b["id"]),
            &json!({"reason": "非本单位职责"}),
        )
        .await;
        for (msg, late, days) in [(&a, false, 2), (&b, true, 3)] {
            let (_, d) = app
                .get(&app.admin, &format!("/api/v1/messages/{}", msg["id"]))
                .await;
            let e = d["events"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["kind"] == "returned")
                .unwrap()
                .clone();
            assert_eq!(e["detail"]["late"], late, "{}", app.backend);
            assert_eq!(e["detail"]["working_days"], days);
        }
    }
}

#[tokio::test]
async fn the_office_reassigns_a_returned_message_keeping_the_deadline_unless_it_grants_a_fresh_one()
{
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let office_clerk = app.token(Role::Clerk, Some("gov-office")).await;
        app.post(
            &clerk,
            &format!("/api/v1/messages/{id}/return"),
            &json!({"reason": "非本单位职责"}),
        )
        .await;
        let (status, _) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/reassign"),
                &json!({"department": "jyj", "reason": "x"}),
            )
            .await;
        assert_eq!(status, 403, "only the office reassigns");
        app.clock.set(t("2026-10-14T09:00:00+08:00"));
        let (status, out) = app
            .post(
                &office_clerk,
                &format!("/api/v1/messages/{id}/reassign"),
                &json!({"department": "jyj", "reason": "属教育局职责"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["department"], "jyj");
        assert_eq!(out["due_at"], msg["due_at"], "original deadline kept");

        let other = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let oid = other["id"].as_i64().unwrap();
        app.post(
            &clerk,
            &format!("/api/v1/messages/{oid}/return"),
            &json!({"reason": "非本单位职责"}),
        )
        .await;
        let (_, out) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{oid}/reassign"),
                &json!({"department": "jyj", "reason": "重新交办并给予新时限", "fresh_deadline": true}),
            )
            .await;
        // Five working days from Wednesday 10-14: 15, 16, 19, 20, 21.
        assert_eq!(out["due_at"], "2026-10-21T23:59:59+08:00");
    }
}

#[tokio::test]
async fn verdicts_are_recorded_on_website_error_reports_only() {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        let (_, report) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &website_error("zjj", "2026-10-12T08:00:00+08:00"),
            )
            .await;
        let mailbox = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, out) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/verdict", report["id"]),
                &json!({"verdict": "confirmed", "note": "已修复政策文件栏目链接"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["verdict"], "confirmed");
        let (status, err) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/verdict", mailbox["id"]),
                &json!({"verdict": "rejected", "note": "x"}),
            )
            .await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (422, Some("verdict"))
        );
        let (status, _) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/verdict", report["id"]),
                &json!({"verdict": "maybe", "note": "x"}),
            )
            .await;
        assert_eq!(status, 400);
    }
}

#[tokio::test]
async fn a_reviewed_reply_is_final_only_when_accepted_and_a_rejection_reopens_with_the_same_deadline(
) {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        // Website error reports are reviewed; 3 working days: due Thursday 10-15.
        let (_, report) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &website_error("zjj", "2026-10-12T08:00:00+08:00"),
            )
            .await;
        let base = format!("/api/v1/messages/{}", report["id"]);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let dept_supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let office_supervisor = app.token(Role::Supervisor, Some("gov-office")).await;

        let (status, out) = app
            .post(
                &clerk,
                &format!("{base}/reply"),
                &json!({"body": "已修复。"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["message"]["status"], "open");
        assert_eq!(out["message"]["review_pending"], true);
        let (status, _) = app
            .post(
                &clerk,
                &format!("{base}/reply"),
                &json!({"body": "再次提交。"}),
            )
            .await;
        assert_eq!(status, 409, "one submission at a time");

        let (status, _) = app
            .post(
                &dept_supervisor,
                &format!("{base}/review"),
                &json!({"accept": true}),
            )
            .await;
        assert_eq!(
            status, 403,
            "the department does not review its own replies"
        );
        let (status, _) = app
            .post(
                &office_supervisor,
                &format!("{base}/review"),
                &json!({"accept": false}),
            )
            .await;
        assert_eq!(status, 422, "a rejection needs a reason");
        let (status, out) = app
            .post(
                &office_supervisor,
                &format!("{base}/review"),
                &json!({"accept": false, "reason": "未说明修复时间"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(
            (out["status"].as_str(), out["review_pending"].as_bool()),
            (Some("open"), Some(false))
        );
        assert_eq!(out["due_at"], report["due_at"]);

        // Resubmitted after the deadline and accepted: replied, but late.
        app.clock.set(t("2026-10-16T10:00:00+08:00"));
        app.post(
            &clerk,
            &format!("{base}/reply"),
            &json!({"body": "已于10月16日修复。"}),
        )
        .await;
        let (status, out) = app
            .post(
                &office_supervisor,
                &format!("{base}/review"),
                &json!({"accept": true}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["status"], "replied");
        assert_eq!(out["reply"]["on_time"], false);
        assert_eq!(out["reply"]["body"], "已于10月16日修复。");
        let (_, detail) = app.get(&app.admin, &base).await;
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
        let (_, report) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &website_error("zjj", "2026-10-12T08:00:00+08:00"),
            )
            .await;
        let base = format!("/api/v1/messages/{}", report["id"]);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        app.post(
            &clerk,
            &format!("{base}/reply"),
            &json!({"body": "已修复。"}),
        )
        .await;
        // Accepted after the deadline: the on-time test uses the submission (10-14).
        app.clock.set(t("2026-10-20T09:00:00+08:00"));
        let leader = app.token(Role::Leader, None).await;
        let (status, out) = app
            .post(&leader, &format!("{base}/review"), &json!({"accept": true}))
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["reply"]["on_time"], true);
        assert_eq!(out["reply"]["replied_at"], "2026-10-14T09:00:00+08:00");
    }
}

#[tokio::test]
async fn verdicts_and_returns_are_counted_in_the_statistics() {
    for app in TestApp::each("2026-10-14T09:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        for verdict in ["confirmed", "confirmed", "rejected"] {
            let (_, report) = app
                .post(
                    &app.admin,
                    "/api/v1/messages",
                    &website_error("zjj", "2026-10-12T08:00:00+08:00"),
                )
                .await;
            let (status, _) = app
                .post(
                    &clerk,
                    &format!("/api/v1/messages/{}/verdict", report["id"]),
                    &json!({"verdict": verdict, "note": "已核实"}),
                )
                .await;
            assert_eq!(status, 200);
        }
        let misrouted = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        app.post(
            &clerk,
            &format!("/api/v1/messages/{}/return", misrouted["id"]),
            &json!({"reason": "非本单位职责"}),
        )
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
            (Some(4), Some(2), Some(1))
        );
        assert_eq!(s["returned"], 1, "{}", app.backend);
        let zjj = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "zjj")
            .unwrap();
        assert_eq!(zjj["figures"]["returned"], 1);
        // The returned message now counts for the office that holds it.
        let office = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "gov-office")
            .unwrap();
        assert_eq!(office["figures"]["received"], 1);
    }
}
