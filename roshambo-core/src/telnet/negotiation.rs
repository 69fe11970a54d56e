//! Option negotiation as RFC 1143 has it: each option has two sides (ours and the
//! client's), each side a small state, and each WILL, WONT, DO or DONT a rule that moves
//! them and says what to answer. Pure: no IO.
//!
//! The states include a closed one, so every option is answered a bounded number of
//! times however often a client repeats itself; and the rules never acknowledge an
//! acknowledgement, which is what keeps two peers from answering each other forever.

use super::told::{ask_to_send, Question, Told};
use super::{TelnetFilter, DO, DONT, IAC, NEW_ENVIRON, SB, WILL, WONT};

/// One side of one option, as RFC 1143 tracks it, with a closed state so that every
/// option is answered a bounded number of times however often a client repeats itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    /// Not in force, and we would refuse it.
    Off,
    /// Not in force, and we would accept it: the client's SUPPRESS-GO-AHEAD.
    Welcome,
    /// We sent WILL (the greeting) and are waiting for DO or DONT.
    Offered,
    /// We sent DO (the greeting asks for TTYPE and NEW-ENVIRON) and are waiting for
    /// WILL or WONT; WILL earns the option's SEND, once.
    Asked,
    /// In force.
    On,
    /// Not in force and never again: we said our last word about it.
    Closed,
}

/// What IAC `verb` does to an option: its sides after, and our answer if any: IAC
/// `answer` option, or for `answer` SB the option's SEND subnegotiation.
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
            // The answer to our DO needs no DO back; now we may ask what it has.
            (WILL, _, Side::Asked) => to(ours, Side::On, Some(SB)),
            // Refusing our request needs no answer, and we will not ask again.
            (WONT, _, Side::Asked) => to(ours, Side::Closed, None),
            (WILL, _, Side::Off) => to(ours, Side::Closed, Some(DONT)),
            (WONT, _, Side::On) => to(ours, Side::Closed, Some(DONT)),
            // Repeats, answers to our own requests, and anything about an option
            // not in force: silence, which is what keeps two peers from looping.
            _ => to(ours, theirs, None),
        }
    }
}

/// How many states a [`Side`] has.
const SIDES: usize = 6;

/// [`Rule::of`] for every verb (from WILL) and pair of sides: guests negotiate in no
/// order a branch predictor could learn, so the filter looks answers up.
const RULES: [[[Rule; SIDES]; SIDES]; 4] = {
    let sides = [
        Side::Off,
        Side::Welcome,
        Side::Offered,
        Side::Asked,
        Side::On,
        Side::Closed,
    ];
    let mut table = [[[Rule::of(WILL, Side::Off, Side::Off); SIDES]; SIDES]; 4];
    let mut verb = 0;
    while verb < 4 {
        let mut ours = 0;
        while ours < SIDES {
            let mut theirs = 0;
            while theirs < SIDES {
                table[verb][ours][theirs] = Rule::of(WILL + verb as u8, sides[ours], sides[theirs]);
                theirs += 1;
            }
            ours += 1;
        }
        verb += 1;
    }
    table
};

impl TelnetFilter {
    /// Answers IAC `verb` `option` (`verb` one of WILL, WONT, DO, DONT).
    pub(super) fn negotiate(&mut self, verb: u8, option: u8, reply: &mut Vec<u8>) {
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
        match rule.answer {
            Some(SB) => reply.extend_from_slice(ask_to_send(option)),
            Some(answer) => reply.extend_from_slice(&[IAC, answer, option]),
            None => {}
        }
        // A client that will not tell its environment has no user name to give.
        if verb == WONT && option == NEW_ENVIRON {
            self.told.settle(Question::User, Some(Told::User(None)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::feed_reads;
    use super::super::{NEW_ENVIRON, TTYPE};
    use super::Side::{Asked, Closed, Off, Offered, On, Welcome};
    use super::*;

    /// RFC 1143's answers, case by case: the verb, the sides before, the sides after and
    /// what we say.
    #[test]
    fn rules_answer_as_rfc_1143_says() {
        let to = Rule::to;
        #[rustfmt::skip]
        let cases: &[(u8, Side, Side, Rule)] = &[
            // The client accepts or refuses what the greeting offered: no answer.
            (DO, Offered, Off, to(On, Off, None)),
            (DONT, Offered, Off, to(Off, Off, None)),
            // It asks for something we do not do, or stops what we do: refused once.
            (DO, Off, Off, to(Closed, Off, Some(WONT))),
            (DONT, On, Off, to(Closed, Off, Some(WONT))),
            (DO, Closed, Off, to(Closed, Off, None)),
            // Its offers: SUPPRESS-GO-AHEAD welcome, anything else refused once.
            (WILL, Offered, Welcome, to(Offered, On, Some(DO))),
            (WILL, Off, Off, to(Off, Closed, Some(DONT))),
            (WONT, Off, On, to(Off, Closed, Some(DONT))),
            (WILL, Off, Closed, to(Off, Closed, None)),
            // Its answers to what the greeting asked: SEND once for WILL, WONT taken
            // silently, and a WONT after WILL acknowledged as any other.
            (WILL, Off, Asked, to(Off, On, Some(SB))),
            (WONT, Off, Asked, to(Off, Closed, None)),
            (WONT, Off, On, to(Off, Closed, Some(DONT))),
            (DO, Off, Asked, to(Closed, Asked, Some(WONT))),
            // Repeats of what is already so: silence.
            (DO, On, Off, to(On, Off, None)),
            (WILL, Off, On, to(Off, On, None)),
            (WONT, Off, Off, to(Off, Off, None)),
        ];
        for &(verb, ours, theirs, after) in cases {
            let rule = RULES[usize::from(verb - WILL)][ours as usize][theirs as usize];
            assert_eq!(rule, Rule::of(verb, ours, theirs));
            assert_eq!(rule, after, "{verb} {ours:?} {theirs:?}");
        }
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
        let twice = feed_reads([&[0xff, 0xfb, 0x20][..], &[0xff, 0xfb, 0x20]]);
        assert_eq!(twice, (vec![], vec![0xff, 0xfe, 0x20]));
    }

    /// What the client says to the greeting's DO TTYPE and DO NEW-ENVIRON, and what the
    /// filter answers, in order.
    #[test]
    fn the_greetings_requests_are_followed_by_send_once() {
        const TTYPE_SEND: &[u8] = &[IAC, SB, TTYPE, 1, IAC, super::super::SE];
        const ENVIRON_SEND: &[u8] = b"\xff\xfa\x27\x01\x00USER\xff\xf0";
        #[rustfmt::skip]
        let cases: &[(&[u8], &[&[u8]])] = &[
            (&[IAC, WILL, TTYPE], &[TTYPE_SEND]),
            (&[IAC, WILL, NEW_ENVIRON], &[ENVIRON_SEND]),
            (&[IAC, WONT, TTYPE], &[]),
            (&[IAC, WONT, NEW_ENVIRON], &[]),
            // Repeats are answered by nothing.
            (&[IAC, WILL, TTYPE, IAC, WILL, TTYPE, IAC, WILL, TTYPE], &[TTYPE_SEND]),
            (&[IAC, WONT, TTYPE, IAC, WILL, TTYPE, IAC, WONT, TTYPE], &[]),
            // Stopping after saying yes is acknowledged, once; never asked again.
            (&[IAC, WILL, TTYPE, IAC, WONT, TTYPE, IAC, WILL, TTYPE, IAC, WONT, TTYPE],
                &[TTYPE_SEND, &[IAC, DONT, TTYPE]]),
            // Asking us for our terminal type is refused, and changes nothing of theirs.
            (&[IAC, DO, TTYPE, IAC, WILL, TTYPE], &[&[IAC, WONT, TTYPE], TTYPE_SEND]),
            // What inetutils telnet answers the greeting.
            (&[IAC, DO, 1, IAC, DO, 3, IAC, WILL, TTYPE, IAC, WILL, NEW_ENVIRON],
                &[TTYPE_SEND, ENVIRON_SEND]),
        ];
        for &(input, answers) in cases {
            assert_eq!(
                feed_reads([input]),
                (vec![], answers.concat()),
                "{input:02x?}"
            );
        }
    }

    #[test]
    fn a_refused_environment_tells_no_user_name_once() {
        for input in [
            &[IAC, WONT, NEW_ENVIRON, IAC, WONT, NEW_ENVIRON][..],
            &[
                IAC,
                WILL,
                NEW_ENVIRON,
                IAC,
                WONT,
                NEW_ENVIRON,
                IAC,
                WONT,
                NEW_ENVIRON,
            ],
        ] {
            let mut filter = TelnetFilter::new();
            filter.feed(input, &mut Vec::new(), &mut Vec::new());
            assert_eq!(filter.poll_told(), Some(Told::User(None)), "{input:02x?}");
            assert_eq!(filter.poll_told(), None, "{input:02x?}");
        }
    }
}
