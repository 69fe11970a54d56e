//! The command line: flags, their defaults, and one clear line for each mistake.
//! Pure: reads only the arguments it is given.

use log::LevelFilter;
use roshambo_core::game::TableSettings;
use std::ffi::OsString;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// The port guests connect to unless told otherwise.
pub const DEFAULT_PORT: u16 = 12333;

/// What the host asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Run(Config),
    Help,
    Version,
}

/// Everything the server needs to know to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// 0 picks any free port.
    pub port: u16,
    /// `None` listens on all interfaces, IPv6 and IPv4 where the system has them.
    pub bind: Option<IpAddr>,
    pub table: TableSettings,
    /// Keys a second a guest may keep up before they are warned; 0 for no limit.
    pub max_key_rate: u32,
    pub log_file: Option<PathBuf>,
    pub log_level: LevelFilter,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: DEFAULT_PORT,
            bind: None,
            table: TableSettings::default(),
            max_key_rate: 20,
            log_file: None,
            log_level: LevelFilter::Info,
        }
    }
}

/// A mistake on the command line, said in one line that names the flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagError(String);

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FlagError {}

pub const USAGE: &str = "\
roshambo: rock-paper-scissors; you play on this console, guests connect by telnet

Usage: roshambo [OPTIONS]

Options:
  --port N           port guests connect to (default 12333; 0 picks a free one)
  --bind ADDR        address to listen on (default: all interfaces, IPv6 and IPv4)
  --best-of N        games in a match, odd (default 9: the first to 5 wins)
  --timeout SECS     how long a guest may take to move (default 10; 0.1 to 86400)
  --countdown N      the last N whole seconds are counted aloud to the guest (default 5)
  --read-time SECS   added to a new guest's first clock, to read the rules (default 10;
                     0 for none)
  --no-names         seat guests at once, named by their address (no name prompt)
  --name-time SECS   how long a guest has to type their name (default 60)
  --max-guests N     guests at once, the one playing included (default 32)
  --max-per-ip N     guests at once from one address (default 4)
  --max-key-rate N   keys a second a guest may keep up before a warning (default 20;
                     at most 1000; 0: no limit)
  --log-file PATH    write a log of joins, leaves, results and time-outs to PATH
  --log-level LEVEL  error, warn, info, debug, trace or off (default info)
  --help             print this help
  --version          print the version

Keys: r rock, p paper, s scissors, ? help. Ctrl-C (or Ctrl-D) stops the server.
Guests: telnet HOST PORT";

/// Reads the arguments after the program's name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, FlagError> {
    let mut config = Config::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|arg| FlagError(format!("argument {arg:?} is not valid UTF-8")))?;
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, FlagError> {
            match inline_value.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .map(|v| v.to_string_lossy().into_owned())
                    .ok_or_else(|| FlagError(format!("{flag} needs a value (see --help)"))),
            }
        };
        if matches!(flag.as_str(), "--help" | "--version" | "--no-names") && inline_value.is_some()
        {
            return Err(FlagError(format!("{flag} takes no value")));
        }
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--version" | "-V" => return Ok(Command::Version),
            "--port" => config.port = number(&flag, &value()?, "a port number (0 to 65535)")?,
            "--bind" => {
                config.bind = Some(number(
                    &flag,
                    &value()?,
                    "an IP address, such as 127.0.0.1 or ::1",
                )?)
            }
            "--best-of" => config.table.best_of = best_of(&flag, &value()?)?,
            "--timeout" => config.table.clock.timeout = seconds(&flag, &value()?)?,
            "--read-time" => config.table.read_time = seconds_or_none(&flag, &value()?)?,
            "--countdown" => {
                config.table.clock.count_from =
                    number(&flag, &value()?, "a whole number of seconds")?
            }
            "--no-names" => config.table.ask_names = false,
            "--name-time" => config.table.name_time = seconds(&flag, &value()?)?,
            "--max-guests" => config.table.max_guests = at_least_one(&flag, &value()?)?,
            "--max-per-ip" => config.table.max_per_ip = at_least_one(&flag, &value()?)?,
            "--max-key-rate" => config.max_key_rate = key_rate(&flag, &value()?)?,
            "--log-file" => config.log_file = Some(PathBuf::from(value()?)),
            "--log-level" => {
                config.log_level = number(
                    &flag,
                    &value()?,
                    "one of error, warn, info, debug, trace, off",
                )?
            }
            _ if flag.starts_with('-') => {
                return Err(FlagError(format!("unknown flag {flag} (see --help)")))
            }
            _ => {
                return Err(FlagError(format!(
                    "unexpected argument '{arg}' (see --help)"
                )))
            }
        }
    }
    Ok(Command::Run(config))
}

fn number<T: FromStr>(flag: &str, value: &str, what: &str) -> Result<T, FlagError> {
    value
        .trim()
        .parse()
        .map_err(|_| FlagError(format!("{flag}: '{value}' is not {what}")))
}

fn best_of(flag: &str, value: &str) -> Result<u32, FlagError> {
    let n: u32 = number(flag, value, "a whole number of games")?;
    if n == 0 || n.is_multiple_of(2) {
        return Err(FlagError(format!(
            "{flag}: {n} is not odd; a match is 1, 3, 5, ... games so that someone wins"
        )));
    }
    Ok(n)
}

/// The shortest time a flag may give: less is no time for a person to do anything.
const SHORTEST: Duration = Duration::from_millis(100);

/// The longest: a day is already far longer than anyone waits for a move.
const LONGEST: Duration = Duration::from_secs(86_400);

/// The most keys a second a guest may be allowed: no person types faster.
const FASTEST_KEY_RATE: u32 = 1000;

fn seconds(flag: &str, value: &str) -> Result<Duration, FlagError> {
    let secs: f64 = number(flag, value, "a number of seconds")?;
    if secs.is_nan() || secs <= 0.0 {
        return Err(FlagError(format!(
            "{flag}: {value} is not a time; it must be more than 0 seconds"
        )));
    }
    match Duration::try_from_secs_f64(secs) {
        Ok(time) if time < SHORTEST => Err(FlagError(format!(
            "{flag}: {value} is too short; at least 0.1 seconds"
        ))),
        Ok(time) if time <= LONGEST => Ok(time),
        _ => Err(FlagError(format!(
            "{flag}: {value} is too long; at most 86400 seconds"
        ))),
    }
}

/// A time that may also be 0 (none at all), else as [`seconds`].
fn seconds_or_none(flag: &str, value: &str) -> Result<Duration, FlagError> {
    if number::<f64>(flag, value, "a number of seconds")? == 0.0 {
        return Ok(Duration::ZERO);
    }
    seconds(flag, value)
}

fn key_rate(flag: &str, value: &str) -> Result<u32, FlagError> {
    let rate: u32 = number(flag, value, "a whole number of keys a second")?;
    if rate > FASTEST_KEY_RATE {
        return Err(FlagError(format!(
            "{flag}: {rate} is faster than anyone types; at most {FASTEST_KEY_RATE} (0: no limit)"
        )));
    }
    Ok(rate)
}

fn at_least_one(flag: &str, value: &str) -> Result<usize, FlagError> {
    match number(flag, value, "a whole number")? {
        0 => Err(FlagError(format!("{flag}: must be at least 1"))),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roshambo_core::game::countdown::ClockSettings;

    fn run(args: &[&str]) -> Result<Config, String> {
        match parse(args.iter().map(OsString::from)) {
            Ok(Command::Run(config)) => Ok(config),
            Ok(other) => panic!("expected a run, got {other:?}"),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn no_flags_gives_the_documented_defaults() {
        let config = run(&[]).unwrap();
        assert_eq!(config.port, 12333);
        assert_eq!(config.bind, None);
        assert_eq!(config.table.best_of, 9);
        assert_eq!(
            config.table.clock,
            ClockSettings {
                timeout: Duration::from_secs(10),
                count_from: 5
            }
        );
        assert_eq!((config.table.max_guests, config.table.max_per_ip), (32, 4));
        assert_eq!(config.table.read_time, Duration::from_secs(10));
        assert_eq!(config.max_key_rate, 20);
        assert_eq!(config.log_level, LevelFilter::Info);
    }

    #[test]
    fn every_flag_is_read_in_both_spellings() {
        let args = [
            "--port",
            "0",
            "--bind=::1",
            "--best-of",
            "3",
            "--timeout=2.5",
            "--countdown",
            "2",
            "--max-guests",
            "5",
            "--max-per-ip=2",
            "--max-key-rate",
            "0",
            "--log-file",
            "/tmp/x.log",
            "--log-level=debug",
        ];
        let config = run(&args).unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.bind, Some("::1".parse().unwrap()));
        assert_eq!(config.table.best_of, 3);
        assert_eq!(config.table.clock.timeout, Duration::from_millis(2500));
        assert_eq!(config.table.clock.count_from, 2);
        assert_eq!(
            (
                config.table.max_guests,
                config.table.max_per_ip,
                config.max_key_rate
            ),
            (5, 2, 0)
        );
        assert_eq!(config.log_file, Some(PathBuf::from("/tmp/x.log")));
        assert_eq!(config.log_level, LevelFilter::Debug);
    }

    #[test]
    fn each_mistake_is_one_line_that_names_the_flag() {
        let cases: &[(&[&str], &str)] = &[
            (&["--best-of", "4"], "--best-of: 4 is not odd"),
            (&["--best-of", "0"], "--best-of: 0 is not odd"),
            (&["--timeout", "-1"], "--timeout: -1 is not a time"),
            (&["--timeout", "0"], "--timeout: 0 is not a time"),
            (&["--timeout", "NaN"], "--timeout: NaN is not a time"),
            (&["--timeout", "1e300"], "--timeout: 1e300 is too long"),
            (&["--timeout", "86400.5"], "--timeout: 86400.5 is too long"),
            (&["--timeout", "1e-320"], "--timeout: 1e-320 is too short"),
            (&["--timeout", "0.09"], "--timeout: 0.09 is too short"),
            (
                &["--max-key-rate", "4000000000"],
                "--max-key-rate: 4000000000 is faster than anyone types",
            ),
            (
                &["--max-key-rate", "1001"],
                "--max-key-rate: 1001 is faster than anyone types",
            ),
            (&["--version=x"], "--version takes no value"),
            (&["--help=yes"], "--help takes no value"),
            (&["--port", "http"], "--port: 'http' is not a port number"),
            (&["--port", "70000"], "--port: '70000' is not a port number"),
            (&["--port"], "--port needs a value"),
            (
                &["--bind", "nowhere"],
                "--bind: 'nowhere' is not an IP address",
            ),
            (
                &["--countdown", "-2"],
                "--countdown: '-2' is not a whole number",
            ),
            (&["--max-guests", "0"], "--max-guests: must be at least 1"),
            (
                &["--log-level", "loud"],
                "--log-level: 'loud' is not one of",
            ),
            (&["--colour"], "unknown flag --colour"),
            (&["play"], "unexpected argument 'play'"),
        ];
        for (args, start) in cases {
            let message = run(args).expect_err("a mistake");
            assert!(message.starts_with(start), "{args:?} said {message:?}");
            assert!(!message.contains('\n'), "{message:?}");
        }
    }

    #[test]
    fn help_and_version_win_over_the_rest() {
        assert_eq!(
            parse(["--port", "1", "--help"].map(OsString::from)),
            Ok(Command::Help)
        );
        assert_eq!(
            parse(["--version"].map(OsString::from)),
            Ok(Command::Version)
        );
    }

    #[test]
    fn the_reading_time_may_be_none() {
        assert_eq!(
            run(&["--read-time", "0"]).unwrap().table.read_time,
            Duration::ZERO
        );
        assert_eq!(
            run(&["--read-time", "2.5"]).unwrap().table.read_time,
            Duration::from_millis(2500)
        );
        assert!(run(&["--read-time", "-1"])
            .unwrap_err()
            .starts_with("--read-time"));
    }

    #[test]
    fn the_limits_themselves_are_allowed() {
        let config = run(&["--timeout", "0.1", "--max-key-rate", "1000"]).unwrap();
        assert_eq!(config.table.clock.timeout, Duration::from_millis(100));
        assert_eq!(config.max_key_rate, 1000);
        let config = run(&["--timeout", "86400"]).unwrap();
        assert_eq!(config.table.clock.timeout, Duration::from_secs(86_400));
    }
}
