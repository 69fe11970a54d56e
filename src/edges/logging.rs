//! The log: warnings and errors to stderr, and with `--log-file` everything at
//! `--log-level` to the file, each line dated (RFC 3339). Does IO (stderr, the file).
//!
//! Both go through [`Output`]s, so that logging never makes a thread wait: a stderr
//! nobody reads or a log FIFO that stopped draining costs dropped lines (counted, and
//! said where they were), never a stalled game. A log file that fails is said once on
//! stderr.

use crate::edges::output::Output;
use crate::flags::Config;
use simplelog::{CombinedLogger, ConfigBuilder, LevelFilter, SharedLogger, WriteLogger};
use std::fs::File;
use std::io::{self, Write};
use std::time::Instant;

/// The log target of what guests cause (a flood, a guest not reading, a fault in serving
/// one): written to the log file, never to stderr, which is the host's console. The host
/// hears of these as notices instead, at most once a minute per cause.
pub const GUESTS: &str = "guests";

/// The process's stderr as the loggers write it, for main's own last words.
#[derive(Debug)]
pub struct Log {
    stderr: Output,
    file: Option<Output>,
}

impl Log {
    /// Says one line on stderr, without waiting.
    pub fn say(&self, line: &str) {
        let _ = self.stderr.write(format!("{line}\n").as_bytes());
    }

    /// Gives what the log holds until `deadline` to go out.
    pub fn drain_until(&self, deadline: Instant) {
        if let Some(file) = &self.file {
            file.drain_until(deadline);
        }
        self.stderr.drain_until(deadline);
    }
}

/// Starts logging as `config` says.
pub fn start(config: &Config) -> io::Result<Log> {
    let stderr = Output::stderr(Box::new(|_| {}))?;
    let brief = ConfigBuilder::new()
        .set_time_level(LevelFilter::Off)
        .set_target_level(LevelFilter::Off)
        .set_thread_level(LevelFilter::Off)
        .set_location_level(LevelFilter::Off)
        .add_filter_ignore_str(GUESTS)
        .build();
    let mut loggers: Vec<Box<dyn SharedLogger>> = vec![WriteLogger::new(
        LevelFilter::Warn,
        brief,
        Lines::new(stderr.clone()),
    )];
    let mut file_output = None;
    if let Some(path) = &config.log_file {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
            })?;
        let told = stderr.clone();
        let shown = path.display().to_string();
        let output = Output::file(
            "the log file",
            file,
            Box::new(move |e| {
                let _ = told.write(
                    format!("roshambo: the log file {shown} failed ({e}); nothing more is logged to it\n")
                        .as_bytes(),
                );
            }),
        )?;
        let detailed = ConfigBuilder::new()
            .set_time_format_rfc3339()
            .set_target_level(LevelFilter::Off)
            .set_location_level(LevelFilter::Off)
            .build();
        loggers.push(WriteLogger::new(
            config.log_level,
            detailed,
            Lines::new(output.clone()),
        ));
        file_output = Some(output);
    }
    CombinedLogger::init(loggers).map_err(io::Error::other)?;
    Ok(Log {
        stderr,
        file: file_output,
    })
}

/// Gathers what a logger writes, piece by piece, into whole lines for an [`Output`]:
/// a line is dropped whole or not at all.
struct Lines {
    output: Output,
    line: Vec<u8>,
}

impl Lines {
    fn new(output: Output) -> Lines {
        Lines {
            output,
            line: Vec::new(),
        }
    }
}

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(bytes);
        if let Some(end) = self.line.iter().rposition(|&b| b == b'\n') {
            let rest = self.line.split_off(end + 1);
            let whole = std::mem::replace(&mut self.line, rest);
            // A log that is gone has been said once on stderr; nothing more to do.
            let _ = self.output.write(&whole);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
