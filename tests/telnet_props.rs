//! Properties of the telnet filter over generated traffic: whatever mix of typing and
//! telnet commands a client sends, however the network cuts it into reads, the filter
//! reports exactly the typing, and its answers stay bounded; what it is told of the
//! client is the same however the reads are cut.

use proptest::prelude::*;
use proptest::sample::Index;
use roshambo_core::telnet::{TelnetFilter, Told, Typed};

/// IAC SB TTYPE SEND IAC SE, and IAC SB NEW-ENVIRON SEND VAR "USER" IAC SE.
const TTYPE_SEND: &[u8] = b"\xff\xfa\x18\x01\xff\xf0";
const ENVIRON_SEND: &[u8] = b"\xff\xfa\x27\x01\x00USER\xff\xf0";

/// At most one answer of 3 bytes per option and side, plus the one extra (DO then DONT)
/// that SUPPRESS-GO-AHEAD can earn, and a SEND for each of TTYPE and NEW-ENVIRON
/// (which take the place of a DONT, and can earn one later).
const MAX_REPLY: usize = 3 * (2 * 256 + 1) + TTYPE_SEND.len() + ENVIRON_SEND.len();

/// Whether `reply` is a run of whole answers: IAC WONT/DO/DONT and an option, or a
/// SEND.
fn whole_answers(mut reply: &[u8]) -> bool {
    while !reply.is_empty() {
        let len = match reply {
            [0xff, 0xfc..=0xfe, _, ..] => 3,
            _ if reply.starts_with(TTYPE_SEND) => TTYPE_SEND.len(),
            _ if reply.starts_with(ENVIRON_SEND) => ENVIRON_SEND.len(),
            _ => return false,
        };
        reply = &reply[len..];
    }
    true
}

/// One thing a client can send.
#[derive(Clone, Debug)]
enum Token {
    /// A single-byte key.
    Key(u8),
    /// A multi-byte UTF-8 character.
    Char(char),
    /// Enter, spelled CR NUL, CR LF, LF, or lone CR (0..=3).
    Enter(u8),
    CtrlC,
    CtrlD,
    /// IAC IAC: the data byte 255.
    Ff,
    /// IAC and a command that takes no option (or a byte that is no command).
    Command(u8),
    /// IAC WILL/WONT/DO/DONT and an option.
    Negotiate(u8, u8),
    /// IAC SB option payload IAC SE; 255 in the option or payload is sent doubled.
    Sub(u8, Vec<u8>),
}

/// TTYPE and NEW-ENVIRON, whose answers the filter reads.
fn asked() -> impl Strategy<Value = u8> {
    prop_oneof![Just(24u8), Just(39u8)]
}

/// What the answer to TTYPE or NEW-ENVIRON is made of: IS, the type codes, USER, and
/// anything.
fn answer_payload() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::collection::vec(0..4u8, 1..2),
        Just(b"USER".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
        Just(vec![0xf0]),
        Just(vec![0xff]),
    ];
    (0..3u8, prop::collection::vec(piece, 0..24)).prop_map(|(kind, pieces)| {
        std::iter::once(kind)
            .chain(pieces.into_iter().flatten())
            .collect()
    })
}

fn token() -> impl Strategy<Value = Token> {
    let keys: Vec<u8> = (0x20..0x7f).chain([0x01, 0x09, 0x1a, 0x1b, 0x7f]).collect();
    let payload_byte = prop_oneof![any::<u8>(), Just(0xf0), Just(0xff)];
    prop_oneof![
        8 => prop::sample::select(keys).prop_map(Token::Key),
        1 => proptest::char::range('\u{80}', char::MAX).prop_map(Token::Char),
        2 => (0..4u8).prop_map(Token::Enter),
        1 => Just(Token::CtrlC),
        1 => Just(Token::CtrlD),
        1 => Just(Token::Ff),
        1 => (236..=249u8).prop_map(Token::Command),
        // Bytes that are no command at all still make IAC x a command to skip.
        1 => (0..236u8).prop_map(Token::Command),
        3 => (251..=254u8, any::<u8>()).prop_map(|(verb, option)| Token::Negotiate(verb, option)),
        1 => (any::<u8>(), prop::collection::vec(payload_byte, 0..12))
            .prop_map(|(option, payload)| Token::Sub(option, payload)),
        1 => (251..=254u8, asked()).prop_map(|(verb, option)| Token::Negotiate(verb, option)),
        1 => (asked(), answer_payload()).prop_map(|(option, payload)| Token::Sub(option, payload)),
    ]
}

/// The bytes a client sends for `tokens`, what the filter must report for them, and
/// whether they hold a telnet command.
fn encode(tokens: &[Token]) -> (Vec<u8>, Vec<Typed>, bool) {
    let (mut bytes, mut typed, mut negotiated) = (Vec::new(), Vec::new(), false);
    // A lone CR followed (commands aside) by an LF would be one CR LF Enter, not two
    // Enters: such an LF is sent as CR LF instead, which is the same Enter count.
    let mut lone_cr = false;
    for token in tokens {
        match token {
            Token::Key(b) => {
                bytes.push(*b);
                typed.push(Typed::Key(*b));
            }
            Token::Char(c) => {
                for &b in c.encode_utf8(&mut [0; 4]).as_bytes() {
                    bytes.push(b);
                    typed.push(Typed::Key(b));
                }
            }
            Token::Enter(spelling) => {
                bytes.extend_from_slice(match (*spelling, lone_cr) {
                    (0, _) => b"\r\0",
                    (1, _) | (2, true) => b"\r\n",
                    (2, false) => b"\n",
                    _ => b"\r",
                });
                typed.push(Typed::Enter);
            }
            Token::CtrlC => {
                bytes.push(0x03);
                typed.push(Typed::Interrupt);
            }
            Token::CtrlD => {
                bytes.push(0x04);
                typed.push(Typed::EndOfInput);
            }
            Token::Ff => bytes.extend_from_slice(&[0xff, 0xff]),
            Token::Command(command) => {
                bytes.extend_from_slice(&[0xff, *command]);
                match command {
                    244 => typed.push(Typed::Interrupt),
                    236 => typed.push(Typed::EndOfInput),
                    _ => {}
                }
            }
            Token::Negotiate(verb, option) => bytes.extend_from_slice(&[0xff, *verb, *option]),
            Token::Sub(option, payload) => {
                bytes.extend_from_slice(&[0xff, 0xfa]);
                // The option code is doubled like the payload: option 255 (EXOPL) too.
                for &b in std::iter::once(option).chain(payload) {
                    bytes.push(b);
                    if b == 0xff {
                        bytes.push(0xff);
                    }
                }
                bytes.extend_from_slice(&[0xff, 0xf0]);
            }
        }
        match token {
            Token::Enter(spelling) => lone_cr = *spelling == 3,
            Token::Command(_) | Token::Negotiate(..) | Token::Sub(..) => negotiated = true,
            _ => lone_cr = false,
        }
    }
    (bytes, typed, negotiated)
}

/// Feeds `input` to a fresh filter, cut before each of `cuts` (any order, repeats
/// allowed: a repeat is an empty read).
fn feed_cut(input: &[u8], cuts: &[Index]) -> (Vec<Typed>, Vec<u8>, bool) {
    let (typed, reply, negotiated, _) = feed_cut_told(input, cuts);
    (typed, reply, negotiated)
}

/// [`feed_cut`], and what the filter was told, polled after every read.
fn feed_cut_told(input: &[u8], cuts: &[Index]) -> (Vec<Typed>, Vec<u8>, bool, Vec<Told>) {
    let mut at: Vec<usize> = cuts.iter().map(|cut| cut.index(input.len() + 1)).collect();
    at.sort_unstable();
    at.push(input.len());
    let mut filter = TelnetFilter::new();
    let (mut typed, mut reply, mut told) = (Vec::new(), Vec::new(), Vec::new());
    let mut start = 0;
    for end in at {
        filter.feed(&input[start..end], &mut typed, &mut reply);
        told.extend(std::iter::from_fn(|| filter.poll_told()));
        start = end;
    }
    (typed, reply, filter.negotiated(), told)
}

proptest! {
    #[test]
    fn typing_survives_commands_and_cuts(
        tokens in prop::collection::vec(token(), 0..64),
        cuts in prop::collection::vec(any::<Index>(), 0..10),
    ) {
        let (input, expected, negotiated) = encode(&tokens);
        let (typed, reply, was_negotiated) = feed_cut(&input, &cuts);
        prop_assert_eq!(&typed, &expected);
        prop_assert_eq!(was_negotiated, negotiated);
        prop_assert!(reply.len() <= MAX_REPLY);
        prop_assert!(whole_answers(&reply), "{:02x?}", reply);
        prop_assert_eq!((typed, reply), {
            let (typed, reply, _) = feed_cut(&input, &[]);
            (typed, reply)
        });
        let told = feed_cut_told(&input, &cuts).3;
        prop_assert!(told.len() <= 2);
        prop_assert_eq!(told, feed_cut_told(&input, &[]).3);
    }

    #[test]
    fn any_bytes_give_the_same_output_however_cut(
        input in prop::collection::vec(any::<u8>(), 0..256),
        cuts in prop::collection::vec(any::<Index>(), 0..10),
    ) {
        let whole = feed_cut_told(&input, &[]);
        prop_assert!(whole.0.len() <= input.len());
        prop_assert!(whole.1.len() <= MAX_REPLY);
        prop_assert!(whole_answers(&whole.1), "{:02x?}", whole.1);
        prop_assert_eq!(&feed_cut_told(&input, &cuts), &whole);
        let mut filter = TelnetFilter::new();
        let (mut typed, mut reply) = (Vec::new(), Vec::new());
        for byte in input.chunks(1) {
            filter.feed(byte, &mut typed, &mut reply);
        }
        let told: Vec<Told> = std::iter::from_fn(|| filter.poll_told()).collect();
        prop_assert_eq!((typed, reply, filter.negotiated(), told), whole);
    }
}
