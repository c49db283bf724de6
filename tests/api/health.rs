//! The health check, the OpenAPI document (against the routes the server really mounts), and authentication.

use std::collections::{BTreeMap, BTreeSet};

use huiyin::auth::Role;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::routes::{mounted, Operation};

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

async fn readyz(app: &TestApp) -> (u16, Value) {
    let resp = reqwest::get(format!("{}/readyz", app.address))
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn check<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {body}"))
}

#[tokio::test]
async fn readiness_fails_on_a_stuck_outbox_and_only_warns_on_the_calendars_end() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let (status, body) = readyz(&app).await;
        assert_eq!(status, 200, "{}: {body}", app.backend);
        assert_eq!(body["ready"], true);
        assert_eq!(check(&body, "migrations")["ok"], true);
        assert_eq!(
            check(&body, "calendar")["ok"],
            true,
            "83 days of official calendar ahead"
        );

        // Within 60 days of the calendar's end the instance stays ready: deadlines go on
        // provisionally, and the check says why it warns.
        app.clock
            .set(crate::helpers::t("2026-12-03T10:00:00+08:00"));
        let (status, body) = readyz(&app).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(check(&body, "calendar")["ok"], false);
        assert_eq!(check(&body, "calendar")["required"], false);

        // An email waiting for more than an hour: delivery is stuck, the instance is not ready.
        let created = crate::helpers::t("2026-12-03T08:00:00+08:00").timestamp();
        let st = app.state.clone();
        tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            use huiyin::schema::alert_outbox as o;
            let mut conn = st.db.get().unwrap();
            diesel::insert_into(o::table)
                .values((
                    o::dedup_key.eq("readyz-test"),
                    o::kind.eq("alert"),
                    o::recipient_email.eq("a@example.gov.cn"),
                    o::cc_emails.eq(""),
                    o::subject.eq("s"),
                    o::body.eq("b"),
                    o::status.eq("pending"),
                    o::attempts.eq(3),
                    o::created_at.eq(created),
                ))
                .execute(&mut conn)
                .unwrap();
        })
        .await
        .unwrap();
        let (status, body) = readyz(&app).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["ready"], false);
        assert_eq!(check(&body, "outbox")["ok"], false);
        assert!(check(&body, "outbox")["detail"]
            .as_str()
            .unwrap()
            .contains("oldest for 7200 s"));
    }
}

/// Mounted but deliberately not an operation of the document: the document itself.
const UNDOCUMENTED: &[(&str, &str)] = &[("GET", "/openapi.json")];

/// The operations of the OpenAPI document.
fn documented(doc: &Value) -> BTreeSet<Operation> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            if [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .contains(&method.as_str())
            {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

/// A value for a parameter the document names; an unknown one must be added here.
fn sample(name: &str, fixtures: &BTreeMap<&str, String>) -> String {
    fixtures
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no sample value for the parameter '{name}': add one"))
}

/// Is this 404 the API's own "no such thing" (the error envelope), not a route that does not exist?
fn is_missing_resource(status: u16, body: &Value) -> bool {
    status == 404 && body["error"]["code"] == "not_found"
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    let mounted = mounted();
    for (method, path) in UNDOCUMENTED {
        assert!(
            mounted.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is exempted but no longer mounted"
        );
    }
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        let doc: Value = reqwest::get(format!("{}/openapi.json", app.address))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let documented = documented(&doc);

        // Both directions: no mounted route without documentation, no documented one not mounted.
        let api: BTreeSet<Operation> = mounted
            .iter()
            .filter(|(m, p)| !UNDOCUMENTED.contains(&(m.as_str(), p.as_str())))
            .cloned()
            .collect();
        let undocumented: Vec<_> = api.difference(&documented).collect();
        let unmounted: Vec<_> = documented.difference(&api).collect();
        assert!(
            undocumented.is_empty() && unmounted.is_empty(),
            "mounted but not in /openapi.json: {undocumented:?}\n\
             in /openapi.json but not mounted: {unmounted:?}"
        );

        // Ids that exist: a message, an extension request on it, a closed period's report.
        let msg = app.create_message("zjj", "2026-10-09T09:00:00+08:00").await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, request) = app
            .post(
                &clerk,
                &format!("/api/v1/messages/{}/extension-requests", msg["id"]),
                &json!({"working_days": 2, "reason": "需要现场核查"}),
            )
            .await;
        assert_eq!(status, 201, "{}: {request}", app.backend);
        let fixtures: BTreeMap<&str, String> = [
            ("id", msg["id"].to_string()),
            ("request", request["id"].to_string()),
            ("file", "2026-09.json".to_string()),
            ("period", "2026-09".to_string()),
            ("received_at", "2026-10-09T09:00:00+08:00".to_string()),
            ("working_days", "5".to_string()),
            ("from", "2026-10-01".to_string()),
            ("to", "2026-10-31".to_string()),
        ]
        .into_iter()
        .collect();

        // The probe tells a missing route from a missing resource.
        let (status, body) = app.get(&app.admin, "/api/v1/no-such-endpoint").await;
        assert!(
            status == 404 && !is_missing_resource(status, &body),
            "{}: an unknown route answered {status} {body}",
            app.backend
        );
        let (status, body) = app
            .get(&app.admin, &format!("/api/v1/messages/{}/reply", msg["id"]))
            .await;
        assert!(
            matches!(status, 404 | 405) && !is_missing_resource(status, &body),
            "{}: a wrong method answered {status} {body}",
            app.backend
        );

        // Every documented operation answers, with the parameters the document names.
        for (method, path) in &documented {
            let op = &doc["paths"][path][method.to_lowercase()];
            let mut url = path.clone();
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str() {
                    Some("path") => {
                        url = url.replace(&format!("{{{name}}}"), &sample(name, &fixtures));
                    }
                    Some("query") if p["required"] == true => {
                        query.push((name.to_string(), sample(name, &fixtures)));
                    }
                    _ => {}
                }
            }
            assert!(
                !url.contains('{'),
                "{path}: a path parameter the document does not name"
            );
            let mut req = app
                .client
                .request(method.parse().unwrap(), format!("{}{url}", app.address))
                .bearer_auth(&app.admin)
                .query(&query);
            if method != "GET" {
                req = req.json(&json!({}));
            }
            let (status, body) = crate::helpers::decode(req.send().await.unwrap()).await;
            if method == "GET" {
                assert_eq!(status, 200, "{}: {method} {url}: {body}", app.backend);
            } else {
                assert!(
                    !matches!(status, 404 | 405) || is_missing_resource(status, &body),
                    "{}: {method} {url} is documented but answered {status} {body}",
                    app.backend
                );
                // A handler answered: a success, or the API's error envelope (actix's own
                // refusals have an empty body).
                assert!(
                    (200..300).contains(&status) || body["error"]["code"].is_string(),
                    "{}: {method} {url}: {status} {body}",
                    app.backend
                );
            }
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

#[tokio::test]
async fn an_undeclared_method_on_a_documented_path_is_405_in_the_envelope() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        for (method, path, allow) in [
            ("TRACE", "/healthz", "GET"),
            ("DELETE", "/api/v1/messages/1", "GET"),
            ("PUT", "/api/v1/messages", "GET, POST"),
        ] {
            let resp = app
                .client
                .request(method.parse().unwrap(), format!("{}{path}", app.address))
                .bearer_auth(&app.admin)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 405, "{method} {path}");
            assert_eq!(resp.headers()["allow"], allow, "{method} {path}");
            let (_, body) = crate::helpers::decode(resp).await;
            assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
        }
        // A path the document does not have stays the pages' 404.
        let resp = app
            .client
            .request("TRACE".parse().unwrap(), format!("{}/nowhere", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404);
    }
}

/// `/healthz` stays 200 while the database is down (a liveness probe must not restart the
/// service for a database outage) and says `degraded`; `/readyz` answers 503 naming the
/// database; both recover when the database comes back. PostgreSQL only: a SQLite file cannot
/// be taken away from connections that hold it open.
#[tokio::test]
async fn a_database_outage_is_degraded_liveness_and_not_ready() {
    let extra = [("HUIYIN_DATABASE__POOL_TIMEOUT_SECS", "1")];
    for app in TestApp::each_with("2026-10-09T10:00:00+08:00", &extra).await {
        let crate::helpers::TestDb::Postgres { admin_url, name } = &app._db else {
            continue;
        };
        let admin = |sql: String| {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            let mut conn = diesel::PgConnection::establish(admin_url).unwrap();
            conn.batch_execute(&sql).unwrap();
        };
        admin(format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ));
        let health = reqwest::get(format!("{}/healthz", app.address))
            .await
            .unwrap();
        assert_eq!(
            health.status().as_u16(),
            200,
            "liveness survives the outage"
        );
        let body: Value = health.json().await.unwrap();
        assert_eq!(body["status"], "degraded", "{body}");
        assert_eq!(body["database"], "unreachable", "{body}");
        let (status, body) = readyz(&app).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(check(&body, "database")["ok"], false, "{body}");

        admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
        let body: Value = reqwest::get(format!("{}/healthz", app.address))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], "ok", "recovered: {body}");
        assert_eq!(readyz(&app).await.0, 200);
    }
}
