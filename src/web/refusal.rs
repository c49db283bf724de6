//! The Chinese words for a refused action on the message page: the workflow's own refusals (too late, over the cap, already waiting, decided meanwhile) by their reason, then the form's fields.

use crate::config::HandlingSettings;
use crate::error::AppError;

/// The Chinese explanation of a refused action that the page can show beside its forms;
/// `None` for failures that get an error page of their own (403, 404, 500…). The workflow's
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
        AppError::Invalid { .. } if has("extensions may total at most") => format!(
            "延期累计不得超过{}个工作日：本件已延长的天数加上本次天数超过上限。",
            rules.max_extension_working_days
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
            "该留言已有一份延期申请等待科室负责人审批，请勿重复申请。".to_string()
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
