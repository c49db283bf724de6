//! The monthly report on the session: a leader opens it from the overview, picks a quarter, and
//! downloads the XLSX and CSV without a token; a clerk gets their own department's only.

use std::io::Cursor;

use calamine::Reader;
use huiyin::auth::Role;

use super::logged_in;
use crate::helpers::TestApp;

/// Tuesday 1 December 2026: November has closed.
const NOW: &str = "2026-12-01T10:00:00+08:00";
/// The report the picker opens with no period chosen at `NOW`.
const CURRENT_MONTH_REPORT: &str = "/reports/2026-12";

#[tokio::test]
async fn a_leader_opens_the_report_from_the_overview_and_downloads_it_on_the_session() {
    for app in TestApp::each(NOW).await {
        app.create_message("zjj", "2026-11-10T09:00:00+08:00").await;
        app.create_message("jyj", "2026-11-12T09:00:00+08:00").await;
        let leader = logged_in(&app, Role::Leader, None).await;
        let overview = leader.get("/overview").await;
        assert_eq!(overview.status, 200);
        // The link a leader clicks.
        let link = "/reports/2026-11";
        assert!(
            overview.body.contains(&format!("href=\"{link}")),
            "{}",
            app.backend
        );
        let page = leader.get(link).await;
        assert_eq!(page.status, 200, "{}: {}", app.backend, page.body);
        assert!(page.body.contains("网民留言办理情况"));
        for href in [
            "/reports/2026-11.xlsx",
            "/reports/2026-11.csv",
            "/reports/2026-Q4",
            "/reports/2026\"",
        ] {
            assert!(page.body.contains(href), "{href} on the page");
        }
        assert!(
            !page.body.contains("/api/v1/reports"),
            "no link that needs a token"
        );

        let (status, kind, bytes) = leader.download("/reports/2026-11.xlsx").await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert!(kind.contains("spreadsheetml"), "{kind}");
        let book = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
        assert!(!book.sheet_names().is_empty());
        let (status, kind, bytes) = leader.download("/reports/2026-11.csv").await;
        assert_eq!(status, 200);
        assert!(kind.starts_with("text/csv"));
        let csv = String::from_utf8(bytes).unwrap();
        assert!(
            csv.contains("市住房和城乡建设局") && csv.contains("市教育局"),
            "{csv}"
        );

        // The picker goes to the quarter's report.
        let picked = leader.get("/reports?period=2026-Q4").await;
        assert_eq!(picked.status, 303);
        assert_eq!(picked.location.as_deref(), Some("/reports/2026-Q4"));
        assert_eq!(leader.get("/reports/2026-Q4").await.status, 200);
        assert_eq!(leader.get("/reports?period=2026-13").await.status, 422);
        // The picker's form sent empty (or /reports typed in) opens the current month.
        let current = leader.get("/reports").await;
        assert_eq!(current.status, 303);
        assert_eq!(current.location.as_deref(), Some(CURRENT_MONTH_REPORT));

        // A clerk's report is their department's; another department's is refused.
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let own = clerk.get("/reports/2026-11").await;
        assert_eq!(own.status, 200);
        assert!(
            own.body.contains("/reports/2026-11.xlsx?department=zjj"),
            "downloads stay in scope"
        );
        let (status, _, bytes) = clerk.download("/reports/2026-11.csv").await;
        assert_eq!(status, 200);
        let csv = String::from_utf8(bytes).unwrap();
        assert!(
            !csv.contains("市教育局"),
            "only the clerk's department: {csv}"
        );
        assert_eq!(
            clerk
                .get("/reports/2026-11.csv?department=jyj")
                .await
                .status,
            403
        );

        // Without a session the download goes to the login page, not a JSON 401.
        let anonymous = super::Browser::new(&app);
        let a = anonymous.get("/reports/2026-11.xlsx").await;
        assert_eq!(a.status, 303, "{}", a.body);
        assert!(a.location.unwrap_or_default().starts_with("/login"));
    }
}
