//! The personal-data sweep: a full run of the real binary (serve, then `escalate --once`) fed with
//! citizens' names, phones, emails, ID numbers and search text, after which neither any log line
//! nor any email holds one of them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::helpers::{database_urls, mailbox};
use crate::smtp::Received;

/// Every personal value the run sends.
const PERSONAL: [&str; 7] = [
    "欧阳娜娜",
    "13912345678",
    "nana.ouyang@example.com",
    "11010519491231002X",
    "13698765432",
    "上官婉儿",
    "wan.er@example.net",
];

fn huiyin(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huiyin"));
    cmd.args(args)
        .env("HUIYIN_DATABASE_URL", db_url)
        .env("RUST_LOG", "debug");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Collects a child's output stream line by line.
fn collect(
    lines: impl Iterator<Item = std::io::Result<String>> + Send + 'static,
    into: Arc<Mutex<Vec<String>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            into.lock().unwrap().push(line);
        }
    })
}

#[tokio::test]
async fn no_log_line_and_no_email_of_a_full_run_holds_a_personal_value() {
    for (backend, make) in database_urls() {
        let (_db, url) = make();
        let spool = tempfile::tempdir().unwrap();
        let spool_dir = spool.path().to_str().unwrap().to_string();
        let mut logs = Vec::new();
        for args in [
            vec![
                "dept",
                "add",
                "--code",
                "zjj",
                "--name",
                "市住房和城乡建设局",
            ],
            vec![
                "user",
                "add",
                "--name",
                "王科长",
                "--email",
                "wang@zjj.example.gov.cn",
                "--role",
                "supervisor",
                "--dept",
                "zjj",
            ],
            vec![
                "user",
                "add",
                "--name",
                "陈主任",
                "--email",
                "chen@example.gov.cn",
                "--role",
                "leader",
            ],
        ] {
            let out = huiyin(&url, &args, &[]);
            logs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let out = huiyin(
            &url,
            &["token", "create", "--name", "t", "--role", "admin"],
            &[],
        );
        let token = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_string();

        let mut server = Command::new(env!("CARGO_BIN_EXE_huiyin"))
            .arg("serve")
            .env("HUIYIN_DATABASE_URL", &url)
            .env("HUIYIN_LISTEN", "127.0.0.1:0")
            .env("HUIYIN_ESCALATION__WORKER", "false")
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server printed its address")
                .unwrap();
            stdout.lock().unwrap().push(line.clone());
            if let Some(rest) = line.strip_prefix("huiyin listening on ") {
                break rest.to_string();
            }
        };
        let readers = [
            collect(lines, stdout.clone()),
            collect(
                BufReader::new(server.stderr.take().unwrap()).lines(),
                stderr.clone(),
            ),
        ];

        let client = reqwest::Client::new();
        let post = |path: &str, body: String, content_type: &'static str| {
            client
                .post(format!("{base}{path}"))
                .bearer_auth(&token)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let received = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc3339();
        let mut m = mailbox("zjj", &received);
        m["subject"] = json!("欧阳娜娜反映：身份证11010519491231002X，电话13698765432");
        m["body"] = json!("我是欧阳娜娜，手机13912345678，邮箱nana.ouyang@example.com。");
        m["citizen"] =
            json!({"name": "欧阳娜娜", "phone": "13912345678", "email": "nana.ouyang@example.com"});
        let created: serde_json::Value =
            post("/api/v1/messages", m.to_string(), "application/json")
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let id = created["id"].as_i64().expect("created");
        // Refused inputs carrying personal data: a bad email, a NUL byte, malformed JSON.
        let mut bad = m.clone();
        bad["citizen"]["email"] = json!("上官婉儿");
        let mut nul = m.clone();
        nul["subject"] = json!("上官婉儿\u{0}wan.er@example.net");
        for body in [
            bad.to_string(),
            nul.to_string(),
            "{\"subject\": \"上官婉儿".into(),
        ] {
            let status = post("/api/v1/messages", body, "application/json")
                .await
                .unwrap()
                .status();
            assert!(status.is_client_error(), "{backend}: {status}");
        }
        let mut line = mailbox("zjj", &received);
        line["citizen"] = json!({"name": "上官婉儿", "email": "wan.er@example.net"});
        let import = format!("{line}\n{nul}\n");
        let status = post("/api/v1/messages/import", import, "application/x-ndjson")
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        for q in ["欧阳娜娜", "13912345678", "上官婉儿"] {
            let status = client
                .get(format!("{base}/api/v1/messages"))
                .query(&[("q", q)])
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200);
        }
        let status = client
            .get(format!("{base}/api/v1/messages/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        server.kill().unwrap();
        server.wait().unwrap();
        for r in readers {
            r.join().unwrap();
        }

        // The escalation round: overdue and severe alerts, written as .eml files.
        let out = huiyin(
            &url,
            &["escalate", "--once"],
            &[("HUIYIN_SMTP__DRY_RUN_DIR", &spool_dir)],
        );
        logs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        logs.push(String::from_utf8_lossy(&out.stderr).into_owned());
        logs.extend(stdout.lock().unwrap().iter().cloned());
        logs.extend(stderr.lock().unwrap().iter().cloned());
        let log = logs.join("\n");
        assert!(
            log.contains("/api/v1/messages"),
            "{backend}: the requests were logged"
        );

        let emails: Vec<Received> = std::fs::read_dir(spool.path())
            .unwrap()
            .map(|e| Received {
                rcpt: Vec::new(),
                data: std::fs::read_to_string(e.unwrap().path()).unwrap(),
            })
            .collect();
        assert!(emails.len() >= 2, "{backend}: {} emails", emails.len());
        for value in PERSONAL {
            assert!(
                !log.contains(value),
                "{backend}: {value} in the log:\n{log}"
            );
            for e in &emails {
                assert!(
                    !e.subject().contains(value)
                        && !e.text().contains(value)
                        && !e.data.contains(value),
                    "{backend}: {value} in an email:\n{}\n{}",
                    e.subject(),
                    e.text()
                );
            }
        }
    }
}
