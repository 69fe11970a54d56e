//! Throughput of `TelnetFilter` on what a guest really sends: a deterministic byte stream
//! of keys, Enters, option negotiation and window-size reports, fed in reader-sized chunks.
//! Shared by the `telnet_filter` bench (the detailed figure) and `e2e` (the target check).

// Each bench uses a different part of the figures; neither uses all of them.
#![allow(dead_code)]

use roshambo_core::telnet::{TelnetFilter, Typed, DO, DONT, IAC, SB, SE, WILL, WONT};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What one `read(2)` of a guest's reader thread returns at most.
pub const READ_SIZE: usize = 4096;

/// The size of the stream each timed pass feeds: large enough that a pass takes
/// milliseconds, so the clock's resolution does not matter.
pub const STREAM_SIZE: usize = 16 << 20;

/// No operation (RFC 854) and window size (RFC 1073): bytes the filter only skips.
const NOP: u8 = 0xf1;
const NAWS: u8 = 0x1f;

/// Options clients really mention: echo, SGA, terminal type, NAWS, speed, linemode,
/// new-environ. Some get an answer from the filter, some do not.
const OPTIONS: [u8; 7] = [1, 3, 24, 31, 32, 34, 39];

/// A guest's byte stream and what the filter must make of it.
#[derive(Debug)]
pub struct GuestStream {
    pub bytes: Vec<u8>,
    /// `Typed::Key` events the stream holds.
    pub keys: usize,
    /// `Typed::Enter` events the stream holds (CR NUL and CR LF, one each).
    pub enters: usize,
    /// Telnet commands: negotiations, subnegotiations and NOPs.
    pub commands: usize,
}

/// Builds about `len` bytes of guest traffic from `seed`, always the same for a seed.
///
/// Mostly keys (`r p s`, the game's moves), as a person plays; Enter every few keys, as
/// people press it out of habit; negotiation as clients send it at connect and on every
/// option change; window-size reports as terminals send them while being resized; and
/// NOPs as keep-alives. Commands freely straddle the 4 KiB read boundaries, as on a
/// real socket, so the filter's state carrying across reads is exercised too.
pub fn guest_stream(len: usize, seed: u64) -> GuestStream {
    let mut rng = XorShift(seed | 1);
    let mut stream = GuestStream {
        bytes: Vec::with_capacity(len + 16),
        keys: 0,
        enters: 0,
        commands: 0,
    };
    let out = &mut stream.bytes;
    while out.len() < len {
        let roll = rng.below(100);
        match roll {
            0..=74 => {
                out.push(b"rps"[rng.below(3) as usize]);
                stream.keys += 1;
            }
            75..=84 => {
                out.extend_from_slice(if rng.below(2) == 0 { b"\r\0" } else { b"\r\n" });
                stream.enters += 1;
            }
            85..=90 => {
                let verb = [DO, DONT, WILL, WONT][rng.below(4) as usize];
                let option = OPTIONS[rng.below(OPTIONS.len() as u64) as usize];
                out.extend_from_slice(&[IAC, verb, option]);
                stream.commands += 1;
            }
            91..=95 => {
                // Widths and heights below 255, so no IAC needs doubling inside the data.
                let width = 40 + rng.below(200) as u8;
                let height = 10 + rng.below(90) as u8;
                out.extend_from_slice(&[IAC, SB, NAWS, 0, width, 0, height, IAC, SE]);
                stream.commands += 1;
            }
            _ => {
                out.extend_from_slice(&[IAC, NOP]);
                stream.commands += 1;
            }
        }
    }
    stream
}

/// The outcome of [`measure`].
#[derive(Debug)]
pub struct Throughput {
    /// Bytes per second of the fastest pass.
    pub best: f64,
    /// Bytes per second of the middle pass.
    pub median: f64,
    /// Bytes per second of the slowest pass.
    pub worst: f64,
    pub passes: usize,
    /// Reply bytes the filter produced in one pass (its negotiation answers).
    pub reply_bytes: usize,
}

/// Feeds `stream` through a fresh filter `passes` times, `READ_SIZE` bytes at a time.
///
/// `typed` and `reply` are cleared after every read and keep their capacity, as a reader
/// thread that hands the events on would do. The first pass is untimed and checks what
/// the filter made of the stream: a filter that drops input would look fast.
pub fn measure(stream: &GuestStream, passes: usize) -> Result<Throughput, String> {
    let reply_bytes = check(stream)?;
    let mut rates: Vec<f64> = (0..passes.max(1))
        .map(|_| stream.bytes.len() as f64 / timed_pass(&stream.bytes).as_secs_f64())
        .collect();
    rates.sort_by(f64::total_cmp);
    Ok(Throughput {
        best: rates[rates.len() - 1],
        median: rates[rates.len() / 2],
        worst: rates[0],
        passes: rates.len(),
        reply_bytes,
    })
}

/// One pass, returning its duration.
fn timed_pass(bytes: &[u8]) -> Duration {
    let mut filter = TelnetFilter::new();
    let mut typed = Vec::with_capacity(READ_SIZE);
    let mut reply = Vec::with_capacity(READ_SIZE);
    let start = Instant::now();
    for chunk in bytes.chunks(READ_SIZE) {
        filter.feed(black_box(chunk), &mut typed, &mut reply);
        black_box((&typed, &reply));
        typed.clear();
        reply.clear();
    }
    start.elapsed()
}

/// Runs the stream through a filter once and compares what came out with what went in;
/// returns the number of reply bytes.
fn check(stream: &GuestStream) -> Result<usize, String> {
    let mut filter = TelnetFilter::new();
    let (mut keys, mut enters, mut other, mut reply_bytes) = (0, 0, 0, 0);
    let mut typed = Vec::new();
    let mut reply = Vec::new();
    for chunk in stream.bytes.chunks(READ_SIZE) {
        filter.feed(chunk, &mut typed, &mut reply);
        for event in typed.drain(..) {
            match event {
                Typed::Key(_) => keys += 1,
                Typed::Enter => enters += 1,
                _ => other += 1,
            }
        }
        reply_bytes += reply.len();
        reply.clear();
    }
    if (keys, enters, other) != (stream.keys, stream.enters, 0) {
        return Err(format!(
            "the filter made {keys} keys, {enters} Enters and {other} other events of a \
             stream holding {} keys, {} Enters and nothing else",
            stream.keys, stream.enters
        ));
    }
    Ok(reply_bytes)
}

/// A small deterministic generator: the stream must be the same on every run and every
/// machine, and the crate has no `rand` outside its dev-dependencies' internals.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
