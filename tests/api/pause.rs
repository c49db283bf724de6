//! The pause policy (`[handling] pause`) and the two on-time rates: the inspector's, counted from
//! receipt, and the office's, after approved extensions and pauses.

use huiyin::auth::Role;
use serde_json::json;

use crate::helpers::{error_code, TestApp, PAUSE_FREE};
use crate::web::logged_in;

const MONDAY: &str = "2026-10-12T08:00:00+08:00";

#[tokio::test]
async fn with_pauses_off_a_pause_is_refused_naming_the_policy_and_the_page_has_no_pause_form() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, err) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/pause"),
                &json!({"reason": "请补充楼栋号"}),
            )
            .await;
        assert_eq!((status, error_code(&err)), (409, "conflict"), "{err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("handling.pause"),
            "{err}"
        );
        assert_eq!(app.detail(id).await["status"], "open");
        let browser = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = browser.get(&format!("/messages/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("暂停计时"), "{}", page.body);
    }
}

const WITH_APPROVAL: &[(&str, &str)] = &[("HUIYIN_HANDLING__PAUSE", "with_approval")];

#[tokio::test]
async fn with_approval_a_clerk_asks_and_only_a_supervisor_of_the_department_decides() {
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", WITH_APPROVAL).await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        // The clerk may not pause directly: the policy is named.
        let (status, err) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/pause"),
                &json!({"reason": "请补充楼栋号"}),
            )
            .await;
        assert_eq!(status, 409, "{err}");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("with_approval"));
        let request = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{id}/pause-requests"),
                &json!({"reason": "请补充楼栋号"}),
                201,
            )
            .await;
        assert_eq!(request["status"], "pending");
        let rid = request["id"].as_i64().unwrap();
        let approve = format!("/api/v1/messages/{id}/pause-requests/{rid}/approve");
        // The clerk cannot approve, nor a supervisor of another department.
        let (status, _) = app.post(&clerk, &approve, &json!({})).await;
        assert_eq!(status, 403);
        let other = app.token(Role::Supervisor, Some("jyj")).await;
        let (status, _) = app.post(&other, &approve, &json!({})).await;
        assert!(status == 403 || status == 404, "{status}");
        assert_eq!(app.detail(id).await["status"], "open");
        // The department's supervisor approves a day later: paused from then.
        app.clock
            .set(crate::helpers::t("2026-10-13T09:00:00+08:00"));
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let out = app
            .post_expect(&supervisor, &approve, &json!({}), 200)
            .await;
        assert_eq!(out["status"], "paused");
        assert_eq!(out["paused_at"], "2026-10-13T09:00:00+08:00");
        let detail = app.detail(id).await;
        assert_eq!(detail["pause_requests"][0]["status"], "approved");
        crate::builder::event(&detail, "pause_requested");
        crate::builder::event(&detail, "paused");
        // Decided already.
        let (status, _) = app.post(&supervisor, &approve, &json!({})).await;
        assert_eq!(status, 409);
    }
}

#[tokio::test]
async fn a_refused_pause_request_records_the_reason_and_the_clock_runs_on() {
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", WITH_APPROVAL).await {
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let request = app
            .post_expect(
                &clerk,
                &format!("/api/v1/messages/{id}/pause-requests"),
                &json!({"reason": "请补充楼栋号"}),
                201,
            )
            .await;
        let refuse = format!(
            "/api/v1/messages/{id}/pause-requests/{}/refuse",
            request["id"]
        );
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let (status, err) = app.post(&supervisor, &refuse, &json!({})).await;
        assert_eq!((status, error_code(&err)), (422, "invalid"), "{err}");
        let out = app
            .post_expect(
                &supervisor,
                &refuse,
                &json!({"reason": "地址已足够明确，请直接办理"}),
                200,
            )
            .await;
        assert_eq!(out["status"], "open");
        let detail = app.detail(id).await;
        assert_eq!(detail["pause_requests"][0]["status"], "refused");
        assert_eq!(
            detail["pause_requests"][0]["decision_reason"],
            "地址已足够明确，请直接办理"
        );
        let refused = crate::builder::event(&detail, "pause_refused");
        assert!(refused.to_string().contains("地址已足够明确"), "{refused}");
    }
}

#[tokio::test]
async fn with_approval_the_page_offers_the_request_to_clerks_and_the_decision_to_supervisors() {
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", WITH_APPROVAL).await {
        let id = app.message().received(MONDAY).create().await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let shown = clerk.get(&page).await;
        assert!(shown.body.contains("申请暂停计时"), "{}", shown.body);
        assert!(!shown.body.contains(&format!("action=\"{page}/pause\"")));
        let answer = clerk
            .submit(
                &page,
                &format!("{page}/pause-request"),
                &[("reason", "请补充楼栋号")],
            )
            .await;
        assert_eq!(answer.status, 303);
        let supervisor = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        let shown = supervisor.get(&page).await;
        assert!(shown.body.contains("同意暂停计时"), "{}", shown.body);
        let leader = logged_in(&app, Role::Leader, None).await;
        let check = leader.get("/inspection?date=2026-10-12").await;
        assert!(
            check
                .body
                .contains("按期答复率（自受理起计，检查机构口径）"),
            "{}",
            check.body
        );
        let rid = app.detail(id).await["pause_requests"][0]["id"].to_string();
        let answer = supervisor
            .submit(
                &page,
                &format!("{page}/pause-decision"),
                &[
                    ("request", rid.as_str()),
                    ("decision", "approve"),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(answer.status, 303);
        assert_eq!(app.detail(id).await["status"], "paused");
    }
}

#[tokio::test]
async fn the_inspectors_rate_counts_a_paused_then_late_reply_as_late_and_the_offices_on_time() {
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", PAUSE_FREE).await {
        // Received Monday 12 October, due Monday 19 October from receipt.
        let id = app.message().received(MONDAY).create().await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        app.act(&clerk, id, "pause", json!({"reason": "请补充楼栋号"}))
            .await;
        // Resumed Wednesday: two working days paused, due Wednesday 21 October.
        app.clock
            .set(crate::helpers::t("2026-10-14T15:00:00+08:00"));
        let resumed = app.act(&clerk, id, "resume", json!({})).await;
        assert_eq!(resumed["due_at"], "2026-10-21T23:59:59+08:00");
        // Answered Tuesday 20 October: late from receipt, on time after the pause.
        app.clock
            .set(crate::helpers::t("2026-10-20T10:00:00+08:00"));
        app.act(&clerk, id, "reply", json!({"body": "您好，已办理。"}))
            .await;
        app.clock
            .set(crate::helpers::t("2026-11-02T10:00:00+08:00"));
        let body = crate::stats::stats(&app, "period=2026-10").await;
        let s = &body["summary"];
        assert_eq!(s["due"], 1, "{}: {s}", app.backend);
        assert_eq!(s["on_time_rate"]["text"], "100.00%", "{s}");
        assert_eq!(s["inspector_on_time_rate"]["text"], "0.00%", "{s}");
        assert_eq!(s["replied_on_time_original"], 0);
        let bulletin = body["bulletin"].as_str().unwrap();
        let inspector = bulletin
            .find("按期答复率（自受理起计）为0.00%")
            .expect(bulletin);
        let office = bulletin.find("按期答复率为100.00%").expect(bulletin);
        assert!(
            inspector < office,
            "the inspector's rate comes first: {bulletin}"
        );
    }
}

#[tokio::test]
async fn a_pause_moves_the_deadline_by_at_most_the_cap() {
    let mut extra = PAUSE_FREE.to_vec();
    extra.push(("HUIYIN_HANDLING__MAX_PAUSE_WORKING_DAYS", "1"));
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", &extra).await {
        let id = app.message().received(MONDAY).create().await;
        app.act(&app.admin, id, "pause", json!({"reason": "请补充楼栋号"}))
            .await;
        app.clock
            .set(crate::helpers::t("2026-10-14T15:00:00+08:00"));
        let resumed = app.act(&app.admin, id, "resume", json!({})).await;
        // Two working days paused, one counted: due Tuesday 20 October.
        assert_eq!(resumed["due_at"], "2026-10-20T23:59:59+08:00");
    }
}

#[tokio::test]
async fn the_bulletin_states_how_many_error_reports_were_found_real() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        for verdict in ["confirmed", "confirmed", "rejected"] {
            let id = app
                .message()
                .channel("website_error")
                .received(MONDAY)
                .create()
                .await;
            app.act(
                &clerk,
                id,
                "verdict",
                json!({"verdict": verdict, "note": "已核实"}),
            )
            .await;
            app.act(&clerk, id, "reply", json!({"body": "您好，已核实处理。"}))
                .await;
            app.act(&app.admin, id, "review", json!({"accept": true}))
                .await;
        }
        app.clock
            .set(crate::helpers::t("2026-11-02T10:00:00+08:00"));
        let body = crate::stats::stats(&app, "period=2026-10").await;
        let bulletin = body["bulletin"].as_str().unwrap();
        assert!(
            bulletin.contains("受理“我为政府网站找错”平台留言3条，其中问题属实留言2条（属实率66.67%），均已按期办结"),
            "{}: {bulletin}",
            app.backend
        );
        let site = &body["by_site"][0]["figures"];
        assert_eq!(
            (site["confirmed"].as_i64(), site["not_confirmed"].as_i64()),
            (Some(2), Some(1))
        );
        assert_eq!(site["confirmed_rate"]["text"], "66.67%");
    }
}

#[tokio::test]
async fn one_decimal_prints_rates_and_relative_count_changes() {
    let extra = [
        ("HUIYIN_REPORTS__DECIMALS", "1"),
        ("HUIYIN_REPORTS__ROUNDING", "truncate"),
    ];
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", &extra).await {
        for _ in 0..3 {
            app.message()
                .received(MONDAY)
                .replied("您好。")
                .create()
                .await;
        }
        app.clock
            .set(crate::helpers::t("2026-11-02T10:00:00+08:00"));
        app.message()
            .received("2026-11-02T09:00:00+08:00")
            .replied("您好。")
            .create()
            .await;
        let body = crate::stats::stats(&app, "period=2026-11").await;
        assert_eq!(body["summary"]["completion_rate"]["text"], "100.0%");
        assert_eq!(body["previous"]["received_change_phrase_zh"], "下降66.6%");
        let bulletin = body["bulletin"].as_str().unwrap();
        assert!(bulletin.contains("（较上月下降66.6%）"), "{bulletin}");
    }
}
