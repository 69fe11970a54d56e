//! The console reader: one thread that blocks on the host's keyboard and turns each key
//! press into an event. Does IO (reads stdin); what the bytes mean is the pure
//! [`KeyDecoder`]'s to say, so an arrow is one key and F1 is not paper.

use crate::events::{yield_to_waker, Event};
use crossbeam_channel::Sender;
use roshambo_core::keys::{Key, KeyDecoder};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::thread;
use std::time::Instant;

/// Starts the thread that reads the host's keys from stdin.
///
/// Each key becomes [`Event::HostPressed`]; Ctrl-D, end of input and a read error (EIO
/// when the terminal hung up) become [`Event::HostLeft`] and end the thread, as does a
/// disconnected `events`. Nobody joins it: a thread blocked reading stdin is never woken,
/// and returning from `main` ends it.
pub fn spawn(events: Sender<Event>) -> io::Result<()> {
    thread::Builder::new()
        .name("console".into())
        .spawn(move || {
            let stdin = io::stdin();
            let fd = stdin.as_raw_fd();
            forward(stdin, Some(fd), &events)
        })?;
    Ok(())
}

/// Reads `input` until the host leaves or `events` is gone, sending one event per key.
///
/// Reads in small chunks: in cbreak a read returns as soon as a key is there; from a
/// pipe it may return many, which are sent in order. Enter is no key to the game (a
/// pipe ends its lines with it). With `fd`, a key begun and not finished (a lone Esc)
/// is judged once its time is up; without, when the next bytes come.
fn forward(mut input: impl Read, fd: Option<RawFd>, events: &Sender<Event>) {
    let mut decoder = KeyDecoder::new();
    let mut keys = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        if let (Some(fd), Some(due)) = (fd, decoder.poll_timeout()) {
            if !readable_before(fd, due) {
                keys.extend(decoder.handle_timeout(Instant::now()));
                if !send_keys(&mut keys, events) {
                    return;
                }
                continue;
            }
        }
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
        decoder.feed(&buf[..n], Instant::now(), &mut keys);
        if !send_keys(&mut keys, events) {
            return;
        }
    }
    let _ = events.send(Event::HostLeft);
}

/// Sends the keys decoded so far; returns whether to go on reading (not once the host
/// pressed Ctrl-D, which is sent as [`Event::HostLeft`], nor once `events` is gone).
fn send_keys(keys: &mut Vec<Key>, events: &Sender<Event>) -> bool {
    for key in keys.drain(..) {
        let event = match key {
            Key::Enter => continue,
            Key::EndOfInput => Event::HostLeft,
            key => Event::HostPressed { key },
        };
        let left = matches!(event, Event::HostLeft);
        if events.send(event).is_err() || left {
            return false;
        }
    }
    true
}

/// Waits until `fd` has something to read or `deadline` passes; returns which.
fn readable_before(fd: RawFd, deadline: Instant) -> bool {
    let wait = deadline.saturating_duration_since(Instant::now());
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = wait.as_millis().min(i32::MAX as u128) as i32 + 1;
    // SAFETY: one valid pollfd.
    let rc = unsafe { libc::poll(&mut poll, 1, millis) };
    rc != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::unbounded;
    use roshambo_core::keys::SpecialKey;

    /// What `forward` sends for `input`, as keys, with `None` standing for HostLeft.
    fn forwarded(input: impl Read) -> Vec<Option<Key>> {
        let (tx, rx) = unbounded();
        forward(input, None, &tx);
        drop(tx);
        rx.iter()
            .map(|event| match event {
                Event::HostPressed { key } => Some(key),
                Event::HostLeft => None,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    fn chars(text: &str) -> Vec<Option<Key>> {
        text.chars().map(|c| Some(Key::Char(c))).collect()
    }

    #[test]
    fn forward_sends_keys_in_order_and_leaves_at_end_of_input() {
        let table: [(&[u8], Vec<Option<Key>>); 5] = [
            (b"", vec![None]),
            (b"rps", [chars("rps"), vec![None]].concat()),
            (b"r\r\np\n\0s", [chars("rps"), vec![None]].concat()),
            (b"r\x04p", vec![Some(Key::Char('r')), None]),
            (b"\x04", vec![None]),
        ];
        for (input, expected) in table {
            assert_eq!(forwarded(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn one_key_press_is_one_key_whatever_it_sends() {
        let input = "é€😀".as_bytes().iter().chain(b"\x1b[A\x1bOP\x1b[15~s");
        let input: Vec<u8> = input.copied().collect();
        let mut expected = chars("é€😀");
        expected.extend([
            Some(Key::Special(SpecialKey::Up)),
            Some(Key::Special(SpecialKey::F(1))),
            Some(Key::Special(SpecialKey::F(5))),
            Some(Key::Char('s')),
            None,
        ]);
        assert_eq!(forwarded(&input[..]), expected);
    }

    #[test]
    fn forward_reads_past_the_first_chunk() {
        let input = [b'x'; 200];
        let mut expected = vec![Some(Key::Char('x')); 200];
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
        assert_eq!(forwarded(script), [chars("rp"), vec![None]].concat());
    }

    #[test]
    fn a_lone_escape_is_told_when_its_time_is_up() {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        // SAFETY: pipe2 just made both, and nothing else owns them.
        let (read, mut write) = unsafe {
            use std::os::fd::FromRawFd;
            (
                std::fs::File::from_raw_fd(fds[0]),
                std::fs::File::from_raw_fd(fds[1]),
            )
        };
        let (tx, rx) = unbounded();
        let fd = read.as_raw_fd();
        let reader = thread::spawn(move || forward(read, Some(fd), &tx));
        std::io::Write::write_all(&mut write, b"\x1b").unwrap();
        match rx.recv_timeout(std::time::Duration::from_secs(5)) {
            Ok(Event::HostPressed { key }) => assert_eq!(key, Key::Escape),
            other => panic!("expected Esc on its own, got {other:?}"),
        }
        drop(write);
        reader.join().unwrap();
    }

    #[test]
    fn forward_ends_quietly_when_the_game_is_gone() {
        let (tx, rx) = unbounded();
        drop(rx);
        forward(&b"rps"[..], None, &tx);
    }
}
