//! Runs the browser end-to-end tests (`tests/e2e/`, node's test runner driving Debian's headless
//! Chromium through playwright-core) against the huiyin binary cargo built for this run.
//!
//! Missing prerequisites fail the test with the command that installs them (`bash .ci/e2e-setup`):
//! a browser test that silently skips would hide a broken page.

use std::path::Path;
use std::process::Command;

fn require(ok: bool, what: &str) {
    assert!(
        ok,
        "{what} is missing: run `bash .ci/e2e-setup` (installs chromium, node and playwright-core)"
    );
}

/// On a fresh machine `cargo test` installs the browser prerequisites itself (Debian's chromium,
/// node, the pinned playwright-core), so that the README's one test command runs the whole suite.
fn install_prerequisites_if_missing(repo: &Path) {
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = Path::new(&chromium).exists()
        && repo.join("tests/e2e/node_modules/playwright-core").is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !ready {
        eprintln!("browser test prerequisites missing: running .ci/e2e-setup");
        let status = Command::new("bash")
            .arg(".ci/e2e-setup")
            .current_dir(repo)
            .status();
        eprintln!(".ci/e2e-setup: {status:?}");
    }
}

#[test]
fn the_web_pages_work_for_clerks_and_supervisors_in_a_real_browser() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    install_prerequisites_if_missing(repo);
    let node = Command::new("node").arg("--version").output();
    require(node.is_ok_and(|o| o.status.success()), "node");
    require(
        repo.join("tests/e2e/node_modules/playwright-core").is_dir(),
        "tests/e2e/node_modules/playwright-core",
    );
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    require(Path::new(&chromium).exists(), &chromium);

    let out = Command::new("node")
        .args(["--test", "tests/e2e/web.test.mjs"])
        .current_dir(repo)
        .env("HUIYIN_BIN", env!("CARGO_BIN_EXE_huiyin"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser tests failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // node's summary, e.g. "# pass 3", shows in `cargo test -- --nocapture`.
    for line in stdout.lines().filter(|l| l.starts_with("# ")) {
        println!("{line}");
    }
}
