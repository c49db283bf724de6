//! The handling rules in force on the admin policy page (系统管理 → 办理时限): each `[handling]`
//! setting with its value in words and the published rule its default follows.

use crate::auth::Role;
use crate::config::{ExtensionApprover, HandlingSettings, PausePolicy};

/// One handling rule: what it decides, its setting, its value and its source.
#[derive(Debug, Clone)]
pub struct RuleLine {
    pub rule: &'static str,
    pub setting: &'static str,
    pub value: String,
    pub source: &'static str,
}

fn roles_zh(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.label_zh()).collect();
    if names.is_empty() {
        "无".into()
    } else {
        names.join("、")
    }
}

/// The rules of `[handling]` in words, for the admin page.
pub fn handling_rules(rules: &HandlingSettings) -> Vec<RuleLine> {
    let office = &rules.office_department;
    vec![
        RuleLine {
            rule: "延期审批",
            setting: "handling.extension_approver",
            value: match rules.extension_approver {
                ExtensionApprover::Office => {
                    format!("办公室审批（{office}的科室负责人或管理员）")
                }
                ExtensionApprover::Department => "本部门科室负责人审批（或管理员）".into(),
                ExtensionApprover::DepartmentThenOffice => format!(
                    "{}个工作日以内由本部门科室负责人审批，超过的由办公室（{office}）审批",
                    rules.department_approves_up_to_working_days
                ),
            },
            source: "默认按黄山市长信箱和网络问政办理规则：承办单位申请延期，由督查（办公室）审批；部分城市允许部门负责人审批短期延期（department_then_office）。",
        },
        RuleLine {
            rule: "延期时限",
            setting: "config/sla.toml max_total_working_days",
            value: "自受理起累计上限，按渠道和类别见上表".into(),
            source: "黄山市长信箱、网络问政办理规则：办理时限（含延期）累计不超过15个工作日；部分领导信箱为30个工作日。",
        },
        RuleLine {
            rule: "延期申请时间",
            setting: "handling.extension_lead_working_days",
            value: match rules.extension_lead_working_days {
                0 => "办理期限届满前".to_string(),
                n => format!("办理期限届满前至少{n}个工作日"),
            },
            source: "各地规则：延期须在期限届满前申请，逾期申请视为逾期答复。",
        },
        RuleLine {
            rule: "直接转办",
            setting: "handling.direct_transfer_roles",
            value: format!(
                "办公室工作人员、领导、管理员，以及：{}；其他人员退回办公室",
                roles_zh(&rules.direct_transfer_roles)
            ),
            source: "各地市长信箱、12345规则：非本单位职责的，承办单位说明理由退回办公室，由办公室重新交办。",
        },
        RuleLine {
            rule: "退回时限",
            setting: "handling.return_within_working_days",
            value: format!("交办后{}个工作日内", rules.return_within_working_days),
            source: "各地规则：承办单位认为不属于本单位职责的，应在2个工作日内退回。",
        },
        RuleLine {
            rule: "告知留言人",
            setting: "handling.notify_citizen",
            value: if rules.notify_citizen {
                "延期、转办、退回、重新交办时发送电子邮件（留言人留有邮箱时）".into()
            } else {
                "不发送邮件（仍记入办理记录）".into()
            },
            source: "各地规则：延期、转办须告知留言人，并说明新的答复期限。",
        },
        RuleLine {
            rule: "暂停计时",
            setting: "handling.pause",
            value: match rules.pause {
                PausePolicy::Off => "不允许".to_string(),
                PausePolicy::WithApproval => "承办人申请，科室负责人审批".to_string(),
                PausePolicy::Free => "办理人员可直接暂停".to_string(),
            },
            source: "市长信箱规则不设暂停；检查按受理之日起计算。",
        },
    ]
}
