//! What a test looks for in the text a console or a guest received, when each part of
//! it arrived, and how it reads in a failure message. Pure: bytes and instants in,
//! ranges and strings out.

use std::fmt;
use std::ops::Range;
use std::time::Instant;

/// What an `expect` waits for, after the cursor.
#[derive(Clone, Copy, Debug)]
pub enum Pattern<'a> {
    /// The text anywhere, as soon as it has arrived.
    Text(&'a str),
    /// The text as a whole line: nothing else on it, and its end (CR or LF) arrived.
    /// `Line("1")` does not match `Wins: 1 - 0`.
    Line(&'a str),
    /// What follows the text on its line, once the line's end has arrived: the match is
    /// the rest of the line, without its end.
    RestOfLine(&'a str),
}

impl Pattern<'_> {
    /// Where the pattern next matches in `text` from `from` on.
    pub fn find(&self, text: &[u8], from: usize) -> Option<Range<usize>> {
        match *self {
            Pattern::Text(needle) => find(text, from, needle, false),
            Pattern::Line(line) => find(text, from, line, true),
            Pattern::RestOfLine(prefix) => {
                let found = find(text, from, prefix, false)?;
                let len = text[found.end..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')?;
                Some(found.end..found.end + len)
            }
        }
    }
}

/// For failure messages: `waiting for {pattern}`.
impl fmt::Display for Pattern<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Text(text) => write!(f, "{text:?}"),
            Pattern::Line(line) => write!(f, "the line {line:?}"),
            Pattern::RestOfLine(prefix) => write!(f, "a line with {prefix:?}"),
        }
    }
}

/// Where `needle` next occurs in `text` from `from` on. With `whole_line`, only where it
/// fills a whole line and the line's end (CR or LF) has arrived too.
fn find(text: &[u8], from: usize, needle: &str, whole_line: bool) -> Option<Range<usize>> {
    let needle = needle.as_bytes();
    if needle.is_empty() || from > text.len() {
        return None;
    }
    let mut start = from;
    while let Some(at) = text[start..]
        .windows(needle.len())
        .position(|window| window == needle)
    {
        let begin = start + at;
        let end = begin + needle.len();
        if !whole_line {
            return Some(begin..end);
        }
        let line_start = begin == 0 || matches!(text[begin - 1], b'\n' | b'\r');
        let line_end = matches!(text.get(end), Some(b'\n' | b'\r'));
        if line_start && line_end {
            return Some(begin..end);
        }
        start = begin + 1;
    }
    None
}

/// Bytes as they arrived, with the instant each read that brought some returned.
///
/// The instant is taken by whoever read, as soon as the read returned: how late the
/// test's thread looks at the bytes does not count (the benches time keys with it).
#[derive(Debug, Default)]
pub(crate) struct Received {
    bytes: Vec<u8>,
    /// `(length after the read, when it returned)`, one per read that added bytes.
    reads: Vec<(usize, Instant)>,
}

impl Received {
    pub(crate) fn push(&mut self, bytes: &[u8], at: Instant) {
        if bytes.is_empty() {
            return;
        }
        self.bytes.extend_from_slice(bytes);
        self.reads.push((self.bytes.len(), at));
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// When the byte at `index` arrived.
    pub(crate) fn arrived(&self, index: usize) -> Option<Instant> {
        let read = self.reads.partition_point(|&(end, _)| end <= index);
        self.reads.get(read).map(|&(_, at)| at)
    }

    /// When the last bytes arrived.
    pub(crate) fn last_arrival(&self) -> Option<Instant> {
        self.reads.last().map(|&(_, at)| at)
    }
}

/// `bytes` for a failure message: one line per line, other control bytes escaped.
pub(crate) fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::from("    | ");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => out.push_str("\n    | "),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
