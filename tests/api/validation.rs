//! Bad input gets a clear error naming what is wrong, and nothing is stored.

use serde_json::{json, Value};

use crate::helpers::{error_code, mailbox, TestApp};

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test]
async fn invalid_messages_are_rejected_with_the_field_named_and_nothing_stored() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let ok = mailbox("zjj", "2026-10-12T08:00:00+08:00");
        let cases: Vec<(&str, Value, u16, Option<&str>)> = vec![
            (
                "unknown department",
                with(ok.clone(), "department", json!("nope")),
                422,
                Some("department"),
            ),
            (
                "unknown channel",
                with(ok.clone(), "channel", json!("wechat")),
                422,
                Some("channel"),
            ),
            (
                "unknown category",
                with(ok.clone(), "category", json!("gossip")),
                422,
                Some("category"),
            ),
            (
                "category of the other channel",
                with(ok.clone(), "category", json!("error_report")),
                422,
                Some("category"),
            ),
            (
                "future receipt",
                with(
                    ok.clone(),
                    "received_at",
                    json!("2026-12-01T09:00:00+08:00"),
                ),
                422,
                Some("received_at"),
            ),
            (
                "receipt outside the calendar",
                with(
                    ok.clone(),
                    "received_at",
                    json!("2017-06-01T09:00:00+08:00"),
                ),
                422,
                Some("received_at"),
            ),
            (
                "unparsable receipt",
                with(ok.clone(), "received_at", json!("yesterday")),
                422,
                Some("received_at"),
            ),
            (
                "empty subject",
                with(ok.clone(), "subject", json!("  ")),
                422,
                Some("subject"),
            ),
            (
                "body over the limit",
                with(ok.clone(), "body", json!("字".repeat(20_001))),
                422,
                Some("body"),
            ),
            (
                "unknown field",
                with(ok.clone(), "priority", json!("high")),
                400,
                None,
            ),
            (
                "wrong type",
                with(ok.clone(), "subject", json!(42)),
                400,
                None,
            ),
            (
                "website error without site",
                with(ok.clone(), "channel", json!("website_error")),
                422,
                Some("category"),
            ),
        ];
        for (name, body, status, field) in cases {
            let (got, err) = app.post(&app.admin, "/api/v1/messages", &body).await;
            assert_eq!(got, status, "{name}: {err}");
            assert!(
                err["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{name}: {err}"
            );
            if let Some(field) = field {
                assert_eq!(err["error"]["field"], field, "{name}: {err}");
            }
        }
        let (_, page) = app.get(&app.admin, "/api/v1/messages").await;
        assert_eq!(page["total"], 0, "nothing stored");
    }
}

#[tokio::test]
async fn malformed_and_oversized_bodies_answer_in_the_error_envelope() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let cases: Vec<(&str, &str, Vec<u8>, u16)> = vec![
            (
                "malformed JSON",
                "application/json",
                b"{\"channel\": ".to_vec(),
                400,
            ),
            (
                "invalid UTF-8",
                "application/json",
                b"{\"channel\": \"\xff\xfe\"}".to_vec(),
                400,
            ),
            ("not JSON at all", "text/plain", b"hello".to_vec(), 400),
            (
                "over the size limit",
                "application/json",
                vec![b' '; 2 * 1024 * 1024],
                413,
            ),
        ];
        for (name, content_type, body, status) in cases {
            let (got, err) = app
                .post_raw(&app.admin, "/api/v1/messages", content_type, body)
                .await;
            assert_eq!(got, status, "{name}: {err}");
            assert!(err["error"]["code"].is_string(), "{name}: {err}");
        }
    }
}

#[tokio::test]
async fn an_unreadable_body_does_not_reopen_a_message() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let base = format!("/api/v1/messages/{}", msg["id"]);
        let (got, _) = app
            .post(
                &app.admin,
                &format!("{base}/reply"),
                &json!({"body": "已答复。"}),
            )
            .await;
        assert_eq!(got, 200);
        let reopen = format!("{base}/reopen");
        for (name, content_type, body) in [
            ("an array", "application/json", b"[1,2,3]".to_vec()),
            (
                "malformed JSON",
                "application/json",
                b"{\"reason\": ".to_vec(),
            ),
            (
                "an unknown field",
                "application/json",
                b"{\"why\": \"x\"}".to_vec(),
            ),
            ("not JSON", "text/plain", b"reason".to_vec()),
        ] {
            let (got, err) = app.post_raw(&app.admin, &reopen, content_type, body).await;
            assert_eq!(
                (got, error_code(&err)),
                (400, "bad_request"),
                "{name}: {err}"
            );
        }
        let (_, shown) = app.get(&app.admin, &base).await;
        assert_eq!(shown["status"], "replied", "{}", app.backend);
        // No body at all is "no reason given".
        let (got, out) = app.post_raw(&app.admin, &reopen, "", Vec::new()).await;
        assert_eq!(got, 200, "{out}");
        assert_eq!(out["status"], "open");
    }
}

#[tokio::test]
async fn a_reply_before_the_receipt_time_is_rejected() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let path = format!("/api/v1/messages/{}/reply", msg["id"]);
        let (status, err) = app
            .post(
                &app.admin,
                &path,
                &json!({"body": "答复。", "replied_at": "2026-10-11T08:00:00+08:00"}),
            )
            .await;
        assert_eq!((status, error_code(&err)), (422, "invalid"));
        assert_eq!(err["error"]["field"], "replied_at");
        let (status, _) = app.post(&app.admin, &path, &json!({"body": ""})).await;
        assert_eq!(status, 422);
        let (_, detail) = app
            .get(&app.admin, &format!("/api/v1/messages/{}", msg["id"]))
            .await;
        assert_eq!(detail["status"], "open", "nothing half-written");
    }
}

#[tokio::test]
async fn unknown_query_filters_and_bad_pages_are_rejected() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        for (query, status) in [
            ("status=done", 422),
            ("channel=fax", 422),
            ("per_page=100000", 422),
            ("page=0", 422),
            ("page=4611686018427387904", 422),
            ("page=20001&per_page=50", 422),
            ("page=9223372036854775807&per_page=500", 422),
            ("q=%00", 422),
            ("q=a%1Bb", 422),
            ("due_before=tomorrow", 422),
            ("colour=red", 400),
        ] {
            let (got, err) = app
                .get(&app.admin, &format!("/api/v1/messages?{query}"))
                .await;
            assert_eq!(got, status, "{}: {query}: {err}", app.backend);
            if status == 422 {
                assert!(err["error"]["field"].is_string(), "{query}: {err}");
            }
        }
        // The deepest page allowed still answers.
        let (got, _) = app
            .get(&app.admin, "/api/v1/messages?page=2000&per_page=500")
            .await;
        assert_eq!(got, 200);
    }
}

#[tokio::test]
async fn control_characters_are_refused_in_every_text_field_on_both_backends() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        let ok = mailbox("zjj", "2026-10-12T08:00:00+08:00");
        let mut cases: Vec<(&str, Value)> = vec![
            (
                "subject",
                with(ok.clone(), "subject", json!("电梯\u{0}审批")),
            ),
            ("body", with(ok.clone(), "body", json!("您好\u{0}"))),
            (
                "external_id",
                with(ok.clone(), "external_id", json!("SZXX\u{0}1")),
            ),
            ("body", with(ok.clone(), "body", json!("响铃\u{7}"))),
        ];
        let mut named = ok.clone();
        named["citizen"]["name"] = json!("张\u{0}三");
        cases.push(("citizen.name", named));
        for (field, body) in cases {
            let (got, err) = app.post(&app.admin, "/api/v1/messages", &body).await;
            assert_eq!(got, 422, "{}: {field}: {err}", app.backend);
            assert_eq!(err["error"]["field"], field, "{err}");
        }
        // Tab and line breaks are text.
        let fine = with(ok.clone(), "body", json!("第一行\r\n\t第二行"));
        let (got, msg) = app.post(&app.admin, "/api/v1/messages", &fine).await;
        assert_eq!(got, 201, "{msg}");
        let (got, err) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{}/reply", msg["id"]),
                &json!({"body": "答复\u{0}"}),
            )
            .await;
        assert_eq!((got, error_code(&err)), (422, "invalid"), "{err}");
        let (_, page) = app.get(&app.admin, "/api/v1/messages").await;
        assert_eq!(page["total"], 1, "{}", app.backend);
    }
}

#[tokio::test]
async fn search_wildcards_match_only_themselves() {
    for app in TestApp::each("2026-10-20T09:00:00+08:00").await {
        app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let odd = with(
            mailbox("zjj", "2026-10-12T08:00:00+08:00"),
            "subject",
            json!("完成率100%_统计"),
        );
        assert_eq!(app.post(&app.admin, "/api/v1/messages", &odd).await.0, 201);
        for (q, total) in [
            ("%25", 1),
            ("_", 1),
            ("100%25_", 1),
            ("%25%25", 0),
            ("%5C", 0),
            ("电梯", 2),
        ] {
            let (got, page) = app
                .get(&app.admin, &format!("/api/v1/messages?q={q}"))
                .await;
            assert_eq!(got, 200, "{q}: {page}");
            assert_eq!(page["total"], total, "{}: q={q}", app.backend);
        }
    }
}

#[tokio::test]
async fn working_days_are_read_as_json_schema_integers_so_two_point_zero_is_two() {
    for app in TestApp::each("2026-10-12T09:00:00+08:00").await {
        let msg = app.create_message("zjj", "2026-10-12T08:00:00+08:00").await;
        let path = format!("/api/v1/messages/{}/extend", msg["id"]);
        for bad in [json!(2.5), json!("2")] {
            let (status, body) = app
                .post(
                    &app.admin,
                    &path,
                    &json!({"working_days": bad, "reason": "核查"}),
                )
                .await;
            assert_eq!(status, 400, "{}: {bad}: {body}", app.backend);
            assert_eq!(error_code(&body), "bad_request");
        }
        let (status, out) = app
            .post(
                &app.admin,
                &path,
                &json!({"working_days": 5.0, "reason": "核查"}),
            )
            .await;
        assert_eq!(status, 200, "{}: {out}", app.backend);
        assert_eq!(out["extended_days"], 5);
    }
}
