//! Review of replies as a queue: the reviewer's 待审核 tab and count, the submitted reply on the page, the clerk's notice, the landing after a decision.

use huiyin::auth::Role;
use serde_json::Value;

use super::logged_in;
use crate::helpers::{website_error, TestApp};

/// Monday 23 November 2026.
const NOW: &str = "2026-11-23T10:00:00+08:00";

async fn report(app: &TestApp, dept: &str, received_at: &str) -> i64 {
    let (status, msg) = app
        .post(
            &app.admin,
            "/api/v1/messages",
            &website_error(dept, received_at),
        )
        .await;
    assert_eq!(status, 201, "{msg}");
    msg["id"].as_i64().unwrap()
}

async fn api_message(app: &TestApp, id: i64) -> Value {
    let (status, msg) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
    assert_eq!(status, 200);
    msg
}

#[tokio::test]
async fn a_clerks_submitted_reply_is_told_as_submitted_and_waits_without_a_second_form() {
    for app in TestApp::each(NOW).await {
        // Received three weeks ago: long past its deadline of 3 working days.
        let id = report(&app, "zjj", "2026-11-02T10:00:00+08:00").await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        assert!(clerk.get(&page).await.body.contains("已逾期"));
        let sent = clerk
            .submit(
                &page,
                &format!("{page}/reply"),
                &[("body", "您好，链接已修复。"), ("confirm", "1")],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", app.backend);
        let landing = sent.location.unwrap();
        assert_eq!(landing, format!("{page}?done=submitted"));
        let shown = clerk.get(&landing).await.body;
        assert!(shown.contains("答复已提交审核"), "{shown}");
        assert!(!shown.contains("已答复办结"));
        assert!(shown.contains("已提交待审核") && shown.contains("待审核的答复"));
        assert!(shown.contains("您好，链接已修复。"));
        assert!(
            !shown.contains(&format!("action=\"{page}/reply\"")),
            "no second reply form while the first waits"
        );
        assert!(!shown.contains("已逾期"), "a waiting reply is not overdue");
        let inbox = clerk.get("/").await.body;
        assert!(inbox.contains("已提交待审核"), "{}", app.backend);
        let overdue = clerk.get("/?status=overdue").await.body;
        assert!(!overdue.contains(&format!("href=\"{page}\"")));
        // A second submit (an old tab) is refused in words.
        let again = clerk
            .submit(
                "/",
                &format!("{page}/reply"),
                &[("body", "您好，再答一次。"), ("confirm", "1")],
            )
            .await;
        assert_eq!(again.status, 409);
        assert!(again.body.contains("正在等待审核"), "{}", again.body);
    }
}

#[tokio::test]
async fn a_reviewer_works_the_queue_sees_the_reply_accepts_and_lands_on_a_page() {
    for app in TestApp::each(NOW).await {
        let first = report(&app, "zjj", "2026-11-16T10:00:00+08:00").await;
        let second = report(&app, "jyj", "2026-11-17T10:00:00+08:00").await;
        for (id, dept) in [(first, "zjj"), (second, "jyj")] {
            let clerk = logged_in(&app, Role::Clerk, Some(dept)).await;
            let page = format!("/messages/{id}");
            let r = clerk
                .submit(
                    &page,
                    &format!("{page}/reply"),
                    &[("body", "您好，链接已修复，感谢指正。"), ("confirm", "1")],
                )
                .await;
            assert_eq!(r.status, 303);
        }
        let reviewer = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        let home = reviewer.get("/").await.body;
        assert!(
            home.contains("待审核<span class=\"count\">2</span>"),
            "{}: {home}",
            app.backend
        );
        let queue = reviewer.get("/?status=review").await;
        assert_eq!(queue.status, 200);
        assert!(queue.body.contains("待审核答复"));
        for id in [first, second] {
            assert!(queue.body.contains(&format!("href=\"/messages/{id}\"")));
        }
        let page = format!("/messages/{first}");
        let shown = reviewer.get(&page).await.body;
        assert!(shown.contains("待审核的答复") && shown.contains("您好，链接已修复，感谢指正。"));
        assert!(
            shown.contains("测试科员") || shown.contains("提交"),
            "{shown}"
        );
        let ok = reviewer
            .submit(&page, &format!("{page}/review"), &[("decision", "accept")])
            .await;
        assert_eq!(ok.status, 303);
        // The office may no longer open the department's message: on to the next one.
        let next = ok.location.unwrap();
        assert_eq!(next, format!("/messages/{second}?done=reviewed_next"));
        let landed = reviewer.get(&next).await;
        assert_eq!(landed.status, 200, "{}", landed.body);
        assert_eq!(api_message(&app, first).await["status"], "replied");
        // The last one: back to the (now empty) queue.
        let page = format!("/messages/{second}");
        let ok = reviewer
            .submit(&page, &format!("{page}/review"), &[("decision", "accept")])
            .await;
        let last = ok.location.unwrap();
        let landed = reviewer.get(&last).await;
        assert_eq!(landed.status, 200, "{last}");
        assert!(landed.body.contains("审核意见已记录"));
        assert!(landed.body.contains("待审核<span class=\"count\">0</span>"));
        // The department sees it answered.
        let clerk = logged_in(&app, Role::Clerk, Some("jyj")).await;
        let done = clerk.get(&page).await.body;
        assert!(done.contains("已办结") && !done.contains("待审核的答复"));
    }
}

#[tokio::test]
async fn the_review_queue_and_form_refuse_the_wrong_role_and_a_missing_csrf_token() {
    for app in TestApp::each(NOW).await {
        let id = report(&app, "zjj", "2026-11-16T10:00:00+08:00").await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        clerk
            .submit(
                &page,
                &format!("{page}/reply"),
                &[("body", "您好，链接已修复。"), ("confirm", "1")],
            )
            .await;
        assert!(!clerk.get("/").await.body.contains("class=\"count\""));
        let own = clerk
            .submit(&page, &format!("{page}/review"), &[("decision", "accept")])
            .await;
        assert_eq!(own.status, 403, "the department does not review itself");
        let reviewer = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        reviewer.get(&page).await;
        let forged = reviewer
            .post(&format!("{page}/review"), &[("decision", "accept")])
            .await;
        assert_eq!(forged.status, 403, "{}", app.backend);
        assert_eq!(api_message(&app, id).await["review_pending"], true);
    }
}
