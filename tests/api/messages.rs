use huiyin::auth::Role;
use serde_json::json;

use crate::helpers::{error_code, mailbox, website_error, TestApp, PAUSE_FREE};

#[tokio::test]
async fn a_mailbox_message_is_due_after_five_working_days_across_national_day() {
    for app in TestApp::each("2024-10-09T10:00:00+08:00").await {
        // Monday 30 September: 1–7 October are holidays, Saturday 12 October is a make-up working day.
        let msg = app.create_message("zjj", "2024-09-30T10:00:00+08:00").await;
        assert_eq!(msg["status"], "open");
        assert_eq!(
            msg["due_at"], "2024-10-12T23:59:59+08:00",
            "{}",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_website_error_report_is_due_after_three_working_days() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        // Friday 25 September 2026 is a holiday (中秋), so are 1–7 October; 9/28, 9/29, 9/30 are days 1–3.
        let (status, msg) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &website_error("zjj", "2026-09-24T16:00:00+08:00"),
            )
            .await;
        assert_eq!(status, 201, "{msg}");
        assert_eq!(msg["channel_label"], "我为政府网站找错");
        assert_eq!(msg["site"]["url"], "https://zjj.example.gov.cn/zwgk/");
        assert_eq!(
            msg["due_at"], "2026-09-30T23:59:59+08:00",
            "{}",
            app.backend
        );
    }
}

#[tokio::test]
async fn the_same_external_id_returns_the_existing_message() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let mut body = mailbox("zjj", "2026-10-09T09:00:00+08:00");
        body["external_id"] = json!("SZXX-1");
        let (s1, first) = app.post(&app.admin, "/api/v1/messages", &body).await;
        let (s2, second) = app.post(&app.admin, "/api/v1/messages", &body).await;
        assert_eq!((s1, s2), (201, 200));
        assert_eq!(first["id"], second["id"]);
        // The same id on the other channel is a different message.
        let mut other = website_error("zjj", "2026-10-09T09:00:00+08:00");
        other["external_id"] = json!("SZXX-1");
        let (s3, third) = app.post(&app.admin, "/api/v1/messages", &other).await;
        assert_eq!(s3, 201);
        assert_ne!(third["id"], first["id"]);
        let (_, page) = app.get(&app.admin, "/api/v1/messages").await;
        assert_eq!(page["total"], 2);
    }
}

#[tokio::test]
async fn a_repeated_external_id_answers_only_what_the_caller_may_see() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let mut jyj = mailbox("jyj", "2026-10-09T09:00:00+08:00");
        jyj["external_id"] = json!("SZXX-200150");
        jyj["subject"] = json!("教育局的留言主题");
        let (s, stored) = app.post(&app.admin, "/api/v1/messages", &jyj).await;
        assert_eq!(s, 201, "{stored}");
        let (s, _) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{}/reply", stored["id"]),
                &json!({"body": "答复内容：已转学区办理。"}),
            )
            .await;
        assert_eq!(s, 200);

        // A clerk of another department, naming its own department and the guessed id.
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let mut probe = mailbox("zjj", "2026-10-09T09:00:00+08:00");
        probe["external_id"] = json!("SZXX-200150");
        let (s, answer) = app.post(&clerk, "/api/v1/messages", &probe).await;
        assert_eq!(s, 409, "{}: {answer}", app.backend);
        assert_eq!(error_code(&answer), "conflict");
        // Even a copy of the message's content gets the same refusal from outside jyj.
        let mut copy = jyj.clone();
        copy["department"] = json!("zjj");
        let (s, answer) = app.post(&clerk, "/api/v1/messages", &copy).await;
        assert_eq!(s, 409, "{}: {answer}", app.backend);
        assert!(!answer.to_string().contains("已转学区办理"), "{answer}");

        // An intake token: a different message under the id is refused, ...
        let intake = app.token(Role::Intake, None).await;
        let (s, answer) = app.post(&intake, "/api/v1/messages", &probe).await;
        assert_eq!(s, 409, "{}: {answer}", app.backend);
        assert!(!answer.to_string().contains("教育局的留言主题"), "{answer}");
        // ... and a true repeat gets the id and status, never the content.
        let (s, answer) = app.post(&intake, "/api/v1/messages", &jyj).await;
        assert_eq!(s, 200, "{}: {answer}", app.backend);
        assert_eq!(answer, json!({"id": stored["id"], "status": "replied"}));

        // The import answers repeats by the same rule.
        let body = format!("{probe}\n{jyj}\n").into_bytes();
        let (s, report) = app
            .post_raw(
                &intake,
                "/api/v1/messages/import",
                "application/x-ndjson",
                body,
            )
            .await;
        assert_eq!(s, 200, "{report}");
        assert_eq!(report["results"][0]["status"], "rejected", "{report}");
        assert_eq!(report["results"][0]["id"], json!(null));
        assert_eq!(report["results"][1]["status"], "existing", "{report}");
        assert_eq!(report["results"][1]["id"], stored["id"]);

        // Whoever may see it gets the stored message back.
        let jyj_clerk = app.token(Role::Clerk, Some("jyj")).await;
        let (s, answer) = app.post(&jyj_clerk, "/api/v1/messages", &jyj).await;
        assert_eq!(s, 200, "{answer}");
        assert_eq!(answer["subject"], "教育局的留言主题");
    }
}

#[tokio::test]
async fn a_reply_reports_on_time_and_working_days_and_a_second_reply_conflicts() {
    for app in TestApp::each("2024-10-09T10:00:00+08:00").await {
        let msg = app.create_message("zjj", "2024-09-30T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let path = format!("/api/v1/messages/{id}/reply");
        let (status, out) = app
            .post(
                &clerk,
                &path,
                &json!({"body": "您好，已受理，审批将于本月完成。"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["on_time"], true);
        // 10-08 and 10-09 are working days 1 and 2.
        assert_eq!(out["working_days_taken"], 2);
        assert_eq!(out["message"]["status"], "replied");
        let (status, err) = app
            .post(&clerk, &path, &json!({"body": "再次答复。"}))
            .await;
        assert_eq!(status, 409);
        assert_eq!(error_code(&err), "conflict");
        // Reopened, it can be answered again.
        let (status, _) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{id}/reopen"),
                &json!({"reason": "群众不满意"}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .post(&clerk, &path, &json!({"body": "补充答复。"}))
            .await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn a_late_reply_is_not_on_time() {
    for app in TestApp::each("2024-10-20T10:00:00+08:00").await {
        let msg = app.create_message("zjj", "2024-09-30T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let (status, out) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/reply"),
                &json!({"body": "您好，已处理。", "replied_at": "2024-10-14T09:00:00+08:00"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["on_time"], false);
        assert_eq!(out["working_days_taken"], 6);
    }
}

#[tokio::test]
async fn overdue_messages_are_listed_and_clerks_see_only_their_department() {
    for app in TestApp::each("2026-10-20T10:00:00+08:00").await {
        let late = app.create_message("zjj", "2026-10-09T10:00:00+08:00").await; // due 10-16
        let fresh = app.create_message("zjj", "2026-10-19T10:00:00+08:00").await;
        let other = app.create_message("jyj", "2026-10-09T10:00:00+08:00").await;
        let (_, page) = app.get(&app.admin, "/api/v1/messages?overdue=true").await;
        let ids: Vec<_> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].clone())
            .collect();
        assert_eq!(ids.len(), 2, "{}: {page}", app.backend);
        assert!(ids.contains(&late["id"]) && ids.contains(&other["id"]));
        assert!(page["items"][0]["overdue"].as_bool().unwrap());

        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (_, page) = app.get(&clerk, "/api/v1/messages").await;
        assert_eq!(page["total"], 2);
        assert_eq!(page["items"][0]["id"], late["id"], "soonest deadline first");
        assert_eq!(page["items"][1]["id"], fresh["id"]);
        // Own department: contact in full.
        assert_eq!(page["items"][0]["citizen"]["phone"], "13812345678");

        let (status, refused) = app
            .get(&clerk, &format!("/api/v1/messages/{}", other["id"]))
            .await;
        // Another department's message answers as a missing one does.
        assert_eq!(status, 404);
        let (missing_status, missing) = app.get(&clerk, "/api/v1/messages/99999").await;
        assert_eq!(missing_status, 404);
        assert_eq!(
            refused["error"]["message"],
            format!("no message {}", other["id"])
        );
        assert_eq!(missing["error"]["message"], "no message 99999");
        let (status, _) = app.get(&clerk, "/api/v1/messages?department=jyj").await;
        assert_eq!(status, 403);
        let (status, _) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/reply", other["id"]),
                &json!({"body": "越权答复。"}),
            )
            .await;
        assert_eq!(status, 404);

        // A leader sees every department, with the citizen's contact masked.
        let leader = app.token(Role::Leader, None).await;
        let (_, detail) = app
            .get(&leader, &format!("/api/v1/messages/{}", other["id"]))
            .await;
        assert_eq!(detail["citizen"]["phone"], "138****5678");
        assert_eq!(detail["citizen"]["name"], "张*");
    }
}

#[tokio::test]
async fn pausing_moves_the_deadline_by_the_working_days_paused() {
    for app in TestApp::each_with("2026-10-12T09:00:00+08:00", PAUSE_FREE).await {
        // Received Monday 12 October 2026, 5 working days: due Monday 19 October.
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        assert_eq!(msg["due_at"], "2026-10-19T23:59:59+08:00");
        let id = msg["id"].as_i64().unwrap();
        let (status, paused) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/pause"),
                &json!({"reason": "请补充楼栋号"}),
            )
            .await;
        assert_eq!(status, 200, "{paused}");
        assert_eq!(paused["status"], "paused");
        // Resumed Wednesday: Tuesday and Wednesday were paused working days.
        app.clock
            .set(crate::helpers::t("2026-10-14T15:00:00+08:00"));
        let (status, resumed) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/resume"),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{resumed}");
        assert_eq!(resumed["due_at"], "2026-10-21T23:59:59+08:00");
    }
}

#[tokio::test]
async fn only_the_offices_supervisors_and_admins_grant_extensions() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let path = format!("/api/v1/messages/{}/extend", msg["id"]);
        let body = json!({"working_days": 5, "reason": "需要现场核查"});
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, _) = app.post(&clerk, &path, &body).await;
        assert_eq!(status, 403);
        let own_supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let (status, _) = app.post(&own_supervisor, &path, &body).await;
        assert_eq!(
            status, 403,
            "the department does not approve its own extensions"
        );
        let supervisor = app.token(Role::Supervisor, Some("gov-office")).await;
        let (status, out) = app.post(&supervisor, &path, &body).await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["due_at"], "2026-10-26T23:59:59+08:00");
        assert_eq!(out["original_due_at"], "2026-10-19T23:59:59+08:00");
        assert_eq!(out["extended_days"], 5);
    }
}

#[tokio::test]
async fn a_transfer_keeps_the_deadline_and_moves_the_message() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        // A supervisor transfers (clerks return to the office: `handling.direct_transfer_roles`).
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, out) = app
            .post(
                &supervisor,
                &format!("/api/v1/messages/{id}/transfer"),
                &json!({"department": "jyj", "reason": "属教育局职责"}),
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["department"], "jyj");
        assert_eq!(out["due_at"], msg["due_at"]);
        // Now it is the other department's.
        let (status, _) = app.get(&clerk, &format!("/api/v1/messages/{id}")).await;
        assert_eq!(status, 404);
        let (status, err) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/transfer"),
                &json!({"department": "nope", "reason": "x"}),
            )
            .await;
        assert_eq!((status, error_code(&err)), (422, "invalid"));
    }
}

#[tokio::test]
async fn the_history_records_every_step_and_rebuilds_the_state() {
    for app in TestApp::each_with("2026-10-14T09:00:00+08:00", PAUSE_FREE).await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let base = format!("/api/v1/messages/{id}");
        for (path, body) in [
            ("pause", json!({"reason": "待补充"})),
            ("resume", json!({})),
            ("extend", json!({"working_days": 2, "reason": "核查"})),
            ("transfer", json!({"department": "jyj", "reason": "转办"})),
            ("reply", json!({"body": "已答复。"})),
            ("reopen", json!({})),
            ("invalid", json!({"reason": "重复留言"})),
        ] {
            let (status, out) = app.post(&app.admin, &format!("{base}/{path}"), &body).await;
            assert_eq!(status, 200, "{path}: {out}");
        }
        let (_, detail) = app.get(&app.admin, &base).await;
        let kinds: Vec<&str> = detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "received",
                "paused",
                "resumed",
                "extended",
                // The citizen is told of the extension and of the transfer.
                "citizen_notified",
                "transferred",
                "citizen_notified",
                "replied",
                "reopened",
                "marked_invalid"
            ]
        );
        // Replaying the stored events gives the stored state.
        let st = app.state.clone();
        let (row, replayed) = tokio::task::spawn_blocking(move || {
            let mut conn = st.db.get().unwrap();
            let row = huiyin::messages::model::find(&mut conn, id).unwrap();
            let events: Vec<_> = huiyin::messages::events::history(&mut conn, id)
                .unwrap()
                .iter()
                .map(|e| e.event().unwrap())
                .collect();
            (row, huiyin::messages::events::replay(&events))
        })
        .await
        .unwrap();
        assert_eq!(replayed.status, row.status);
        assert_eq!(replayed.department, row.department_code);
        assert_eq!(replayed.due_at, row.due_at);
        assert_eq!(replayed.extended_days as i32, row.extended_days);
    }
}

#[tokio::test]
async fn events_cannot_be_rewritten() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let st = app.state.clone();
        let (update, delete) = tokio::task::spawn_blocking(move || {
            use diesel::connection::SimpleConnection;
            let mut conn = st.db.get().unwrap();
            (
                conn.batch_execute("UPDATE message_events SET actor = 'x'")
                    .is_err(),
                conn.batch_execute("DELETE FROM message_events").is_err(),
            )
        })
        .await
        .unwrap();
        assert!(update && delete, "{}", app.backend);
    }
}

#[tokio::test]
async fn import_stores_good_lines_and_reports_each_line() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let mut a = mailbox("zjj", "2026-10-12T08:00:00+08:00");
        a["external_id"] = json!("A-1");
        let b = website_error("jyj", "2026-10-13T08:00:00+08:00");
        let unknown_dept = mailbox("nope", "2026-10-13T08:00:00+08:00");
        let mut body = Vec::new();
        for line in [
            a.to_string(),
            "{not json".to_string(),
            b.to_string(),
            unknown_dept.to_string(),
            a.to_string(),
        ] {
            body.extend_from_slice(line.as_bytes());
            body.push(b'\n');
        }
        body.extend_from_slice(b"\xff\xfe\n");
        let (status, report) = app
            .post_raw(
                &app.admin,
                "/api/v1/messages/import",
                "application/x-ndjson",
                body,
            )
            .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(
            (
                report["created"].as_u64(),
                report["existing"].as_u64(),
                report["rejected"].as_u64()
            ),
            (Some(2), Some(1), Some(3))
        );
        let statuses: Vec<&str> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["created", "rejected", "created", "rejected", "existing", "rejected"]
        );
        assert_eq!(report["results"][3]["field"], "department");
        assert!(report["results"][5]["error"]
            .as_str()
            .unwrap()
            .contains("UTF-8"));
        let (_, page) = app.get(&app.admin, "/api/v1/messages").await;
        assert_eq!(page["total"], 2);
    }
}

#[tokio::test]
async fn the_calendar_endpoints_answer_from_the_engine() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let (status, out) = app
            .get(
                &app.admin,
                "/api/v1/calendar/deadline?received_at=2024-09-30T10:00:00%2B08:00&working_days=5",
            )
            .await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["due_at"], "2024-10-12T23:59:59+08:00");
        let (_, days) = app
            .get(
                &app.admin,
                "/api/v1/calendar/days?from=2024-10-11&to=2024-10-13",
            )
            .await;
        let kinds: Vec<&str> = days
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["workday", "makeup_workday", "weekend"]);
        let (status, err) = app
            .get(
                &app.admin,
                "/api/v1/calendar/deadline?received_at=2031-01-05T10:00:00%2B08:00&working_days=5",
            )
            .await;
        assert_eq!(status, 422);
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("2018-01-01"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn looking_up_more_messages_than_one_statement_may_bind_works() {
    for app in TestApp::each("2024-10-09T10:00:00+08:00").await {
        let a = app.create_message("zjj", "2024-09-30T10:00:00+08:00").await["id"]
            .as_i64()
            .unwrap();
        let b = app.create_message("jyj", "2024-09-30T11:00:00+08:00").await["id"]
            .as_i64()
            .unwrap();
        // 70,000 ids: over SQLite's 32,766 and PostgreSQL's 65,535 bound parameters (a digest
        // after a long storm asks for that many).
        let mut ids: Vec<i64> = (1_000_000..1_070_000).collect();
        ids.extend([a, b]);
        let st = app.state.clone();
        let mut found: Vec<i64> = tokio::task::spawn_blocking(move || {
            let mut conn = st.db.get().unwrap();
            huiyin::messages::model::find_many(&mut conn, &ids).unwrap()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
        found.sort();
        assert_eq!(found, [a, b], "{}", app.backend);
    }
}

#[tokio::test]
async fn an_import_that_outgrows_the_statistics_refreshes_them_on_postgresql() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let mut body = Vec::new();
        for i in 0..3_000 {
            let mut m = mailbox("zjj", "2026-10-12T08:00:00+08:00");
            m["external_id"] = json!(format!("STATS-{i}"));
            body.extend_from_slice(m.to_string().as_bytes());
            body.push(b'\n');
        }
        let (status, report) = app
            .post_raw(
                &app.admin,
                "/api/v1/messages/import",
                "application/x-ndjson",
                body,
            )
            .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["created"], 3_000);
        let st = app.state.clone();
        let backend = app.backend;
        tokio::task::spawn_blocking(move || {
            let mut conn = st.db.get().unwrap();
            if backend == "sqlite" {
                assert!(!huiyin::messages::model::refresh_statistics(&mut conn).unwrap());
                return;
            }
            // 3,000 rows changed against a table analysed empty (or never): stale, so the
            // import refreshed the statistics, or (PostgreSQL reports its counters up to a
            // second late) the next call does.
            #[derive(diesel::QueryableByName)]
            struct Tuples {
                #[diesel(sql_type = diesel::sql_types::Float)]
                reltuples: f32,
            }
            let tuples = |conn: &mut huiyin::db::DbConnection| {
                diesel::RunQueryDsl::get_result::<Tuples>(
                    diesel::sql_query(
                        "SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass",
                    ),
                    conn,
                )
                .unwrap()
                .reltuples
            };
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while tuples(&mut conn) < 3_000.0 && std::time::Instant::now() < deadline {
                huiyin::messages::model::refresh_statistics(&mut conn).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            assert_eq!(tuples(&mut conn), 3_000.0);
            // Fresh statistics: nothing to do until the table changes by as much again.
            assert!(!huiyin::messages::model::refresh_statistics(&mut conn).unwrap());
        })
        .await
        .unwrap();
    }
}

/// One mailbox line of an import, with `subject`.
fn line(subject: &str) -> String {
    let mut m = mailbox("zjj", "2026-10-12T08:00:00+08:00");
    m["subject"] = json!(subject);
    format!("{m}\n")
}

#[tokio::test]
async fn an_import_refuses_a_nul_byte_line_by_line_and_stores_the_rest() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let body: String = ["甲", "乙\u{0}", "丙", "丁"]
            .iter()
            .map(|s| line(s))
            .collect();
        let (status, report) = app
            .post_raw(
                &app.admin,
                "/api/v1/messages/import",
                "application/x-ndjson",
                body.into_bytes(),
            )
            .await;
        assert_eq!(status, 200, "{}: {report}", app.backend);
        assert_eq!(
            (report["created"].as_u64(), report["rejected"].as_u64()),
            (Some(3), Some(1))
        );
        assert_eq!(report["results"][1]["status"], "rejected");
        assert_eq!(report["results"][1]["field"], "subject");
        let (_, page) = app.get(&app.admin, "/api/v1/messages").await;
        assert_eq!(page["total"], 3, "{}", app.backend);
    }
}

#[tokio::test]
async fn a_chunk_that_cannot_be_written_is_answered_line_by_line() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        // The database refuses one subject, as a fault that validation cannot foresee.
        let st = app.state.clone();
        let backend = app.backend;
        tokio::task::spawn_blocking(move || {
            use diesel::connection::SimpleConnection;
            let mut conn = st.db.get().unwrap();
            conn.batch_execute(if backend == "sqlite" {
                "CREATE TRIGGER refuse_one BEFORE INSERT ON messages WHEN NEW.subject = '写入失败' \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
            } else {
                "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN \
                 IF NEW.subject = '写入失败' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER refuse_one BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_one();"
            })
            .unwrap();
        })
        .await
        .unwrap();
        // 10,050 lines: the first chunk (10,000 valid lines) is stored; line 10,021 is invalid;
        // the second chunk holds line 10,030, which the database refuses.
        let body: String = (1..=10_050)
            .map(|n| match n {
                10_021 => line("坏\u{0}行"),
                10_030 => line("写入失败"),
                n => line(&format!("留言{n}")),
            })
            .collect();
        let (status, report) = app
            .post_raw(
                &app.admin,
                "/api/v1/messages/import",
                "application/x-ndjson",
                body.into_bytes(),
            )
            .await;
        assert_eq!(status, 200, "{}", app.backend);
        assert_eq!(
            (
                report["created"].as_u64(),
                report["rejected"].as_u64(),
                report["failed"].as_u64()
            ),
            (Some(10_000), Some(1), Some(49)),
            "{}",
            app.backend
        );
        let results = report["results"].as_array().unwrap();
        assert_eq!(results.len(), 10_050);
        assert!(results[..10_000]
            .iter()
            .all(|r| r["status"] == "created" && r["id"].is_i64()));
        assert_eq!(results[10_020]["status"], "rejected");
        assert_eq!(results[10_020]["field"], "subject");
        for r in &results[10_000..] {
            if r["line"] != 10_021 {
                assert_eq!(r["status"], "failed", "{r}");
                assert_eq!(r["id"], json!(null));
            }
        }
        let (_, page) = app.get(&app.admin, "/api/v1/messages?per_page=1").await;
        assert_eq!(page["total"], 10_000, "{}", app.backend);
    }
}
