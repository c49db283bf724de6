//! Deterministic workload generator: realistic Chinese messages for both channels over two years, with outcomes (replies, transfers, pauses, extensions) for a configurable share.

use std::io::Write;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

/// 24 departments of a mid-sized city: (code, name).
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("gov-office", "市政府办公室"),
    ("fgw", "市发展和改革委员会"),
    ("jyj", "市教育局"),
    ("kjj", "市科学技术局"),
    ("gxj", "市工业和信息化局"),
    ("gaj", "市公安局"),
    ("mzj", "市民政局"),
    ("sfj", "市司法局"),
    ("czj", "市财政局"),
    ("rsj", "市人力资源和社会保障局"),
    ("zrj", "市自然资源局"),
    ("hbj", "市生态环境局"),
    ("zjj", "市住房和城乡建设局"),
    ("jtj", "市交通运输局"),
    ("slj", "市水利局"),
    ("nyj", "市农业农村局"),
    ("swj", "市商务局"),
    ("wlj", "市文化广电和旅游局"),
    ("wjw", "市卫生健康委员会"),
    ("yjj", "市应急管理局"),
    ("scj", "市市场监督管理局"),
    ("ybj", "市医疗保障局"),
    ("sjj", "市政务服务和数据管理局"),
    ("cgj", "市城市管理局"),
];

const TOPICS: &[&str] = &[
    "小区加装电梯审批进度",
    "老旧小区改造施工扰民",
    "公租房申请条件",
    "学区划分",
    "课后服务收费",
    "灵活就业人员社保缴费",
    "企业拖欠工资",
    "户口迁移办理材料",
    "夜间施工噪音",
    "医保异地就医备案",
    "公交线路调整",
    "道路破损维修",
    "食品安全问题",
    "预付卡退费难",
    "工地扬尘污染",
    "河道异味",
    "高龄津贴申领",
    "不动产登记进度",
    "违法占地",
    "餐饮油烟扰民",
    "停车位收费标准",
    "供暖不达标",
];
const MAILBOX_CATEGORIES: &[(&str, &str)] = &[
    ("consultation", "咨询"),
    ("consultation", "咨询"),
    ("consultation", "咨询"),
    ("complaint", "投诉"),
    ("complaint", "投诉"),
    ("suggestion", "建议"),
    ("help", "求助"),
    ("report", "举报"),
];
const SITE_ERRORS: &[&str] = &[
    "栏目链接打不开",
    "通知公告栏目长期未更新",
    "办事指南电话号码错误",
    "搜索功能无法使用",
    "政策解读栏目为空白栏目",
    "页面存在错别字",
    "附件无法下载",
    "信息公开年报缺失",
];
const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林',
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛",
    "明",
];

/// The import-format line of one message.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub channel: &'static str,
    pub category: &'static str,
    pub subject: String,
    pub body: String,
    pub department: &'static str,
    pub received_at: String,
    pub external_id: String,
    pub citizen: Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteLine {
    pub name: String,
    pub url: String,
}

/// What later happens to a generated message (used by the dataset loader).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Hours after receipt at which it is answered, if it is.
    pub reply_after_hours: Option<i64>,
    pub transferred: bool,
    pub paused: bool,
    pub extension_days: u32,
}

/// A generated message: its intake line and its fate.
#[derive(Debug, Clone)]
pub struct Generated {
    pub line: Line,
    pub received_at: DateTime<Utc>,
    pub outcome: Outcome,
}

/// Parameters of a workload.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub seed: u64,
    /// First and last day of receipts (local dates).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Share of messages answered (0.0–1.0).
    pub reply_share: f64,
    /// Spread this many messages over the window in receipt order, as a platform's
    /// export lists them and as a live system stores them; 0 draws each receipt day
    /// at random (an unordered backfill).
    pub in_order: u64,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            seed: 2026,
            from: NaiveDate::from_ymd_opt(2024, 11, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap_or_default(),
            reply_share: 0.9,
            in_order: 0,
        }
    }
}

/// An endless, reproducible stream of messages.
pub struct Generator {
    rng: SmallRng,
    workload: Workload,
    days: i64,
    next: u64,
}

impl Generator {
    pub fn new(workload: Workload) -> Generator {
        Generator {
            rng: SmallRng::seed_from_u64(workload.seed),
            days: (workload.to - workload.from).num_days().max(0) + 1,
            workload,
            next: 0,
        }
    }

    fn received_at(&mut self) -> DateTime<Utc> {
        let offset = match self.workload.in_order {
            0 => self.rng.gen_range(0..self.days),
            total => ((self.next.saturating_sub(1) * self.days as u64) / total) as i64,
        };
        let day = self.workload.from + Duration::days(offset.min(self.days - 1));
        // Most messages arrive in the day, a few at night; weekends and holidays get them too.
        let secs = if self.rng.gen_bool(0.85) {
            self.rng.gen_range(8 * 3600..22 * 3600)
        } else {
            self.rng.gen_range(0..86_400)
        };
        let local = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(secs);
        chrono_tz::Asia::Shanghai
            .from_local_datetime(&local)
            .earliest()
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.gen_range(0..items.len())]
    }
}

impl Iterator for Generator {
    type Item = Generated;

    fn next(&mut self) -> Option<Generated> {
        self.next += 1;
        let n = self.next;
        let received_at = self.received_at();
        let (department, dept_name) = self.pick(DEPARTMENTS);
        let name = format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN));
        let citizen = Contact {
            name,
            phone: format!(
                "1{}{:09}",
                self.rng.gen_range(3..10),
                self.rng.gen_range(0..1_000_000_000u64)
            ),
        };
        let line = if self.rng.gen_bool(0.3) {
            let error = self.pick(SITE_ERRORS);
            let site = format!("{dept_name}网站");
            Line {
                channel: "website_error",
                category: "error_report",
                subject: format!("{site}{error}"),
                body: format!("您好，我在访问{site}时发现{error}，请核实处理。"),
                department,
                received_at: received_at.to_rfc3339(),
                external_id: format!("ZC{n:010}"),
                citizen,
                site: Some(SiteLine {
                    name: site,
                    url: format!("https://{department}.example.gov.cn/p/{}", n % 977),
                }),
            }
        } else {
            let (category, label) = self.pick(MAILBOX_CATEGORIES);
            let topic = self.pick(TOPICS);
            Line {
                channel: "mayor_mailbox",
                category,
                subject: format!("关于{topic}的{label}"),
                body: format!("市长您好：我想反映{topic}的问题。具体情况是这样的，希望有关部门尽快核实并答复，谢谢！"),
                department,
                received_at: received_at.to_rfc3339(),
                external_id: format!("SZXX{n:010}"),
                citizen,
                site: None,
            }
        };
        let replied = self.rng.gen_bool(self.workload.reply_share);
        let outcome = Outcome {
            // Most answers within a week, a tail up to three weeks.
            reply_after_hours: replied.then(|| {
                if self.rng.gen_bool(0.85) {
                    self.rng.gen_range(1..24 * 7)
                } else {
                    self.rng.gen_range(24 * 7..24 * 21)
                }
            }),
            transferred: self.rng.gen_bool(0.05),
            paused: self.rng.gen_bool(0.03),
            extension_days: if self.rng.gen_bool(0.02) { 5 } else { 0 },
        };
        Some(Generated {
            line,
            received_at,
            outcome,
        })
    }
}

/// Writes `count` import lines; returns the bytes written.
pub fn write_lines(workload: Workload, count: usize, out: &mut dyn Write) -> std::io::Result<u64> {
    let mut written = 0u64;
    let mut buf = Vec::with_capacity(512);
    for g in Generator::new(workload).take(count) {
        buf.clear();
        serde_json::to_writer(&mut buf, &g.line)?;
        buf.push(b'\n');
        out.write_all(&buf)?;
        written += buf.len() as u64;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_workload() {
        let a: Vec<String> = Generator::new(Workload::default())
            .take(50)
            .map(|g| g.line.subject)
            .collect();
        let b: Vec<String> = Generator::new(Workload::default())
            .take(50)
            .map(|g| g.line.subject)
            .collect();
        assert_eq!(a, b);
        let c: Vec<String> = Generator::new(Workload {
            seed: 7,
            ..Workload::default()
        })
        .take(50)
        .map(|g| g.line.subject)
        .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn receipts_stay_in_the_window_and_cover_both_channels() {
        let w = Workload::default();
        let all: Vec<Generated> = Generator::new(w).take(2000).collect();
        let tz = chrono_tz::Asia::Shanghai;
        assert!(all.iter().all(|g| {
            let d = g.received_at.with_timezone(&tz).date_naive();
            d >= w.from && d <= w.to
        }));
        let web = all
            .iter()
            .filter(|g| g.line.channel == "website_error")
            .count();
        assert!(web > 400 && web < 800, "{web}");
        let replied = all
            .iter()
            .filter(|g| g.outcome.reply_after_hours.is_some())
            .count();
        assert!(replied > 1700 && replied < 1900, "{replied}");
    }

    #[test]
    fn in_order_receipts_run_through_the_window_day_by_day() {
        let w = Workload {
            in_order: 3000,
            ..Workload::default()
        };
        let tz = chrono_tz::Asia::Shanghai;
        let days: Vec<NaiveDate> = Generator::new(w)
            .take(3000)
            .map(|g| g.received_at.with_timezone(&tz).date_naive())
            .collect();
        assert!(days.windows(2).all(|p| p[0] <= p[1]));
        assert_eq!(days[0], w.from);
        assert_eq!(days[2999], w.to);
    }
}
