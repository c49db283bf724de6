//! What the admin pages share: the admin check, the role and department choices of the staff
//! and token forms, and refusals in Chinese.

use crate::api::AppState;
use crate::auth::Role;
use crate::directory::{self, DepartmentCode};
use crate::error::AppError;
use crate::web::inbox::Choice;
use crate::web::{CurrentUser, WebError};

/// Admin pages are for admins only.
pub fn require_admin(user: &CurrentUser) -> Result<(), WebError> {
    Ok(user
        .principal
        .require_role(&[Role::Admin], "administration")?)
}

pub fn refusal_zh(e: &AppError) -> Option<String> {
    match e {
        AppError::Invalid { field, .. } => Some(
            match field.as_deref() {
                Some("code") => "部门代码只能包含字母、数字、“-”和“_”，1至32个字符。",
                Some("name") => "请填写名称。",
                Some("email") => "请填写有效的电子邮箱。",
                Some("department") => "所选部门不存在，或该角色与部门不匹配（承办人、科室负责人须属于部门，管理员不属于部门）。",
                Some("role") => "请选择角色。",
                Some("password") => "初始密码至少10个字符。",
                Some("staff") => "不能停用自己的账号，也不能取消自己的管理员角色：请由另一位管理员操作。",
                _ => "填写的内容有误，请检查后重新提交。",
            }
            .to_string(),
        ),
        AppError::Conflict(_) => Some("已存在相同的记录（部门代码或邮箱重复）。".into()),
        _ => None,
    }
}

/// The roles an admin may give: staff roles, and with `include_system` the token-only ones.
pub fn role_choices(include_system: bool) -> Vec<Choice> {
    Role::ALL
        .into_iter()
        .filter(|r| include_system || !r.is_system())
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label_zh().into(),
            selected: r == Role::Clerk,
        })
        .collect()
}

pub async fn department_choices(
    state: &AppState,
) -> Result<(Vec<Choice>, Vec<directory::Department>), WebError> {
    let list = state.db.run(directory::list_departments).await?;
    let choices = list
        .iter()
        .map(|d| Choice {
            value: d.code.clone(),
            label: d.name.clone(),
            selected: false,
        })
        .collect();
    Ok((choices, list))
}

/// The role and optional department of an admin form (users and tokens), checked.
pub fn role_and_department(
    role: &str,
    department: Option<&str>,
) -> Result<(Role, Option<DepartmentCode>), AppError> {
    let role: Role = role
        .parse()
        .map_err(|e: String| AppError::invalid("role", e))?;
    let department = department
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| DepartmentCode::parse(d).map_err(|e| AppError::invalid("department", e)))
        .transpose()?;
    Ok((role, department))
}
