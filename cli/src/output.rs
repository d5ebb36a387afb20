//! How the CLI prints: every line through [`write_stdout`] or [`write_stderr`], which hide
//! secrets and survive a closed pipe; styles that show on a terminal and vanish when piped; short
//! durations.
//!
//! A closed standard output (`migrate history | head -1`) ends the program at the next line it
//! prints, quietly, with exit status [`CLOSED_STDOUT`]: nobody reads what follows, and a run that
//! goes on unseen is not what the caller asked for. Migrations already applied stay applied; the
//! one being printed about has not started or has finished.

use std::io::Write;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use autogen::database::mask_secrets;

/// Exit status when standard output is closed: 128 + SIGPIPE, what a shell reports for a
/// program that a closed pipe stopped.
pub const CLOSED_STDOUT: u8 = 141;

/// Writes `text` to standard output, secrets hidden; ends the process when nobody reads it.
pub fn write_stdout(text: &str) {
    let masked = mask_secrets(text);
    let mut out = anstream::stdout();
    match out.write_all(masked.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(CLOSED_STDOUT.into()),
        Err(e) => {
            write_stderr(&format!("{ERROR}error:{ERROR:#} cannot write to standard output: {e}\n"));
            std::process::exit(2);
        }
    }
}

/// Writes `text` to standard error, secrets hidden; a closed standard error is ignored, since
/// there is nowhere left to say so.
pub fn write_stderr(text: &str) {
    let masked = mask_secrets(text);
    let mut err = anstream::stderr();
    let _ = err.write_all(masked.as_bytes()).and_then(|()| err.flush());
}

/// `print!` through [`write_stdout`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(&format!($($arg)*)) };
}

/// `println!` through [`write_stdout`].
macro_rules! outln {
    () => { $crate::output::write_stdout("\n") };
    ($($arg:tt)*) => { $crate::output::write_stdout(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` through [`write_stderr`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::write_stderr(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {errln, out, outln};

pub const APPLIED: Style = AnsiColor::Green.on_default();
pub const PENDING: Style = AnsiColor::Yellow.on_default();
pub const MISSING: Style = AnsiColor::Red.on_default();
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const NAME: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// A duration as people read it: `12 ms`, `1.40 s`.
pub fn duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// `--timings`: the stages of one command and how long each took, printed on one line to stderr
/// when the command ends (`timings: connect=3.1ms ... total=120.4ms`).
#[derive(Debug, Default)]
pub struct Stages {
    enabled: bool,
    stages: Vec<(String, Duration)>,
}

impl Stages {
    /// Stages that are recorded only when `enabled`.
    pub fn new(enabled: bool) -> Self {
        Self { enabled, stages: Vec::new() }
    }

    /// Records that `stage` took `took`.
    pub fn add(&mut self, stage: impl Into<String>, took: Duration) {
        if self.enabled {
            self.stages.push((stage.into(), took));
        }
    }

    /// Records that `stage` ran from `start` until now, and restarts `start`.
    pub fn lap(&mut self, stage: &str, start: &mut std::time::Instant) {
        self.add(stage, start.elapsed());
        *start = std::time::Instant::now();
    }

    /// The line to print, `None` when not enabled.
    pub fn line(&self, total: Duration) -> Option<String> {
        if !self.enabled {
            return None;
        }
        let mut line = String::from("timings:");
        for (stage, took) in self.stages.iter().chain([&("total".to_owned(), total)]) {
            line.push_str(&format!(" {stage}={:.1}ms", took.as_secs_f64() * 1000.0));
        }
        Some(line)
    }
}

/// A bookkeeping timestamp (seconds since the epoch) in UTC.
pub fn timestamp(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("{seconds} (not a valid time)"))
}

/// `1 migration`, `2 migrations`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations_and_counts() {
        assert_eq!(duration(Duration::from_millis(12)), "12 ms");
        assert_eq!(duration(Duration::from_millis(1400)), "1.40 s");
        assert_eq!(count(1, "migration"), "1 migration");
        assert_eq!(count(0, "migration"), "0 migrations");
        assert_eq!(timestamp(0), "1970-01-01 00:00:00 UTC");
    }

    #[test]
    fn stages_print_only_when_enabled() {
        let mut off = Stages::new(false);
        off.add("connect", Duration::from_millis(3));
        assert_eq!(off.line(Duration::from_millis(5)), None);
        let mut on = Stages::new(true);
        on.add("connect", Duration::from_micros(3100));
        assert_eq!(on.line(Duration::from_millis(5)).unwrap(), "timings: connect=3.1ms total=5.0ms");
    }
}
