//! Fuzzes the telnet filter: however the input is cut into reads, what was typed and
//! what was answered and what the client told of itself must be the same, and the
//! answers must stay bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use roshambo_core::telnet::{TelnetFilter, Told, Typed};

/// At most one answer of 3 bytes per option and side, plus the one extra (DO then DONT)
/// that SUPPRESS-GO-AHEAD can earn, and the SENDs for TTYPE (6 bytes) and NEW-ENVIRON
/// (11).
const MAX_REPLY: usize = 3 * (2 * 256 + 1) + 6 + 11;

/// Feeds `reads` to a fresh filter and returns everything it produced.
fn run<'a>(reads: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Typed>, Vec<u8>, bool, Vec<Told>) {
    let mut filter = TelnetFilter::new();
    let (mut typed, mut reply, mut told) = (Vec::new(), Vec::new(), Vec::new());
    for read in reads {
        filter.feed(read, &mut typed, &mut reply);
        told.extend(std::iter::from_fn(|| filter.poll_told()));
    }
    assert!(told.len() <= 2, "told more than twice: {told:?}");
    (typed, reply, filter.negotiated(), told)
}

/// Cuts `input` into reads of 1 to 256 bytes (so that reads start at every offset of the
/// filter's 126-byte windows), whose lengths come from a xorshift seeded by the two
/// control bytes, so libFuzzer can steer the cuts; empty reads are legal, so some are
/// mixed in.
fn cut(input: &[u8], control: [u8; 2]) -> Vec<&[u8]> {
    let longest = usize::from(control[0]) + 1;
    let mut state = u32::from(u16::from_le_bytes(control)) | 0x1_0000;
    let mut reads: Vec<&[u8]> = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        if state & 0x100 != 0 {
            reads.push(&[]);
        }
        let len = (1 + state as usize % longest).min(rest.len());
        let (read, tail) = rest.split_at(len);
        reads.push(read);
        rest = tail;
    }
    reads
}

fuzz_target!(|data: &[u8]| {
    let (control, input) = match data {
        [a, b, input @ ..] => ([*a, *b], input),
        _ => return,
    };
    let whole = run([input]);
    assert!(whole.0.len() <= input.len(), "more typed than bytes");
    assert!(
        whole.1.len() <= MAX_REPLY,
        "unbounded replies: {}",
        whole.1.len()
    );
    assert_eq!(run(cut(input, control)), whole, "cut by {control:02x?}");
    assert_eq!(run(input.chunks(1)), whole, "one byte per read");
});
