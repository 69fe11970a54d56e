//! Players' names: what makes a good one, and the line a guest types it on. Pure: no IO,
//! no clock, and fixed in size whatever a guest types.
//!
//! # What a name may be
//!
//! One to [`MAX_NAME`] characters, each a letter or a digit in any script (as Unicode
//! defines them: `alice`, `José`, `Zoë`, `李雷`, `Ω-7`) or one of `-`, `_`, `.`. No
//! spaces, punctuation, symbols, emoji or control characters: a name is shown inside
//! other lines and must read as one word, and it must never carry a terminal's escape
//! sequence to anyone. A combining accent typed as a character of its own (decomposed
//! `é`) is no letter, so such a name is refused with the character named; terminals and
//! telnet clients send the composed form.
//!
//! Names are compared without case (`Alice` and `alice` are one name, in any script),
//! so that two players cannot pass for each other by a capital. `host` is the host's;
//! names that begin with `guest-` are kept for the names given to guests who choose
//! none, so that a given name is never taken.
//!
//! Look-alike letters of different scripts (a Cyrillic `а` for a Latin `a`) are
//! different names: telling them apart would need Unicode's confusables tables, and a
//! table of friends is not where impostors are expected.

use crate::game::GuestId;
use crate::keys::Key;
use std::fmt;

/// The longest name, in characters.
pub const MAX_NAME: usize = 16;

/// Characters of a name being typed that are kept: past this a name can only be too
/// long, and the entry only counts.
const KEPT: usize = 2 * MAX_NAME;

/// The name the host goes by, which no guest may take.
pub const HOST_NAME: &str = "host";

/// How the names given to guests who choose none begin.
const GIVEN_PREFIX: &str = "guest-";

/// Why a name was refused, said to the guest in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    TooLong {
        chars: usize,
    },
    /// The first character that may not be in a name.
    BadCharacter(char),
    /// `host`, or a name of the form given to guests.
    Reserved,
    /// Another guest connected now has it.
    Taken,
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::TooLong { chars } => write!(
                f,
                "That name is {chars} characters long; a name has at most {MAX_NAME}."
            ),
            NameProblem::BadCharacter(c) if c.is_whitespace() => f.write_str(
                "A name is one word: letters, digits, - _ and . only, with no spaces.",
            ),
            NameProblem::BadCharacter(c) if c.is_control() || !is_printable(*c) => f.write_str(
                "A name has letters, digits, - _ and . only; it had a character that cannot be shown.",
            ),
            NameProblem::BadCharacter(c) => write!(
                f,
                "A name has letters, digits, - _ and . only, not '{c}'."
            ),
            NameProblem::Reserved => {
                f.write_str("That name is kept for the host and for guests without one.")
            }
            NameProblem::Taken => f.write_str("Someone here already has that name."),
        }
    }
}

/// A character safe to show inside a line of text: not a control, and not one of the
/// format or separator characters that move or hide text.
fn is_printable(c: char) -> bool {
    !c.is_control()
        && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// Whether `c` may be in a name.
fn name_character(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The form names are compared in: without case.
pub fn folded(name: &str) -> String {
    name.to_lowercase()
}

/// Checks `name` as typed, all but whether it is taken (the table knows who is here).
pub fn check(name: &str) -> Result<(), NameProblem> {
    let chars = name.chars().count();
    if let Some(bad) = name.chars().find(|&c| !name_character(c)) {
        return Err(NameProblem::BadCharacter(bad));
    }
    if chars > MAX_NAME {
        return Err(NameProblem::TooLong { chars });
    }
    let folded = folded(name);
    if folded == HOST_NAME || folded.starts_with(GIVEN_PREFIX) {
        return Err(NameProblem::Reserved);
    }
    Ok(())
}

/// The name given to a guest who chose none: unique because their number is.
pub fn given(guest: GuestId) -> String {
    format!("{GIVEN_PREFIX}{}", guest.0)
}

/// What a key typed at the name prompt did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typing {
    /// The character went on the line: echo it.
    Added(char),
    /// The last character came off the line: rub it out.
    RubbedOut,
    /// Enter: the line as typed, trimmed (empty if nothing was).
    Done(String),
    /// Enter, on a line longer than could be kept: `chars` were typed.
    Overlong { chars: usize },
    /// Nothing happened (a key that is no part of a name's line, or Backspace on an
    /// empty line).
    Nothing,
}

/// The line a guest types their name on, with the editing a terminal in cooked mode
/// would do: Backspace (and DEL) takes back a character, Enter ends it.
///
/// Bounded: [`KEPT`] characters are kept, and past that the entry only counts how many
/// more there were, so that it can still say how long the name was.
#[derive(Clone, Debug, Default)]
pub struct NameEntry {
    kept: String,
    /// Characters typed past the kept ones.
    beyond: usize,
}

impl NameEntry {
    pub fn new() -> NameEntry {
        NameEntry::default()
    }

    /// Takes one key typed at the prompt.
    pub fn press(&mut self, key: Key) -> Typing {
        match key {
            Key::Enter => {
                let beyond = std::mem::take(&mut self.beyond);
                let line = std::mem::take(&mut self.kept);
                match beyond {
                    0 => Typing::Done(line.trim().to_string()),
                    _ => Typing::Overlong {
                        chars: line.chars().count() + beyond,
                    },
                }
            }
            Key::Backspace if self.beyond > 0 => {
                self.beyond -= 1;
                Typing::Nothing
            }
            Key::Backspace => match self.kept.pop() {
                Some(_) => Typing::RubbedOut,
                None => Typing::Nothing,
            },
            Key::Char(c) if self.kept.chars().count() < KEPT => {
                self.kept.push(c);
                if is_printable(c) {
                    Typing::Added(c)
                } else {
                    Typing::Nothing
                }
            }
            Key::Char(_) => {
                self.beyond = self.beyond.saturating_add(1);
                Typing::Nothing
            }
            // A tab or a space typed by a raw terminal is no part of a name, but the
            // guest should see the line refused, not the key swallowed.
            Key::Control(b'\t') => self.press(Key::Char(' ')),
            _ => Typing::Nothing,
        }
    }

    /// Whether nothing is on the line.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.beyond == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_in_any_script() {
        for name in [
            "alice",
            "Bob",
            "r2-d2",
            "x_y.z",
            "José",
            "Zoë",
            "李雷",
            "Ω-7",
            "a",
            "abcdefghijklmnop",
        ] {
            assert_eq!(check(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn bad_names_each_get_their_reason() {
        let cases = [
            ("abcdefghijklmnopq", NameProblem::TooLong { chars: 17 }),
            ("two words", NameProblem::BadCharacter(' ')),
            ("al!ce", NameProblem::BadCharacter('!')),
            ("Robert'); DROP", NameProblem::BadCharacter('\'')),
            ("\u{1b}[31mred", NameProblem::BadCharacter('\u{1b}')),
            ("smile😀", NameProblem::BadCharacter('😀')),
            ("e\u{301}", NameProblem::BadCharacter('\u{301}')),
            ("host", NameProblem::Reserved),
            ("HOST", NameProblem::Reserved),
            ("guest-7", NameProblem::Reserved),
            ("Guest-x", NameProblem::Reserved),
        ];
        for (name, problem) in cases {
            assert_eq!(check(name), Err(problem), "{name:?}");
        }
        // A guest named "guest" or "hostess" is no one else.
        assert_eq!(check("guest"), Ok(()));
        assert_eq!(check("hostess"), Ok(()));
    }

    #[test]
    fn reasons_are_one_line_and_never_echo_what_cannot_be_shown() {
        let escape = NameProblem::BadCharacter('\u{1b}').to_string();
        assert!(!escape.contains('\u{1b}'), "{escape:?}");
        let hidden = NameProblem::BadCharacter('\u{202e}').to_string();
        assert!(!hidden.contains('\u{202e}'), "{hidden:?}");
        for problem in [
            NameProblem::TooLong { chars: 40 },
            NameProblem::BadCharacter('!'),
            NameProblem::Reserved,
            NameProblem::Taken,
        ] {
            assert!(!problem.to_string().contains('\n'));
        }
    }

    #[test]
    fn names_compare_without_case() {
        assert_eq!(folded("ALICE"), folded("alice"));
        assert_eq!(folded("ZOË"), folded("zoë"));
    }

    #[test]
    fn given_names_are_reserved_so_never_taken() {
        let name = given(GuestId(7));
        assert_eq!(name, "guest-7");
        assert_eq!(check(&name), Err(NameProblem::Reserved));
    }

    fn typed(keys: &[Key]) -> Vec<Typing> {
        let mut entry = NameEntry::new();
        keys.iter().map(|&k| entry.press(k)).collect()
    }

    #[test]
    fn typing_backspace_and_enter() {
        use Key::{Backspace, Char, Enter};
        assert_eq!(
            typed(&[Char('a'), Char('l'), Char('x'), Backspace, Char('i'), Enter]),
            [
                Typing::Added('a'),
                Typing::Added('l'),
                Typing::Added('x'),
                Typing::RubbedOut,
                Typing::Added('i'),
                Typing::Done("ali".to_string()),
            ]
        );
        assert_eq!(
            typed(&[Backspace, Enter]),
            [Typing::Nothing, Typing::Done(String::new())]
        );
        // Spaces around a name (netcat users type them) are no part of it.
        assert_eq!(
            typed(&[Char(' '), Char('b'), Char(' '), Enter])[3],
            Typing::Done("b".to_string())
        );
        // Keys that are no characters are ignored.
        assert_eq!(
            typed(&[Key::Escape, Key::Control(1), Enter]),
            [
                Typing::Nothing,
                Typing::Nothing,
                Typing::Done(String::new())
            ]
        );
    }

    #[test]
    fn a_flood_without_enter_costs_a_counter_and_still_reads_as_too_long() {
        let mut entry = NameEntry::new();
        for _ in 0..100_000 {
            entry.press(Key::Char('a'));
        }
        assert!(entry.kept.len() <= KEPT);
        assert_eq!(entry.press(Key::Enter), Typing::Overlong { chars: 100_000 });
        assert!(entry.is_empty());
        // Backspace takes back the uncounted first, then the kept.
        let mut entry = NameEntry::new();
        for _ in 0..KEPT + 2 {
            entry.press(Key::Char('a'));
        }
        assert_eq!(entry.press(Key::Backspace), Typing::Nothing);
        assert_eq!(entry.press(Key::Backspace), Typing::Nothing);
        assert_eq!(entry.press(Key::Backspace), Typing::RubbedOut);
        assert!(!entry.is_empty());
    }
}
