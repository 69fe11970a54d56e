//! What the line watches: the lines said to everyone waiting, kept once however long the
//! line is. Each waiting guest reads on from where they got to, when their output is
//! next sent. Pure: no IO.
//!
//! Writing a result into every waiting guest's buffer would cost the game thread a pass
//! over the whole line after every round; this costs one append, and the copying happens
//! when the line's output is sent anyway, a few times a second.

/// The news, as bytes ready to send (each line ends in CR LF), from position
/// [`QueueNews::start`] on. Positions count from the server's start, so a reader's
/// position stays valid as old news is forgotten.
#[derive(Debug, Default)]
pub struct QueueNews {
    /// Position of `text[0]`.
    start: u64,
    text: Vec<u8>,
}

impl QueueNews {
    /// Adds one line for everyone waiting.
    pub fn publish(&mut self, line: &str) {
        self.text.extend_from_slice(line.as_bytes());
        self.text.extend_from_slice(b"\r\n");
    }

    /// The position after the latest news: where a reader who has had everything is.
    pub fn end(&self) -> u64 {
        self.start + self.text.len() as u64
    }

    /// What a reader at `position` has not had yet. News already forgotten is not
    /// there to give; [`QueueNews::forget_before`] keeps what any reader still needs.
    pub fn since(&self, position: u64) -> &[u8] {
        let from = position
            .saturating_sub(self.start)
            .min(self.text.len() as u64);
        &self.text[from as usize..]
    }

    /// Forgets the news before `position`, which every reader has had.
    pub fn forget_before(&mut self, position: u64) {
        let had = position
            .saturating_sub(self.start)
            .min(self.text.len() as u64);
        self.text.drain(..had as usize);
        self.start += had;
    }

    /// Bytes kept.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_gets_each_line_once_in_order() {
        let mut news = QueueNews::default();
        let mut position = news.end();
        news.publish("Player 0: r, Player 1: s");
        news.publish("Player 0 wins!");
        assert_eq!(
            news.since(position),
            b"Player 0: r, Player 1: s\r\nPlayer 0 wins!\r\n"
        );
        position = news.end();
        assert_eq!(news.since(position), b"");
        news.publish("Wins: 1 - 0");
        assert_eq!(news.since(position), b"Wins: 1 - 0\r\n");
    }

    #[test]
    fn a_reader_who_arrives_later_starts_from_then() {
        let mut news = QueueNews::default();
        news.publish("before");
        let arrived = news.end();
        news.publish("after");
        assert_eq!(news.since(arrived), b"after\r\n");
        assert_eq!(news.since(0), b"before\r\nafter\r\n");
    }

    #[test]
    fn forgetting_keeps_what_readers_still_need_and_positions_stay_valid() {
        let mut news = QueueNews::default();
        news.publish("one");
        let slow = news.end();
        news.publish("two");
        let fast = news.end();
        news.publish("three");
        news.forget_before(slow);
        assert_eq!(news.len(), "two\r\nthree\r\n".len());
        assert_eq!(news.since(slow), b"two\r\nthree\r\n");
        assert_eq!(news.since(fast), b"three\r\n");
        news.forget_before(news.end());
        assert!(news.is_empty());
        assert_eq!(news.since(fast), b"");
        news.publish("four");
        assert_eq!(news.since(fast), b"four\r\n");
    }

    #[test]
    fn forgetting_beyond_the_end_or_twice_is_harmless() {
        let mut news = QueueNews::default();
        news.publish("one");
        let end = news.end();
        news.forget_before(end + 100);
        news.forget_before(0);
        assert!(news.is_empty());
        assert_eq!(news.end(), end);
    }
}
