//! Benchmark tooling behind `huiyin bench`: the workload generator, the dataset loader and the HTTP load driver with its scenarios.

pub mod driver;
pub mod generator;
pub mod loader;

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Subcommand;

use crate::api::AppState;
use crate::auth::Role;
use crate::directory::{self, DepartmentCode};
use driver::{choose, Step};
use generator::{Generator, Workload, DEPARTMENTS};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Write N messages as JSON lines (the import format).
    Generate {
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Receipt days at random instead of in receipt order (an unordered backfill).
        #[arg(long)]
        shuffled: bool,
    },
    /// Load N generated messages (with replies, transfers, pauses, extensions) straight into the configured database.
    Load {
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Create the departments and one clerk token per department (plus an admin token); write `code<TAB>token` lines.
    Prepare {
        #[arg(long)]
        tokens_out: PathBuf,
    },
    /// Scenario 1: HTTP ingest, one POST per message.
    Ingest {
        /// Server address; several, comma-separated, and the connections alternate between them.
        #[arg(long, default_value = "127.0.0.1:8080", value_delimiter = ',')]
        addr: Vec<String>,
        #[arg(long)]
        tokens: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        #[arg(long, default_value_t = 99)]
        seed: u64,
        /// PID of each server, to report its peak memory.
        #[arg(long, value_delimiter = ',')]
        server_pid: Vec<u32>,
    },
    /// Scenario 3: clerk workload, inbox : open : reply = 8 : 1 : 1.
    Clerk {
        /// Server address; several, comma-separated, and the connections alternate between them.
        #[arg(long, default_value = "127.0.0.1:8080", value_delimiter = ',')]
        addr: Vec<String>,
        #[arg(long)]
        tokens: PathBuf,
        #[arg(long, default_value_t = 20_000)]
        count: usize,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// PID of each server, to report its peak memory.
        #[arg(long, value_delimiter = ',')]
        server_pid: Vec<u32>,
    },
}

fn read_tokens(path: &PathBuf) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(d, t)| (d.to_string(), t.to_string()))
        .collect())
}

fn report_memory(pids: &[u32]) {
    for &pid in pids {
        if let Some(mib) = driver::peak_rss_mib(pid) {
            println!("server {pid} peak resident memory: {mib:.0} MiB");
        }
    }
}

/// Runs a bench subcommand. `state` is loaded lazily by the caller only for commands that need the database.
pub fn run(
    command: BenchCommand,
    state: impl FnOnce() -> anyhow::Result<AppState>,
) -> anyhow::Result<()> {
    match command {
        BenchCommand::Generate {
            count,
            seed,
            out,
            shuffled,
        } => {
            let started = Instant::now();
            let file = std::fs::File::create(&out)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            let bytes = generator::write_lines(
                Workload {
                    seed,
                    in_order: if shuffled { 0 } else { count as u64 },
                    ..Workload::default()
                },
                count,
                &mut w,
            )?;
            w.flush()?;
            println!(
                "{count} lines, {:.1} MiB in {:.2} s",
                bytes as f64 / 1048576.0,
                started.elapsed().as_secs_f64()
            );
        }
        BenchCommand::Load { count, seed } => {
            let state = state()?;
            let started = Instant::now();
            let as_of = state.clock.now();
            let done = state.db.write_blocking(|conn| {
                loader::load(
                    conn,
                    &state.workflow,
                    Workload {
                        seed,
                        in_order: count as u64,
                        ..Workload::default()
                    },
                    count,
                    as_of,
                    |n| {
                        if n % 100_000 == 0 {
                            eprintln!("  {n} rows");
                        }
                    },
                )
            })?;
            println!(
                "{done} messages loaded in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        BenchCommand::Prepare { tokens_out } => {
            let state = state()?;
            let now = state.clock.now().timestamp();
            let lines = state.db.write_blocking(|conn| {
                loader::ensure_departments(conn, now)?;
                let mut lines = Vec::new();
                for (code, _) in DEPARTMENTS {
                    let dept = DepartmentCode::parse(code)
                        .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!(e)))?;
                    let (_, token) = directory::create_token(
                        conn,
                        &format!("bench-{code}"),
                        Role::Clerk,
                        Some(&dept),
                        now,
                    )?;
                    lines.push(format!("{code}\t{token}"));
                }
                let (_, admin) =
                    directory::create_token(conn, "bench-admin", Role::Admin, None, now)?;
                lines.push(format!("*\t{admin}"));
                Ok(lines)
            })?;
            std::fs::write(&tokens_out, lines.join("\n") + "\n")?;
            println!("{} tokens written to {}", lines.len(), tokens_out.display());
        }
        BenchCommand::Ingest {
            addr,
            tokens,
            count,
            concurrency,
            seed,
            server_pid,
        } => {
            let admin: Vec<String> = read_tokens(&tokens)?
                .into_iter()
                .filter(|(d, _)| d == "*")
                .map(|(_, t)| t)
                .collect();
            anyhow::ensure!(
                !admin.is_empty(),
                "no admin token (line starting with '*') in {}",
                tokens.display()
            );
            // Bodies are made before the clock starts; receipts are moved to the last days so no deadline leaves the calendar.
            let bodies: Vec<Vec<u8>> = Generator::new(Workload {
                seed,
                ..Workload::default()
            })
            .take(count)
            .enumerate()
            .map(|(i, mut g)| {
                g.line.external_id = format!("HTTP-{seed}-{i}");
                serde_json::to_vec(&g.line).unwrap_or_default()
            })
            .collect();
            let bodies = Arc::new(bodies);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let mut out = rt.block_on(driver::run(
                &addr,
                Arc::new(admin),
                concurrency,
                count,
                move |i, _, _| Step::Post {
                    path: "/api/v1/messages".into(),
                    body: bodies[i].clone(),
                },
                |s| s == 201 || s == 200,
            ))?;
            println!(
                "{}",
                out.summary(&format!("ingest ({concurrency} connections)"))
            );
            report_memory(&server_pid);
        }
        BenchCommand::Clerk {
            addr,
            tokens,
            count,
            concurrency,
            server_pid,
        } => {
            let clerks: Vec<String> = read_tokens(&tokens)?
                .into_iter()
                .filter(|(d, _)| d != "*")
                .map(|(_, t)| t)
                .collect();
            anyhow::ensure!(
                !clerks.is_empty(),
                "no clerk tokens in {}",
                tokens.display()
            );
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let mut out = rt.block_on(driver::run(
                &addr,
                Arc::new(clerks),
                concurrency,
                count,
                |i, rng, last| {
                    // Ids come from the previous inbox page this connection saw.
                    let ids = inbox_ids(last);
                    match i % 10 {
                        8 if !ids.is_empty() => Step::Get {
                            path: format!("/api/v1/messages/{}", choose(rng, &ids)),
                        },
                        9 if !ids.is_empty() => Step::Post {
                            path: format!("/api/v1/messages/{}/reply", choose(rng, &ids)),
                            body: br#"{"body":"\u60a8\u597d\uff0c\u5df2\u529e\u7406\u3002"}"#
                                .to_vec(),
                        },
                        _ => Step::Get {
                            path: "/api/v1/messages?status=open&per_page=20".into(),
                        },
                    }
                },
                // A reply can race another connection's reply to the same message: 409 is a correct answer.
                |s| s == 200 || s == 409,
            ))?;
            println!(
                "{}",
                out.summary(&format!("clerk workload ({concurrency} connections)"))
            );
            report_memory(&server_pid);
        }
    }
    Ok(())
}

/// Message ids in an inbox page body.
fn inbox_ids(body: &[u8]) -> Vec<i64> {
    #[derive(serde::Deserialize)]
    struct Page {
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        id: i64,
    }
    serde_json::from_slice::<Page>(body)
        .map(|p| p.items.into_iter().map(|i| i.id).collect())
        .unwrap_or_default()
}
