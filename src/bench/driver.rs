//! HTTP load driver: N keep-alive connections to a running server, a scenario per run, throughput and latency percentiles out.
//!
//! It speaks plain HTTP/1.1 over tokio sockets so that the client's own cost
//! stays small next to the server's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive connection.
pub struct Conn {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Conn {
    pub async fn open(addr: &str) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
            host: addr.to_string(),
        })
    }

    /// Sends a request and reads the whole response: (status, body).
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&[u8]>,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let body = body.unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        let s = self.stream.get_mut();
        s.write_all(head.as_bytes()).await?;
        s.write_all(body).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("bad status line {line:?}"),
                )
            })?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let k = k.trim().to_ascii_lowercase();
                if k == "content-length" {
                    length = v.trim().parse::<usize>().ok();
                } else if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                    chunked = true;
                }
            }
        }
        let mut out = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let n = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; n + 2];
                self.stream.read_exact(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&chunk[..n]);
            }
        } else if let Some(n) = length {
            out.resize(n, 0);
            self.stream.read_exact(&mut out).await?;
        }
        Ok((status, out))
    }
}

/// Latencies and errors of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub latencies_us: Vec<u64>,
    pub errors: usize,
    pub elapsed: Duration,
}

impl Outcome {
    fn percentile(sorted: &[u64], p: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[idx] as f64 / 1000.0
    }

    /// A one-paragraph summary: throughput and p50/p95/p99/max in milliseconds.
    pub fn summary(&mut self, what: &str) -> String {
        self.latencies_us.sort_unstable();
        let l = &self.latencies_us;
        let secs = self.elapsed.as_secs_f64();
        format!(
            "{what}: {} requests in {secs:.2} s = {:.0} req/s; latency ms p50 {:.2}, p95 {:.2}, p99 {:.2}, max {:.2}; errors {}",
            l.len(),
            l.len() as f64 / secs.max(1e-9),
            Self::percentile(l, 0.50),
            Self::percentile(l, 0.95),
            Self::percentile(l, 0.99),
            Self::percentile(l, 1.0),
            self.errors
        )
    }
}

/// What one request of a scenario does.
pub enum Step {
    Post { path: String, body: Vec<u8> },
    Get { path: String },
}

/// Runs `total` requests over `concurrency` connections, connection `w` to `addrs[w % n]` (several
/// instances without a proxy); `next(i, rng, last_list_page)` builds request i.
pub async fn run<F>(
    addrs: &[String],
    token: Arc<Vec<String>>,
    concurrency: usize,
    total: usize,
    next: F,
    ok: fn(u16) -> bool,
) -> std::io::Result<Outcome>
where
    F: Fn(usize, &mut SmallRng, &[u8]) -> Step + Send + Sync + 'static,
{
    if addrs.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no server address",
        ));
    }
    let next = Arc::new(next);
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (addr, next, counter, token) = (
            addrs[worker % addrs.len()].clone(),
            next.clone(),
            counter.clone(),
            token.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(&addr).await?;
            let mut rng = SmallRng::seed_from_u64(worker as u64);
            let token = &token[worker % token.len()];
            let mut out = Outcome::default();
            let mut last = Vec::new();
            loop {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let step = next(i, &mut rng, &last);
                let t = Instant::now();
                let (status, body) = match &step {
                    Step::Post { path, body } => {
                        conn.request("POST", path, token, Some(body)).await?
                    }
                    Step::Get { path } => conn.request("GET", path, token, None).await?,
                };
                out.latencies_us.push(t.elapsed().as_micros() as u64);
                if !ok(status) {
                    out.errors += 1;
                    if out.errors <= 3 {
                        eprintln!(
                            "status {status}: {}",
                            String::from_utf8_lossy(&body[..body.len().min(300)])
                        );
                    }
                }
                // Scenarios pick ids from the last list page this connection saw.
                if body.starts_with(b"{\"items\"") {
                    last = body;
                }
            }
            Ok::<Outcome, std::io::Error>(out)
        }));
    }
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await.map_err(std::io::Error::other)??;
        all.latencies_us.extend(o.latencies_us);
        all.errors += o.errors;
    }
    all.elapsed = started.elapsed();
    Ok(all)
}

/// Peak resident memory (VmHWM) of a process, in MiB, from /proc.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// Picks a random element.
pub fn choose<'a, T>(rng: &mut SmallRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}
