//! Alerts nobody can receive are never dropped: with no leader, a sweep (the deployed binary's
//! `escalate --once`) logs one warning with the count per level, keeps each alert as
//! `undeliverable` with its reason (on `GET /api/v1/alerts` and `/healthz`), and once a leader
//! is added the next sweep delivers them, once, through the SMTP receiver.

use std::process::Command;

use huiyin::auth::Role;
use huiyin::directory::{self, DepartmentCode, StaffInput};
use huiyin::worker;
use serde_json::Value;

use crate::helpers::{database_urls, test_settings, TestApp};
use crate::smtp::SmtpServer;

const SUPERVISOR: &str = "supervisor@zjj.example.gov.cn";
const LEADER: &str = "leader@example.gov.cn";
/// Long enough ago that every level after the deadline has come (critical: three months).
const RECEIVED: &str = "2026-07-01T10:00:00+08:00";
const MESSAGES: usize = 3;

async fn add(
    app: &TestApp,
    name: &'static str,
    email: &'static str,
    role: Role,
    dept: &'static str,
) {
    let st = app.state.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = st.db.get().unwrap();
        let dept = DepartmentCode::parse(dept).unwrap();
        directory::add_staff(
            &mut conn,
            StaffInput {
                name,
                email,
                role,
                department: Some(&dept),
                password_hash: None,
            },
            0,
        )
        .unwrap();
    })
    .await
    .unwrap();
}

/// One `huiyin escalate --once` over the app's database: its whole output (log included).
/// Run off the test's runtime, which serves the SMTP receiver meanwhile.
async fn escalate_once(db_url: &str, smtp: &SmtpServer) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_huiyin"));
    command
        .args(["escalate", "--once"])
        .env("HUIYIN_DATABASE_URL", db_url)
        .env("HUIYIN_SMTP_URL", smtp.url())
        .env("HUIYIN_REPORTS__MONTHLY_EMAIL", "false")
        .env("RUST_LOG", "info");
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

async fn undeliverable(app: &TestApp) -> Vec<Value> {
    let (status, body) = app
        .get(
            &app.admin,
            "/api/v1/alerts?status=undeliverable&per_page=500",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn healthz_undeliverable(app: &TestApp) -> i64 {
    let health: Value = reqwest::get(format!("{}/healthz", app.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    health["outbox"]["undeliverable"].as_i64().unwrap()
}

#[tokio::test]
async fn alerts_to_a_role_nobody_holds_are_held_then_delivered_once_someone_does() {
    for (backend, make) in database_urls() {
        let (db, url) = make();
        let smtp = SmtpServer::start().await;
        let smtp_url = smtp.url();
        let settings = test_settings(
            &url,
            &[
                ("HUIYIN_SMTP_URL", smtp_url.as_str()),
                ("HUIYIN_REPORTS__MONTHLY_EMAIL", "false"),
            ],
        );
        // The binary sweeps at the real time: the app's clock is the same.
        let app = TestApp::spawn(backend, db, settings, chrono::Utc::now()).await;
        add(&app, "王科长", SUPERVISOR, Role::Supervisor, "zjj").await;
        for _ in 0..MESSAGES {
            app.create_message("zjj", RECEIVED).await;
        }

        // No leader and no admin: severe (leaders) and critical (leaders, admins) reach nobody.
        let log = escalate_once(&url, &smtp).await;
        let warnings: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("alerts held as undeliverable"))
            .collect();
        assert_eq!(
            warnings.len(),
            1,
            "{backend}: one warning per sweep:\n{log}"
        );
        assert!(
            warnings[0].contains(&format!("severe={MESSAGES}"))
                && warnings[0].contains(&format!("critical={MESSAGES}")),
            "{backend}: {}",
            warnings[0]
        );
        assert!(!log.contains("no active staff to alert"), "{log}");
        assert_eq!(
            smtp.to(SUPERVISOR).len(),
            MESSAGES,
            "{backend}: overdue alerts go out"
        );

        let held = undeliverable(&app).await;
        assert_eq!(held.len(), 2 * MESSAGES, "{backend}: {held:?}");
        for row in &held {
            let reason = row["last_error"].as_str().unwrap();
            assert!(
                reason.starts_with("no active staff with role leader"),
                "{row}"
            );
            assert!(
                row["created_at"].as_str().unwrap().ends_with("+08:00"),
                "{row}"
            );
        }
        assert_eq!(healthz_undeliverable(&app).await, 2 * MESSAGES as i64);

        // A second sweep before anyone is added holds nothing twice and logs nothing new.
        app.clock.set(chrono::Utc::now());
        worker::run_once(&app.worker()).await.unwrap();
        assert_eq!(undeliverable(&app).await.len(), 2 * MESSAGES);

        // The admin page lists them with the reason (logging in makes an admin: critical
        // alerts then reach the admins too).
        let admin = crate::web::logged_in(&app, Role::Admin, None).await;
        let page = admin.get("/admin/alerts").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("no active staff with role leader"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(&format!("共 {} 条", 2 * MESSAGES)),
            "{}",
            page.body
        );

        // A leader joins: the next sweep delivers every held alert to them, once.
        add(&app, "陈主任", LEADER, Role::Leader, "gov-office").await;
        app.clock.set(chrono::Utc::now());
        worker::run_once(&app.worker()).await.unwrap();
        assert_eq!(smtp.to(LEADER).len(), 2 * MESSAGES, "{backend}");
        assert!(undeliverable(&app).await.is_empty());
        assert_eq!(healthz_undeliverable(&app).await, 0);
        let (_, resolved) = app.get(&app.admin, "/api/v1/alerts?status=resolved").await;
        assert_eq!(resolved["total"], 2 * MESSAGES, "{resolved}");

        worker::run_once(&app.worker()).await.unwrap();
        assert_eq!(
            smtp.to(LEADER).len(),
            2 * MESSAGES,
            "{backend}: exactly once"
        );
        assert_eq!(smtp.to(SUPERVISOR).len(), MESSAGES);
    }
}
