//! Key presses from a keyboard's bytes: one [`Key`] per key pressed, whether the key
//! sent one byte (`r`), a UTF-8 character of several (`é` is `C3 A9`) or an escape
//! sequence (Up is `ESC [ A`, F1 is `ESC O P`). Pure: no IO and no clock (time is passed
//! in), and fixed in size whatever it is fed.
//!
//! Judged one byte at a time, an arrow was three "Invalid key"s and F1 a capital P, that
//! is paper; the decoder says nothing of a key until its last byte has come.
//!
//! # What bytes mean
//!
//! | bytes | key |
//! |---|---|
//! | `20`-`7E`, and UTF-8 of any character that is no control | [`Key::Char`] |
//! | CR, LF, CR LF | [`Key::Enter`] (one) |
//! | BS (`08`), DEL (`7F`) | [`Key::Backspace`]: terminals send either |
//! | `03`, `04` | [`Key::Interrupt`] (Ctrl-C), [`Key::EndOfInput`] (Ctrl-D) |
//! | other C0 controls, and C1 controls spelled in UTF-8 | [`Key::Control`] |
//! | NUL | nothing, wherever it comes: it is padding (telnet's CR NUL, some terminals) |
//! | `ESC` alone | [`Key::Escape`], once nothing has followed it within the timeout |
//! | `ESC [` parameters, intermediates, a final byte `40`-`7E` (CSI); `ESC O` and one (SS3) | [`Key::Special`], named for xterm's, the vt100's, rxvt's and the Linux console's keys |
//! | `ESC` and a printable ASCII character | [`Key::Alt`]: the meta-sends-escape convention |
//! | anything UTF-8 forbids | [`Key::Invalid`], one per maximal bad run, as [`String::from_utf8_lossy`] counts them |
//!
//! A key that cannot go on (`ESC [ 1` and then a CR) is judged as it stands, and the
//! byte that broke it starts the next key: `ESC [` cut short is Alt-`[`, a longer
//! sequence is [`SpecialKey::Unknown`], the first bytes of a character are
//! [`Key::Invalid`]. Modifiers in a sequence (`ESC [ 1 ; 5 A` is Ctrl-Up) are not
//! reported: the key is named (Up) and the game has no use for more. `ESC` before
//! anything but printable ASCII (another ESC, a control, a character of several bytes)
//! is Esc and then that key.
//!
//! # Time
//!
//! ESC is Esc, but also the first byte of every escape sequence, so a lone ESC is only a
//! key once nothing has followed it within the timeout ([`KEY_TIMEOUT`], 50 ms: a
//! terminal writes a sequence in one go, and nobody presses two keys that fast). The
//! same holds for every key cut short, a UTF-8 character missing its last bytes too. The
//! decoder has no clock; like quinn-proto's connection, it says when it next needs waking
//! ([`KeyDecoder::poll_timeout`]) and is told that time has passed
//! ([`KeyDecoder::handle_timeout`], and the `now` of [`KeyDecoder::feed`], which first
//! settles a key whose time ran out unheeded).
//!
//! # How the edges use it
//!
//! - **The console** feeds the raw bytes its tty reads in cbreak mode, all of them:
//!   `decoder.feed(&buf[..n], Instant::now(), &mut keys)`. [`Key::EndOfInput`] is the
//!   host leaving (Ctrl-D), as before. To tell a lone Esc on time, it waits for stdin
//!   with `poll(2)` until [`KeyDecoder::poll_timeout`] and then calls
//!   [`KeyDecoder::handle_timeout`]; a reader that only blocks in `read` still gets every
//!   key right, a lone Esc merely late (it comes out just before the next key).
//! - **A guest's reader** puts the telnet filter first: it removes telnet's commands
//!   (which may fall inside a key: `ESC IAC NOP [ A` is still Up) and knows the
//!   network's ways of spelling Enter (CR NUL, CR LF, and CR IAC NOP LF, which only it
//!   can see); it passes every other data byte on, a character's continuation bytes
//!   too. Each run of [`Typed::Key`](crate::telnet::Typed::Key) bytes is fed to the
//!   decoder as it comes, and each [`Typed::Enter`](crate::telnet::Typed::Enter) as
//!   `b"\r"`, so Enter comes out in its place, after any key it cut short; Interrupt and
//!   EndOfInput end the visit as before. The key rate is judged per [`Key`], not per
//!   byte: an arrow is one key. The reader wakes for the timeout with
//!   `TcpStream::set_read_timeout`; a guest far away may deserve a longer one
//!   ([`KeyDecoder::with_timeout`]).
//!
//! Either way the game decides what a key means: `Char('r')` is rock, F1 is nothing.

use std::fmt;
use std::time::{Duration, Instant};

/// How long after a key's first byte its last may come: past it, the key is judged as
/// it stands (a lone ESC is Esc). Long enough for a terminal's write to cross a busy
/// machine, shorter than the gap between two keys a person presses.
pub const KEY_TIMEOUT: Duration = Duration::from_millis(50);

/// The longest escape sequence the decoder names, `ESC` and final byte included: a
/// longer one is one [`SpecialKey::Unknown`], whose bytes past this are counted, not
/// kept. Real keys take at most a dozen (`ESC [ 1 5 ; 8 ~`, Ctrl-Alt-Shift-F5).
pub const MAX_SEQUENCE: usize = 32;

/// The bytes of a sequence between its introducer and its final byte that are kept.
const MAX_BODY: usize = MAX_SEQUENCE - 3;

/// One key pressed, as a player would name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A printable character: ASCII, or any character UTF-8 spells that is no control.
    Char(char),
    /// Enter, however it was spelled (CR, LF, CR LF, CR NUL).
    Enter,
    /// Backspace, which terminals send as BS (Ctrl-H) or DEL.
    Backspace,
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-D.
    EndOfInput,
    /// Any other control character: C0 (`01`-`1F`, Tab among them) or C1 (`80`-`9F`,
    /// which only arrive spelled in UTF-8).
    Control(u8),
    /// Esc on its own.
    Escape,
    /// Alt (or Meta) and a printable ASCII character: ESC, then the character.
    Alt(char),
    /// A key that sends an escape sequence: an arrow, an editing key, an F-key.
    Special(SpecialKey),
    /// Bytes that are no UTF-8: a stray continuation byte, a character cut short, an
    /// overlong form, a surrogate, a byte UTF-8 never uses.
    Invalid,
}

/// The keys that send escape sequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpecialKey {
    Up,
    Down,
    Right,
    Left,
    Home,
    End,
    Insert,
    Delete,
    PageUp,
    PageDown,
    /// Shift-Tab (`ESC [ Z`).
    BackTab,
    /// F1 to F20.
    F(u8),
    /// A sequence with no name here, or longer than [`MAX_SEQUENCE`].
    Unknown,
}

/// The decoder for one keyboard: a console or a guest.
#[derive(Clone, Debug)]
pub struct KeyDecoder {
    timeout: Duration,
    /// The key whose first bytes have come and whose last have not.
    pending: Option<Pending>,
    /// The last key was a CR: an LF next is part of the same Enter.
    after_cr: bool,
}

/// A key begun, and when.
#[derive(Clone, Copy, Debug)]
struct Pending {
    partial: Partial,
    /// When its first byte came: its deadline runs from there, so a slow trickle cannot
    /// hold a key open for long.
    since: Instant,
}

/// The first bytes of a key.
#[derive(Clone, Copy, Debug)]
enum Partial {
    /// ESC: Esc itself, or the start of an escape sequence or of Alt and a character.
    Escape,
    /// `ESC [` or `ESC O`, and what has come of the rest.
    Sequence(Sequence),
    /// The first bytes of a UTF-8 character.
    Character(Utf8),
}

/// What the next byte does to a key begun.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The key goes on.
    Continues(Partial),
    /// The byte was the key's last.
    Ends(Key),
    /// The byte cannot be part of the key: the key is what came before it, and the byte
    /// starts the next.
    Breaks,
}

/// An escape sequence so far: `ESC`, its introducer, and its body.
#[derive(Clone, Copy, Debug)]
struct Sequence {
    /// `[` (CSI) or `O` (SS3).
    introducer: u8,
    /// Its parameter and intermediate bytes, as many as fit.
    body: [u8; MAX_BODY],
    /// How many it has had, kept or not.
    len: usize,
}

/// A UTF-8 character so far.
#[derive(Clone, Copy, Debug)]
struct Utf8 {
    /// The character's bits so far.
    bits: u32,
    /// Continuation bytes still to come.
    left: u8,
    /// The range the next byte must be in. After some lead bytes it is narrower than
    /// `80`-`BF`: that is how overlong forms, surrogates and characters past U+10FFFF
    /// are refused at their second byte (the Unicode Standard's table 3-7).
    low: u8,
    high: u8,
}

impl Default for KeyDecoder {
    fn default() -> KeyDecoder {
        KeyDecoder::new()
    }
}

impl KeyDecoder {
    /// A decoder that waits [`KEY_TIMEOUT`] for a key's last bytes.
    pub fn new() -> KeyDecoder {
        KeyDecoder::with_timeout(KEY_TIMEOUT)
    }

    /// A decoder that waits `timeout` for a key's last bytes: longer for a keyboard at
    /// the far end of a slow network, say.
    pub fn with_timeout(timeout: Duration) -> KeyDecoder {
        KeyDecoder {
            timeout,
            pending: None,
            after_cr: false,
        }
    }

    /// Feeds the next bytes from the keyboard, which came at `now`; the keys they
    /// complete are appended to `keys`.
    ///
    /// A key whose deadline has passed by `now` is settled first, as
    /// [`Self::handle_timeout`] would have: what comes out does not depend on whether
    /// the caller woke for the deadline, only on when the bytes came.
    pub fn feed(&mut self, bytes: &[u8], now: Instant, keys: &mut Vec<Key>) {
        keys.extend(self.handle_timeout(now));
        for &b in bytes {
            self.byte(b, now, keys);
        }
    }

    /// When the key begun becomes a key even if nothing more comes (a lone ESC becomes
    /// Esc); `None` when no key is begun.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.map(|pending| pending.since + self.timeout)
    }

    /// Tells the decoder it is `now`: a key begun whose deadline has passed is judged as
    /// it stands, and returned.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<Key> {
        let pending = self.pending?;
        if now < pending.since + self.timeout {
            return None;
        }
        self.pending = None;
        Some(pending.partial.cut_short())
    }

    /// The byte `b`, which came at `now`.
    fn byte(&mut self, b: u8, now: Instant, keys: &mut Vec<Key>) {
        // NUL is padding (telnet's CR NUL, some terminals' after CR), never a key nor a
        // part of one, wherever it comes.
        if b == 0x00 {
            return;
        }
        let Some(pending) = self.pending.take() else {
            return self.start(b, now, keys);
        };
        match pending.partial.then(b) {
            Step::Continues(partial) => self.pending = Some(Pending { partial, ..pending }),
            Step::Ends(key) => keys.push(key),
            Step::Breaks => {
                keys.push(pending.partial.cut_short());
                self.start(b, now, keys);
            }
        }
    }

    /// The byte `b` (not NUL), when no key is begun: a key, or the start of one.
    fn start(&mut self, b: u8, now: Instant, keys: &mut Vec<Key>) {
        let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
        let key = match b {
            // The LF of CR LF belongs to the CR's Enter.
            b'\n' if after_cr => return,
            b'\r' | b'\n' => Key::Enter,
            0x08 | 0x7f => Key::Backspace,
            0x03 => Key::Interrupt,
            0x04 => Key::EndOfInput,
            0x1b => return self.begin(Partial::Escape, now),
            0x00..=0x1f => Key::Control(b),
            0x20..=0x7e => Key::Char(char::from(b)),
            0xc2..=0xf4 => return self.begin(Partial::Character(Utf8::new(b)), now),
            // Continuation bytes with no lead, and bytes UTF-8 never uses: `C0` and `C1`
            // would only start overlong ASCII, `F5` and up what is past U+10FFFF.
            0x80..=0xc1 | 0xf5..=0xff => Key::Invalid,
        };
        keys.push(key);
    }

    fn begin(&mut self, partial: Partial, now: Instant) {
        self.pending = Some(Pending {
            partial,
            since: now,
        });
    }
}

impl Partial {
    /// What the byte `b` (not NUL) does to this key.
    fn then(self, b: u8) -> Step {
        match self {
            Partial::Escape => match b {
                b'[' | b'O' => Step::Continues(Partial::Sequence(Sequence::new(b))),
                0x20..=0x7e => Step::Ends(Key::Alt(char::from(b))),
                _ => Step::Breaks,
            },
            Partial::Sequence(sequence) => sequence.then(b),
            Partial::Character(utf8) => utf8.then(b),
        }
    }

    /// The key this is if nothing more of it comes.
    fn cut_short(self) -> Key {
        match self {
            Partial::Escape => Key::Escape,
            Partial::Sequence(Sequence {
                introducer, len: 0, ..
            }) => Key::Alt(char::from(introducer)),
            Partial::Sequence(_) => Key::Special(SpecialKey::Unknown),
            Partial::Character(_) => Key::Invalid,
        }
    }
}

impl Sequence {
    fn new(introducer: u8) -> Sequence {
        Sequence {
            introducer,
            body: [0; MAX_BODY],
            len: 0,
        }
    }

    /// What the byte `b` does to this sequence (ECMA-48's syntax, which SS3 follows too
    /// in the terminals that put modifiers in it).
    fn then(mut self, b: u8) -> Step {
        // The Linux console's F1 to F5 are `ESC [ [ A` to `E`: that second `[` is not
        // the final byte it would be anywhere else.
        let linux = self.introducer == b'[' && self.len == 0 && b == b'[';
        match b {
            0x40..=0x7e if !linux => Step::Ends(Key::Special(self.name(b))),
            0x20..=0x3f | b'[' => {
                if let Some(slot) = self.body.get_mut(self.len) {
                    *slot = b;
                }
                self.len = self.len.saturating_add(1);
                Step::Continues(Partial::Sequence(self))
            }
            _ => Step::Breaks,
        }
    }

    /// The key this sequence names, with `last` its final byte.
    fn name(&self, last: u8) -> SpecialKey {
        use SpecialKey::*;
        let Some(body) = self.body.get(..self.len) else {
            return Unknown;
        };
        if body == b"[" {
            return match last {
                b'A'..=b'E' => F(last - b'A' + 1),
                _ => Unknown,
            };
        }
        // Keyboards send numbers separated by `;`: the key's number first, xterm's
        // modifiers second. Anything else (a private marker, an intermediate) is no key.
        if !body.iter().all(|&b| b.is_ascii_digit() || b == b';') {
            return Unknown;
        }
        let first = body
            .split(|&b| b == b';')
            .next()
            .filter(|digits| !digits.is_empty())
            .map(|digits| {
                digits.iter().fold(0u32, |n, &d| {
                    n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
                })
            });
        match (self.introducer, last) {
            (_, b'A') => Up,
            (_, b'B') => Down,
            (_, b'C') => Right,
            (_, b'D') => Left,
            (_, b'H') => Home,
            (_, b'F') => End,
            (_, b'P'..=b'S') => F(last - b'P' + 1),
            (b'[', b'Z') => BackTab,
            (b'[', b'~') => match first {
                Some(1 | 7) => Home,
                Some(2) => Insert,
                Some(3) => Delete,
                Some(4 | 8) => End,
                Some(5) => PageUp,
                Some(6) => PageDown,
                // The vt220's numbering, with gaps where its keyboard had them.
                Some(n @ 11..=15) => F(n as u8 - 10),
                Some(n @ 17..=21) => F(n as u8 - 11),
                Some(n @ 23..=26) => F(n as u8 - 12),
                Some(n @ 28..=29) => F(n as u8 - 13),
                Some(n @ 31..=34) => F(n as u8 - 14),
                _ => Unknown,
            },
            _ => Unknown,
        }
    }
}

impl Utf8 {
    /// A character begun with `lead` (`C2`-`F4`).
    fn new(lead: u8) -> Utf8 {
        let (bits, left, low, high) = match lead {
            0xc2..=0xdf => (lead & 0x1f, 1, 0x80, 0xbf),
            // Below U+0800 would be overlong.
            0xe0 => (lead & 0x0f, 2, 0xa0, 0xbf),
            // U+D800 to U+DFFF are surrogates, no characters.
            0xed => (lead & 0x0f, 2, 0x80, 0x9f),
            0xe1..=0xef => (lead & 0x0f, 2, 0x80, 0xbf),
            // Below U+10000 would be overlong.
            0xf0 => (lead & 0x07, 3, 0x90, 0xbf),
            // Past U+10FFFF is no character.
            0xf4 => (lead & 0x07, 3, 0x80, 0x8f),
            _ => (lead & 0x07, 3, 0x80, 0xbf),
        };
        Utf8 {
            bits: u32::from(bits),
            left,
            low,
            high,
        }
    }

    /// What the byte `b` does to this character.
    fn then(mut self, b: u8) -> Step {
        if !(self.low..=self.high).contains(&b) {
            return Step::Breaks;
        }
        self.bits = self.bits << 6 | u32::from(b & 0x3f);
        self.left -= 1;
        (self.low, self.high) = (0x80, 0xbf);
        if self.left > 0 {
            return Step::Continues(Partial::Character(self));
        }
        Step::Ends(match char::from_u32(self.bits) {
            // C1 controls, U+0080 to U+009F: a control is never printed as a character.
            Some(c) if c.is_control() => Key::Control(self.bits as u8),
            Some(c) => Key::Char(c),
            // The ranges above let through nothing else, but a decoder must not panic.
            None => Key::Invalid,
        })
    }
}

impl fmt::Display for Key {
    /// The key's name for a player: `r`, `é`, `Space`, `Enter`, `Ctrl-X`, `Alt-x`, `F1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Key::Char(' ') => f.write_str("Space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Enter => f.write_str("Enter"),
            Key::Backspace => f.write_str("Backspace"),
            Key::Interrupt => f.write_str("Ctrl-C"),
            Key::EndOfInput => f.write_str("Ctrl-D"),
            Key::Control(0x09) => f.write_str("Tab"),
            // Ctrl and a key clears bit 6 of its character: 0x01 is Ctrl-A.
            Key::Control(c @ 0x00..=0x1f) => write!(f, "Ctrl-{}", char::from(c ^ 0x40)),
            Key::Control(c) => write!(f, "U+{c:04X}"),
            Key::Escape => f.write_str("Esc"),
            Key::Alt(' ') => f.write_str("Alt-Space"),
            Key::Alt(c) => write!(f, "Alt-{c}"),
            Key::Special(key) => write!(f, "{key}"),
            Key::Invalid => f.write_str("Invalid character"),
        }
    }
}

impl fmt::Display for SpecialKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            SpecialKey::Up => "Up",
            SpecialKey::Down => "Down",
            SpecialKey::Right => "Right",
            SpecialKey::Left => "Left",
            SpecialKey::Home => "Home",
            SpecialKey::End => "End",
            SpecialKey::Insert => "Insert",
            SpecialKey::Delete => "Delete",
            SpecialKey::PageUp => "Page Up",
            SpecialKey::PageDown => "Page Down",
            SpecialKey::BackTab => "Shift-Tab",
            SpecialKey::F(n) => return write!(f, "F{n}"),
            SpecialKey::Unknown => "Unknown key",
        };
        f.write_str(name)
    }
}

#[cfg(test)]
mod tests {
    use super::Key::{Alt, Backspace, Char, Control, Enter, Escape, Invalid};
    use super::SpecialKey::{BackTab, Delete, Down, End, Home, Insert, Left, PageDown, PageUp};
    use super::SpecialKey::{Right, Unknown, Up, F};
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    const ESC: u8 = 0x1b;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The keys of `bytes` fed at once, then a second later (every key begun settled).
    fn keys_of(bytes: &[u8]) -> Vec<Key> {
        keys_of_reads(&[bytes])
    }

    /// The keys of `reads` fed one after the other at the same instant, then a second
    /// later.
    fn keys_of_reads(reads: &[&[u8]]) -> Vec<Key> {
        let start = Instant::now();
        let mut decoder = KeyDecoder::new();
        let mut keys = Vec::new();
        for read in reads {
            decoder.feed(read, start, &mut keys);
        }
        keys.extend(decoder.handle_timeout(start + ms(1000)));
        assert_eq!(decoder.poll_timeout(), None);
        keys
    }

    /// Every way to cut `input` into reads: all 2^(n-1) for short inputs; for longer
    /// ones every one and two cut points, and one byte per read.
    fn every_split(input: &[u8]) -> Vec<Vec<&[u8]>> {
        let n = input.len();
        let cuts: Vec<Vec<usize>> = if n <= 12 {
            (0u32..1 << n.saturating_sub(1))
                .map(|mask| (1..n).filter(|i| mask & (1 << (i - 1)) != 0).collect())
                .collect()
        } else {
            let mut cuts = vec![(1..n).collect::<Vec<_>>()];
            for i in 1..n {
                cuts.push(vec![i]);
                cuts.extend((i + 1..n).map(|j| vec![i, j]));
            }
            cuts
        };
        cuts.iter()
            .map(|cuts| {
                let mut start = 0;
                cuts.iter()
                    .chain([&n])
                    .map(|&end| {
                        let read = &input[start..end];
                        start = end;
                        read
                    })
                    .collect()
            })
            .collect()
    }

    fn special(key: SpecialKey) -> Key {
        Key::Special(key)
    }

    #[test]
    fn every_ascii_byte_alone_is_one_key() {
        for b in 0..=0x7fu8 {
            let expected = match b {
                0x00 => vec![],
                b'\r' | b'\n' => vec![Enter],
                0x08 | 0x7f => vec![Backspace],
                0x03 => vec![Key::Interrupt],
                0x04 => vec![Key::EndOfInput],
                ESC => vec![Escape],
                0x01..=0x1f => vec![Control(b)],
                _ => vec![Char(char::from(b))],
            };
            assert_eq!(keys_of(&[b]), expected, "{b:#04x}");
        }
    }

    #[test]
    fn every_byte_past_ascii_alone_is_invalid_at_once_or_at_its_deadline() {
        for b in 0x80..=0xffu8 {
            let start = Instant::now();
            let mut decoder = KeyDecoder::new();
            let mut keys = Vec::new();
            decoder.feed(&[b], start, &mut keys);
            let leads = (0xc2..=0xf4).contains(&b);
            assert_eq!(keys.is_empty(), leads, "{b:#04x}");
            assert_eq!(decoder.poll_timeout().is_some(), leads, "{b:#04x}");
            keys.extend(decoder.handle_timeout(start + KEY_TIMEOUT));
            assert_eq!(keys, [Invalid], "{b:#04x}");
        }
    }

    #[test]
    fn enter_however_spelled_is_one_enter() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &[Key])] = &[
            (b"\r", &[Enter]),
            (b"\n", &[Enter]),
            (b"\r\n", &[Enter]),
            (b"\r\0", &[Enter]),
            (b"\r\0\n", &[Enter]),
            (b"\r\r", &[Enter, Enter]),
            (b"\n\n", &[Enter, Enter]),
            (b"\n\r", &[Enter, Enter]),
            (b"\r\n\r\n", &[Enter, Enter]),
            (b"r\rp\ns", &[Char('r'), Enter, Char('p'), Enter, Char('s')]),
            // Only an LF right after the CR is the CR's.
            (b"\rr\n", &[Enter, Char('r'), Enter]),
            (b"\r\x1b\n", &[Enter, Escape, Enter]),
            // NUL is nothing, wherever it comes.
            (b"\0", &[]),
            (b"r\0p", &[Char('r'), Char('p')]),
            (b"\xc3\0\xa9", &[Char('é')]),
            (b"\x1b\0[\0A", &[special(Up)]),
        ];
        for &(input, keys) in cases {
            for reads in every_split(input) {
                assert_eq!(keys_of_reads(&reads), keys, "{reads:02x?}");
            }
        }
    }

    #[test]
    fn characters_of_several_bytes_are_one_key_however_split() {
        for text in ["é", "€", "😀", "aé€😀z", "ÿ\u{10ffff}\u{fffd}"] {
            let expected: Vec<Key> = text.chars().map(Char).collect();
            for reads in every_split(text.as_bytes()) {
                assert_eq!(keys_of_reads(&reads), expected, "{reads:02x?}");
            }
        }
    }

    #[test]
    fn a_character_cut_short_by_time_is_invalid() {
        let start = Instant::now();
        let mut decoder = KeyDecoder::new();
        let mut keys = Vec::new();
        decoder.feed(b"\xc3", start, &mut keys);
        decoder.feed(b"\xa9", start + ms(10), &mut keys);
        assert_eq!(keys, [Char('é')]);
        keys.clear();
        decoder.feed(b"\xe2\x82", start, &mut keys);
        decoder.feed(b"\xac", start + KEY_TIMEOUT, &mut keys);
        assert_eq!(keys, [Invalid, Invalid]);
    }

    #[test]
    fn malformed_utf8_is_invalid_once_per_bad_run() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &[Key])] = &[
            // A stray continuation byte, and several.
            (b"\xa9", &[Invalid]),
            (b"\x80\xbf", &[Invalid, Invalid]),
            // Truncated, then ASCII or another character.
            (b"\xc3r", &[Invalid, Char('r')]),
            (b"\xe2\x82r", &[Invalid, Char('r')]),
            (b"\xf0\x9f\x98r", &[Invalid, Char('r')]),
            (b"\xc3\xc3\xa9", &[Invalid, Char('é')]),
            (b"\xe2\x82\x1b[A", &[Invalid, special(Up)]),
            (b"\xc3\r", &[Invalid, Enter]),
            // Overlong forms of '/', and of U+0800 and U+10000's neighbours.
            (b"\xc0\xaf", &[Invalid, Invalid]),
            (b"\xe0\x80\xaf", &[Invalid, Invalid, Invalid]),
            (b"\xf0\x80\x80\xaf", &[Invalid, Invalid, Invalid, Invalid]),
            (b"\xe0\x9f\xbf", &[Invalid, Invalid, Invalid]),
            (b"\xf0\x8f\xbf\xbf", &[Invalid, Invalid, Invalid, Invalid]),
            // Surrogates, and past U+10FFFF.
            (b"\xed\xa0\x80", &[Invalid, Invalid, Invalid]),
            (b"\xed\xbf\xbf", &[Invalid, Invalid, Invalid]),
            (b"\xf4\x90\x80\x80", &[Invalid, Invalid, Invalid, Invalid]),
            (b"\xf5\x80", &[Invalid, Invalid]),
            (b"\xff\xfe", &[Invalid, Invalid]),
            // Their neighbours that are characters.
            (b"\xed\x9f\xbf", &[Char('\u{d7ff}')]),
            (b"\xee\x80\x80", &[Char('\u{e000}')]),
            (b"\xf4\x8f\xbf\xbf", &[Char('\u{10ffff}')]),
            // C1 controls spelled in UTF-8 are controls, not characters to print.
            (b"\xc2\x80", &[Control(0x80)]),
            (b"\xc2\x9b", &[Control(0x9b)]),
            (b"\xc2\xa0", &[Char('\u{a0}')]),
        ];
        for &(input, keys) in cases {
            assert_eq!(keys_of(input), keys, "{input:02x?}");
            if input.iter().all(|&b| b >= 0x20) {
                assert_eq!(keys_of(input), lossy(input), "{input:02x?}");
            }
        }
    }

    /// What the standard library makes of `text` (no ESC, no C0 control): one
    /// `Invalid` for each bad run `String::from_utf8_lossy` would replace.
    fn lossy(text: &[u8]) -> Vec<Key> {
        let mut keys = Vec::new();
        for chunk in text.utf8_chunks() {
            keys.extend(chunk.valid().chars().map(|c| match c {
                '\u{80}'..='\u{9f}' => Control(c as u8),
                '\u{7f}' => Backspace,
                c => Char(c),
            }));
            if !chunk.invalid().is_empty() {
                keys.push(Invalid);
            }
        }
        keys
    }

    #[test]
    fn escape_sequences_name_their_keys() {
        #[rustfmt::skip]
        let cases: &[(&[u8], SpecialKey)] = &[
            // Arrows, in normal and in application cursor mode.
            (b"\x1b[A", Up), (b"\x1b[B", Down), (b"\x1b[C", Right), (b"\x1b[D", Left),
            (b"\x1bOA", Up), (b"\x1bOB", Down), (b"\x1bOC", Right), (b"\x1bOD", Left),
            // Home and End, the xterm, vt220 and rxvt ways.
            (b"\x1b[H", Home), (b"\x1b[F", End), (b"\x1bOH", Home), (b"\x1bOF", End),
            (b"\x1b[1~", Home), (b"\x1b[4~", End), (b"\x1b[7~", Home), (b"\x1b[8~", End),
            (b"\x1b[2~", Insert), (b"\x1b[3~", Delete),
            (b"\x1b[5~", PageUp), (b"\x1b[6~", PageDown),
            (b"\x1b[Z", BackTab),
            // F1 to F4 in SS3 (xterm), in the vt220's numbers (rxvt, PuTTY), and the
            // Linux console's F1 to F5.
            (b"\x1bOP", F(1)), (b"\x1bOQ", F(2)), (b"\x1bOR", F(3)), (b"\x1bOS", F(4)),
            (b"\x1b[11~", F(1)), (b"\x1b[12~", F(2)), (b"\x1b[13~", F(3)), (b"\x1b[14~", F(4)),
            (b"\x1b[[A", F(1)), (b"\x1b[[B", F(2)), (b"\x1b[[E", F(5)),
            // F5 to F20.
            (b"\x1b[15~", F(5)), (b"\x1b[17~", F(6)), (b"\x1b[21~", F(10)),
            (b"\x1b[23~", F(11)), (b"\x1b[24~", F(12)), (b"\x1b[26~", F(14)),
            (b"\x1b[28~", F(15)), (b"\x1b[29~", F(16)), (b"\x1b[31~", F(17)), (b"\x1b[34~", F(20)),
            // With xterm's modifiers: the key is named, the modifiers are not kept.
            (b"\x1b[1;5A", Up), (b"\x1b[1;2P", F(1)), (b"\x1b[15;8~", F(5)), (b"\x1b[3;3~", Delete),
            (b"\x1bO5P", F(1)),
            // Sequences that are no key here.
            (b"\x1b[E", Unknown), (b"\x1bOE", Unknown), (b"\x1b[16~", Unknown),
            (b"\x1b[99~", Unknown), (b"\x1b[~", Unknown), (b"\x1b[?1A", Unknown),
            (b"\x1b[1 q", Unknown), (b"\x1b[[Z", Unknown), (b"\x1b[200~", Unknown),
            (b"\x1b[99999999999999999999~", Unknown), (b"\x1bOp", Unknown),
        ];
        for &(input, key) in cases {
            for reads in every_split(input) {
                assert_eq!(keys_of_reads(&reads), [special(key)], "{reads:02x?}");
            }
        }
    }

    #[test]
    fn esc_before_anything_else_is_alt_or_esc_and_a_key() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &[Key])] = &[
            (b"\x1bx", &[Alt('x')]),
            (b"\x1bR", &[Alt('R')]),
            (b"\x1b ", &[Alt(' ')]),
            (b"\x1b~", &[Alt('~')]),
            // Cut short by time: ESC [ and ESC O are Alt, anything longer is unknown.
            (b"\x1b[", &[Alt('[')]),
            (b"\x1bO", &[Alt('O')]),
            (b"\x1b[1", &[special(Unknown)]),
            (b"\x1b[1;", &[special(Unknown)]),
            (b"\x1b[[", &[special(Unknown)]),
            // Cut short by a byte that cannot go on: the byte is the next key.
            (b"\x1b\x1b", &[Escape, Escape]),
            (b"\x1b\x1b[A", &[Escape, special(Up)]),
            (b"\x1b\r", &[Escape, Enter]),
            (b"\x1b\x7f", &[Escape, Backspace]),
            (b"\x1b\x03", &[Escape, Key::Interrupt]),
            ("\x1bé".as_bytes(), &[Escape, Char('é')]),
            (b"\x1b\xa9", &[Escape, Invalid]),
            (b"\x1b[\r", &[Alt('['), Enter]),
            (b"\x1b[\x1b[A", &[Alt('['), special(Up)]),
            (b"\x1bO\x1bOP", &[Alt('O'), special(F(1))]),
            (b"\x1b[1\x7f", &[special(Unknown), Backspace]),
            (b"\x1b[15\xc3\xa9", &[special(Unknown), Char('é')]),
            // What follows a sequence is keys again.
            (b"\x1b[Ar\x1bOPp", &[special(Up), Char('r'), special(F(1)), Char('p')]),
        ];
        for &(input, keys) in cases {
            for reads in every_split(input) {
                assert_eq!(keys_of_reads(&reads), keys, "{reads:02x?}");
            }
        }
    }

    #[test]
    fn a_lone_esc_is_esc_at_its_deadline_and_not_before() {
        let start = Instant::now();
        let mut decoder = KeyDecoder::new();
        let mut keys = Vec::new();
        assert_eq!(decoder.poll_timeout(), None);
        decoder.feed(&[ESC], start, &mut keys);
        assert!(keys.is_empty());
        assert_eq!(decoder.poll_timeout(), Some(start + KEY_TIMEOUT));
        assert_eq!(decoder.handle_timeout(start + KEY_TIMEOUT - ms(1)), None);
        assert_eq!(decoder.poll_timeout(), Some(start + KEY_TIMEOUT));
        assert_eq!(decoder.handle_timeout(start + KEY_TIMEOUT), Some(Escape));
        assert_eq!(decoder.poll_timeout(), None);
        assert_eq!(decoder.handle_timeout(start + ms(1000)), None);
    }

    #[test]
    fn esc_then_a_sequence_in_time_is_its_key_and_late_is_esc_then_keys() {
        #[rustfmt::skip]
        let cases: &[(u64, &[Key])] = &[
            (0, &[special(Up)]),
            (49, &[special(Up)]),
            (50, &[Escape, Char('['), Char('A')]),
            (500, &[Escape, Char('['), Char('A')]),
        ];
        for &(later, expected) in cases {
            let start = Instant::now();
            // Whether or not the edge woke for the deadline in between.
            for wakes in [false, true] {
                let mut decoder = KeyDecoder::new();
                let mut keys = Vec::new();
                decoder.feed(&[ESC], start, &mut keys);
                if wakes {
                    keys.extend(decoder.handle_timeout(start + ms(later)));
                }
                decoder.feed(b"[A", start + ms(later), &mut keys);
                assert_eq!(keys, expected, "{later} ms, woke: {wakes}");
                assert_eq!(decoder.poll_timeout(), None);
            }
        }
    }

    #[test]
    fn the_deadline_runs_from_a_keys_first_byte() {
        let start = Instant::now();
        let mut decoder = KeyDecoder::new();
        let mut keys = Vec::new();
        decoder.feed(b"\x1b[", start, &mut keys);
        decoder.feed(b"1", start + ms(30), &mut keys);
        assert_eq!(decoder.poll_timeout(), Some(start + KEY_TIMEOUT));
        decoder.feed(b"5~", start + ms(60), &mut keys);
        assert_eq!(keys, [special(Unknown), Char('5'), Char('~')]);
        let mut patient = KeyDecoder::with_timeout(ms(200));
        keys.clear();
        patient.feed(b"\x1b[1", start, &mut keys);
        patient.feed(b"5~", start + ms(199), &mut keys);
        assert_eq!(keys, [special(F(5))]);
    }

    #[test]
    fn a_sequence_of_any_length_is_one_key_and_memory_stays_put() {
        let size = std::mem::size_of::<KeyDecoder>();
        assert!(size <= 96, "{size} bytes");
        // The longest sequence named, then one byte longer.
        let mut longest = b"\x1b[15".to_vec();
        longest.resize(MAX_SEQUENCE - 1, b';');
        longest.push(b'~');
        assert_eq!(longest.len(), MAX_SEQUENCE);
        assert_eq!(keys_of(&longest), [special(F(5))]);
        longest.insert(4, b';');
        assert_eq!(keys_of(&longest), [special(Unknown)]);
        // An endless CSI is one key when it ends, and the stream resyncs after it.
        let mut endless = b"\x1b[".to_vec();
        endless.resize(10_000, b'1');
        endless.extend_from_slice(b"Ar");
        assert_eq!(keys_of(&endless), [special(Unknown), Char('r')]);
        for read in [1, 7, 4096] {
            let reads: Vec<&[u8]> = endless.chunks(read).collect();
            assert_eq!(keys_of_reads(&reads), [special(Unknown), Char('r')]);
        }
        // Cut short by time, it is one key too.
        assert_eq!(keys_of(&endless[..9_000]), [special(Unknown)]);
        // Endless ESCs are one Esc each, with one key at most begun.
        let escs = vec![ESC; 10_000];
        let start = Instant::now();
        let mut decoder = KeyDecoder::new();
        let mut keys = Vec::new();
        decoder.feed(&escs, start, &mut keys);
        assert_eq!(keys.len(), 9_999);
        assert!(keys.iter().all(|&key| key == Escape));
        assert_eq!(decoder.handle_timeout(start + KEY_TIMEOUT), Some(Escape));
    }

    #[test]
    fn keys_are_named_for_a_player() {
        #[rustfmt::skip]
        let cases: &[(Key, &str)] = &[
            (Char('r'), "r"), (Char('P'), "P"), (Char('é'), "é"), (Char('😀'), "😀"),
            (Char(' '), "Space"), (Enter, "Enter"), (Backspace, "Backspace"),
            (Key::Interrupt, "Ctrl-C"), (Key::EndOfInput, "Ctrl-D"),
            (Control(0x01), "Ctrl-A"), (Control(0x18), "Ctrl-X"), (Control(0x1a), "Ctrl-Z"),
            (Control(0x1c), "Ctrl-\\"), (Control(0x1f), "Ctrl-_"), (Control(0x09), "Tab"),
            (Control(0x85), "U+0085"), (Escape, "Esc"), (Alt('x'), "Alt-x"),
            (Alt(' '), "Alt-Space"),
            (special(Up), "Up"), (special(Down), "Down"), (special(Left), "Left"),
            (special(Right), "Right"), (special(Home), "Home"), (special(End), "End"),
            (special(Insert), "Insert"), (special(Delete), "Delete"),
            (special(PageUp), "Page Up"), (special(PageDown), "Page Down"),
            (special(BackTab), "Shift-Tab"), (special(F(1)), "F1"), (special(F(12)), "F12"),
            (special(Unknown), "Unknown key"), (Invalid, "Invalid character"),
        ];
        for &(key, name) in cases {
            assert_eq!(key.to_string(), name, "{key:?}");
        }
    }

    #[test]
    fn through_the_telnet_filter_keys_arrive_whole() {
        use crate::telnet::{TelnetFilter, Typed};
        // Up with a NOP inside, é, F1, Enter as CR NUL, then a lone ESC and CR LF.
        let input = b"\x1b\xff\xf1[A\xc3\xa9\x1bOP\r\0\x1b\r\n";
        let start = Instant::now();
        let mut filter = TelnetFilter::new();
        let mut decoder = KeyDecoder::new();
        let (mut typed, mut reply, mut keys) = (Vec::new(), Vec::new(), Vec::new());
        for &byte in input {
            filter.feed(&[byte], &mut typed, &mut reply);
            for typed in typed.drain(..) {
                match typed {
                    Typed::Key(b) => decoder.feed(&[b], start, &mut keys),
                    Typed::Enter => decoder.feed(b"\r", start, &mut keys),
                    other => panic!("{other:?}"),
                }
            }
        }
        let expected = [special(Up), Char('é'), special(F(1)), Enter, Escape, Enter];
        assert_eq!(keys, expected);
    }

    /// A byte stream a keyboard (or someone pretending to be one) might send.
    fn keyboard_bytes() -> impl Strategy<Value = Vec<u8>> {
        let pieces: Vec<&[u8]> = vec![
            b"\x1b",
            b"\x1b[",
            b"\x1bO",
            b"[",
            b"O",
            b"A",
            b"P",
            b"~",
            b"1",
            b"5",
            b";",
            b"\r",
            b"\n",
            b"\0",
            b"\x7f",
            b"\x03",
            b"\xc3",
            b"\xa9",
            b"\xe2\x82",
            b"\xf0\x9f",
            b"\x1b[15~",
            b"\x1bOP",
            b"\x1b[1;5A",
            b"\x1b[[A",
            "é€😀".as_bytes(),
        ];
        let piece = prop_oneof![
            3 => any::<u8>().prop_map(|b| vec![b]),
            4 => prop::sample::select(pieces).prop_map(<[u8]>::to_vec),
            1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        /// However the bytes of each moment are cut into reads, and however often the
        /// edge asks the time in between, the keys are the same.
        #[test]
        fn cuts_and_extra_wakeups_change_no_key(
            moments in prop::collection::vec((keyboard_bytes(), 0..120u64), 1..6),
            cuts in prop::collection::vec(any::<Index>(), 0..12),
        ) {
            let start = Instant::now();
            let mut whole = KeyDecoder::new();
            let mut cut = KeyDecoder::new();
            let (mut expected, mut got) = (Vec::new(), Vec::new());
            let mut now = start;
            let mut bytes = 0;
            for (input, gap) in &moments {
                now += ms(*gap);
                bytes += input.len();
                whole.feed(input, now, &mut expected);
                let mut at: Vec<usize> = cuts.iter().map(|cut| cut.index(input.len() + 1)).collect();
                at.sort_unstable();
                at.push(input.len());
                let mut from = 0;
                for to in at {
                    got.extend(cut.handle_timeout(now));
                    cut.feed(&input[from..to], now, &mut got);
                    from = to;
                }
                prop_assert_eq!(whole.poll_timeout(), cut.poll_timeout());
            }
            let later = now + ms(1000);
            expected.extend(whole.handle_timeout(later));
            got.extend(cut.handle_timeout(later));
            prop_assert_eq!(&got, &expected);
            // Every key took a byte of its own.
            prop_assert!(expected.len() <= bytes);
        }

        /// Text with no control in it decodes as the standard library reads UTF-8.
        #[test]
        fn text_decodes_as_the_standard_library_reads_it(
            text in prop::collection::vec(prop_oneof![0x20..=0x7eu8, 0x80..=0xffu8], 0..64),
            chars in prop::collection::vec(any::<char>(), 0..8),
        ) {
            let mut text = text;
            for c in chars {
                let at = text.len() / 2;
                text.splice(at..at, c.to_string().into_bytes());
            }
            text.retain(|&b| b >= 0x20);
            prop_assert_eq!(keys_of(&text), lossy(&text));
        }
    }
}
