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
            ("due_before=tomorrow", 422),
            ("colour=red", 400),
        ] {
            let (got, err) = app
                .get(&app.admin, &format!("/api/v1/messages?{query}"))
                .await;
            assert_eq!(got, status, "{query}: {err}");
        }
    }
}
