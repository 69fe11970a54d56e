//! Colour for results: a win, a loss and a tie each have their own, from the side of
//! whoever reads the line. Pure: text in, text with ANSI escapes out.
//!
//! The escapes go around a whole line, never inside its words, so a line read with the
//! escapes stripped is the line as it would be said without colour (the seed's lines
//! among them). Whether a reader sees colour is decided elsewhere: for a guest by their
//! terminal type and the `c` key, for the host by the console's own terminal.

use anstyle::{AnsiColor, Style};

/// How a line reads to whoever it is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Their win.
    Won,
    /// Their loss.
    Lost,
    /// Nobody's.
    Even,
}

impl Tone {
    fn style(self) -> Style {
        let colour = match self {
            Tone::Won => AnsiColor::Green,
            Tone::Lost => AnsiColor::Red,
            Tone::Even => AnsiColor::Yellow,
        };
        Style::new().fg_color(Some(colour.into())).bold()
    }
}

/// `text` in the colour of `tone`, reset at its end.
pub fn paint(tone: Tone, text: &str) -> String {
    let style = tone.style();
    format!("{style}{text}{style:#}")
}

/// What a terminal shows of a painted line: the line with its escapes (`ESC [ ... m`)
/// taken out. For tests, which read lines as words.
#[cfg(test)]
pub(crate) fn strip(painted: &str) -> String {
    let mut plain = String::new();
    let mut chars = painted.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI ... final byte.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tone_has_its_own_colour_around_the_whole_line() {
        let painted: Vec<String> = [Tone::Won, Tone::Lost, Tone::Even]
            .into_iter()
            .map(|tone| paint(tone, "Player 1 wins!"))
            .collect();
        assert_eq!(painted[0], "\u{1b}[1m\u{1b}[32mPlayer 1 wins!\u{1b}[0m");
        assert_ne!(painted[0], painted[1]);
        assert_ne!(painted[1], painted[2]);
        for line in &painted {
            assert!(line.starts_with('\u{1b}') && line.ends_with("\u{1b}[0m"));
            assert_eq!(strip(line), "Player 1 wins!");
        }
    }
}
