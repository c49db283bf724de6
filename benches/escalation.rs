//! The escalation sweep over 1,000,000 open messages: when nothing is due it must be an index
//! probe (milliseconds), not a scan; with 10,000 due, deciding their alerts and writing them to
//! the outbox (no SMTP) must take under a second. Run: `cargo bench --bench escalation`
//! (SQLite; set HUIYIN_BENCH_MESSAGES to change the size).

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use huiyin::api::AppState;
use huiyin::clock::ManualClock;
use huiyin::config::Settings;
use huiyin::escalation::Environment;

#[derive(QueryableByName)]
struct Plan {
    #[diesel(sql_type = Text)]
    detail: String,
}

fn build(dir: &std::path::Path, count: u64, now: DateTime<Utc>) -> Arc<Environment> {
    let mut env = std::collections::BTreeMap::new();
    env.insert(
        "HUIYIN_DATABASE_URL".to_string(),
        format!("sqlite://{}", dir.join("bench.db").display()),
    );
    let settings = Settings::load_from(std::path::Path::new("config/default.toml"), &env).unwrap();
    let state = AppState::load(settings, Arc::new(ManualClock::new(now))).unwrap();
    let mut conn = state.db.get().unwrap();
    let t0 = Instant::now();
    let now = now.timestamp();
    // One statement builds the whole set: open messages received over the last week, due within
    // the next two weeks, each with its next ladder instant still ahead (a settled database).
    conn.batch_execute(&format!(
        "INSERT INTO departments (code, name, created_at) VALUES ('zjj', '市住房和城乡建设局', 0);
         INSERT INTO staff (name, email, role, department_code, created_at) VALUES
             ('王科长', 'wang@zjj.example.gov.cn', 'supervisor', 'zjj', 0),
             ('李承办', 'li@zjj.example.gov.cn', 'clerk', 'zjj', 0);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
         INSERT INTO messages (channel, category, subject, body, citizen_name, citizen_phone,
             department_code, status, received_at, due_at, original_due_at, updated_at,
             next_escalation_at)
         SELECT 'mayor_mailbox', 'consultation', '小区加装电梯审批进度咨询 ' || i, '市长您好：……',
             '张三', '13812345678', 'zjj', 'open', {now} - (i % 604800),
             {now} + 86400 + (i % 1209600), {now} + 86400 + (i % 1209600), {now},
             {now} + 3600 + (i % 1209600)
         FROM n;"
    ))
    .unwrap();
    eprintln!(
        "loaded {count} open messages in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
    let plan: Vec<Plan> = diesel::sql_query(format!(
        "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE next_escalation_at <= {now} \
         ORDER BY next_escalation_at, id LIMIT 500"
    ))
    .load(&mut *conn)
    .unwrap();
    for p in plan {
        eprintln!("query plan: {}", p.detail);
    }
    huiyin::startup::worker_environment(&state).escalation
}

/// The database (HUIYIN_BENCH_MESSAGES open messages, 1,000,000 by default) in a temporary
/// folder, the clock, and a runtime to sweep on.
struct Setup {
    _dir: tempfile::TempDir,
    count: u64,
    now: DateTime<Utc>,
    state: Arc<Environment>,
    rt: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    let count: u64 = std::env::var("HUIYIN_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // A Monday morning after the digest hour, so the digest check runs as well.
    let now = DateTime::parse_from_rfc3339("2026-06-01T10:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let state = build(dir.path(), count, now);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    Setup {
        _dir: dir,
        count,
        now,
        state,
        rt,
    }
}

fn sweep(c: &mut Criterion) {
    let Setup {
        _dir,
        count,
        state,
        rt,
        ..
    } = setup();
    let report = rt.block_on(huiyin::escalation::sweep_once(&state)).unwrap();
    assert_eq!(report.evaluated, 0, "nothing may be due");
    c.bench_function(
        &format!("empty sweep, {count} open messages (SQLite)"),
        |b| b.iter(|| rt.block_on(huiyin::escalation::sweep_once(&state)).unwrap()),
    );
    c.bench_function(
        &format!("empty delivery round, {count} open messages (SQLite)"),
        |b| {
            b.iter(|| {
                rt.block_on(huiyin::escalation::deliver_once(&state))
                    .unwrap()
            })
        },
    );
}

/// 10,000 of the open messages made overdue before each timed sweep (each time with a new
/// deadline, so the once-only rule lets their alerts through again): the sweep decides the
/// overdue level for each and writes an email to the supervisor, copying the clerk.
fn sweep_due(c: &mut Criterion) {
    const DUE: u64 = 10_000;
    let Setup {
        _dir,
        count,
        now,
        state,
        rt,
    } = setup();
    // Digests and the monthly report email are queued by the first sweep, not the timed ones.
    rt.block_on(huiyin::escalation::sweep_once(&state)).unwrap();
    let mut round = 0i64;
    let mut make_due = || {
        round += 1;
        let now = now.timestamp();
        let mut conn = state.db.get().unwrap();
        conn.batch_execute(&format!(
            "UPDATE messages SET due_at = {now} - 3600 - {round}, next_escalation_at = {now} - 60 \
             WHERE id <= {DUE}"
        ))
        .unwrap();
    };
    c.bench_function(
        &format!("sweep with {DUE} due, {count} open messages (SQLite)"),
        |b| {
            b.iter_custom(|iters| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iters {
                    make_due();
                    let t = Instant::now();
                    let report = rt.block_on(huiyin::escalation::sweep_once(&state)).unwrap();
                    total += t.elapsed();
                    assert_eq!(report.evaluated, DUE as usize);
                    assert_eq!(report.alerts, DUE as usize);
                }
                total
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = sweep
}
criterion_group! {
    name = due;
    config = Criterion::default().sample_size(10);
    targets = sweep_due
}
criterion_main!(benches, due);
