//! The inspection self-check over HTTP: the veto register across check dates, the appraisal points of 找错 messages, the scopes of each role, the errors, and the figures of the demo data.

use std::sync::Arc;

use huiyin::api::AppState;
use huiyin::auth::Role;
use huiyin::clock::ManualClock;
use huiyin::inspection::{self, InspectionContext};
use serde_json::{json, Value};

use crate::helpers::{database_urls, error_code, t, test_settings, website_error, TestApp};

/// Replies to message `id` as of `at` (RFC 3339); a reviewed channel's reply is accepted at once.
pub async fn finish(app: &TestApp, id: i64, at: &str) {
    let base = format!("/api/v1/messages/{id}");
    let (s, out) = app
        .post(
            &app.admin,
            &format!("{base}/reply"),
            &json!({"body": "您好，已办理。", "replied_at": at}),
        )
        .await;
    assert_eq!(s, 200, "{}: {out}", app.backend);
    if out["message"]["review_pending"] == true {
        let (s, out) = app
            .post(
                &app.admin,
                &format!("{base}/review"),
                &json!({"accept": true}),
            )
            .await;
        assert_eq!(s, 200, "{}: {out}", app.backend);
    }
}

/// Creates a message from `body`; returns its id.
pub async fn create(app: &TestApp, body: &Value) -> i64 {
    let (s, msg) = app.post(&app.admin, "/api/v1/messages", body).await;
    assert_eq!(s, 201, "{}: {msg}", app.backend);
    msg["id"].as_i64().unwrap()
}

async fn check(app: &TestApp, token: &str, query: &str) -> Value {
    let (s, body) = app.get(token, &format!("/api/v1/inspection?{query}")).await;
    assert_eq!(s, 200, "{}: {query}: {body}", app.backend);
    body
}

fn ids(register: &Value) -> Vec<i64> {
    register["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message_id"].as_i64().unwrap())
        .collect()
}

/// The case: a consultation received 2026-01-10, answered 2026-05-20.
pub async fn answered_after_four_months(app: &TestApp) -> i64 {
    let id = app.create_message("zjj", "2026-01-10T09:00:00+08:00").await["id"]
        .as_i64()
        .unwrap();
    finish(app, id, "2026-05-20T10:00:00+08:00").await;
    id
}

#[tokio::test]
async fn a_consultation_answered_after_four_months_stays_on_the_register_for_a_year() {
    for app in TestApp::each("2026-06-01T10:00:00+08:00").await {
        let id = answered_after_four_months(&app).await;
        let on_time = app.create_message("zjj", "2026-01-12T09:00:00+08:00").await["id"]
            .as_i64()
            .unwrap();
        finish(&app, on_time, "2026-01-13T09:00:00+08:00").await;

        let before = check(&app, &app.admin, "date=2026-04-05").await;
        assert_eq!(
            ids(&before["veto_register"]),
            Vec::<i64>::new(),
            "{}",
            app.backend
        );
        assert_eq!(before["veto_register"]["at_risk"], false);

        let after = check(&app, &app.admin, "date=2026-06-01").await;
        let register = &after["veto_register"];
        assert_eq!(ids(register), [id], "{}", app.backend);
        assert_eq!(register["at_risk"], true);
        assert_eq!(register["since"], "2025-06-01");
        let item = &register["items"][0];
        assert_eq!(item["received_at"], "2026-01-10T09:00:00+08:00");
        assert_eq!(item["crossed_at"], "2026-04-10T09:00:01+08:00");
        assert_eq!(item["replied_at"], "2026-05-20T10:00:00+08:00");
        assert_eq!(
            (item["department"].as_str(), item["channel"].as_str()),
            (Some("zjj"), Some("mayor_mailbox"))
        );
        assert!(
            !item["subject"].as_str().unwrap().contains("13812345678"),
            "the subject is masked"
        );

        // Still failing the site eleven months on; forgotten once the year has passed.
        let later = check(&app, &app.admin, "date=2027-05-01").await;
        assert_eq!(ids(&later["veto_register"]), [id], "{}", app.backend);
        let gone = check(&app, &app.admin, "date=2027-06-01").await;
        assert_eq!(
            ids(&gone["veto_register"]),
            Vec::<i64>::new(),
            "{}",
            app.backend
        );

        // Before the reply the register shows it as still unanswered.
        let waiting = check(&app, &app.admin, "date=2026-05-01").await;
        assert_eq!(ids(&waiting["veto_register"]), [id]);
        assert_eq!(
            waiting["veto_register"]["items"][0]["replied_at"],
            Value::Null
        );

        // Without a date: today in the office's time zone.
        let today = check(&app, &app.admin, "").await;
        assert_eq!(today["date"], "2026-06-01");
        assert_eq!(today["department"], Value::Null);
        assert_eq!(ids(&today["veto_register"]), [id]);
    }
}

#[tokio::test]
async fn a_site_error_finished_after_32_days_costs_2_points_and_an_unfinished_one_3() {
    for app in TestApp::each("2026-04-20T10:00:00+08:00").await {
        let late = create(&app, &website_error("zjj", "2026-03-10T09:00:00+08:00")).await;
        finish(&app, late, "2026-04-11T10:00:00+08:00").await;
        let open = create(&app, &website_error("jyj", "2026-03-20T09:00:00+08:00")).await;
        let mut other_site = website_error("jyj", "2026-04-01T09:00:00+08:00");
        other_site["site"] = json!({"name": "市教育局网站", "url": "https://jyj.example.gov.cn/"});
        let quick = create(&app, &other_site).await;
        finish(&app, quick, "2026-04-02T09:00:00+08:00").await;

        let body = check(&app, &app.admin, "date=2026-04-20").await;
        let a = &body["appraisal"];
        assert_eq!(a["year"], 2026);
        assert_eq!(a["points_deducted"], 5, "{}: {a}", app.backend);
        assert_eq!(a["late"].as_array().unwrap().len(), 1);
        assert_eq!(a["late"][0]["message_id"], late);
        assert_eq!(a["late"][0]["days"], 32);
        assert_eq!(a["late"][0]["replied_at"], "2026-04-11T10:00:00+08:00");
        assert_eq!(a["unfinished"].as_array().unwrap().len(), 1);
        assert_eq!(a["unfinished"][0]["message_id"], open);
        assert_eq!(a["unfinished"][0]["replied_at"], Value::Null);
        assert_eq!(a["no_recent_reply"], false);
        assert_eq!(a["last_reply_at"], "2026-04-11T10:00:00+08:00");
        assert_eq!(
            a["by_site"],
            json!([{"key": "市住房和城乡建设局网站", "unfinished": 1, "late": 1, "points": 5}])
        );
        assert_eq!(
            a["by_department"],
            json!([
                {"key": "jyj", "unfinished": 1, "late": 0, "points": 3},
                {"key": "zjj", "unfinished": 0, "late": 1, "points": 2},
            ])
        );
        assert_eq!(
            body["named_departments"],
            json!([
                {"department": "jyj", "veto_items": 0, "unfinished": 1, "late": 0, "points": 3},
                {"department": "zjj", "veto_items": 0, "unfinished": 0, "late": 1, "points": 2},
            ])
        );

        // Before the late one was finished it counted as unfinished (3 points each) …
        let earlier = check(&app, &app.admin, "date=2026-04-05").await;
        assert_eq!(earlier["appraisal"]["points_deducted"], 6);
        assert_eq!(earlier["appraisal"]["late"], json!([]));
        // … and with no reply in the two months before the date, 3 more.
        let summer = check(&app, &app.admin, "date=2026-06-30").await;
        assert_eq!(summer["appraisal"]["no_recent_reply"], true);
        assert_eq!(summer["appraisal"]["points_deducted"], 5 + 3);
        // The appraisal of another year counts that year's messages only.
        let last_year = check(&app, &app.admin, "date=2026-04-20&year=2025").await;
        assert_eq!(last_year["appraisal"]["year"], 2025);
        assert_eq!(last_year["appraisal"]["unfinished"], json!([]));
    }
}

#[tokio::test]
async fn clerks_and_supervisors_see_only_their_department_and_intake_tokens_nothing() {
    for app in TestApp::each("2026-06-01T10:00:00+08:00").await {
        let zjj = answered_after_four_months(&app).await;
        let jyj = app.create_message("jyj", "2026-01-20T09:00:00+08:00").await["id"]
            .as_i64()
            .unwrap();
        let all = check(&app, &app.admin, "date=2026-06-01").await;
        assert_eq!(ids(&all["veto_register"]), [zjj, jyj], "{}", app.backend);
        let leader = app.token(Role::Leader, None).await;
        let one = check(&app, &leader, "date=2026-06-01&department=jyj").await;
        assert_eq!(one["department"], "jyj");
        assert_eq!(ids(&one["veto_register"]), [jyj]);

        for role in [Role::Clerk, Role::Supervisor] {
            let token = app.token(role, Some("zjj")).await;
            let own = check(&app, &token, "date=2026-06-01").await;
            assert_eq!(own["department"], "zjj", "{role}");
            assert_eq!(ids(&own["veto_register"]), [zjj], "{role}");
            let asked = check(&app, &token, "date=2026-06-01&department=zjj").await;
            assert_eq!(ids(&asked["veto_register"]), [zjj]);
            let (s, body) = app
                .get(&token, "/api/v1/inspection?date=2026-06-01&department=jyj")
                .await;
            assert_eq!((s, error_code(&body)), (403, "forbidden"), "{role}: {body}");
        }
        let intake = app.token(Role::Intake, None).await;
        let (s, body) = app.get(&intake, "/api/v1/inspection").await;
        assert_eq!((s, error_code(&body)), (403, "forbidden"));
        let (s, _) = app.get("no-such-token", "/api/v1/inspection").await;
        assert_eq!(s, 401);
    }
}

#[tokio::test]
async fn bad_dates_years_and_departments_are_422_naming_the_field() {
    for app in TestApp::each("2026-06-01T10:00:00+08:00").await {
        for (query, field) in [
            ("date=2026-02-30", "date"),
            ("date=06%2F01%2F2026", "date"),
            ("date=tomorrow", "date"),
            ("date=1900-01-01", "date"),
            ("date=2026-06-01&year=2027", "year"),
            ("date=2026-06-01&year=twenty", "year"),
            ("department=no-such-dept", "department"),
            ("department=bad%20code", "department"),
        ] {
            let (s, body) = app
                .get(&app.admin, &format!("/api/v1/inspection?{query}"))
                .await;
            assert_eq!(
                (s, error_code(&body), body["error"]["field"].as_str()),
                (422, "invalid", Some(field)),
                "{}: {query}: {body}",
                app.backend
            );
        }
        let (s, body) = app.get(&app.admin, "/api/v1/inspection?when=today").await;
        assert_eq!((s, error_code(&body)), (400, "bad_request"), "{body}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_self_check() {
    for app in TestApp::each("2026-06-01T10:00:00+08:00").await {
        let (_, doc) = app.get(&app.admin, "/openapi.json").await;
        let path = &doc["paths"]["/api/v1/inspection"]["get"];
        assert!(path.is_object(), "{}", app.backend);
        let params: Vec<&str> = path["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, ["date", "year", "department"]);
        let schemas = &doc["components"]["schemas"];
        for name in [
            "SelfCheck",
            "VetoRegister",
            "VetoItem",
            "Appraisal",
            "AppraisalItem",
        ] {
            assert!(schemas[name].is_object(), "missing schema {name}");
        }
        assert!(schemas["VetoItem"]["properties"]["crossed_at"].is_object());
    }
}

/// The demo's own `now` for this test: the figures below are those of the demo loaded then.
const DEMO_NOW: &str = "2026-12-03T10:00:00+08:00";

#[tokio::test]
async fn the_demo_data_puts_messages_on_the_register_and_costs_points() {
    for (backend, make) in database_urls() {
        let (_db, url) = make();
        let now = t(DEMO_NOW);
        let settings = test_settings(&url, &[]);
        let state = tokio::task::spawn_blocking(move || {
            let state = AppState::load(settings, Arc::new(ManualClock::new(now))).unwrap();
            huiyin::demo::load(&state.db, &state.workflow, now).unwrap();
            state
        })
        .await
        .unwrap();
        let ctx =
            InspectionContext::from_settings(&state.settings, state.workflow.timeline.clone());
        let date = state.workflow.timeline.local_date(now);
        let check = state
            .db
            .run(move |conn| inspection::self_check(conn, &ctx, date, None, None))
            .await
            .unwrap();
        let register = &check.veto_register;
        let a = &check.appraisal;
        println!(
            "{backend}: demo self-check for {date}: {} on the veto register ({} answered late, {} still unanswered); \
             {} points deducted ({} unfinished, {} finished late, no recent reply: {}); {} departments named",
            register.items.len(),
            register.items.iter().filter(|i| i.replied_at.is_some()).count(),
            register.items.iter().filter(|i| i.replied_at.is_none()).count(),
            a.points_deducted,
            a.unfinished.len(),
            a.late.len(),
            a.no_recent_reply,
            check.named_departments.len(),
        );
        assert!(register.at_risk, "{backend}");
        assert!(
            register.items.iter().any(|i| i.replied_at.is_some()),
            "{backend}: a consultation answered after four months"
        );
        assert!(
            register.items.iter().any(|i| i.replied_at.is_none()),
            "{backend}: a consultation still unanswered after three months"
        );
        assert!(
            !a.late.is_empty(),
            "{backend}: a 找错 message finished late"
        );
        assert!(
            !a.unfinished.is_empty(),
            "{backend}: a 找错 message unfinished"
        );
        assert_eq!(
            a.points_deducted,
            3 * a.unfinished.len() as i64
                + 2 * a.late.len() as i64
                + if a.no_recent_reply { 3 } else { 0 }
        );
    }
}
