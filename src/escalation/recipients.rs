//! Who an alert or a digest goes to: the staff holding a ladder rung's roles (the department's clerks and supervisors, the office's leaders and admins) and the departments' names, each looked up once per sweep batch or digest.

use std::collections::HashMap;

use crate::auth::Role;
use crate::db::DbConnection;
use crate::directory::{self, Staff};
use crate::error::AppError;

/// Recipients and department names looked up once per batch (or per digest).
#[derive(Default)]
pub(super) struct Directory {
    staff: HashMap<(Option<String>, Role), Vec<Staff>>,
    department_names: HashMap<String, String>,
}

impl Directory {
    pub(super) fn people(
        &mut self,
        conn: &mut DbConnection,
        roles: &[Role],
        department: &str,
    ) -> Result<Vec<Staff>, AppError> {
        let mut out: Vec<Staff> = Vec::new();
        for role in roles {
            // Clerks and supervisors are the department's; leaders and admins the office's.
            let scope = role.needs_department().then(|| department.to_string());
            let found = match self.staff.entry((scope.clone(), *role)) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(match &scope {
                    Some(d) => directory::staff_of_department(conn, d, &[*role])?,
                    None => directory::staff_with_roles(conn, &[*role])?,
                }),
            };
            for s in found.iter() {
                if !out.iter().any(|o| o.email == s.email) {
                    out.push(s.clone());
                }
            }
        }
        Ok(out)
    }

    pub(super) fn department_name(&mut self, conn: &mut DbConnection, code: &str) -> String {
        if let Some(n) = self.department_names.get(code) {
            return n.clone();
        }
        let name = directory::find_department(conn, code)
            .map(|d| d.name)
            .unwrap_or_else(|_| code.to_string());
        self.department_names.insert(code.to_string(), name.clone());
        name
    }
}
