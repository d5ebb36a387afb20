//! How the CLI prints: styles that show on a terminal and vanish when piped, and short durations.

use std::time::Duration;

use anstyle::{AnsiColor, Style};

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
}
