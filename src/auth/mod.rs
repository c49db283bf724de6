//! Who is asking and what they may do: the request principal and its permission checks, API tokens (stored hashed) and passwords (argon2); the roles and department codes it re-exports from `org`. The handling rules' permissions (who approves an extension, who transfers, who pauses) are in [`handling`].

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::AppError;

mod handling;

pub use crate::org::{DepartmentCode, Role};
pub use handling::{extension_approver, office_decides_above, Approver};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub role: Role,
    pub department: Option<DepartmentCode>,
    /// How the caller appears in the event history, e.g. `token:portal` or `staff:3`.
    pub actor: String,
    pub staff_id: Option<i64>,
}

impl Principal {
    /// Leaders and admins see every department.
    pub fn sees_all(&self) -> bool {
        matches!(self.role, Role::Leader | Role::Admin)
    }

    /// The department a list is scoped to, if any (clerks and supervisors).
    pub fn scope(&self) -> Option<&DepartmentCode> {
        if self.sees_all() {
            None
        } else {
            self.department.as_ref()
        }
    }

    /// [`Principal::figures_scope`] for a list of messages (the inbox, the dashboard, the API's list).
    pub fn list_scope(&self, asked: Option<&str>) -> Result<Option<String>, AppError> {
        Ok(self
            .figures_scope(asked, "messages")?
            .map(|d| d.as_str().to_string()))
    }

    /// Belongs to `department`: the one reader who sees its messages' text and contact unmasked.
    pub fn owns(&self, department: &str) -> bool {
        self.department.as_ref().map(|d| d.as_str()) == Some(department)
    }

    /// May read messages of `department`.
    pub fn can_see(&self, department: &str) -> bool {
        match self.role {
            Role::Leader | Role::Admin => true,
            Role::Clerk | Role::Supervisor => self.owns(department),
            Role::Intake | Role::Metrics => false,
        }
    }

    /// May review replies waiting for review: a supervisor of the office, a leader or an admin.
    pub fn may_review(&self, office: &str) -> bool {
        self.sees_all() || (self.role == Role::Supervisor && self.owns(office))
    }

    /// Assigns messages for the office: its own staff, leaders and admins.
    pub fn may_assign(&self, office: &str) -> bool {
        self.sees_all() || self.owns(office)
    }

    /// Refuses with 403 unless `allowed`; `what` names the action in the answer.
    pub fn require(&self, allowed: bool, what: &str) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(what.to_string()))
        }
    }

    pub fn require_see(&self, department: &str) -> Result<(), AppError> {
        if self.can_see(department) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "this message belongs to another department".into(),
            ))
        }
    }

    /// May read the message `id` of `department`. A message the caller may not see answers
    /// exactly as a missing one (404), so ids tell an outsider nothing about what exists.
    pub fn require_see_message(&self, id: i64, department: &str) -> Result<(), AppError> {
        if self.can_see(department) {
            Ok(())
        } else {
            Err(AppError::NotFound(format!("no message {id}")))
        }
    }

    /// May read `/metrics`: admins and metrics tokens.
    pub fn may_read_metrics(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Metrics)
    }

    /// The department a request for figures (statistics, reports, the inspection self-check)
    /// is limited to, `None` for the whole office. Leaders and admins may ask for any
    /// department or none; clerks and supervisors always get their own, and asking for another
    /// is refused (403) rather than silently answered with their own; intake tokens read
    /// nothing. `what` names the figures in the refusal.
    pub fn figures_scope(
        &self,
        asked: Option<&str>,
        what: &str,
    ) -> Result<Option<DepartmentCode>, AppError> {
        self.require_reader()?;
        let asked = asked
            .map(DepartmentCode::parse)
            .transpose()
            .map_err(|e| AppError::invalid("department", e))?;
        if self.sees_all() {
            return Ok(asked);
        }
        let own = self
            .department
            .as_ref()
            .ok_or_else(|| AppError::Forbidden(format!("{what} need a department")))?;
        match asked {
            Some(asked) if asked != *own => Err(AppError::Forbidden(format!(
                "{what} of another department are for leaders and admins"
            ))),
            _ => Ok(Some(own.clone())),
        }
    }

    pub fn require_reader(&self) -> Result<(), AppError> {
        match self.role {
            Role::Intake => Err(AppError::Forbidden(
                "an intake token may only create and import messages".into(),
            )),
            Role::Metrics => Err(AppError::Forbidden(
                "a metrics token may only read /metrics".into(),
            )),
            _ => Ok(()),
        }
    }

    pub fn require_role(&self, allowed: &[Role], what: &str) -> Result<(), AppError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            Err(AppError::Forbidden(format!(
                "{what} needs the role {}",
                names.join(" or ")
            )))
        }
    }
}

/// What the answer to an idempotent repeat of a create may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatAnswer {
    /// The stored message, as [`Principal::can_see`] allows.
    Message,
    /// Its id and status only (intake tokens, which may not read messages).
    Receipt,
}

impl Principal {
    /// How to answer a create whose channel and external id are already stored: only a caller
    /// who sent the same message gets an answer, and only what it may see. Any other repeat is
    /// one 409, the same whether the stored message is another department's or differs from
    /// the request, so the answer tells nothing about messages the caller may not read.
    pub fn answer_repeat(
        &self,
        stored_department: &str,
        same_message: bool,
    ) -> Result<RepeatAnswer, AppError> {
        let answer = match self.role {
            Role::Intake => Some(RepeatAnswer::Receipt),
            _ if self.can_see(stored_department) => Some(RepeatAnswer::Message),
            _ => None,
        };
        match answer {
            Some(a) if same_message => Ok(a),
            _ => Err(AppError::Conflict(
                "this external_id is already used on this channel by another message".into(),
            )),
        }
    }
}

/// A freshly created API token: shown once, stored only as its hash.
pub struct NewToken {
    pub plain: String,
    pub hash: String,
}

/// Creates a random token (`hy_` + 43 url-safe characters).
pub fn generate_token() -> NewToken {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let plain = format!(
        "hy_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_token(&plain);
    NewToken { plain, hash }
}

/// Tokens carry 256 random bits, so a plain SHA-256 is enough (no password stretching needed).
pub fn hash_token(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Hashes a password with argon2id and a random salt.
/// The shortest password a member of staff may set, on the web and on the command line alike.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Whether `password` is long enough to be set ([`MIN_PASSWORD_CHARS`] characters, not bytes).
pub fn password_long_enough(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD_CHARS
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// How long a token's principal is reused without asking the database.
pub const TOKEN_CACHE_SECS: u64 = 60;

/// Principals of recently used API tokens, so a burst of calls costs one database look-up per
/// token and minute. Revoking a token clears this instance's cache at once; other instances
/// notice within [`TOKEN_CACHE_SECS`].
#[derive(Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Principal, std::time::Instant)>>,
}

impl TokenCache {
    pub fn get(&self, hash: &str) -> Option<Principal> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed().as_secs() < TOKEN_CACHE_SECS)
            .map(|(p, _)| p.clone())
    }

    pub fn put(&self, hash: String, principal: Principal) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Tokens are few; the bound only guards against a flood of distinct valid tokens.
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(hash, (principal, std::time::Instant::now()));
    }

    /// Forgets every cached token (after a revocation).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_verified_by_hash() {
        let a = generate_token();
        let b = generate_token();
        assert_ne!(a.plain, b.plain);
        assert_eq!(hash_token(&a.plain), a.hash);
        assert!(a.plain.starts_with("hy_"));
    }

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let h = hash_password("正确的密码").unwrap();
        assert!(verify_password("正确的密码", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn figures_are_scoped_to_the_callers_own_department_below_leaders() {
        let who = |role, dept: Option<&str>| Principal {
            role,
            department: dept.map(|d| DepartmentCode::parse(d).unwrap()),
            actor: "test".into(),
            staff_id: None,
        };
        let code = |s: &str| Some(DepartmentCode::parse(s).unwrap());
        let leader = who(Role::Leader, None);
        assert_eq!(leader.figures_scope(None, "figures").unwrap(), None);
        assert_eq!(
            leader.figures_scope(Some("jyj"), "figures").unwrap(),
            code("jyj")
        );
        let clerk = who(Role::Clerk, Some("zjj"));
        assert_eq!(clerk.figures_scope(None, "figures").unwrap(), code("zjj"));
        assert_eq!(
            clerk.figures_scope(Some("zjj"), "figures").unwrap(),
            code("zjj")
        );
        assert!(matches!(
            clerk.figures_scope(Some("jyj"), "figures"),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            leader.figures_scope(Some("no such!"), "figures"),
            Err(AppError::Invalid { .. })
        ));
        assert!(matches!(
            who(Role::Intake, None).figures_scope(None, "figures"),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn unknown_roles_name_the_allowed_ones() {
        let err = "boss".parse::<Role>().unwrap_err();
        assert!(err.contains("clerk, supervisor, leader, admin, intake"));
    }
}
