//! What one side of a game (the console or a guest socket) has shown so far, with the
//! instant each result line arrived. Pure: bytes and their arrival times go in; waiting
//! for more is the [`Output`] implementor's job.

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

/// How long any wait for the server may take before the bench gives up on it.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// `Player 0: r, Player 1: r` as two fixed parts around the two moves.
const BEFORE_HOST: &[u8] = b"Player 0: ";
const BEFORE_GUEST: &[u8] = b", Player 1: ";
const RESULT_LEN: usize = BEFORE_HOST.len() + 1 + BEFORE_GUEST.len() + 1;

/// One result line as it arrived.
#[derive(Clone, Copy, Debug)]
pub struct RoundResult {
    /// The host's move and the guest's, as the line names them.
    pub moves: [u8; 2],
    /// When the read that completed the line returned.
    pub at: Instant,
}

/// A side's output: text to search, and the result lines not yet taken.
#[derive(Debug, Default)]
pub struct Transcript {
    text: Vec<u8>,
    /// Where the next search starts: text before it was already matched.
    cursor: usize,
    /// The current line's last bytes, to spot a result line whatever the read boundaries.
    line: Vec<u8>,
    results: VecDeque<RoundResult>,
}

impl Transcript {
    /// Adds bytes that a read returned at `at`.
    pub fn push(&mut self, bytes: &[u8], at: Instant) {
        for &byte in bytes {
            if byte == b'\n' || byte == b'\r' {
                self.line.clear();
                continue;
            }
            if self.line.len() == 2 * RESULT_LEN {
                self.line.drain(..RESULT_LEN);
            }
            self.line.push(byte);
            if let Some(moves) = result_at_end(&self.line) {
                self.results.push_back(RoundResult { moves, at });
            }
        }
        self.text.extend_from_slice(bytes);
        // Matched text is only kept for error messages; a long run must not grow it.
        if self.cursor > 1 << 16 {
            let keep_from = self.cursor - 1024;
            self.text.drain(..keep_from);
            self.cursor -= keep_from;
        }
    }

    /// Finds `needle` after the previous match, once the rest of its line has arrived
    /// too, and moves past it; returns the rest of the line.
    pub fn find(&mut self, needle: &str) -> Option<String> {
        let needle = needle.as_bytes();
        let start = self.text[self.cursor..]
            .windows(needle.len())
            .position(|window| window == needle)?
            + self.cursor
            + needle.len();
        let rest = &self.text[start..];
        let line_end = rest.iter().position(|&b| b == b'\r' || b == b'\n')?;
        self.cursor = start + line_end;
        Some(String::from_utf8_lossy(&rest[..line_end]).into_owned())
    }

    /// The oldest result line not yet taken.
    pub fn take_result(&mut self) -> Option<RoundResult> {
        self.results.pop_front()
    }

    /// The last bytes seen, printable, for error messages.
    pub fn tail(&self) -> String {
        let from = self.text.len().saturating_sub(400);
        self.text[from..].escape_ascii().to_string()
    }
}

/// The two moves if `line` ends with a complete result.
fn result_at_end(line: &[u8]) -> Option<[u8; 2]> {
    let tail = line.get(line.len().checked_sub(RESULT_LEN)?..)?;
    let (host_part, rest) = tail.split_at(BEFORE_HOST.len());
    let (guest_part, guest) = rest[1..].split_at(BEFORE_GUEST.len());
    (host_part == BEFORE_HOST && guest_part == BEFORE_GUEST).then_some([rest[0], guest[0]])
}

/// A side of the game the bench can wait on: the console (pty master) or a guest socket.
pub trait Output {
    /// Who this is, for error messages.
    fn name(&self) -> String;

    fn transcript(&mut self) -> &mut Transcript;

    /// Waits until `deadline` for the next bytes and adds them to the transcript.
    /// `Ok(false)` at end of output; an error of kind `TimedOut` past the deadline.
    fn read_more(&mut self, deadline: Instant) -> io::Result<bool>;

    /// Waits for `needle` and the end of its line; returns what follows it on the line.
    fn expect(&mut self, needle: &str) -> io::Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(rest) = self.transcript().find(needle) {
                return Ok(rest);
            }
            self.more_or_fail(deadline, &format!("{needle:?}"))?;
        }
    }

    /// Waits for the next result line.
    fn next_result(&mut self) -> io::Result<RoundResult> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(result) = self.transcript().take_result() {
                return Ok(result);
            }
            self.more_or_fail(deadline, "a result line")?;
        }
    }

    /// Reads more, turning a timeout or the end of output into a clear error.
    fn more_or_fail(&mut self, deadline: Instant, what: &str) -> io::Result<()> {
        let failure = match self.read_more(deadline) {
            Ok(true) => return Ok(()),
            Ok(false) => "the output ended",
            Err(err) if err.kind() == io::ErrorKind::TimedOut => "timed out",
            Err(err) => return Err(err),
        };
        Err(io::Error::other(format!(
            "{}: {failure} waiting {} s for {what}; last output: \"{}\"",
            self.name(),
            PATIENCE.as_secs(),
            self.transcript().tail()
        )))
    }
}
