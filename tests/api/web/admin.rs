//! Admin pages: only for admins; departments, users, tokens shown once, the policy and the calendar.

use huiyin::auth::Role;

use super::{logged_in, Browser};
use crate::helpers::TestApp;

const NOW: &str = "2026-11-23T10:00:00+08:00";

#[tokio::test]
async fn admin_pages_are_refused_to_everyone_but_admins() {
    for app in TestApp::each(NOW).await {
        for (role, dept) in [
            (Role::Clerk, Some("zjj")),
            (Role::Supervisor, Some("zjj")),
            (Role::Leader, None),
        ] {
            let b = logged_in(&app, role, dept).await;
            for path in [
                "/admin",
                "/admin/users",
                "/admin/tokens",
                "/admin/policy",
                "/admin/calendar",
                "/admin/departments",
                "/admin/alerts",
            ] {
                assert_eq!(b.get(path).await.status, 403, "{role} {path}");
            }
            let a = b
                .submit("/", "/admin/tokens", &[("name", "x"), ("role", "admin")])
                .await;
            assert_eq!(a.status, 403, "{role} creating a token");
        }
    }
}

#[tokio::test]
async fn an_admin_creates_a_token_that_is_shown_once_and_can_revoke_it() {
    for app in TestApp::each(NOW).await {
        let admin = logged_in(&app, Role::Admin, None).await;
        let a = admin
            .submit(
                "/admin/tokens",
                "/admin/tokens",
                &[("name", "门户网站"), ("role", "intake"), ("department", "")],
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        let start = a.body.find("value=\"hy_").expect("token shown") + "value=\"".len();
        let token = a.body[start..].split('"').next().unwrap().to_string();
        let (status, _) = app
            .post(
                &token,
                "/api/v1/messages",
                &crate::helpers::mailbox("zjj", "2026-11-23T09:00:00+08:00"),
            )
            .await;
        assert_eq!(status, 201, "the new intake token works");
        let list = admin.get("/admin/tokens").await.body;
        assert!(
            list.contains("门户网站") && !list.contains(&token),
            "never shown again"
        );
        let ids: Vec<&str> = list
            .match_indices("/admin/tokens/")
            .map(|(i, _)| list[i + 14..].split('/').next().unwrap())
            .collect();
        let id = ids.last().unwrap().to_string();
        let r = admin
            .submit("/admin/tokens", &format!("/admin/tokens/{id}/revoke"), &[])
            .await;
        assert_eq!(r.status, 303);
        let (status, _) = app.get(&token, "/api/v1/messages").await;
        assert_eq!(status, 401, "a revoked token is refused");
        let bad = admin
            .submit(
                "/admin/tokens",
                "/admin/tokens",
                &[("name", "x"), ("role", "clerk")],
            )
            .await;
        assert_eq!(bad.status, 422, "a clerk token needs a department");
    }
}

#[tokio::test]
async fn an_admin_adds_a_department_and_a_user_who_can_then_log_in() {
    for app in TestApp::each(NOW).await {
        let admin = logged_in(&app, Role::Admin, None).await;
        let a = admin
            .submit(
                "/admin/departments",
                "/admin/departments",
                &[
                    ("code", "wjw"),
                    ("name", "市卫生健康委员会"),
                    ("parent", "gov-office"),
                ],
            )
            .await;
        assert_eq!(a.status, 303, "{}", a.body);
        assert!(admin
            .get("/admin/departments")
            .await
            .body
            .contains("市卫生健康委员会"));
        let dup = admin
            .submit(
                "/admin/departments",
                "/admin/departments",
                &[("code", "wjw"), ("name", "重复")],
            )
            .await;
        assert_eq!(dup.status, 409);
        let fields = [
            ("name", "赵六"),
            ("email", "zhaoliu@test.gov.cn"),
            ("role", "clerk"),
            ("department", "wjw"),
            ("password", "initial password 1"),
        ];
        assert_eq!(
            admin
                .submit("/admin/users", "/admin/users", &fields)
                .await
                .status,
            303
        );
        assert!(admin
            .get("/admin/users")
            .await
            .body
            .contains("zhaoliu@test.gov.cn"));
        let b = Browser::new(&app);
        assert_eq!(
            b.log_in("zhaoliu@test.gov.cn", "initial password 1")
                .await
                .status,
            303
        );
        assert!(b.get("/").await.body.contains("市卫生健康委员会"));
        let short = [
            ("name", "x"),
            ("email", "x@test.gov.cn"),
            ("role", "leader"),
            ("password", "short"),
        ];
        assert_eq!(
            admin
                .submit("/admin/users", "/admin/users", &short)
                .await
                .status,
            422
        );
    }
}

#[tokio::test]
async fn the_policy_and_the_calendar_are_shown_read_only() {
    for app in TestApp::each(NOW).await {
        let admin = logged_in(&app, Role::Admin, None).await;
        let policy = admin.get("/admin/policy").await.body;
        assert!(
            policy.contains("我为政府网站找错")
                && policy.contains("3个工作日")
                && policy.contains("5个工作日")
        );
        assert!(!policy.contains("<form method=\"post\" action=\"/admin/policy"));
        // The escalation ladder in force, read-only.
        assert!(
            policy.contains("到期前1个工作日 09:00"),
            "reminder rung shown"
        );
        assert!(
            policy.contains("逾期第3个工作日 09:00"),
            "severe rung shown"
        );
        assert!(
            policy.contains("超过3个自然月未答复"),
            "critical rung shown"
        );
        let cal = admin.get("/admin/calendar?year=2024").await;
        assert_eq!(cal.status, 200);
        // National Day 2024: 1–7 October off, Saturday 12 October worked.
        assert!(cal.body.contains("2024年工作日历"));
        assert!(cal.body.contains("国庆节"));
        assert!(cal.body.contains("class=\"day makeup\""));
        assert!(cal.body.contains("class=\"day holiday\""));
        assert!(admin
            .get("/admin/calendar")
            .await
            .body
            .contains("2026年工作日历"));
        assert_eq!(admin.get("/admin/calendar?year=1999").await.status, 422);
    }
}

#[tokio::test]
async fn the_stylesheet_is_served_from_the_binary_with_a_cache_header_and_unknown_pages_are_404() {
    for app in TestApp::each(NOW).await {
        let resp = reqwest::get(format!("{}/static/app.css", app.address))
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let cache = resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(cache.contains("max-age"), "{cache}");
        assert!(resp.text().await.unwrap().contains(":focus-visible"));
        let b = Browser::new(&app);
        let missing = b.get("/no/such/page").await;
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("未找到"));
        // The API keeps its JSON envelope.
        let (status, body) = app.get(&app.admin, "/api/v1/messages/999").await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found"))
        );
    }
}
