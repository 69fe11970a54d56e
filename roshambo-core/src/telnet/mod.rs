//! The telnet filter: a state machine that turns a guest's raw bytes into what they
//! typed, and answers option negotiation. Pure: no IO; its state survives across reads.

use std::num::NonZeroU64;

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

/// Where the parser is in the telnet command syntax between two bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    /// Plain data.
    Data,
    /// Just after an IAC in the data.
    Iac,
    /// After IAC and this verb (WILL/WONT/DO/DONT), waiting for the option byte.
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
    /// Not in force, and we would refuse it.
    Off,
    /// Not in force, and we would accept it: the client's SUPPRESS-GO-AHEAD.
    Welcome,
    /// We sent WILL (the greeting) and are waiting for DO or DONT.
    Offered,
    /// In force.
    On,
    /// Not in force and never again: we said our last word about it.
    Closed,
}

/// What IAC `verb` does to an option: its sides after, and our answer if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    ours: Side,
    theirs: Side,
    answer: Option<u8>,
}

impl Rule {
    const fn to(ours: Side, theirs: Side, answer: Option<u8>) -> Rule {
        Rule {
            ours,
            theirs,
            answer,
        }
    }

    /// RFC 1143, for an option whose sides are `ours` (the server's: the client's
    /// DO/DONT are about it) and `theirs` (the client's: its WILL/WONT are about it).
    const fn of(verb: u8, ours: Side, theirs: Side) -> Rule {
        let to = Rule::to;
        match (verb, ours, theirs) {
            (DO, Side::Offered, _) => to(Side::On, theirs, None),
            // A request for an option we do not perform: refused, once.
            (DO, Side::Off, _) => to(Side::Closed, theirs, Some(WONT)),
            // Refusing our offer needs no answer. We will not offer again, but a
            // later DO still gets its refusal, so the client is not left waiting.
            (DONT, Side::Offered, _) => to(Side::Off, theirs, None),
            (DONT, Side::On, _) => to(Side::Closed, theirs, Some(WONT)),
            (WILL, _, Side::Welcome) => to(ours, Side::On, Some(DO)),
            (WILL, _, Side::Off) => to(ours, Side::Closed, Some(DONT)),
            (WONT, _, Side::On) => to(ours, Side::Closed, Some(DONT)),
            // Repeats, answers to our own requests, and anything about an option
            // not in force: silence, which is what keeps two peers from looping.
            _ => to(ours, theirs, None),
        }
    }
}

/// [`Rule::of`] for every verb (from WILL) and pair of sides: guests negotiate in no
/// order a branch predictor could learn, so the filter looks answers up.
const RULES: [[[Rule; 5]; 5]; 4] = {
    let sides = [
        Side::Off,
        Side::Welcome,
        Side::Offered,
        Side::On,
        Side::Closed,
    ];
    let mut table = [[[Rule::of(WILL, Side::Off, Side::Off); 5]; 5]; 4];
    let mut verb = 0;
    while verb < 4 {
        let mut ours = 0;
        while ours < 5 {
            let mut theirs = 0;
            while theirs < 5 {
                table[verb][ours][theirs] = Rule::of(WILL + verb as u8, sides[ours], sides[theirs]);
                theirs += 1;
            }
            ours += 1;
        }
        verb += 1;
    }
    table
};

/// One bit per byte of a window.
type Mask = u128;

/// How many bytes [`TelnetFilter::feed`] decodes at once: fewer than the bits of a
/// [`Mask`], so that bit `len` of a window's masks always exists and tells how it ends;
/// and two times 63, so that each half of a window's keys fits in a `u64` with a bit to
/// spare (see [`TelnetFilter::window`]). The wider the window, the fewer the branches
/// per byte that the processor cannot foresee (a few per window).
const WINDOW: usize = 126;

/// The bytes a window is read from: its bytes, then whatever follows.
const BLOCK: usize = 128;

/// How many keys [`TelnetFilter::feed`] gathers before handing them on.
const OUT: usize = 512;

/// What each data byte types, for the bytes that type something.
const MEANS: [Typed; 256] = {
    let mut table = [Typed::Enter; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = Typed::Key(b as u8);
        b += 1;
    }
    table[b'\r' as usize] = Typed::Enter;
    table[b'\n' as usize] = Typed::Enter;
    table[0x03] = Typed::Interrupt;
    table[0x04] = Typed::EndOfInput;
    table
};

/// A window's bytes sorted into the classes the decoder needs, one bit per byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Classes {
    iac: Mask,
    cr: Mask,
    lf: Mask,
    /// Bytes that are no key even as data: NUL, UTF-8 continuation bytes, and 255.
    no_key: Mask,
    sb: Mask,
    /// WILL, WONT, DO, DONT, and 255 (no command, so no matter).
    verb: Mask,
    /// IP and EOF.
    signal: Mask,
}

impl Classes {
    /// The classes of each byte of `block`, one at a time (the portable version).
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
    fn of_bytes(block: &[u8; BLOCK]) -> Classes {
        let mut classes = Classes::default();
        for (i, &b) in block.iter().enumerate() {
            classes.iac |= Mask::from(b == IAC) << i;
            classes.cr |= Mask::from(b == b'\r') << i;
            classes.lf |= Mask::from(b == b'\n') << i;
            classes.no_key |= Mask::from(matches!(b, 0x00 | 0x80..=0xbf | IAC)) << i;
            classes.sb |= Mask::from(b == SB) << i;
            classes.verb |= Mask::from(b >= WILL) << i;
            classes.signal |= Mask::from(b == IP || b == EOF) << i;
        }
        classes
    }

    /// The classes of each byte of `block`, 16 bytes per instruction.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    fn of(block: &[u8; BLOCK]) -> Classes {
        use std::arch::x86_64::*;
        let mut classes = Classes::default();
        for (k, lane) in block.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is enabled at compile time (the cfg above), so the CPU has
            // it; `lane` is 16 readable bytes, and `loadu` needs no alignment.
            let [iac, cr, lf, no_key, sb, verb, signal] = unsafe {
                let v = _mm_loadu_si128(lane.as_ptr().cast());
                let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let iac = is(IAC);
                // As i8, 0x80..=0xbf are -128..=-65, and WILL..=IAC are -5..=-1.
                let continuation = _mm_cmplt_epi8(v, _mm_set1_epi8(-64));
                let verb = _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(WILL as i8 - 1)),
                    _mm_cmplt_epi8(v, _mm_setzero_si128()),
                );
                [
                    iac,
                    is(b'\r'),
                    is(b'\n'),
                    _mm_or_si128(_mm_or_si128(is(0), continuation), iac),
                    is(SB),
                    verb,
                    _mm_or_si128(is(IP), is(EOF)),
                ]
                .map(|m| Mask::from(_mm_movemask_epi8(m) as u16) << (16 * k))
            };
            classes.iac |= iac;
            classes.cr |= cr;
            classes.lf |= lf;
            classes.no_key |= no_key;
            classes.sb |= sb;
            classes.verb |= verb;
            classes.signal |= signal;
        }
        classes
    }

    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    fn of(block: &[u8; BLOCK]) -> Classes {
        Classes::of_bytes(block)
    }
}

/// The bytes that follow an IAC that starts a command or a pair, given the IACs of a
/// window and whether its first byte follows one (`carry`, 0 or 1).
///
/// IACs come in runs: IAC IAC is the byte 255, so in a run the 1st, 3rd, ... IAC each
/// start something and the 2nd, 4th, ... are what they escape. This is simdjson's
/// backslash trick: one addition finds which runs start on odd bits.
fn escaped(iac: Mask, carry: Mask) -> Mask {
    const EVEN: Mask = Mask::MAX / 3;
    let iac = iac & !carry;
    let follows = (iac << 1) | carry;
    let odd_starts = iac & !EVEN & !follows;
    let even_runs = odd_starts.wrapping_add(iac);
    (EVEN ^ (even_runs << 1)) & follows
}

/// The filter for one connection.
///
/// Its state is fixed in size (two sides of 256 options), so a hostile client can make
/// it neither allocate nor answer without bound.
#[derive(Debug)]
pub struct TelnetFilter {
    /// Where the parser is, as the three bits a window carries to the next (see
    /// [`TelnetFilter::syntax`]): the last byte was an IAC that starts something...
    after_iac: bool,
    /// ...the parser is inside a subnegotiation...
    in_sub: bool,
    /// ...or the last byte was this verb, whose option comes next.
    verb: Option<u8>,
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
        TelnetFilter {
            after_iac: false,
            in_sub: false,
            verb: None,
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

    /// Decodes the first `len` bytes of `block` (`len <= WINDOW`; the bytes after them
    /// may be anything): writes what they typed to the start of `out` and returns how
    /// many, or returns `None` having done nothing if the window needs [`Self::step`].
    /// `spare` is scratch.
    ///
    /// It finds, as masks: which IACs start commands; the commands; the subnegotiation
    /// regions they open; the options of WILL/WONT/DO/DONT; what is left (the data);
    /// which data bytes follow a CR; and so which bytes type something. Then it walks
    /// only the bits that are set. How the window ends (mid-command, after a CR) is read
    /// off bit `len` and carried to the next.
    fn window(
        &mut self,
        block: &[u8; BLOCK],
        len: usize,
        out: &mut [Typed; BLOCK],
        spare: &mut [Typed; 64],
        reply: &mut Vec<u8>,
    ) -> Option<usize> {
        let classes = Classes::of(block);
        let valid = (1 << len) - 1;
        let (follows_iac, sub_at_start) = (Mask::from(self.after_iac), Mask::from(self.in_sub));
        let verb_at_start = self.verb;
        let escaped = escaped(classes.iac, follows_iac);
        let commands = escaped & !classes.iac & valid;

        // A subnegotiation runs from its SB to the next command, whatever that is: an
        // addition ripples from just after each SB through the bytes that are no
        // command, and stops at the next command.
        let others = !commands;
        let opened = ((classes.sb & commands) << 1) | sub_at_start;
        let sub = (opened.wrapping_add(others) ^ others) & others;
        let verbs = classes.verb & commands;
        let signals = classes.signal & commands;
        let options = (verbs << 1) | Mask::from(verb_at_start.is_some());
        if options & classes.iac & valid != 0 {
            // Option 255 breaks the runs of IACs that `escaped` counts; no client
            // sends it, so the byte-at-a-time machine is fast enough for it.
            return None;
        }

        let starts = classes.iac & !escaped;
        let data = valid & !(starts | commands | options | sub);
        // Carry each CR forward over the non-data bytes to the next data byte: the
        // addition ripples through runs of holes.
        let holes = !data;
        let after_cr =
            ((((classes.cr & data) << 1) | Mask::from(self.after_cr)).wrapping_add(holes)) & data;
        let types = (data & !classes.no_key & !(classes.lf & after_cr)) | signals;

        // Walking the bits of `types` is a chain of dependent steps per key, so the two
        // halves of the window are walked side by side, four bits at a step, writing
        // four keys whether or not that many are left (the counts tell which are real),
        // so that the only branch is the loop's.
        let (low, high) = (types as u64 & !(1 << 63), (types >> 63) as u64);
        let (low_count, high_count) = (low.count_ones() as usize, high.count_ones() as usize);
        let (mut low_bits, mut high_bits) = (low, high);
        let take = |bits: &mut u64, base: usize| {
            // Bit 63 is past each half, so with it set the lowest bit is a position in
            // the block even once `bits` runs out, and finding it needs no zero check.
            let at = NonZeroU64::new(*bits | 1 << 63).map_or(63, NonZeroU64::trailing_zeros);
            *bits &= bits.wrapping_sub(1);
            MEANS[block[base + at as usize] as usize]
        };
        for step in 0..low_count.max(high_count).div_ceil(4).min(16) {
            for k in 0..4 {
                out[4 * step + k] = take(&mut low_bits, 0);
                spare[4 * step + k] = take(&mut high_bits, 63);
            }
        }
        out[low_count..low_count + 64].copy_from_slice(spare);
        let count = low_count + high_count;
        let mut rest = signals;
        while rest != 0 {
            let at = rest.trailing_zeros();
            let slot = (types & ((1 << at) - 1)).count_ones() as usize;
            out[slot % BLOCK] = match block[at as usize] {
                IP => Typed::Interrupt,
                _ => Typed::EndOfInput,
            };
            rest &= rest - 1;
        }

        let mut rest = options & valid;
        while rest != 0 {
            let at = rest.trailing_zeros() as usize;
            let verb = match at {
                0 => verb_at_start.unwrap_or_default(),
                _ => block[at - 1],
            };
            self.negotiate(verb, block[at], reply);
            rest &= rest - 1;
        }

        self.negotiated |= commands != 0;
        if data != 0 {
            self.after_cr = classes.cr & (1 << (127 - data.leading_zeros())) != 0;
        }
        let end = 1 << len;
        self.after_iac = escaped & end != 0;
        self.in_sub = sub & end != 0;
        self.verb = (options & end != 0).then_some(block[len - 1]);
        Some(count)
    }

    /// The grammar, one byte at a time: the definition the windows must agree with, and
    /// the decoder for windows they cannot do.
    fn step(&mut self, b: u8, typed: &mut Vec<Typed>, reply: &mut Vec<u8>) {
        let next = match (self.syntax(), b) {
            // IAC is no data, so it does not end a CR's Enter.
            (Syntax::Data, IAC) => Syntax::Iac,
            (Syntax::Data, _) => {
                self.data(b, typed);
                Syntax::Data
            }
            // The data byte 255: never a move, but still data, so it ends a CR's Enter.
            (Syntax::Iac, IAC) => {
                self.after_cr = false;
                Syntax::Data
            }
            (Syntax::Verb(verb), _) => {
                self.negotiate(verb, b, reply);
                Syntax::Data
            }
            (Syntax::Sub, IAC) => Syntax::SubIac,
            (Syntax::Sub, _) | (Syntax::SubIac, IAC) => Syntax::Sub,
            (Syntax::SubIac, SE) => Syntax::Data,
            // A client that forgets IAC SE must neither lose the command that follows
            // nor have its typing skipped forever: any command ends a subnegotiation.
            (Syntax::Iac | Syntax::SubIac, _) => self.command(b, typed),
        };
        (self.after_iac, self.in_sub, self.verb) = match next {
            Syntax::Data => (false, false, None),
            Syntax::Iac => (true, false, None),
            Syntax::Verb(verb) => (false, false, Some(verb)),
            Syntax::Sub => (false, true, None),
            Syntax::SubIac => (true, true, None),
        };
    }

    /// Where the parser is, from the bits the windows carry.
    fn syntax(&self) -> Syntax {
        match (self.after_iac, self.in_sub, self.verb) {
            (_, _, Some(verb)) => Syntax::Verb(verb),
            (false, false, None) => Syntax::Data,
            (true, false, None) => Syntax::Iac,
            (false, true, None) => Syntax::Sub,
            (true, true, None) => Syntax::SubIac,
        }
    }

    /// The data byte `b`.
    fn data(&mut self, b: u8, typed: &mut Vec<Typed>) {
        let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
        match b {
            // The LF (or NUL) of CR LF (CR NUL) belongs to the CR's Enter.
            b'\n' if after_cr => {}
            // NUL is padding; UTF-8 continuation bytes belong to their lead byte's key.
            0x00 | 0x80..=0xbf => {}
            _ => typed.push(MEANS[b as usize]),
        }
    }

    /// IAC `b`, for `b` other than IAC: a command. Returns where it leaves the parser.
    fn command(&mut self, b: u8, typed: &mut Vec<Typed>) -> Syntax {
        self.negotiated = true;
        match b {
            WILL..=DONT => return Syntax::Verb(b),
            SB => return Syntax::Sub,
            IP => typed.push(Typed::Interrupt),
            EOF => typed.push(Typed::EndOfInput),
            // NOP, GA, DM, BRK, AO, AYT, EC, EL, a stray SE, and bytes that are no
            // command at all: nothing a game needs, and nothing to answer.
            _ => {}
        }
        Syntax::Data
    }

    /// Answers IAC `verb` `option` (`verb` one of WILL, WONT, DO, DONT).
    fn negotiate(&mut self, verb: u8, option: u8, reply: &mut Vec<u8>) {
        let (ours, theirs) = (
            &mut self.ours[option as usize],
            &mut self.theirs[option as usize],
        );
        let rule = RULES[(verb.wrapping_sub(WILL) & 3) as usize][*ours as usize][*theirs as usize];
        // Most negotiations change nothing (clients repeat themselves); not storing
        // then keeps the next negotiation of the same option from waiting on this one.
        if (rule.ours, rule.theirs) != (*ours, *theirs) {
            (*ours, *theirs) = (rule.ours, rule.theirs);
        }
        if let Some(answer) = rule.answer {
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

    /// A test vector: the reads, what they type, and the answer to send.
    type Vector = (&'static [&'static [u8]], &'static [Typed], &'static [u8]);

    /// The seed's capture of inetutils telnet in LINEMODE typing "signal".
    const CHATTER: &[u8] = b"\xff\xfd\x03si\xff\xfb\"gn\xff\xfa\"\x03\x01\x00\x00\x03b\x03\x04\x02\x0f\x05\x00\x00\x07b\x1c\x08\x02\x04\tB\x1a\n\x02\x7f\x0b\x02\x15\x0f\x02\x11\x10\x02\x13\x11\x02\xff\xff\x12\x02\xff\xff\xff\xf0al\xff\xfd\x01";

    /// Two-, three- and four-byte characters, then a key.
    const UTF8: &[u8] = "é€😀r".as_bytes();

    /// What inetutils telnet offers as it connects.
    const INETUTILS_OPENING: &[u8] = &[
        0xff, 0xfd, 0x26, 0xff, 0xfb, 0x26, 0xff, 0xfd, 0x03, 0xff, 0xfb, 0x18, 0xff, 0xfb, 0x1f,
        0xff, 0xfb, 0x20, 0xff, 0xfb, 0x21, 0xff, 0xfb, 0x22, 0xff, 0xfb, 0x27, 0xff, 0xfd, 0x05,
    ];

    #[test]
    fn vectors_hold_however_split() {
        #[rustfmt::skip]
        let cases: &[Vector] = &[
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
            (&[UTF8], &[Key(0xc3), Key(0xe2), Key(0xf0), Key(b'r')], &[]),
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

    /// What the grammar says of `input`, one [`TelnetFilter::step`] at a time.
    fn bytewise(input: &[u8]) -> (Vec<Typed>, Vec<u8>, bool) {
        let mut filter = TelnetFilter::new();
        let (mut typed, mut reply) = (Vec::new(), Vec::new());
        for &b in input {
            filter.step(b, &mut typed, &mut reply);
        }
        (typed, reply, filter.negotiated())
    }

    /// A small deterministic generator, so failures reproduce.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn byte(&mut self) -> u8 {
            self.below(256) as u8
        }

        fn pick(&mut self, bytes: &[u8]) -> u8 {
            bytes[self.below(bytes.len())]
        }
    }

    /// About `len` bytes of the telnet a client might send, odd corners included:
    /// every command byte, option 255, doubled IACs, SBs with or without IAC SE.
    fn chatter(rng: &mut XorShift, len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < len {
            match rng.below(14) {
                0..=4 => out.push(rng.pick(b"rps\x1b\x7f")),
                5 => out.extend_from_slice([&b"\r\0"[..], b"\r\n", b"\n", b"\r"][rng.below(4)]),
                6 => out.push(rng.pick(&[0x00, 0x03, 0x04, 0xc3, 0xa9, 0xf4, 0xec])),
                7 => out.extend_from_slice(&[IAC, IAC]),
                8 => out.extend_from_slice(&[IAC, rng.byte()]),
                9 => out.extend_from_slice(&[IAC, rng.pick(&[WILL, WONT, DO, DONT]), rng.byte()]),
                10 => out.extend_from_slice(&[
                    IAC,
                    rng.pick(&[WILL, WONT, DO, DONT]),
                    1 + rng.below(40) as u8,
                ]),
                11 => {
                    out.extend_from_slice(&[IAC, SB]);
                    for _ in 0..rng.below(12) {
                        let any = rng.byte();
                        out.push(rng.pick(&[0x00, 0x0d, 0x0a, SE, IAC, SB, any]));
                    }
                    out.extend_from_slice(&[IAC, rng.pick(&[SE, SE, SE, IP, WILL, SB])]);
                }
                12 => out.push(rng.byte()),
                _ => out.extend(std::iter::repeat_n(IAC, rng.below(6))),
            }
        }
        out
    }

    #[test]
    fn windows_agree_with_the_bytewise_grammar() {
        let mut rng = XorShift(0x5eed_1e55);
        for round in 0..3000 {
            let len = [1, 10, 125, 126, 127, 128, 300, 700, 5000][round % 9];
            let input = if round % 5 == 4 {
                (0..len).map(|_| rng.byte()).collect()
            } else {
                chatter(&mut rng, len)
            };
            let expected = bytewise(&input);
            let mut filter = TelnetFilter::new();
            let (mut typed, mut reply) = (Vec::new(), Vec::new());
            let mut rest = &input[..];
            while !rest.is_empty() {
                let read = rest.len().min(1 + rng.below(200));
                filter.feed(&rest[..read], &mut typed, &mut reply);
                rest = &rest[read..];
            }
            let got = (typed, reply, filter.negotiated());
            assert_eq!(got, expected, "round {round}: {input:02x?}");
            assert_eq!(feed_reads([&input[..]]), (expected.0, expected.1));
        }
    }

    #[test]
    fn classes_of_a_window_are_those_of_its_bytes() {
        let bytes: Vec<u8> = (0..=255).collect();
        for block in bytes.chunks(BLOCK) {
            let block: &[u8; BLOCK] = block.try_into().unwrap();
            assert_eq!(Classes::of(block), Classes::of_bytes(block));
        }
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
