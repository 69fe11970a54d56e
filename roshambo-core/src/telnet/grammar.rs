//! The filter's grammar, one byte at a time: the definition of what a guest's bytes
//! mean, which the window decoder must agree with, and the decoder for the windows it
//! cannot do. Pure: no IO.
//!
//! Written for reading, not for speed: one `match` on where the parser is and the byte.

use super::told::{answer, question};
use super::{TelnetFilter, Typed, DONT, EOF, IAC, IP, SB, SE, WILL};

/// Where the parser is in the telnet command syntax between two bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    /// Plain data.
    Data,
    /// Just after an IAC in the data.
    Iac,
    /// After IAC and this verb (WILL/WONT/DO/DONT), waiting for the option byte.
    Verb(u8),
    /// Inside a subnegotiation: what its payload comes to is [`Sub`].
    Sub,
    /// Just after an IAC inside a subnegotiation.
    SubIac,
}

/// What the parser does with the payload of the subnegotiation it is in. Kept apart from
/// [`Syntax`] because the windows carry only whether they end in one: a window that
/// starts in a subnegotiation whose payload is kept, or opens one, is left to the
/// grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sub {
    /// Just after IAC SB: the next byte is the option.
    Opening,
    /// Skipping the payload: every option but those we asked about, and those once
    /// answered.
    Skip,
    /// Keeping the payload of this option (TTYPE or NEW-ENVIRON) to read at IAC SE.
    Keep(u8),
}

/// What each data byte types, for the bytes that type something.
pub(super) const MEANS: [Typed; 256] = {
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

impl TelnetFilter {
    /// The grammar, one byte at a time: the definition the windows must agree with, and
    /// the decoder for windows they cannot do.
    pub(super) fn step(&mut self, b: u8, typed: &mut Vec<Typed>, reply: &mut Vec<u8>) {
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
            (Syntax::Sub, IAC) => {
                // IAC IAC as the option is option 255, which we never ask about.
                if self.sub == Sub::Opening {
                    self.sub = Sub::Skip;
                }
                Syntax::SubIac
            }
            (Syntax::Sub, _) => {
                self.payload(b);
                Syntax::Sub
            }
            (Syntax::SubIac, IAC) => {
                self.payload(IAC);
                Syntax::Sub
            }
            (Syntax::SubIac, SE) => {
                self.sub_ended();
                Syntax::Data
            }
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
            // NUL is padding.
            0x00 => {}
            _ => typed.push(MEANS[b as usize]),
        }
    }

    /// The byte `b` of a subnegotiation: its option, or its payload.
    fn payload(&mut self, b: u8) {
        match self.sub {
            Sub::Opening => {
                self.sub = match question(b) {
                    Some(question) if !self.told.is_settled(question) => {
                        self.kept.clear();
                        Sub::Keep(b)
                    }
                    _ => Sub::Skip,
                }
            }
            Sub::Keep(_) => self.kept.push(b),
            Sub::Skip => {}
        }
    }

    /// IAC SE: a payload kept is read. (A subnegotiation that another command cuts
    /// short is no answer.)
    fn sub_ended(&mut self) {
        if let Sub::Keep(option) = std::mem::replace(&mut self.sub, Sub::Skip) {
            if let Some((question, told)) = answer(option, &self.kept) {
                self.told.settle(question, told);
            }
        }
    }

    /// IAC `b`, for `b` other than IAC: a command. Returns where it leaves the parser.
    fn command(&mut self, b: u8, typed: &mut Vec<Typed>) -> Syntax {
        self.negotiated = true;
        match b {
            WILL..=DONT => return Syntax::Verb(b),
            SB => {
                self.sub = Sub::Opening;
                return Syntax::Sub;
            }
            IP => typed.push(Typed::Interrupt),
            EOF => typed.push(Typed::EndOfInput),
            // NOP, GA, DM, BRK, AO, AYT, EC, EL, a stray SE, and bytes that are no
            // command at all: nothing a game needs, and nothing to answer.
            _ => {}
        }
        Syntax::Data
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{TOLD_VECTORS, VECTORS};
    use super::super::Told;
    use super::*;

    /// The definition alone, one byte at a time with no window in the way, meets the
    /// vectors the whole filter is held to.
    #[test]
    fn the_grammar_alone_meets_the_vectors() {
        for &(reads, typed, reply) in VECTORS {
            let mut filter = TelnetFilter::new();
            let (mut got_typed, mut got_reply) = (Vec::new(), Vec::new());
            for &b in reads.concat().iter() {
                filter.step(b, &mut got_typed, &mut got_reply);
            }
            assert_eq!(
                (&got_typed[..], &got_reply[..]),
                (typed, reply),
                "{reads:02x?}"
            );
        }
        for (reads, told) in TOLD_VECTORS {
            let mut filter = TelnetFilter::new();
            for &b in reads.concat().iter() {
                filter.step(b, &mut Vec::new(), &mut Vec::new());
            }
            let got: Vec<Told> = std::iter::from_fn(|| filter.poll_told()).collect();
            assert_eq!(got, told(), "{reads:02x?}");
        }
    }
}
