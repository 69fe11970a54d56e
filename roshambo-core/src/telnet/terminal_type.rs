//! Which terminal types show ANSI colour, by name: what a guest's TTYPE answer means
//! for how they are drawn. Pure: no IO.
//!
//! A name is the terminfo name (`xterm-256color`), as the client has it; inetutils
//! telnet sends it upper-cased. Only families known to do colour say yes: a terminal
//! wrongly taken for a colour one shows escape codes as text, while one wrongly taken
//! for a plain one only looks plainer.

/// Terminal families that show ANSI colour, in any of their variants (`xterm`,
/// `xterm-256color`, `xterm-kitty`, `screen.xterm-256color`).
const COLOUR_FAMILIES: &[&str] = &[
    "xterm",
    "screen",
    "tmux",
    "rxvt",
    "linux",
    "ansi",
    "putty",
    "konsole",
    "gnome",
    "alacritty",
    "kitty",
    "foot",
    "st",
    "cygwin",
    "wezterm",
    "iterm",
    "iterm2",
    "contour",
    "eterm",
    "ms-terminal",
    "vte",
    "mintty",
];

/// Variants of a colour family that are not colour: `xterm-mono`, `ansi-m`.
const MONOCHROME: &[&str] = &["mono", "m"];

/// Whether a terminal of this type shows ANSI colour (ECMA-48 SGR 30-37 at least).
///
/// Case does not matter. Unknown names are not colour, nor are `dumb`, `unknown`,
/// `network`, the empty name, or the DEC VT100 and VT220, which have no colour.
pub fn is_colour_terminal(terminal_type: &str) -> bool {
    let name = terminal_type.trim().to_ascii_lowercase();
    COLOUR_FAMILIES.iter().any(|family| {
        let Some(rest) = name.strip_prefix(family) else {
            return false;
        };
        match rest.split_at_checked(1) {
            None => true,
            Some(("-" | "." | "+", variant)) => !MONOCHROME.contains(&variant),
            Some(_) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_terminals_are_known_by_family() {
        #[rustfmt::skip]
        let cases: &[(&str, bool)] = &[
            ("xterm", true), ("XTERM", true), ("xterm-256color", true),
            ("XTERM-256COLOR", true), ("xterm-color", true), ("xterm-kitty", true),
            ("xterm-direct", true), ("screen", true), ("screen-256color", true),
            ("screen.xterm-256color", true), ("tmux-256color", true), ("rxvt", true),
            ("rxvt-unicode-256color", true), ("linux", true), ("ansi", true),
            ("putty-256color", true), ("konsole", true), ("gnome-256color", true),
            ("alacritty", true), ("kitty", true), ("foot", true), ("foot-extra", true),
            ("st", true), ("st-256color", true), ("cygwin", true), ("wezterm", true),
            ("iterm2", true), ("contour", true), ("Eterm", true), ("eterm-color", true),
            ("ms-terminal", true), ("vte-256color", true), ("mintty", true),
            (" xterm ", true),
            // Not colour, or not known to be.
            ("dumb", false), ("unknown", false), ("UNKNOWN", false), ("network", false),
            ("", false), ("vt100", false), ("VT100", false), ("vt220", false),
            ("vt52", false), ("xterm-mono", false), ("ansi-m", false),
            ("stv", false), ("xtermish", false), ("screensaver", false),
            ("linuxconsole", false), ("hp2621", false), ("emacs", false),
            ("é", false),
        ];
        for &(name, colour) in cases {
            assert_eq!(is_colour_terminal(name), colour, "{name:?}");
        }
    }
}
