//! Who may take the handling steps the rules govern, under `[handling]`: who approves an
//! extension (the setting and the request's days), who transfers directly and who returns, who
//! decides a pause. The workflow, the approvals queue and the pages all ask these.

use crate::config::{ExtensionApprover, HandlingSettings};
use crate::error::AppError;

use super::{Principal, Role};

/// Who decides an extension request under the setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approver {
    /// The coordinating office (a supervisor of `office_department`).
    Office,
    /// The supervisor of the message's department.
    Department,
}

/// Who decides an extension of `days` working days under `[handling] extension_approver`.
pub fn extension_approver(days: u32, rules: &HandlingSettings) -> Approver {
    match rules.extension_approver {
        ExtensionApprover::Office => Approver::Office,
        ExtensionApprover::Department => Approver::Department,
        ExtensionApprover::DepartmentThenOffice
            if days <= rules.department_approves_up_to_working_days =>
        {
            Approver::Department
        }
        ExtensionApprover::DepartmentThenOffice => Approver::Office,
    }
}

/// The requests the office decides, by length: those of more than the answer's working days
/// (`Some(0)`: all of them), or `None` when the departments decide every request.
pub fn office_decides_above(rules: &HandlingSettings) -> Option<u32> {
    match rules.extension_approver {
        ExtensionApprover::Office => Some(0),
        ExtensionApprover::Department => None,
        ExtensionApprover::DepartmentThenOffice => {
            Some(rules.department_approves_up_to_working_days)
        }
    }
}

impl Principal {
    /// May decide (approve, refuse or grant directly) an extension of `days` working days on a
    /// message of `department` under `[handling] extension_approver`: the one rule of who
    /// approves, which the workflow, the approvals queue and the pages all call.
    /// The office is a supervisor of `office_department` (督查/办公室); an admin always may.
    /// Leaders set the rules; they do not move deadlines.
    pub fn may_approve_extension(
        &self,
        department: &str,
        days: u32,
        rules: &HandlingSettings,
    ) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Supervisor => match extension_approver(days, rules) {
                Approver::Office => self.owns(&rules.office_department),
                Approver::Department => self.owns(department),
            },
            _ => false,
        }
    }

    /// [`Principal::may_approve_extension`], refusing with 403 and the rule in force.
    pub fn require_extension_approver(
        &self,
        department: &str,
        days: u32,
        rules: &HandlingSettings,
    ) -> Result<(), AppError> {
        if self.may_approve_extension(department, days, rules) {
            return Ok(());
        }
        let who = match extension_approver(days, rules) {
            Approver::Office => format!(
                "the office (a supervisor of '{}') or an admin",
                rules.office_department
            ),
            Approver::Department => "a supervisor of the department or an admin".to_string(),
        };
        let limit = match rules.extension_approver {
            ExtensionApprover::DepartmentThenOffice => format!(
                ": the department up to {} working days, the office above",
                rules.department_approves_up_to_working_days
            ),
            _ => String::new(),
        };
        Err(AppError::Forbidden(format!(
            "an extension of {days} working days is approved by {who} \
             (handling.extension_approver = \"{}\"{limit})",
            rules.extension_approver.as_str()
        )))
    }

    /// May ask for an extension on a message of `department`: its clerks, and its supervisors
    /// when the department does not decide extensions itself (they would otherwise approve
    /// their own request).
    pub fn may_request_extension(&self, department: &str, rules: &HandlingSettings) -> bool {
        self.owns(department)
            && match self.role {
                Role::Clerk => true,
                Role::Supervisor => rules.extension_approver != ExtensionApprover::Department,
                _ => false,
            }
    }

    /// May move a message of `department` straight to another department (转办): the office's
    /// staff, leaders and admins (who assign), and the roles of
    /// `[handling] direct_transfer_roles` in the owning department. The others return it to
    /// the office with a reason.
    pub fn may_transfer(&self, department: &str, rules: &HandlingSettings) -> bool {
        self.may_assign(&rules.office_department)
            || (self.can_see(department) && rules.direct_transfer_roles.contains(&self.role))
    }

    /// May approve or refuse a pause request on a message of `department`, or pause it directly
    /// under `[handling] pause = "with_approval"`: its supervisors and admins.
    pub fn may_decide_pause(&self, department: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Supervisor => self.owns(department),
            _ => false,
        }
    }

    /// May ask for a pause on a message of `department`: its clerks.
    pub fn may_request_pause(&self, department: &str) -> bool {
        self.role == Role::Clerk && self.owns(department)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::DepartmentCode;

    fn handling(approver: ExtensionApprover) -> HandlingSettings {
        let env = std::collections::BTreeMap::new();
        let mut rules =
            crate::config::Settings::load_from(std::path::Path::new("config/default.toml"), &env)
                .unwrap()
                .handling;
        rules.extension_approver = approver;
        rules.department_approves_up_to_working_days = 5;
        rules
    }

    #[test]
    fn the_setting_and_the_requests_days_decide_who_approves_an_extension() {
        let who = |role, dept: &str| Principal {
            role,
            department: Some(DepartmentCode::parse(dept).unwrap()),
            actor: "test".into(),
            staff_id: None,
        };
        let own = who(Role::Supervisor, "zjj");
        let office = who(Role::Supervisor, "gov-office");
        let office_clerk = who(Role::Clerk, "gov-office");
        let admin = who(Role::Admin, "gov-office");
        let leader = who(Role::Leader, "gov-office");

        let rules = handling(ExtensionApprover::Office);
        assert!(office.may_approve_extension("zjj", 3, &rules));
        assert!(!own.may_approve_extension("zjj", 3, &rules));
        assert!(!office_clerk.may_approve_extension("zjj", 3, &rules));
        assert!(!leader.may_approve_extension("zjj", 3, &rules));
        assert!(admin.may_approve_extension("zjj", 3, &rules));
        let err = own
            .require_extension_approver("zjj", 3, &rules)
            .unwrap_err();
        assert!(err.to_string().contains("approved by the office"), "{err}");
        assert!(own.may_request_extension("zjj", &rules));

        let rules = handling(ExtensionApprover::Department);
        assert!(own.may_approve_extension("zjj", 10, &rules));
        assert!(!office.may_approve_extension("zjj", 10, &rules));
        assert!(
            !own.may_request_extension("zjj", &rules),
            "it grants instead"
        );

        let rules = handling(ExtensionApprover::DepartmentThenOffice);
        assert!(own.may_approve_extension("zjj", 5, &rules));
        assert!(!office.may_approve_extension("zjj", 5, &rules));
        assert!(!own.may_approve_extension("zjj", 6, &rules));
        assert!(office.may_approve_extension("zjj", 6, &rules));
        assert_eq!(office_decides_above(&rules), Some(5));
    }

    #[test]
    fn clerks_return_and_supervisors_and_the_office_transfer_by_default() {
        let rules = handling(ExtensionApprover::Office);
        let who = |role, dept: &str| Principal {
            role,
            department: Some(DepartmentCode::parse(dept).unwrap()),
            actor: "test".into(),
            staff_id: None,
        };
        assert!(!who(Role::Clerk, "zjj").may_transfer("zjj", &rules));
        assert!(who(Role::Supervisor, "zjj").may_transfer("zjj", &rules));
        assert!(!who(Role::Supervisor, "jyj").may_transfer("zjj", &rules));
        assert!(who(Role::Clerk, "gov-office").may_transfer("gov-office", &rules));
        assert!(who(Role::Admin, "gov-office").may_transfer("zjj", &rules));
    }
}
