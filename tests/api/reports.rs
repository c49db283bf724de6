//! Reports: frozen versions, CSV and XLSX read back, the HTML page, the CLI and the monthly email.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use huiyin::auth::Role;
use huiyin::directory::{self, StaffInput};
use huiyin::reports::{self, ReportContext};
use serde_json::Value;

use crate::helpers::{error_code, t, TestApp};
use crate::stats::{insert, mailbox_at, times};

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let resp = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
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

/// October 2026: zjj 3 of 4 replied on time (one overdue), jyj 2 of 2 on time.
async fn october(app: &TestApp) {
    let mut v = times(
        3,
        mailbox_at("zjj", "2026-10-12T09:00:00+08:00").replied("2026-10-13T09:00:00+08:00"),
    );
    v.push(mailbox_at("zjj", "2026-10-12T09:00:00+08:00"));
    v.extend(times(
        2,
        mailbox_at("jyj", "2026-10-12T09:00:00+08:00").replied("2026-10-12T10:00:00+08:00"),
    ));
    insert(app, v).await;
}

#[tokio::test]
async fn a_closed_months_report_is_frozen_and_later_replies_change_only_a_regenerated_version() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        october(&app).await;
        let (s, first) = app.get(&app.admin, "/api/v1/reports/2026-10.json").await;
        assert_eq!(s, 200, "{first}");
        assert_eq!(
            (first["frozen"].as_bool(), first["version"].as_i64()),
            (Some(true), Some(1))
        );
        assert_eq!(first["summary"]["completion_rate"]["text"], "83.33%");
        assert_eq!(first["as_of"], "2026-11-05T10:00:00+08:00");

        // The open message is answered later: the published report does not move.
        app.clock.set(t("2026-11-10T10:00:00+08:00"));
        let (_, page) = app.get(&app.admin, "/api/v1/messages?status=open").await;
        let id = page["items"][0]["id"].as_i64().unwrap();
        let (s, _) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/reply"),
                &serde_json::json!({"body": "您好，已办理。"}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, again) = app.get(&app.admin, "/api/v1/reports/2026-10.json").await;
        assert_eq!(again, first, "{}", app.backend);
        // The live statistics do move.
        let (_, live) = app.get(&app.admin, "/api/v1/stats?period=2026-10").await;
        assert_eq!(live["summary"]["completion_rate"]["text"], "100.00%");

        let (s, second) = app
            .post(
                &app.admin,
                "/api/v1/reports/2026-10/regenerate",
                &Value::Null,
            )
            .await;
        assert_eq!(s, 201, "{second}");
        assert_eq!(second["version"], 2);
        assert_eq!(second["summary"]["completion_rate"]["text"], "100.00%");
        let (_, latest) = app.get(&app.admin, "/api/v1/reports/2026-10.json").await;
        assert_eq!(latest["version"], 2);
        let (_, old) = app
            .get(&app.admin, "/api/v1/reports/2026-10.json?version=1")
            .await;
        assert_eq!(old, first);
        let (s, _) = app
            .get(&app.admin, "/api/v1/reports/2026-10.json?version=9")
            .await;
        assert_eq!(s, 404);
    }
}

#[tokio::test]
async fn a_running_month_is_live_and_regenerating_needs_a_closed_period_and_a_leader() {
    for app in TestApp::each("2026-10-20T10:00:00+08:00").await {
        october(&app).await;
        let (_, live) = app.get(&app.admin, "/api/v1/reports/2026-10.json").await;
        assert_eq!(
            (live["frozen"].as_bool(), live["version"].clone()),
            (Some(false), Value::Null)
        );
        let (s, body) = app
            .post(
                &app.admin,
                "/api/v1/reports/2026-10/regenerate",
                &Value::Null,
            )
            .await;
        assert_eq!((s, error_code(&body)), (409, "conflict"));
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (s, body) = app
            .post(&clerk, "/api/v1/reports/2026-09/regenerate", &Value::Null)
            .await;
        assert_eq!((s, error_code(&body)), (403, "forbidden"));
        let (s, body) = app.get(&app.admin, "/api/v1/reports/2026-10.pdf").await;
        assert_eq!((s, body["error"]["field"].as_str()), (422, Some("file")));
    }
}

#[tokio::test]
async fn the_csv_ranks_departments_under_chinese_headers_with_a_total_row() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        october(&app).await;
        let (s, ct, bytes) = get_bytes(&app, &app.admin, "/api/v1/reports/2026-10.csv").await;
        assert_eq!(s, 200);
        assert!(ct.starts_with("text/csv"), "{ct}");
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(rows[0][..4], ["排名", "单位代码", "单位名称", "接收留言"]);
        assert_eq!(rows[1][..3], ["1", "jyj", "市教育局"], "{}", app.backend);
        assert_eq!(rows[2][1], "zjj");
        let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        assert_eq!(rows[2][col("办结率")], "75.00%");
        assert_eq!(rows[2][col("逾期未办结")], "1");
        // gov-office had nothing to answer: dashes, not 0 % or 100 %.
        assert_eq!(rows[3][col("按期答复率")], "—");
        let total = rows.last().unwrap();
        assert_eq!(
            (total[2], total[col("接收留言")], total[col("办结率")]),
            ("合计", "6", "83.33%")
        );
    }
}

/// The rows of `sheet` from its header row (the row whose first cell is `first_header`) on.
fn table<'a>(range: &'a calamine::Range<Data>, first_header: &str) -> Vec<&'a [Data]> {
    let rows: Vec<&[Data]> = range.rows().collect();
    let at = rows
        .iter()
        .position(|r| r[0] == Data::String(first_header.into()))
        .unwrap_or_else(|| panic!("no header {first_header}"));
    rows[at..].to_vec()
}

/// The XML of one sheet of a workbook (page setup, panes and filters are not read by calamine).
fn sheet_xml(bytes: &[u8], n: usize) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap(),
        &mut xml,
    )
    .unwrap();
    xml
}

/// The text of a DOCX's body (runs joined; enough to find words and figures).
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[tokio::test]
async fn the_word_draft_has_the_title_the_paragraph_the_ranking_and_the_checklist() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        october(&app).await;
        let (s, ct, bytes) = get_bytes(&app, &app.admin, "/api/v1/reports/2026-10.docx").await;
        assert_eq!(s, 200, "{}", app.backend);
        assert!(ct.contains("wordprocessingml"), "{ct}");
        let text = docx_text(&bytes);
        for expected in [
            "关于2026年10月网民留言办理情况的通报",
            "〔2026〕",
            "一、总体情况",
            "共接收网民留言6件",
            "二、各单位办理情况",
            "市住房和城乡建设局",
            "83.33%",
            "三、逾期留言核查清单",
            "已逾期13个工作日",
            "2026年11月5日",
        ] {
            assert!(text.contains(expected), "{expected} missing: {text}");
        }

        // The leader edits the paragraph on the report page and downloads it; the tables stay.
        let leader =
            crate::web::logged_in(&app, huiyin::auth::Role::Leader, Some("gov-office")).await;
        let page = leader.get("/reports/2026-10").await;
        assert!(
            page.body.contains("<textarea id=\"draft\" name=\"draft\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("href=\"/reports/2026-10.docx\""));
        let resp = leader
            .client
            .post(format!("{}/reports/2026-10.docx", app.address))
            .form(&[("draft", "经修改的通报段落：本月各单位总体按期答复。")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let edited = docx_text(&resp.bytes().await.unwrap());
        assert!(edited.contains("经修改的通报段落"), "{edited}");
        assert!(!edited.contains("共接收网民留言6件"));
        assert!(
            edited.contains("已逾期13个工作日"),
            "the checklist is the report's"
        );
        // An empty draft is refused, and without a session nothing is drafted.
        let empty = leader
            .post("/reports/2026-10.docx", &[("draft", "  ")])
            .await;
        assert_eq!(empty.status, 422, "{}", empty.body);
        let anonymous = crate::web::Browser::new(&app);
        let refused = anonymous
            .post("/reports/2026-10.docx", &[("draft", "x")])
            .await;
        assert_ne!(refused.status, 200);
    }
}

#[tokio::test]
async fn the_monthly_email_is_delivered_with_the_workbook_and_the_word_draft_attached() {
    let extra = [("HUIYIN_REPORTS__MONTHLY_EMAIL", "true")];
    for (app, _, smtp) in crate::escalation::apps("2026-11-02T09:00:00+08:00", &extra).await {
        october(&app).await;
        huiyin::worker::run_once(&app.worker()).await.unwrap();
        let mails = smtp.to(crate::escalation::LEADER);
        let report = mails
            .iter()
            .find(|m| m.data.contains("huiyin-report-2026-10.xlsx"))
            .unwrap_or_else(|| panic!("{}: no report email", app.backend));
        assert!(report.data.contains("huiyin-bulletin-2026-10.docx"));
        assert!(report.data.contains("wordprocessingml"));
    }
}

#[tokio::test]
async fn the_xlsx_has_a_sheet_per_breakdown_with_numbers_dates_filters_and_a4_print_setup() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        october(&app).await;
        let (s, ct, bytes) = get_bytes(&app, &app.admin, "/api/v1/reports/2026-10.xlsx").await;
        assert_eq!(s, 200);
        assert!(ct.contains("spreadsheetml"), "{ct}");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
        assert_eq!(book.sheet_names(), reports::export::SHEETS);
        let range = book.worksheet_range("各单位").unwrap();
        let depts = table(&range, "排名");
        let col = |name: &str| {
            depts[0]
                .iter()
                .position(|h| *h == Data::String(name.into()))
                .unwrap()
        };
        let zjj = depts
            .iter()
            .find(|r| r[1] == Data::String("zjj".into()))
            .unwrap();
        assert_eq!(zjj[col("接收留言")], Data::Float(4.0), "{}", app.backend);
        assert_eq!(zjj[col("办结率")], Data::Float(0.75));
        let none = depts
            .iter()
            .find(|r| r[1] == Data::String("gov-office".into()))
            .unwrap();
        assert_eq!(none[col("按期答复率")], Data::String("—".into()));

        let range = book.worksheet_range("汇总").unwrap();
        let as_of = range
            .rows()
            .find(|r| r[0] == Data::String("统计时点".into()))
            .unwrap();
        match &as_of[1] {
            Data::DateTime(d) => {
                assert_eq!(d.as_datetime().unwrap().to_string(), "2026-11-05 10:00:00")
            }
            other => panic!("统计时点 is not a date cell: {other:?}"),
        }
        assert!(range
            .rows()
            .any(|r| r[1] == Data::String("百分比保留两位小数，第三位四舍五入".into())));
        let summary = table(&range, "指标");
        let rate = summary
            .iter()
            .find(|r| r[0] == Data::String("办结率".into()))
            .unwrap();
        assert_eq!(rate[1], Data::Float(0.8333));
        // Changes are numbers: September had nothing, so the relative change is undefined.
        let change = summary
            .iter()
            .find(|r| r[0] == Data::String("接收留言变化（相对百分比）".into()))
            .unwrap();
        assert_eq!(change[2], Data::String("—".into()));

        let range = book.worksheet_range("按渠道").unwrap();
        let channels = table(&range, "渠道");
        assert!(channels
            .iter()
            .any(|r| r[0] == Data::String("市长信箱".into()) && r[1] == Data::Float(6.0)));
        let range = book.worksheet_range("按类别").unwrap();
        assert!(table(&range, "类别")
            .iter()
            .any(|r| r[0] == Data::String("咨询".into())));

        let range = book.worksheet_range("逾期清单").unwrap();
        let late = table(&range, "单位名称");
        assert_eq!(late.len(), 2);
        assert_eq!(late[1][0], Data::String("市住房和城乡建设局".into()));
        assert!(matches!(late[1][6], Data::DateTime(_)), "{:?}", late[1][6]);
        assert!(matches!(late[1][7], Data::DateTime(_)), "{:?}", late[1][7]);
        assert_eq!(late[1][9], Data::String("逾期未办结".into()));
        assert_eq!(late[1][11], Data::String("已逾期13个工作日".into()));

        // Every table sheet: header frozen, filters on, A4 fitted to the width, header repeated.
        for n in 1..=reports::export::SHEETS.len() {
            let xml = sheet_xml(&bytes, n);
            assert!(xml.contains("<pane ySplit="), "sheet {n}: {xml}");
            assert!(xml.contains("<autoFilter ref="), "sheet {n}");
            assert!(xml.contains("paperSize=\"9\""), "sheet {n}");
            assert!(xml.contains("fitToHeight=\"0\""), "sheet {n}");
        }
        assert!(sheet_xml(&bytes, 2).contains("orientation=\"landscape\""));
    }
}

#[tokio::test]
async fn a_reply_on_saturday_after_a_friday_deadline_is_late_by_less_than_a_working_day() {
    for app in TestApp::each("2026-12-02T10:00:00+08:00").await {
        // A consultation (5 working days) received Friday 2026-11-06 is due Friday 11-13.
        insert(
            &app,
            vec![
                mailbox_at("zjj", "2026-11-06T09:00:00+08:00").replied("2026-11-14T10:00:00+08:00")
            ],
        )
        .await;
        let (s, json) = app.get(&app.admin, "/api/v1/reports/2026-11.json").await;
        assert_eq!(s, 200, "{json}");
        let zjj = json["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "zjj")
            .unwrap();
        assert_eq!(zjj["overdue"][0]["working_days_overdue"], 0);
        assert_eq!(zjj["overdue"][0]["status"], "超期办结");
        let (_, _, html) = get_bytes(&app, &app.admin, "/reports/2026-11").await;
        assert!(String::from_utf8(html)
            .unwrap()
            .contains("超期不足1个工作日"));
        let (_, _, bytes) = get_bytes(&app, &app.admin, "/api/v1/reports/2026-11.xlsx").await;
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("逾期清单").unwrap();
        let late = table(&range, "单位名称");
        assert_eq!(
            late[1][11],
            Data::String("超期不足1个工作日".into()),
            "{}",
            app.backend
        );
    }
}

#[tokio::test]
async fn the_html_page_is_printable_with_inline_charts_and_loads_nothing_from_the_internet() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        october(&app).await;
        let (s, ct, bytes) = get_bytes(&app, &app.admin, "/reports/2026-10").await;
        assert_eq!(s, 200);
        assert!(ct.starts_with("text/html"));
        let html = String::from_utf8(bytes).unwrap();
        assert!(html.contains("2026年10月网民留言办理情况"));
        assert!(html.contains("@media print"));
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(html.contains("市住房和城乡建设局"));
        assert!(html.contains("83.33%"));
        for remote in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "@import",
            "url(http",
        ] {
            assert!(!html.contains(remote), "{remote}");
        }
        let (s, _, _) = get_bytes(&app, "nope", "/reports/2026-10").await;
        assert_eq!(s, 401);
        // A leader logged in to the pages opens it from the overview's link.
        let leader =
            crate::web::logged_in(&app, huiyin::auth::Role::Leader, Some("gov-office")).await;
        let overview = leader.get("/overview").await;
        assert!(
            overview.body.contains("href=\"/reports/2026-10\""),
            "{}",
            overview.body
        );
        let page = leader.get("/reports/2026-10").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("2026年10月网民留言办理情况"));
    }
}

#[tokio::test]
async fn the_monthly_email_goes_out_on_the_first_working_day_with_the_xlsx_attached() {
    for app in TestApp::each("2026-11-02T09:00:00+08:00").await {
        october(&app).await;
        let st = app.state.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut conn = st.db.get().unwrap();
            let ctx = ReportContext::from_settings(&st.settings, st.workflow.timeline.clone());
            // No leader yet: nobody to send it to.
            let none =
                reports::monthly_email(&mut conn, &ctx, t("2026-11-02T09:00:00+08:00")).unwrap();
            directory::add_staff(
                &mut conn,
                StaffInput {
                    name: "王市长",
                    email: "leader@example.gov.cn",
                    role: Role::Leader,
                    department: None,
                    password_hash: None,
                },
                0,
            )
            .unwrap();
            // Sunday 1 November is no working day; Tuesday 3 November is not the first one.
            let sunday =
                reports::monthly_email(&mut conn, &ctx, t("2026-11-01T09:00:00+08:00")).unwrap();
            let tuesday =
                reports::monthly_email(&mut conn, &ctx, t("2026-11-03T09:00:00+08:00")).unwrap();
            let monday =
                reports::monthly_email(&mut conn, &ctx, t("2026-11-02T09:00:00+08:00")).unwrap();
            // October's first working day comes after the National Day holiday.
            let first_oct = reports::email::is_first_working_day_of_month(
                &ctx.timeline,
                t("2026-10-08T09:00:00+08:00"),
            )
            .unwrap();
            (
                none.is_none(),
                sunday.is_none(),
                tuesday.is_none(),
                monday,
                first_oct,
            )
        })
        .await
        .unwrap();
        assert_eq!(
            (out.0, out.1, out.2, out.4),
            (true, true, true, true),
            "{}",
            app.backend
        );
        let mail = out.3.unwrap();
        assert_eq!(mail.dedup_key, "report:2026-10");
        assert_eq!(mail.to, ["leader@example.gov.cn"]);
        assert!(mail.subject.contains("2026年10月"));
        assert!(mail.text.contains("办结率83.33%"), "{}", mail.text);
        let names: Vec<&str> = mail.attachments.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(
            names,
            ["huiyin-report-2026-10.xlsx", "huiyin-bulletin-2026-10.docx"]
        );
        assert!(docx_text(&mail.attachments[1].1).contains("网民留言办理情况的通报"));
        let book: Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(mail.attachments[0].1.clone())).unwrap();
        assert_eq!(book.sheet_names(), reports::export::SHEETS);
        // The email froze the report it describes.
        let (_, frozen) = app.get(&app.admin, "/api/v1/reports/2026-10.json").await;
        assert_eq!(frozen["version"], 1);
    }
}

#[test]
fn the_report_command_writes_the_csv_of_a_period() {
    let (_db, url) = crate::helpers::TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("2026-10.csv");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .args(["report", "--period", "2026-10", "--format", "csv", "--out"])
        .arg(&out)
        .env("HUIYIN_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("排名,单位代码,单位名称"));
    assert!(text.contains("合计"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .args(["report", "--period", "2026-13", "--format", "csv", "--out"])
        .arg(&out)
        .env("HUIYIN_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--period"));
}

#[tokio::test]
async fn comparisons_and_the_trend_use_the_published_figures_of_frozen_months() {
    for app in TestApp::each("2026-10-09T10:00:00+08:00").await {
        // September: 1 of 2 replied when its report is published.
        insert(
            &app,
            vec![
                mailbox_at("zjj", "2026-09-14T09:00:00+08:00").replied("2026-09-15T09:00:00+08:00"),
                mailbox_at("zjj", "2026-09-14T09:00:00+08:00"),
            ],
        )
        .await;
        let (_, september) = app.get(&app.admin, "/api/v1/reports/2026-09.json").await;
        assert_eq!(september["summary"]["completion_rate"]["text"], "50.00%");
        // The other September message is answered in October: the live September count moves…
        let (_, page) = app.get(&app.admin, "/api/v1/messages?status=open").await;
        let id = page["items"][0]["id"].as_i64().unwrap();
        let (s, _) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{id}/reply"),
                &serde_json::json!({"body": "您好，已办理。"}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, live) = app.get(&app.admin, "/api/v1/stats?period=2026-09").await;
        assert_eq!(live["summary"]["completion_rate"]["text"], "100.00%");
        // …but October compares with, and charts, what was published.
        let (_, october) = app.get(&app.admin, "/api/v1/stats?period=2026-10").await;
        assert_eq!(
            october["previous"]["figures"]["completion_rate"]["text"], "50.00%",
            "{}",
            app.backend
        );
        let trend = october["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 12);
        assert_eq!(trend[10]["period"], "2026-09");
        assert_eq!(trend[10]["completion_rate"]["text"], "50.00%");
        assert_eq!(trend[11]["period"], "2026-10");
    }
}

#[tokio::test]
async fn the_sweep_on_the_first_working_day_queues_last_months_report_once_per_leader() {
    for app in TestApp::each("2026-11-02T09:00:00+08:00").await {
        october(&app).await;
        let st = app.state.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = st.db.get().unwrap();
            for (name, email) in [
                ("王市长", "mayor@example.gov.cn"),
                ("李秘书长", "sg@example.gov.cn"),
            ] {
                let input = StaffInput {
                    name,
                    email,
                    role: Role::Leader,
                    department: None,
                    password_hash: None,
                };
                directory::add_staff(&mut conn, input, 0).unwrap();
            }
        })
        .await
        .unwrap();
        // Two sweeps the same day (or two instances) queue it once.
        for _ in 0..2 {
            huiyin::worker::run_once(&app.worker()).await.unwrap();
        }
        let (status, page) = app.get(&app.admin, "/api/v1/alerts?per_page=200").await;
        assert_eq!(status, 200, "{page}");
        let reports: Vec<&Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "report")
            .collect();
        let mut to: Vec<&str> = reports
            .iter()
            .map(|r| r["recipient"].as_str().unwrap())
            .collect();
        to.sort();
        assert_eq!(
            to,
            ["mayor@example.gov.cn", "sg@example.gov.cn"],
            "{}",
            app.backend
        );
        assert!(
            reports[0]["subject"]
                .as_str()
                .unwrap()
                .contains("2026年10月"),
            "{}",
            reports[0]["subject"]
        );
        // The next working day queues nothing more.
        app.clock.set(t("2026-11-03T09:00:00+08:00"));
        let round = huiyin::worker::run_once(&app.worker()).await.unwrap();
        assert_eq!(round.reports, 0);
    }
}

#[tokio::test]
async fn periods_outside_the_calendar_are_refused_naming_the_covered_range_and_nothing_is_frozen() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        for path in [
            "/api/v1/stats?period=2017-12",
            "/api/v1/stats?period=2017",
            "/api/v1/reports/2017-12.json",
            "/api/v1/reports/2017-Q4.csv",
            // The calendar reaches one provisional year past the last notice (2027).
            "/api/v1/reports/2028.json",
        ] {
            let (s, body) = app.get(&app.admin, path).await;
            assert_eq!(s, 422, "{}: {path}: {body}", app.backend);
            assert_eq!(body["error"]["field"], "period", "{path}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains("2018-01-01") && message.contains("2027-12-31"),
                "{path}: {message}"
            );
        }
        let (s, _) = app
            .post(
                &app.admin,
                "/api/v1/reports/2017-12/regenerate",
                &Value::Null,
            )
            .await;
        assert_eq!(s, 422);
        let st = app.state.clone();
        let frozen: i64 = tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            huiyin::schema::reports::table
                .count()
                .get_result(&mut *st.db.get().unwrap())
                .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(frozen, 0, "{}", app.backend);
        // The calendar's first month still answers.
        assert_eq!(
            app.get(&app.admin, "/api/v1/reports/2018-01.json").await.0,
            200
        );
    }
}

#[tokio::test]
async fn the_bulletin_names_the_departments_with_most_late_messages_first_and_says_the_year_on_year_change(
) {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        let on_time = "2026-10-12T10:00:00+08:00";
        // jyj ranks above zjj (19 of 20 on time against 1 of 4) but has fewer late messages.
        let mut v = times(
            19,
            mailbox_at("jyj", "2026-10-12T09:00:00+08:00").replied(on_time),
        );
        v.push(mailbox_at("jyj", "2026-10-12T09:00:00+08:00"));
        v.push(mailbox_at("zjj", "2026-10-12T09:00:00+08:00").replied(on_time));
        v.extend(times(3, mailbox_at("zjj", "2026-10-12T09:00:00+08:00")));
        // October 2025 received 16 messages, all answered.
        v.extend(times(
            16,
            mailbox_at("zjj", "2025-10-13T09:00:00+08:00").replied("2025-10-13T11:00:00+08:00"),
        ));
        insert(&app, v).await;
        let (s, body) = app.get(&app.admin, "/api/v1/reports/2026-10.json").await;
        assert_eq!(s, 200, "{body}");
        let ranked: Vec<&str> = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        let pos = |c: &str| ranked.iter().position(|r| *r == c).unwrap();
        assert!(pos("jyj") < pos("zjj"), "{ranked:?}");
        let bulletin = body["bulletin"].as_str().unwrap();
        assert!(
            bulletin.contains("市住房和城乡建设局（3件）、市教育局（1件）存在逾期未办结留言"),
            "{}: {bulletin}",
            app.backend
        );
        assert!(
            bulletin.contains("与去年同期（2025年10月）相比，接收留言上升50.00%"),
            "{bulletin}"
        );
    }
}
