//! The guest's side of telnet, as inetutils telnet speaks it: commands taken out of what
//! the server sends, its offers and requests answered, and its questions too: the
//! terminal type (RFC 1091) is the guest's (DUMB unless a test says, so that the tests
//! read guests' lines as words), and the user name (RFC 1572) is unset, as for
//! `TERM=dumb telnet` without `-l`. Pure: bytes in, text and replies out.
//!
//! Written from RFC 854 and RFC 855 on purpose, not shared with the server's
//! `TelnetFilter`: it is what the server is checked against, so a mistake in the
//! server's parser must not be copied into it.

use std::collections::HashSet;

/// Interpret As Command, and the commands a guest meets (RFC 854).
const IAC: u8 = 0xff;
const SE: u8 = 0xf0;
const SB: u8 = 0xfa;
const WILL: u8 = 0xfb;
const WONT: u8 = 0xfc;
const DO: u8 = 0xfd;
const DONT: u8 = 0xfe;
/// The options the server offers: echo (RFC 857) and suppress-go-ahead (RFC 858).
const ECHO: u8 = 1;
const SUPPRESS_GO_AHEAD: u8 = 3;
/// The options the server asks the client for: terminal type (RFC 1091) and
/// environment (RFC 1572).
const TERMINAL_TYPE: u8 = 24;
const NEW_ENVIRON: u8 = 39;
/// Their subnegotiations' IS and SEND, and NEW-ENVIRON's VAR.
const IS: u8 = 0;
const SEND: u8 = 1;
const VAR: u8 = 0;

/// The server's greeting: IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC DO
/// TERMINAL-TYPE, IAC DO NEW-ENVIRON.
pub const GREETING: [u8; 12] = [
    IAC,
    WILL,
    ECHO,
    IAC,
    WILL,
    SUPPRESS_GO_AHEAD,
    IAC,
    DO,
    TERMINAL_TYPE,
    IAC,
    DO,
    NEW_ENVIRON,
];

/// Where the parser is in the byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Data,
    Iac,
    Verb(u8),
    Sub,
    SubIac,
}

/// A telnet client's parser: text goes to the screen, commands are answered (or only
/// taken out, for a guest that says nothing).
#[derive(Debug)]
pub(crate) struct TelnetClient {
    /// Answer the server's offers as inetutils telnet does.
    answers: bool,
    /// Each (verb, option) is answered once: answering an answer again would loop.
    answered: HashSet<(u8, u8)>,
    syntax: Syntax,
    /// The subnegotiation being received: its option and payload, IAC IAC undone.
    sub: Vec<u8>,
    /// What it answers when asked its terminal type.
    terminal: &'static str,
}

impl TelnetClient {
    /// A client that answers offers (`answers`), or one that only strips commands.
    pub(crate) fn new(answers: bool) -> TelnetClient {
        TelnetClient {
            answers,
            answered: HashSet::new(),
            syntax: Syntax::Data,
            sub: Vec::new(),
            terminal: "DUMB",
        }
    }

    /// Takes in `bytes` from the server: text is appended to `text`, answers to `replies`.
    pub(crate) fn receive(&mut self, bytes: &[u8], text: &mut Vec<u8>, replies: &mut Vec<u8>) {
        for &b in bytes {
            self.syntax = match (self.syntax, b) {
                (Syntax::Data, IAC) => Syntax::Iac,
                (Syntax::Data, b) => {
                    text.push(b);
                    Syntax::Data
                }
                (Syntax::Iac, IAC) => {
                    text.push(IAC);
                    Syntax::Data
                }
                (Syntax::Iac, WILL | WONT | DO | DONT) => Syntax::Verb(b),
                (Syntax::Iac, SB) => {
                    self.sub.clear();
                    Syntax::Sub
                }
                (Syntax::Iac, _) => Syntax::Data,
                (Syntax::Verb(verb), option) => {
                    self.answer(verb, option, replies);
                    Syntax::Data
                }
                (Syntax::Sub, IAC) => Syntax::SubIac,
                (Syntax::Sub, b) | (Syntax::SubIac, b @ IAC) => {
                    self.sub.push(b);
                    Syntax::Sub
                }
                (Syntax::SubIac, SE) => {
                    self.subnegotiated(replies);
                    Syntax::Data
                }
                (Syntax::SubIac, _) => Syntax::Sub,
            };
        }
    }

    /// DO for the echo and SGA the server offers, DONT for other offers, WILL for its
    /// requests of the terminal type and the environment, WONT for any other: what
    /// inetutils telnet says to this server.
    fn answer(&mut self, verb: u8, option: u8, replies: &mut Vec<u8>) {
        if !self.answers || !self.answered.insert((verb, option)) {
            return;
        }
        let reply = match (verb, option) {
            (WILL, ECHO | SUPPRESS_GO_AHEAD) => DO,
            (WILL, _) => DONT,
            (DO, TERMINAL_TYPE | NEW_ENVIRON) => WILL,
            (DO, _) => WONT,
            _ => return,
        };
        replies.extend_from_slice(&[IAC, reply, option]);
    }

    /// The terminal type it reports from now on (inetutils sends `$TERM` in capitals).
    pub(crate) fn set_terminal(&mut self, terminal: &'static str) {
        self.terminal = terminal;
    }

    /// A whole subnegotiation from the server: SENDs are answered as inetutils telnet
    /// answers them with no `-l`: the terminal type, and USER with no value.
    fn subnegotiated(&mut self, replies: &mut Vec<u8>) {
        if !self.answers {
            return;
        }
        let payload: &[u8] = match self.sub[..] {
            [TERMINAL_TYPE, SEND] => self.terminal.as_bytes(),
            [NEW_ENVIRON, SEND, ..] => &[VAR, b'U', b'S', b'E', b'R'],
            _ => return,
        };
        replies.extend_from_slice(&[IAC, SB, self.sub[0], IS]);
        replies.extend_from_slice(payload);
        replies.extend_from_slice(&[IAC, SE]);
    }
}
