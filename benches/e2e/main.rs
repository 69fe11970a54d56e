//! End to end: key-to-result latency of the release server (console on a pty, a bot
//! guest over loopback) against a minimal poll(2) relay measured in the same run, and
//! of a second server with 500 guests waiting in line, the three taking turns; the
//! server's CPU, context switches, memory and threads, the time from Ctrl-C to exit,
//! the quiet right after a guest joins, a flood of 1000 connections, and the telnet
//! filter's throughput; each figure next to its target. Prints a table
//! and writes target/bench/e2e.json. Run with `cargo bench --bench e2e`.
//!
//! This file measures; [`report`] turns what it measured into the figures and shows
//! them. The pty host, the guests and the /proc readers are the integration tests'
//! (roshambo-test-support).
//!
//! `ROSHAMBO_E2E_ROUNDS=N` plays N rounds each way instead of 1000 (for a quick look;
//! the targets are meant for 1000).

#[path = "../filter_load/mod.rs"]
mod filter_load;
mod floor;
mod hostile;
mod report;

use roshambo_test_support::procfs::{self, Footprint, Usage};
use roshambo_test_support::{Expect, Guest, Pattern, Program, Server, DEADLINE};
use std::any::Any;
use std::env;
use std::fs;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};
use termios::Termios;

/// Rounds timed each way (host first, guest first), alternating so that drift in the
/// machine's speed affects both directions alike.
const ROUNDS: usize = 1000;
/// Rounds played before timing, each way: first-touch page faults and cold caches are
/// not what a player waits for.
const WARMUP_ROUNDS: usize = 50;
/// The floor, the lone server and the crowded one take turns in this many blocks of
/// rounds.
const BLOCKS: usize = 10;
/// Guests waiting in line for the crowded measurement.
const WAITING: usize = 500;
/// How far ahead the first mover's key goes. There is no echo to show that it was
/// processed, so the second key waits this long; if the first were still in flight, the
/// result would wait for it and the figure would err high, never low.
///
/// When the host moves first the bench also waits, up to [`LATE_LIMIT`] more, until the
/// host's process has returned from a read(2) (syscr in /proc/PID/io), and counts the
/// rounds where it had to. Guests' keys have no such sign: std reads sockets with
/// recv(2), which syscr does not count.
const FIRST_MOVER_LEAD: Duration = Duration::from_millis(2);
/// How long past the lead the bench waits for the host's key to be read.
const LATE_LIMIT: Duration = Duration::from_millis(50);
/// After this many rounds in a row where no read showed up, the host's process is taken
/// to read its console otherwise, and the check is dropped.
const UNSEEN_READS: usize = 3;
/// Length of the idle and mid-move windows.
const WINDOW: Duration = Duration::from_secs(3);
/// Time for the server to finish what an event started before a window opens.
const SETTLE: Duration = Duration::from_millis(300);
/// How long the server must use no CPU to count as settled after the line left, and
/// how long the bench waits for that.
const QUIET: Duration = Duration::from_millis(200);
const SETTLE_LIMIT: Duration = Duration::from_secs(30);
/// Longer than the server holds the line's output (500 ms with 500 waiting: it keeps
/// the line to 1000 sends a second) plus the time to send it.
const LINE_CATCH_UP: Duration = Duration::from_millis(700);
/// Passes of the telnet filter over its 16 MiB stream; the best counts.
const FILTER_PASSES: usize = 20;

/// The server's flags for the bench (after the harness's `--port 0`).
const SERVER_ARGS: &[&str] = &[
    "--bind",
    "127.0.0.1",
    // Nobody times out, but the guest's clock is armed whenever it is their move.
    "--timeout",
    "86400",
    "--countdown",
    "5",
    "--max-guests",
    "600",
    // Every bot comes from 127.0.0.1.
    "--max-per-ip",
    "1000",
    // A bot plays far faster than the flood limit allows a person to.
    "--max-key-rate",
    "0",
];

const CTRL_C: u8 = 0x03;

fn main() -> ExitCode {
    if env::args().nth(1).as_deref() == Some(floor::ARG) {
        return floor::main();
    }
    let rounds = match env::var("ROSHAMBO_E2E_ROUNDS") {
        Ok(text) => match text.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("e2e: ROSHAMBO_E2E_ROUNDS must be a positive number, not {text:?}");
                return ExitCode::FAILURE;
            }
        },
        Err(_) => ROUNDS,
    };
    let mut measured = Measured {
        rounds,
        cpus: cpus(),
        ..Measured::default()
    };
    if let Err(err) = raise_descriptor_limit() {
        eprintln!("e2e: cannot raise the open-files limit ({err}); 500 guests may not fit");
    }
    // A wait of the harness that fails panics with what the console or the guest saw
    // (the panic hook prints it); what was measured until then is still reported.
    let outcome = match panic::catch_unwind(AssertUnwindSafe(|| measure(&mut measured))) {
        Ok(result) => result.map_err(|err| err.to_string()),
        Err(panic) => Err(panic_summary(panic.as_ref())),
    };
    let report = report::Report::of(&measured);
    print!("{}", report.table());
    let json_path = output_dir().join("e2e.json");
    let written = fs::create_dir_all(output_dir()).and_then(|()| {
        fs::write(
            &json_path,
            report.json(outcome.as_ref().err().map(String::as_str)),
        )
    });
    let samples_path = output_dir().join("e2e-samples.csv");
    let written = written.and_then(|()| fs::write(&samples_path, report::samples_csv(&measured)));
    match written {
        Ok(()) => println!(
            "figures written to {}, every round's latency to {}",
            json_path.display(),
            samples_path.display()
        ),
        Err(err) => eprintln!("e2e: cannot write to {}: {err}", output_dir().display()),
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("e2e: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The first line of a panic's message: what failed. The rest (the transcript) went to
/// stderr with the panic.
fn panic_summary(panic: &(dyn Any + Send)) -> String {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    message.lines().next().unwrap_or(message).to_owned()
}

/// Everything measured; `None` for what was not reached (the run stopped on an error).
#[derive(Debug, Default)]
struct Measured {
    rounds: usize,
    /// The CPUs the scheduler offers this process (and so the servers).
    cpus: usize,
    /// The machine's 1-minute load average before the run and after the timed rounds:
    /// the bench shares the machine.
    load_before: Option<f64>,
    load_after: Option<f64>,
    /// The share of all CPUs that other processes (other people's builds) used while the
    /// timed rounds were played: above a few percent, tails are theirs too.
    others_busy: Option<f64>,
    /// Bytes per second, or why there is no figure.
    filter: Option<Result<f64, String>>,
    floor: Option<Latencies>,
    alone: Option<Latencies>,
    crowded: Option<Latencies>,
    /// The same server with `--no-records`, for what recording costs.
    unrecorded: Option<Latencies>,
    idle: Option<Usage>,
    mid_move: Option<Usage>,
    /// The floor's and the server's use over their timed rounds, the server's alone
    /// and with the line full.
    floor_usage: Option<Usage>,
    alone_usage: Option<Usage>,
    crowded_usage: Option<Usage>,
    no_guest: Option<Footprint>,
    one_guest: Option<Footprint>,
    crowd: Option<Footprint>,
    /// Waiting guests the server still kept after the crowded rounds.
    still_waiting: Option<usize>,
    /// After the whole line hung up at once: how long until the server was quiet again
    /// (`None`: not within [`SETTLE_LIMIT`]). No CPU figure: the counters of ended
    /// threads are gone from /proc, and what /proc/PID/stat folds in is too coarse.
    line_left: Option<Option<Duration>>,
    ctrl_c: Option<Duration>,
    exit_status: Option<String>,
    /// Whether the terminal's settings after the exit equal those before the spawn, and
    /// if not, how they differ.
    terminal: Option<Result<(), String>>,
    /// The server's use in the 3 s right after a telnet guest joined.
    just_joined: Option<Usage>,
    /// A flood of connections from many addresses against the default limits.
    flood: Option<hostile::Flood>,
    /// SIGTERM to exit, with the console long unread.
    stalled_stop: Option<Duration>,
}

/// Key-to-result latency both ways.
#[derive(Debug)]
struct Latencies {
    /// Every round's figure, host-first rounds then guest-first ones, in order played.
    samples: [Vec<Duration>; 2],
    /// See [`Rounds`].
    late_first: usize,
    unseen: usize,
    /// The host moved first; the guest's key was timed until the guest read the result.
    host_first: Summary,
    /// The guest moved first; the host's key was timed until the console showed it.
    guest_first: Summary,
}

/// The two directions, as the table names them.
const WAYS: [&str; 2] = ["host first", "guest first"];

impl Latencies {
    /// The summary for one of [`WAYS`].
    fn way(&self, way: &str) -> Summary {
        if way == WAYS[0] {
            self.host_first
        } else {
            self.guest_first
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Summary {
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Summary {
    fn of(mut samples: Vec<Duration>) -> Summary {
        samples.sort_unstable();
        // Nearest rank: the smallest sample with at least p of them at or below it.
        let rank = |p: f64| samples[((p * samples.len() as f64).ceil() as usize).max(1) - 1];
        Summary {
            p50: rank(0.50),
            p99: rank(0.99),
            max: samples[samples.len() - 1],
        }
    }
}

/// Runs every measurement in order, filling `measured` as it goes.
fn measure(measured: &mut Measured) -> io::Result<()> {
    measured.load_before = load_average();
    measured.filter = Some(filter_rate());

    let exe = env::current_exe()?;
    let mut floor = RoundDriver::open(Program::on_pty(&exe, &[floor::ARG]).named("floor relay"));
    let mut server = Server::launch(SERVER_ARGS).spawn().named("server");
    let pid = server.pid();
    let port = server.listening_port();

    thread::sleep(SETTLE);
    measured.no_guest = Some(procfs::footprint(pid)?);
    measured.idle = Some(window(pid)?);
    let mut server = RoundDriver::join(server, port);

    // A second server, the same program, for the crowded figures: it plays in the same
    // turns as the floor and the lone server, so that whatever else the machine does
    // weighs on all three alike (on this machine one run's p99 moves by up to 2x).
    let mut crowded =
        RoundDriver::open(Server::launch(SERVER_ARGS).spawn().named("crowded server"));
    // And one that records nothing: the lone server records every game (to a file in a
    // temporary folder), so the two in turns show what recording costs.
    let unrecorded_args = [SERVER_ARGS, &["--no-records"]].concat();
    let mut unrecorded = RoundDriver::open(
        Server::launch(&unrecorded_args)
            .spawn()
            .named("server, no records"),
    );
    let crowded_pid = crowded.host.pid();
    let crowded_port = crowded.port;
    let mut line = Vec::with_capacity(WAITING);
    for _ in 1..=WAITING {
        // One at a time, each until the server has put it in line: a burst would only
        // measure the listen backlog.
        let mut guest = Guest::connect(crowded_port);
        guest.expect(" in line");
        line.push(guest);
    }
    // Arrivals leave work behind them for a while (the server times a netcat hint for
    // each new guest); the figure is for a line that has been waiting, not one forming.
    thread::sleep(WINDOW);
    let in_line = procfs::footprint(crowded_pid)?;

    floor.play(WARMUP_ROUNDS)?;
    server.play(WARMUP_ROUNDS)?;
    crowded.play(WARMUP_ROUNDS)?;
    unrecorded.play(WARMUP_ROUNDS)?;
    thread::sleep(LINE_CATCH_UP);
    // In blocks, taking turns.
    let mut rounds = [(); 4].map(|()| Rounds::default());
    let mut usage = [(); 4].map(|()| Usage::default());
    let ours = [
        std::process::id(),
        floor.host.pid(),
        pid,
        crowded_pid,
        unrecorded.host.pid(),
    ];
    let others_before = others_busy(&ours)?;
    let started = Instant::now();
    for block in blocks(measured.rounds) {
        for (i, driver) in [&mut floor, &mut server, &mut crowded, &mut unrecorded]
            .into_iter()
            .enumerate()
        {
            let start = procfs::usage(driver.host.pid())?;
            rounds[i].extend(driver.play(block)?);
            usage[i].add(&procfs::usage(driver.host.pid())?.since(&start));
        }
        // The line's share of those rounds goes out after them: not during the next
        // server's turn.
        thread::sleep(LINE_CATCH_UP);
    }
    let [floor_rounds, alone_rounds, crowded_rounds, unrecorded_rounds] = rounds;
    let [floor_usage, alone_usage, crowded_usage, _] = usage;
    measured.unrecorded = Some(unrecorded_rounds.summarise());
    measured.floor = Some(floor_rounds.summarise());
    measured.alone = Some(alone_rounds.summarise());
    measured.crowded = Some(crowded_rounds.summarise());
    measured.floor_usage = Some(floor_usage);
    measured.alone_usage = Some(alone_usage);
    measured.crowded_usage = Some(crowded_usage);
    measured.others_busy = Some(
        others_busy(&ours)?
            .saturating_sub(others_before)
            .as_secs_f64()
            / (started.elapsed().as_secs_f64() * measured.cpus as f64),
    );
    measured.load_after = load_average();
    drop(floor);
    drop(unrecorded);

    measured.mid_move = Some(server.mid_move()?);
    measured.one_guest = Some(procfs::footprint(pid)?);
    drop(server);

    let after_rounds = procfs::footprint(crowded_pid)?;
    measured.crowd = Some(if after_rounds.rss >= in_line.rss {
        after_rounds
    } else {
        in_line
    });
    measured.still_waiting = Some(
        line.iter_mut()
            .map(Guest::still_connected)
            .filter(|&open| open)
            .count(),
    );
    // All at once, as when a network drops: the server has work to do (each departure
    // moves everyone behind it up the line), and Ctrl-C is timed once that is done.
    let threads_playing = measured.one_guest.map_or(0, |fp| fp.threads);
    drop(line);
    measured.line_left = Some(settle(crowded_pid, threads_playing)?);

    let host = &mut crowded.host;
    let pressed = Instant::now();
    host.press(&[CTRL_C]);
    let status = host.wait_exit(DEADLINE);
    let exited = host.exited_at().expect("the exit was seen");
    measured.ctrl_c = Some(exited - pressed);
    measured.exit_status = Some(status.to_string());
    measured.terminal = Some(compare(&host.termios_before(), &host.termios_now()));
    drop(crowded);

    measured.just_joined = Some(hostile::just_joined()?);
    measured.flood = Some(hostile::flood()?);
    measured.stalled_stop = Some(hostile::stop_with_console_stalled()?);
    Ok(())
}

/// The machine's CPUs, as the scheduler offers them to this process.
fn cpus() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// `rounds` cut into [`BLOCKS`] nearly equal blocks (fewer if there are fewer rounds).
fn blocks(rounds: usize) -> impl Iterator<Item = usize> {
    let count = BLOCKS.min(rounds).max(1);
    (0..count).map(move |i| rounds / count + usize::from(i < rounds % count))
}

/// Waits until `pid` is back to `threads` threads and has used no CPU tick for
/// [`QUIET`]; returns how long that took from now, or `None` after [`SETTLE_LIMIT`].
///
/// Coarse on purpose (clock ticks of /proc/PID/stat): reading every thread's counters
/// this often would load the machine it measures.
fn settle(pid: u32, threads: u64) -> io::Result<Option<Duration>> {
    let start = Instant::now();
    let mut last = (procfs::usage_ticks(pid)?, Instant::now());
    while start.elapsed() < SETTLE_LIMIT {
        thread::sleep(Duration::from_millis(10));
        let cpu = procfs::usage_ticks(pid)?;
        let now = Instant::now();
        if cpu != last.0 || procfs::footprint(pid)?.threads > threads {
            last = (cpu, now);
        } else if now - last.1 >= QUIET {
            return Ok(Some(last.1 - start));
        }
    }
    Ok(None)
}

/// CPU time the machine spent busy outside the processes `ours` (utime + stime).
fn others_busy(ours: &[u32]) -> io::Result<Duration> {
    let mut busy = procfs::machine_busy()?;
    for &pid in ours {
        busy = busy.saturating_sub(procfs::usage(pid)?.cpu);
    }
    Ok(busy)
}

/// The 1-minute load average, to show how busy the machine was around the figures.
fn load_average() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The telnet filter's best throughput; a panic (the filter not written yet) is a
/// missing figure, not the end of the run.
fn filter_rate() -> Result<f64, String> {
    let stream = filter_load::guest_stream(filter_load::STREAM_SIZE, 0x5eed);
    match panic::catch_unwind(|| filter_load::measure(&stream, FILTER_PASSES)) {
        Ok(Ok(throughput)) => Ok(throughput.best),
        Ok(Err(wrong)) => Err(wrong),
        Err(_) => Err("the filter panicked".to_owned()),
    }
}

/// Rounds played between a host on a pty (the server, or the floor relay) and the bot
/// guest, timed. Dropping it kills the host's process.
struct RoundDriver {
    host: Program,
    /// Where guests connect.
    port: u16,
    bot: Guest,
    /// Whether the host's read(2)s show when its key was taken (see [`FIRST_MOVER_LEAD`]).
    reads_visible: bool,
    /// Rounds in a row where they did not.
    unseen_in_a_row: usize,
}

impl RoundDriver {
    /// Waits until `host` listens and joins its game as the playing guest.
    fn open(mut host: Program) -> RoundDriver {
        let port = host.listening_port();
        RoundDriver::join(host, port)
    }

    /// Joins the game hosted by `host` on `port` as the playing guest.
    fn join(mut host: Program, port: u16) -> RoundDriver {
        let mut bot = Guest::connect(port);
        bot.expect("Welcome to the game");
        host.expect("Player connected: ");
        RoundDriver {
            host,
            port,
            bot,
            reads_visible: true,
            unseen_in_a_row: 0,
        }
    }

    /// Plays `rounds` ties each way, alternating who moves first, and times the second
    /// key.
    ///
    /// Every round waits for the result on both sides before the next starts, so rounds
    /// never overlap. The moves go r, p, s in turn and each result line is checked
    /// against them: a stale or missing line is an error, not a figure.
    fn play(&mut self, rounds: usize) -> io::Result<Rounds> {
        let mut played = Rounds::default();
        for round in 0..2 * rounds {
            let key = b"rps"[round / 2 % 3];
            if round % 2 == 0 {
                let reads = self.host_reads()?;
                self.host.press(&[key]);
                thread::sleep(FIRST_MOVER_LEAD);
                self.await_host_read(reads, &mut played)?;
                let pressed = Instant::now();
                self.bot.send(&[key]);
                let seen = result_at(&mut self.bot, key, round)?;
                result_at(&mut self.host, key, round)?;
                played.host_first.push(seen - pressed);
            } else {
                self.bot.send(&[key]);
                thread::sleep(FIRST_MOVER_LEAD);
                let pressed = Instant::now();
                self.host.press(&[key]);
                let seen = result_at(&mut self.host, key, round)?;
                result_at(&mut self.bot, key, round)?;
                played.guest_first.push(seen - pressed);
            }
        }
        Ok(played)
    }

    /// The host's read(2) count, if it shows when keys are taken.
    fn host_reads(&self) -> io::Result<Option<u64>> {
        if !self.reads_visible {
            return Ok(None);
        }
        procfs::reads(self.host.pid()).map(Some)
    }

    /// Waits until the host's process has read since `before`, for up to [`LATE_LIMIT`],
    /// and counts the rounds where the lead alone was not enough.
    fn await_host_read(&mut self, before: Option<u64>, played: &mut Rounds) -> io::Result<()> {
        let Some(before) = before else {
            return Ok(());
        };
        let limit = Instant::now() + LATE_LIMIT;
        let mut waited = false;
        loop {
            if procfs::reads(self.host.pid())? > before {
                played.late_first += usize::from(waited);
                self.unseen_in_a_row = 0;
                return Ok(());
            }
            if Instant::now() >= limit {
                played.unseen += 1;
                self.unseen_in_a_row += 1;
                self.reads_visible = self.unseen_in_a_row < UNSEEN_READS;
                return Ok(());
            }
            waited = true;
            thread::sleep(Duration::from_micros(100));
        }
    }

    /// The host's usage over [`WINDOW`] with the host's move in and the guest's awaited;
    /// then the round is finished so play can go on.
    fn mid_move(&mut self) -> io::Result<Usage> {
        self.host.press(b"r");
        thread::sleep(SETTLE);
        let usage = window(self.host.pid())?;
        self.bot.send(b"r");
        result_at(&mut self.bot, b'r', 0)?;
        result_at(&mut self.host, b'r', 0)?;
        Ok(usage)
    }
}

/// Every timed round's latency, each way, in the order played.
#[derive(Debug, Default)]
struct Rounds {
    host_first: Vec<Duration>,
    guest_first: Vec<Duration>,
    /// Host-first rounds where the host's key was read only after the lead.
    late_first: usize,
    /// Host-first rounds where no read of the host's key showed up at all.
    unseen: usize,
}

impl Rounds {
    fn extend(&mut self, more: Rounds) {
        self.host_first.extend(more.host_first);
        self.guest_first.extend(more.guest_first);
        self.late_first += more.late_first;
        self.unseen += more.unseen;
    }

    fn summarise(self) -> Latencies {
        Latencies {
            host_first: Summary::of(self.host_first.clone()),
            guest_first: Summary::of(self.guest_first.clone()),
            samples: [self.host_first, self.guest_first],
            late_first: self.late_first,
            unseen: self.unseen,
        }
    }
}

/// When `side` (the console or the bot) received the next result line, if it is the tie
/// on `key` that round `round` should show.
fn result_at(side: &mut impl Expect, key: u8, round: usize) -> io::Result<Instant> {
    let seen = side.expect_seen(Pattern::RestOfLine("Player 0: "));
    let tie = format!("{0}, Player 1: {0}", key as char);
    if seen.matched == tie {
        return Ok(seen.at);
    }
    Err(io::Error::other(format!(
        "round {round}: expected the result of {0} against {0}, got Player 0: {1}",
        key as char, seen.matched
    )))
}

/// What `pid` used over [`WINDOW`] while the bench only sleeps.
fn window(pid: u32) -> io::Result<Usage> {
    let start = procfs::usage(pid)?;
    thread::sleep(WINDOW);
    Ok(procfs::usage(pid)?.since(&start))
}

/// `Ok` if the settings are equal, else which fields differ.
fn compare(before: &Termios, after: &Termios) -> Result<(), String> {
    if before == after {
        return Ok(());
    }
    let mut diff = Vec::new();
    let flags = [
        ("c_iflag", before.c_iflag, after.c_iflag),
        ("c_oflag", before.c_oflag, after.c_oflag),
        ("c_cflag", before.c_cflag, after.c_cflag),
        ("c_lflag", before.c_lflag, after.c_lflag),
    ];
    for (name, was, is) in flags {
        if was != is {
            diff.push(format!("{name} {was:#o} -> {is:#o}"));
        }
    }
    for (index, (was, is)) in before.c_cc.iter().zip(after.c_cc.iter()).enumerate() {
        if was != is {
            diff.push(format!("c_cc[{index}] {was} -> {is}"));
        }
    }
    if diff.is_empty() {
        diff.push("line discipline or speed".to_owned());
    }
    Err(diff.join(", "))
}

/// Lets this process (and so the server it starts) open one descriptor per waiting
/// guest and then some: the soft limit is raised to the hard one.
fn raise_descriptor_limit() -> io::Result<()> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit to write into.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: `limit` is a valid rlimit, read above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// target/bench, under CARGO_TARGET_DIR when it is set (relative to the package, where
/// cargo runs benches).
fn output_dir() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target =
        env::var_os("CARGO_TARGET_DIR").map_or(package.join("target"), |dir| package.join(dir));
    target.join("bench")
}
