//! `huiyin backup` copies the SQLite database while messages come in, and `huiyin restore` puts
//! a checked copy back: every message acknowledged before the backup began is in it.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::helpers::{mailbox, t, test_settings, TestApp, TestDb};

const NOW: &str = "2026-11-23T10:00:00+08:00";

fn huiyin(db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .args(args)
        .env("HUIYIN_DATABASE_URL", db_url)
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_backup_taken_during_ingest_restores_every_acknowledged_message() {
    let (db, url) = TestDb::sqlite();
    let app = TestApp::spawn("sqlite", db, test_settings(&url, &[]), t(NOW)).await;
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let (client, address, admin) = (app.client.clone(), app.address.clone(), app.admin.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let mut body = mailbox("zjj", "2026-11-23T09:00:00+08:00");
                body["external_id"] = json!(format!("bk-{n}"));
                let resp = client
                    .post(format!("{address}/api/v1/messages"))
                    .bearer_auth(&admin)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 201);
                let v: serde_json::Value = resp.json().await.unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .insert(v["id"].as_i64().unwrap());
            }
            n
        })
    };
    // Let some messages in, note what was acknowledged, then copy while the sender goes on.
    while acknowledged.lock().unwrap().len() < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before: BTreeSet<i64> = acknowledged.lock().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_string_lossy().to_string();
    let source = url.clone();
    let out = tokio::task::spawn_blocking(move || huiyin(&source, &["backup", "--out", &copy_arg]))
        .await
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = sender.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        sent > before.len(),
        "the sender kept going during the backup"
    );

    // A second backup to the same file is refused rather than overwriting it.
    let again = huiyin(&url, &["backup", "--out", &copy.to_string_lossy()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // Restored into a fresh place, the copy holds every message acknowledged before it began.
    let restored_url = format!("sqlite://{}", dir.path().join("restored.db").display());
    let out = huiyin(
        &restored_url,
        &["restore", "--from", &copy.to_string_lossy()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let mut conn = huiyin::db::establish(&restored_url).unwrap();
    let ids: BTreeSet<i64> =
        huiyin::messages::model::find_many(&mut conn, &before.iter().copied().collect::<Vec<_>>())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
    assert_eq!(ids, before, "every acknowledged message is in the copy");
    let total: i64 = {
        use diesel::prelude::*;
        huiyin::schema::messages::table
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    assert!(total >= before.len() as i64);
    assert!(
        said.contains(&format!("restored {total} messages")),
        "{said}"
    );
    // The restored database serves: migrations are current and the service starts on it.
    let out = huiyin(&restored_url, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn restore_refuses_what_is_not_an_intact_huiyin_database() {
    let dir = tempfile::tempdir().unwrap();
    let target = format!("sqlite://{}", dir.path().join("live.db").display());
    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is not a database, just text that is long enough",
    )
    .unwrap();
    let out = huiyin(&target, &["restore", "--from", &garbage.to_string_lossy()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an SQLite database"));

    let foreign = dir.path().join("foreign.db");
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::SqliteConnection::establish(&foreign.to_string_lossy()).unwrap();
        c.batch_execute("CREATE TABLE t (x INTEGER)").unwrap();
    }
    let out = huiyin(&target, &["restore", "--from", &foreign.to_string_lossy()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a huiyin database"));
    assert!(
        !dir.path().join("live.db").exists(),
        "nothing was put in place"
    );

    let out = huiyin(
        "postgres://postgres@127.0.0.1:5432/test",
        &[
            "backup",
            "--out",
            &dir.path().join("pg.db").to_string_lossy(),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}
