//! Migrations apply, revert and apply again on every backend, and leave the indexes the queries rely on.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::helpers::database_urls;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[test]
fn migrations_go_up_down_and_up_again_with_the_due_time_indexes() {
    for (backend, make) in database_urls() {
        let (_db, url) = make();
        let mut conn = huiyin::db::establish(&url).unwrap();
        assert!(huiyin::db::run_migrations(&mut conn).unwrap() > 0);
        assert!(huiyin::db::revert_all(&mut conn).unwrap() > 0);
        assert!(huiyin::db::run_migrations(&mut conn).unwrap() > 0);
        let query = match backend {
            "sqlite" => "SELECT name FROM sqlite_master WHERE type = 'index'",
            _ => "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'",
        };
        let names: Vec<String> = diesel::sql_query(query)
            .load::<Name>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect();
        for index in [
            "messages_open_due",
            "messages_department_status_due",
            "messages_pending_received",
            "messages_channel_external_id",
        ] {
            assert!(
                names.iter().any(|n| n == index),
                "{backend}: missing {index} in {names:?}"
            );
        }
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
