//! The office's directory: departments, staff and API tokens, with their diesel rows and queries.

use diesel::prelude::*;

pub use crate::auth::DepartmentCode;
use crate::auth::{generate_token, Principal, Role};
use crate::db::DbConnection;
use crate::error::{is_unique_violation, AppError};
use crate::schema::{api_tokens, departments, staff};

mod accounts;

pub use accounts::{change_staff, StaffChange};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = departments)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub created_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = departments)]
struct NewDepartment<'a> {
    code: &'a str,
    name: &'a str,
    parent_code: Option<&'a str>,
    created_at: i64,
}

/// Adds a department; its parent must exist.
pub fn add_department(
    conn: &mut DbConnection,
    code: &DepartmentCode,
    name: &str,
    parent: Option<&DepartmentCode>,
    now: i64,
) -> Result<(), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "a department needs a name"));
    }
    if let Some(p) = parent {
        find_department(conn, p.as_str())?;
    }
    diesel::insert_into(departments::table)
        .values(NewDepartment {
            code: code.as_str(),
            name,
            parent_code: parent.map(|p| p.as_str()),
            created_at: now,
        })
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(format!("department '{code}' exists already"))
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// The department with this code, or 422 naming it.
pub fn find_department(conn: &mut DbConnection, code: &str) -> Result<Department, AppError> {
    departments::table
        .find(code)
        .select(Department::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| unknown_department(code))
}

/// 422 naming a department code that is not in the directory: the one answer of every check.
fn unknown_department(code: &str) -> AppError {
    AppError::invalid("department", format!("unknown department '{code}'"))
}

/// The department codes of the directory, loaded once for checking many messages (an import).
pub struct KnownDepartments(std::collections::HashSet<String>);

impl KnownDepartments {
    pub fn load(conn: &mut DbConnection) -> Result<KnownDepartments, AppError> {
        Ok(KnownDepartments(
            departments::table
                .select(departments::code)
                .load::<String>(conn)?
                .into_iter()
                .collect(),
        ))
    }

    /// The same answer as [`find_department`], without a query.
    pub fn check(&self, code: &str) -> Result<(), AppError> {
        if self.0.contains(code) {
            Ok(())
        } else {
            Err(unknown_department(code))
        }
    }
}

pub fn list_departments(conn: &mut DbConnection) -> Result<Vec<Department>, AppError> {
    Ok(departments::table
        .order(departments::code)
        .select(Department::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub department_code: Option<String>,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: i64,
    /// Raised on each deactivation; part of every web session's fingerprint.
    pub session_epoch: i32,
}

impl Staff {
    pub fn role(&self) -> Role {
        // The CHECK constraint keeps the column to known roles.
        self.role.parse().unwrap_or(Role::Clerk)
    }

    pub fn principal(&self) -> Result<Principal, AppError> {
        Ok(Principal {
            role: self.role(),
            department: self
                .department_code
                .as_deref()
                .map(DepartmentCode::parse)
                .transpose()
                .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
            actor: format!("staff:{}", self.id),
            staff_id: Some(self.id),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = staff)]
struct NewStaff<'a> {
    name: &'a str,
    email: &'a str,
    role: &'a str,
    department_code: Option<&'a str>,
    password_hash: Option<&'a str>,
    active: bool,
    created_at: i64,
}

/// What is needed to add a member of staff.
pub struct StaffInput<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub department: Option<&'a DepartmentCode>,
    pub password_hash: Option<&'a str>,
}

fn check_role_department(role: Role, department: Option<&DepartmentCode>) -> Result<(), AppError> {
    match (role.needs_department(), department) {
        (true, None) => Err(AppError::invalid(
            "department",
            format!("a {role} belongs to a department: give --dept"),
        )),
        (false, Some(_)) if role == Role::Admin => Err(AppError::invalid(
            "department",
            "an admin is not tied to a department",
        )),
        _ => Ok(()),
    }
}

/// A member of staff's role and department agree, and the role is one staff may hold.
fn check_staff_role(role: Role, department: Option<&DepartmentCode>) -> Result<(), AppError> {
    if role.is_system() {
        return Err(AppError::invalid(
            "role",
            format!("{role} is a token role, not a staff role"),
        ));
    }
    check_role_department(role, department)
}

/// Adds a member of staff; returns the id.
pub fn add_staff(
    conn: &mut DbConnection,
    input: StaffInput<'_>,
    now: i64,
) -> Result<i64, AppError> {
    check_staff_role(input.role, input.department)?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "staff need a name"));
    }
    let email = input.email.trim();
    if !email.contains('@') || email.len() > 254 {
        return Err(AppError::invalid(
            "email",
            format!("'{email}' is not an email address"),
        ));
    }
    if let Some(d) = input.department {
        find_department(conn, d.as_str())?;
    }
    diesel::insert_into(staff::table)
        .values(NewStaff {
            name,
            email,
            role: input.role.as_str(),
            department_code: input.department.map(|d| d.as_str()),
            password_hash: input.password_hash,
            active: true,
            created_at: now,
        })
        .returning(staff::id)
        .get_result(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(format!(
                    "a member of staff with email {email} exists already"
                ))
            } else {
                e.into()
            }
        })
}

pub fn find_staff_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> Result<Option<Staff>, AppError> {
    Ok(staff::table
        .filter(staff::email.eq(email.trim()))
        .filter(staff::active.eq(true))
        .select(Staff::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_staff(conn: &mut DbConnection, id: i64) -> Result<Option<Staff>, AppError> {
    Ok(staff::table
        .find(id)
        .select(Staff::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_staff(conn: &mut DbConnection) -> Result<Vec<Staff>, AppError> {
    Ok(staff::table
        .order((staff::department_code, staff::role, staff::name))
        .select(Staff::as_select())
        .load(conn)?)
}

/// Active staff of a department with one of the roles (alert recipients).
pub fn staff_of_department(
    conn: &mut DbConnection,
    department: &str,
    roles: &[Role],
) -> Result<Vec<Staff>, AppError> {
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Ok(staff::table
        .filter(staff::department_code.eq(department))
        .filter(staff::role.eq_any(roles))
        .filter(staff::active.eq(true))
        .order(staff::id)
        .select(Staff::as_select())
        .load(conn)?)
}

/// Active staff with one of the roles, whatever their department (leaders, admins).
pub fn staff_with_roles(conn: &mut DbConnection, roles: &[Role]) -> Result<Vec<Staff>, AppError> {
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Ok(staff::table
        .filter(staff::role.eq_any(roles))
        .filter(staff::active.eq(true))
        .order(staff::id)
        .select(Staff::as_select())
        .load(conn)?)
}

pub fn set_password(conn: &mut DbConnection, id: i64, hash: &str) -> Result<(), AppError> {
    diesel::update(staff::table.find(id))
        .set(staff::password_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

/// Ends every web session of the member of staff `id` on the server (logout): a new session
/// epoch, which every request checks, so a cookie saved before is refused from now on.
pub fn end_sessions(conn: &mut DbConnection, id: i64) -> Result<(), AppError> {
    diesel::update(staff::table.find(id))
        .set(staff::session_epoch.eq(staff::session_epoch + 1))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub token_hash: String,
    pub role: String,
    pub department_code: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = api_tokens)]
struct NewApiToken<'a> {
    name: &'a str,
    token_hash: &'a str,
    role: &'a str,
    department_code: Option<&'a str>,
    created_at: i64,
}

/// Creates a token and returns `(id, plain token)`; the plain token is never stored.
pub fn create_token(
    conn: &mut DbConnection,
    name: &str,
    role: Role,
    department: Option<&DepartmentCode>,
    now: i64,
) -> Result<(i64, String), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "a token needs a name"));
    }
    check_role_department(role, department)?;
    if let Some(d) = department {
        find_department(conn, d.as_str())?;
    }
    let token = generate_token();
    let id = diesel::insert_into(api_tokens::table)
        .values(NewApiToken {
            name,
            token_hash: &token.hash,
            role: role.as_str(),
            department_code: department.map(|d| d.as_str()),
            created_at: now,
        })
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((id, token.plain))
}

pub fn list_tokens(conn: &mut DbConnection) -> Result<Vec<ApiToken>, AppError> {
    Ok(api_tokens::table
        .order(api_tokens::id)
        .select(ApiToken::as_select())
        .load(conn)?)
}

pub fn revoke_token(conn: &mut DbConnection, id: i64, now: i64) -> Result<(), AppError> {
    let n = diesel::update(api_tokens::table.find(id))
        .filter(api_tokens::revoked_at.is_null())
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound(format!("no active token {id}")));
    }
    Ok(())
}

/// The principal of a live token with this hash.
pub fn principal_for_token(
    conn: &mut DbConnection,
    hash: &str,
) -> Result<Option<Principal>, AppError> {
    let token: Option<ApiToken> = api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?;
    token
        .map(|t| {
            Ok(Principal {
                role: t
                    .role
                    .parse()
                    .map_err(|e: String| AppError::Internal(anyhow::anyhow!(e)))?,
                department: t
                    .department_code
                    .as_deref()
                    .map(DepartmentCode::parse)
                    .transpose()
                    .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?,
                actor: format!("token:{}", t.name),
                staff_id: None,
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_codes_are_checked() {
        assert!(DepartmentCode::parse("zjj").is_ok());
        assert!(DepartmentCode::parse("gov-office_2").is_ok());
        for bad in ["", "住建局", "a b", &"x".repeat(33)] {
            assert!(DepartmentCode::parse(bad).is_err(), "{bad}");
        }
    }
}
