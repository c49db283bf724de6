//! The office's vocabulary of organisation: department codes and staff roles. They sit below
//! `config` and `auth` so that both can name them (the settings list roles and the office's
//! department; `auth` decides what each role may do). `auth` re-exports them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A department code such as `zjj` or `gov-office`: 1–32 ASCII letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(transparent)]
pub struct DepartmentCode(String);

impl DepartmentCode {
    pub fn parse(s: &str) -> Result<DepartmentCode, String> {
        let s = s.trim();
        if s.is_empty() || s.len() > 32 {
            return Err("a department code has 1 to 32 characters".into());
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "department code '{s}' may only contain ASCII letters, digits, '-' and '_'"
            ));
        }
        Ok(DepartmentCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DepartmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DepartmentCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DepartmentCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Roles of staff and tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Department clerk (承办人): handles the department's messages.
    Clerk,
    /// Department supervisor (科室负责人): grants extensions, gets overdue alerts.
    Supervisor,
    /// Office leader (领导): sees every department.
    Leader,
    /// Administrator: everything, including users and tokens.
    Admin,
    /// Ingest only (the portal or the national platform pushing messages).
    Intake,
    /// Monitoring only: reads `/metrics`, nothing else.
    Metrics,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Clerk,
        Role::Supervisor,
        Role::Leader,
        Role::Admin,
        Role::Intake,
        Role::Metrics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Leader => "leader",
            Role::Admin => "admin",
            Role::Intake => "intake",
            Role::Metrics => "metrics",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Clerk => "承办人",
            Role::Supervisor => "科室负责人",
            Role::Leader => "领导",
            Role::Admin => "管理员",
            Role::Intake => "接入系统",
            Role::Metrics => "监控系统",
        }
    }

    /// Clerks and supervisors belong to a department.
    pub fn needs_department(self) -> bool {
        matches!(self, Role::Clerk | Role::Supervisor)
    }

    /// Roles of systems, held by API tokens only, never by staff (who log in).
    pub fn is_system(self) -> bool {
        matches!(self, Role::Intake | Role::Metrics)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role '{s}': expected one of clerk, supervisor, leader, admin, intake, metrics"
                )
            })
    }
}
