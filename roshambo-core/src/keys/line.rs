//! A line-mode client's keys, as the game should hear them: a client that never spoke
//! telnet (netcat) sends whole lines, so a line `paper` is paper, not five keys of which
//! the last `r` was rock. Pure: no IO, no clock, and fixed in size whatever it is fed.
//!
//! # What a line means
//!
//! The line is judged when Enter comes, trimmed of spaces and tabs at both ends, and
//! with ASCII letters folded to lower case:
//!
//! | line | the game hears |
//! |---|---|
//! | `r`, `rock` | `Key::Char('r')` |
//! | `p`, `paper` | `Key::Char('p')` |
//! | `s`, `scissors` | `Key::Char('s')` |
//! | `help` | `Key::Char('?')`: the help key, for a guest who guesses the word |
//! | `yes`, `no` | `Key::Char('y')`, `Key::Char('n')`: the answers to `Play again?` |
//! | any other one printable ASCII character (`?`, `x`) | that key, as if pressed alone: the table gives help for `?` and says `Invalid key` for `x` |
//! | empty, or only spaces | nothing: Enter is never a key |
//! | anything else (`paperr`, `rock paper`, `é`, an arrow's escape sequence) | one [`Key::Invalid`]: one `Invalid key` per line, however long |
//!
//! Backspace takes back the last key of the line (a terminal in cooked mode edits the
//! line itself and sends no Backspace; a raw one does). Only ASCII is folded: `ROC` and
//! then the Kelvin sign (U+212A, whose lower case is `k`) is no rock.
//!
//! # Bounded
//!
//! The longest word is 8 characters; [`MAX_LINE`] are kept, and past that a line only
//! counts how long it has grown (Backspace still takes the count back first), so a
//! client sending megabytes without Enter costs a counter, and its line can only be
//! invalid. What a line costs in time is the key rate's business: the edge judges each
//! key *typed* by the rate before it gets here, so a flood without Enter is warned and
//! dropped exactly as in character mode.
//!
//! # How the table uses it
//!
//! Every key a client in line mode types (once the guest's reader has let the key rate
//! judge it) goes to [`TypedLine::press`], Enter included, and what comes back is what
//! the guest pressed. Ctrl-C and Ctrl-D end the visit in any mode: they come back at
//! once and the line is dropped. (A name is typed at the door before this: see
//! [`crate::game::names`].)

use crate::keys::Key;

/// How many characters of a line are kept: the longest word with room to spare for the
/// spaces around it. A longer line can only be an invalid one.
pub const MAX_LINE: usize = 32;

/// What a kept character that can be no part of a word is stored as: a character that is
/// not printable ASCII, or a key that is no character (an arrow, Esc, a control).
const NO_WORD: u8 = 0;

/// The line a line-mode guest is typing.
#[derive(Clone, Debug)]
pub struct TypedLine {
    /// The line's first characters: printable ASCII as typed, a tab as a tab, anything
    /// else as [`NO_WORD`].
    kept: [u8; MAX_LINE],
    /// How many of `kept` are on the line.
    len: usize,
    /// How many characters are on the line past the kept ones.
    beyond: usize,
}

impl Default for TypedLine {
    fn default() -> TypedLine {
        TypedLine::new()
    }
}

impl TypedLine {
    /// An empty line.
    pub fn new() -> TypedLine {
        TypedLine {
            kept: [NO_WORD; MAX_LINE],
            len: 0,
            beyond: 0,
        }
    }

    /// Takes one key typed; returns what the game should hear of it, if anything: the
    /// line's meaning on Enter, Ctrl-C and Ctrl-D at once, and nothing for a key that only
    /// edits the line.
    pub fn press(&mut self, key: Key) -> Option<Key> {
        match key {
            Key::Enter => self.finish(),
            Key::Interrupt | Key::EndOfInput => {
                self.clear();
                Some(key)
            }
            Key::Backspace => {
                self.take_back();
                None
            }
            Key::Char(c) if c.is_ascii_graphic() || c == ' ' => {
                self.push(c as u8);
                None
            }
            Key::Control(b'\t') => {
                self.push(b'\t');
                None
            }
            _ => {
                self.push(NO_WORD);
                None
            }
        }
    }

    /// Whether nothing has been typed on the line since the last Enter.
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.beyond == 0
    }

    /// Ends the line: what it means, and a new line begun.
    fn finish(&mut self) -> Option<Key> {
        let overlong = self.beyond > 0;
        let mut line = self.kept;
        let line = &mut line[..self.len];
        self.clear();
        if overlong {
            return Some(Key::Invalid);
        }
        line.make_ascii_lowercase();
        let word = line.trim_ascii();
        let key = match word {
            [] => return None,
            b"r" | b"rock" => 'r',
            b"p" | b"paper" => 'p',
            b"s" | b"scissors" => 's',
            b"help" => '?',
            b"yes" => 'y',
            b"no" => 'n',
            &[c] if c.is_ascii_graphic() => char::from(c),
            _ => return Some(Key::Invalid),
        };
        Some(Key::Char(key))
    }

    fn push(&mut self, b: u8) {
        match self.kept.get_mut(self.len) {
            Some(slot) if self.beyond == 0 => {
                *slot = b;
                self.len += 1;
            }
            _ => self.beyond = self.beyond.saturating_add(1),
        }
    }

    fn take_back(&mut self) {
        if self.beyond > 0 {
            self.beyond -= 1;
        } else {
            self.len = self.len.saturating_sub(1);
        }
    }

    fn clear(&mut self) {
        self.len = 0;
        self.beyond = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyDecoder;
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    /// What the game hears from a line-mode client that sent `bytes` (through the key
    /// decoder, as the reader does; a key cut short at the end is settled).
    fn heard(bytes: &[u8]) -> Vec<Key> {
        let start = Instant::now();
        let mut decoder = KeyDecoder::new();
        let mut keys = Vec::new();
        decoder.feed(bytes, start, &mut keys);
        keys.extend(decoder.handle_timeout(start + Duration::from_secs(1)));
        let mut line = TypedLine::new();
        keys.into_iter().filter_map(|key| line.press(key)).collect()
    }

    const R: Key = Key::Char('r');
    const P: Key = Key::Char('p');
    const S: Key = Key::Char('s');

    #[test]
    fn every_word_in_any_case_and_with_spaces_around_is_its_move() {
        let words: &[(&str, Key)] = &[
            ("r", R),
            ("rock", R),
            ("p", P),
            ("paper", P),
            ("s", S),
            ("scissors", S),
        ];
        for &(word, key) in words {
            let upper = word.to_uppercase();
            let mut title = word.to_string();
            title[..1].make_ascii_uppercase();
            let mixed: String = word
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            for spelled in [word.to_string(), upper, title, mixed] {
                for around in [
                    format!("{spelled}\n"),
                    format!("  {spelled}  \n"),
                    format!("\t{spelled}\t \n"),
                    format!("{spelled} \r\n"),
                ] {
                    assert_eq!(heard(around.as_bytes()), [key], "{around:?}");
                }
            }
        }
    }

    #[test]
    fn enter_however_spelled_ends_the_line_once() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &[Key])] = &[
            // netcat on a terminal: LF.
            (b"paper\n", &[P]),
            // CR LF (a Windows client, or telnet's spelling), CR alone, CR NUL.
            (b"paper\r\n", &[P]),
            (b"paper\r", &[P]),
            (b"paper\r\0", &[P]),
            // Several lines in one read, each heard in turn.
            (b"rock\npaper\r\nscissors\r", &[R, P, S]),
            // Nothing until Enter: a line without one is still being typed.
            (b"paper", &[]),
        ];
        for &(bytes, expected) in cases {
            assert_eq!(heard(bytes), expected, "{bytes:?}");
        }
    }

    #[test]
    fn empty_lines_are_nothing_and_other_lines_one_invalid_key() {
        use Key::{Char, Invalid};
        #[rustfmt::skip]
        let cases: &[(&str, &[Key])] = &[
            ("\n", &[]),
            ("\n\n\r\n\r", &[]),
            ("   \n", &[]),
            ("\t \t\n", &[]),
            ("paperr\n", &[Invalid]),
            ("rock paper\n", &[Invalid]),
            ("r p\n", &[Invalid]),
            ("pap er\n", &[Invalid]),
            ("rocks\n", &[Invalid]),
            ("banana\n", &[Invalid]),
            ("rr\n", &[Invalid]),
            ("ro\n", &[Invalid]),
            ("12\n", &[Invalid]),
            // One printable character is that key: the table knows `?` is help and says
            // `Invalid key` for the rest.
            ("?\n", &[Char('?')]),
            ("x\n", &[Char('x')]),
            ("X\n", &[Char('x')]),
            (" 1 \n", &[Char('1')]),
            ("help\n", &[Char('?')]),
            ("yes\n", &[Char('y')]),
            (" NO \n", &[Char('n')]),
            ("HELP\n", &[Char('?')]),
            // UTF-8: no word, whatever it looks like.
            ("é\n", &[Invalid]),
            ("rocké\n", &[Invalid]),
            ("ｒｏｃｋ\n", &[Invalid]),
            ("roc\u{212a}\n", &[Invalid]),
            ("ROC\u{212a}\n", &[Invalid]),
            ("😀\n", &[Invalid]),
            // Keys that are no characters spoil a line: an arrow, Esc, Alt-r, a control.
            ("r\x1b[A\n", &[Invalid]),
            ("\x1b[Ar\n", &[Invalid]),
            ("\x1br\n", &[Invalid]),
            ("\x1b\n", &[Invalid]),
            ("r\x01\n", &[Invalid]),
            ("rock\u{fffd}\n", &[Invalid]),
        ];
        for &(text, expected) in cases {
            assert_eq!(heard(text.as_bytes()), expected, "{text:?}");
        }
        // Bytes that are no UTF-8 at all.
        assert_eq!(heard(b"rock\xff\n"), [Invalid]);
        assert_eq!(heard(b"\xc3\n"), [Invalid]);
    }

    #[test]
    fn backspace_edits_the_line() {
        #[rustfmt::skip]
        let cases: &[(&[u8], &[Key])] = &[
            // DEL and BS alike.
            (b"rocx\x7fk\n", &[R]),
            (b"x\x08p\n", &[P]),
            (b"paperr\x7f\n", &[P]),
            (b"rock\x7f\x7f\x7f\x7fscissors\n", &[S]),
            // On an empty line it does nothing, and the line stays empty.
            (b"\x7f\x7f\n", &[]),
            (b"\x7f\x7fs\n", &[S]),
            (b"r\x7f\n", &[]),
            // It takes back a key that is no character too.
            (b"\x1b[Ap\x7f\x7fp\n", &[P]),
            // Not across lines: Enter has sent the line.
            (b"r\n\x7fp\n", &[R, P]),
        ];
        for &(bytes, expected) in cases {
            assert_eq!(heard(bytes), expected, "{bytes:?}");
        }
    }

    #[test]
    fn a_line_of_any_length_is_one_invalid_key_and_memory_stays_put() {
        let size = std::mem::size_of::<TypedLine>();
        assert!(size <= 64, "{size} bytes");
        // The longest line kept, then one longer.
        let mut longest = vec![b' '; MAX_LINE - 4];
        longest.extend_from_slice(b"rock\n");
        assert_eq!(heard(&longest), [R]);
        longest.insert(0, b' ');
        assert_eq!(heard(&longest), [Key::Invalid]);
        // 10,000 characters, then Enter: one key; and the next line is heard as usual.
        let mut flood = vec![b'r'; 10_000];
        flood.extend_from_slice(b"\npaper\n");
        assert_eq!(heard(&flood), [Key::Invalid, P]);
        // Taken back all but one, character by character: the line is that one.
        let mut taken_back = vec![b'x'; 10_000];
        taken_back.extend(std::iter::repeat_n(0x7f, 9_999));
        taken_back.push(b'\n');
        assert_eq!(heard(&taken_back), [Key::Char('x')]);
        // Taken back past its kept part, a word fits again.
        let mut long = vec![b'x'; MAX_LINE + 8];
        long.extend(std::iter::repeat_n(0x7f, MAX_LINE + 8));
        long.extend_from_slice(b"scissors\n");
        assert_eq!(heard(&long), [S]);
    }

    #[test]
    fn ctrl_c_and_ctrl_d_come_out_at_once_and_drop_the_line() {
        let mut line = TypedLine::new();
        for key in [Key::Interrupt, Key::EndOfInput] {
            for c in "pap".chars() {
                assert_eq!(line.press(Key::Char(c)), None);
            }
            assert!(!line.is_empty());
            assert_eq!(line.press(key), Some(key));
            assert!(line.is_empty());
            assert_eq!(line.press(Key::Enter), None);
        }
        // As the decoder reads them from a netcat line.
        assert_eq!(heard(b"pap\x03er\n"), [Key::Interrupt, Key::Invalid]);
        assert_eq!(heard(b"pap\x04"), [Key::EndOfInput]);
    }

    proptest! {
        /// Whatever is typed, the game hears at most one key per Enter (or per Ctrl-C and
        /// Ctrl-D), never Enter itself, and only the moves' keys, the help key, a single
        /// printable character or Invalid.
        #[test]
        fn at_most_one_key_per_line(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let start = Instant::now();
            let mut decoder = KeyDecoder::new();
            let mut keys = Vec::new();
            decoder.feed(&bytes, start, &mut keys);
            keys.extend(decoder.handle_timeout(start + Duration::from_secs(1)));
            let ends = keys
                .iter()
                .filter(|key| matches!(key, Key::Enter | Key::Interrupt | Key::EndOfInput))
                .count();
            let mut line = TypedLine::new();
            let heard: Vec<Key> = keys.into_iter().filter_map(|key| line.press(key)).collect();
            prop_assert!(heard.len() <= ends);
            for key in heard {
                let allowed = match key {
                    Key::Char(c) => c.is_ascii_graphic() && !c.is_ascii_uppercase(),
                    Key::Invalid | Key::Interrupt | Key::EndOfInput => true,
                    _ => false,
                };
                prop_assert!(allowed, "{:?}", key);
            }
        }
    }
}
