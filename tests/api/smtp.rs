//! A real SMTP receiver on loopback for the escalation tests: speaks enough SMTP for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), records what it accepts, can be stopped and restarted on the same port (an outage), can drop the connection after DATA (a reply lost in a crash), and can be slow: each message then takes a set time on the test's clock (a relay that sleeps, without real waiting).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use huiyin::clock::ManualClock;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// One accepted email.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: Vec<String>,
    pub data: String,
}

impl Received {
    /// A header's raw value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let prefix = format!("{}:", name.to_lowercase());
        unfolded
            .split("\r\n")
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }

    /// The Subject, decoded from RFC 2047 encoded words.
    pub fn subject(&self) -> String {
        let raw = self.header("Subject").unwrap_or_default();
        let mut out = String::new();
        let mut previous_encoded = None;
        for word in raw.split_whitespace() {
            let parts: Vec<&str> = word.split('?').collect();
            let decoded = match parts.as_slice() {
                ["=", _charset, enc, data, "="] if enc.eq_ignore_ascii_case("b") => Some(
                    String::from_utf8_lossy(
                        &base64::engine::general_purpose::STANDARD
                            .decode(data)
                            .unwrap_or_default(),
                    )
                    .into_owned(),
                ),
                ["=", _charset, enc, data, "="] if enc.eq_ignore_ascii_case("q") => {
                    Some(decode_qp(&data.replace('_', " ")))
                }
                _ => None,
            };
            let encoded = decoded.is_some();
            // Whitespace between two encoded words is not part of the text (RFC 2047).
            if previous_encoded.is_some() && !(encoded && previous_encoded == Some(true)) {
                out.push(' ');
            }
            out.push_str(&decoded.unwrap_or_else(|| word.to_string()));
            previous_encoded = Some(encoded);
        }
        out
    }

    /// The text body, decoded from base64 or quoted-printable as lettre chose.
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self.header("Content-Transfer-Encoding").as_deref() {
            Some("base64") => {
                let joined: String = body.split_whitespace().collect();
                String::from_utf8_lossy(
                    &base64::engine::general_purpose::STANDARD
                        .decode(joined)
                        .unwrap_or_default(),
                )
                .into_owned()
            }
            Some("quoted-printable") => decode_qp(body),
            _ => body.to_string(),
        }
    }
}

fn decode_qp(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How long each message takes, on which clock.
type Slow = Arc<Mutex<Option<(Arc<ManualClock>, chrono::Duration)>>>;

/// The receiver; dropping it stops it.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    drop_after_data: Arc<AtomicBool>,
    slow: Slow,
    tasks: Option<JoinSet<()>>,
}

impl SmtpServer {
    /// Starts on a free loopback port.
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut s = SmtpServer {
            port: listener.local_addr().unwrap().port(),
            received: Default::default(),
            drop_after_data: Default::default(),
            slow: Default::default(),
            tasks: None,
        };
        s.serve(listener);
        s
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn serve(&mut self, listener: TcpListener) {
        let mut tasks = JoinSet::new();
        let received = self.received.clone();
        let drop_after = self.drop_after_data.clone();
        let slow = self.slow.clone();
        tasks.spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                conns.spawn(session(
                    stream,
                    received.clone(),
                    drop_after.clone(),
                    slow.clone(),
                ));
            }
        });
        self.tasks = Some(tasks);
    }

    /// Closes the port and every open connection (the server is down).
    pub async fn stop(&mut self) {
        if let Some(mut t) = self.tasks.take() {
            t.shutdown().await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }

    /// When set, the connection is closed right after the data is received, before the reply.
    pub fn drop_after_data(&self, on: bool) {
        self.drop_after_data.store(on, Ordering::SeqCst);
    }

    /// From now on each message takes `per_message` on `clock` before it is accepted: the
    /// clock moves on by that much, as if the relay had slept.
    pub fn slow(&self, clock: Arc<ManualClock>, per_message: chrono::Duration) {
        *self.slow.lock().unwrap() = Some((clock, per_message));
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Emails whose envelope includes `rcpt`.
    pub fn to(&self, rcpt: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.rcpt.iter().any(|x| x == rcpt))
            .collect()
    }
}

async fn session(
    stream: TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    drop_after: Arc<AtomicBool>,
    slow: Slow,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 test ESMTP\r\n").await.is_err() {
        return;
    }
    let mut rcpt = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-test\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if upper.starts_with("MAIL FROM") {
            rcpt.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO") {
            let addr = cmd[8..]
                .trim()
                .trim_start_matches('<')
                .split('>')
                .next()
                .unwrap_or_default()
                .to_string();
            rcpt.push(addr);
            b"250 ok\r\n"
        } else if upper.starts_with("RSET") {
            rcpt.clear();
            b"250 ok\r\n"
        } else if upper == "DATA" {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            received.lock().unwrap().push(Received {
                rcpt: std::mem::take(&mut rcpt),
                data,
            });
            if let Some((clock, per_message)) = slow.lock().unwrap().clone() {
                clock.advance(per_message);
            }
            // Let other deliveries run meanwhile, as they would while a relay sleeps.
            tokio::task::yield_now().await;
            if drop_after.load(Ordering::SeqCst) {
                return;
            }
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
