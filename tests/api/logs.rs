//! The log of a real server run (the binary, as deployed) holds none of the personal values the
//! API and the pages were sent: citizen names, phones, emails, ID numbers, search text. Each
//! request's line has the route template, the status and the request id.

use std::io::Write;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::web::Browser;

/// The personal values of this run: each must appear nowhere in the log.
const NAME: &str = "欧阳晓明";
const PHONE: &str = "13987654321";
const EMAIL: &str = "ouyang.xm@example.com";
const ID_NUMBER: &str = "110101199003071234";
const SEARCH: &str = "欧阳";
const IMPORT_NAME: &str = "司马青云";
const IMPORT_PHONE: &str = "13700001111";
const BAD_EMAIL: &str = "not-an-email-上官";
const PASSWORD: &str = "correct-horse-battery";

struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cli(env: &[(&str, String)], args: &[&str], stdin: Option<&str>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        writeln!(child.stdin.take().unwrap(), "{text}").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn start(dir: &std::path::Path, format: &str) -> (Server, String, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = vec![
        (
            "HUIYIN_DATABASE_URL",
            format!("sqlite://{}", dir.join("h.db").display()),
        ),
        ("HUIYIN_LISTEN", format!("127.0.0.1:{port}")),
        (
            "HUIYIN_SERVER__FIRST_TOKEN_FILE",
            dir.join("token.txt").display().to_string(),
        ),
        (
            "HUIYIN_SMTP__DRY_RUN_DIR",
            dir.join("mail").display().to_string(),
        ),
        ("HUIYIN_LOG__FORMAT", format.to_string()),
        ("RUST_LOG", "debug".to_string()),
    ];
    cli(
        &env,
        &["dept", "add", "--code", "zjj", "--name", "市住建局"],
        None,
    );
    cli(
        &env,
        &[
            "user",
            "add",
            "--name",
            "承办人甲",
            "--email",
            "clerk@zjj.gov.cn",
            "--role",
            "clerk",
            "--dept",
            "zjj",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    let log = dir.join("server.log");
    let file = std::fs::File::create(&log).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .arg("serve")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::from(file.try_clone().unwrap()))
        .stderr(Stdio::from(file))
        .spawn()
        .unwrap();
    let server = Server { child, log };
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let token = std::fs::read_to_string(dir.join("token.txt")).unwrap();
    let token = token
        .lines()
        .rev()
        .find(|l| l.starts_with("hy_"))
        .unwrap()
        .trim()
        .to_string();
    (server, base, token)
}

async fn run_as_users(base: &str, token: &str) -> Vec<String> {
    let client = reqwest::Client::new();
    let message = json!({
        "channel": "mayor_mailbox", "category": "complaint", "department": "zjj",
        "external_id": "log-1",
        "subject": format!("{NAME}反映小区噪音"),
        "body": format!("我是{NAME}，身份证{ID_NUMBER}，电话{PHONE}，请尽快处理。"),
        "citizen": {"name": NAME, "phone": PHONE, "email": EMAIL},
        "received_at": "2026-11-23T09:00:00+08:00",
    });
    let resp = client
        .post(format!("{base}/api/v1/messages"))
        .bearer_auth(token)
        .json(&message)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let ids = vec![resp.headers()["x-request-id"].to_str().unwrap().to_string()];
    let created: Value = resp.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    // Invalid input that repeats personal data: refused, and not logged either.
    let mut bad = message.clone();
    bad["external_id"] = json!("log-2");
    bad["citizen"]["email"] = json!(BAD_EMAIL);
    let resp = client
        .post(format!("{base}/api/v1/messages"))
        .bearer_auth(token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let envelope: Value = resp.json().await.unwrap();
    assert!(
        envelope["error"]["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "{envelope}"
    );
    // A search by name and by phone, an import, the detail, a reply.
    for q in [SEARCH, PHONE] {
        let resp = client
            .get(format!("{base}/api/v1/messages"))
            .query(&[("q", q)])
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let line = json!({
        "channel": "mayor_mailbox", "category": "consultation", "department": "zjj",
        "subject": "咨询", "body": format!("联系人{IMPORT_NAME}，{IMPORT_PHONE}"),
        "citizen": {"name": IMPORT_NAME, "phone": IMPORT_PHONE},
        "received_at": "2026-11-23T09:30:00+08:00",
    });
    let resp = client
        .post(format!("{base}/api/v1/messages/import"))
        .bearer_auth(token)
        .body(format!("{line}\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = client
        .get(format!("{base}/api/v1/messages/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The pages: a clerk logs in, searches by the citizen's name, opens the message and replies.
    let clerk = Browser::at(base);
    assert_eq!(clerk.log_in("clerk@zjj.gov.cn", PASSWORD).await.status, 303);
    let found = clerk.get(&format!("/?q={SEARCH}")).await;
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains(&format!("/messages/{id}")),
        "the search finds it"
    );
    let page = format!("/messages/{id}");
    let reply = clerk
        .submit(
            &page,
            &format!("{page}/reply"),
            &[
                ("body", &format!("{NAME}您好，已安排处理。")),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    ids
}

fn assert_clean(log: &str) {
    for value in [
        NAME,
        PHONE,
        EMAIL,
        ID_NUMBER,
        SEARCH,
        IMPORT_NAME,
        IMPORT_PHONE,
        BAD_EMAIL,
        "?q=",
        PASSWORD,
    ] {
        assert!(!log.contains(value), "the log holds '{value}':\n{log}");
    }
}

#[tokio::test]
async fn the_log_of_an_api_and_web_run_holds_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let (server, base, token) = start(dir.path(), "text").await;
    let request_ids = run_as_users(&base, &token).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert_clean(&log);
    // The access log names the route template, and the request id runs through it.
    assert!(log.contains("/api/v1/messages/{id}"), "{log}");
    assert!(log.contains("/messages/{id}/reply"), "{log}");
    assert!(
        log.contains(&request_ids[0]),
        "the request id is logged: {log}"
    );
}

#[tokio::test]
async fn the_json_log_is_one_object_per_line_and_as_clean() {
    let dir = tempfile::tempdir().unwrap();
    let (server, base, token) = start(dir.path(), "json").await;
    run_as_users(&base, &token).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert_clean(&log);
    let requests: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["message"] == "request")
        .collect();
    assert!(
        requests
            .iter()
            .any(|r| r["http.route"] == "/api/v1/messages" && r["http.status"] == 201),
        "{log}"
    );
    assert!(
        requests.iter().all(|r| r["span"]["request.id"].is_string()),
        "{log}"
    );
}
