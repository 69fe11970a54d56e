//! The telnet filter: a state machine that turns a guest's raw bytes into what they
//! typed, and answers option negotiation. Pure: no IO; its state survives across reads.
//!
//! The filter is written twice, on purpose:
//!
//! - `grammar.rs` is the definition: telnet's command syntax (RFC 854) one byte at a
//!   time, as plainly as it can be said. It is easy to check against the RFCs, and slow:
//!   every byte is a branch the processor cannot foresee, because guests mix keys and
//!   commands in no order it could learn.
//! - `window.rs` is what runs: 126 bytes at a time as bit masks (SSE2 where there is
//!   some), with branches per window and per key typed, not per byte. It is what keeps
//!   the filter above its 1 GB/s budget, and it is not easy to read.
//!
//! A window hands the rare bytes it does not decode (option 255) to the grammar, so the
//! two must agree exactly: a differential test in `window.rs` feeds both the same traffic
//! and compares all they say. `negotiation.rs` is what both call for WILL, WONT, DO and
//! DONT: RFC 1143's rules, looked up in a table.
//!
//! The greeting also asks the client its terminal type and user name; `told.rs` keeps
//! and reads the answers, which the grammar alone captures (a window that meets one
//! hands it over, as for option 255). `terminal_type.rs` says which terminal types
//! show colour.
//!
//! Every other module here is private; what the server sees is [`TelnetFilter`],
//! [`Typed`], [`Told`], [`is_colour_terminal`] and the protocol's bytes below.

mod grammar;
mod negotiation;
mod terminal_type;
mod told;
mod window;

pub use terminal_type::is_colour_terminal;
pub use told::Told;

use grammar::Sub;
use negotiation::Side;
use told::{Answers, Payload};
use window::{BLOCK, WINDOW};

/// What the server sends on connect: IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, which
/// put inetutils and busybox telnet in character mode with local echo off; then IAC DO
/// TTYPE, IAC DO NEW-ENVIRON, which ask for its terminal type and user name (see
/// `told.rs` for what each client answers: both stay in character mode).
pub const GREETING: [u8; 12] = [
    IAC,
    WILL,
    ECHO,
    IAC,
    WILL,
    SGA,
    IAC,
    DO,
    TTYPE,
    IAC,
    DO,
    NEW_ENVIRON,
];

/// Interpret As Command: the byte that starts every telnet command (RFC 854).
pub const IAC: u8 = 255;
/// Option negotiation: the sender wants to start (or confirms) performing an option.
pub const WILL: u8 = 251;
/// Option negotiation: the sender refuses, or stops, performing an option.
pub const WONT: u8 = 252;
/// Option negotiation: the sender asks the receiver to perform an option.
pub const DO: u8 = 253;
/// Option negotiation: the sender asks the receiver to stop, or not start, an option.
pub const DONT: u8 = 254;
/// Start of a subnegotiation; its payload runs to IAC SE.
pub const SB: u8 = 250;
/// End of a subnegotiation.
pub const SE: u8 = 240;
/// Interrupt Process: what a telnet client sends for Ctrl-C in some modes.
pub const IP: u8 = 244;
/// End Of File (RFC 1184): what a LINEMODE client sends for Ctrl-D.
pub const EOF: u8 = 236;
/// Option ECHO (RFC 857): we offer it so the client stops echoing locally.
pub const ECHO: u8 = 1;
/// Option SUPPRESS-GO-AHEAD (RFC 858): with ECHO, it puts clients in character mode.
pub const SGA: u8 = 3;
/// Option TERMINAL-TYPE (RFC 1091): we ask for it, to know whether it shows colour.
pub const TTYPE: u8 = 24;
/// Option NEW-ENVIRON (RFC 1572): we ask for its USER, which `telnet -l alice` sets.
pub const NEW_ENVIRON: u8 = 39;

/// One thing a guest typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typed {
    /// One byte of a key. A key that is several bytes (a character of several UTF-8
    /// bytes, an arrow or F-key's escape sequence) comes as several `Key`s, in order, for
    /// [`crate::keys::KeyDecoder`] to put back together: the filter knows telnet, not
    /// keyboards.
    Key(u8),
    /// Enter, however the client spells it (CR NUL, CR LF, LF, lone CR).
    Enter,
    /// Ctrl-C or IAC IP.
    Interrupt,
    /// Ctrl-D or IAC EOF.
    EndOfInput,
}

/// How many keys [`TelnetFilter::feed`] gathers before handing them on.
const OUT: usize = 512;

/// The filter for one connection.
///
/// Its state is fixed in size (two sides of 256 options, one payload of 64 bytes kept),
/// so a hostile client can make it neither allocate nor answer without bound.
#[derive(Debug)]
pub struct TelnetFilter {
    /// Where the parser is, as the three bits a window carries to the next (see
    /// [`TelnetFilter::syntax`]): the last byte was an IAC that starts something...
    after_iac: bool,
    /// ...the parser is inside a subnegotiation...
    in_sub: bool,
    /// ...or the last byte was this verb, whose option comes next.
    verb: Option<u8>,
    /// In a subnegotiation, what becomes of its payload.
    sub: Sub,
    /// The payload of the subnegotiation being kept.
    kept: Payload,
    /// What the client told of itself, until polled.
    told: Answers,
    /// The last data byte was CR: a NUL or LF next is part of the same Enter. Kept
    /// apart because commands are out of band: CR IAC NOP LF is one Enter.
    after_cr: bool,
    negotiated: bool,
    /// Options the server performs (the client's DO/DONT are about these).
    ours: [Side; 256],
    /// Options the client performs (its WILL/WONT are about these).
    theirs: [Side; 256],
}

impl Default for TelnetFilter {
    fn default() -> TelnetFilter {
        TelnetFilter::new()
    }
}

impl TelnetFilter {
    /// A filter for a connection that has just been sent [`GREETING`].
    ///
    /// The greeting's offers start as pending, so the client's DO is taken as the answer
    /// it is and not answered again (RFC 1143: never acknowledge an acknowledgement).
    pub fn new() -> TelnetFilter {
        let mut ours = [Side::Off; 256];
        ours[ECHO as usize] = Side::Offered;
        ours[SGA as usize] = Side::Offered;
        // Letting the client suppress go-ahead costs nothing; anything else it offers
        // would need code here to make sense of it.
        let mut theirs = [Side::Off; 256];
        theirs[SGA as usize] = Side::Welcome;
        // The greeting's requests: the client's WILL is its answer, not an offer.
        theirs[TTYPE as usize] = Side::Asked;
        theirs[NEW_ENVIRON as usize] = Side::Asked;
        TelnetFilter {
            after_iac: false,
            in_sub: false,
            verb: None,
            sub: Sub::Skip,
            kept: Payload::new(),
            told: Answers::default(),
            after_cr: false,
            negotiated: false,
            ours,
            theirs,
        }
    }

    /// Feeds the next bytes read from the guest. What they typed is appended to `typed`,
    /// the bytes to send back (negotiation answers) to `reply`.
    ///
    /// Guests mix keys and commands in no order a branch predictor could learn, so the
    /// bytes are decoded 126 at a time as bit masks, with branches per window of bytes
    /// and per key typed, not per byte.
    pub fn feed(&mut self, input: &[u8], typed: &mut Vec<Typed>, reply: &mut Vec<u8>) {
        // What several windows typed, handed on together: a copy per window costs more
        // than the window. (Filled with `Key(0)` because all-zero bytes are the cheapest
        // to fill with.)
        let mut out = [Typed::Key(0); OUT];
        let mut spare = [Typed::Key(0); 64];
        let mut count = 0;
        let mut rest = input;
        while !rest.is_empty() {
            let len = rest.len().min(WINDOW);
            let mut padded = [0; BLOCK];
            let block: &[u8; BLOCK] = match rest.first_chunk() {
                Some(block) => block,
                None => {
                    padded[..rest.len()].copy_from_slice(rest);
                    &padded
                }
            };
            if count > OUT - BLOCK {
                typed.extend_from_slice(&out[..count]);
                count = 0;
            }
            let window_out = (&mut out[count..count + BLOCK]).try_into().expect("slots");
            match self.window(block, len, window_out, &mut spare, reply) {
                Some(typed) => count += typed,
                None => {
                    typed.extend_from_slice(&out[..count]);
                    count = 0;
                    for &b in &rest[..len] {
                        self.step(b, typed, reply);
                    }
                }
            }
            rest = &rest[len..];
        }
        typed.extend_from_slice(&out[..count]);
    }

    /// Whether the client has sent any telnet command yet (netcat never does).
    pub fn negotiated(&self) -> bool {
        self.negotiated
    }

    /// The next thing the client told of itself (its terminal type, its user name) that
    /// has not been polled yet. Each comes once, and only the client's first answer to
    /// each question counts.
    pub fn poll_told(&mut self) -> Option<Told> {
        self.told.poll()
    }
}

#[cfg(test)]
mod tests {
    use super::Typed::{EndOfInput as Eof, Enter, Interrupt as Int, Key};
    use super::*;

    /// Feeds `reads` one after the other to a fresh filter.
    pub(super) fn feed_reads<'a>(
        reads: impl IntoIterator<Item = &'a [u8]>,
    ) -> (Vec<Typed>, Vec<u8>) {
        let mut filter = TelnetFilter::new();
        let (mut typed, mut reply) = (Vec::new(), Vec::new());
        for read in reads {
            filter.feed(read, &mut typed, &mut reply);
        }
        (typed, reply)
    }

    /// Cuts `input` before every index in `cuts` (ascending).
    fn split_at<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
        let mut reads = Vec::new();
        let mut start = 0;
        for &cut in cuts.iter().chain(std::iter::once(&input.len())) {
            reads.push(&input[start..cut]);
            start = cut;
        }
        reads
    }

    /// Every way to cut `input` into reads: all 2^(n-1) for short inputs; for longer
    /// ones every one and two cut points, and one byte per read.
    fn every_split(input: &[u8]) -> Vec<Vec<usize>> {
        let n = input.len();
        if n <= 14 {
            return (0u32..1 << n.saturating_sub(1))
                .map(|mask| (1..n).filter(|i| mask & (1 << (i - 1)) != 0).collect())
                .collect();
        }
        let mut splits = vec![(1..n).collect::<Vec<_>>()];
        for i in 1..n {
            splits.push(vec![i]);
            splits.extend((i + 1..n).map(|j| vec![i, j]));
        }
        splits
    }

    /// Asserts that `reads`, and their concatenation cut in every way, give `typed` and
    /// `reply`.
    fn check(reads: &[&[u8]], typed: &[Typed], reply: &[u8]) {
        assert_eq!(
            feed_reads(reads.iter().copied()),
            (typed.to_vec(), reply.to_vec())
        );
        let input = reads.concat();
        for cuts in every_split(&input) {
            let got = feed_reads(split_at(&input, &cuts));
            assert_eq!(
                got,
                (typed.to_vec(), reply.to_vec()),
                "{input:02x?} cut at {cuts:?}"
            );
        }
    }

    /// A test vector: the reads, what they type, and the answer to send.
    pub(super) type Vector = (&'static [&'static [u8]], &'static [Typed], &'static [u8]);

    /// The seed's capture of inetutils telnet in LINEMODE typing "signal".
    const CHATTER: &[u8] = b"\xff\xfd\x03si\xff\xfb\"gn\xff\xfa\"\x03\x01\x00\x00\x03b\x03\x04\x02\x0f\x05\x00\x00\x07b\x1c\x08\x02\x04\tB\x1a\n\x02\x7f\x0b\x02\x15\x0f\x02\x11\x10\x02\x13\x11\x02\xff\xff\x12\x02\xff\xff\xff\xf0al\xff\xfd\x01";

    /// Two-, three- and four-byte characters, then a key.
    const UTF8: &[u8] = "é€😀r".as_bytes();

    /// What inetutils telnet offers as it connects.
    const INETUTILS_OPENING: &[u8] = &[
        0xff, 0xfd, 0x26, 0xff, 0xfb, 0x26, 0xff, 0xfd, 0x03, 0xff, 0xfb, 0x18, 0xff, 0xfb, 0x1f,
        0xff, 0xfb, 0x20, 0xff, 0xfb, 0x21, 0xff, 0xfb, 0x22, 0xff, 0xfb, 0x27, 0xff, 0xfd, 0x05,
    ];

    /// IAC SB TTYPE SEND IAC SE.
    const TTYPE_SEND: &[u8] = &[0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0];

    /// The filter's vectors (`shared/telnet/vectors.md` and more): what it must make of
    /// each input, whichever decoder reads it.
    #[rustfmt::skip]
    pub(super) const VECTORS: &[Vector] = &[
        (&[b"rps"], &[Key(b'r'), Key(b'p'), Key(b's')], &[]),
        (&[b"\r\0"], &[Enter], &[]),
        (&[b"\r\n"], &[Enter], &[]),
        (&[b"rp\n"], &[Key(b'r'), Key(b'p'), Enter], &[]),
        (&[b"\r", b"\0r"], &[Enter, Key(b'r')], &[]),
        (&[b"\r\r\0"], &[Enter, Enter], &[]),
        (&[b"\r"], &[Enter], &[]),
        (&[b"\r\nr\rp"], &[Enter, Key(b'r'), Enter, Key(b'p')], &[]),
        (&[b"\n\n\r\0\n"], &[Enter, Enter, Enter, Enter], &[]),
        (&[&[0xff, 0xfd, 0x01, 0xff, 0xfd, 0x03]], &[], &[]),
        (&[&[0xff], &[0xfd], &[0x01], b"r"], &[Key(b'r')], &[]),
        (&[&[0xff, 0xfa, 0x1f, 0x00], &[0x50, 0x00, 0x18, 0xff], &[0xf0, 0x73]], &[Key(b's')], &[]),
        (&[&[0xff, 0xfa, 0x1f, 0x00, 0xff, 0xff, 0x00, 0x18, 0xff, 0xf0, 0x70]], &[Key(b'p')], &[]),
        (&[&[0xff, 0xff, 0x72]], &[Key(b'r')], &[]),
        (&[&[0x00, 0x72]], &[Key(b'r')], &[]),
        (&[&[0xff, 0xf1, 0xff, 0xf9, 0x72]], &[Key(b'r')], &[]),
        (&[&[0x03]], &[Int], &[]),
        (&[&[0x04]], &[Eof], &[]),
        // vectors.md's 16 was `ff fb 18` -> `ff fe 18`: now that the greeting asks for
        // TTYPE, WILL TTYPE is the answer, and it earns SEND. Another offer keeps the
        // "refused once" case.
        (&[&[0xff, 0xfb, 0x18]], &[], TTYPE_SEND),
        (&[&[0xff, 0xfb, 0x20]], &[], &[0xff, 0xfe, 0x20]),
        (&[&[0xff, 0xfd, 0x05]], &[], &[0xff, 0xfc, 0x05]),
        // NAWS 255x30: a bare SE inside SB is payload, the width's 255 is doubled.
        (&[&[0xff, 0xfb, 0x1f, 0xff, 0xfa, 0x1f, 0x00, 0xf0, 0x00, 0x1e, 0xff, 0xf0]], &[], &[0xff, 0xfe, 0x1f]),
        // Its TTYPE and NEW-ENVIRON offers answer our requests: SEND for each.
        (&[INETUTILS_OPENING], &[], &[
            0xff, 0xfc, 0x26, 0xff, 0xfe, 0x26, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0,
            0xff, 0xfe, 0x1f, 0xff, 0xfe, 0x20, 0xff, 0xfe, 0x21, 0xff, 0xfe, 0x22,
            0xff, 0xfa, 0x27, 0x01, 0x00, b'U', b'S', b'E', b'R', 0xff, 0xf0,
            0xff, 0xfc, 0x05,
        ]),
        (&[CHATTER], &[Key(b's'), Key(b'i'), Key(b'g'), Key(b'n'), Key(b'a'), Key(b'l')], &[0xff, 0xfe, 0x22]),
        (&[&[0xff, 0xf4, b'r', 0xff, 0xec]], &[Int, Key(b'r'), Eof], &[]),
        // Commands that end a subnegotiation missing its IAC SE, and are then obeyed.
        (&[&[0xff, 0xfa, 0x18, b'x', 0xff, 0xf4, b'r']], &[Int, Key(b'r')], &[]),
        (&[&[0xff, 0xfa, 0x18, b'x', 0xff, 0xfb, 0x18, b'r']], &[Key(b'r')], TTYPE_SEND),
        (&[&[0xff, 0xfa, 0x18, 0xff, 0xfa, 0x18, b'x', 0xff, 0xf0, b'r']], &[Key(b'r')], &[]),
        // Commands between CR and LF do not split the Enter; data does.
        (&[&[0x0d, 0xff, 0xf1, 0x0a]], &[Enter], &[]),
        (&[&[0x0d, 0xff, 0xfd, 0x01, 0x00, b'p']], &[Enter, Key(b'p')], &[]),
        (&[&[0x0d, 0xff, 0xff, 0x0a]], &[Enter, Enter], &[]),
        // UTF-8: every byte is passed on, for the key decoder to make characters of;
        // as data, a continuation byte ends a CR's Enter.
        (&[UTF8], &[
            Key(0xc3), Key(0xa9), Key(0xe2), Key(0x82), Key(0xac),
            Key(0xf0), Key(0x9f), Key(0x98), Key(0x80), Key(b'r'),
        ], &[]),
        (&[&[0x0d, 0xa9, 0x0a]], &[Enter, Key(0xa9), Enter], &[]),
        // Other control characters are keys.
        (&[&[0x1a, 0x7f, 0x1b, 0x09]], &[Key(0x1a), Key(0x7f), Key(0x1b), Key(0x09)], &[]),
        (&[&[0xff, 0xf0, 0xff, 0xf2, 0xff, 0xf3, 0xff, 0xf5, 0xff, 0xf6, 0xff, 0xf7, 0xff, 0xf8, b's']], &[Key(b's')], &[]),
        // The client accepts, then refuses, our offers: acknowledged once each.
        (&[&[0xff, 0xfd, 0x01, 0xff, 0xfe, 0x01, 0xff, 0xfe, 0x01, 0xff, 0xfd, 0x01]], &[], &[0xff, 0xfc, 0x01]),
        (&[&[0xff, 0xfe, 0x03, 0xff, 0xfe, 0x03, 0xff, 0xfd, 0x03, 0xff, 0xfd, 0x03]], &[], &[0xff, 0xfc, 0x03]),
        (&[&[0xff, 0xfb, 0x03, 0xff, 0xfb, 0x03, 0xff, 0xfc, 0x03, 0xff, 0xfb, 0x03]], &[], &[0xff, 0xfd, 0x03, 0xff, 0xfe, 0x03]),
        (&[&[0xff, 0xfc, 0x18, 0xff, 0xfe, 0x18]], &[], &[]),
    ];

    #[test]
    fn vectors_hold_however_split() {
        for (reads, typed, reply) in VECTORS {
            check(reads, typed, reply);
        }
    }

    #[test]
    fn linemode_slc_table_is_skipped_whole() {
        let mut slc = vec![0xff, 0xfa, 0x22, 0x03];
        for function in 1..=18u8 {
            slc.extend_from_slice(&[function, 0x02, function.wrapping_mul(7)]);
        }
        slc.extend_from_slice(&[0x12, 0x02, 0xff, 0xff, 0xff, 0xf0, b'r']);
        check(&[&slc], &[Key(b'r')], &[]);
    }

    #[test]
    fn negotiated_only_after_a_command() {
        #[rustfmt::skip]
        let cases: &[(&[u8], bool)] = &[
            (b"rps\r\n", false),
            (&[0xff, 0xff, b'r'], false),
            (&[0xff], false),
            (&[0xff, 0xf1], true),
            (&[0xff, 0xfd, 0x01], true),
            (&[0xff, 0xfa], true),
        ];
        for &(input, negotiated) in cases {
            let mut filter = TelnetFilter::new();
            filter.feed(input, &mut Vec::new(), &mut Vec::new());
            assert_eq!(filter.negotiated(), negotiated, "{input:02x?}");
        }
    }

    #[test]
    fn greeting_is_will_echo_will_sga_do_ttype_do_new_environ() {
        assert_eq!(
            GREETING,
            [0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x18, 0xff, 0xfd, 0x27]
        );
    }

    /// What `reads` tell of the client, each once, in order.
    pub(super) fn told_of<'a>(reads: impl IntoIterator<Item = &'a [u8]>) -> Vec<Told> {
        let mut filter = TelnetFilter::new();
        let mut told = Vec::new();
        for read in reads {
            filter.feed(read, &mut Vec::new(), &mut Vec::new());
            told.extend(std::iter::from_fn(|| filter.poll_told()));
        }
        told
    }

    fn terminal(name: &str) -> Told {
        Told::TerminalType(name.to_owned())
    }

    fn user(name: &str) -> Told {
        Told::User(Some(name.to_owned()))
    }

    /// A told vector: the reads, and what they tell.
    pub(super) type ToldVector = (&'static [&'static [u8]], fn() -> Vec<Told>);

    /// What real clients answer the greeting (see `told.rs`), then the odd corners:
    /// the reads, and what they tell.
    #[rustfmt::skip]
    pub(super) const TOLD_VECTORS: &[ToldVector] = &[
        // inetutils telnet -l alice, TERM=xterm.
        (&[b"\xff\xfd\x01\xff\xfd\x03\xff\xfb\x18\xff\xfb\x27", b"\xff\xfa\x18\x00XTERM\xff\xf0\xff\xfa\x27\x00\x00USER\x01alice\xff\xf0"],
            || vec![terminal("XTERM"), user("alice")]),
        // inetutils telnet without -l: USER, with no value.
        (&[b"\xff\xfb\x18\xff\xfb\x27", b"\xff\xfa\x18\x00XTERM\xff\xf0\xff\xfa\x27\x00\x00USER\xff\xf0"],
            || vec![terminal("XTERM"), Told::User(None)]),
        // busybox telnet without -l refuses NEW-ENVIRON; without TERM, TTYPE too.
        (&[b"\xff\xfd\x01\xff\xfd\x03\xff\xfb\x18\xff\xfc\x27", b"\xff\xfa\x18\x00xterm\xff\xf0"],
            || vec![Told::User(None), terminal("xterm")]),
        (&[b"\xff\xfd\x01\xff\xfd\x03\xff\xfc\x18\xff\xfc\x27"], || vec![Told::User(None)]),
        // IAC IAC inside the payload is the byte 255; a bare SE is payload.
        (&[b"\xff\xfa\x18\x00a\xff\xff\xf0b\xff\xf0"], || vec![terminal("a\u{fffd}\u{fffd}b")]),
        (&[b"\xff\xfa\x27\x00\x00USER\x01x\xff\xffy\xff\xf0"], || vec![user("x\u{fffd}y")]),
        // Only the first answer counts; the first that is one.
        (&[b"\xff\xfa\x18\x00VT100\xff\xf0\xff\xfa\x18\x00XTERM\xff\xf0"], || vec![terminal("VT100")]),
        (&[b"\xff\xfa\x18\x01\xff\xf0\xff\xfa\x18\x00XTERM\xff\xf0"], || vec![terminal("XTERM")]),
        (&[b"\xff\xfa\x27\x02\x00USER\x01eve\xff\xf0\xff\xfa\x27\x00\x00USER\x01bob\xff\xf0"], || vec![user("bob")]),
        (&[b"\xff\xfc\x27\xff\xfa\x27\x00\x00USER\x01bob\xff\xf0"], || vec![Told::User(None)]),
        (&[b"\xff\xfa\x27\x00\x00USER\x01bob\xff\xf0\xff\xfc\x27"], || vec![user("bob")]),
        // Cut short by a command: no answer, and the keys around it are typed.
        (&[b"r\xff\xfa\x18\x00XT\xff\xf1p\xff\xfa\x18\x00VT100\xff\xf0"], || vec![terminal("VT100")]),
        // ESC, and a USERVAR named USER, in NEW-ENVIRON.
        (&[b"\xff\xfa\x27\x00\x03USER\x01m\x00USER\x01a\x02\x01b\xff\xf0"], || vec![user("a\x01b")]),
        // Other options' payloads tell nothing.
        (&[b"\xff\xfa\x1f\x00\x00XTERM\xff\xf0\xff\xfa\xff\xff\x18\x00XTERM\xff\xf0"], Vec::new),
    ];

    #[test]
    fn told_vectors_hold_however_split() {
        for (reads, told) in TOLD_VECTORS {
            let input = reads.concat();
            assert_eq!(told_of(reads.iter().copied()), told(), "{input:02x?}");
            for cuts in every_split(&input) {
                let got = told_of(split_at(&input, &cuts));
                assert_eq!(got, told(), "{input:02x?} cut at {cuts:?}");
            }
        }
    }

    #[test]
    fn keys_around_an_answer_are_typed() {
        let input = b"r\xff\xfa\x18\x00XTERM\xff\xf0p\xff\xfa\x27\x00\x00USER\x01al\xff\xf0s";
        check(&[input], &[Key(b'r'), Key(b'p'), Key(b's')], &[]);
    }

    /// A client that never ends its answer, or makes it huge: the filter keeps 64
    /// bytes, tells nothing of a payload that did not fit, and types what follows.
    #[test]
    fn overlong_answers_are_bounded_and_tell_nothing_usable() {
        for (option, told) in [(TTYPE, vec![]), (NEW_ENVIRON, vec![Told::User(None)])] {
            let mut input = vec![IAC, SB, option, 0];
            input.extend_from_slice(b"\x00USER\x01");
            input.extend(std::iter::repeat_n(b'a', 1 << 20));
            input.extend_from_slice(&[IAC, SE, b'r']);
            let mut filter = TelnetFilter::new();
            let (mut typed, mut reply) = (Vec::new(), Vec::new());
            for read in input.chunks(4096) {
                filter.feed(read, &mut typed, &mut reply);
            }
            assert_eq!(typed, [Key(b'r')]);
            let got: Vec<Told> = std::iter::from_fn(|| filter.poll_told()).collect();
            assert_eq!(got, told, "option {option}");
        }
        // 64 payload bytes are kept whole; a 63-byte name after IS fits.
        let name = "X".repeat(63);
        let input = [&b"\xff\xfa\x18\x00"[..], name.as_bytes(), b"\xff\xf0"].concat();
        assert_eq!(told_of([&input[..]]), [terminal(&name)]);
        let input = [&b"\xff\xfa\x18\x00X"[..], name.as_bytes(), b"\xff\xf0"].concat();
        assert_eq!(told_of([&input[..]]), []);
    }

    #[test]
    fn long_reads_lose_no_key() {
        let input = b"rps\r\n".repeat(2000);
        let (typed, reply) = feed_reads([&input[..]]);
        assert_eq!(typed.len(), 8000);
        assert!(typed
            .chunks(4)
            .all(|four| four == [Key(b'r'), Key(b'p'), Key(b's'), Enter]));
        assert!(reply.is_empty());
    }
}
