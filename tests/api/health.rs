use crate::helpers::TestApp;

#[tokio::test]
async fn health_check_reports_the_database() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let resp = reqwest::get(format!("{}/healthz", app.address))
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], app.backend);
    }
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let doc: serde_json::Value = reqwest::get(format!("{}/openapi.json", app.address))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/messages",
            "/api/v1/messages/import",
            "/api/v1/messages/{id}",
            "/api/v1/messages/{id}/reply",
            "/api/v1/messages/{id}/transfer",
            "/api/v1/messages/{id}/pause",
            "/api/v1/messages/{id}/resume",
            "/api/v1/messages/{id}/extend",
            "/api/v1/messages/{id}/invalid",
            "/api/v1/messages/{id}/reopen",
            "/api/v1/calendar/deadline",
            "/api/v1/calendar/days",
            "/healthz",
        ] {
            assert!(doc["paths"][path].is_object(), "missing {path}");
        }
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let (status, body) = app.get("not-a-token", "/api/v1/messages").await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "unauthorized");
        let resp = reqwest::get(format!("{}/api/v1/messages", app.address))
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
    }
}
