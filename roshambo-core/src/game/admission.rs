//! Who may come in: at most so many guests at once, and so many from one address. Pure.
//!
//! Decided before anything is spent on a guest, so that a flood of connections costs
//! the server one answer each.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

/// Why a guest was turned away; its `Display` is what they are told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TurnedAway {
    /// `max_guests` are connected already.
    Full { max_guests: usize },
    /// `connected` guests are connected from the newcomer's address already.
    TooManyFromAddress { connected: usize },
}

impl fmt::Display for TurnedAway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TurnedAway::Full { max_guests } => write!(
                f,
                "Sorry, the server is full ({max_guests} guests). Please try again later."
            ),
            TurnedAway::TooManyFromAddress { connected } => write!(
                f,
                "Sorry, too many connections from your address ({connected}). Please try again later."
            ),
        }
    }
}

/// The guests let in, counted in total and by address.
#[derive(Clone, Debug)]
pub struct Admission {
    max_guests: usize,
    max_per_ip: usize,
    admitted: usize,
    per_ip: HashMap<IpAddr, usize>,
}

impl Admission {
    pub fn new(max_guests: usize, max_per_ip: usize) -> Admission {
        Admission {
            max_guests,
            max_per_ip,
            admitted: 0,
            per_ip: HashMap::new(),
        }
    }

    /// Lets a guest from `ip` in and counts them, or says why not (and counts nothing).
    pub fn admit(&mut self, ip: IpAddr) -> Result<(), TurnedAway> {
        if self.admitted >= self.max_guests {
            return Err(TurnedAway::Full {
                max_guests: self.max_guests,
            });
        }
        let from_ip = self.per_ip.entry(ip).or_insert(0);
        if *from_ip >= self.max_per_ip {
            let connected = *from_ip;
            if connected == 0 {
                self.per_ip.remove(&ip);
            }
            return Err(TurnedAway::TooManyFromAddress { connected });
        }
        *from_ip += 1;
        self.admitted += 1;
        Ok(())
    }

    /// A guest from `ip` who was let in has gone: their place and their address's share
    /// are free again.
    pub fn release(&mut self, ip: IpAddr) {
        if let Some(count) = self.per_ip.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                self.per_ip.remove(&ip);
            }
            self.admitted -= 1;
        }
    }

    /// Guests let in and not yet gone.
    pub fn admitted(&self) -> usize {
        self.admitted
    }

    /// Everyone has gone.
    pub fn clear(&mut self) {
        self.admitted = 0;
        self.per_ip.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn the_limits_turn_away_and_release_makes_room() {
        let mut admission = Admission::new(3, 2);
        assert_eq!(admission.admit(ip(1)), Ok(()));
        assert_eq!(admission.admit(ip(1)), Ok(()));
        assert_eq!(
            admission.admit(ip(1)),
            Err(TurnedAway::TooManyFromAddress { connected: 2 })
        );
        assert_eq!(admission.admit(ip(2)), Ok(()));
        assert_eq!(
            admission.admit(ip(3)),
            Err(TurnedAway::Full { max_guests: 3 })
        );
        assert_eq!(admission.admitted(), 3);
        admission.release(ip(1));
        assert_eq!(admission.admit(ip(3)), Ok(()));
        assert_eq!(
            admission.admit(ip(1)),
            Err(TurnedAway::Full { max_guests: 3 })
        );
    }

    #[test]
    fn turning_away_counts_nothing_and_a_stranger_releases_nothing() {
        let mut admission = Admission::new(1, 0);
        for _ in 0..100 {
            assert!(admission.admit(ip(1)).is_err());
        }
        assert_eq!(admission.admitted(), 0);
        assert!(admission.per_ip.is_empty(), "no address is kept for nobody");
        admission.release(ip(9));
        assert_eq!(admission.admitted(), 0);
    }

    #[test]
    fn what_the_turned_away_are_told() {
        assert_eq!(
            TurnedAway::Full { max_guests: 32 }.to_string(),
            "Sorry, the server is full (32 guests). Please try again later."
        );
        assert_eq!(
            TurnedAway::TooManyFromAddress { connected: 4 }.to_string(),
            "Sorry, too many connections from your address (4). Please try again later."
        );
    }
}
