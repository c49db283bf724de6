//! The test harness: a real server on a random port over a fresh database per test (SQLite always, PostgreSQL when HUIYIN_TEST_POSTGRES_URL is set), a settable clock, and typed request helpers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use huiyin::api::AppState;
use huiyin::auth::Role;
use huiyin::clock::ManualClock;
use huiyin::config::Settings;
use huiyin::directory::{self, DepartmentCode};
use huiyin::startup::{self, Application};
use huiyin::{escalation, worker};
use serde_json::{json, Value};

/// Quiet unless TEST_LOG is set.
fn init_tracing() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            huiyin::telemetry::init("debug", huiyin::telemetry::LogFormat::Text);
        }
    });
}

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A database made for one test and dropped after it.
pub enum TestDb {
    Sqlite(#[allow(dead_code, reason = "kept to delete the folder on drop")] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn sqlite() -> (TestDb, String) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        (TestDb::Sqlite(dir), url)
    }

    pub fn postgres(admin_url: &str) -> (TestDb, String) {
        let name = format!("huiyin_test_{}", uuid_like());
        let mut conn = diesel::PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("HUIYIN_TEST_POSTGRES_URL: cannot connect: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
        let url = format!("{base}/{name}");
        (
            TestDb::Postgres {
                admin_url: admin_url.to_string(),
                name,
            },
            url,
        )
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

fn uuid_like() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{n:016x}")
}

/// Makes a fresh database and gives its URL.
pub type MakeDb = Box<dyn Fn() -> (TestDb, String)>;

/// The backends this run covers.
pub fn database_urls() -> Vec<(&'static str, MakeDb)> {
    let mut v: Vec<(&'static str, MakeDb)> = vec![("sqlite", Box::new(TestDb::sqlite))];
    if let Ok(url) = std::env::var("HUIYIN_TEST_POSTGRES_URL") {
        if !url.is_empty() {
            v.push(("postgres", Box::new(move || TestDb::postgres(&url))));
        }
    }
    v
}

/// The settings of tests that pause messages directly (`[handling] pause = "free"`).
pub const PAUSE_FREE: &[(&str, &str)] = &[("HUIYIN_HANDLING__PAUSE", "free")];

pub fn test_settings(db_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut env = BTreeMap::new();
    env.insert("HUIYIN_LISTEN".to_string(), "127.0.0.1:0".to_string());
    env.insert("HUIYIN_DATABASE_URL".to_string(), db_url.to_string());
    env.insert("HUIYIN_DATABASE__POOL_SIZE".to_string(), "4".to_string());
    // Tests run the worker's rounds themselves, at the times they set.
    env.insert("HUIYIN_ESCALATION__WORKER".to_string(), "false".to_string());
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    Settings::load_from(Path::new("config/default.toml"), &env).unwrap()
}

pub struct TestApp {
    pub backend: &'static str,
    pub address: String,
    /// The private `/metrics` port (`[metrics] listen`), when set.
    pub metrics_port: Option<u16>,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub clock: Arc<ManualClock>,
    pub admin: String,
    pub _db: TestDb,
}

/// Departments every test app has.
pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("gov-office", "市政府办公室"),
    ("zjj", "市住房和城乡建设局"),
    ("jyj", "市教育局"),
];

/// The background worker's environment over `state` (tests run its rounds by hand).
pub fn worker_of(state: &AppState) -> Arc<worker::Environment> {
    Arc::new(startup::worker_environment(state))
}

impl TestApp {
    /// The worker's environment over this app's state.
    pub fn worker(&self) -> Arc<worker::Environment> {
        worker_of(&self.state)
    }

    /// The escalation engine's environment over this app's state.
    pub fn escalation(&self) -> Arc<escalation::Environment> {
        self.worker().escalation.clone()
    }

    /// One app per configured backend, each on a fresh database, its clock at `now`.
    pub async fn each(now: &str) -> Vec<TestApp> {
        Self::each_with(now, &[]).await
    }

    /// As [`TestApp::each`], with settings overridden by `extra` (`HUIYIN_*` pairs).
    pub async fn each_with(now: &str, extra: &[(&str, &str)]) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for (backend, make) in database_urls() {
            let (db, url) = make();
            apps.push(Self::spawn(backend, db, test_settings(&url, extra), t(now)).await);
        }
        apps
    }

    pub async fn spawn(
        backend: &'static str,
        db: TestDb,
        settings: Settings,
        now: DateTime<Utc>,
    ) -> TestApp {
        init_tracing();
        let clock = Arc::new(ManualClock::new(now));
        let app = Application::build(settings, clock.clone())
            .await
            .expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let metrics_port = app.metrics_port();
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        let admin = {
            let st = state.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = st.db.get().unwrap();
                for (code, name) in DEPARTMENTS {
                    directory::add_department(
                        &mut conn,
                        &DepartmentCode::parse(code).unwrap(),
                        name,
                        None,
                        0,
                    )
                    .unwrap();
                }
                directory::create_token(&mut conn, "test-admin", Role::Admin, None, 0)
                    .unwrap()
                    .1
            })
            .await
            .unwrap()
        };
        TestApp {
            backend,
            address,
            metrics_port,
            client: reqwest::Client::new(),
            state,
            clock,
            admin,
            _db: db,
        }
    }

    /// A token of `role`, in `dept` for clerks and supervisors.
    pub async fn token(&self, role: Role, dept: Option<&str>) -> String {
        let st = self.state.clone();
        let dept = dept.map(|d| DepartmentCode::parse(d).unwrap());
        tokio::task::spawn_blocking(move || {
            let mut conn = st.db.get().unwrap();
            directory::create_token(&mut conn, &format!("{role}-test"), role, dept.as_ref(), 0)
                .unwrap()
                .1
        })
        .await
        .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        decode(resp).await
    }

    pub async fn post_raw(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let resp = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        decode(resp).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let resp = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        decode(resp).await
    }

    /// Creates a mailbox consultation for `dept` received at `received_at`; returns the message JSON.
    pub async fn create_message(&self, dept: &str, received_at: &str) -> Value {
        let (status, body) = self
            .post(&self.admin, "/api/v1/messages", &mailbox(dept, received_at))
            .await;
        assert_eq!(status, 201, "{}: {body}", self.backend);
        body
    }
}

pub async fn decode(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// A mayor's-mailbox consultation (5 working days).
pub fn mailbox(dept: &str, received_at: &str) -> Value {
    json!({
        "channel": "mayor_mailbox",
        "category": "consultation",
        "subject": "小区加装电梯审批进度咨询",
        "body": "市长您好：我想咨询小区加装电梯的审批进度。",
        "department": dept,
        "received_at": received_at,
        "citizen": {"name": "张三", "phone": "13812345678", "email": "zhangsan@example.com"}
    })
}

/// A 我为政府网站找错 report (3 working days).
pub fn website_error(dept: &str, received_at: &str) -> Value {
    json!({
        "channel": "website_error",
        "category": "error_report",
        "subject": "政策文件栏目链接打不开",
        "body": "政策文件栏目第二页的链接打不开。",
        "department": dept,
        "received_at": received_at,
        "site": {"name": "市住房和城乡建设局网站", "url": "https://zjj.example.gov.cn/zwgk/"}
    })
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no envelope>")
}
