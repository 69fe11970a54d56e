//! What a guest's client says about itself when the greeting asks: its terminal type
//! (TTYPE, RFC 1091) and the user name `telnet -l alice` gives it (NEW-ENVIRON, RFC
//! 1572, the variable USER). The questions we send, the answers' payloads kept within
//! a fixed size, read, and held until polled. Pure: no IO.
//!
//! What real clients answer the greeting (Debian 12, inetutils 2.4 and busybox 1.35,
//! `TERM=xterm`; hex, after their `ff fd 01 ff fd 03`):
//!
//! | client | it says | to our SENDs |
//! |---|---|---|
//! | inetutils | `ff fb 18 ff fb 27` | `ff fa 18 00 "XTERM" ff f0`, `ff fa 27 00 00 "USER" ff f0` (USER with no value) |
//! | inetutils `-l alice` | `ff fb 18 ff fb 27` | `ff fa 18 00 "XTERM" ff f0`, `ff fa 27 00 00 "USER" 01 "alice" ff f0` |
//! | inetutils, no `TERM` | `ff fb 18 ff fb 27` | `ff fa 18 00 "UNKNOWN" ff f0`, USER with no value |
//! | busybox | `ff fb 18 ff fc 27` | `ff fa 18 00 "xterm" ff f0` |
//! | busybox `-l alice` | `ff fb 18 ff fb 27` | `ff fa 18 00 "xterm" ff f0`, `ff fa 27 00 00 "USER" 01 "alice" ff f0` |
//! | busybox, no `TERM` | `ff fc 18 ff fc 27` | nothing |
//!
//! inetutils upper-cases the terminal type, busybox does not; busybox offers
//! NEW-ENVIRON only with `-l`. Both stay in character mode with local echo off.

use super::{IAC, NEW_ENVIRON, SB, SE, TTYPE};

/// What a guest's telnet client said about itself when asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Told {
    /// Its terminal type (TTYPE IS), e.g. "XTERM-256COLOR".
    TerminalType(String),
    /// The user name it sent (NEW-ENVIRON USER, as `telnet -l alice` sends), or `None`
    /// when it refused NEW-ENVIRON or sent no USER.
    User(Option<String>),
}

/// TTYPE's and NEW-ENVIRON's IS and SEND (RFC 1091, RFC 1572).
const IS: u8 = 0;
const SEND: u8 = 1;
/// NEW-ENVIRON's type codes (RFC 1572).
const VAR: u8 = 0;
const VALUE: u8 = 1;
const ESC: u8 = 2;
const USERVAR: u8 = 3;

/// IAC SB TTYPE SEND IAC SE: "what is your terminal type?"
const TTYPE_SEND: [u8; 6] = [IAC, SB, TTYPE, SEND, IAC, SE];

/// IAC SB NEW-ENVIRON SEND VAR "USER" IAC SE: "what is your USER?", and nothing else
/// of the environment.
const ENVIRON_SEND: [u8; 11] = [
    IAC,
    SB,
    NEW_ENVIRON,
    SEND,
    VAR,
    b'U',
    b'S',
    b'E',
    b'R',
    IAC,
    SE,
];

/// The subnegotiation that asks the client for what `option` tells (nothing for an
/// option we never ask about).
pub(super) fn ask_to_send(option: u8) -> &'static [u8] {
    match option {
        TTYPE => &TTYPE_SEND,
        NEW_ENVIRON => &ENVIRON_SEND,
        _ => &[],
    }
}

/// The question a subnegotiation of `option` answers, for the options whose payload
/// the filter keeps (TTYPE and NEW-ENVIRON).
pub(super) fn question(option: u8) -> Option<Question> {
    match option {
        TTYPE => Some(Question::TerminalType),
        NEW_ENVIRON => Some(Question::User),
        _ => None,
    }
}

/// How many payload bytes are kept: RFC 1010 names are at most 40 characters, and
/// `USER` and a login name fit many times over. A longer payload is no answer we use.
pub(super) const KEPT: usize = 64;

/// A subnegotiation's payload (the bytes after the option), IAC IAC undone, kept up to
/// [`KEPT`] bytes: a client that never ends it costs no memory.
#[derive(Clone, Debug)]
pub(super) struct Payload {
    bytes: [u8; KEPT],
    len: u8,
    overflowed: bool,
}

impl Payload {
    pub(super) const fn new() -> Payload {
        Payload {
            bytes: [0; KEPT],
            len: 0,
            overflowed: false,
        }
    }

    pub(super) fn clear(&mut self) {
        (self.len, self.overflowed) = (0, false);
    }

    pub(super) fn push(&mut self, b: u8) {
        match self.bytes.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
            }
            None => self.overflowed = true,
        }
    }

    fn kept(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// A question the greeting asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Question {
    TerminalType = 0,
    User = 1,
}

/// What a complete subnegotiation of `option` answers, if it is an answer: which
/// question, and what there is to tell (`None`: answered, but with nothing usable).
///
/// Only IS answers. NEW-ENVIRON's INFO (2) tells of a change since an answer; as the
/// first answer counts, it changes nothing.
pub(super) fn answer(option: u8, payload: &Payload) -> Option<(Question, Option<Told>)> {
    let (&IS, rest) = payload.kept().split_first()? else {
        return None;
    };
    let rest = (!payload.overflowed).then_some(rest);
    match option {
        TTYPE => Some((
            Question::TerminalType,
            rest.filter(|name| !name.is_empty())
                .map(|name| Told::TerminalType(String::from_utf8_lossy(name).into_owned())),
        )),
        NEW_ENVIRON => Some((Question::User, Some(Told::User(rest.and_then(user))))),
        _ => None,
    }
}

/// The value of the well-known variable USER in a NEW-ENVIRON list (after IS), if it
/// has one that is not empty. A user variable (USERVAR) named USER is another thing.
fn user(mut list: &[u8]) -> Option<String> {
    while let Some((&kind, rest)) = list.split_first() {
        let (name, rest) = unescape(rest);
        let (value, rest) = match rest.split_first() {
            Some((&VALUE, rest)) => {
                let (value, rest) = unescape(rest);
                (Some(value), rest)
            }
            _ => (None, rest),
        };
        if kind == VAR && name == b"USER" {
            return value
                .filter(|value| !value.is_empty())
                .map(|value| String::from_utf8_lossy(&value).into_owned());
        }
        list = rest;
    }
    None
}

/// A name or value of a NEW-ENVIRON list, up to the next type code, ESC undone; and
/// what follows it.
fn unescape(mut bytes: &[u8]) -> (Vec<u8>, &[u8]) {
    let mut out = Vec::new();
    while let Some((&b, rest)) = bytes.split_first() {
        match b {
            VAR | VALUE | USERVAR => break,
            ESC => {
                if let Some((&escaped, rest)) = rest.split_first() {
                    out.push(escaped);
                    bytes = rest;
                    continue;
                }
            }
            _ => out.push(b),
        }
        bytes = rest;
    }
    (out, bytes)
}

/// What the client has told, waiting to be polled, and which questions it has
/// answered: only its first answer to each counts.
#[derive(Clone, Debug, Default)]
pub(super) struct Answers {
    settled: [bool; 2],
    /// Oldest first; one per question at most.
    news: [Option<Told>; 2],
}

impl Answers {
    pub(super) fn is_settled(&self, question: Question) -> bool {
        self.settled[question as usize]
    }

    /// Takes `told` as the answer to `question`, unless it had one.
    pub(super) fn settle(&mut self, question: Question, told: Option<Told>) {
        if std::mem::replace(&mut self.settled[question as usize], true) {
            return;
        }
        if let Some(told) = told {
            let slot = if self.news[0].is_none() { 0 } else { 1 };
            self.news[slot] = Some(told);
        }
    }

    pub(super) fn poll(&mut self) -> Option<Told> {
        let first = self.news[0].take();
        self.news[0] = self.news[1].take();
        first.or_else(|| self.news[0].take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(bytes: &[u8]) -> Payload {
        let mut payload = Payload::new();
        for &b in bytes {
            payload.push(b);
        }
        payload
    }

    /// What [`answer`] says.
    type Answer = Option<(Question, Option<Told>)>;

    fn user_named(name: &str) -> Answer {
        Some((Question::User, Some(Told::User(Some(name.to_owned())))))
    }

    const NO_USER: Answer = Some((Question::User, Some(Told::User(None))));

    #[test]
    fn answers_are_read_as_the_rfcs_say() {
        let long_name = [b'x'; KEPT];
        #[rustfmt::skip]
        let cases: &[(u8, &[u8], Answer)] = &[
            (TTYPE, b"\x00XTERM", Some((Question::TerminalType, Some(Told::TerminalType("XTERM".into()))))),
            (TTYPE, b"\x00xterm-256color", Some((Question::TerminalType, Some(Told::TerminalType("xterm-256color".into()))))),
            // Not ASCII: kept, lossily.
            (TTYPE, b"\x00t\xe9", Some((Question::TerminalType, Some(Told::TerminalType("t\u{fffd}".into()))))),
            (TTYPE, b"\x00", Some((Question::TerminalType, None))),
            // A name too long to be one: answered, nothing to tell.
            (TTYPE, &[&[IS][..], &long_name].concat(), Some((Question::TerminalType, None))),
            // SEND, or nothing at all, is no answer.
            (TTYPE, b"\x01", None),
            (TTYPE, b"", None),
            (NEW_ENVIRON, b"\x00\x00USER\x01alice", user_named("alice")),
            (NEW_ENVIRON, b"\x00\x00USER", NO_USER),
            (NEW_ENVIRON, b"\x00\x00USER\x01", NO_USER),
            (NEW_ENVIRON, b"\x00", NO_USER),
            (NEW_ENVIRON, b"\x00\x00DISPLAY\x01:0\x00USER\x01bob\x03USER\x01x", user_named("bob")),
            // A user variable named USER is not the well-known USER.
            (NEW_ENVIRON, b"\x00\x03USER\x01mallory", NO_USER),
            (NEW_ENVIRON, b"\x00\x03USER\x01mallory\x00USER\x01alice", user_named("alice")),
            // ESC takes the next byte as it is, type codes included.
            (NEW_ENVIRON, b"\x00\x00US\x02ER\x01a\x02\x00b\x02\x02", user_named("a\0b\x02")),
            (NEW_ENVIRON, b"\x00\x00USER\x01al\x02\x01ice", user_named("al\x01ice")),
            (NEW_ENVIRON, b"\x00\x00USER\x01alice\x02", user_named("alice")),
            (NEW_ENVIRON, b"\x00\x00USE\x02R\x01x", user_named("x")),
            (NEW_ENVIRON, b"\x00\x00USERX\x01x", NO_USER),
            // INFO tells of a change after an answer: not the answer.
            (NEW_ENVIRON, b"\x02\x00USER\x01alice", None),
            (NEW_ENVIRON, b"\x01\x00USER", None),
            (NEW_ENVIRON, &[&b"\x00\x00USER\x01"[..], &long_name].concat(), NO_USER),
            // Other options' payloads tell nothing.
            (0x1f, b"\x00\x50\x00\x18", None),
        ];
        for (option, bytes, expected) in cases {
            assert_eq!(
                &answer(*option, &payload(bytes)),
                expected,
                "{option} {bytes:02x?}"
            );
        }
    }

    #[test]
    fn a_payload_keeps_its_first_bytes_only() {
        let mut kept = payload(&[7; 1000]);
        assert_eq!(kept.kept(), &[7; KEPT]);
        assert!(kept.overflowed);
        kept.clear();
        assert_eq!((kept.kept(), kept.overflowed), (&[][..], false));
    }

    #[test]
    fn only_the_first_answer_counts_and_news_comes_once_in_order() {
        let mut answers = Answers::default();
        answers.settle(Question::User, Some(Told::User(Some("alice".into()))));
        answers.settle(Question::User, Some(Told::User(None)));
        answers.settle(Question::TerminalType, None);
        answers.settle(
            Question::TerminalType,
            Some(Told::TerminalType("XTERM".into())),
        );
        assert!(answers.is_settled(Question::TerminalType));
        assert_eq!(answers.poll(), Some(Told::User(Some("alice".into()))));
        assert_eq!(answers.poll(), None);

        let mut answers = Answers::default();
        answers.settle(Question::TerminalType, Some(Told::TerminalType("a".into())));
        answers.settle(Question::User, Some(Told::User(None)));
        assert_eq!(answers.poll(), Some(Told::TerminalType("a".into())));
        assert_eq!(answers.poll(), Some(Told::User(None)));
        assert_eq!(answers.poll(), None);
    }
}
