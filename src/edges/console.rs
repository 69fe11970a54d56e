//! The console reader: one thread that blocks on the host's keyboard and turns each key
//! into an event. Does IO (reads stdin); the byte classification is pure.

use crate::events::{yield_to_waker, Event};
use crossbeam_channel::Sender;
use std::io::{self, Read};
use std::thread;

/// Ctrl-D. In cbreak mode the terminal passes it through as a byte instead of ending input.
const END_OF_INPUT: u8 = 0x04;

/// Starts the thread that reads the host's keys from stdin.
///
/// Each key becomes [`Event::HostPressed`]; Ctrl-D, end of input and a read error (EIO
/// when the terminal hung up) become [`Event::HostLeft`] and end the thread, as does a
/// disconnected `events`. Nobody joins it: a thread blocked reading stdin is never woken,
/// and returning from `main` ends it.
pub fn spawn(events: Sender<Event>) -> io::Result<()> {
    thread::Builder::new()
        .name("console".into())
        .spawn(move || forward(io::stdin(), &events))?;
    Ok(())
}

/// What one byte from the console means to the game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostInput {
    /// A key that may be a move (or a command; the game decides).
    Pressed(u8),
    /// The host is done: Ctrl-D.
    Left,
}

/// The meaning of `byte`, or `None` for bytes that are not keys.
///
/// CR and LF are ignored because Enter is not a move (and a pipe ends its lines with
/// them); NUL because some terminals send it after CR.
fn host_key(byte: u8) -> Option<HostInput> {
    match byte {
        b'\r' | b'\n' | 0 => None,
        END_OF_INPUT => Some(HostInput::Left),
        key => Some(HostInput::Pressed(key)),
    }
}

/// Reads `input` until the host leaves or `events` is gone, sending one event per key.
///
/// Reads in small chunks: in cbreak a read returns as soon as one key is there; from a
/// pipe it may return many, which are sent in order.
fn forward(mut input: impl Read, events: &Sender<Event>) {
    let mut buf = [0u8; 64];
    'reading: loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                log::debug!("console read failed: {err}");
                break;
            }
        };
        yield_to_waker();
        for &byte in &buf[..n] {
            let event = match host_key(byte) {
                None => continue,
                Some(HostInput::Pressed(key)) => Event::HostPressed { key },
                Some(HostInput::Left) => break 'reading,
            };
            if events.send(event).is_err() {
                return;
            }
        }
    }
    let _ = events.send(Event::HostLeft);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::unbounded;

    #[test]
    fn host_key_classifies_every_kind_of_byte() {
        let table = [
            (b'r', Some(HostInput::Pressed(b'r'))),
            (b'P', Some(HostInput::Pressed(b'P'))),
            (b'1', Some(HostInput::Pressed(b'1'))),
            (b' ', Some(HostInput::Pressed(b' '))),
            (b'q', Some(HostInput::Pressed(b'q'))),
            (0x1b, Some(HostInput::Pressed(0x1b))),
            (0x03, Some(HostInput::Pressed(0x03))),
            (0x7f, Some(HostInput::Pressed(0x7f))),
            (0xff, Some(HostInput::Pressed(0xff))),
            (b'\r', None),
            (b'\n', None),
            (0, None),
            (0x04, Some(HostInput::Left)),
        ];
        for (byte, expected) in table {
            assert_eq!(host_key(byte), expected, "byte {byte:#04x}");
        }
    }

    /// What `forward` sends for `input`, as keys, with `None` standing for HostLeft.
    fn forwarded(input: impl Read) -> Vec<Option<u8>> {
        let (tx, rx) = unbounded();
        forward(input, &tx);
        drop(tx);
        rx.iter()
            .map(|event| match event {
                Event::HostPressed { key } => Some(key),
                Event::HostLeft => None,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn forward_sends_keys_in_order_and_leaves_at_end_of_input() {
        let table: [(&[u8], Vec<Option<u8>>); 5] = [
            (b"", vec![None]),
            (b"rps", vec![Some(b'r'), Some(b'p'), Some(b's'), None]),
            (
                b"r\r\np\n\0s",
                vec![Some(b'r'), Some(b'p'), Some(b's'), None],
            ),
            (b"r\x04p", vec![Some(b'r'), None]),
            (b"\x04", vec![None]),
        ];
        for (input, expected) in table {
            assert_eq!(forwarded(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn forward_reads_past_the_first_chunk() {
        let input = [b'x'; 200];
        let mut expected = vec![Some(b'x'); 200];
        expected.push(None);
        assert_eq!(forwarded(&input[..]), expected);
    }

    /// Reads scripted results, one per call, then reports end of input.
    struct Script(Vec<io::Result<&'static [u8]>>);

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            let bytes = self.0.remove(0)?;
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok(bytes.len())
        }
    }

    #[test]
    fn forward_retries_on_eintr_and_leaves_on_other_errors() {
        let interrupted = || io::Error::from(io::ErrorKind::Interrupted);
        let hung_up = || io::Error::from_raw_os_error(libc::EIO);
        let script = Script(vec![
            Ok(b"r"),
            Err(interrupted()),
            Ok(b"p"),
            Err(hung_up()),
            Ok(b"s"),
        ]);
        assert_eq!(forwarded(script), vec![Some(b'r'), Some(b'p'), None]);
    }

    #[test]
    fn forward_ends_quietly_when_the_game_is_gone() {
        let (tx, rx) = unbounded();
        drop(rx);
        forward(&b"rps"[..], &tx);
    }
}
