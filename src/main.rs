//! `roshambo`: reads the flags, sets up the edges in the order that keeps the terminal
//! safe, and runs the game loop on the main thread.

use roshambo::edges::output::Output;
use roshambo::edges::recorder::Recorder;
use roshambo::edges::terminal::TerminalGuard;
use roshambo::edges::{acceptor, console, logging, signals};
use roshambo::events::Event;
use roshambo::flags::{self, Command, Config};
use roshambo::records::Store;
use roshambo::server::{self, Server, Stop};
use roshambo_core::game::messages::Words;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Events a flood of guests can queue before their readers wait (and TCP slows them).
const EVENT_BACKLOG: usize = 1024;

/// How long the last lines may take to reach a console or log that is slow or stalled.
const LAST_WORDS_PATIENCE: Duration = Duration::from_millis(25);

fn main() -> ExitCode {
    let config = match flags::parse(std::env::args_os().skip(1)) {
        Ok(Command::Run(config)) => config,
        // A stdout that is gone (`roshambo --help | true`) is no reason to panic.
        Ok(Command::Help(text)) => {
            let _ = write!(io::stdout(), "{text}");
            return ExitCode::SUCCESS;
        }
        // Before signals or the terminal are touched: stats reads a file and prints.
        Ok(Command::Stats(stats)) => {
            return match roshambo::stats::run(&stats, &mut io::stdout().lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(io::stderr(), "roshambo: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Ok(Command::Version) => {
            let _ = writeln!(io::stdout(), "roshambo {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let _ = writeln!(io::stderr(), "roshambo: {e}");
            return ExitCode::from(2);
        }
    };
    // Before any thread exists (the log's writers are the first), so that every thread
    // inherits the mask and a Ctrl-C at any moment from here on is seen by the signal
    // thread, never by default handling that would leave the terminal in cbreak.
    if let Err(e) = signals::block() {
        let _ = writeln!(io::stderr(), "roshambo: cannot block signals: {e}");
        return ExitCode::FAILURE;
    }
    let log = match logging::start(&config) {
        Ok(log) => log,
        Err(e) => {
            let _ = writeln!(io::stderr(), "roshambo: --log-file: {e}");
            return ExitCode::from(2);
        }
    };
    let code = match serve(config) {
        Ok(Stop::ConsoleGone) => {
            log.say("roshambo: the console's output is gone; stopped");
            Stop::ConsoleGone.exit_code()
        }
        Ok(stop) => stop.exit_code(),
        Err(e) => {
            // One line on stderr; the stderr logger would repeat it, so it is not logged.
            log.say(&format!("roshambo: {e}"));
            1
        }
    };
    log.drain_until(Instant::now() + LAST_WORDS_PATIENCE);
    ExitCode::from(code)
}

/// A seed for the house bot when none is given: different each run.
fn new_seed() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    now.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
}

/// Runs the server until it stops.
fn serve(mut config: Config) -> Result<Stop, Box<dyn std::error::Error>> {
    // Before the terminal is touched, so that a records file that will not open or a
    // port in use leaves it as it was.
    let store = config.records.as_deref().map(Store::open).transpose()?;
    let earlier = store.as_ref().map(Store::host_lifetime).transpose()?;
    config.table.records = store.is_some();
    config.table.bot_seed = config.bot_seed.unwrap_or_else(new_seed);
    let listener = acceptor::listen(config.bind, config.port)?;
    let port = listener.local_addr()?.port();

    let (events_tx, events) = crossbeam_channel::bounded(EVENT_BACKLOG);
    let (urgent_tx, urgent) = crossbeam_channel::unbounded();
    signals::spawn_watcher(urgent_tx.clone())?;
    signals::install_panic_hook(urgent_tx.clone());

    let terminal = TerminalGuard::cbreak(libc::STDIN_FILENO)?;
    let gone = urgent_tx;
    let mut screen = Output::stdout(Box::new(move |_| {
        let _ = gone.try_send(Event::ConsoleGone);
    }))?;
    let _ = writeln!(screen, "Listening for telnet connections on port {port}");
    for ip in acceptor::guest_addresses(config.bind) {
        let _ = writeln!(screen, "Guests connect with: telnet {ip} {port}");
    }
    let words = Words {
        variant: config.table.variant,
        opponent: "host",
    };
    let _ = writeln!(
        screen,
        "{} b hands your seat to the house bot, h takes it back. Ctrl-C (or Ctrl-D) stops the server.",
        words.keys()
    );
    if config.table.house_bot {
        let _ = writeln!(
            screen,
            "The house bot holds your seat (seed {}); the console is optional: the server stops on a signal.",
            config.table.bot_seed
        );
    }
    match (&config.records, &earlier) {
        (Some(path), Some(earlier)) => {
            let _ = writeln!(screen, "Records kept in {}", path.display());
            let _ = writeln!(screen, "All runs recorded: {earlier}");
        }
        _ => {
            let _ = writeln!(screen, "No records kept (--no-records)");
        }
    }
    log::info!("listening on port {port}; best of {}", config.table.best_of);

    console::spawn(events_tx.clone())?;
    acceptor::spawn(listener, events_tx.clone())?;
    let mut server = Server::new(
        config.table,
        config.max_key_rate,
        events_tx.clone(),
        screen.clone(),
    )?
    .with_console_colour(server::console_shows_colour());
    if let (Some(store), Some(earlier)) = (store, earlier) {
        server = server.with_records(Recorder::start(store, events_tx)?, earlier);
    }
    let stop = server.run(events, urgent);
    screen.drain_until(Instant::now() + LAST_WORDS_PATIENCE);
    drop(terminal);
    log::info!("stopped: {stop}");
    Ok(stop)
}
