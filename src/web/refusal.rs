//! The Chinese words for a refused action on the message page: the workflow's own refusals (too late, over the cap, already waiting, decided meanwhile) by their reason, then the form's fields.

use crate::config::{ExtensionApprover, HandlingSettings};
use crate::error::AppError;

/// How the pages name the office that approves extensions and takes returns.
const OFFICE_ZH: &str = "市政府办公室";

/// The whole number right after `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<u32> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The Chinese explanation of a refused action that the page can show beside its forms;
/// `None` for failures that get an error page of their own (other 403s, 404, 500…). The workflow's
/// own refusals (too late, over the cap, already waiting) are named first, by their text,
/// then the form's fields.
pub fn action_error_zh(e: &AppError, rules: &HandlingSettings) -> Option<String> {
    let message = e.to_string();
    let has = |part: &str| message.contains(part);
    let text = match e {
        AppError::Invalid { .. } if has("asked for before the deadline") => {
            "已超过办理期限，不能再申请或批准延期：期限届满后延期视为逾期答复。".to_string()
        }
        AppError::Invalid { .. } if has("working day(s) before the due date") => format!(
            "延期须在办理期限届满前至少{}个工作日提出，现已超过申请时限。",
            rules.extension_lead_working_days
        ),
        AppError::Invalid { .. } if has("the handling time from receipt is capped at") => {
            let cap = number_after(&message, "capped at ").unwrap_or_default();
            let room = number_after(&message, "at most ").unwrap_or_default();
            format!(
                "办理时限自受理起累计不得超过{cap}个工作日（含延期），本件最多还可延长{room}个工作日。"
            )
        }
        AppError::Forbidden(_) if has("is approved by the office") => match rules.extension_approver {
            ExtensionApprover::DepartmentThenOffice => format!(
                "延期超过{}个工作日的，须由{}（督查）负责人审批，本部门科室负责人无权批准。",
                rules.department_approves_up_to_working_days, OFFICE_ZH
            ),
            _ => format!("延期须由{OFFICE_ZH}（督查）负责人审批，本部门科室负责人无权批准。"),
        },
        AppError::Forbidden(_) if has("is approved by a supervisor of the department") => {
            "延期由本部门科室负责人审批。".to_string()
        }
        AppError::Forbidden(_) if has("someone other than its requester") => {
            "不能审批本人提出的延期申请。".to_string()
        }
        AppError::Forbidden(_) if has("return it to the office") => format!(
            "承办人不能直接转办：非本单位职责的留言请填写理由退回{OFFICE_ZH}，由办公室重新交办。"
        ),
        AppError::Invalid { field, .. } | AppError::BadRequest { field, .. } => {
            match field.as_deref() {
                Some("body") => "请填写答复内容（不超过20000字）。",
                Some("reason") => "请填写理由（不超过1000字）。",
                Some("working_days") => "延期天数须为1至60之间的整数。",
                Some("department") => "请选择另一个承办部门。",
                Some("replied_at") => "答复时间不能早于收到时间，也不能晚于当前时间。",
                Some("decision") => "请选择同意或不同意。",
                Some(_) => "填写的内容有误，请检查后重新提交。",
                None => "无法按工作日历计算期限（日期超出已配置的日历年份），请联系系统管理员。",
            }
            .to_string()
        }
        AppError::Conflict(_) if has("has a reply waiting for review") => {
            "该留言的答复已提交，正在等待审核，请勿重复提交。".to_string()
        }
        AppError::Conflict(_) if has("no reply waiting for review") => {
            "该留言没有等待审核的答复（可能已由他人审核），请核对下方的最新状态。".to_string()
        }
        AppError::Conflict(_) if has("waiting for a decision") => {
            "该留言已有一份延期申请等待审批，请勿重复申请。".to_string()
        }
        AppError::Conflict(_) if has("already") || has("decided meanwhile") => {
            "该延期申请已审批过（可能已由他人审批），请核对下方的最新状态。".to_string()
        }
        AppError::Conflict(_) => {
            "操作未执行：该留言的当前状态不允许此操作，或刚被他人修改。请核对下方的最新状态后再操作。".to_string()
        }
        _ => return None,
    };
    Some(text)
}
