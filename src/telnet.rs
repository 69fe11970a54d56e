//! The telnet filter: a state machine that turns a guest's raw bytes into what they
//! typed, and answers option negotiation. Pure: no IO; its state survives across reads.

/// What the server sends on connect: IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD.
/// This puts inetutils and busybox telnet in character mode with local echo off.
pub const GREETING: [u8; 6] = [IAC, WILL, ECHO, IAC, WILL, SGA];

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

/// One thing a guest typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Typed {
    /// A character (for a multi-byte UTF-8 character, its lead byte only).
    Key(u8),
    /// Enter, however the client spells it (CR NUL, CR LF, LF, lone CR).
    Enter,
    /// Ctrl-C or IAC IP.
    Interrupt,
    /// Ctrl-D or IAC EOF.
    EndOfInput,
}

/// Where the parser is in the telnet command syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    /// Plain data.
    Data,
    /// Just after an IAC in the data.
    Iac,
    /// After IAC WILL/WONT/DO/DONT (the verb), waiting for the option byte.
    Verb(u8),
    /// Inside a subnegotiation: payload is skipped, never stored.
    Sub,
    /// Just after an IAC inside a subnegotiation.
    SubIac,
}

/// One side of one option, as RFC 1143 tracks it, with a closed state so that every
/// option is answered a bounded number of times however often a client repeats itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// Not in force, and we have said nothing about it.
    Off,
    /// We sent WILL (the greeting) and are waiting for DO or DONT.
    Offered,
    /// In force.
    On,
    /// Not in force and never again: we said our last word about it (or were refused).
    Closed,
}

/// What a data byte means on its own; a table keeps the hot loop to one lookup a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A key: ASCII, other control characters, and UTF-8 lead (or stray) bytes.
    Key,
    /// A UTF-8 continuation byte: its character was already reported by its lead byte.
    Continuation,
    Nul,
    Cr,
    Lf,
    CtrlC,
    CtrlD,
    Iac,
}

const CLASS: [Class; 256] = {
    let mut table = [Class::Key; 256];
    let mut b = 0x80;
    while b < 0xc0 {
        table[b] = Class::Continuation;
        b += 1;
    }
    table[0x00] = Class::Nul;
    table[b'\r' as usize] = Class::Cr;
    table[b'\n' as usize] = Class::Lf;
    table[0x03] = Class::CtrlC;
    table[0x04] = Class::CtrlD;
    table[IAC as usize] = Class::Iac;
    table
};

/// The filter for one connection.
///
/// Its state is fixed in size (two sides of 256 options), so a hostile client can make
/// it neither allocate nor answer without bound.
#[derive(Debug)]
pub struct TelnetFilter {
    syntax: Syntax,
    /// The last data byte was CR: a NUL or LF right after it is part of the same Enter.
    /// Kept apart from `syntax` because commands between CR and LF do not break the pair.
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
        TelnetFilter {
            syntax: Syntax::Data,
            after_cr: false,
            negotiated: false,
            ours,
            theirs: [Side::Off; 256],
        }
    }

    /// Feeds the next bytes read from the guest. What they typed is appended to `typed`,
    /// the bytes to send back (negotiation answers) to `reply`.
    pub fn feed(&mut self, input: &[u8], typed: &mut Vec<Typed>, reply: &mut Vec<u8>) {
        let mut rest = input;
        while let Some(&b) = rest.first() {
            match self.syntax {
                Syntax::Data => {
                    // The hot path: a run of plain keys becomes keys in one bulk extend,
                    // which knows its length up front and so checks capacity once.
                    let run = rest
                        .iter()
                        .position(|&b| CLASS[b as usize] != Class::Key)
                        .unwrap_or(rest.len());
                    if run > 0 {
                        typed.extend(rest[..run].iter().map(|&b| Typed::Key(b)));
                        self.after_cr = false;
                        rest = &rest[run..];
                        continue;
                    }
                    self.special_data(b, typed);
                }
                Syntax::Iac => self.command(b, typed),
                Syntax::Verb(verb) => {
                    self.negotiate(verb, b, reply);
                    self.syntax = Syntax::Data;
                }
                Syntax::Sub => match rest.iter().position(|&b| b == IAC) {
                    Some(at) => {
                        self.syntax = Syntax::SubIac;
                        rest = &rest[at + 1..];
                        continue;
                    }
                    None => return,
                },
                Syntax::SubIac => match b {
                    IAC => self.syntax = Syntax::Sub,
                    SE => self.syntax = Syntax::Data,
                    // A client that forgets IAC SE must not lose the command after it,
                    // nor keep us skipping its typing forever: the SB ends here and the
                    // command is read again as a command.
                    _ => {
                        self.syntax = Syntax::Iac;
                        continue;
                    }
                },
            }
            rest = &rest[1..];
        }
    }

    /// Whether the client has sent any telnet command yet (netcat never does).
    pub fn negotiated(&self) -> bool {
        self.negotiated
    }

    /// A data byte that is not a plain key.
    fn special_data(&mut self, b: u8, typed: &mut Vec<Typed>) {
        let class = CLASS[b as usize];
        if class == Class::Iac {
            // IAC is no data, so it does not end a CR's Enter: CR IAC NOP LF is one Enter.
            self.syntax = Syntax::Iac;
            return;
        }
        let after_cr = std::mem::replace(&mut self.after_cr, false);
        match class {
            Class::Cr => {
                typed.push(Typed::Enter);
                self.after_cr = true;
            }
            Class::Lf if !after_cr => typed.push(Typed::Enter),
            Class::CtrlC => typed.push(Typed::Interrupt),
            Class::CtrlD => typed.push(Typed::EndOfInput),
            Class::Lf | Class::Nul | Class::Continuation => {}
            Class::Key | Class::Iac => unreachable!("handled before"),
        }
    }

    /// The byte after an IAC (in the data, or one that ended a subnegotiation).
    fn command(&mut self, b: u8, typed: &mut Vec<Typed>) {
        self.syntax = Syntax::Data;
        if b == IAC {
            // The data byte 255: never a move, but still data, so it ends a CR's Enter.
            self.after_cr = false;
            return;
        }
        self.negotiated = true;
        match b {
            WILL | WONT | DO | DONT => self.syntax = Syntax::Verb(b),
            SB => self.syntax = Syntax::Sub,
            IP => typed.push(Typed::Interrupt),
            EOF => typed.push(Typed::EndOfInput),
            // NOP, GA, DM, BRK, AO, AYT, EC, EL, a stray SE, and bytes that are no
            // command at all: nothing a game needs, and nothing to answer.
            _ => {}
        }
    }

    /// Answers IAC `verb` `option` by RFC 1143, each option side at most once or twice.
    fn negotiate(&mut self, verb: u8, option: u8, reply: &mut Vec<u8>) {
        let ours = &mut self.ours[option as usize];
        let theirs = &mut self.theirs[option as usize];
        let answer = match (verb, *ours, *theirs) {
            (DO, Side::Offered, _) => {
                *ours = Side::On;
                None
            }
            // A request for an option we do not perform: refused, once.
            (DO, Side::Off, _) => {
                *ours = Side::Closed;
                Some(WONT)
            }
            // Refusing our offer needs no answer. We will not offer again, but a
            // later DO still gets its refusal, so the client is not left waiting.
            (DONT, Side::Offered, _) => {
                *ours = Side::Off;
                None
            }
            (DONT, Side::On, _) => {
                *ours = Side::Closed;
                Some(WONT)
            }
            // Letting the client suppress go-ahead costs nothing; anything else it
            // offers would need code here to make sense of it.
            (WILL, _, Side::Off) if option == SGA => {
                *theirs = Side::On;
                Some(DO)
            }
            (WILL, _, Side::Off) => {
                *theirs = Side::Closed;
                Some(DONT)
            }
            (WONT, _, Side::On) => {
                *theirs = Side::Closed;
                Some(DONT)
            }
            // Repeats, answers to our own requests, and anything about an option
            // not in force: silence, which is what keeps two peers from looping.
            _ => None,
        };
        if let Some(answer) = answer {
            reply.extend_from_slice(&[IAC, answer, option]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Typed::{EndOfInput as Eof, Enter, Interrupt as Int, Key};
    use super::*;

    /// Feeds `reads` one after the other to a fresh filter.
    fn feed_reads<'a>(reads: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Typed>, Vec<u8>) {
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

    /// The seed's capture of inetutils telnet in LINEMODE typing "signal".
    const CHATTER: &[u8] = b"\xff\xfd\x03si\xff\xfb\"gn\xff\xfa\"\x03\x01\x00\x00\x03b\x03\x04\x02\x0f\x05\x00\x00\x07b\x1c\x08\x02\x04\tB\x1a\n\x02\x7f\x0b\x02\x15\x0f\x02\x11\x10\x02\x13\x11\x02\xff\xff\x12\x02\xff\xff\xff\xf0al\xff\xfd\x01";

    /// What inetutils telnet offers as it connects.
    const INETUTILS_OPENING: &[u8] = &[
        0xff, 0xfd, 0x26, 0xff, 0xfb, 0x26, 0xff, 0xfd, 0x03, 0xff, 0xfb, 0x18, 0xff, 0xfb, 0x1f,
        0xff, 0xfb, 0x20, 0xff, 0xfb, 0x21, 0xff, 0xfb, 0x22, 0xff, 0xfb, 0x27, 0xff, 0xfd, 0x05,
    ];

    #[test]
    fn vectors_hold_however_split() {
        #[rustfmt::skip]
        let cases: &[(&[&[u8]], &[Typed], &[u8])] = &[
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
            (&[&[0xff, 0xfb, 0x18]], &[], &[0xff, 0xfe, 0x18]),
            (&[&[0xff, 0xfd, 0x05]], &[], &[0xff, 0xfc, 0x05]),
            // NAWS 255x30: a bare SE inside SB is payload, the width's 255 is doubled.
            (&[&[0xff, 0xfb, 0x1f, 0xff, 0xfa, 0x1f, 0x00, 0xf0, 0x00, 0x1e, 0xff, 0xf0]], &[], &[0xff, 0xfe, 0x1f]),
            (&[INETUTILS_OPENING], &[], &[
                0xff, 0xfc, 0x26, 0xff, 0xfe, 0x26, 0xff, 0xfe, 0x18, 0xff, 0xfe, 0x1f,
                0xff, 0xfe, 0x20, 0xff, 0xfe, 0x21, 0xff, 0xfe, 0x22, 0xff, 0xfe, 0x27,
                0xff, 0xfc, 0x05,
            ]),
            (&[CHATTER], &[Key(b's'), Key(b'i'), Key(b'g'), Key(b'n'), Key(b'a'), Key(b'l')], &[0xff, 0xfe, 0x22]),
            (&[&[0xff, 0xf4, b'r', 0xff, 0xec]], &[Int, Key(b'r'), Eof], &[]),
            // Commands that end a subnegotiation missing its IAC SE, and are then obeyed.
            (&[&[0xff, 0xfa, 0x18, b'x', 0xff, 0xf4, b'r']], &[Int, Key(b'r')], &[]),
            (&[&[0xff, 0xfa, 0x18, b'x', 0xff, 0xfb, 0x18, b'r']], &[Key(b'r')], &[0xff, 0xfe, 0x18]),
            (&[&[0xff, 0xfa, 0x18, 0xff, 0xfa, 0x18, b'x', 0xff, 0xf0, b'r']], &[Key(b'r')], &[]),
            // Commands between CR and LF do not split the Enter; data does.
            (&[&[0x0d, 0xff, 0xf1, 0x0a]], &[Enter], &[]),
            (&[&[0x0d, 0xff, 0xfd, 0x01, 0x00, b'p']], &[Enter, Key(b'p')], &[]),
            (&[&[0x0d, 0xff, 0xff, 0x0a]], &[Enter, Enter], &[]),
            // UTF-8: one key per character, its lead byte.
            (&["é€😀r".as_bytes()], &[Key(0xc3), Key(0xe2), Key(0xf0), Key(b'r')], &[]),
            // Other control characters are keys.
            (&[&[0x1a, 0x7f, 0x1b, 0x09]], &[Key(0x1a), Key(0x7f), Key(0x1b), Key(0x09)], &[]),
            (&[&[0xff, 0xf0, 0xff, 0xf2, 0xff, 0xf3, 0xff, 0xf5, 0xff, 0xf6, 0xff, 0xf7, 0xff, 0xf8, b's']], &[Key(b's')], &[]),
            // The client accepts, then refuses, our offers: acknowledged once each.
            (&[&[0xff, 0xfd, 0x01, 0xff, 0xfe, 0x01, 0xff, 0xfe, 0x01, 0xff, 0xfd, 0x01]], &[], &[0xff, 0xfc, 0x01]),
            (&[&[0xff, 0xfe, 0x03, 0xff, 0xfe, 0x03, 0xff, 0xfd, 0x03, 0xff, 0xfd, 0x03]], &[], &[0xff, 0xfc, 0x03]),
            (&[&[0xff, 0xfb, 0x03, 0xff, 0xfb, 0x03, 0xff, 0xfc, 0x03, 0xff, 0xfb, 0x03]], &[], &[0xff, 0xfd, 0x03, 0xff, 0xfe, 0x03]),
            (&[&[0xff, 0xfc, 0x18, 0xff, 0xfe, 0x18]], &[], &[]),
        ];
        for (reads, typed, reply) in cases {
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
    fn repeated_requests_are_answered_once() {
        let mut filter = TelnetFilter::new();
        let (mut typed, mut reply) = (Vec::new(), Vec::new());
        for verb in [WILL, WONT, DO, DONT] {
            for option in 0..=255u8 {
                filter.feed(&[IAC, verb, option], &mut typed, &mut reply);
            }
        }
        let first = reply.len();
        for _ in 0..3 {
            for verb in [WILL, WONT, DO, DONT] {
                for option in 0..=255u8 {
                    filter.feed(&[IAC, verb, option], &mut typed, &mut reply);
                }
            }
        }
        assert_eq!(reply.len(), first);
        assert!(typed.is_empty());
        let twice = feed_reads([&[0xff, 0xfb, 0x18][..], &[0xff, 0xfb, 0x18]]);
        assert_eq!(twice, (vec![], vec![0xff, 0xfe, 0x18]));
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
    fn greeting_is_will_echo_will_sga() {
        assert_eq!(GREETING, [0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03]);
    }
}
