//! Statistics: the bulletin figures reproduced to the last digit, period boundaries in local time, cohorts, scopes and signs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use huiyin::auth::Role;
use huiyin::schema::messages;
use huiyin::sla::{Category, Channel, Timeline};
use serde_json::{json, Value};

use crate::helpers::{error_code, t, test_settings, TestApp};

/// A message written straight into the table, its deadline and reply verdict from the one timeline.
#[derive(Clone)]
pub struct Fixture {
    pub dept: &'static str,
    pub channel: Channel,
    pub received: DateTime<Utc>,
    pub replied: Option<DateTime<Utc>>,
    pub invalid: bool,
    pub site: Option<&'static str>,
}

pub fn mailbox_at(dept: &'static str, received: &str) -> Fixture {
    Fixture {
        dept,
        channel: Channel::MayorMailbox,
        received: t(received),
        replied: None,
        invalid: false,
        site: None,
    }
}

pub fn site_report_at(dept: &'static str, site: &'static str, received: &str) -> Fixture {
    Fixture {
        channel: Channel::WebsiteError,
        site: Some(site),
        ..mailbox_at(dept, received)
    }
}

impl Fixture {
    pub fn replied(mut self, at: &str) -> Fixture {
        self.replied = Some(t(at));
        self
    }
    pub fn invalid(mut self) -> Fixture {
        self.invalid = true;
        self
    }
}

/// Inserts `fixtures` in one transaction.
pub async fn insert(app: &TestApp, fixtures: Vec<Fixture>) {
    let st = app.state.clone();
    tokio::task::spawn_blocking(move || {
        let wf = &st.workflow;
        let tl: &Timeline = &wf.timeline;
        let mut conn = st.db.get().unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            for f in &fixtures {
                let category = match f.channel {
                    Channel::MayorMailbox => Category::Consultation,
                    Channel::WebsiteError => Category::ErrorReport,
                };
                let days = wf.policy.working_days(f.channel, category).unwrap();
                let due = tl.due_at(f.received, days).unwrap();
                let status = match (f.invalid, f.replied) {
                    (true, _) => "invalid",
                    (false, Some(_)) => "replied",
                    (false, None) => "open",
                };
                let taken = f
                    .replied
                    .map(|r| tl.working_days_taken(f.received, r).unwrap() as i32);
                diesel::insert_into(messages::table)
                    .values((
                        messages::channel.eq(f.channel.as_str()),
                        messages::category.eq(category.as_str()),
                        messages::subject.eq("关于小区停车位的咨询，联系电话13812345678"),
                        messages::body.eq("正文"),
                        messages::site_name.eq(f.site),
                        messages::department_code.eq(f.dept),
                        messages::status.eq(status),
                        messages::received_at.eq(f.received.timestamp()),
                        messages::due_at.eq(due.timestamp()),
                        messages::original_due_at.eq(due.timestamp()),
                        messages::replied_at.eq(f.replied.map(|r| r.timestamp())),
                        messages::working_days_taken.eq(taken),
                        messages::on_time.eq(f.replied.map(|r| Timeline::is_on_time(due, r))),
                        messages::updated_at.eq(f.received.timestamp()),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
        .unwrap();
    })
    .await
    .unwrap();
}

/// `n` copies of a fixture.
pub fn times(n: usize, f: Fixture) -> Vec<Fixture> {
    vec![f; n]
}

pub async fn stats(app: &TestApp, query: &str) -> Value {
    let (status, body) = app.get(&app.admin, &format!("/api/v1/stats?{query}")).await;
    assert_eq!(status, 200, "{}: {body}", app.backend);
    body
}

/// The Qingyang quarter: 149 received, 138 replied (a few of them late), 11 still open.
fn qingyang() -> Vec<Fixture> {
    let mut v = times(
        130,
        mailbox_at("zjj", "2026-10-12T09:00:00+08:00").replied("2026-10-13T10:00:00+08:00"),
    );
    v.extend(times(
        8,
        mailbox_at("jyj", "2026-10-12T09:00:00+08:00").replied("2026-10-30T10:00:00+08:00"),
    ));
    v.extend(times(11, mailbox_at("jyj", "2026-10-20T09:00:00+08:00")));
    v.extend(times(
        3,
        mailbox_at("zjj", "2026-10-20T09:00:00+08:00").invalid(),
    ));
    v
}

#[tokio::test]
async fn the_qingyang_figures_give_92_62_percent_rounded_and_92_61_percent_truncated() {
    for app in TestApp::each("2026-11-05T10:00:00+08:00").await {
        insert(&app, qingyang()).await;
        let body = stats(&app, "period=2026-10").await;
        let s = &body["summary"];
        assert_eq!(
            (s["received"].as_i64(), s["replied"].as_i64()),
            (Some(149), Some(138))
        );
        assert_eq!(s["completion_rate"]["text"], "92.62%", "{}", app.backend);
        assert_eq!(s["completion_rate"]["percent"], "92.62");
        assert_eq!(body["rounding"], "half_up");
        assert_eq!(s["still_open"], 11);
        assert_eq!(s["invalid"], 3);
    }
    for (backend, make) in crate::helpers::database_urls() {
        let (db, url) = make();
        let settings = test_settings(&url, &[("HUIYIN_REPORTS__ROUNDING", "truncate")]);
        let app = TestApp::spawn(backend, db, settings, t("2026-11-05T10:00:00+08:00")).await;
        insert(&app, qingyang()).await;
        let body = stats(&app, "period=2026-10").await;
        assert_eq!(
            body["summary"]["completion_rate"]["text"], "92.61%",
            "{backend}"
        );
        assert_eq!(body["rounding"], "truncate");
        assert!(body["rounding_label"].as_str().unwrap().contains("舍去"));
    }
}

#[tokio::test]
async fn the_shaanxi_figures_give_90_71_percent_on_time_and_99_84_percent() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        // Received Monday 12 October, due Monday 19 October (5 working days).
        let mut v = times(
            166,
            mailbox_at("zjj", "2026-10-12T09:00:00+08:00").replied("2026-10-12T15:00:00+08:00"),
        );
        v.extend(times(
            10,
            mailbox_at("jyj", "2026-10-12T09:00:00+08:00").replied("2026-10-22T09:00:00+08:00"),
        ));
        v.extend(times(7, mailbox_at("jyj", "2026-10-12T09:00:00+08:00")));
        insert(&app, v).await;
        let s = stats(&app, "period=2026-10").await["summary"].clone();
        assert_eq!(
            (s["due"].as_i64(), s["replied_on_time"].as_i64()),
            (Some(183), Some(166))
        );
        assert_eq!(s["on_time_rate"]["text"], "90.71%", "{}", app.backend);
        assert_eq!(
            (s["replied_late"].as_i64(), s["due_overdue_open"].as_i64()),
            (Some(10), Some(7))
        );
        assert_eq!(s["same_day"], 166);

        // 609 due in November, 608 on time: 99.84 % rounded.
        let mut v = times(
            608,
            mailbox_at("zjj", "2026-11-02T09:00:00+08:00").replied("2026-11-03T09:00:00+08:00"),
        );
        v.push(mailbox_at("gov-office", "2026-11-02T09:00:00+08:00"));
        insert(&app, v).await;
        let s = stats(&app, "period=2026-11").await["summary"].clone();
        assert_eq!(
            (s["due"].as_i64(), s["replied_on_time"].as_i64()),
            (Some(609), Some(608))
        );
        assert_eq!(s["on_time_rate"]["text"], "99.84%");
        assert_eq!(s["completion_rate"]["text"], "99.84%");
    }
}

#[tokio::test]
async fn a_message_received_at_2330_on_31_october_local_time_is_octobers() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        insert(
            &app,
            vec![
                mailbox_at("zjj", "2026-10-31T23:30:00+08:00"),
                mailbox_at("zjj", "2026-11-01T00:10:00+08:00"),
                mailbox_at("zjj", "2026-09-30T23:59:59+08:00"),
                mailbox_at("zjj", "2026-10-01T00:00:00+08:00"),
            ],
        )
        .await;
        let oct = stats(&app, "period=2026-10").await;
        assert_eq!(oct["summary"]["received"], 2, "{}", app.backend);
        assert_eq!(
            stats(&app, "period=2026-11").await["summary"]["received"],
            1
        );
        assert_eq!(
            stats(&app, "period=2026-09").await["summary"]["received"],
            1
        );
        assert_eq!(
            stats(&app, "period=2026-Q4").await["summary"]["received"],
            3
        );
        assert_eq!(stats(&app, "period=2026").await["summary"]["received"], 4);
    }
}

#[tokio::test]
async fn a_message_received_in_one_month_and_due_in_the_next_counts_in_each_cohort() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        // Received Thursday 29 October, due Thursday 5 November; replied 4 November.
        insert(
            &app,
            vec![
                mailbox_at("zjj", "2026-10-29T10:00:00+08:00").replied("2026-11-04T10:00:00+08:00")
            ],
        )
        .await;
        let oct = stats(&app, "period=2026-10").await["summary"].clone();
        let nov = stats(&app, "period=2026-11").await["summary"].clone();
        assert_eq!(
            (
                oct["received"].as_i64(),
                oct["replied"].as_i64(),
                oct["due"].as_i64()
            ),
            (Some(1), Some(1), Some(0))
        );
        assert_eq!(oct["on_time_rate"]["percent"], Value::Null);
        assert_eq!(
            (
                nov["received"].as_i64(),
                nov["due"].as_i64(),
                nov["replied_on_time"].as_i64()
            ),
            (Some(0), Some(1), Some(1))
        );
        assert_eq!(nov["completion_rate"]["text"], "—");
        assert_eq!(nov["on_time_rate"]["text"], "100.00%");
        assert_eq!(oct["average_working_days"], "4.00");
    }
}

#[tokio::test]
async fn a_period_without_messages_shows_dashes_and_nulls_never_zero_or_a_hundred_percent() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        let body = stats(&app, "period=2026-10").await;
        let s = &body["summary"];
        for rate in ["completion_rate", "on_time_rate", "same_day_rate"] {
            assert_eq!(s[rate]["text"], "—", "{rate}");
            assert_eq!(s[rate]["percent"], Value::Null, "{rate}");
        }
        assert_eq!(s["average_working_days"], Value::Null);
        assert_eq!(body["previous"]["completion_rate_change"]["text"], "—");
    }
}

#[tokio::test]
async fn invalid_messages_are_counted_apart_and_a_transferred_one_counts_for_its_new_department() {
    for app in TestApp::each("2026-10-20T10:00:00+08:00").await {
        let a = app.create_message("zjj", "2026-10-12T09:00:00+08:00").await;
        let b = app.create_message("zjj", "2026-10-12T09:00:00+08:00").await;
        let reason = json!({"reason": "重复留言"});
        let (s, _) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{}/invalid", a["id"]),
                &reason,
            )
            .await;
        assert_eq!(s, 200);
        let (s, out) = app
            .post(
                &app.admin,
                &format!("/api/v1/messages/{}/transfer", b["id"]),
                &json!({"department": "jyj", "reason": "职责调整"}),
            )
            .await;
        assert_eq!(s, 200, "{out}");
        let body = stats(&app, "period=2026-10").await;
        assert_eq!(
            (
                body["summary"]["received"].as_i64(),
                body["summary"]["invalid"].as_i64()
            ),
            (Some(1), Some(1))
        );
        let dept = |code: &str| {
            body["by_department"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["code"] == code)
                .unwrap()["figures"]
                .clone()
        };
        assert_eq!(dept("jyj")["received"], 1, "{}", app.backend);
        assert_eq!(dept("zjj")["received"], 0);
        assert_eq!(dept("zjj")["invalid"], 1);
    }
}

#[tokio::test]
async fn same_day_means_the_local_date_of_receipt_even_when_no_working_day_passed() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        insert(
            &app,
            vec![
                // Saturday 17 October answered the same Saturday evening: same day.
                mailbox_at("zjj", "2026-10-17T09:00:00+08:00").replied("2026-10-17T23:59:00+08:00"),
                // Friday answered on Saturday: 0 working days taken, but not the same day.
                mailbox_at("zjj", "2026-10-16T09:00:00+08:00").replied("2026-10-17T09:00:00+08:00"),
                // 23:30 answered 00:10 the next day: not the same day.
                mailbox_at("zjj", "2026-10-20T23:30:00+08:00").replied("2026-10-21T00:10:00+08:00"),
                mailbox_at("zjj", "2026-10-22T09:00:00+08:00").replied("2026-10-27T09:00:00+08:00"),
            ],
        )
        .await;
        let s = stats(&app, "period=2026-10").await["summary"].clone();
        assert_eq!(s["same_day"], 1, "{}", app.backend);
        // Working days taken 0, 0, 1, 3: average 1.00, median (0 + 1) / 2 = 0.50.
        assert_eq!(s["average_working_days"], "1.00");
        assert_eq!(s["median_working_days"], "0.50");
    }
}

#[tokio::test]
async fn changes_against_last_month_and_last_year_carry_their_sign_in_points() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        let mut v = times(
            9,
            mailbox_at("zjj", "2026-10-12T09:00:00+08:00").replied("2026-10-13T09:00:00+08:00"),
        );
        v.push(mailbox_at("zjj", "2026-10-12T09:00:00+08:00"));
        // September: 1 of 2 replied (50 %); October 2025: 4 of 4 (100 %).
        v.push(mailbox_at("zjj", "2026-09-14T09:00:00+08:00").replied("2026-09-15T09:00:00+08:00"));
        v.push(mailbox_at("zjj", "2026-09-14T09:00:00+08:00"));
        v.extend(times(
            4,
            mailbox_at("zjj", "2025-10-13T09:00:00+08:00").replied("2025-10-14T09:00:00+08:00"),
        ));
        insert(&app, v).await;
        let body = stats(&app, "period=2026-10").await;
        assert_eq!(body["summary"]["completion_rate"]["text"], "90.00%");
        assert_eq!(body["previous"]["period"], "2026-09");
        assert_eq!(
            body["previous"]["completion_rate_change"]["text"], "+40.00",
            "{}",
            app.backend
        );
        assert_eq!(
            body["previous"]["completion_rate_change"]["phrase_zh"],
            "上升40.00个百分点"
        );
        assert_eq!(body["year_earlier"]["period"], "2025-10");
        assert_eq!(
            body["year_earlier"]["completion_rate_change"]["text"],
            "-10.00"
        );
        assert_eq!(
            body["year_earlier"]["completion_rate_change"]["basis_points"],
            -1000
        );
        assert_eq!(body["previous"]["received_change"], 8);
        assert!(
            body["bulletin"]
                .as_str()
                .unwrap()
                .contains("较上月上升40.00个百分点"),
            "{}",
            body["bulletin"]
        );
    }
}

#[tokio::test]
async fn clerks_get_their_own_department_and_may_not_ask_for_another() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        insert(
            &app,
            vec![
                mailbox_at("zjj", "2026-10-12T09:00:00+08:00"),
                mailbox_at("jyj", "2026-10-12T09:00:00+08:00"),
            ],
        )
        .await;
        let clerk = app.token(Role::Clerk, Some("zjj")).await;
        let (s, body) = app.get(&clerk, "/api/v1/stats?period=2026-10").await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["summary"]["received"], 1);
        assert_eq!(body["scope"], "department:zjj");
        assert_eq!(body["by_department"].as_array().unwrap().len(), 1);
        let (s, body) = app
            .get(&clerk, "/api/v1/stats?period=2026-10&department=jyj")
            .await;
        assert_eq!((s, error_code(&body)), (403, "forbidden"));
        let leader = app.token(Role::Leader, None).await;
        let (_, body) = app
            .get(&leader, "/api/v1/stats?period=2026-10&department=jyj")
            .await;
        assert_eq!(body["summary"]["received"], 1);
    }
}

#[tokio::test]
async fn bad_periods_channels_and_departments_are_named() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        for (query, field) in [
            ("period=2026-13", "period"),
            ("period=2026-Q5", "period"),
            ("period=2026-10&channel=fax", "channel"),
            ("period=2026-10&department=nope", "department"),
        ] {
            let (s, body) = app.get(&app.admin, &format!("/api/v1/stats?{query}")).await;
            assert_eq!(
                (s, body["error"]["field"].as_str()),
                (422, Some(field)),
                "{query}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn channels_sites_and_the_department_ranking_break_the_figures_down() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        let mut v = vec![
            site_report_at("zjj", "市住建局网站", "2026-10-12T09:00:00+08:00")
                .replied("2026-10-12T11:00:00+08:00"),
            site_report_at("zjj", "市住建局网站", "2026-10-12T09:00:00+08:00"),
            site_report_at("jyj", "市教育局网站", "2026-10-12T09:00:00+08:00")
                .replied("2026-10-13T11:00:00+08:00"),
        ];
        v.push(
            mailbox_at("gov-office", "2026-10-12T09:00:00+08:00")
                .replied("2026-10-30T09:00:00+08:00"),
        );
        insert(&app, v).await;
        let body = stats(&app, "period=2026-10&channel=website_error").await;
        assert_eq!(body["summary"]["received"], 3);
        let sites: Vec<(String, i64)> = body["by_site"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["key"].as_str().unwrap().to_string(),
                    s["figures"]["received"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            sites,
            [
                ("市住建局网站".to_string(), 2),
                ("市教育局网站".to_string(), 1)
            ]
        );
        let body = stats(&app, "period=2026-10").await;
        let ranking: Vec<&str> = body["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        // jyj 1/1 on time; zjj 1/2 (one overdue); gov-office 0/1 (late).
        assert_eq!(ranking, ["jyj", "zjj", "gov-office"], "{}", app.backend);
        let zjj = &body["by_department"][1];
        assert_eq!(zjj["overdue"].as_array().unwrap().len(), 1);
        assert_eq!(zjj["overdue"][0]["status"], "逾期未办结");
        assert!(!zjj["overdue"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("13812345678"));
        assert_eq!(body["by_department"][2]["overdue"][0]["status"], "超期办结");
        assert_eq!(body["by_channel"][0]["label"], "市长信箱");
        let bulletin = body["bulletin"].as_str().unwrap();
        assert!(
            bulletin.contains("市住房和城乡建设局（1件）存在逾期未办结留言"),
            "{bulletin}"
        );
        assert!(
            bulletin.contains("市政府办公室（1件）存在超期答复留言"),
            "{bulletin}"
        );
    }
}

#[tokio::test]
async fn messages_unanswered_for_over_three_calendar_months_are_critical() {
    for app in TestApp::each("2026-11-20T10:00:00+08:00").await {
        insert(
            &app,
            vec![
                mailbox_at("zjj", "2026-08-19T09:00:00+08:00"),
                mailbox_at("zjj", "2026-08-21T09:00:00+08:00"),
                mailbox_at("zjj", "2026-07-01T09:00:00+08:00").replied("2026-11-01T09:00:00+08:00"),
            ],
        )
        .await;
        let body = stats(&app, "period=2026-10").await;
        assert_eq!(body["summary"]["critical"], 1, "{}", app.backend);
        assert!(body["bulletin"]
            .as_str()
            .unwrap()
            .contains("超过三个月未答复的留言1件"));
    }
}
