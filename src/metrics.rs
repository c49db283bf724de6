//! The service's figures for Prometheus (`GET /metrics`, text format): requests by route template
//! and status with latency, ingest batches and queue depth, escalation sweeps and the alerts they
//! decide per level, deliveries by result, report generation time; and, read at each scrape, the
//! outbox backlog, the database pool and the days of official calendar left.
//!
//! One registry per process, as Prometheus clients keep it: the figures are counted where the
//! work happens (the access log, the ingest writer, the worker), without threading a handle
//! through every call.

use std::sync::OnceLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// The counters and histograms the code updates.
pub struct Metrics {
    registry: Registry,
    /// `huiyin_http_requests_total{route, status}`.
    pub http_requests: IntCounterVec,
    /// `huiyin_http_request_duration_seconds{route}`.
    pub http_seconds: HistogramVec,
    /// Messages waiting for the ingest writer.
    pub intake_queue: IntGauge,
    /// Messages stored per ingest transaction.
    pub intake_batch: Histogram,
    pub sweep_seconds: Histogram,
    /// `huiyin_escalation_alerts_total{level}`.
    pub alerts: IntCounterVec,
    /// `huiyin_deliveries_total{result}`: sent, failed, lost.
    pub deliveries: IntCounterVec,
    pub report_seconds: Histogram,
    outbox: IntGaugeVec,
    outbox_oldest_seconds: IntGauge,
    pool: IntGaugeVec,
    calendar_days_left: IntGauge,
}

fn build() -> prometheus::Result<Metrics> {
    let registry = Registry::new_custom(Some("huiyin".into()), None)?;
    let latency = vec![
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
    ];
    let m = Metrics {
        http_requests: IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route template and status",
            ),
            &["route", "status"],
        )?,
        http_seconds: HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency")
                .buckets(latency.clone()),
            &["route"],
        )?,
        intake_queue: IntGauge::new(
            "intake_queue_depth",
            "messages waiting for the ingest writer",
        )?,
        intake_batch: Histogram::with_opts(
            HistogramOpts::new(
                "intake_batch_size",
                "messages stored per ingest transaction",
            )
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        )?,
        sweep_seconds: Histogram::with_opts(
            HistogramOpts::new("escalation_sweep_duration_seconds", "one escalation sweep")
                .buckets(latency.clone()),
        )?,
        alerts: IntCounterVec::new(
            Opts::new(
                "escalation_alerts_total",
                "alerts decided by the sweep, per ladder level",
            ),
            &["level"],
        )?,
        deliveries: IntCounterVec::new(
            Opts::new("deliveries_total", "outbox deliveries by result"),
            &["result"],
        )?,
        report_seconds: Histogram::with_opts(
            HistogramOpts::new("report_generation_seconds", "building one report").buckets(latency),
        )?,
        outbox: IntGaugeVec::new(
            Opts::new("outbox_emails", "emails in the outbox by state"),
            &["state"],
        )?,
        outbox_oldest_seconds: IntGauge::new(
            "outbox_oldest_pending_age_seconds",
            "age of the oldest undelivered email (0 when none)",
        )?,
        pool: IntGaugeVec::new(
            Opts::new("db_pool_connections", "database pool connections by state"),
            &["state"],
        )?,
        calendar_days_left: IntGauge::new(
            "calendar_official_days_left",
            "days from today to the last date of the official working-day calendar",
        )?,
        registry,
    };
    let r = &m.registry;
    r.register(Box::new(m.http_requests.clone()))?;
    r.register(Box::new(m.http_seconds.clone()))?;
    r.register(Box::new(m.intake_queue.clone()))?;
    r.register(Box::new(m.intake_batch.clone()))?;
    r.register(Box::new(m.sweep_seconds.clone()))?;
    r.register(Box::new(m.alerts.clone()))?;
    r.register(Box::new(m.deliveries.clone()))?;
    r.register(Box::new(m.report_seconds.clone()))?;
    r.register(Box::new(m.outbox.clone()))?;
    r.register(Box::new(m.outbox_oldest_seconds.clone()))?;
    r.register(Box::new(m.pool.clone()))?;
    r.register(Box::new(m.calendar_days_left.clone()))?;
    Ok(m)
}

/// The process's figures.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| build().expect("metric names are valid and registered once"))
}

/// What is read at a scrape rather than counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    pub outbox_undeliverable: i64,
    pub outbox_oldest_age_secs: i64,
    pub pool_open: u32,
    pub pool_idle: u32,
    pub calendar_days_left: i64,
}

/// The text exposition of every figure, with the scrape's snapshot.
pub fn render(now: Snapshot) -> String {
    let m = get();
    m.outbox
        .with_label_values(&["pending"])
        .set(now.outbox_pending);
    m.outbox
        .with_label_values(&["failed"])
        .set(now.outbox_failed);
    m.outbox
        .with_label_values(&["undeliverable"])
        .set(now.outbox_undeliverable);
    m.outbox_oldest_seconds
        .set(now.outbox_oldest_age_secs.max(0));
    m.pool
        .with_label_values(&["open"])
        .set(i64::from(now.pool_open));
    m.pool
        .with_label_values(&["idle"])
        .set(i64::from(now.pool_idle));
    m.calendar_days_left.set(now.calendar_days_left);
    let mut out = Vec::new();
    // Encoding into a Vec of well-formed families does not fail.
    let _ = TextEncoder::new().encode(&m.registry.gather(), &mut out);
    String::from_utf8(out).unwrap_or_default()
}
