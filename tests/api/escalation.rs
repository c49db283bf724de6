//! The escalation ladder end to end: a real SMTP receiver on loopback, the clock moved by hand, sweeps and deliveries driven directly.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::web;
use chrono::Duration;
use huiyin::api::AppState;
use huiyin::auth::Role;
use huiyin::clock::Clock;
use huiyin::directory::{self, DepartmentCode, StaffInput};
use huiyin::escalation::{self, outbox};
use huiyin::startup::Application;
use huiyin::worker;
use serde_json::{json, Value};

use crate::helpers::{database_urls, t, test_settings, worker_of, TestApp, PAUSE_FREE};
use crate::smtp::SmtpServer;

const CLERK: &str = "clerk@zjj.example.gov.cn";
const SUPERVISOR: &str = "supervisor@zjj.example.gov.cn";
pub(crate) const LEADER: &str = "leader@example.gov.cn";
const ADMIN: &str = "admin@example.gov.cn";
const JYJ_CLERK: &str = "clerk@jyj.example.gov.cn";
const JYJ_SUPERVISOR: &str = "supervisor@jyj.example.gov.cn";

/// Per-backend apps, each with its own SMTP receiver and its database URL (for a second instance).
pub(crate) async fn apps(now: &str, extra: &[(&str, &str)]) -> Vec<(TestApp, String, SmtpServer)> {
    let mut out = Vec::new();
    for (backend, make) in database_urls() {
        let (db, url) = make();
        let smtp = SmtpServer::start().await;
        let app = TestApp::spawn(backend, db, settings(&url, &smtp, extra), t(now)).await;
        add_staff(&app.state).await;
        out.push((app, url, smtp));
    }
    out
}

fn settings(url: &str, smtp: &SmtpServer, extra: &[(&str, &str)]) -> huiyin::config::Settings {
    let smtp_url = smtp.url();
    let mut env = vec![
        ("HUIYIN_SMTP_URL", smtp_url.as_str()),
        ("HUIYIN_SMTP__TIMEOUT_SECS", "3"),
        // The monthly report email is tested with the reports; these tests count alerts.
        ("HUIYIN_REPORTS__MONTHLY_EMAIL", "false"),
    ];
    env.extend_from_slice(extra);
    test_settings(url, &env)
}

async fn add_staff(state: &web::Data<AppState>) {
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = st.db.get().unwrap();
        let zjj = DepartmentCode::parse("zjj").unwrap();
        let jyj = DepartmentCode::parse("jyj").unwrap();
        let office = DepartmentCode::parse("gov-office").unwrap();
        for (name, email, role, dept) in [
            ("李承办", CLERK, Role::Clerk, Some(&zjj)),
            ("王科长", SUPERVISOR, Role::Supervisor, Some(&zjj)),
            ("赵承办", JYJ_CLERK, Role::Clerk, Some(&jyj)),
            ("钱科长", JYJ_SUPERVISOR, Role::Supervisor, Some(&jyj)),
            ("陈主任", LEADER, Role::Leader, Some(&office)),
            ("管理员", ADMIN, Role::Admin, None),
        ] {
            directory::add_staff(
                &mut conn,
                StaffInput {
                    name,
                    email,
                    role,
                    department: dept,
                    password_hash: None,
                },
                0,
            )
            .unwrap();
        }
    })
    .await
    .unwrap();
}

/// Moves the clock to `at`, sweeps and delivers.
async fn tick(app: &TestApp, at: &str) {
    app.clock.set(t(at));
    worker::run_once(&app.worker()).await.unwrap();
}

fn levels_to(smtp: &SmtpServer, rcpt: &str) -> Vec<String> {
    smtp.to(rcpt).iter().map(|r| r.subject()).collect()
}

async fn alerts(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.get(&app.admin, &format!("/api/v1/alerts{query}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_ladder_fires_at_working_day_times_across_national_day() {
    for (app, _, smtp) in apps("2024-09-25T12:00:00+08:00", &[]).await {
        let before = smtp.received().len();
        // Received Wednesday 25 September: day 5 is Tuesday 8 October (1–7 October are holidays,
        // Sunday 29 September is a make-up working day).
        let msg = app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        assert_eq!(msg["due_at"], "2024-10-08T23:59:59+08:00");
        let id = msg["id"].as_i64().unwrap();

        // Reminder: one working day before the due date across the holiday, at 09:00.
        tick(&app, "2024-09-30T08:59:59+08:00").await;
        assert_eq!(smtp.received().len(), before, "{}", app.backend);
        tick(&app, "2024-09-30T09:00:00+08:00").await;
        let to_clerk = smtp.to(CLERK);
        assert_eq!(to_clerk.len(), 1, "{}", app.backend);
        assert_eq!(to_clerk[0].rcpt, vec![CLERK.to_string()]);
        let subject = to_clerk[0].subject();
        assert_eq!(
            subject,
            "【到期提醒】市住房和城乡建设局：小区加装电梯审批进度咨询（办理时限 2024-10-08 23:59）"
        );
        let text = to_clerk[0].text();
        assert!(text.starts_with("李承办同志："), "{text}");
        assert!(text.contains("留言人：张*，138****5678"), "{text}");
        assert!(text.contains(&format!("/messages/{id}")), "{text}");
        // The citizen's contact is masked.
        assert!(
            !text.contains("13812345678") && !text.contains("张三"),
            "{text}"
        );

        // Nothing during the holiday.
        tick(&app, "2024-10-05T09:00:00+08:00").await;
        tick(&app, "2024-10-08T23:59:59+08:00").await;
        assert_eq!(smtp.received().len(), before + 1);

        // Overdue: as soon as the deadline has passed, to the supervisor copying the clerk.
        tick(&app, "2024-10-09T00:00:00+08:00").await;
        let to_supervisor = smtp.to(SUPERVISOR);
        assert_eq!(to_supervisor.len(), 1, "{}", app.backend);
        assert_eq!(
            to_supervisor[0].rcpt.iter().collect::<BTreeSet<_>>(),
            [CLERK.to_string(), SUPERVISOR.to_string()].iter().collect()
        );
        assert!(to_supervisor[0].subject().starts_with("【逾期督办】"));

        // Severe: overdue by 3 working days (9, 10, 11 October), at 09:00, to the leader.
        tick(&app, "2024-10-11T08:59:59+08:00").await;
        assert!(smtp.to(LEADER).is_empty());
        tick(&app, "2024-10-11T09:00:00+08:00").await;
        let to_leader = levels_to(&smtp, LEADER);
        assert_eq!(to_leader.len(), 1, "{}", app.backend);
        assert!(to_leader[0].contains("严重逾期督办"), "{to_leader:?}");
        assert!(smtp.to(LEADER)[0].text().contains("已逾期：3 个工作日"));

        // Critical: unanswered for three calendar months, to leader and admin.
        tick(&app, "2024-12-25T10:00:00+08:00").await;
        assert!(smtp.to(ADMIN).is_empty());
        tick(&app, "2024-12-25T10:00:01+08:00").await;
        assert_eq!(smtp.to(ADMIN).len(), 1, "{}", app.backend);
        assert_eq!(smtp.to(LEADER).len(), 2);
        let (_, shown) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
        assert_eq!(shown["critical"], true);

        // Each sent alert is in the message's history, and the outbox shows them sent.
        let sent_events = shown["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "alert_sent")
            .count();
        assert_eq!(sent_events, 5);
        let page = alerts(&app, "?status=sent").await;
        assert_eq!(page["total"], 5);
        assert_eq!(alerts(&app, "?status=pending").await["total"], 0);
        // Sweeping again sends nothing more.
        tick(&app, "2025-03-01T10:00:00+08:00").await;
        assert_eq!(smtp.received().len(), before + 5);
    }
}

#[tokio::test]
async fn a_reply_stops_the_ladder_and_cancels_undelivered_alerts() {
    for (app, _, smtp) in apps("2024-09-25T12:00:00+08:00", &[]).await {
        let before = smtp.received().len();
        let msg = app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        // The reminder is decided but not yet delivered when the clerk replies.
        app.clock.set(t("2024-09-30T09:00:00+08:00"));
        let report = escalation::sweep_once(&app.escalation()).await.unwrap();
        assert_eq!(report.alerts, 1, "{}", app.backend);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, _) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/reply"),
                &json!({"body": "您好，审批已于本周完成。"}),
            )
            .await;
        assert_eq!(status, 200);
        escalation::deliver_once(&app.escalation()).await.unwrap();
        for at in ["2024-10-09T00:00:00+08:00", "2024-10-11T09:00:00+08:00"] {
            tick(&app, at).await;
        }
        assert_eq!(smtp.received().len(), before, "{}", app.backend);
        let page = alerts(&app, &format!("?message_id={id}")).await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["status"], "cancelled");
    }
}

#[tokio::test]
async fn an_extension_moves_the_ladder_and_a_transfer_restarts_it_for_the_new_department() {
    for (app, _, smtp) in apps("2024-09-25T12:00:00+08:00", PAUSE_FREE).await {
        let msg = app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        tick(&app, "2024-09-30T09:00:00+08:00").await;
        assert_eq!(smtp.to(CLERK).len(), 1);
        // Two more working days: due Thursday 10 October; the reminder comes again on the 9th.
        // (An admin grants it: under the default the office approves, not the department.)
        let (status, body) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/extend"),
                &json!({"working_days": 2, "reason": "需现场核查"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        tick(&app, "2024-10-09T00:00:00+08:00").await;
        assert!(smtp.to(SUPERVISOR).is_empty(), "no longer overdue");
        tick(&app, "2024-10-09T09:00:00+08:00").await;
        assert_eq!(smtp.to(CLERK).len(), 2, "{}", app.backend);
        // Transferred when overdue: the education bureau's supervisor is told, on the original deadline.
        tick(&app, "2024-10-11T10:00:00+08:00").await;
        assert_eq!(smtp.to(SUPERVISOR).len(), 1);
        let (status, body) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/transfer"),
                &json!({"department": "jyj", "reason": "属教育局职责"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        tick(&app, "2024-10-11T10:01:00+08:00").await;
        assert_eq!(smtp.to(JYJ_SUPERVISOR).len(), 1, "{}", app.backend);
        assert_eq!(
            smtp.to(SUPERVISOR).len(),
            1,
            "the old department hears no more"
        );
        // Pausing stops it; nothing goes out while paused.
        let jyj_clerk = app.token(Role::Clerk, Some("jyj")).await;
        let (status, _) = app
            .post(
                &jyj_clerk,
                &format!("/api/v1/messages/{id}/pause"),
                &json!({"reason": "请群众补充小区名称"}),
            )
            .await;
        assert_eq!(status, 200);
        let sent = smtp.received().len();
        tick(&app, "2024-10-16T09:00:00+08:00").await;
        assert_eq!(smtp.received().len(), sent, "{}", app.backend);
    }
}

#[tokio::test]
async fn a_restart_between_decision_and_delivery_delivers_exactly_once() {
    for (app, url, smtp) in apps("2024-09-25T12:00:00+08:00", &[]).await {
        app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        app.clock.set(t("2024-10-09T00:00:00+08:00"));
        let decided = escalation::sweep_once(&app.escalation()).await.unwrap();
        // Overdue (supervisor) only: the reminder's time passed with the deadline.
        assert_eq!(decided.alerts, 1, "{}", app.backend);
        // The instance stops before delivering; a new one starts on the same database.
        let second = Application::build(settings(&url, &smtp, &[]), app.clock.clone())
            .await
            .unwrap();
        let state = second.state();
        assert_eq!(
            escalation::sweep_once(&worker_of(&state).escalation)
                .await
                .unwrap()
                .alerts,
            0
        );
        let delivered = escalation::deliver_once(&worker_of(&state).escalation)
            .await
            .unwrap();
        assert_eq!(delivered.sent, 1);
        worker::run_once(&app.worker()).await.unwrap();
        worker::run_once(&worker_of(&state)).await.unwrap();
        assert_eq!(smtp.to(SUPERVISOR).len(), 1, "{}", app.backend);
    }
}

#[tokio::test]
async fn an_abandoned_claim_is_delivered_once_after_its_lease_and_a_lost_reply_keeps_the_message_id(
) {
    for (app, _, smtp) in apps("2024-09-25T12:00:00+08:00", &[]).await {
        let before = smtp.received().len();
        app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        app.clock.set(t("2024-09-30T09:00:00+08:00"));
        escalation::sweep_once(&app.escalation()).await.unwrap();
        // An instance claims the reminder and dies before sending it.
        let now = app.clock.now().timestamp();
        let st = app.state.clone();
        let claimed = st
            .db
            .write(move |conn| outbox::claim(conn, now, 10, 300))
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(
            escalation::deliver_once(&app.escalation())
                .await
                .unwrap()
                .sent,
            0
        );
        app.clock.advance(Duration::seconds(301));
        // The receiver takes the data but the connection drops before its answer.
        smtp.drop_after_data(true);
        let round = escalation::deliver_once(&app.escalation()).await.unwrap();
        assert_eq!((round.sent, round.failed), (0, 1), "{}", app.backend);
        let failed = alerts(&app, "?status=failed").await;
        assert_eq!(failed["items"][0]["attempts"], 2);
        assert!(failed["items"][0]["last_error"].as_str().is_some());
        smtp.drop_after_data(false);
        app.clock.advance(Duration::seconds(120));
        assert_eq!(
            escalation::deliver_once(&app.escalation())
                .await
                .unwrap()
                .sent,
            1
        );
        // At least once: the copy sent again carries the same Message-ID.
        let copies: Vec<_> = smtp.received()[before..].to_vec();
        assert_eq!(copies.len(), 2);
        assert_eq!(
            copies[0].header("Message-ID"),
            copies[1].header("Message-ID")
        );
        assert!(copies[0].header("Message-ID").is_some());
    }
}

#[tokio::test]
async fn an_smtp_outage_is_retried_with_backoff_and_every_alert_arrives_once() {
    for (app, _, mut smtp) in apps("2024-09-25T12:00:00+08:00", &[]).await {
        let before = smtp.received().len();
        for dept in ["zjj", "zjj", "jyj"] {
            app.create_message(dept, "2024-09-25T10:00:00+08:00").await;
        }
        smtp.stop().await;
        tick(&app, "2024-10-09T00:00:00+08:00").await;
        let failed = alerts(&app, "?status=failed").await;
        assert_eq!(failed["total"], 3, "{}", app.backend);
        let (_, health) = app.get(&app.admin, "/healthz").await;
        assert_eq!(health["outbox"]["failed"], 3, "{health}");
        let oldest = health["outbox"]["oldest_pending_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(oldest).is_ok(),
            "RFC 3339: {oldest}"
        );
        // Still down at the first retry.
        tick(&app, "2024-10-09T00:01:00+08:00").await;
        assert_eq!(
            alerts(&app, "?status=failed").await["items"][0]["attempts"],
            2
        );
        smtp.restart().await;
        // Backoff: the next try is 2 minutes after the second attempt.
        tick(&app, "2024-10-09T00:02:00+08:00").await;
        assert_eq!(smtp.received().len(), before);
        tick(&app, "2024-10-09T00:03:00+08:00").await;
        let got: Vec<_> = smtp.received()[before..].to_vec();
        assert_eq!(got.len(), 3, "{}", app.backend);
        let ids: BTreeSet<_> = got.iter().map(|r| r.header("Message-ID")).collect();
        assert_eq!(ids.len(), 3);
        tick(&app, "2024-10-10T00:00:00+08:00").await;
        assert_eq!(smtp.received().len(), before + 3);
        let (_, health) = app.get(&app.admin, "/healthz").await;
        assert_eq!(health["outbox"]["failed"], 0);
        assert_eq!(health["outbox"]["pending"], 0);
    }
}

#[tokio::test]
async fn two_instances_on_postgresql_send_each_alert_once() {
    let extra = [
        ("HUIYIN_ESCALATION__BATCH_SIZE", "3"),
        ("HUIYIN_ESCALATION__DELIVERY_BATCH", "2"),
        ("HUIYIN_ESCALATION__DIGEST_THRESHOLD", "1000"),
    ];
    for (app, url, smtp) in apps("2024-09-25T12:00:00+08:00", &extra).await {
        if app.backend != "postgres" {
            // SQLite is single-instance by design.
            continue;
        }
        for i in 0..20 {
            let dept = if i % 2 == 0 { "zjj" } else { "jyj" };
            app.create_message(dept, "2024-09-25T10:00:00+08:00").await;
        }
        let second = Application::build(settings(&url, &smtp, &extra), app.clock.clone())
            .await
            .unwrap();
        let other = second.state();
        app.clock.set(t("2024-10-11T09:00:00+08:00"));
        let (mine, theirs) = (app.worker(), worker_of(&other));
        let (a, b) = tokio::join!(worker::run_once(&mine), worker::run_once(&theirs));
        let (a, b) = (a.unwrap(), b.unwrap());
        // 20 overdue alerts + 20 severe alerts to the leader.
        assert_eq!(a.sweep.alerts + b.sweep.alerts, 40);
        assert_eq!(a.delivery.sent + b.delivery.sent, 40);
        let mut by_id: BTreeMap<Option<String>, usize> = BTreeMap::new();
        for r in smtp.received() {
            *by_id.entry(r.header("Message-ID")).or_default() += 1;
        }
        assert_eq!(by_id.len(), 40);
        assert!(by_id.values().all(|n| *n == 1), "{by_id:?}");
    }
}

#[tokio::test]
async fn a_digest_replaces_a_storm_of_alerts() {
    let extra = [("HUIYIN_ESCALATION__DIGEST_THRESHOLD", "3")];
    for (app, _, smtp) in apps("2024-09-25T12:00:00+08:00", &extra).await {
        let before = smtp.received().len();
        for _ in 0..5 {
            app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        }
        // Five become overdue at once at midnight: held, not sent.
        tick(&app, "2024-10-09T00:00:00+08:00").await;
        assert!(smtp.to(SUPERVISOR).is_empty(), "{}", app.backend);
        assert_eq!(alerts(&app, "?status=held").await["total"], 5);
        // The digest goes out at the digest hour on the working day.
        tick(&app, "2024-10-09T08:59:00+08:00").await;
        assert!(smtp.to(SUPERVISOR).is_empty());
        tick(&app, "2024-10-09T09:00:00+08:00").await;
        let digests = smtp.to(SUPERVISOR);
        assert_eq!(digests.len(), 1, "{}", app.backend);
        assert_eq!(
            digests[0].subject(),
            "【督办日报】2024-10-09 逾期 5 件、即将到期 0 件"
        );
        let text = digests[0].text();
        assert_eq!(text.matches("/messages/").count(), 5, "{text}");
        assert_eq!(alerts(&app, "?status=digested").await["total"], 5);
        // Later the same day: nothing new for the supervisor.
        tick(&app, "2024-10-09T15:00:00+08:00").await;
        assert_eq!(smtp.to(SUPERVISOR).len(), 1);
        assert_eq!(
            smtp.received().len(),
            before + 1,
            "the clerks were only copied"
        );
    }
}

#[tokio::test]
async fn alerts_are_listed_to_supervisors_of_their_department_only() {
    for (app, _, _smtp) in apps("2024-09-25T12:00:00+08:00", &[]).await {
        app.create_message("zjj", "2024-09-25T10:00:00+08:00").await;
        app.create_message("jyj", "2024-09-25T10:00:00+08:00").await;
        tick(&app, "2024-10-09T00:00:00+08:00").await;
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let (status, page) = app.get(&supervisor, "/api/v1/alerts").await;
        assert_eq!(status, 200);
        assert_eq!(page["total"], 1, "{page}");
        assert_eq!(page["items"][0]["department"], "zjj");
        assert_eq!(page["items"][0]["level"], "overdue");
        assert_eq!(page["items"][0]["status"], "sent");
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        assert_eq!(app.get(&clerk, "/api/v1/alerts").await.0, 403);
        let (status, body) = app.get(&app.admin, "/api/v1/alerts?status=lost").await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["field"], "status");
    }
}

/// Personal values sent in a message's subject and body besides its contact fields.
const PERSONAL: [&str; 5] = [
    "张三",
    "13812345678",
    "zhangsan@example.com",
    "11010519491231002X",
    "13987654321",
];

fn assert_no_personal(what: &str, text: &str) {
    for value in PERSONAL {
        assert!(!text.contains(value), "{value} in {what}:\n{text}");
    }
}

#[tokio::test]
async fn personal_data_in_subjects_stays_masked_in_alerts_digests_and_outside_views() {
    let extra = [("HUIYIN_ESCALATION__DIGEST_THRESHOLD", "2")];
    for (app, _, smtp) in apps("2024-09-25T12:00:00+08:00", &extra).await {
        let mut ids = Vec::new();
        for dept in ["zjj", "zjj", "zjj", "jyj"] {
            let mut m = crate::helpers::mailbox(dept, "2024-09-25T10:00:00+08:00");
            m["subject"] = json!(
                "张三（身份证11010519491231002X，手机13987654321，zhangsan@example.com）反映电梯问题"
            );
            m["body"] = json!("我是张三，电话13812345678，身份证11010519491231002X。");
            let (s, created) = app.post(&app.admin, "/api/v1/messages", &m).await;
            assert_eq!(s, 201, "{created}");
            ids.push(created["id"].as_i64().unwrap());
        }
        // Overdue: three zjj alerts held for the supervisor's digest, one jyj alert sent; later
        // the severe level for the leader.
        tick(&app, "2024-10-09T00:00:00+08:00").await;
        tick(&app, "2024-10-09T09:00:00+08:00").await;
        tick(&app, "2024-10-11T09:00:00+08:00").await;
        let emails = smtp.received();
        assert!(!smtp.to(SUPERVISOR).is_empty(), "{}", app.backend);
        assert!(!smtp.to(JYJ_SUPERVISOR).is_empty());
        assert!(!smtp.to(LEADER).is_empty());
        for e in &emails {
            assert_no_personal("an email's subject", &e.subject());
            assert_no_personal("an email's text", &e.text());
        }
        // The masked forms are there instead.
        assert!(emails
            .iter()
            .any(|e| e.text().contains("110***********002X")));
        let listed = alerts(&app, "?per_page=500").await;
        assert!(listed["total"].as_i64().unwrap() >= 4);
        assert_no_personal("GET /api/v1/alerts", &listed.to_string());

        // Outside the owning department: the leader, the admin, and the reports.
        let leader = app.token(Role::Leader, None).await;
        for token in [&leader, &app.admin] {
            let (_, one) = app
                .get(token, &format!("/api/v1/messages/{}", ids[0]))
                .await;
            assert_no_personal("a message outside its department", &one.to_string());
            let (_, list) = app.get(token, "/api/v1/messages").await;
            assert_no_personal("a list outside the department", &list.to_string());
        }
        let (s, report) = app.get(&leader, "/api/v1/reports/2024-10.json").await;
        assert_eq!(s, 200, "{report}");
        assert!(
            report.to_string().contains("身份证110"),
            "the 核查清单 lists it"
        );
        assert_no_personal("the report", &report.to_string());
        let browser = crate::web::logged_in(&app, Role::Leader, None).await;
        for page in [
            format!("/messages/{}", ids[0]),
            "/".to_string(),
            "/overview".to_string(),
            "/dashboard?dept=zjj".to_string(),
        ] {
            let a = browser.get(&page).await;
            assert_eq!(a.status, 200, "{page}");
            assert_no_personal(&page, &a.body);
        }
        // The owning department reads its message whole.
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (_, own) = app
            .get(&clerk, &format!("/api/v1/messages/{}", ids[0]))
            .await;
        assert!(own["subject"].as_str().unwrap().contains("13987654321"));
    }
}

#[tokio::test]
async fn two_instances_with_a_slow_relay_send_each_alert_once_and_record_it_once() {
    // Each email takes 4 s of the shared clock and a lease is 10 s: a batch of 5 outlives its
    // lease after the third email, and the other instance may then claim the rest.
    let extra = [
        ("HUIYIN_ESCALATION__DELIVERY_BATCH", "5"),
        ("HUIYIN_ESCALATION__LEASE_SECS", "10"),
        ("HUIYIN_ESCALATION__DIGEST_THRESHOLD", "1000"),
    ];
    for (app, url, smtp) in apps("2024-09-25T12:00:00+08:00", &extra).await {
        if app.backend != "postgres" {
            // SQLite is single-instance by design.
            continue;
        }
        for i in 0..20 {
            let dept = if i % 2 == 0 { "zjj" } else { "jyj" };
            app.create_message(dept, "2024-09-25T10:00:00+08:00").await;
        }
        let second = Application::build(settings(&url, &smtp, &extra), app.clock.clone())
            .await
            .unwrap();
        let other = second.state();
        app.clock.set(t("2024-10-11T09:00:00+08:00"));
        // Decide first (20 overdue + 20 severe alerts), then deliver from both at once.
        let decided = escalation::sweep_once(&app.escalation()).await.unwrap();
        assert_eq!(decided.alerts, 40);
        smtp.slow(app.clock.clone(), Duration::seconds(4));
        let (mine, theirs) = (app.escalation(), worker_of(&other).escalation.clone());
        let (a, b) = tokio::join!(
            escalation::deliver_once(&mine),
            escalation::deliver_once(&theirs)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!((a.failed, b.failed), (0, 0));
        let mut by_id: BTreeMap<Option<String>, usize> = BTreeMap::new();
        for r in smtp.received() {
            *by_id.entry(r.header("Message-ID")).or_default() += 1;
        }
        assert!(by_id.values().all(|n| *n == 1), "duplicates: {by_id:?}");
        assert_eq!(by_id.len(), 40, "every alert sent");
        assert_eq!(a.sent + b.sent, 40, "{a:?} {b:?}");
        // The outbox and the histories say so once per email.
        assert_eq!(alerts(&app, "?status=sent&per_page=500").await["total"], 40);
        let st = app.state.clone();
        let recorded: i64 = tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            huiyin::schema::message_events::table
                .filter(huiyin::schema::message_events::kind.eq("alert_sent"))
                .count()
                .get_result(&mut *st.db.get().unwrap())
                .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(recorded, 40);
    }
}

#[tokio::test]
async fn a_reply_waiting_for_review_alerts_the_reviewer_once_after_the_limit_and_never_the_department(
) {
    const REVIEWER: &str = "supervisor@gov-office.example.gov.cn";
    for (app, _, smtp) in apps("2026-11-23T10:00:00+08:00", &[]).await {
        let st = app.state.clone();
        tokio::task::spawn_blocking(move || {
            directory::add_staff(
                &mut st.db.get().unwrap(),
                StaffInput {
                    name: "孙审核",
                    email: REVIEWER,
                    role: Role::Supervisor,
                    department: Some(&DepartmentCode::parse("gov-office").unwrap()),
                    password_hash: None,
                },
                0,
            )
            .unwrap();
        })
        .await
        .unwrap();
        // A website error report of Monday 23 November: 3 working days, due Thursday 26th.
        let (status, msg) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &crate::helpers::website_error("zjj", "2026-11-23T10:00:00+08:00"),
            )
            .await;
        assert_eq!(status, 201, "{msg}");
        let id = msg["id"].as_i64().unwrap();
        app.clock.set(t("2026-11-23T11:00:00+08:00"));
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, out) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/reply"),
                &json!({"body": "您好，链接已修复。"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["message"]["review_pending"], true);

        // The department's reminder (Wednesday 09:00) does not come: it has answered.
        tick(&app, "2026-11-25T09:00:00+08:00").await;
        // Waiting two working days (Tuesday, Wednesday): the reviewer on Thursday at 09:00.
        tick(&app, "2026-11-26T08:59:59+08:00").await;
        assert!(smtp.to(REVIEWER).is_empty(), "{}", app.backend);
        tick(&app, "2026-11-26T09:00:00+08:00").await;
        let to_reviewer = smtp.to(REVIEWER);
        assert_eq!(to_reviewer.len(), 1, "{}", app.backend);
        assert!(to_reviewer[0].subject().starts_with("【待审核超时】"));
        assert!(to_reviewer[0].text().contains(&format!("/messages/{id}")));

        // Past the deadline, the waiting message is not overdue and nobody else hears of it.
        tick(&app, "2026-11-30T10:00:00+08:00").await;
        let (_, shown) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
        assert_eq!(shown["overdue"], false, "{}", app.backend);
        let (_, listed) = app
            .get(&app.admin, "/api/v1/messages?overdue=true&department=zjj")
            .await;
        assert_eq!(listed["total"], 0, "{listed}");
        // The statistics count it by the same rule.
        let (status, stats) = app
            .get(&app.admin, "/api/v1/stats?period=2026-11&department=zjj")
            .await;
        assert_eq!(status, 200, "{stats}");
        assert_eq!(stats["summary"]["due"], 1, "{stats}");
        assert_eq!(stats["summary"]["due_overdue_open"], 0, "{}", app.backend);
        assert!(smtp.to(CLERK).is_empty() && smtp.to(SUPERVISOR).is_empty());
        assert!(smtp.to(LEADER).is_empty(), "{}", app.backend);
        assert_eq!(smtp.to(REVIEWER).len(), 1, "exactly once");
    }
}

#[tokio::test]
async fn an_extension_request_emails_the_approvers_once_the_offices_supervisors_by_default() {
    const OFFICE_SUPERVISOR: &str = "supervisor@gov-office.example.gov.cn";
    for (app, _, smtp) in apps("2026-11-23T10:00:00+08:00", &[]).await {
        let st = app.state.clone();
        tokio::task::spawn_blocking(move || {
            directory::add_staff(
                &mut st.db.get().unwrap(),
                StaffInput {
                    name: "孙督查",
                    email: OFFICE_SUPERVISOR,
                    role: Role::Supervisor,
                    department: Some(&DepartmentCode::parse("gov-office").unwrap()),
                    password_hash: None,
                },
                0,
            )
            .unwrap();
        })
        .await
        .unwrap();
        let msg = app.create_message("zjj", "2026-11-20T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, out) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/extension-requests"),
                &json!({"working_days": 5, "reason": "需现场勘查"}),
            )
            .await;
        assert!(status == 200 || status == 201, "{status}: {out}");
        tick(&app, "2026-11-23T10:05:00+08:00").await;
        let to_office = smtp.to(OFFICE_SUPERVISOR);
        assert_eq!(to_office.len(), 1, "{}", app.backend);
        assert!(to_office[0].subject().starts_with("【延期申请】"));
        let text = to_office[0].text();
        assert!(
            text.contains("需现场勘查") && text.contains("/dashboard"),
            "{text}"
        );
        tick(&app, "2026-11-23T11:00:00+08:00").await;
        assert_eq!(smtp.to(OFFICE_SUPERVISOR).len(), 1, "exactly once");
        // The department's own supervisor does not decide it, so is not asked.
        assert!(smtp.to(SUPERVISOR).is_empty(), "{}", app.backend);
        assert!(smtp.to(JYJ_SUPERVISOR).is_empty() && smtp.to(CLERK).is_empty());
    }
}
