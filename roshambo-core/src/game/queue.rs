//! The queue: the guests waiting their turn to play, first come first served. Pure.
//!
//! Guests hear it called "the line" ("You are number 2 in line"); in the code, a line is
//! a line of text, and the waiting guests are the queue.

use crate::game::GuestId;
use std::collections::VecDeque;
use std::sync::Arc;

/// The waiting guests, in order; places count from 1.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    waiting: VecDeque<GuestId>,
}

impl Queue {
    /// Puts `guest` at the back; returns their place.
    pub fn join(&mut self, guest: GuestId) -> usize {
        self.waiting.push_back(guest);
        self.waiting.len()
    }

    /// Takes the guest at the front, whose turn it is.
    pub fn next_up(&mut self) -> Option<GuestId> {
        self.waiting.pop_front()
    }

    /// Takes `guest` out from wherever they are; returns the place they had.
    pub fn leave(&mut self, guest: GuestId) -> Option<usize> {
        let index = self.waiting.iter().position(|&g| g == guest)?;
        self.waiting.remove(index);
        Some(index + 1)
    }

    /// `guest`'s place, counting from 1.
    pub fn place_of(&self, guest: GuestId) -> Option<usize> {
        self.waiting.iter().position(|&g| g == guest).map(|i| i + 1)
    }

    /// The guests from place `place` on, with their places: those who moved up when
    /// someone ahead of them left.
    pub fn from_place(&self, place: usize) -> impl Iterator<Item = (usize, GuestId)> + '_ {
        self.waiting
            .iter()
            .copied()
            .enumerate()
            .skip(place.saturating_sub(1))
            .map(|(i, g)| (i + 1, g))
    }

    /// Everyone waiting, in order, as one list to share among many lines of text.
    pub fn snapshot(&self) -> Arc<[GuestId]> {
        self.waiting.iter().copied().collect()
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Everyone waiting, front first.
    pub fn iter(&self) -> impl Iterator<Item = GuestId> + '_ {
        self.waiting.iter().copied()
    }

    pub fn clear(&mut self) {
        self.waiting.clear();
    }
}

/// What a waiting guest is told of their place.
pub fn place_line(place: usize) -> String {
    format!("You are number {place} in line")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(queue: &Queue) -> Vec<u64> {
        queue.iter().map(|g| g.0).collect()
    }

    #[test]
    fn first_come_first_served_and_leaving_from_the_middle_moves_up_those_behind() {
        let mut queue = Queue::default();
        for n in 1..=4 {
            assert_eq!(queue.join(GuestId(n)), n as usize);
        }
        assert_eq!(queue.leave(GuestId(2)), Some(2));
        assert_eq!(ids(&queue), [1, 3, 4]);
        let moved: Vec<(usize, u64)> = queue.from_place(2).map(|(p, g)| (p, g.0)).collect();
        assert_eq!(moved, [(2, 3), (3, 4)]);
        assert_eq!(queue.next_up(), Some(GuestId(1)));
        assert_eq!(queue.place_of(GuestId(4)), Some(2));
        assert_eq!(queue.leave(GuestId(9)), None, "a stranger has no place");
        assert_eq!(&*queue.snapshot(), &[GuestId(3), GuestId(4)]);
    }

    #[test]
    fn the_place_line() {
        assert_eq!(place_line(3), "You are number 3 in line");
    }
}
