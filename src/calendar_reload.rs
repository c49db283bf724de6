//! Installing a new official calendar year while the service runs, or at start-up after an
//! upgrade: the calendar files are read again, the shared [`Timeline`] switches to them, and
//! every stored figure that touched the newly official days is recomputed
//! ([`crate::messages::recalculate`]).
//!
//! The `calendar_coverage` row remembers the last official date the stored figures were
//! computed on, so whichever of start-up, SIGHUP, the worker's poll, the admin button or
//! `huiyin calendar reload` sees a new file first does the recompute, once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::calendar::Calendar;
use crate::db::{Db, DbConnection};
use crate::error::AppError;
use crate::messages::recalculate::{self, Recalculation};
use crate::messages::Workflow;
use crate::schema::calendar_coverage;
use crate::sla::Timeline;

/// What a reload did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reloaded {
    /// The calendar in use changed (new official or provisional years).
    pub calendar_changed: bool,
    /// Years that became official, whose figures were recomputed.
    pub installed_years: Vec<i32>,
    pub official_through: Option<NaiveDate>,
    /// Messages examined and the ids of those whose figures changed.
    pub examined: usize,
    pub changed: Vec<i64>,
}

/// Watches the calendar directory and installs what changed.
pub struct CalendarReloader {
    dir: PathBuf,
    /// The directory's fingerprint when last loaded (names, sizes, modification times).
    seen: Mutex<Option<Fingerprint>>,
    /// What the last reload (or the start-up check) did, for the admin page and the CLI.
    last: Mutex<Option<Reloaded>>,
}

impl CalendarReloader {
    pub fn new(dir: &Path) -> CalendarReloader {
        CalendarReloader {
            dir: dir.to_path_buf(),
            seen: Mutex::new(fingerprint(dir)),
            last: Mutex::new(None),
        }
    }

    /// What the last reload or start-up check did.
    pub fn last(&self) -> Option<Reloaded> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn remember(&self, r: &Reloaded) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(r.clone());
    }

    /// At start-up, with the workflow's timeline already on the files as they are: recomputes what a newly
    /// installed year changes since the figures were last computed.
    pub fn on_start(
        &self,
        db: &Db,
        workflow: &Workflow,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Reloaded> {
        let r = sync(db, workflow, &self.dir, None, now)?;
        self.remember(&r);
        Ok(r)
    }

    /// The calendar files as the service should use them on `today`: provisional years through
    /// the year after today's, so a message received in late December still gets a deadline.
    pub fn load(dir: &Path, today: NaiveDate) -> anyhow::Result<Calendar> {
        Calendar::load_dir_through(dir, today.year() + 1)
            .map_err(|e| anyhow::anyhow!("calendar files in {} are invalid:\n{e}", dir.display()))
    }

    /// Reloads only when the directory changed since it was last read, or when the year turned
    /// and the provisional years must reach further (the worker calls this every round).
    pub fn reload_if_changed(
        &self,
        db: &Db,
        workflow: &Workflow,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Reloaded>> {
        let timeline = &workflow.timeline;
        let current = fingerprint(&self.dir);
        let today = timeline.local_date(now);
        let unchanged = *self.seen.lock().unwrap_or_else(|p| p.into_inner()) == current;
        if unchanged && timeline.calendar().last_date().year() > today.year() {
            return Ok(None);
        }
        self.reload(db, workflow, now).map(Some)
    }

    /// Reads the files again and installs them (validating first: invalid files change
    /// nothing and are reported).
    pub fn reload(
        &self,
        db: &Db,
        workflow: &Workflow,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Reloaded> {
        let timeline = &workflow.timeline;
        let print = fingerprint(&self.dir);
        let new = Self::load(&self.dir, timeline.local_date(now))?;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = print;
        let old = timeline.calendar();
        let calendar_changed = new.official_last_date() != old.official_last_date()
            || new.last_date() != old.last_date()
            || new.notices() != old.notices();
        if calendar_changed {
            timeline.replace_calendar(Arc::new(new));
        }
        let mut reloaded = sync(db, workflow, &self.dir, Some(old), now)?;
        reloaded.calendar_changed = calendar_changed;
        self.remember(&reloaded);
        Ok(reloaded)
    }
}

/// Compares the stored official end with the timeline's, recomputes the days in between and
/// moves the stored end on. `old` is the calendar the figures were computed on when known
/// (a running service); otherwise it is rebuilt from the files as of the stored end.
fn sync(
    db: &Db,
    workflow: &Workflow,
    dir: &Path,
    old: Option<Arc<Calendar>>,
    now: DateTime<Utc>,
) -> anyhow::Result<Reloaded> {
    let timeline = &workflow.timeline;
    let calendar = timeline.calendar();
    let official = calendar.official_last_date();
    let mut reloaded = Reloaded {
        official_through: Some(official),
        ..Default::default()
    };
    let stored = db.write_blocking(stored_official_through)?;
    let Some(stored) = stored else {
        db.write_blocking(|conn| store_official_through(conn, official, now))?;
        return Ok(reloaded);
    };
    if stored >= official {
        if stored > official {
            tracing::warn!(
                stored = %stored,
                files = %official,
                "the calendar files end before the official calendar the stored deadlines were computed on; a file was removed?"
            );
        }
        return Ok(reloaded);
    }
    let old = match old.filter(|c| c.official_last_date() == stored) {
        Some(c) => c,
        None => Arc::new(
            Calendar::load_dir_as_of(dir, stored.year(), calendar.last_date().year())
                .map_err(|e| anyhow::anyhow!("cannot rebuild the calendar of {stored}: {e}"))?,
        ),
    };
    let old = Timeline::new(old, timeline.tz());
    let first_changed = stored + Days::new(1);
    let since = timeline.start_of_local_day(first_changed);
    reloaded.installed_years = (stored.year() + 1..=official.year()).collect();
    let Recalculation { examined, changed } = db.write_blocking(|conn| {
        recalculate::recalculate(conn, &old, workflow, since, &reloaded.installed_years, now)
    })?;
    db.write_blocking(|conn| store_official_through(conn, official, now))?;
    tracing::info!(
        calendar.years = ?reloaded.installed_years,
        messages.examined = examined,
        messages.changed = changed.len(),
        "official calendar installed; stored deadlines recomputed"
    );
    reloaded.examined = examined;
    reloaded.changed = changed;
    Ok(reloaded)
}

fn stored_official_through(conn: &mut DbConnection) -> Result<Option<NaiveDate>, AppError> {
    let text: Option<String> = calendar_coverage::table
        .find(1)
        .select(calendar_coverage::official_through)
        .first(conn)
        .optional()?;
    Ok(text.and_then(|t| t.parse().ok()))
}

fn store_official_through(
    conn: &mut DbConnection,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // The migration inserted the one row.
    diesel::update(calendar_coverage::table.find(1))
        .set((
            calendar_coverage::official_through.eq(date.to_string()),
            calendar_coverage::updated_at.eq(now.timestamp()),
        ))
        .execute(conn)?;
    Ok(())
}

type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

fn fingerprint(dir: &Path) -> Option<Fingerprint> {
    let mut files: Fingerprint = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((
                e.file_name().to_string_lossy().into_owned(),
                meta.len(),
                meta.modified().ok(),
            ))
        })
        .collect();
    files.sort();
    Some(files)
}
