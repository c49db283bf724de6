//! User management on the admin pages: deactivation ends logins, sessions and alerts; role changes take effect at once; an admin cannot lock themself out.

use huiyin::auth::Role;
use huiyin::directory;
use huiyin::worker;

use super::{staff, Browser, PASSWORD};
use crate::helpers::{database_urls, mailbox, t, test_settings, TestApp};
use crate::smtp::SmtpServer;

/// Monday 23 November 2026.
const NOW: &str = "2026-11-23T10:00:00+08:00";

/// The id of the member of staff with this email.
async fn id_of(app: &TestApp, email: &str) -> i64 {
    let (st, email) = (app.state.clone(), email.to_string());
    tokio::task::spawn_blocking(move || {
        directory::find_staff_by_email(&mut st.db.get().unwrap(), &email)
            .unwrap()
            .unwrap_or_else(|| panic!("no active staff {email}"))
            .id
    })
    .await
    .unwrap()
}

/// A logged-in admin and their own staff id.
async fn admin(app: &TestApp) -> (Browser, i64) {
    let email = staff(app, Role::Admin, None).await;
    let b = Browser::new(app);
    assert_eq!(b.log_in(&email, PASSWORD).await.status, 303);
    (b, id_of(app, &email).await)
}

#[tokio::test]
async fn a_deactivated_user_cannot_log_in_and_their_open_session_is_rejected() {
    for app in TestApp::each(NOW).await {
        let (admin, _) = admin(&app).await;
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let id = id_of(&app, &email).await;
        let clerk = Browser::new(&app);
        assert_eq!(clerk.log_in(&email, PASSWORD).await.status, 303);
        assert_eq!(clerk.get("/").await.status, 200);
        let page = format!("/admin/users/{id}");
        assert!(admin
            .get("/admin/users")
            .await
            .body
            .contains(&format!("href=\"{page}\"")));
        assert_eq!(
            clerk
                .submit("/", &format!("{page}/deactivate"), &[])
                .await
                .status,
            403,
            "only admins manage users"
        );
        assert_eq!(clerk.get(&page).await.status, 403);

        let a = admin
            .submit(&page, &format!("{page}/deactivate"), &[])
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("{page}?done=deactivated").as_str()),
            "{}",
            a.body
        );
        let shown = admin.get(&a.location.unwrap()).await.body;
        assert!(shown.contains("账号已停用") && shown.contains("/reactivate\""));
        assert!(admin.get("/admin/users").await.body.contains("已停用"));

        let open = clerk.get("/").await;
        assert_eq!(open.status, 303, "the open session ends");
        assert!(open.location.unwrap().starts_with("/login"));
        let fresh = Browser::new(&app);
        let login = fresh.log_in(&email, PASSWORD).await;
        assert_eq!(login.status, 401, "{}", app.backend);
        assert!(login.body.contains("邮箱或密码不正确"));

        let a = admin
            .submit(&page, &format!("{page}/reactivate"), &[])
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("{page}?done=reactivated").as_str())
        );
        assert_eq!(fresh.log_in(&email, PASSWORD).await.status, 303);
        assert_eq!(fresh.get("/").await.status, 200);
        assert_eq!(
            clerk.get("/").await.status,
            303,
            "a session opened before the deactivation stays ended after reactivation"
        );
        assert_eq!(admin.get("/admin/users/99999").await.status, 404);
    }
}

#[tokio::test]
async fn a_role_change_takes_effect_in_the_open_session() {
    for app in TestApp::each(NOW).await {
        let (admin, _) = admin(&app).await;
        let zjj_msg = app.create_message("zjj", "2026-11-20T10:00:00+08:00").await["id"]
            .as_i64()
            .unwrap();
        let jyj_msg = app.create_message("jyj", "2026-11-20T10:00:00+08:00").await["id"]
            .as_i64()
            .unwrap();
        let email = staff(&app, Role::Clerk, Some("zjj")).await;
        let id = id_of(&app, &email).await;
        let user = Browser::new(&app);
        assert_eq!(user.log_in(&email, PASSWORD).await.status, 303);
        assert_eq!(user.get("/dashboard").await.status, 403);
        assert_eq!(user.get(&format!("/messages/{jyj_msg}")).await.status, 404);

        let page = format!("/admin/users/{id}");
        let shown = admin.get(&page).await.body;
        assert!(shown.contains("<option value=\"clerk\" selected>"));
        assert!(shown.contains("<option value=\"zjj\" selected>"));
        for (fields, status, text) in [
            (
                [("role", "supervisor"), ("department", "")],
                422,
                "承办人、科室负责人须属于部门",
            ),
            (
                [("role", "admin"), ("department", "zjj")],
                422,
                "管理员不属于部门",
            ),
            ([("role", "intake"), ("department", "")], 422, "请选择角色"),
            (
                [("role", "supervisor"), ("department", "nowhere")],
                422,
                "所选部门不存在",
            ),
        ] {
            let a = admin.submit(&page, &format!("{page}/role"), &fields).await;
            assert_eq!(a.status, status, "{fields:?}");
            assert!(a.body.contains(text), "{fields:?}: {}", a.body);
        }
        let a = admin
            .submit(
                &page,
                &format!("{page}/role"),
                &[("role", "supervisor"), ("department", "jyj")],
            )
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("{page}?done=role").as_str()),
            "{}",
            a.body
        );
        assert!(admin
            .get(&page)
            .await
            .body
            .contains("<option value=\"jyj\" selected>"));

        assert_eq!(user.get("/dashboard").await.status, 200, "{}", app.backend);
        assert_eq!(user.get(&format!("/messages/{jyj_msg}")).await.status, 200);
        assert_eq!(user.get(&format!("/messages/{zjj_msg}")).await.status, 404);

        let a = admin
            .submit(
                &page,
                &format!("{page}/role"),
                &[("role", "leader"), ("department", "")],
            )
            .await;
        assert_eq!(a.status, 303);
        assert_eq!(user.get("/overview").await.status, 200, "now a leader");
    }
}

#[tokio::test]
async fn an_admin_cannot_deactivate_or_demote_themself() {
    for app in TestApp::each(NOW).await {
        let (admin, own) = admin(&app).await;
        let page = format!("/admin/users/{own}");
        let shown = admin.get(&page).await.body;
        assert!(shown.contains("您自己的账号") && !shown.contains("/deactivate\""));
        for (action, fields) in [
            ("deactivate", vec![]),
            ("role", vec![("role", "clerk"), ("department", "zjj")]),
            ("role", vec![("role", "leader"), ("department", "")]),
        ] {
            let a = admin
                .submit(&page, &format!("{page}/{action}"), &fields)
                .await;
            assert_eq!(a.status, 422, "{action} {fields:?}");
            assert!(a.body.contains("不能停用自己的账号"), "{}", a.body);
        }
        assert_eq!(admin.get("/admin").await.status, 200, "still an admin");

        // Another admin may.
        let (other, _) = self::admin(&app).await;
        let a = other
            .submit(&page, &format!("{page}/deactivate"), &[])
            .await;
        assert_eq!(a.status, 303);
        assert_eq!(admin.get("/admin").await.status, 303, "logged out");
    }
}

#[tokio::test]
async fn an_inactive_supervisor_gets_no_alert_email() {
    for (backend, make) in database_urls() {
        let (db, url) = make();
        let smtp = SmtpServer::start().await;
        let smtp_url = smtp.url();
        let settings = test_settings(
            &url,
            &[
                ("HUIYIN_SMTP_URL", smtp_url.as_str()),
                ("HUIYIN_SMTP__TIMEOUT_SECS", "3"),
                ("HUIYIN_REPORTS__MONTHLY_EMAIL", "false"),
            ],
        );
        let app = TestApp::spawn(backend, db, settings, t(NOW)).await;
        let (admin, _) = admin(&app).await;
        let active = staff(&app, Role::Supervisor, Some("zjj")).await;
        let leaving = staff(&app, Role::Supervisor, Some("zjj")).await;
        let page = format!("/admin/users/{}", id_of(&app, &leaving).await);
        let a = admin
            .submit(&page, &format!("{page}/deactivate"), &[])
            .await;
        assert_eq!(a.status, 303, "{}", a.body);

        // Received Monday 11-02: due Friday 11-06, overdue now.
        let (status, msg) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &mailbox("zjj", "2026-11-02T10:00:00+08:00"),
            )
            .await;
        assert_eq!(status, 201, "{msg}");
        worker::run_once(&app.worker()).await.unwrap();
        let to_active: Vec<String> = smtp.to(&active).iter().map(|r| r.subject()).collect();
        assert_eq!(to_active.len(), 1, "{backend}: {to_active:?}");
        assert!(to_active[0].starts_with("【逾期督办】"), "{to_active:?}");
        assert!(
            smtp.to(&leaving).is_empty(),
            "{backend}: no alert to the inactive supervisor"
        );
        let (_, alerts) = app.get(&app.admin, "/api/v1/alerts").await;
        assert!(
            !alerts.to_string().contains(&leaving),
            "{backend}: not a recipient either: {alerts}"
        );
    }
}
