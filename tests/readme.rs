//! The README's API examples, run as written. Each `sh` block the README marks with
//! `<!-- tests/readme.rs runs this block … -->` is run by bash against a fresh server on the demo
//! data, with `huiyin` on `PATH` and `BASE` set to the server's address, and every `curl` in it
//! must answer with a 2xx status, or with the status a `# → NNN` comment after it names. A
//! README that drifts from the server (a missing `-X POST`, a renamed field, a wrong status)
//! fails here.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MARKER: &str = "<!-- tests/readme.rs runs this block";

/// One tested block: its shell text and the status each of its `curl` commands must answer.
struct Block {
    script: String,
    expected: Vec<Expected>,
}

#[derive(Debug, PartialEq)]
enum Expected {
    Success,
    Status(u16),
}

/// The tested blocks of `readme`, in order.
fn blocks(readme: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut rest = readme;
    while let Some(at) = rest.find(MARKER) {
        let after = &rest[at..];
        let open = after
            .find("```sh\n")
            .expect("a ```sh block after the marker")
            + 6;
        let close = after[open..].find("\n```").expect("the block ends") + open;
        let script = after[open..=close].to_string();
        let expected = expectations(&script);
        found.push(Block { script, expected });
        rest = &after[close..];
    }
    found
}

/// The status each `curl` command of `script` must answer: the first `# → NNN` comment after
/// it (before the next command), else any 2xx.
fn expectations(script: &str) -> Vec<Expected> {
    let mut expected: Vec<Expected> = Vec::new();
    let mut open = false;
    for line in script.lines() {
        let code = line.trim_start();
        if code.starts_with("curl ") || code.contains("$(curl ") {
            expected.push(Expected::Success);
            open = true;
        } else if let Some(status) = code
            .strip_prefix("# → ")
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse::<u16>().ok())
        {
            if open {
                *expected.last_mut().unwrap() = Expected::Status(status);
                open = false;
            }
        }
    }
    expected
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `huiyin` with the test's database and address, run in `dir` (which links the repository's
/// `config/`, as a checkout does).
fn huiyin(dir: &Path, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huiyin"));
    cmd.current_dir(dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd
}

fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let up = Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", &format!("{base}/healthz")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if up {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the server did not answer /healthz within 60 s");
}

fn require(tool: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "the README's examples need `{tool}` on PATH");
}

#[test]
fn the_readme_api_examples_run_as_written_against_the_demo_data() {
    require("curl");
    require("jq");
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let blocks = blocks(&readme);
    assert!(!blocks.is_empty(), "the README marks no tested block");

    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo.join("config"), dir.path().join("config")).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let env = [
        (
            "HUIYIN_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("huiyin.db").display()),
        ),
        ("HUIYIN_LISTEN", format!("127.0.0.1:{port}")),
        (
            "HUIYIN_SMTP__DRY_RUN_DIR",
            dir.path().join("mail").display().to_string(),
        ),
        ("RUST_LOG", "warn".to_string()),
    ];
    let demo = huiyin(dir.path(), &env).arg("demo").output().unwrap();
    assert!(demo.status.success(), "huiyin demo: {demo:?}");
    let _server = Server(
        huiyin(dir.path(), &env)
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(&base);

    let bin_dir = Path::new(env!("CARGO_BIN_EXE_huiyin")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Every `curl` writes its status to fd 3 (a file) after its answer; `set -e` stops at the
    // first command that fails to run at all.
    let prelude = "set -euo pipefail\n\
        curl() { local out; out=$(command curl -sS -w '\\n%{http_code}' \"$@\"); \
        printf '%s\\n' \"${out%$'\\n'*}\"; echo \"${out##*$'\\n'}\" >&3; }\n";
    for (n, block) in blocks.iter().enumerate() {
        let codes = dir.path().join(format!("codes-{n}.txt"));
        let script = format!("{prelude}exec 3>'{}'\n{}", codes.display(), block.script);
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(dir.path())
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("PATH", &path)
            .env("BASE", &base)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "README block {n} failed:\n{stdout}\n{stderr}"
        );
        let answered: Vec<u16> = std::fs::read_to_string(&codes)
            .unwrap()
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect();
        assert_eq!(
            answered.len(),
            block.expected.len(),
            "README block {n}: every curl ran once\n{stdout}"
        );
        for (i, (got, want)) in answered.iter().zip(&block.expected).enumerate() {
            let ok = match want {
                Expected::Success => (200..300).contains(got),
                Expected::Status(s) => got == s,
            };
            assert!(
                ok,
                "README block {n}, curl #{}: answered {got}, the README says {want:?}\n{stdout}",
                i + 1
            );
        }
    }
}

#[test]
fn a_status_comment_binds_to_the_command_before_it() {
    let script = "curl a\n# → 409 refused\ncurl b\n# note\nX=$(curl c)\n# → 201\n";
    assert_eq!(
        expectations(script),
        vec![
            Expected::Status(409),
            Expected::Success,
            Expected::Status(201)
        ]
    );
}
