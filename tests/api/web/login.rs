//! Login, logout, sessions, CSRF on the login form, throttling and password changes.

use huiyin::auth::Role;

use super::{csrf, logged_in, staff, Browser, PASSWORD};
use crate::helpers::TestApp;

const NOW: &str = "2026-11-23T10:00:00+08:00";

#[tokio::test]
async fn pages_without_a_session_send_the_visitor_to_the_login_page() {
    for app in TestApp::each(NOW).await {
        let b = Browser::new(&app);
        for (path, next) in [
            ("/", "%2F"),
            ("/messages/1", "%2Fmessages%2F1"),
            ("/dashboard?dept=zjj", "%2Fdashboard%3Fdept%3Dzjj"),
            ("/admin/tokens", "%2Fadmin%2Ftokens"),
        ] {
            let a = b.get(path).await;
            assert_eq!(a.status, 303, "{path}");
            assert_eq!(
                a.location.as_deref(),
                Some(format!("/login?next={next}").as_str())
            );
        }
        let login = b.get("/login").await;
        assert_eq!(login.status, 200);
        assert!(login.body.contains("lang=\"zh-CN\""));
        assert!(login.body.contains("<label for=\"email\">"));
    }
}

#[tokio::test]
async fn a_clerk_logs_in_with_a_signed_http_only_same_site_cookie_and_lands_on_the_inbox() {
    for app in TestApp::each(NOW).await {
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let b = Browser::new(&app);
        let a = b.log_in(&email, PASSWORD).await;
        assert_eq!(a.status, 303, "{}", a.body);
        assert_eq!(a.location.as_deref(), Some("/"));
        let cookie = a
            .set_cookie
            .iter()
            .find(|c| c.starts_with("huiyin_session="))
            .expect("session cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        let inbox = b.get("/").await;
        assert_eq!(inbox.status, 200);
        assert!(inbox.body.contains("待办留言"));
        assert!(inbox.body.contains("市住房和城乡建设局"));
    }
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_refused_with_one_message() {
    for app in TestApp::each(NOW).await {
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let b = Browser::new(&app);
        for (who, password) in [(email.as_str(), "wrong"), ("nobody@test.gov.cn", PASSWORD)] {
            let a = b.log_in(who, password).await;
            assert_eq!(a.status, 401);
            assert!(a.body.contains("邮箱或密码不正确"));
        }
        assert_eq!(b.get("/").await.status, 303);
    }
}

#[tokio::test]
async fn the_login_form_needs_its_csrf_token() {
    for app in TestApp::each(NOW).await {
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        // No session cookie at all.
        let b = Browser::new(&app);
        let a = b
            .post(
                "/login",
                &[("csrf", "x"), ("email", &email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(a.status, 403);
        // A session, but a token from elsewhere.
        b.get("/login").await;
        let a = b
            .post(
                "/login",
                &[
                    ("csrf", "forged"),
                    ("email", &email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(a.status, 403);
        assert!(a.body.contains("表单已失效"));
    }
}

#[tokio::test]
async fn repeated_failed_logins_are_slowed_down_even_for_the_right_password() {
    for app in TestApp::each(NOW).await {
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let b = Browser::new(&app);
        for _ in 0..3 {
            assert_eq!(b.log_in(&email, "wrong").await.status, 401);
        }
        let a = b.log_in(&email, PASSWORD).await;
        assert_eq!(a.status, 429);
        assert!(a.body.contains("登录失败次数过多"));
    }
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    for app in TestApp::each(NOW).await {
        let b = logged_in(&app, Role::Clerk, Some("zjj")).await;
        // Logging out is a form too: without the token nothing happens.
        assert_eq!(b.post("/logout", &[]).await.status, 403);
        assert_eq!(b.get("/").await.status, 200);
        let a = b.submit("/", "/logout", &[]).await;
        assert_eq!(a.status, 303);
        assert_eq!(a.location.as_deref(), Some("/login"));
        assert_eq!(b.get("/").await.status, 303);
    }
}

#[tokio::test]
async fn a_cookie_saved_before_logout_no_longer_opens_the_pages() {
    for app in TestApp::each(NOW).await {
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let b = Browser::new(&app);
        let a = b.log_in(&email, PASSWORD).await;
        let saved = a
            .set_cookie
            .iter()
            .find(|c| c.starts_with("huiyin_session="))
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_string();
        let with_saved = |path: &str| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(format!("{}{path}", app.address))
                .header(reqwest::header::COOKIE, saved.clone())
                .send()
        };
        assert_eq!(with_saved("/").await.unwrap().status(), 200);
        assert_eq!(b.submit("/", "/logout", &[]).await.status, 303);
        let after = with_saved("/").await.unwrap();
        assert_eq!(after.status(), 303, "{}", app.backend);
        assert_eq!(
            after.headers()[reqwest::header::LOCATION],
            "/login?next=%2F"
        );
        // Logging in again opens a new session.
        assert_eq!(b.log_in(&email, PASSWORD).await.status, 303);
        assert_eq!(b.get("/").await.status, 200);
    }
}

#[tokio::test]
async fn a_session_expires_after_the_configured_hours() {
    for app in TestApp::each(NOW).await {
        let b = logged_in(&app, Role::Clerk, Some("zjj")).await;
        app.clock.advance(chrono::Duration::hours(11));
        assert_eq!(b.get("/").await.status, 200);
        app.clock.advance(chrono::Duration::hours(2));
        assert_eq!(b.get("/").await.status, 303);
    }
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    for app in TestApp::each(NOW).await {
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let (here, elsewhere) = (Browser::new(&app), Browser::new(&app));
        here.log_in(&email, PASSWORD).await;
        elsewhere.log_in(&email, PASSWORD).await;
        let page = "/account/password";
        let bad = here
            .submit(
                page,
                page,
                &[
                    ("current", "wrong"),
                    ("new", "a new long password"),
                    ("repeat", "a new long password"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("当前密码不正确"));
        let mismatch = here
            .submit(
                page,
                page,
                &[
                    ("current", PASSWORD),
                    ("new", "a new long password"),
                    ("repeat", "another one!!"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, 422);
        let ok = here
            .submit(
                page,
                page,
                &[
                    ("current", PASSWORD),
                    ("new", "a new long password"),
                    ("repeat", "a new long password"),
                ],
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(here.get("/").await.status, 200);
        assert_eq!(elsewhere.get("/").await.status, 303);
        let fresh = Browser::new(&app);
        assert_eq!(fresh.log_in(&email, PASSWORD).await.status, 401);
        assert_eq!(
            fresh.log_in(&email, "a new long password").await.status,
            303
        );
        // The page's form now carries the renewed session's token.
        assert!(!csrf(&here.get(page).await.body).is_empty());
    }
}
