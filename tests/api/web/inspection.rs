//! The self-check page (迎检自查) and its XLSX download: for leaders and admins, with the register, the deductions and the departments named; 403 for everyone else.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use huiyin::auth::Role;

use super::{logged_in, Browser};
use crate::helpers::{website_error, TestApp};
use crate::inspection::{answered_after_four_months, create, finish};

const NOW: &str = "2026-06-01T10:00:00+08:00";

/// The case of the issue plus one unanswered consultation and two 找错 messages that cost points.
async fn scenario(app: &TestApp) -> (i64, i64, i64, i64) {
    let answered = answered_after_four_months(app).await;
    let unanswered = app.create_message("jyj", "2026-02-10T09:00:00+08:00").await["id"]
        .as_i64()
        .unwrap();
    let late = create(app, &website_error("zjj", "2026-04-01T09:00:00+08:00")).await;
    finish(app, late, "2026-05-03T10:00:00+08:00").await;
    let open = create(app, &website_error("zjj", "2026-05-10T09:00:00+08:00")).await;
    (answered, unanswered, late, open)
}

async fn download(b: &Browser, path: &str) -> (u16, String, Vec<u8>) {
    let resp = b
        .client
        .get(format!("{}{path}", b.base))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_self_check_page_shows_the_register_the_deductions_and_the_departments_named() {
    for app in TestApp::each(NOW).await {
        let (answered, unanswered, late, open) = scenario(&app).await;
        let leader = logged_in(&app, Role::Leader, None).await;
        let page = leader.get("/inspection?date=2026-06-01").await;
        assert_eq!(page.status, 200, "{}: {}", app.backend, page.body);
        let body = &page.body;
        for text in [
            "迎检自查",
            "检查日期 2026-06-01",
            "不合格风险",
            "2025-06-01 至 2026-06-01",
            "市住房和城乡建设局",
            "市教育局",
            "市长信箱",
            "咨询",
            "2026-01-10 09:00",
            "2026-04-10 09:00",
            "2026-05-20 10:00",
            "仍未答复",
            "扣分合计",
            "−5",
            "超1个月办结",
            "未办结",
            "按网站扣分",
            "市住房和城乡建设局网站",
            "可能被通报的部门",
            "最近一次答复于 2026-05-03 10:00",
            "href=\"/inspection.xlsx?date=2026-06-01\"",
        ] {
            assert!(body.contains(text), "{}: {text} missing", app.backend);
        }
        for id in [answered, unanswered, late, open] {
            assert!(
                body.contains(&format!("href=\"/messages/{id}\"")),
                "{}: a link to message {id}",
                app.backend
            );
        }
        assert!(
            !body.contains("13812345678"),
            "subjects and contacts are masked"
        );
        // The navigation and the overview link to it; the date form is not printed.
        assert!(body.contains("<a href=\"/inspection\" aria-current=\"page\">迎检自查</a>"));
        assert!(body.contains("class=\"filters noprint\""));
        assert!(leader
            .get("/overview")
            .await
            .body
            .contains("href=\"/inspection\""));

        // Before the message crossed three months: nothing on the register, and no banner.
        let april = leader.get("/inspection?date=2026-04-05").await.body;
        assert!(!april.contains("不合格风险") && april.contains("没有超过三个月未答复的留言"));

        let admin = logged_in(&app, Role::Admin, None).await;
        assert_eq!(admin.get("/inspection").await.status, 200);
        assert_eq!(admin.get("/inspection?date=2026-13-01").await.status, 422);
    }
}

#[tokio::test]
async fn clerks_and_supervisors_get_403_for_the_page_and_the_download_and_no_link() {
    for app in TestApp::each(NOW).await {
        scenario(&app).await;
        for role in [Role::Clerk, Role::Supervisor] {
            let b = logged_in(&app, role, Some("zjj")).await;
            let page = b.get("/inspection").await;
            assert_eq!(page.status, 403, "{}: {role}", app.backend);
            assert!(page.body.contains("无权访问") && !page.body.contains("不合格风险"));
            assert_eq!(download(&b, "/inspection.xlsx").await.0, 403, "{role}");
            assert!(
                !b.get("/").await.body.contains("href=\"/inspection\""),
                "{role}"
            );
        }
        // Without a session: to the login page.
        let anonymous = Browser::new(&app);
        let a = anonymous.get("/inspection").await;
        assert_eq!(a.status, 303);
        assert!(a.location.unwrap().starts_with("/login"));
    }
}

#[tokio::test]
async fn the_self_check_downloads_as_a_workbook_with_a_sheet_per_register_and_the_rates() {
    for app in TestApp::each(NOW).await {
        let (answered, unanswered, late, open) = scenario(&app).await;
        let leader = logged_in(&app, Role::Leader, None).await;
        let (s, ct, bytes) = download(&leader, "/inspection.xlsx?date=2026-06-01").await;
        assert_eq!(s, 200, "{}", app.backend);
        assert!(ct.contains("spreadsheetml"), "{ct}");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), huiyin::inspection::export::SHEETS);

        let veto = book.worksheet_range("单项否决").unwrap();
        let rows: Vec<&[Data]> = veto.rows().collect();
        let header = rows
            .iter()
            .position(|r| r[0] == Data::String("留言编号".into()))
            .unwrap();
        let listed: Vec<&[Data]> = rows[header + 1..].to_vec();
        assert_eq!(listed.len(), 2, "{}", app.backend);
        assert_eq!(listed[0][0], Data::Float(answered as f64));
        let answered_at = listed[0][9].as_datetime().map(|t| t.to_string());
        assert_eq!(answered_at.as_deref(), Some("2026-05-20 10:00:00"));
        assert_eq!(listed[1][0], Data::Float(unanswered as f64));
        assert_eq!(listed[1][9], Data::String("仍未答复".into()));
        assert!(rows
            .iter()
            .any(|r| r[1].to_string().starts_with("不合格风险")));

        let points = book.worksheet_range("考核扣分").unwrap();
        let rows: Vec<&[Data]> = points.rows().collect();
        let total = rows
            .iter()
            .find(|r| r[0] == Data::String("扣分合计".into()))
            .unwrap();
        assert_eq!(total[1], Data::Float(5.0));
        let deductions: Vec<(String, f64, f64)> = rows
            .iter()
            .filter_map(|r| match (&r[0], &r[1], &r[2]) {
                (Data::String(kind), Data::Float(p), Data::Float(id)) => {
                    Some((kind.clone(), *p, *id))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            deductions,
            [
                ("未办结".to_string(), -3.0, open as f64),
                ("超1个月办结".to_string(), -2.0, late as f64),
            ]
        );

        let sites = book.worksheet_range("按网站").unwrap();
        assert_eq!(
            sites.rows().nth(1).unwrap()[..4],
            [
                Data::String("市住房和城乡建设局网站".into()),
                Data::Float(1.0),
                Data::Float(1.0),
                Data::Float(5.0)
            ]
        );
        let depts = book.worksheet_range("按部门").unwrap();
        let named: Vec<(String, f64, f64)> = depts
            .rows()
            .skip(1)
            .map(|r| {
                (
                    r[0].to_string(),
                    r[2].as_f64().unwrap(),
                    r[5].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            named,
            [("zjj".to_string(), 1.0, 5.0), ("jyj".to_string(), 1.0, 0.0)]
        );
        let rates = book.worksheet_range("按期答复率").unwrap();
        let inspector = rates
            .rows()
            .find(|r| r[0].to_string().starts_with("自受理起计"))
            .unwrap();
        // The rate is a number whenever something was due, and "—" otherwise.
        let due = inspector[1].as_f64().expect("应答复 is a number");
        assert_eq!(inspector[3].as_f64().is_some(), due > 0.0, "{inspector:?}");
    }
}
