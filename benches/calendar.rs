//! Criterion benchmarks of the hot paths: `Timeline::due_at` and
//! `Calendar::working_days_between` on the shipped 2018–2026 calendar.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use huiyin::calendar::Calendar;
use huiyin::sla::{Timeline, WorkingDays};

/// Inputs per measured iteration; results are reported per input via `Throughput`.
const BATCH: usize = 1024;

/// Deterministic pseudo-random numbers (no extra dependency needed).
fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

fn load() -> Arc<Calendar> {
    Arc::new(
        Calendar::load_dir(Path::new("config/calendar")).expect("config/calendar must be valid"),
    )
}

fn bench_due_at(c: &mut Criterion) {
    let timeline = Timeline::new(load(), chrono_tz::Asia::Shanghai);
    let start = timeline
        .calendar()
        .first_date()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    // Receipts spread over 2018-01-01 .. 2026-11 so that +15 working days stays in range.
    let mut seed = 42;
    let inputs: Vec<(DateTime<Utc>, WorkingDays)> = (0..BATCH)
        .map(|_| {
            let secs = start + (lcg(&mut seed) % (3200 * 86_400)) as i64;
            let days = WorkingDays::new(1 + (lcg(&mut seed) % 15) as u32).unwrap();
            (DateTime::from_timestamp(secs, 0).unwrap(), days)
        })
        .collect();
    let mut group = c.benchmark_group("due_at");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("asia_shanghai_1024_receipts", |b| {
        b.iter(|| {
            for &(received, days) in &inputs {
                black_box(timeline.due_at(black_box(received), days).unwrap());
            }
        })
    });
    group.finish();
}

fn bench_working_days_between(c: &mut Criterion) {
    let calendar = load();
    let first = calendar.first_date();
    let mut seed = 7;
    let inputs: Vec<(NaiveDate, NaiveDate)> = (0..BATCH)
        .map(|_| {
            let a = first + Days::new(lcg(&mut seed) % 3287);
            let b = first + Days::new(lcg(&mut seed) % 3287);
            (a, b)
        })
        .collect();
    let mut group = c.benchmark_group("working_days_between");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("random_pairs_1024", |b| {
        b.iter(|| {
            for &(from, to) in &inputs {
                black_box(
                    calendar
                        .working_days_between(black_box(from), black_box(to))
                        .unwrap(),
                );
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_due_at, bench_working_days_between);
criterion_main!(benches);
