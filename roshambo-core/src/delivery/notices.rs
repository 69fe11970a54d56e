//! What guests cause that the host should know of, said on the console at most once a
//! minute per cause: a flood of misbehaving guests must not make the host's screen
//! scroll. The details go to the log. Pure: time is passed in.

use std::fmt;
use std::time::{Duration, Instant};

/// How long after a notice the next one about the same cause waits.
pub const NOTICE_EVERY: Duration = Duration::from_secs(60);

/// Something guests did that the host hears of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A guest kept typing faster than a person can after a warning, and was dropped.
    Flooding,
    /// A guest stopped reading their output, and was dropped.
    NotReading,
    /// Serving a guest failed (a caught panic), and they were dropped.
    Fault,
    /// A connection could not be accepted (out of file descriptors, say).
    AcceptFailed,
}

const CAUSES: [Cause; 4] = [
    Cause::Flooding,
    Cause::NotReading,
    Cause::Fault,
    Cause::AcceptFailed,
];

impl Cause {
    fn index(self) -> usize {
        self as usize
    }

    /// What happened `count` times, e.g. `3 guests dropped for flooding`.
    fn describe(self, count: u32) -> String {
        let guests = if count == 1 { "guest" } else { "guests" };
        match self {
            Cause::Flooding => format!("{count} {guests} dropped for flooding"),
            Cause::NotReading => format!("{count} {guests} dropped for not reading"),
            Cause::Fault => format!("{count} {guests} dropped after a fault (see the log)"),
            Cause::AcceptFailed => {
                let connections = if count == 1 {
                    "connection"
                } else {
                    "connections"
                };
                format!("{count} {connections} could not be accepted (see the log)")
            }
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(1))
    }
}

/// The notices said, and what was counted since, per cause.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    /// Per cause: when the last notice was said, and what happened since.
    said_at: [Option<Instant>; CAUSES.len()],
    since: [u32; CAUSES.len()],
}

impl Notices {
    pub fn new() -> Notices {
        Notices::default()
    }

    /// `cause` happened at `now`: returns the line to say now, if the cause has been
    /// quiet for a minute; otherwise it is counted for the next.
    pub fn record(&mut self, cause: Cause, now: Instant) -> Option<String> {
        let i = cause.index();
        match self.said_at[i] {
            Some(at) if now < at + NOTICE_EVERY => {
                self.since[i] += 1;
                None
            }
            _ => {
                self.said_at[i] = Some(now);
                Some(cause.describe(1))
            }
        }
    }

    /// When the next counted notice is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        CAUSES
            .iter()
            .filter(|c| self.since[c.index()] > 0)
            .filter_map(|c| self.said_at[c.index()])
            .map(|at| at + NOTICE_EVERY)
            .min()
    }

    /// The counted notices due at `now`, each saying what happened in the last minute.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<String> {
        let mut lines = Vec::new();
        for cause in CAUSES {
            let i = cause.index();
            let due = self.said_at[i].is_some_and(|at| at + NOTICE_EVERY <= now);
            if due && self.since[i] > 0 {
                lines.push(format!(
                    "{} in the last minute",
                    cause.describe(std::mem::take(&mut self.since[i]))
                ));
                self.said_at[i] = Some(now);
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_is_said_at_once_and_the_rest_once_a_minute() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut notices = Notices::new();
        assert_eq!(
            notices.record(Cause::Flooding, at(0)).as_deref(),
            Some("1 guest dropped for flooding")
        );
        for s in 1..=3 {
            assert_eq!(notices.record(Cause::Flooding, at(s)), None);
        }
        assert_eq!(
            notices.record(Cause::NotReading, at(5)).as_deref(),
            Some("1 guest dropped for not reading"),
            "each cause on its own"
        );
        assert_eq!(notices.poll_timeout(), Some(at(60)));
        assert!(notices.handle_timeout(at(59)).is_empty());
        assert_eq!(
            notices.handle_timeout(at(60)),
            ["3 guests dropped for flooding in the last minute"]
        );
        assert_eq!(notices.poll_timeout(), None, "nothing counted since");
        assert_eq!(
            notices.record(Cause::Flooding, at(61)),
            None,
            "a minute after the last"
        );
        assert_eq!(notices.poll_timeout(), Some(at(120)));
        assert_eq!(
            notices.handle_timeout(at(120)),
            ["1 guest dropped for flooding in the last minute"]
        );
        assert!(
            notices.record(Cause::Flooding, at(181)).is_some(),
            "quiet again"
        );
    }

    #[test]
    fn a_flood_of_a_thousand_is_three_lines_in_two_minutes() {
        let start = Instant::now();
        let mut notices = Notices::new();
        let mut lines = Vec::new();
        for ms in (0..120_000).step_by(120) {
            let now = start + Duration::from_millis(ms);
            if notices.poll_timeout().is_some_and(|due| due <= now) {
                lines.extend(notices.handle_timeout(now));
            }
            lines.extend(notices.record(Cause::AcceptFailed, now));
        }
        assert_eq!(lines.len(), 2, "{lines:?}");
        lines.extend(notices.handle_timeout(start + Duration::from_secs(180)));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[1].ends_with("in the last minute"));
    }
}
