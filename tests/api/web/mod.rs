//! Handler tests of the web pages: a cookie-keeping client per user against the real server, on every backend.

mod admin;
mod approvals;
mod inspection;
mod login;
mod pages;
mod reassign;
mod report_pages;
mod review;
mod users;

use huiyin::auth::{self, Role};
use huiyin::directory::{self, DepartmentCode, StaffInput};
use reqwest::header::LOCATION;

use crate::helpers::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// A user's browser: keeps cookies, does not follow redirects (tests look at them).
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

/// A page or form answer.
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub body: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser::at(&app.address)
    }

    /// A browser for the server at `base` (`http://127.0.0.1:PORT`).
    pub fn at(base: &str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_string(),
        }
    }

    async fn answer(resp: reqwest::Response) -> Answer {
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookie = resp
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        Answer {
            status,
            location,
            set_cookie,
            body: resp.text().await.unwrap(),
        }
    }

    /// A download: status, content type and the bytes as sent.
    pub async fn download(&self, path: &str) -> (u16, String, Vec<u8>) {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let kind = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, kind, resp.bytes().await.unwrap().to_vec())
    }

    pub async fn get(&self, path: &str) -> Answer {
        Self::answer(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .form(fields)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Posts a form with the CSRF token of the page at `page` (as a browser would after opening it).
    pub async fn submit(&self, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
        let token = csrf(&self.get(page).await.body);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Opens the login page and logs in.
    pub async fn log_in(&self, email: &str, password: &str) -> Answer {
        let token = csrf(&self.get("/login").await.body);
        self.post(
            "/login",
            &[("csrf", &token), ("email", email), ("password", password)],
        )
        .await
    }
}

/// The CSRF token in a page's first form.
pub fn csrf(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field in:\n{html}"))
        + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Adds a member of staff who can log in with [`PASSWORD`]; returns the email.
pub async fn staff(app: &TestApp, role: Role, dept: Option<&str>) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let email = format!("{}{n}.{}@test.gov.cn", role, dept.unwrap_or("office"));
    let st = app.state.clone();
    let dept = dept.map(|d| DepartmentCode::parse(d).unwrap());
    let e = email.clone();
    tokio::task::spawn_blocking(move || {
        let hash = auth::hash_password(PASSWORD).unwrap();
        directory::add_staff(
            &mut st.db.get().unwrap(),
            StaffInput {
                name: &format!("测试{}", role.label_zh()),
                email: &e,
                role,
                department: dept.as_ref(),
                password_hash: Some(&hash),
            },
            0,
        )
        .unwrap();
    })
    .await
    .unwrap();
    email
}

/// A browser logged in as a new member of staff with `role`.
pub async fn logged_in(app: &TestApp, role: Role, dept: Option<&str>) -> Browser {
    let email = staff(app, role, dept).await;
    let b = Browser::new(app);
    let a = b.log_in(&email, PASSWORD).await;
    assert_eq!(
        a.status, 303,
        "{}: login as {email}: {}",
        app.backend, a.body
    );
    b
}
