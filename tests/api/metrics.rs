//! `GET /metrics`: the Prometheus exposition, for admin and metrics tokens on the main port and
//! without a token on the private `[metrics] listen` address; off when disabled.

use huiyin::auth::Role;

use crate::helpers::{database_urls, t, test_settings, TestApp};

const NOW: &str = "2026-11-23T10:00:00+08:00";

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(format!("{}/metrics", app.address));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_read_the_outbox_and_calendar() {
    for app in TestApp::each(NOW).await {
        app.create_message("zjj", "2026-11-23T09:00:00+08:00").await;
        let (status, text) = scrape(&app, Some(&app.admin)).await;
        assert_eq!(status, 200, "{}: {text}", app.backend);
        for line in [
            "huiyin_http_requests_total{route=\"/api/v1/messages\",status=\"201\"}",
            "huiyin_http_request_duration_seconds_bucket{route=\"/api/v1/messages\"",
            "huiyin_outbox_emails{state=\"pending\"} 0",
            "huiyin_db_pool_connections{state=\"open\"}",
            "huiyin_intake_batch_size_count",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
        // 2026-11-23 to the end of the official 2026 calendar.
        assert!(
            text.contains("huiyin_calendar_official_days_left 38"),
            "{text}"
        );
        assert!(
            !text.contains("zjj") && !text.contains("?"),
            "no department, no query string"
        );

        // Every series the sample dashboard draws is one the server exposes.
        let dashboard = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/grafana-dashboard.json"
        ))
        .unwrap();
        let mut rest = dashboard.as_str();
        while let Some(i) = rest.find("huiyin_") {
            let name: String = rest[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                text.contains(&format!("{name}{{")) || text.contains(&format!("{name} ")),
                "{name} is drawn but not exposed"
            );
            rest = &rest[i + name.len()..];
        }

        let metrics = app.token(Role::Metrics, None).await;
        assert_eq!(scrape(&app, Some(&metrics)).await.0, 200);
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        assert_eq!(scrape(&app, Some(&clerk)).await.0, 403);
        assert_eq!(scrape(&app, None).await.0, 401);
        // A metrics token reads nothing else.
        let (status, _) = app.get(&metrics, "/api/v1/messages").await;
        assert_eq!(status, 403);
    }
}

#[tokio::test]
async fn a_private_metrics_address_needs_no_token_and_disabled_metrics_are_gone() {
    let (_, make) = database_urls().remove(0);
    let (db, url) = make();
    let settings = test_settings(&url, &[("HUIYIN_METRICS__LISTEN", "127.0.0.1:0")]);
    let app = TestApp::spawn("sqlite", db, settings, t(NOW)).await;
    let port = app.metrics_port.expect("a private metrics port");
    let resp = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("huiyin_outbox_emails"));
    let resp = reqwest::get(format!("http://127.0.0.1:{port}/api/v1/messages"))
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        404,
        "the private address serves /metrics alone"
    );

    let (_, make) = database_urls().remove(0);
    let (db, url) = make();
    let settings = test_settings(&url, &[("HUIYIN_METRICS__ENABLED", "false")]);
    let off = TestApp::spawn("sqlite", db, settings, t(NOW)).await;
    assert_eq!(scrape(&off, Some(&off.admin)).await.0, 404);
}
