//! Waiting for text on what a player sees: the host's console ([`Program`]) or a guest's
//! connection ([`Guest`]). The waits themselves are the implementors' (they do the IO);
//! this module only names them once for both.
//!
//! [`Program`]: crate::Program
//! [`Guest`]: crate::Guest

use crate::text::Pattern;
use std::time::{Duration, Instant};

/// What an `expect` found.
#[derive(Clone, Debug)]
pub struct Seen {
    /// What arrived between the old cursor and the match.
    pub skipped: String,
    /// The match itself (for [`Pattern::RestOfLine`], the rest of the line).
    pub matched: String,
    /// When the match's last byte arrived: the instant the read that brought it returned.
    pub at: Instant,
}

/// Waits on a console or a guest's connection, each with a cursor: every `expect`
/// looks only after the cursor and moves it past what it found. Every wait ends at
/// [`DEADLINE`](crate::DEADLINE) at the latest, and a failure shows what arrived.
pub trait Expect {
    /// Waits until `pattern` matches after the cursor and moves the cursor past the match.
    fn expect_seen(&mut self, pattern: Pattern<'_>) -> Seen;

    /// Waits `window` and fails if `text` arrived after the cursor meanwhile (or
    /// before). The cursor does not move.
    fn expect_absent(&mut self, text: &str, window: Duration);

    /// Waits until `text` arrived after the cursor, moves the cursor past it, and
    /// returns what arrived between the old cursor and `text`.
    #[track_caller]
    fn expect(&mut self, text: &str) -> String {
        self.expect_seen(Pattern::Text(text)).skipped
    }

    /// As [`Expect::expect`], for `line` as a whole line: nothing else on it, and its end
    /// arrived. `expect_line("1")` does not match `Wins: 1 - 0`.
    #[track_caller]
    fn expect_line(&mut self, line: &str) -> String {
        self.expect_seen(Pattern::Line(line)).skipped
    }

    /// Waits for `prefix` and the end of its line; returns the rest of the line and
    /// moves the cursor to the line's end.
    #[track_caller]
    fn expect_rest_of_line(&mut self, prefix: &str) -> String {
        self.expect_seen(Pattern::RestOfLine(prefix)).matched
    }
}
