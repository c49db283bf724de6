//! The inbox, the message page and its forms, the dashboard and the overview, with their permission and CSRF failures.

use huiyin::auth::Role;
use serde_json::{json, Value};

use super::logged_in;
use crate::helpers::{mailbox, website_error, TestApp, PAUSE_FREE};

/// Monday 23 November 2026.
const NOW: &str = "2026-11-23T10:00:00+08:00";

async fn message(app: &TestApp, dept: &str, received_at: &str, subject: &str) -> i64 {
    let mut body = mailbox(dept, received_at);
    body["subject"] = json!(subject);
    let (status, msg) = app.post(&app.admin, "/api/v1/messages", &body).await;
    assert_eq!(status, 201, "{msg}");
    msg["id"].as_i64().unwrap()
}

async fn api_message(app: &TestApp, id: i64) -> Value {
    let (status, msg) = app.get(&app.admin, &format!("/api/v1/messages/{id}")).await;
    assert_eq!(status, 200);
    msg
}

#[tokio::test]
async fn the_inbox_lists_the_departments_pending_messages_overdue_first_and_marked() {
    for app in TestApp::each_with(NOW, PAUSE_FREE).await {
        let fresh = message(&app, "zjj", "2026-11-23T09:00:00+08:00", "新收到的咨询").await;
        let late = message(&app, "zjj", "2026-11-02T10:00:00+08:00", "早已逾期的咨询").await;
        let soon = message(&app, "zjj", "2026-11-16T10:00:00+08:00", "今日到期的咨询").await;
        message(&app, "jyj", "2026-11-02T10:00:00+08:00", "教育局的留言").await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = clerk.get("/").await.body;
        let pos = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("早已逾期的咨询") < pos("今日到期的咨询"));
        assert!(pos("今日到期的咨询") < pos("新收到的咨询"));
        assert!(!page.contains("教育局的留言"));
        assert!(page.contains("已逾期10个工作日"), "{}", app.backend);
        // Received Monday 11-16: due Monday 11-23, today.
        assert!(page.contains("今日到期"));
        assert!(page.contains("剩余5个工作日"));
        assert!(page.contains("class=\"row-overdue\""));
        assert!(page.contains("class=\"row-soon\""));
        // Paused messages stay in the inbox, marked; replied ones leave it.
        app.post(
            &app.admin,
            &format!("/api/v1/messages/{fresh}/pause"),
            &json!({"reason": "请补充楼栋号"}),
        )
        .await;
        app.post(
            &app.admin,
            &format!("/api/v1/messages/{soon}/reply"),
            &json!({"body": "您好，已办理。"}),
        )
        .await;
        let page = clerk.get("/").await.body;
        assert!(page.contains("已暂停计时"));
        assert!(!page.contains("今日到期的咨询"));
        assert!(page.contains(&format!("/messages/{late}")));
    }
}

#[tokio::test]
async fn the_inbox_filters_by_channel_category_and_status_searches_and_pages() {
    for app in TestApp::each(NOW).await {
        for i in 0..22 {
            message(
                &app,
                "zjj",
                "2026-11-20T10:00:00+08:00",
                &format!("电梯咨询{i:02}"),
            )
            .await;
        }
        message(&app, "zjj", "2026-11-02T10:00:00+08:00", "噪音扰民").await;
        let (s, _) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &website_error("zjj", "2026-11-20T10:00:00+08:00"),
            )
            .await;
        assert_eq!(s, 201);
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let first = clerk.get("/").await.body;
        assert!(first.contains("第 1 / 2 页"));
        assert!(first.contains("共 24 件"));
        let second = clerk.get("/?page=2").await.body;
        assert!(second.contains("第 2 / 2 页"));
        let search = clerk.get("/?q=%E5%99%AA%E9%9F%B3").await.body;
        assert!(search.contains("噪音扰民") && !search.contains("电梯咨询"));
        let site = clerk.get("/?channel=website_error").await.body;
        assert!(site.contains("政策文件栏目链接打不开") && !site.contains("电梯咨询"));
        let overdue = clerk.get("/?status=overdue").await.body;
        assert!(overdue.contains("噪音扰民") && overdue.contains("共 1 件"));
        let none = clerk.get("/?category=report").await.body;
        assert!(none.contains("没有符合条件的待办留言"));
        assert_eq!(clerk.get("/?channel=fax").await.status, 422);
        assert_eq!(clerk.get("/?dept=jyj").await.status, 403);
    }
}

#[tokio::test]
async fn the_message_page_shows_the_contact_to_the_department_and_masks_it_elsewhere() {
    for app in TestApp::each(NOW).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00", "加装电梯").await;
        let (_, site) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &website_error("zjj", "2026-11-20T10:00:00+08:00"),
            )
            .await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = clerk.get(&format!("/messages/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("13812345678") && page.body.contains("张三"));
        assert!(
            page.body.contains("收到留言") && page.body.contains("承办部门：市住房和城乡建设局")
        );
        let site_page = clerk.get(&format!("/messages/{}", site["id"])).await.body;
        assert!(site_page.contains("href=\"https://zjj.example.gov.cn/zwgk/\""));
        let leader = logged_in(&app, Role::Leader, None).await;
        let masked = leader.get(&format!("/messages/{id}")).await.body;
        assert!(masked.contains("138****5678") && !masked.contains("13812345678"));
        assert!(masked.contains("个人信息已脱敏"));
    }
}

#[tokio::test]
async fn a_clerk_of_another_department_gets_404_for_the_page_and_every_form_as_for_a_missing_message(
) {
    for app in TestApp::each(NOW).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00", "住建局的留言").await;
        let other = logged_in(&app, Role::Clerk, Some("jyj")).await;
        let page = other.get(&format!("/messages/{id}")).await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("不存在") && !page.body.contains("住建局的留言"));
        assert_eq!(page.body, other.get("/messages/99999").await.body);
        for (action, fields) in [
            (
                "reply",
                vec![("body", "您好，这是教育局的答复。"), ("confirm", "1")],
            ),
            ("pause", vec![("reason", "x")]),
            ("transfer", vec![("department", "jyj"), ("reason", "x")]),
            ("invalid", vec![("reason", "x")]),
            (
                "extension-request",
                vec![("working_days", "3"), ("reason", "x")],
            ),
        ] {
            let a = other
                .submit("/", &format!("/messages/{id}/{action}"), &fields)
                .await;
            assert_eq!(a.status, 404, "{action}");
        }
        assert_eq!(api_message(&app, id).await["status"], "open");
        assert_eq!(
            api_message(&app, id).await["events"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "only the creation event: no refused action left a trace"
        );
        assert_eq!(other.get("/messages/99999").await.status, 404);
        assert_eq!(other.get("/messages/abc").await.status, 404);
    }
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_changes_nothing() {
    for app in TestApp::each(NOW).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00", "加装电梯").await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let path = format!("/messages/{id}/reply");
        let body = "您好！已安排专人办理，预计本周内完成审批。";
        assert_eq!(clerk.post(&path, &[("body", body)]).await.status, 403);
        let forged = clerk
            .post(&path, &[("csrf", "forged"), ("body", body)])
            .await;
        assert_eq!(forged.status, 403);
        // Another user's token is no better.
        let other = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let theirs = super::csrf(&other.get("/").await.body);
        assert_eq!(
            clerk
                .post(&path, &[("csrf", &theirs), ("body", body)])
                .await
                .status,
            403
        );
        assert_eq!(api_message(&app, id).await["status"], "open");
    }
}

#[tokio::test]
async fn a_reply_with_warnings_comes_back_and_is_saved_only_when_confirmed() {
    for app in TestApp::each(NOW).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00", "加装电梯").await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = format!("/messages/{id}");
        let path = format!("{page}/reply");
        let leaky = "经核实，申请人身份证号11010519491231002X，电话13812345678";
        let a = clerk.submit(&page, &path, &[("body", leaky)]).await;
        assert_eq!(a.status, 200);
        for warning in ["末尾缺少标点符号", "身份证号码", "手机号码"] {
            assert!(a.body.contains(warning), "{warning}");
        }
        assert!(a.body.contains(leaky), "the draft is kept");
        let short = clerk.submit(&page, &path, &[("body", "已处理。")]).await;
        assert!(short.body.contains("过于简短"));
        assert_eq!(api_message(&app, id).await["status"], "open");
        let confirmed = clerk
            .submit(&page, &path, &[("body", "已处理。"), ("confirm", "1")])
            .await;
        assert_eq!(confirmed.status, 303);
        assert_eq!(
            confirmed.location.as_deref(),
            Some(format!("/?done=replied&id={id}").as_str())
        );
        let msg = api_message(&app, id).await;
        assert_eq!(msg["status"], "replied");
        assert_eq!(msg["reply"]["body"], "已处理。");
        let inbox = clerk.get(confirmed.location.as_deref().unwrap()).await.body;
        assert!(inbox.contains(&format!("留言 #{id} 已答复办结")));
        assert!(!inbox.contains(&format!("href=\"/messages/{id}\"")));
    }
}

#[tokio::test]
async fn a_clean_reply_is_saved_at_once_and_a_second_one_is_refused_in_chinese() {
    for app in TestApp::each(NOW).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00", "加装电梯").await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = format!("/messages/{id}");
        let body = "您好！您咨询的加装电梯审批已受理，预计本周内完成审核。";
        let a = clerk
            .submit(&page, &format!("{page}/reply"), &[("body", body)])
            .await;
        assert_eq!(a.status, 303);
        let shown = clerk.get(&page).await.body;
        assert!(shown.contains("按期答复") && shown.contains(body));
        assert!(
            !shown.contains("id=\"reply-body\""),
            "no reply form on a replied message"
        );
        let again = clerk
            .submit(&page, &format!("{page}/pause"), &[("reason", "补充材料")])
            .await;
        assert_eq!(again.status, 409);
        assert!(again.body.contains("操作未执行"));
        let empty = clerk
            .submit(&page, &format!("{page}/reopen"), &[("reason", "")])
            .await;
        assert_eq!(empty.status, 303, "the reason of a reopening is optional");
        let blank = clerk
            .submit(&page, &format!("{page}/reply"), &[("body", "  ")])
            .await;
        assert_eq!(blank.status, 422);
        assert!(blank.body.contains("请填写答复内容"));
    }
}

#[tokio::test]
async fn transfer_pause_resume_and_invalid_go_through_the_workflow() {
    for app in TestApp::each_with(NOW, PAUSE_FREE).await {
        let id = message(&app, "zjj", "2026-11-20T10:00:00+08:00", "加装电梯").await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let page = format!("/messages/{id}");
        let a = clerk
            .submit(
                &page,
                &format!("{page}/pause"),
                &[("reason", "请补充楼栋号")],
            )
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("{page}?done=paused").as_str())
        );
        assert_eq!(api_message(&app, id).await["status"], "paused");
        assert!(clerk
            .get(&a.location.unwrap())
            .await
            .body
            .contains("已暂停计时"));
        app.clock.advance(chrono::Duration::days(2));
        // Two days later the session has ended: the clerk logs in again.
        assert_eq!(clerk.get(&page).await.status, 303);
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let a = clerk.submit(&page, &format!("{page}/resume"), &[]).await;
        assert_eq!(a.status, 303);
        let msg = api_message(&app, id).await;
        assert_eq!(msg["status"], "open");
        assert_ne!(
            msg["due_at"], msg["original_due_at"],
            "two working days paused move the deadline"
        );
        // A clerk returns to the office rather than transferring (`handling.direct_transfer_roles`).
        assert!(!clerk
            .get(&page)
            .await
            .body
            .contains(&format!("action=\"{page}/transfer\"")));
        let refused = clerk
            .submit(
                &page,
                &format!("{page}/transfer"),
                &[("department", "jyj"), ("reason", "属教育局职责")],
            )
            .await;
        assert_eq!(refused.status, 403, "{}", app.backend);
        assert!(
            refused.body.contains("承办人不能直接转办"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(&format!("action=\"{page}/return\"")));
        let supervisor = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        let same = supervisor
            .submit(
                &page,
                &format!("{page}/transfer"),
                &[("department", "zjj"), ("reason", "x")],
            )
            .await;
        assert_eq!(same.status, 422);
        assert!(same.body.contains("请选择另一个承办部门"));
        let a = supervisor
            .submit(
                &page,
                &format!("{page}/transfer"),
                &[("department", "jyj"), ("reason", "属教育局职责")],
            )
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("/?done=transferred&id={id}").as_str())
        );
        assert_eq!(api_message(&app, id).await["department"], "jyj");
        assert_eq!(
            clerk.get(&page).await.status,
            404,
            "gone to another department"
        );
        let jyj = logged_in(&app, Role::Clerk, Some("jyj")).await;
        let a = jyj
            .submit(&page, &format!("{page}/invalid"), &[("reason", "重复留言")])
            .await;
        assert_eq!(a.status, 303);
        let msg = api_message(&app, id).await;
        assert_eq!(msg["status"], "invalid");
        let kinds: Vec<&str> = msg["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "received",
                "paused",
                "resumed",
                "transferred",
                "citizen_notified",
                "marked_invalid"
            ]
        );
    }
}

#[tokio::test]
async fn a_clerk_may_ask_for_an_extension_and_only_a_supervisor_grants_it_when_the_department_approves(
) {
    // Not the default (the office approves): `[handling] extension_approver = "department"`.
    let department = [("HUIYIN_HANDLING__EXTENSION_APPROVER", "department")];
    for app in TestApp::each_with(NOW, &department).await {
        // Due Tuesday 11-24: extensions are asked for before the deadline (an overdue message gets none).
        let id = message(&app, "zjj", "2026-11-17T10:00:00+08:00", "需现场核查的投诉").await;
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        assert!(
            !clerk.get(&page).await.body.contains("/extend\""),
            "clerks get no grant form"
        );
        let fields = [("working_days", "5"), ("reason", "需现场核查")];
        assert_eq!(
            clerk
                .submit(&page, &format!("{page}/extend"), &fields)
                .await
                .status,
            403
        );
        let a = clerk
            .submit(&page, &format!("{page}/extension-request"), &fields)
            .await;
        assert_eq!(a.status, 303);
        let bad = clerk
            .submit(
                &page,
                &format!("{page}/extension-request"),
                &[("working_days", "99"), ("reason", "x")],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("延期天数须为1至60"));
        let supervisor = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        let shown = supervisor.get(&page).await.body;
        assert!(shown.contains("承办人申请延期") && shown.contains("5个工作日。理由：需现场核查"));
        let dashboard = supervisor.get("/dashboard").await.body;
        assert!(dashboard.contains("需现场核查的投诉"), "listed as due soon");
        let a = supervisor
            .submit(
                &page,
                &format!("{page}/extend"),
                &[("working_days", "5"), ("reason", "同意")],
            )
            .await;
        assert_eq!(
            a.location.as_deref(),
            Some(format!("{page}?done=extended").as_str())
        );
        let msg = api_message(&app, id).await;
        assert_eq!(msg["extended_days"], 5);
        assert!(
            !supervisor.get(&page).await.body.contains("承办人申请延期"),
            "the request is settled"
        );
    }
}

#[tokio::test]
async fn the_dashboard_is_for_supervisors_and_up_and_the_overview_for_leaders() {
    for app in TestApp::each(NOW).await {
        message(&app, "zjj", "2026-11-02T10:00:00+08:00", "逾期的住建留言").await;
        message(
            &app,
            "jyj",
            "2026-08-01T10:00:00+08:00",
            "超三个月的教育留言",
        )
        .await;
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        assert_eq!(clerk.get("/dashboard").await.status, 403);
        assert_eq!(clerk.get("/overview").await.status, 403);
        assert!(
            !clerk.get("/").await.body.contains("督办看板"),
            "no link the clerk may not follow"
        );
        let supervisor = logged_in(&app, Role::Supervisor, Some("zjj")).await;
        let d = supervisor.get("/dashboard").await;
        assert_eq!(d.status, 200);
        assert!(d.body.contains("逾期的住建留言") && !d.body.contains("超三个月的教育留言"));
        assert!(
            d.body.contains("本月收到")
                && d.body.contains("承办人员工作量")
                && d.body.contains("本月督办提醒")
        );
        assert!(d.body.contains("href=\"/reports/2026-11\""));
        // The month's rates come from the statistics: one message received, none replied.
        assert!(d.body.contains("0.00%"), "completion rate shown");
        assert_eq!(supervisor.get("/dashboard?dept=jyj").await.status, 403);
        assert_eq!(supervisor.get("/overview").await.status, 403);
        let leader = logged_in(&app, Role::Leader, None).await;
        assert_eq!(
            leader.get("/dashboard").await.location.as_deref(),
            Some("/overview")
        );
        assert!(leader
            .get("/dashboard?dept=jyj")
            .await
            .body
            .contains("超三个月的教育留言"));
        let o = leader.get("/overview").await;
        assert_eq!(o.status, 200);
        // The ranking is the statistics' (on-time rate first), and its label says so; one
        // term per figure across pages, reports and emails.
        assert!(o.body.contains("按按期答复率排列") && !o.body.contains("按逾期件数排列"));
        assert!(o.body.contains("超过三个月未答复") && !o.body.contains("超3个月"));
        for text in [
            "市教育局",
            "市住房和城乡建设局",
            "市政府办公室",
            "超三个月的教育留言",
            "/reports/2026-10",
        ] {
            assert!(o.body.contains(text), "{text}");
        }
        assert!(
            !o.body.contains("逾期的住建留言"),
            "only critical messages are listed"
        );
    }
}

#[tokio::test]
async fn the_handling_rules_have_forms_return_verdict_and_review() {
    for app in TestApp::each(NOW).await {
        let (_, report) = app
            .post(
                &app.admin,
                "/api/v1/messages",
                &crate::helpers::website_error("zjj", "2026-11-20T10:00:00+08:00"),
            )
            .await;
        let id = report["id"].as_i64().unwrap();
        let page = format!("/messages/{id}");
        let clerk = logged_in(&app, Role::Clerk, Some("zjj")).await;
        let shown = clerk.get(&page).await.body;
        assert!(shown.contains("核实结论") && shown.contains("退回（非本单位职责）"));
        let v = clerk
            .submit(
                &page,
                &format!("{page}/verdict"),
                &[("verdict", "confirmed"), ("note", "已修复链接")],
            )
            .await;
        assert_eq!(v.status, 303);
        assert_eq!(api_message(&app, id).await["verdict"], "confirmed");
        // A reply on this channel waits for the office's review.
        let r = clerk
            .submit(
                &page,
                &format!("{page}/reply"),
                &[("body", "您好，链接已修复。"), ("confirm", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            !clerk.get(&page).await.body.contains("审核答复"),
            "the department does not review itself"
        );
        let office = logged_in(&app, Role::Supervisor, Some("gov-office")).await;
        assert!(office.get(&page).await.body.contains("审核答复"));
        let ok = office
            .submit(&page, &format!("{page}/review"), &[("decision", "accept")])
            .await;
        assert_eq!(ok.status, 303);
        assert_eq!(api_message(&app, id).await["status"], "replied");

        let other = message(
            &app,
            "zjj",
            "2026-11-20T10:00:00+08:00",
            "应由教育局办理的咨询",
        )
        .await;
        let page = format!("/messages/{other}");
        let back = clerk
            .submit(
                &page,
                &format!("{page}/return"),
                &[("reason", "非本单位职责")],
            )
            .await;
        assert_eq!(back.status, 303);
        assert_eq!(api_message(&app, other).await["department"], "gov-office");
    }
}
