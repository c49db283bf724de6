//! Demo data and first-run help: a dozen departments, their staff and a few hundred messages over recent months, stored through the real workflow.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::auth::{Principal, Role};
use crate::db::Db;
use crate::directory::{self, DepartmentCode, StaffInput};
use crate::error::AppError;
use crate::messages::Workflow;
use crate::messages::{MessageForm, Site};
use crate::privacy::Citizen;

/// The password of every demo account (printed by `huiyin demo`).
pub const DEMO_PASSWORD: &str = "huiyin-demo";

/// (code, name, what citizens write to it about)
const DEPARTMENTS: &[(&str, &str, &[&str])] = &[
    (
        "gov-office",
        "市政府办公室",
        &["关于市长信箱回复时限的咨询", "建议公开市政府常务会议议题"],
    ),
    (
        "zjj",
        "市住房和城乡建设局",
        &[
            "小区加装电梯审批进度咨询",
            "老旧小区改造施工扰民投诉",
            "公租房申请条件咨询",
            "商品房延期交房投诉",
        ],
    ),
    (
        "jyj",
        "市教育局",
        &[
            "小学入学学区划分咨询",
            "课后服务收费问题反映",
            "建议增加公办幼儿园学位",
            "校车安全问题反映",
        ],
    ),
    (
        "rsj",
        "市人力资源和社会保障局",
        &[
            "灵活就业人员社保缴费咨询",
            "企业拖欠工资求助",
            "职业技能补贴申领咨询",
            "退休金核定问题咨询",
        ],
    ),
    (
        "gaj",
        "市公安局",
        &[
            "户口迁移办理材料咨询",
            "夜间道路噪音扰民投诉",
            "身份证异地换领咨询",
            "小区周边违停问题举报",
        ],
    ),
    (
        "wjw",
        "市卫生健康委员会",
        &[
            "医保异地就医备案咨询",
            "社区卫生服务中心服务态度投诉",
            "建议延长疫苗接种点服务时间",
        ],
    ),
    (
        "jtj",
        "市交通运输局",
        &[
            "公交线路调整建议",
            "出租车拒载投诉",
            "道路破损维修求助",
            "建议增设公交站点",
        ],
    ),
    (
        "scj",
        "市市场监督管理局",
        &[
            "食品安全问题举报",
            "个体工商户注册咨询",
            "商家虚假宣传投诉",
            "预付卡退费难求助",
        ],
    ),
    (
        "hbj",
        "市生态环境局",
        &["工地扬尘污染举报", "河道异味问题反映", "餐饮油烟扰民投诉"],
    ),
    (
        "mzj",
        "市民政局",
        &[
            "高龄津贴申领咨询",
            "养老机构收费问题反映",
            "婚姻登记预约咨询",
        ],
    ),
    (
        "zrj",
        "市自然资源局",
        &[
            "不动产登记办理进度咨询",
            "宅基地审批政策咨询",
            "违法占地问题举报",
        ],
    ),
    (
        "sjj",
        "市政务服务和数据管理局",
        &[
            "政务服务网无法登录",
            "办事指南与实际不符",
            "建议增加网上办理事项",
        ],
    ),
];

/// Sites and errors for the 我为政府网站找错 channel.
const SITE_ERRORS: &[(&str, &str, &str, &str)] = &[
    (
        "zjj",
        "市住房和城乡建设局网站",
        "https://zjj.example.gov.cn/zwgk/",
        "政策文件栏目链接打不开",
    ),
    (
        "jyj",
        "市教育局网站",
        "https://jyj.example.gov.cn/tzgg/",
        "通知公告栏目超过半年未更新",
    ),
    (
        "rsj",
        "市人力资源和社会保障局网站",
        "https://rsj.example.gov.cn/bszn/",
        "办事指南中的电话号码错误",
    ),
    (
        "sjj",
        "市政务服务网",
        "https://zwfw.example.gov.cn/",
        "首页搜索功能无法使用",
    ),
    (
        "gov-office",
        "市人民政府门户网站",
        "https://www.example.gov.cn/zcjd/",
        "政策解读栏目为空白栏目",
    ),
    (
        "hbj",
        "市生态环境局网站",
        "https://hbj.example.gov.cn/hjzl/",
        "空气质量数据显示错误",
    ),
    (
        "jtj",
        "市交通运输局网站",
        "https://jtj.example.gov.cn/gjxl/",
        "公交线路图为过期信息",
    ),
];

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱',
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
];
const MAILBOX_CATEGORIES: &[&str] = &[
    "consultation",
    "consultation",
    "consultation",
    "complaint",
    "complaint",
    "suggestion",
    "help",
    "report",
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

fn load_messages(db: &Db, workflow: &Workflow, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut rng = StdRng::seed_from_u64(20_261_123);
    let intake = Principal {
        role: Role::Admin,
        department: None,
        actor: "demo:intake".into(),
        staff_id: None,
    };
    let mut count = 0;
    for i in 0..360 {
        let website = rng.gen_bool(0.25);
        let received = received_time(&mut rng, now, 125);
        let form = if website {
            let (dept, site, url, error) = SITE_ERRORS[rng.gen_range(0..SITE_ERRORS.len())];
            MessageForm {
                channel: "website_error".into(),
                category: "error_report".into(),
                subject: format!("{site}：{error}"),
                body: format!("您好，我在访问{site}（{url}）时发现{error}，请尽快核实处理。"),
                department: dept.into(),
                received_at: Some(received.to_rfc3339()),
                external_id: Some(format!("ZC-{:06}", 100_000 + i)),
                citizen: Some(citizen(&mut rng)),
                site: Some(Site {
                    name: site.into(),
                    url: url.into(),
                }),
            }
        } else {
            let (dept, _, subjects) = DEPARTMENTS[rng.gen_range(0..DEPARTMENTS.len())];
            let subject = subjects[rng.gen_range(0..subjects.len())];
            MessageForm {
                channel: "mayor_mailbox".into(),
                category: MAILBOX_CATEGORIES[rng.gen_range(0..MAILBOX_CATEGORIES.len())].into(),
                subject: subject.into(),
                body: format!("市长您好：{subject}，具体情况如下，恳请相关部门尽快答复。谢谢！"),
                department: dept.into(),
                received_at: Some(received.to_rfc3339()),
                external_id: Some(format!("SZXX-{:06}", 200_000 + i)),
                citizen: Some(citizen(&mut rng)),
                site: None,
            }
        };
        let msg = form.parse(&workflow.policy, now)?;
        let dept = msg.department.clone();
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
        // Most messages are answered, a few late, some still open (and a few overdue or critical).
        let roll: f64 = rng.gen();
        if roll < 0.82 {
            let delay = Duration::hours(rng.gen_range(1..(24 * 9)));
            let replied_at = (received + delay).min(now);
            let body = "您好！您反映的问题已收悉，经核实，我单位已安排专人处理，具体情况如下。感谢您对我们工作的支持。".to_string();
            db.write_blocking(|conn| {
                workflow
                    .reply(conn, &clerk, row_id, body, Some(replied_at), replied_at)
                    .map(|_| ())
            })?;
            // Reviewed replies (找错) are accepted by the office the next day; the last two
            // days' still wait, so the review queue is not empty.
            let reviewed_at = replied_at + Duration::days(1);
            let channel = if website {
                "website_error"
            } else {
                "mayor_mailbox"
            };
            if workflow.needs_review(channel) && reviewed_at < now - Duration::days(1) {
                db.write_blocking(|conn| {
                    workflow
                        .review(conn, &reviewer(), row_id, true, None, reviewed_at)
                        .map(|_| ())
                })?;
            }
        } else if roll < 0.85 && workflow.may_pause_directly(&clerk, dept.as_str()) {
            // Only where the pause policy lets a clerk stop the clock; otherwise it stays open.
            let at = received + Duration::hours(3);
            db.write_blocking(|conn| {
                workflow
                    .pause(
                        conn,
                        &clerk,
                        row_id,
                        "请群众补充小区名称及楼栋号".into(),
                        at.min(now),
                    )
                    .map(|_| ())
            })?;
        } else if roll < 0.87 {
            db.write_blocking(|conn| {
                workflow
                    .mark_invalid(conn, &clerk, row_id, "重复留言".into(), now)
                    .map(|_| ())
            })?;
        }
    }
    Ok(count + load_inspection_cases(db, workflow, now, &intake)?)
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
