//! Who may do what: the API and the pages ask the same predicates on `Principal`, so the form a
//! page shows is the step the API accepts, and the one it hides is the step the API refuses.

use huiyin::auth::Role;
use serde_json::json;

use crate::helpers::TestApp;
use crate::web::logged_in;

/// Monday 23 November 2026; the message is due Friday 27 November.
const NOW: &str = "2026-11-23T10:00:00+08:00";

/// The department decides its own extensions (not the default, which is the office).
const DEPARTMENT_APPROVES: &[(&str, &str)] =
    &[("HUIYIN_HANDLING__EXTENSION_APPROVER", "department")];

#[tokio::test]
async fn when_the_department_approves_only_its_clerk_asks_and_only_its_supervisor_grants() {
    for app in TestApp::each_with(NOW, DEPARTMENT_APPROVES).await {
        let msg = app.create_message("zjj", "2026-11-20T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let ask = format!("/api/v1/messages/{id}/extension-requests");
        let grant = format!("/api/v1/messages/{id}/extend");
        let body = json!({"working_days": 2, "reason": "需要现场核查"});

        // A supervisor who approves grants directly: asking would mean approving their own request.
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let (status, err) = app.post(&supervisor, &ask, &body).await;
        assert_eq!(status, 403, "{}: {err}", app.backend);
        let admin = app.admin.clone();
        let (status, _) = app.post(&admin, &ask, &body).await;
        assert_eq!(status, 403, "an admin grants, it does not ask");
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (status, err) = app.post(&clerk, &grant, &body).await;
        assert_eq!(status, 403, "a clerk may not grant: {err}");
        let page = format!("/messages/{id}");
        let asks = format!("action=\"/messages/{id}/extension-request\"");
        let grants = format!("action=\"/messages/{id}/extend\"");
        let clerk_browser = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let before = clerk_browser.get(&page).await;
        assert!(
            before.body.contains(&asks),
            "the clerk is offered the request form"
        );
        let (status, request) = app.post(&clerk, &ask, &body).await;
        assert_eq!(status, 201, "{request}");
        assert_eq!(request["status"], "pending");
        // A leader sees the message but does not move deadlines.
        let leader = app.token(Role::Leader, None).await;
        let (status, _) = app.post(&leader, &grant, &body).await;
        assert_eq!(status, 403);

        // The pages offer exactly those forms.
        let clerk_page = clerk_browser.get(&page).await;
        assert_eq!(clerk_page.status, 200);
        assert!(!clerk_page.body.contains(&grants));
        let supervisor_page = logged_in(&app, Role::Supervisor, Some("zjj"))
            .await
            .get(&page)
            .await;
        assert!(supervisor_page.body.contains(&grants), "{}", app.backend);
        assert!(!supervisor_page.body.contains(&asks));
        let leader_page = logged_in(&app, Role::Leader, None).await.get(&page).await;
        assert_eq!(leader_page.status, 200);
        assert!(!leader_page.body.contains(&grants) && !leader_page.body.contains(&asks));

        // The supervisor's grant answers the clerk's request.
        let (status, out) = app.post(&supervisor, &grant, &body).await;
        assert_eq!(status, 200, "{out}");
        assert_eq!(out["extended_days"], 2);
        let (_, detail) = app.get(&clerk, &format!("/api/v1/messages/{id}")).await;
        assert_eq!(detail["extension_requests"][0]["status"], "approved");
    }
}

#[tokio::test]
async fn under_the_default_the_departments_supervisor_asks_and_only_the_office_is_offered_the_grant(
) {
    for app in TestApp::each(NOW).await {
        let msg = app.create_message("zjj", "2026-11-20T10:00:00+08:00").await;
        let id = msg["id"].as_i64().unwrap();
        let ask = format!("/api/v1/messages/{id}/extension-requests");
        let body = json!({"working_days": 2, "reason": "需要现场核查"});
        let supervisor = app.token(Role::Supervisor, Some("zjj")).await;
        let (status, request) = app.post(&supervisor, &ask, &body).await;
        assert_eq!(status, 201, "{}: {request}", app.backend);
        let page = format!("/messages/{id}");
        let grants = format!("action=\"/messages/{id}/extend\"");
        let own = logged_in(&app, Role::Supervisor, Some("zjj"))
            .await
            .get(&page)
            .await;
        assert!(!own.body.contains(&grants), "{}", app.backend);
        // The office's approvers see the request on their dashboard with its decision form.
        let office = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        let dashboard = office.get("/dashboard").await;
        assert_eq!(dashboard.status, 200);
        let decide = format!(
            "action=\"/messages/{id}/extension-requests/{}\"",
            request["id"]
        );
        assert!(dashboard.body.contains(&decide), "{}", dashboard.body);
        // The department's dashboard lists it, saying who decides, without the form.
        let dept = logged_in(&app, Role::Supervisor, Some("zjj"))
            .await
            .get("/dashboard")
            .await;
        assert!(dept.body.contains("由办公室审批") && !dept.body.contains(&decide));
    }
}
