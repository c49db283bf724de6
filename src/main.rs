//! huiyin (回音) command line. Minimal entry point on the `calendar` branch: it only
//! dispatches `huiyin calendar …` to [`huiyin::calendar::cli::run`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use huiyin::calendar::cli::{self, CalendarCommand};

/// huiyin (回音): every citizen message gets an answer on time.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Directory of the working-day calendar files.
    #[arg(
        long,
        global = true,
        env = "HUIYIN_CALENDAR_DIR",
        default_value = "config/calendar"
    )]
    calendar_dir: PathBuf,
    /// Office time zone (IANA name).
    #[arg(
        long,
        global = true,
        env = "HUIYIN_TZ",
        default_value = "Asia/Shanghai"
    )]
    tz: chrono_tz::Tz,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Working-day calendar tools.
    #[command(subcommand)]
    Calendar(CalendarCommand),
}

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Command::Calendar(cmd) => {
            let stdout = std::io::stdout();
            match cli::run(&cmd, &args.calendar_dir, args.tz, &mut stdout.lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
