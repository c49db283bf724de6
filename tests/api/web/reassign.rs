//! Reassignment on the message page: the office sends a returned message to a department, keeping the deadline unless it grants a fresh one; nobody else gets the form or may post it.

use huiyin::auth::Role;
use serde_json::Value;

use super::{logged_in, Browser};
use crate::builder::event;
use crate::helpers::TestApp;

/// Monday 23 November 2026.
const NOW: &str = "2026-11-23T10:00:00+08:00";
/// Received Friday 11-20: five working days end on Friday 11-27.
const RECEIVED: &str = "2026-11-20T10:00:00+08:00";
const DUE: &str = "2026-11-27T23:59:59+08:00";

/// A zjj message that a zjj clerk has returned to the office from the message page; gives its
/// id and that clerk's browser.
async fn returned(app: &TestApp, subject: &str) -> (i64, Browser) {
    let msg = app
        .message()
        .subject(subject)
        .received(RECEIVED)
        .create_detail()
        .await;
    assert_eq!(msg["due_at"], DUE);
    let id = msg["id"].as_i64().unwrap();
    let clerk = logged_in(app, Role::Clerk, Some("zjj")).await;
    let page = format!("/messages/{id}");
    assert!(
        clerk.get("/").await.body.contains(&link(id)),
        "the department's inbox lists it before the return"
    );
    assert!(
        !clerk.get(&page).await.body.contains("/reassign\""),
        "no reassign form while the department holds the message"
    );
    let a = clerk
        .submit(
            &page,
            &format!("{page}/return"),
            &[("reason", "非本单位职责")],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    (id, clerk)
}

/// The inbox's link to message `id`.
fn link(id: i64) -> String {
    format!("href=\"/messages/{id}\"")
}

/// The message page's fact `term` (基本信息): the text of its `<dd>`.
fn fact<'p>(page: &'p str, term: &str) -> &'p str {
    let dt = format!("<dt>{term}</dt><dd>");
    let start = page
        .find(&dt)
        .unwrap_or_else(|| panic!("no {term} on the page:\n{page}"))
        + dt.len();
    &page[start..start + page[start..].find("</dd>").unwrap()]
}

/// The history entries (办理记录) of the message page with `label`.
fn history<'p>(page: &'p str, label: &str) -> Vec<&'p str> {
    let strong = format!("<strong>{label}</strong>");
    page.match_indices(&strong)
        .map(|(at, _)| &page[at..at + page[at..].find("</li>").unwrap()])
        .collect()
}

async fn api_message(app: &TestApp, id: i64) -> Value {
    let (status, msg) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
    assert_eq!(status, 200);
    msg
}

#[tokio::test]
async fn the_office_reassigns_a_returned_message_from_the_page_keeping_the_deadline() {
    for app in TestApp::each(NOW).await {
        let (id, zjj) = returned(&app, "应由教育局办理的咨询").await;
        let page = format!("/messages/{id}");
        assert!(
            !zjj.get("/").await.body.contains(&link(id)),
            "returned: gone from the department's inbox"
        );
        let office = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        assert!(
            office.get("/").await.body.contains(&link(id)),
            "{}: the office's inbox lists the returned message",
            app.backend
        );
        let shown = office.get(&page).await.body;
        assert_eq!(fact(&shown, "承办部门"), "市政府办公室");
        assert!(history(&shown, "重新交办").is_empty());
        assert!(
            shown.contains(&format!("action=\"/messages/{id}/reassign\""))
                && shown.contains("重新计算办理期限"),
            "{}",
            app.backend
        );
        assert!(
            !shown.contains(&format!("action=\"/messages/{id}/transfer\"")),
            "reassigning replaces the plain transfer at the office"
        );
        let to_office = office
            .submit(
                &page,
                &format!("{page}/reassign"),
                &[("department", "gov-office"), ("reason", "x")],
            )
            .await;
        assert_eq!(to_office.status, 422);
        assert!(to_office.body.contains("请选择另一个承办部门"));
        let no_reason = office
            .submit(
                &page,
                &format!("{page}/reassign"),
                &[("department", "jyj"), ("reason", " ")],
            )
            .await;
        assert_eq!(no_reason.status, 422);
        assert!(no_reason.body.contains("请填写理由"));

        let a = office
            .submit(
                &page,
                &format!("{page}/reassign"),
                &[("department", "jyj"), ("reason", "属教育局职责")],
            )
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("/?done=reassigned&id={id}").as_str())
        );
        assert!(office
            .get(&a.location.unwrap())
            .await
            .body
            .contains(&format!("留言 #{id} 已重新交办")));
        let msg = api_message(&app, id).await;
        assert_eq!(msg["department"], "jyj");
        assert_eq!(msg["due_at"], DUE, "the original deadline stays");
        let reassigned = event(&msg, "reassigned");
        assert_eq!(
            (
                &reassigned["detail"]["from"],
                &reassigned["detail"]["to"],
                &reassigned["detail"]["reason"],
                &reassigned["detail"]["fresh_deadline"],
            ),
            (
                &Value::from("gov-office"),
                &Value::from("jyj"),
                &Value::from("属教育局职责"),
                &Value::from(false)
            ),
            "{}: {reassigned}",
            app.backend
        );

        // The new department holds it: its page, its history, its inbox.
        let jyj = logged_in(&app, Role::Clerk, Some("jyj")).await;
        let theirs = jyj.get(&page).await;
        assert_eq!(theirs.status, 200, "the new department holds it");
        assert_eq!(fact(&theirs.body, "承办部门"), "市教育局");
        let due = fact(&theirs.body, "办理期限");
        assert!(
            due.starts_with("2026-11-27（23:59 前）") && !due.contains("原期限"),
            "the deadline shown is the original one: {due}"
        );
        assert_eq!(
            history(&theirs.body, "重新交办").len(),
            1,
            "one reassignment in the history"
        );
        let entry = history(&theirs.body, "重新交办")[0];
        assert!(
            entry.contains("重新交办至市教育局，办理期限：2026-11-27。理由：属教育局职责")
                && !entry.contains("重新计算时限"),
            "{entry}"
        );
        assert!(!theirs.body.contains("/reassign\""));
        assert!(
            jyj.get("/").await.body.contains(&link(id)),
            "{}: the new department's inbox lists it",
            app.backend
        );
        assert!(
            !zjj.get("/").await.body.contains(&link(id)),
            "the first department does not get it back"
        );
        assert_eq!(zjj.get(&page).await.status, 404);
        assert!(
            !office.get("/").await.body.contains(&link(id)),
            "nor does the office keep it"
        );
        // Once with a department, it is not the office's to reassign any more.
        let again = office
            .submit(
                "/",
                &format!("{page}/reassign"),
                &[("department", "zjj"), ("reason", "x")],
            )
            .await;
        assert_eq!(again.status, 404, "the office no longer sees it");
        let admin = logged_in(&app, Role::Admin, None).await;
        assert!(!admin.get(&page).await.body.contains("/reassign\""));
        let again = admin
            .submit(
                &page,
                &format!("{page}/reassign"),
                &[("department", "zjj"), ("reason", "x")],
            )
            .await;
        assert_eq!(again.status, 409);
        assert!(again.body.contains("操作未执行"));
    }
}

#[tokio::test]
async fn the_office_may_grant_a_fresh_deadline_when_it_reassigns() {
    for app in TestApp::each(NOW).await {
        let (id, zjj) = returned(&app, "需重新计算期限的咨询").await;
        let page = format!("/messages/{id}");
        let admin = logged_in(&app, Role::Admin, None).await;
        let a = admin
            .submit(
                &page,
                &format!("{page}/reassign"),
                &[
                    ("department", "jyj"),
                    ("fresh_deadline", "1"),
                    ("reason", "重新交办并给予新时限"),
                ],
            )
            .await;
        assert_eq!(a.status, 303, "{}", a.body);
        let msg = api_message(&app, id).await;
        assert_eq!(msg["department"], "jyj");
        // Five working days from Monday 11-23: 24, 25, 26, 27 and Monday 30.
        assert_eq!(
            msg["due_at"], "2026-11-30T23:59:59+08:00",
            "{}",
            app.backend
        );
        let reassigned = event(&msg, "reassigned");
        assert_eq!(
            (
                &reassigned["detail"]["to"],
                &reassigned["detail"]["fresh_deadline"]
            ),
            (&Value::from("jyj"), &Value::from(true)),
            "{reassigned}"
        );
        let shown = admin.get(&page).await.body;
        assert_eq!(fact(&shown, "承办部门"), "市教育局");
        assert!(
            fact(&shown, "办理期限").starts_with("2026-11-30（23:59 前）"),
            "{}",
            fact(&shown, "办理期限")
        );
        let entries = history(&shown, "重新交办");
        assert_eq!(entries.len(), 1);
        assert!(
            entries[0].contains(
                "重新交办至市教育局（重新计算时限），办理期限：2026-11-30。理由：重新交办并给予新时限"
            ),
            "the history says so: {}",
            entries[0]
        );
        let jyj = logged_in(&app, Role::Clerk, Some("jyj")).await;
        let inbox = jyj.get("/").await.body;
        assert!(inbox.contains(&link(id)), "{}", app.backend);
        assert!(
            inbox.contains("2026-11-30"),
            "the inbox shows the fresh deadline"
        );
        assert!(!zjj.get("/").await.body.contains(&link(id)));
    }
}

#[tokio::test]
async fn only_the_office_leaders_and_admins_may_reassign_and_every_post_needs_the_csrf_token() {
    for app in TestApp::each(NOW).await {
        let (id, _) = returned(&app, "退回的咨询").await;
        let page = format!("/messages/{id}");
        let fields = [("department", "jyj"), ("reason", "属教育局职责")];
        for (role, dept) in [
            (Role::Clerk, Some("zjj")),
            (Role::Supervisor, Some("zjj")),
            (Role::Clerk, Some("jyj")),
        ] {
            let b = logged_in(&app, role, dept).await;
            assert_eq!(b.get(&page).await.status, 404, "{role} of {dept:?}");
            let a = b.submit("/", &format!("{page}/reassign"), &fields).await;
            assert_eq!(a.status, 403, "{role} of {dept:?}");
            // Even with an unreadable form the answer is 403, not a form error.
            let a = b
                .submit(
                    "/",
                    &format!("{page}/reassign"),
                    &[("department", "?"), ("reason", "")],
                )
                .await;
            assert_eq!(a.status, 403, "{role} of {dept:?}");
        }
        let office = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        let forged = office
            .post(
                &format!("{page}/reassign"),
                &[("csrf", "forged"), fields[0], fields[1]],
            )
            .await;
        assert_eq!(forged.status, 403);
        let msg = api_message(&app, id).await;
        assert_eq!(msg["department"], "gov-office", "nothing moved");
        assert!(
            !msg["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "reassigned"),
            "no refused attempt left a trace"
        );
        let leader = logged_in(&app, Role::Leader, None).await;
        assert!(leader.get(&page).await.body.contains("/reassign\""));
        let a = leader
            .submit(&page, &format!("{page}/reassign"), &fields)
            .await;
        assert_eq!(a.status, 303, "{}", a.body);
        assert_eq!(api_message(&app, id).await["department"], "jyj");
    }
}
