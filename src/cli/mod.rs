//! The command line: `serve` (the default), `migrate`, directory administration, import, demo data and the calendar tools.

pub mod calendar;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::api::AppState;
use crate::auth::{Principal, Role};
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::directory::{self, DepartmentCode, StaffInput};
use crate::reports::ReportContext;
use crate::startup::{self, Application};
use calendar::CalendarCommand;

#[derive(Parser, Debug)]
#[command(
    name = "huiyin",
    version,
    about = "回音: citizen messages answered on time, on China's working-day calendar"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (the default command).
    Serve {
        /// Load the demo data first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Departments.
    Dept {
        #[command(subcommand)]
        command: DeptCommand,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import messages from a JSON-lines file (one message per line).
    Import { file: PathBuf },
    /// Load a realistic sample: departments, staff and a few hundred messages over recent months.
    Demo,
    /// Benchmarks: workload generator, dataset loader, HTTP load driver (built with `--features bench`).
    #[cfg(feature = "bench")]
    Bench {
        #[command(subcommand)]
        command: crate::bench::BenchCommand,
    },
    /// Escalation ladder: sweep for due alerts and deliver the outbox (for cron when the worker is off).
    Escalate {
        /// One sweep and one delivery round, then exit (otherwise loop like the worker).
        #[arg(long)]
        once: bool,
    },
    /// Write a period's report (frozen once the period has closed) to a file.
    Report {
        /// `2026-10`, `2026-Q3` or `2026`.
        #[arg(long)]
        period: String,
        /// csv, xlsx, docx (the bulletin draft), json or html.
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// One department only.
        #[arg(long)]
        dept: Option<String>,
        /// Freeze a new version as of now (closed periods only); older versions are kept.
        #[arg(long)]
        regenerate: bool,
    },
    /// Copy the SQLite database to a new file while the service runs (consistent: VACUUM INTO).
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup in place of the SQLite database after checking it (stop the service first).
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Working-day calendar tools.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeptCommand {
    /// Add a department.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        parent: Option<String>,
    },
    /// List departments.
    List,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a member of staff (role: clerk, supervisor, leader or admin).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        dept: Option<String>,
        /// Read the web login password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token; it is printed once, alone on the last line.
    Create {
        #[arg(long)]
        name: String,
        /// clerk, supervisor, leader, admin or intake.
        #[arg(long)]
        role: String,
        #[arg(long)]
        dept: Option<String>,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The format is a setting; a configuration that does not load is reported by `run`.
    let format = Settings::load().map(|s| s.log.format).unwrap_or_default();
    crate::telemetry::init(
        match cli.command {
            None | Some(Command::Serve { .. }) => "info",
            _ => "warn",
        },
        format,
    );
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn parse_dept(code: Option<&str>) -> anyhow::Result<Option<DepartmentCode>> {
    code.map(DepartmentCode::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--dept: {e}"))
}

fn parse_role(role: &str) -> anyhow::Result<Role> {
    role.parse()
        .map_err(|e: String| anyhow::anyhow!("--role: {e}"))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Calendar { command } = &command {
        return run_calendar(command);
    }
    let settings = Settings::load()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    #[cfg(feature = "bench")]
    if let Command::Bench { command } = command {
        return crate::bench::run(command, || AppState::load(settings, clock));
    }
    match command {
        Command::Serve { demo } => runtime()?.block_on(serve(settings, clock, demo)),
        Command::Migrate => {
            let state = AppState::load(settings, clock)?;
            println!("database is up to date ({:?})", state.db.backend());
            Ok(())
        }
        Command::Dept { command } => {
            let state = AppState::load(settings, clock)?;
            let now = state.clock.now().timestamp();
            match command {
                DeptCommand::Add { code, name, parent } => {
                    let code =
                        DepartmentCode::parse(&code).map_err(|e| anyhow::anyhow!("--code: {e}"))?;
                    let parent = parse_dept(parent.as_deref())?;
                    state.db.write_blocking(|conn| {
                        directory::add_department(conn, &code, &name, parent.as_ref(), now)
                    })?;
                    println!("department {code} added");
                }
                DeptCommand::List => {
                    for d in directory::list_departments(&mut *state.db.get()?)? {
                        println!(
                            "{}\t{}\t{}",
                            d.code,
                            d.name,
                            d.parent_code.unwrap_or_default()
                        );
                    }
                }
            }
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    email,
                    role,
                    dept,
                    password_stdin,
                },
        } => {
            let role = parse_role(&role)?;
            let dept = parse_dept(dept.as_deref())?;
            let hash = if password_stdin {
                let mut password = String::new();
                std::io::stdin().read_to_string(&mut password)?;
                let password = password.trim_end_matches(['\r', '\n']);
                if !crate::auth::password_long_enough(password) {
                    anyhow::bail!(
                        "the password must have at least {} characters",
                        crate::auth::MIN_PASSWORD_CHARS
                    );
                }
                Some(crate::auth::hash_password(password)?)
            } else {
                None
            };
            let state = AppState::load(settings, clock)?;
            let now = state.clock.now().timestamp();
            let id = state.db.write_blocking(|conn| {
                directory::add_staff(
                    conn,
                    StaffInput {
                        name: &name,
                        email: &email,
                        role,
                        department: dept.as_ref(),
                        password_hash: hash.as_deref(),
                    },
                    now,
                )
            })?;
            println!("user {id} added");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { name, role, dept },
        } => {
            let role = parse_role(&role)?;
            let dept = parse_dept(dept.as_deref())?;
            let state = AppState::load(settings, clock)?;
            let now = state.clock.now().timestamp();
            let (_, token) = state.db.write_blocking(|conn| {
                directory::create_token(conn, &name, role, dept.as_ref(), now)
            })?;
            println!("token for '{name}' ({role}); it is shown only now:");
            println!("{token}");
            Ok(())
        }
        Command::Backup { out } => {
            let copy = crate::db::backup::backup(settings.database.url.expose(), &out)?;
            println!(
                "backed up {} messages ({} migrations) to {}",
                copy.messages,
                copy.migrations,
                out.display()
            );
            Ok(())
        }
        Command::Restore { from } => {
            let copy = crate::db::backup::restore(settings.database.url.expose(), &from)?;
            println!(
                "restored {} messages ({} migrations) from {}",
                copy.messages,
                copy.migrations,
                from.display()
            );
            Ok(())
        }
        Command::Import { file } => {
            let input = std::fs::File::open(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let state = AppState::load(settings, clock)?;
            let who = Principal {
                role: Role::Admin,
                department: None,
                actor: "cli:import".into(),
                staff_id: None,
            };
            let mut out = std::io::stdout().lock();
            let counts = crate::intake::import_stream(
                &state.db,
                &state.workflow,
                &who,
                std::io::BufReader::with_capacity(1 << 20, input),
                state.clock.now(),
                |r| {
                    if matches!(r.status.as_str(), "rejected" | "failed") {
                        let _ = writeln!(
                            out,
                            "line {}: {}: {}",
                            r.line,
                            r.status,
                            r.error.as_deref().unwrap_or_default()
                        );
                    }
                },
            )?;
            println!(
                "created {}, existing {}, rejected {}, failed {}",
                counts.created, counts.existing, counts.rejected, counts.failed
            );
            if counts.rejected + counts.failed > 0 {
                anyhow::bail!(
                    "{} line(s) rejected, {} not stored",
                    counts.rejected,
                    counts.failed
                );
            }
            Ok(())
        }
        Command::Demo => {
            let state = AppState::load(settings, clock)?;
            let summary = crate::demo::load(&state.db, &state.workflow, state.clock.now())?;
            println!("{summary}");
            Ok(())
        }
        Command::Escalate { once } => {
            let state = AppState::load(settings, clock)?;
            let env = Arc::new(startup::worker_environment(&state));
            runtime()?.block_on(async move {
                if !once {
                    return crate::worker::spawn(env)
                        .await
                        .map_err(|e| anyhow::anyhow!("escalation worker stopped: {e}"));
                }
                let crate::worker::Round {
                    sweep: s,
                    delivery: d,
                    ..
                } = crate::worker::run_once(&env).await?;
                println!(
                    "evaluated {}, alerts {}, undeliverable {}, digests {}, sent {}, failed {}",
                    s.evaluated, s.alerts, s.undeliverable, s.digests, d.sent, d.failed
                );
                // A non-zero exit, so that cron reports the failed deliveries.
                if d.failed > 0 {
                    anyhow::bail!(
                        "{} email(s) could not be delivered; they wait in the outbox and are retried",
                        d.failed
                    );
                }
                Ok(())
            })
        }
        Command::Report {
            period,
            format,
            out,
            dept,
            regenerate,
        } => {
            let state = AppState::load(settings, clock)?;
            let started = std::time::Instant::now();
            let ctx =
                ReportContext::from_settings(&state.settings, state.workflow.timeline.clone());
            let now = state.clock.now();
            let bytes = crate::reports::cli_report(
                &state.db, &ctx, now, &period, &format, dept, regenerate,
            )?;
            let took_ms = started.elapsed().as_millis();
            std::fs::write(&out, bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "{period} report written to {} in {took_ms} ms",
                out.display()
            );
            Ok(())
        }
        Command::Calendar { .. } => unreachable!("handled above"),
        #[cfg(feature = "bench")]
        Command::Bench { .. } => unreachable!("handled above"),
    }
}

fn run_calendar(command: &CalendarCommand) -> anyhow::Result<()> {
    // The calendar tools need only the calendar files and the time zone; `reload` also the
    // database, once the files have passed the check.
    let settings = Settings::load()?;
    let tz = settings.timezone()?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let cx = calendar::CliContext {
        dir: &settings.calendar.dir,
        tz,
        today: clock.now().with_timezone(&tz).date_naive(),
        warn_days: settings.calendar.warn_days,
    };
    {
        let mut out = std::io::stdout().lock();
        calendar::run(command, &cx, &mut out).map_err(|e| anyhow::anyhow!(e))?;
    }
    if matches!(command, CalendarCommand::Reload) {
        // Loading the state installs the files and recomputes what they change.
        let state = AppState::load(settings.clone(), clock)?;
        let r = state.calendar.last().unwrap_or_default();
        if r.installed_years.is_empty() {
            println!("no newly official year: stored deadlines are unchanged");
        } else {
            println!(
                "installed {:?}: {} messages examined, {} recomputed{}",
                r.installed_years,
                r.examined,
                r.changed.len(),
                if r.changed.is_empty() {
                    String::new()
                } else {
                    format!(" (ids {:?})", r.changed)
                }
            );
        }
        println!(
            "a running service installs the same files on SIGHUP or within one sweep interval"
        );
    }
    Ok(())
}

async fn serve(settings: Settings, clock: Arc<dyn Clock>, demo: bool) -> anyhow::Result<()> {
    let app = Application::build(settings, clock).await?;
    let state = app.state();
    // The address actually bound (server.base_url is the public one, for links in emails).
    let base = format!(
        "http://{}:{}",
        listen_host(&state.settings.server.listen),
        app.port()
    );
    let first_run = {
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            crate::demo::first_run(&st.db, &st.workflow, st.clock.now(), demo)
        })
        .await??
    };
    println!("huiyin listening on {base}");
    println!("  web:      {base}/login");
    println!("  API:      {base}/api/v1   (OpenAPI: {base}/openapi.json, health: {base}/healthz)");
    match first_run {
        Some(first) => {
            if let Some(token) = &first.token {
                hand_over_first_token(token, &state.settings.server.first_token_file, &base)?;
            }
            for line in first.notes {
                println!("  {line}");
            }
        }
        None => println!("  create an API token: huiyin token create --name NAME --role admin"),
    }
    app.run_until_stopped().await?;
    Ok(())
}

/// Hands the first admin token to the person starting the service: on their terminal, or, when
/// stdout is not one (a service manager whose journal keeps every line), in a file only the
/// service's user may read, whose path alone is printed.
fn hand_over_first_token(token: &str, file: &str, base: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        println!("  first start: an admin API token was created; it is shown only now:");
        println!("      {token}");
        println!(
            "  try: curl -H 'Authorization: Bearer {token}' '{base}/api/v1/messages?overdue=true'"
        );
        return Ok(());
    }
    write_private(std::path::Path::new(file), &format!("{token}\n")).map_err(|e| {
        anyhow::anyhow!(
            "first start: cannot write the admin token to {file} (server.first_token_file): {e}; \
             create another with `huiyin token create --name admin --role admin`"
        )
    })?;
    println!(
        "  first start: an admin API token was created and written to {file}, readable by this user only; \
         store it safely and delete the file"
    );
    Ok(())
}

/// Writes `text` to `path`, readable and writable by the owner alone.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // An older file keeps its mode on open: narrow it before the secret goes in.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

fn listen_host(listen: &str) -> &str {
    listen.rsplit_once(':').map_or(listen, |(h, _)| h)
}
