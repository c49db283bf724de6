//! The binary's administration commands, run as a user would.

use std::process::Command;

fn huiyin(db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .args(args)
        .env("HUIYIN_DATABASE_URL", db_url)
        .output()
        .unwrap()
}

#[test]
fn departments_users_and_tokens_are_created_from_the_command_line() {
    let (_db, url) = crate::helpers::TestDb::sqlite();
    let out = huiyin(
        &url,
        &[
            "dept",
            "add",
            "--code",
            "zjj",
            "--name",
            "市住房和城乡建设局",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = huiyin(
        &url,
        &[
            "user",
            "add",
            "--name",
            "李四",
            "--email",
            "lisi@example.gov.cn",
            "--role",
            "clerk",
            "--dept",
            "zjj",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = huiyin(
        &url,
        &["token", "create", "--name", "portal", "--role", "intake"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.lines().last().unwrap();
    assert!(token.starts_with("hy_") && token.len() > 40, "{stdout}");

    // A clerk without a department, an unknown role and an unknown parent are refused, naming the problem.
    for (args, needle) in [
        (
            vec![
                "user", "add", "--name", "王五", "--email", "w@x.cn", "--role", "clerk",
            ],
            "department",
        ),
        (
            vec!["token", "create", "--name", "x", "--role", "boss"],
            "unknown role",
        ),
        (
            vec![
                "dept",
                "add",
                "--code",
                "jyj",
                "--name",
                "市教育局",
                "--parent",
                "none",
            ],
            "unknown department",
        ),
    ] {
        let out = huiyin(&url, &args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn an_invalid_setting_stops_start_up_naming_the_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .args(["migrate"])
        .env("HUIYIN_LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("server.listen"));
}

#[test]
fn the_first_admin_token_goes_to_a_private_file_when_stdout_is_not_a_terminal() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::PermissionsExt;
    let (_db, url) = crate::helpers::TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secrets/admin-token.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiyin"))
        .arg("serve")
        .env("HUIYIN_DATABASE_URL", &url)
        .env("HUIYIN_LISTEN", "127.0.0.1:0")
        .env("HUIYIN_ESCALATION__WORKER", "false")
        .env("HUIYIN_SERVER__FIRST_TOKEN_FILE", &file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Logs and the banner share stdout. The banner is five lines: the address, the web and API
    // lines, the token's line and the no-departments note.
    let mut printed = Vec::new();
    let mut banner = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("huiyin listening") || line.starts_with("  ") {
            banner += 1;
        }
        printed.push(line);
        if banner == 5 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let printed = printed.join("\n");
    assert!(
        !printed.contains("hy_"),
        "the token was printed:\n{printed}"
    );
    assert!(printed.contains(&file.display().to_string()), "{printed}");
    let token = std::fs::read_to_string(&file).unwrap();
    assert!(token.trim().starts_with("hy_"), "{token}");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn escalate_once_exits_non_zero_when_deliveries_failed() {
    let (_db, url) = crate::helpers::TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec![
            "dept",
            "add",
            "--code",
            "zjj",
            "--name",
            "市住房和城乡建设局",
        ],
        vec![
            "user",
            "add",
            "--name",
            "王科长",
            "--email",
            "wang@zjj.example.gov.cn",
            "--role",
            "supervisor",
            "--dept",
            "zjj",
        ],
    ] {
        let out = huiyin(&url, &args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A message long past its deadline, so the sweep decides an overdue alert.
    let received = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc3339();
    let file = dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        format!("{}\n", crate::helpers::mailbox("zjj", &received)),
    )
    .unwrap();
    let out = huiyin(&url, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let escalate = |smtp: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_huiyin"));
        cmd.args(["escalate", "--once"])
            .env("HUIYIN_DATABASE_URL", &url)
            .env("HUIYIN_REPORTS__MONTHLY_EMAIL", "false");
        for (k, v) in smtp {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // Nothing listens on the relay's port: the delivery fails, and cron must hear of it.
    let out = escalate(&[("HUIYIN_SMTP_URL", "smtp://127.0.0.1:1")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("failed 1"), "{stdout}");
    assert!(!out.status.success(), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be delivered"));
    // A round with nothing failed exits 0 (the failed email waits for its retry time).
    let spool = dir.path().join("spool");
    let out = escalate(&[("HUIYIN_SMTP__DRY_RUN_DIR", spool.to_str().unwrap())]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The command line and the web pages accept the same shortest password (auth::MIN_PASSWORD_CHARS).
#[test]
fn the_command_line_refuses_a_password_the_web_would_refuse() {
    use std::io::Write;
    let (_db, url) = crate::helpers::TestDb::sqlite();
    assert!(huiyin(
        &url,
        &["dept", "add", "--code", "zjj", "--name", "市住建局"]
    )
    .status
    .success());
    let add = |email: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huiyin"))
            .args([
                "user",
                "add",
                "--name",
                "李四",
                "--email",
                email,
                "--role",
                "clerk",
                "--dept",
                "zjj",
                "--password-stdin",
            ])
            .env("HUIYIN_DATABASE_URL", &url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let min = huiyin::auth::MIN_PASSWORD_CHARS;
    let short = "密".repeat(min - 1);
    let out = add("short@example.gov.cn", &short);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("at least {min} characters")),
        "{stderr}"
    );
    // Characters, not bytes: ten Chinese characters are long enough.
    let out = add("long@example.gov.cn", &"密".repeat(min));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
