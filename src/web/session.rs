//! Web sessions: a signed cookie (HMAC-SHA256) carrying the staff id, the session's CSRF token and a fingerprint of the password hash, and the extractors that turn it into the current user and check the CSRF token of every form.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::api::AppState;
use crate::auth::Principal;
use crate::directory::Staff;
use crate::error::AppError;

use super::WebState;

use super::error::WebError;

/// Name of the session cookie.
pub const COOKIE: &str = "huiyin_session";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What the session cookie says; `staff_id` is `None` before login (the login form's CSRF token lives there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionData {
    pub staff_id: Option<i64>,
    /// Unix seconds of login (or of the anonymous session's creation).
    pub issued_at: i64,
    pub csrf: String,
    /// [`password_fingerprint`] at login: changing the password or deactivating the account ends other sessions.
    pub password: String,
}

/// A random URL-safe token of 256 bits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    B64.encode(bytes)
}

/// A short digest of the stored password hash (never the hash itself) and of the staff's
/// session epoch, to bind sessions to both: a new password or a deactivation ends them.
/// Epoch 0 digests the hash alone, so sessions opened before epochs existed stay valid.
pub fn password_fingerprint(hash: Option<&str>, epoch: i32) -> String {
    match (hash, epoch) {
        (None, _) => "-".into(),
        (Some(h), 0) => hex::encode(&Sha256::digest(h.as_bytes())[..12]),
        (Some(h), n) => hex::encode(&Sha256::digest(format!("{h}\n{n}").as_bytes())[..12]),
    }
}

/// Equality that takes the same time wherever the strings differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

impl SessionData {
    /// `payload.signature`, both base64url.
    pub fn encode(&self, key: &[u8]) -> String {
        let payload = format!(
            "1|{}|{}|{}|{}",
            self.staff_id.unwrap_or(0),
            self.issued_at,
            self.csrf,
            self.password
        );
        let mut m = mac(key);
        m.update(payload.as_bytes());
        let sig = m.finalize().into_bytes();
        format!("{}.{}", B64.encode(payload), B64.encode(sig))
    }

    /// The session in a cookie value, if the signature holds.
    pub fn decode(value: &str, key: &[u8]) -> Option<SessionData> {
        let (payload, sig) = value.split_once('.')?;
        let payload = B64.decode(payload).ok()?;
        let sig = B64.decode(sig).ok()?;
        let mut m = mac(key);
        m.update(&payload);
        m.verify_slice(&sig).ok()?;
        let text = String::from_utf8(payload).ok()?;
        let mut parts = text.split('|');
        if parts.next()? != "1" {
            return None;
        }
        let staff_id: i64 = parts.next()?.parse().ok()?;
        let issued_at = parts.next()?.parse().ok()?;
        let csrf = parts.next()?.to_string();
        let password = parts.next()?.to_string();
        Some(SessionData {
            staff_id: (staff_id > 0).then_some(staff_id),
            issued_at,
            csrf,
            password,
        })
    }
}

/// The session cookie for `data`.
pub fn cookie(pages: &WebState, data: &SessionData) -> Cookie<'static> {
    Cookie::build(COOKIE, data.encode(&pages.key))
        .path("/")
        .http_only(true)
        // Lax, not Strict: links in alert emails must open the message page logged in.
        // Cross-site form posts carry no cookie under Lax, and every form has a CSRF token.
        .same_site(SameSite::Lax)
        .secure(pages.secure_cookies)
        .finish()
}

/// A cookie that removes the session.
pub fn removal_cookie(pages: &WebState) -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(pages.secure_cookies)
        .finish();
    c.make_removal();
    c
}

/// The valid, unexpired session of a request at `now` (Unix seconds), logged in or not.
pub fn read(req: &HttpRequest, pages: &WebState, now: i64) -> Option<SessionData> {
    let cookie = req.cookie(COOKIE)?;
    let data = SessionData::decode(cookie.value(), &pages.key)?;
    let age = now - data.issued_at;
    (age >= 0 && age <= pages.session_secs).then_some(data)
}

/// The logged-in member of staff behind a request. Extracting it from a request
/// without a valid session answers with a redirect to the login page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub staff: Staff,
    /// From the staff row, so pages check exactly what the API checks.
    pub principal: Principal,
    pub csrf: String,
}

fn app_data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, WebError> {
    req.app_data::<web::Data<T>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")).into())
}

fn login_required(req: &HttpRequest) -> WebError {
    let next = if req.method() == actix_web::http::Method::GET {
        match req.query_string() {
            "" => req.path().to_string(),
            q => format!("{}?{q}", req.path()),
        }
    } else {
        "/".to_string()
    };
    WebError::LoginRequired { next }
}

impl FromRequest for CurrentUser {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = app_data::<AppState>(&req)?;
            let pages = app_data::<WebState>(&req)?;
            let session = read(&req, &pages, state.clock.now().timestamp())
                .ok_or_else(|| login_required(&req))?;
            let id = session.staff_id.ok_or_else(|| login_required(&req))?;
            let staff = state
                .db
                .run(move |conn| crate::directory::find_staff(conn, id))
                .await?
                .filter(|s| s.active)
                .filter(|s| {
                    constant_time_eq(
                        &password_fingerprint(s.password_hash.as_deref(), s.session_epoch),
                        &session.password,
                    )
                })
                .ok_or_else(|| login_required(&req))?;
            let principal = staff.principal()?;
            Ok(CurrentUser {
                staff,
                principal,
                csrf: session.csrf,
            })
        })
    }
}

/// The CSRF token in an urlencoded body.
fn csrf_field(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
}

/// Checks the body's `csrf` field against the session's token.
pub fn check_csrf(body: &[u8], expected: &str) -> Result<(), WebError> {
    match csrf_field(body) {
        Some(sent) if !expected.is_empty() && constant_time_eq(&sent, expected) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}

/// Parses an urlencoded form body (fields other than the ones of `T`, like `csrf`, are ignored).
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|e| AppError::bad_request(None, format!("the form could not be read: {e}")).into())
}

/// A form posted by the logged-in user, its CSRF token checked. Every page form goes through this.
pub struct Posted<T> {
    pub user: CurrentUser,
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = CurrentUser::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            let body = body.await.map_err(|e| {
                WebError::from(AppError::bad_request(
                    None,
                    format!("the form could not be read: {e}"),
                ))
            })?;
            check_csrf(&body, &user.csrf)?;
            let form = parse_form(&body)?;
            Ok(Posted { user, form })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> SessionData {
        SessionData {
            staff_id: Some(7),
            issued_at: 1_800_000_000,
            csrf: random_token(),
            password: password_fingerprint(Some("$argon2id$..."), 0),
        }
    }

    #[test]
    fn the_fingerprint_changes_with_the_password_and_the_epoch_only() {
        let h = "$argon2id$v=19$m=19456,t=2,p=1$abc$def";
        let before = password_fingerprint(Some(h), 0);
        assert_eq!(before, hex::encode(&Sha256::digest(h.as_bytes())[..12]));
        assert_eq!(before, password_fingerprint(Some(h), 0));
        assert_ne!(before, password_fingerprint(Some(h), 1));
        assert_ne!(
            password_fingerprint(Some(h), 1),
            password_fingerprint(Some(h), 2)
        );
        assert_ne!(before, password_fingerprint(Some("$argon2id$other"), 0));
    }

    #[test]
    fn a_session_round_trips_under_its_key_only() {
        let d = data();
        let v = d.encode(b"key-one");
        assert_eq!(SessionData::decode(&v, b"key-one"), Some(d));
        assert_eq!(SessionData::decode(&v, b"key-two"), None);
    }

    #[test]
    fn a_tampered_session_is_rejected() {
        let v = data().encode(b"k");
        let (payload, sig) = v.split_once('.').unwrap();
        let forged = String::from_utf8(B64.decode(payload).unwrap())
            .unwrap()
            .replace("1|7|", "1|1|");
        let forged = format!("{}.{sig}", B64.encode(forged));
        assert_eq!(SessionData::decode(&forged, b"k"), None);
        assert_eq!(SessionData::decode("garbage", b"k"), None);
    }

    #[test]
    fn the_csrf_field_must_match() {
        assert!(check_csrf(b"a=1&csrf=abc", "abc").is_ok());
        assert!(check_csrf(b"a=1&csrf=abd", "abc").is_err());
        assert!(check_csrf(b"a=1", "abc").is_err());
        assert!(check_csrf(b"csrf=", "").is_err());
    }
}
