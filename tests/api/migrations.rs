//! Migrations apply, revert and apply again on every backend, and leave the tables and indexes the queries rely on.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use huiyin::db::DbConnection;
use huiyin::directory::{self, DepartmentCode};
use huiyin::messages::model::{self, NewMessageRow};

use crate::helpers::database_urls;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Every table the migrations create (the schema diesel compiles against).
const TABLES: &[&str] = &[
    "departments",
    "staff",
    "api_tokens",
    "messages",
    "message_events",
    "alert_outbox",
    "reports",
    "extension_requests",
    "pause_requests",
    "reply_submissions",
    "calendar_coverage",
];

/// The indexes the due-time and statistics queries rely on.
const INDEXES: &[&str] = &[
    "messages_open_due",
    "messages_department_status_due",
    "messages_pending_received",
    "messages_channel_external_id",
];

/// How many migrations the backend's folder holds: one directory each.
fn migration_count(backend: &str) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let n = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter(|e| e.as_ref().unwrap().file_type().unwrap().is_dir())
        .count();
    assert!(n > 0, "no migrations in {}", dir.display());
    n
}

fn names(conn: &mut DbConnection, backend: &str, kind: &str) -> Vec<String> {
    let query = match (backend, kind) {
        ("sqlite", "table") => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        ("sqlite", _) => "SELECT name FROM sqlite_master WHERE type = 'index'",
        (_, "table") => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'",
    };
    diesel::sql_query(query)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// A mailbox message for zjj with `external_id`.
fn new_message(external_id: &str) -> NewMessageRow<'_> {
    NewMessageRow {
        channel: "mayor_mailbox",
        external_id: Some(external_id),
        category: "consultation",
        subject: "加装电梯",
        body: "审批进度",
        citizen_name: Some("张三"),
        citizen_phone: None,
        citizen_email: None,
        site_name: None,
        site_url: None,
        department_code: "zjj",
        status: "open",
        received_at: 1_000,
        due_at: 2_000,
        original_due_at: 2_000,
        updated_at: 1_000,
        assigned_at: 1_000,
    }
}

/// Inserts a department and a message through the application's own queries and reads the message back.
fn insert_and_read_a_message(conn: &mut DbConnection, backend: &str) {
    directory::add_department(
        conn,
        &DepartmentCode::parse("zjj").unwrap(),
        "市住房和城乡建设局",
        None,
        0,
    )
    .unwrap();
    let ids = model::insert_many(conn, &[new_message("MB-1")]).unwrap();
    assert_eq!(ids.len(), 1, "{backend}");
    // `find` selects every column of the compiled schema, so a column a later migration adds and
    // the re-run forgot would fail here.
    let row = model::find(conn, ids[0]).unwrap();
    assert_eq!(
        (
            row.subject.as_str(),
            row.department_code.as_str(),
            row.external_id.as_deref(),
            row.due_at,
            row.status.as_str(),
        ),
        ("加装电梯", "zjj", Some("MB-1"), 2_000, "open"),
        "{backend}"
    );
    assert_eq!((row.extended_days, row.returned_count), (0, 0), "{backend}");
    assert!(!row.review_pending, "{backend}");
    // The unique (channel, external_id) index is back.
    let dup = model::insert_many(conn, &[new_message("MB-1")]);
    assert!(dup.is_err(), "{backend}: a duplicate external id went in");
    // The append-only trigger on the history is back.
    conn.batch_execute(&format!(
        "INSERT INTO message_events (message_id, kind, actor, at, detail) \
         VALUES ({}, 'received', 'test', 1000, '{{}}')",
        ids[0]
    ))
    .unwrap();
    assert!(
        conn.batch_execute("UPDATE message_events SET actor = 'someone else'")
            .is_err(),
        "{backend}: message_events accepted an update"
    );
}

#[test]
fn migrations_go_up_down_and_up_again_with_the_due_time_indexes() {
    for (backend, make) in database_urls() {
        let (_db, url) = make();
        let expected = migration_count(backend);
        let mut conn = huiyin::db::establish(&url).unwrap();

        assert_eq!(
            huiyin::db::run_migrations(&mut conn).unwrap(),
            expected,
            "{backend}: every migration applies on a fresh database"
        );
        assert_eq!(
            huiyin::db::run_migrations(&mut conn).unwrap(),
            0,
            "{backend}: nothing is pending after a run"
        );
        let tables = names(&mut conn, backend, "table");
        for table in TABLES {
            assert!(
                tables.iter().any(|t| t == table),
                "{backend}: missing {table} in {tables:?}"
            );
        }

        assert_eq!(
            huiyin::db::revert_all(&mut conn).unwrap(),
            expected,
            "{backend}: every migration reverts"
        );
        // Only diesel's own bookkeeping table is left.
        let left = names(&mut conn, backend, "table");
        assert_eq!(
            left,
            ["__diesel_schema_migrations"],
            "{backend}: tables left after revert_all"
        );
        let indexes = names(&mut conn, backend, "index");
        for index in INDEXES {
            assert!(
                !indexes.iter().any(|n| n == index),
                "{backend}: {index} survived revert_all"
            );
        }

        assert_eq!(
            huiyin::db::run_migrations(&mut conn).unwrap(),
            expected,
            "{backend}: every migration applies again"
        );
        let tables = names(&mut conn, backend, "table");
        for table in TABLES {
            assert!(
                tables.iter().any(|t| t == table),
                "{backend}: {table} not recreated in {tables:?}"
            );
        }
        let indexes = names(&mut conn, backend, "index");
        for index in INDEXES {
            assert!(
                indexes.iter().any(|n| n == index),
                "{backend}: missing {index} in {indexes:?}"
            );
        }
        insert_and_read_a_message(&mut conn, backend);
    }
}

#[test]
fn an_unreachable_database_reports_the_backends_own_error() {
    let err = huiyin::db::Db::connect(
        "postgres://nobody@127.0.0.1:1/none",
        1,
        std::time::Duration::from_secs(1),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("127.0.0.1") || err.to_lowercase().contains("connect"),
        "{err}"
    );
    let err = huiyin::db::Db::connect("mysql://x", 1, std::time::Duration::from_secs(1))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("unsupported database URL scheme"), "{err}");
}
