//! The fast path: the filter's grammar decoded 126 bytes at a time as bit masks, with
//! SSE2 sorting 16 bytes per instruction where the processor has it and a portable loop
//! where it has not. Pure: no IO.
//!
//! Every bit trick here must say exactly what [`super::grammar`] says byte by byte; the
//! differential test at the bottom holds the two together.

use super::grammar::{Sub, MEANS};
use super::told::question;
use super::{TelnetFilter, Typed, EOF, IAC, IP, NEW_ENVIRON, SB, TTYPE, WILL};
use std::num::NonZeroU64;

/// One bit per byte of a window.
type Mask = u128;

/// How many bytes [`TelnetFilter::feed`] decodes at once: fewer than the bits of a
/// [`Mask`], so that bit `len` of a window's masks always exists and tells how it ends;
/// and two times 63, so that each half of a window's keys fits in a `u64` with a bit to
/// spare (see [`TelnetFilter::window`]). The wider the window, the fewer the branches
/// per byte that the processor cannot foresee (a few per window).
pub(super) const WINDOW: usize = 126;

/// The bytes a window is read from: its bytes, then whatever follows.
pub(super) const BLOCK: usize = 128;

/// A window's bytes sorted into the classes the decoder needs, one bit per byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Classes {
    iac: Mask,
    cr: Mask,
    lf: Mask,
    /// Bytes that are no key even as data: NUL (padding) and 255 (IAC IAC's second).
    no_key: Mask,
    sb: Mask,
    /// WILL, WONT, DO, DONT, and 255 (no command, so no matter).
    verb: Mask,
    /// IP and EOF.
    signal: Mask,
    /// TTYPE and NEW-ENVIRON: after an SB, the options whose answers are kept.
    question: Mask,
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
            classes.no_key |= Mask::from(b == 0x00 || b == IAC) << i;
            classes.sb |= Mask::from(b == SB) << i;
            classes.verb |= Mask::from(b >= WILL) << i;
            classes.signal |= Mask::from(b == IP || b == EOF) << i;
            classes.question |= Mask::from(b == TTYPE || b == NEW_ENVIRON) << i;
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
            let [iac, cr, lf, no_key, sb, verb, signal, question] = unsafe {
                let v = _mm_loadu_si128(lane.as_ptr().cast());
                let is = |b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let iac = is(IAC);
                // As i8, WILL..=IAC are -5..=-1.
                let verb = _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(WILL as i8 - 1)),
                    _mm_cmplt_epi8(v, _mm_setzero_si128()),
                );
                [
                    iac,
                    is(b'\r'),
                    is(b'\n'),
                    _mm_or_si128(is(0), iac),
                    is(SB),
                    verb,
                    _mm_or_si128(is(IP), is(EOF)),
                    _mm_or_si128(is(TTYPE), is(NEW_ENVIRON)),
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
            classes.question |= question;
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

impl TelnetFilter {
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
    pub(super) fn window(
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
        // Each SB's option byte, which may be bit `len`: the next window's first.
        let options_of_sb = (classes.sb & commands) << 1;
        let opened = options_of_sb | sub_at_start;
        let sub = (opened.wrapping_add(others) ^ others) & others;
        let verbs = classes.verb & commands;
        let signals = classes.signal & commands;
        let options = (verbs << 1) | Mask::from(verb_at_start.is_some());
        if options & classes.iac & valid != 0 {
            // Option 255 breaks the runs of IACs that `escaped` counts; no client
            // sends it, so the byte-at-a-time machine is fast enough for it.
            return None;
        }
        // The answers to what the greeting asked are kept, which is the grammar's work:
        // a window that opens one, or starts in one, is handed to it. (One that starts
        // with the option of an SB that ended the last is not, unless the option is
        // one of those: a window in 25 ends on an SB in a stream of NAWS reports.)
        let continued = match self.sub {
            _ if sub_at_start == 0 => None,
            Sub::Skip => None,
            Sub::Opening => question(block[0]),
            Sub::Keep(option) => question(option),
        };
        if continued.is_some() || options_of_sb & classes.question & valid != 0 {
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
        // A window that ends on IAC SB leaves the option to the next one.
        self.sub = if options_of_sb & end != 0 {
            Sub::Opening
        } else {
            Sub::Skip
        };
        Some(count)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::feed_reads;
    use super::super::{Told, DO, DONT, NEW_ENVIRON, SE, TTYPE, WONT};
    use super::*;

    /// What the grammar says of `input`, one [`TelnetFilter::step`] at a time.
    fn bytewise(input: &[u8]) -> (Vec<Typed>, Vec<u8>, bool, Vec<Told>) {
        let mut filter = TelnetFilter::new();
        let (mut typed, mut reply) = (Vec::new(), Vec::new());
        for &b in input {
            filter.step(b, &mut typed, &mut reply);
        }
        let told = std::iter::from_fn(|| filter.poll_told()).collect();
        (typed, reply, filter.negotiated(), told)
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
            match rng.below(16) {
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
                // What the greeting asks: answers, whole or odd, short or overlong.
                13 => out.extend_from_slice(&[
                    IAC,
                    rng.pick(&[WILL, WONT, WILL, DO]),
                    rng.pick(&[TTYPE, NEW_ENVIRON]),
                ]),
                14 => {
                    out.extend_from_slice(&[IAC, SB, rng.pick(&[TTYPE, NEW_ENVIRON])]);
                    out.push(rng.pick(&[0, 0, 0, 1, 2]));
                    let len = [0, 1, 5, 63, 64, 65, 200][rng.below(7)];
                    for _ in 0..len {
                        let any = rng.byte();
                        match rng.pick(&[0, 1, 2, 3, 4, 5]) {
                            0 => out.extend_from_slice(b"USER"),
                            1 => out.extend_from_slice(&[IAC, IAC]),
                            2 => out.push(rng.pick(&[0, 1, 2, 3, SE, SB])),
                            _ => out.push(any),
                        }
                    }
                    out.extend_from_slice(&[IAC, rng.pick(&[SE, SE, SE, SE, IP, SB])]);
                }
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
            let told = std::iter::from_fn(|| filter.poll_told()).collect();
            let got = (typed, reply, filter.negotiated(), told);
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
}
