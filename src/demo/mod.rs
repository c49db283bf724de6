//! Demo data and first-run help: a dozen departments, their staff and a few hundred messages over recent months, stored through the real workflow.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::auth::{Principal, Role};
use crate::db::Db;
use crate::directory::{self, DepartmentCode, StaffInput};
use crate::error::AppError;
use crate::messages::Workflow;
use crate::messages::{MessageForm, Site};
use crate::privacy::Citizen;
use crate::sla::Timeline;

mod data;

use data::{reply_for, COMMON_ERRORS, DEPARTMENTS, PLACES, SITE_ERRORS};

/// The password of every demo account (printed by `huiyin demo`).
pub const DEMO_PASSWORD: &str = "huiyin-demo";

/// (code, name, what citizens write to it about)
const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱',
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
];
/// Demo staff emails follow `clerk.CODE@demo.gov.cn`, `supervisor.CODE@demo.gov.cn`.
fn staff_email(role: &str, code: &str) -> String {
    format!("{role}.{code}@demo.gov.cn")
}

/// Loads the demo data into an empty database; returns a summary with the logins.
pub fn load(db: &Db, workflow: &Workflow, now: DateTime<Utc>) -> anyhow::Result<String> {
    let mut conn = db.get()?;
    if !directory::list_departments(&mut conn)?.is_empty() {
        anyhow::bail!(
            "the database already has departments: the demo data goes into an empty database"
        );
    }
    drop(conn);
    let hash = crate::auth::hash_password(DEMO_PASSWORD)?;
    db.write_blocking(|conn| {
        let ts = now.timestamp();
        for (code, name, _) in DEPARTMENTS {
            let code =
                DepartmentCode::parse(code).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
            let parent = DepartmentCode::parse("gov-office")
                .ok()
                .filter(|p| *p != code);
            directory::add_department(conn, &code, name, parent.as_ref(), ts)?;
            for (role, title) in [(Role::Clerk, "承办人"), (Role::Supervisor, "科室负责人")]
            {
                directory::add_staff(
                    conn,
                    StaffInput {
                        name: &format!("{name}{title}"),
                        email: &staff_email(role.as_str(), code.as_str()),
                        role,
                        department: Some(&code),
                        password_hash: Some(&hash),
                    },
                    ts,
                )?;
            }
        }
        for (role, name, email) in [
            (Role::Leader, "分管副秘书长", "leader@demo.gov.cn"),
            (Role::Admin, "系统管理员", "admin@demo.gov.cn"),
        ] {
            directory::add_staff(
                conn,
                StaffInput {
                    name,
                    email,
                    role,
                    department: None,
                    password_hash: Some(&hash),
                },
                ts,
            )?;
        }
        Ok(())
    })?;
    let count = load_messages(db, workflow, now)?;
    Ok(format!(
        "demo data loaded: {} departments, {} messages.\n\
         web logins (password {DEMO_PASSWORD}): clerk.zjj@demo.gov.cn (承办人), supervisor.zjj@demo.gov.cn (科室负责人), leader@demo.gov.cn (领导), admin@demo.gov.cn (管理员)",
        DEPARTMENTS.len(),
        count
    ))
}

fn citizen(rng: &mut StdRng) -> Citizen {
    let name = format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    );
    Citizen {
        name: Some(name),
        phone: Some(format!(
            "13{}{:08}",
            rng.gen_range(0..10),
            rng.gen_range(0..100_000_000u32)
        )),
        email: None,
    }
}

/// A receipt time within the last `days` days, mostly in office hours.
fn received_time(rng: &mut StdRng, now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let day = rng.gen_range(1..=days);
    // 00:00–16:00 UTC is 08:00–24:00 in Beijing.
    let secs = rng.gen_range(0..16 * 3600);
    let base = now - Duration::days(day);
    base.date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(base, |d| d.and_utc())
        + Duration::seconds(secs)
}

/// A reply time for a message received at `received` and due at `due`: in working hours
/// (09:00–17:30 local) on a working day, `working_days` after the day of receipt (0: the same day
/// when that is a working day and time is left), never before receipt.
fn reply_time(
    rng: &mut StdRng,
    tl: &Timeline,
    received: DateTime<Utc>,
    working_days: u32,
) -> DateTime<Utc> {
    let cal = tl.calendar();
    let day = tl.local_date(received);
    let date = match working_days {
        0 => cal.next_workday_on_or_after(day).unwrap_or(day),
        n => cal.add_working_days(day, n).unwrap_or(day),
    };
    let minutes = rng.gen_range(9 * 60..17 * 60 + 30);
    let local = date
        .and_hms_opt(minutes / 60, minutes % 60, 0)
        .unwrap_or_default();
    let at = tl
        .tz()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc));
    match at {
        Some(t) if t > received + Duration::minutes(20) => t,
        // Received after office hours that day: the next working day.
        _ => reply_time(rng, tl, received, working_days + 1),
    }
}

fn load_messages(db: &Db, workflow: &Workflow, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(20_261_123);
    let intake = Principal {
        role: Role::Admin,
        department: None,
        actor: "demo:intake".into(),
        staff_id: None,
    };
    let tl = &workflow.timeline;
    let mut count = 0;
    for i in 0..360 {
        let website = rng.gen_bool(0.25);
        let received = received_time(&mut rng, now, 125);
        let (form, category) = if website {
            let (dept, site, url, own) = SITE_ERRORS[rng.gen_range(0..SITE_ERRORS.len())];
            let error = if rng.gen_bool(0.3) {
                own
            } else {
                COMMON_ERRORS[rng.gen_range(0..COMMON_ERRORS.len())]
            };
            let mut form = site_error((dept, site, url, error));
            form.external_id = Some(format!("ZC-{:06}", 100_000 + i));
            (form, "error_report")
        } else {
            let (dept, _, subjects) = DEPARTMENTS[rng.gen_range(0..DEPARTMENTS.len())];
            let (category, template) = subjects[rng.gen_range(0..subjects.len())];
            let place = PLACES[rng.gen_range(0..PLACES.len())];
            let mut form = mailbox(dept, category, &template.replace("{}", place));
            form.external_id = Some(format!("SZXX-{:06}", 200_000 + i));
            (form, category)
        };
        let form = MessageForm {
            received_at: Some(received.to_rfc3339()),
            citizen: Some(citizen(&mut rng)),
            ..form
        };
        let msg = form.parse(&workflow.policy, now)?;
        let dept = msg.department.clone();
        let due = workflow.due_at(&msg)?;
        let row_id = db
            .write_blocking(|conn| workflow.create(conn, msg, &intake.actor, received))?
            .id();
        count += 1;
        let clerk = Principal {
            role: Role::Clerk,
            department: Some(dept.clone()),
            actor: format!("demo:{}", staff_email("clerk", dept.as_str())),
            staff_id: None,
        };
        let limit = tl.working_days_between(received, due).unwrap_or(1).max(1) as u32;
        // Most are answered within the limit, a few late; the last weeks' still open; a few
        // invalid. Nothing older than a month stays open here: the register's cases are below.
        let roll: f64 = rng.gen();
        let recent = now - received < Duration::days(20);
        let replied_at = if roll < 0.02 {
            db.write_blocking(|conn| {
                workflow
                    .mark_invalid(
                        conn,
                        &clerk,
                        row_id,
                        "重复留言".into(),
                        received + Duration::hours(4),
                    )
                    .map(|_| ())
            })?;
            continue;
        } else if recent && roll < 0.35 {
            if roll < 0.05 && workflow.may_pause_directly(&clerk, dept.as_str()) {
                let at = (received + Duration::hours(3)).min(now);
                db.write_blocking(|conn| {
                    workflow
                        .pause(
                            conn,
                            &clerk,
                            row_id,
                            "请群众补充小区名称及楼栋号".into(),
                            at,
                        )
                        .map(|_| ())
                })?;
            }
            continue;
        } else if (0.12..0.15).contains(&roll) && !website && !recent {
            // The department asks for five more working days; the office approves; the reply
            // comes within the new deadline.
            let asked = reply_time(&mut rng, tl, received, 1);
            let id = row_id;
            let days = crate::sla::WorkingDays::new(5).map_err(|e| anyhow::anyhow!(e))?;
            let request = db.write_blocking(|conn| {
                workflow.request_extension(
                    conn,
                    &clerk,
                    id,
                    days,
                    "需协调多个部门现场核查".into(),
                    asked,
                )
            })?;
            let approved = reply_time(&mut rng, tl, asked, 0);
            let approver = extension_approver_for(workflow, &dept, days.get());
            db.write_blocking(|conn| {
                workflow
                    .decide_extension(conn, &approver, id, request.id, true, None, approved)
                    .map(|_| ())
            })?;
            let days = limit + rng.gen_range(1..=5);
            reply_time(&mut rng, tl, received, days)
        } else if (0.15..0.17).contains(&roll) && !website && dept.as_str() != "gov-office" {
            // Not this department's business: back to the office, which assigns it on.
            let returned = reply_time(&mut rng, tl, received, 0);
            let id = row_id;
            db.write_blocking(|conn| {
                workflow
                    .return_to_office(
                        conn,
                        &clerk,
                        id,
                        "该事项不属于本单位职责范围，请重新交办。".into(),
                        returned,
                    )
                    .map(|_| ())
            })?;
            let (to, _, _) = DEPARTMENTS[1 + rng.gen_range(0..DEPARTMENTS.len() - 1)];
            let to = DepartmentCode::parse(if to == dept.as_str() { "zjj" } else { to })
                .map_err(|e| anyhow::anyhow!(e))?;
            let reassigned = reply_time(&mut rng, tl, returned, 0);
            db.write_blocking(|conn| {
                workflow
                    .reassign(
                        conn,
                        &office_supervisor(),
                        id,
                        &to,
                        "经核实，转交职能部门办理。".into(),
                        true,
                        reassigned,
                    )
                    .map(|_| ())
            })?;
            let replier = Principal {
                department: Some(to.clone()),
                actor: format!("demo:{}", staff_email("clerk", to.as_str())),
                ..clerk.clone()
            };
            let days = rng.gen_range(1..=limit);
            let at = reply_time(&mut rng, tl, reassigned, days);
            if at < now {
                let body = reply_for(category).to_string();
                db.write_blocking(|conn| {
                    workflow
                        .reply(conn, &replier, id, body, Some(at), at)
                        .map(|_| ())
                })?;
            }
            continue;
        } else if roll < 0.08 {
            // Late by one to four working days.
            let days = limit + rng.gen_range(1..=4);
            reply_time(&mut rng, tl, received, days)
        } else if roll < 0.12 {
            reply_time(&mut rng, tl, received, 0)
        } else {
            let days = rng.gen_range(1..=limit);
            reply_time(&mut rng, tl, received, days)
        };
        if replied_at >= now {
            continue;
        }
        let body = reply_for(category).to_string();
        db.write_blocking(|conn| {
            workflow
                .reply(conn, &clerk, row_id, body, Some(replied_at), replied_at)
                .map(|_| ())
        })?;
        if workflow.needs_review(if website {
            "website_error"
        } else {
            "mayor_mailbox"
        }) {
            review(db, workflow, &mut rng, &clerk, row_id, replied_at, now)?;
        }
    }
    Ok(count + load_inspection_cases(db, workflow, now, &intake)?)
}

/// The office reviews a 找错 reply within the next working hours: one in eight goes back to the
/// department (退回修改) and is submitted again; the last day's replies still wait.
fn review(
    db: &Db,
    workflow: &Workflow,
    rng: &mut StdRng,
    clerk: &Principal,
    id: i64,
    replied_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let tl = &workflow.timeline;
    let mut at = reply_time(rng, tl, replied_at, 0);
    if rng.gen_bool(0.125) && at < now {
        let reason = "答复未说明整改完成时间，请补充后重新提交。".to_string();
        db.write_blocking(|conn| {
            workflow
                .review(conn, &reviewer(), id, false, Some(reason), at)
                .map(|_| ())
        })?;
        let again = reply_time(rng, tl, at, 0);
        if again >= now {
            return Ok(());
        }
        let body = format!("{}整改已于当日完成。", reply_for("error_report"));
        db.write_blocking(|conn| {
            workflow
                .reply(conn, clerk, id, body, Some(again), again)
                .map(|_| ())
        })?;
        at = reply_time(rng, tl, again, 0);
    }
    if at < now - Duration::days(1) {
        db.write_blocking(|conn| {
            workflow
                .review(conn, &reviewer(), id, true, None, at)
                .map(|_| ())
        })?;
    }
    Ok(())
}

/// The office's supervisor (督查), who decides extension requests and assigns returned messages.
fn office_supervisor() -> Principal {
    Principal {
        role: Role::Supervisor,
        department: DepartmentCode::parse("gov-office").ok(),
        actor: "demo:supervisor.gov-office@demo.gov.cn".into(),
        staff_id: None,
    }
}

/// Who decides the demo's extension requests under `[handling] extension_approver`: the
/// office's supervisor by default, the department's own where the setting says so (the browser
/// test runs the demo that way).
fn extension_approver_for(workflow: &Workflow, dept: &DepartmentCode, days: u32) -> Principal {
    match crate::auth::extension_approver(days, &workflow.rules) {
        crate::auth::Approver::Office => office_supervisor(),
        crate::auth::Approver::Department => Principal {
            role: Role::Supervisor,
            department: Some(dept.clone()),
            actor: format!("demo:{}", staff_email("supervisor", dept.as_str())),
            staff_id: None,
        },
    }
}

/// The office leader who accepts reviewed replies in the demo.
fn reviewer() -> Principal {
    Principal {
        role: Role::Leader,
        department: None,
        actor: "demo:leader@demo.gov.cn".into(),
        staff_id: None,
    }
}

/// What the inspection self-check (迎检自查) finds in the demo, relative to `now`: two
/// consultations on the veto register (one unanswered for more than three months, one answered
/// only after four) and two 找错 messages that cost appraisal points (one unfinished, one
/// finished after 33 days). The 找错 ones count for the appraisal of the year they were received
/// in, which in the first two months of a year is the year before. Returns how many messages it
/// added.
fn load_inspection_cases(
    db: &Db,
    workflow: &Workflow,
    now: DateTime<Utc>,
    intake: &Principal,
) -> anyhow::Result<usize> {
    let day = Duration::days(1);
    // (form, received, answered how long after receipt)
    let cases = [
        (
            mailbox("zjj", "consultation", "公租房申请条件咨询"),
            now - day * 100,
            None,
        ),
        (
            mailbox("jyj", "consultation", "小学入学学区划分咨询"),
            now - day * 150,
            Some(day * 125),
        ),
        (site_error(SITE_ERRORS[2]), now - day * 20, None),
        (site_error(SITE_ERRORS[6]), now - day * 60, Some(day * 33)),
    ];
    let count = cases.len();
    let mut rng = StdRng::seed_from_u64(20_261_203);
    for (n, (mut form, received, reply_after)) in cases.into_iter().enumerate() {
        form.received_at = Some(received.to_rfc3339());
        form.external_id = Some(format!("YJZC-{:04}", n + 1));
        form.citizen = Some(citizen(&mut rng));
        let msg = form.parse(&workflow.policy, now)?;
        let dept = msg.department.clone();
        let id = db
            .write_blocking(|conn| workflow.create(conn, msg, &intake.actor, received))?
            .id();
        let Some(after) = reply_after else { continue };
        let clerk = Principal {
            role: Role::Clerk,
            department: Some(dept.clone()),
            actor: format!("demo:{}", staff_email("clerk", dept.as_str())),
            staff_id: None,
        };
        let at = received + after;
        let body = "您好！您反映的问题已办理，具体情况如下。感谢您的监督。".to_string();
        db.write_blocking(|conn| {
            let row = workflow.reply(conn, &clerk, id, body, Some(at), at)?;
            if row.review_pending {
                workflow.review(conn, &reviewer(), id, true, None, at + Duration::hours(2))?;
            }
            Ok(())
        })?;
    }
    Ok(count)
}

/// A 找错 report of one of [`SITE_ERRORS`].
fn site_error((dept, site, url, error): (&str, &str, &str, &str)) -> MessageForm {
    MessageForm {
        channel: "website_error".into(),
        category: "error_report".into(),
        subject: format!("{site}：{error}"),
        body: format!("您好，我在访问{site}（{url}）时发现{error}，请尽快核实处理。"),
        department: dept.into(),
        received_at: None,
        external_id: None,
        citizen: None,
        site: Some(Site {
            name: site.into(),
            url: url.into(),
        }),
    }
}

/// A mayor's-mailbox message of `category` about `subject`.
fn mailbox(dept: &str, category: &str, subject: &str) -> MessageForm {
    MessageForm {
        channel: "mayor_mailbox".into(),
        category: category.into(),
        subject: subject.into(),
        body: format!("市长您好：{subject}，具体情况如下，恳请相关部门尽快答复。谢谢！"),
        department: dept.into(),
        received_at: None,
        external_id: None,
        citizen: None,
        site: None,
    }
}

/// What the first start of an empty database did.
#[derive(Default)]
pub struct FirstRun {
    /// Lines to print (no secret in them).
    pub notes: Vec<String>,
    /// The admin API token created, if any: a secret, for the caller to hand over safely.
    pub token: Option<String>,
}

/// On the first start of an empty database: creates an admin token and says how to go on.
/// Returns `None` when the database was set up before.
pub fn first_run(
    db: &Db,
    workflow: &Workflow,
    now: DateTime<Utc>,
    demo: bool,
) -> anyhow::Result<Option<FirstRun>> {
    let mut first = FirstRun::default();
    if demo && directory::list_departments(&mut *db.get()?)?.is_empty() {
        first.notes.push(load(db, workflow, now)?);
    }
    if !directory::list_tokens(&mut *db.get()?)?.is_empty() {
        return Ok((!first.notes.is_empty()).then_some(first));
    }
    let (_, token) = db.write_blocking(|conn| {
        directory::create_token(conn, "bootstrap-admin", Role::Admin, None, now.timestamp())
    })?;
    first.token = Some(token);
    if directory::list_departments(&mut *db.get()?)?.is_empty() {
        first.notes.push("no departments yet: load sample data with `cargo run --release -- demo`, or add them with `huiyin dept add`".into());
    }
    Ok(Some(first))
}
