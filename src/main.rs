//! `roshambo`: reads the flags, sets up the edges in the order that keeps the terminal
//! safe, and runs the game loop on the main thread.

use roshambo::edges::terminal::TerminalGuard;
use roshambo::edges::{acceptor, console, signals};
use roshambo::flags::{self, Command, Config};
use roshambo::server::Server;
use simplelog::{CombinedLogger, ConfigBuilder, LevelFilter, SharedLogger, WriteLogger};
use std::fs::File;
use std::io;
use std::process::ExitCode;

/// Events a flood of guests can queue before their readers wait (and TCP slows them).
const EVENT_BACKLOG: usize = 1024;

fn main() -> ExitCode {
    let config = match flags::parse(std::env::args_os().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{}", flags::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("roshambo {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("roshambo: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = start_logging(&config) {
        eprintln!("roshambo: --log-file: {e}");
        return ExitCode::from(2);
    }
    match serve(config) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // One line on stderr; the stderr logger would repeat it, so it is not logged.
            eprintln!("roshambo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the server until it stops; returns the exit status.
fn serve(config: Config) -> Result<u8, Box<dyn std::error::Error>> {
    // Before any thread exists, so that every thread inherits the mask and a Ctrl-C at
    // any moment from here on is seen by the signal thread, never by default handling
    // that would leave the terminal in cbreak.
    signals::block()?;
    // Before the terminal is touched, so that a port in use leaves it as it was.
    let listener = acceptor::listen(config.bind, config.port)?;
    let port = listener.local_addr()?.port();

    let (events_tx, events) = crossbeam_channel::bounded(EVENT_BACKLOG);
    let (urgent_tx, urgent) = crossbeam_channel::unbounded();
    signals::spawn_watcher(urgent_tx.clone())?;
    signals::install_panic_hook(urgent_tx);

    let terminal = TerminalGuard::cbreak(libc::STDIN_FILENO)?;
    println!("Listening for telnet connections on port {port}");
    println!("Keys: r rock, p paper, s scissors. Ctrl-C stops the server.");
    log::info!("listening on port {port}; best of {}", config.table.best_of);

    console::spawn(events_tx.clone())?;
    acceptor::spawn(listener, events_tx.clone())?;
    let server = Server::new(
        config.table,
        config.max_key_rate,
        events_tx,
        io::BufWriter::new(io::stdout()),
    )?;
    // The console is written once per event, after all of that event's lines.
    let stop = server.run(events, urgent);
    drop(terminal);
    log::info!("stopped: {stop}");
    Ok(stop.exit_code())
}

/// Warnings and errors go to stderr; with `--log-file`, everything at `--log-level` goes
/// to the file too.
fn start_logging(config: &Config) -> io::Result<()> {
    let brief = ConfigBuilder::new()
        .set_time_level(LevelFilter::Off)
        .set_target_level(LevelFilter::Off)
        .set_thread_level(LevelFilter::Off)
        .set_location_level(LevelFilter::Off)
        .build();
    let mut loggers: Vec<Box<dyn SharedLogger>> =
        vec![WriteLogger::new(LevelFilter::Warn, brief, io::stderr())];
    if let Some(path) = &config.log_file {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
            })?;
        let detailed = ConfigBuilder::new()
            .set_target_level(LevelFilter::Off)
            .set_location_level(LevelFilter::Off)
            .build();
        loggers.push(WriteLogger::new(config.log_level, detailed, file));
    }
    CombinedLogger::init(loggers).map_err(io::Error::other)
}
