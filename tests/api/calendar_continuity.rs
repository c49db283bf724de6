//! The service across the end of the published calendar: provisional (暂定) deadlines after the
//! last notice, replies and alerts in the provisional year, and the recompute when the notice is
//! installed (through the API while running, and at start-up after an upgrade).

use std::path::Path;

use actix_web::web;
use huiyin::api::AppState;
use huiyin::auth::Role;
use huiyin::directory::{self, DepartmentCode, StaffInput};
use huiyin::worker;
use serde_json::{json, Value};

use crate::helpers::{database_urls, mailbox, t, test_settings, TestApp};
use crate::smtp::SmtpServer;
use crate::web::logged_in;

const CLERK: &str = "clerk@zjj.example.gov.cn";

/// A 2027 notice for the tests: 元旦 1–3 January and, unlike the statutory rule, a make-up
/// working Saturday on 9 January, which moves a 举报 received on 20 December from Monday
/// 11 January to Saturday 9 January.
const TEST_2027: &str = r#"
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
document = "国办发明电〔2026〕99号"
published = 2026-12-28

[[holiday]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03

[[makeup]]
name = "元旦调休"
date = 2027-01-09
"#;

/// A copy of the shipped calendar files (official through 2026) the test may add to.
fn calendar_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("config/calendar").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn install_2027(dir: &Path) {
    std::fs::write(dir.join("2027.toml"), TEST_2027).unwrap();
}

fn report(dept: &str, received_at: &str) -> Value {
    json!({
        "channel": "mayor_mailbox",
        "category": "report",
        "subject": "举报某小区违规施工",
        "body": "有施工队夜间施工，噪音扰民。",
        "department": dept,
        "received_at": received_at,
    })
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let (status, msg) = app.post(&app.admin, "/api/v1/messages", body).await;
    assert_eq!(status, 201, "{}: {msg}", app.backend);
    msg
}

async fn message(app: &TestApp, id: i64) -> Value {
    let (status, msg) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
    assert_eq!(status, 200, "{msg}");
    msg
}

fn recalculated_events(msg: &Value) -> Vec<Value> {
    msg["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "recalculated")
        .cloned()
        .collect()
}

async fn add_clerk(state: &web::Data<AppState>) {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = st.db.get().unwrap();
        let zjj = DepartmentCode::parse("zjj").unwrap();
        directory::add_staff(
            &mut conn,
            StaffInput {
                name: "李承办",
                email: CLERK,
                role: Role::Clerk,
                department: Some(&zjj),
                password_hash: None,
            },
            0,
        )
        .unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_service_keeps_working_past_the_last_notice_and_recomputes_when_it_is_installed() {
    for (backend, make) in database_urls() {
        let (db, url) = make();
        let dir = calendar_dir();
        let smtp = SmtpServer::start().await;
        let smtp_url = smtp.url();
        let settings = test_settings(
            &url,
            &[
                ("HUIYIN_CALENDAR__DIR", dir.path().to_str().unwrap()),
                ("HUIYIN_SMTP_URL", &smtp_url),
                ("HUIYIN_SMTP__TIMEOUT_SECS", "3"),
            ],
        );
        let app = TestApp::spawn(backend, db, settings, t("2026-12-20T10:00:00+08:00")).await;
        add_clerk(&app.state).await;

        // Nothing refused at the edge of the calendar: the deadline is provisional.
        let tip = create(&app, &report("zjj", "2026-12-20T10:00:00+08:00")).await;
        assert_eq!(tip["due_at"], "2027-01-11T23:59:59+08:00", "{backend}");
        assert_eq!(tip["deadline_provisional"], true);
        let early = create(&app, &mailbox("jyj", "2026-12-01T10:00:00+08:00")).await;
        assert_eq!(early["due_at"], "2026-12-08T23:59:59+08:00");
        assert_eq!(early["deadline_provisional"], false);
        app.clock.set(t("2026-12-28T12:30:00+08:00"));
        let soon = create(&app, &mailbox("zjj", "2026-12-28T10:00:00+08:00")).await;
        assert_eq!(soon["due_at"], "2027-01-05T23:59:59+08:00");
        assert_eq!(soon["deadline_provisional"], true);
        let answered = create(&app, &mailbox("jyj", "2026-12-28T11:00:00+08:00")).await;
        let lines = format!(
            "{}\n",
            serde_json::to_string(&report("jyj", "2026-12-28T12:00:00+08:00")).unwrap()
        );
        let (status, imported) = app
            .post_raw(
                &app.admin,
                "/api/v1/messages/import",
                "application/x-ndjson",
                lines.into_bytes(),
            )
            .await;
        assert_eq!(status, 200, "{imported}");
        assert_eq!(imported["results"][0]["deadline_provisional"], true);

        // /healthz warns 60 days ahead.
        let health: Value = reqwest::get(format!("{}/healthz", app.address))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["calendar"]["official_through"], "2026-12-31");
        assert_eq!(health["calendar"]["next_year_provisional"], true);
        assert_eq!(health["calendar"]["current_year_provisional"], false);
        assert_eq!(health["calendar"]["warning"], true);

        // The sweep on the first working day of 2027 runs and delivers: the reminder of the
        // message due on 5 January reaches the clerk, its deadline marked 暂定.
        app.clock.set(t("2027-01-04T10:00:00+08:00"));
        let worker::Round {
            sweep, delivery, ..
        } = worker::run_once(&app.worker()).await.unwrap();
        assert_eq!(sweep.failures, 0, "{sweep:?}");
        assert!(delivery.sent > 0, "{delivery:?}");
        let reminders: Vec<String> = smtp.to(CLERK).iter().map(|r| r.text()).collect();
        assert!(
            reminders
                .iter()
                .any(|text| text.contains("2027-01-05 23:59（暂定）")),
            "{reminders:?}"
        );

        // A reply in the provisional year is logged, its verdict marked provisional.
        app.clock.set(t("2027-01-05T10:00:00+08:00"));
        let id = answered["id"].as_i64().unwrap();
        let (status, replied) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/reply"),
                &json!({"body": "您好，已办理。"}),
            )
            .await;
        assert_eq!(status, 200, "{replied}");
        assert_eq!(replied["working_days_taken"], 5);
        assert_eq!(replied["on_time"], true);
        assert_eq!(replied["message"]["reply"]["verdict_provisional"], true);

        // December's report, frozen before the notice arrives.
        let (status, december) = app.get(&app.admin, "/api/v1/reports/2026-12.json").await;
        assert_eq!(status, 200, "{december}");
        assert_eq!(december["frozen"], true);

        // The 2027 notice is installed: exactly the two 举报 move to the make-up Saturday.
        install_2027(dir.path());
        let (status, first) = app
            .post(&app.admin, "/api/v1/calendar/reload", &Value::Null)
            .await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["installed_years"], json!([2027]));
        let imported_id = imported["results"][0]["id"].as_i64().unwrap();
        let tip_id = tip["id"].as_i64().unwrap();
        assert_eq!(first["changed"], json!([tip_id, imported_id]), "{backend}");
        let tip = message(&app, tip_id).await;
        assert_eq!(tip["due_at"], "2027-01-09T23:59:59+08:00");
        assert_eq!(tip["original_due_at"], "2027-01-09T23:59:59+08:00");
        assert_eq!(tip["deadline_provisional"], false);
        let events = recalculated_events(&tip);
        assert_eq!(events.len(), 1, "{tip}");
        assert_eq!(events[0]["label"], "按正式放假安排重新计算");
        assert_eq!(events[0]["detail"]["years"], json!([2027]));
        assert_eq!(
            events[0]["detail"]["due_at"],
            json!(["2027-01-11T23:59:59+08:00", "2027-01-09T23:59:59+08:00"]),
            "event times in RFC 3339 like every other time"
        );
        for id in [
            early["id"].as_i64().unwrap(),
            soon["id"].as_i64().unwrap(),
            id,
        ] {
            let m = message(&app, id).await;
            assert!(recalculated_events(&m).is_empty(), "{m}");
            assert_eq!(m["deadline_provisional"], false);
        }
        let soon = message(&app, soon["id"].as_i64().unwrap()).await;
        assert_eq!(soon["due_at"], "2027-01-05T23:59:59+08:00");

        // A second reload changes nothing.
        let (status, second) = app
            .post(&app.admin, "/api/v1/calendar/reload", &Value::Null)
            .await;
        assert_eq!(status, 200, "{second}");
        assert_eq!(second["changed"], json!([]));
        assert_eq!(recalculated_events(&message(&app, tip_id).await).len(), 1);

        // The frozen report does not move.
        let (_, again) = app.get(&app.admin, "/api/v1/reports/2026-12.json").await;
        assert_eq!(again, december, "{backend}");

        // Clerks may not reload the calendar.
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, _) = app
            .post(&clerk, "/api/v1/calendar/reload", &Value::Null)
            .await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn a_notice_installed_while_the_service_was_down_is_applied_at_start_up() {
    for (backend, make) in database_urls() {
        let (db, url) = make();
        let dir = calendar_dir();
        let extra = [("HUIYIN_CALENDAR__DIR", dir.path().to_str().unwrap())];
        let app = TestApp::spawn(
            backend,
            db,
            test_settings(&url, &extra),
            t("2026-12-20T10:00:00+08:00"),
        )
        .await;
        let tip = create(&app, &report("zjj", "2026-12-20T10:00:00+08:00")).await;
        assert_eq!(tip["due_at"], "2027-01-11T23:59:59+08:00");

        // Upgrade: the file is added and the service starts again over the same database.
        install_2027(dir.path());
        let settings = test_settings(&url, &extra);
        let clock = app.clock.clone();
        let restarted = tokio::task::spawn_blocking(move || AppState::load(settings, clock))
            .await
            .unwrap()
            .unwrap();
        let reloaded = restarted.calendar.last().unwrap();
        let id = tip["id"].as_i64().unwrap();
        assert_eq!(reloaded.installed_years, vec![2027]);
        assert_eq!(reloaded.changed, vec![id], "{backend}");
        let msg = message(&app, id).await;
        assert_eq!(msg["due_at"], "2027-01-09T23:59:59+08:00", "{backend}");
        assert_eq!(recalculated_events(&msg).len(), 1);

        // Starting once more finds nothing to do.
        let settings = test_settings(&url, &extra);
        let clock = app.clock.clone();
        let again = tokio::task::spawn_blocking(move || AppState::load(settings, clock))
            .await
            .unwrap()
            .unwrap();
        assert!(again.calendar.last().unwrap().changed.is_empty());
    }
}

#[tokio::test]
async fn the_admin_sees_the_warning_and_installs_the_notice_from_the_calendar_page() {
    for (backend, make) in database_urls() {
        let (db, url) = make();
        let dir = calendar_dir();
        let extra = [("HUIYIN_CALENDAR__DIR", dir.path().to_str().unwrap())];
        let app = TestApp::spawn(
            backend,
            db,
            test_settings(&url, &extra),
            t("2026-12-20T10:00:00+08:00"),
        )
        .await;
        let tip = create(&app, &report("zjj", "2026-12-20T10:00:00+08:00")).await;
        let id = tip["id"].as_i64().unwrap();

        // The clerk sees the deadline marked 暂定 in the inbox and on the message.
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let inbox = clerk.get("/").await;
        assert_eq!(inbox.status, 200);
        assert!(inbox.body.contains("2027-01-11（暂定）"), "{}", inbox.body);
        let page = clerk.get(&format!("/messages/{id}")).await;
        assert!(page.body.contains("（暂定）"), "{}", page.body);

        // The admin, from the hub's link to the calendar.
        let admin = logged_in(&app, Role::Admin, None).await;
        let hub = admin.get("/admin").await;
        assert!(hub.body.contains("href=\"/admin/calendar\""));
        let cal = admin.get("/admin/calendar").await;
        assert_eq!(cal.status, 200);
        assert!(
            cal.body
                .contains("正式工作日历将于2026-12-31结束（还有11天）"),
            "{}",
            cal.body
        );
        let next = admin.get("/admin/calendar?year=2027").await;
        assert!(next
            .body
            .contains("2027年工作日历 <span class=\"badge badge-provisional\">暂定</span>"));

        install_2027(dir.path());
        let done = admin
            .submit("/admin/calendar", "/admin/calendar/reload", &[])
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let location = done.location.unwrap();
        let after = admin.get(&location).await;
        assert!(
            after
                .body
                .contains("已安装2027年正式放假安排：检查留言1条，重新计算1条"),
            "{}",
            after.body
        );
        let history = clerk.get(&format!("/messages/{id}")).await;
        assert!(
            history
                .body
                .contains("办理期限按2027年放假安排重新计算：办理期限：2027-01-11 → 2027-01-09"),
            "{}",
            history.body
        );

        // A broken file is refused on the page and nothing changes.
        std::fs::write(dir.path().join("2028.toml"), "year = 2028\n").unwrap();
        let refused = admin
            .submit("/admin/calendar", "/admin/calendar/reload", &[])
            .await;
        assert_eq!(refused.status, 200);
        assert!(
            refused.body.contains("日历文件有误，未安装"),
            "{}",
            refused.body
        );
        assert_eq!(
            message(&app, id).await["due_at"],
            "2027-01-09T23:59:59+08:00"
        );
    }
}
