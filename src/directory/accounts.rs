//! What an admin changes about a member of staff — role and department, deactivation and reactivation — in one function, with the rule that admins cannot lock themselves out.

use diesel::prelude::*;

use crate::auth::{Principal, Role};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::schema::staff;

use super::{check_staff_role, find_department, find_staff, DepartmentCode, Staff};

/// One change an admin makes to a member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    /// They can no longer log in, their web sessions end and they get no more alerts.
    Deactivate,
    /// They can log in again with their password.
    Reactivate,
    /// A new role and department: clerks and supervisors need a department, admins have none.
    Role {
        role: Role,
        department: Option<DepartmentCode>,
    },
}

impl StaffChange {
    /// Whether the change would take an admin's own powers away.
    fn locks_out_admin(&self) -> bool {
        match self {
            StaffChange::Deactivate => true,
            StaffChange::Reactivate => false,
            StaffChange::Role { role, .. } => *role != Role::Admin,
        }
    }
}

/// Applies `change` to the member of staff `id` on behalf of `by`, an admin, and returns
/// the updated row. An admin cannot deactivate or demote themself (422, field `staff`):
/// another admin must, so the office always keeps one.
pub fn change_staff(
    conn: &mut DbConnection,
    by: &Principal,
    id: i64,
    change: &StaffChange,
) -> Result<Staff, AppError> {
    by.require_role(&[Role::Admin], "managing staff")?;
    if by.staff_id == Some(id) && change.locks_out_admin() {
        return Err(AppError::invalid(
            "staff",
            "admins cannot deactivate their own account or give up their own admin role: another admin must do it",
        ));
    }
    conn.transaction(|conn| {
        find_staff(conn, id)?
            .ok_or_else(|| AppError::NotFound(format!("no member of staff {id}")))?;
        let target = staff::table.find(id);
        match change {
            // A new epoch ends every open web session for good, not just while inactive.
            StaffChange::Deactivate => diesel::update(target)
                .set((
                    staff::active.eq(false),
                    staff::session_epoch.eq(staff::session_epoch + 1),
                ))
                .execute(conn)?,
            StaffChange::Reactivate => diesel::update(target)
                .set(staff::active.eq(true))
                .execute(conn)?,
            StaffChange::Role { role, department } => {
                check_staff_role(*role, department.as_ref())?;
                if let Some(d) = department {
                    find_department(conn, d.as_str())?;
                }
                diesel::update(target)
                    .set((
                        staff::role.eq(role.as_str()),
                        staff::department_code.eq(department.as_ref().map(|d| d.as_str())),
                    ))
                    .execute(conn)?
            }
        };
        find_staff(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no member of staff {id}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_deactivation_and_losing_the_admin_role_lock_an_admin_out() {
        let role = |role| StaffChange::Role {
            role,
            department: None,
        };
        assert!(StaffChange::Deactivate.locks_out_admin());
        assert!(!StaffChange::Reactivate.locks_out_admin());
        assert!(!role(Role::Admin).locks_out_admin());
        for r in [Role::Clerk, Role::Supervisor, Role::Leader] {
            assert!(role(r).locks_out_admin(), "{r}");
        }
    }
}
