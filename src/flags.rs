//! The command line: flags, their defaults, and one clear line for each mistake. Parsed
//! by clap (derive); the mistakes clap finds are said again in one line that names the
//! flag. Pure but for one thing: the records' default place is read from XDG_DATA_HOME
//! and HOME when the arguments name none.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use log::LevelFilter;
use roshambo_core::game::rules::Variant;
use roshambo_core::game::TableSettings;
use std::ffi::OsString;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// The port guests connect to unless told otherwise.
pub const DEFAULT_PORT: u16 = 12333;

/// Matches `roshambo stats` lists unless told otherwise.
pub const DEFAULT_STATS_LIMIT: usize = 10;

/// What the host asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Run(Config),
    /// `roshambo stats`: print the records and exit.
    Stats(StatsConfig),
    /// `--help`: the text to print (the server's, or `stats`'s own).
    Help(String),
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
    /// Where every match is recorded; `None` with `--no-records`: nothing is stored.
    pub records: Option<PathBuf>,
    /// The house bot's seed (`--bot-seed`); `None`: a new one each run.
    pub bot_seed: Option<u64>,
}

impl Default for Config {
    /// The defaults, records in `roshambo.db` in the working folder: the real default
    /// place depends on the environment, and [`parse`] reads it.
    fn default() -> Self {
        Config {
            port: DEFAULT_PORT,
            bind: None,
            table: TableSettings::default(),
            max_key_rate: 20,
            log_file: None,
            log_level: LevelFilter::Info,
            records: Some(PathBuf::from(DB_FILE)),
            bot_seed: None,
        }
    }
}

/// What `roshambo stats` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatsConfig {
    /// The records file, which must exist.
    pub db: PathBuf,
    /// How many recent matches to list (the leaderboard is always the top 10).
    pub limit: usize,
    /// One JSON document instead of aligned text.
    pub json: bool,
    /// One player's record and matches instead of everyone's.
    pub name: Option<String>,
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

/// The records file's name in its folder.
const DB_FILE: &str = "roshambo.db";

/// Where the records live when no `--db` says: `$XDG_DATA_HOME/roshambo/roshambo.db`, or
/// `~/.local/share/roshambo/roshambo.db` when XDG_DATA_HOME is unset, empty or relative
/// (the XDG spec says to ignore a relative one). `None` when HOME is unset too.
pub fn default_db(xdg_data_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    let data = absolute(xdg_data_home).or_else(|| absolute(home).map(|h| h.join(".local/share")));
    data.map(|d| d.join("roshambo").join(DB_FILE))
}

/// Reads the arguments after the program's name; the records' default place comes from
/// XDG_DATA_HOME and HOME.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, FlagError> {
    let db = default_db(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"));
    parse_with(args, db)
}

/// As [`parse`], with the records' default place given (`None`: there is none, and the
/// server then needs `--db` or `--no-records`).
pub fn parse_with(
    args: impl IntoIterator<Item = OsString>,
    default_db: Option<PathBuf>,
) -> Result<Command, FlagError> {
    let mut command = Cli::command().after_help(after_help(&default_db));
    let args = std::iter::once(OsString::from("roshambo")).chain(args);
    let matches = match command.try_get_matches_from_mut(args) {
        Ok(matches) => matches,
        Err(e) if e.kind() == ErrorKind::DisplayHelp => return Ok(Command::Help(e.to_string())),
        Err(e) if e.kind() == ErrorKind::DisplayVersion => return Ok(Command::Version),
        Err(e) => return Err(one_line(&e)),
    };
    let cli = Cli::from_arg_matches(&matches).map_err(|e| one_line(&e))?;
    let no_db = || {
        FlagError(
            "no place for the records: HOME and XDG_DATA_HOME are unset; give --db PATH \
             (or --no-records)"
                .to_string(),
        )
    };
    match cli.command {
        Some(Sub::Stats(stats)) => Ok(Command::Stats(StatsConfig {
            db: stats.db.or(default_db).ok_or_else(no_db)?,
            limit: stats.limit,
            json: stats.json,
            name: stats.name,
        })),
        None => {
            let flags = cli.serve;
            let mut config = Config::default();
            let table = &mut config.table;
            set(&mut config.port, flags.port);
            config.bind = flags.bind;
            set(&mut table.best_of, flags.best_of);
            set(&mut table.clock.timeout, flags.timeout);
            set(&mut table.clock.count_from, flags.countdown);
            set(&mut table.read_time, flags.read_time);
            table.ask_names = !flags.no_names;
            set(&mut table.name_time, flags.name_time);
            set(&mut table.variant, flags.game);
            table.house_bot = flags.house_bot;
            config.bot_seed = flags.bot_seed;
            set(&mut table.bot_pause, flags.bot_pause);
            set(&mut table.max_guests, flags.max_guests);
            set(&mut table.max_per_ip, flags.max_per_ip);
            set(&mut config.max_key_rate, flags.max_key_rate);
            config.log_file = flags.log_file;
            set(&mut config.log_level, flags.log_level);
            config.records = match (flags.no_records, flags.db) {
                (true, _) => None,
                (false, Some(db)) => Some(db),
                (false, None) => Some(default_db.ok_or_else(no_db)?),
            };
            Ok(Command::Run(config))
        }
    }
}

/// A flag given overrides the default already in `slot`.
fn set<T>(slot: &mut T, given: Option<T>) {
    if let Some(value) = given {
        *slot = value;
    }
}

/// The help's last lines: the keys, how guests connect, and where the records live
/// (this machine's default place, read from the environment, said as it is).
fn after_help(default_db: &Option<PathBuf>) -> String {
    let here = match default_db {
        Some(path) => format!("here {}", path.display()),
        None => "none here: HOME is unset".to_string(),
    };
    format!(
        "Keys: r rock, p paper, s scissors, ? help, l leaderboard; b hands your seat to the house\n\
bot, h takes it back. Ctrl-C (or Ctrl-D) stops the server.\n\
         Guests: telnet HOST PORT\n\
         Records: every match is kept in $XDG_DATA_HOME/roshambo/roshambo.db, else\n\
         ~/.local/share/roshambo/roshambo.db ({here});\n\
         --db PATH keeps them elsewhere, --no-records nowhere. `roshambo stats` shows them."
    )
}

/// rock-paper-scissors: you play on this console, guests connect by telnet
#[derive(Debug, Parser)]
#[command(
    name = "roshambo",
    version,
    about = "roshambo: rock-paper-scissors; you play on this console, guests connect by telnet",
    long_about = None,
    args_conflicts_with_subcommands = true,
    args_override_self = true,
    disable_help_subcommand = true,
    color = clap::ColorChoice::Never
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    serve: ServeFlags,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Print the leaderboard and the latest matches (or one player's) and exit
    Stats(StatsFlags),
}

/// The server's flags. Each is `None` when not given: the defaults live in [`Config`]
/// and [`TableSettings`], said in the help text.
#[derive(Debug, Args)]
struct ServeFlags {
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = port,
          help = "port guests connect to (default 12333; 0 picks a free one)")]
    port: Option<u16>,
    #[arg(long, value_name = "ADDR", value_parser = ip_address,
          help = "address to listen on (default: all interfaces, IPv6 and IPv4)")]
    bind: Option<IpAddr>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = best_of,
          help = "games in a match, odd (default 9: the first to 5 wins)")]
    best_of: Option<u32>,
    #[arg(long, value_name = "SECS", allow_negative_numbers = true, value_parser = seconds,
          help = "how long a guest may take to move (default 10; 0.1 to 86400)")]
    timeout: Option<Duration>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = whole_seconds,
          help = "the last N seconds are counted aloud to the guest (default 5)")]
    countdown: Option<u32>,
    #[arg(long, value_name = "SECS", allow_negative_numbers = true,
          value_parser = seconds_or_none,
          help = "added to a new guest's first clock (default 10; 0 for none)")]
    read_time: Option<Duration>,
    #[arg(
        long,
        help = "seat guests at once, named by their address (no name prompt)"
    )]
    no_names: bool,
    #[arg(long, value_name = "SECS", allow_negative_numbers = true, value_parser = seconds,
          help = "how long a guest has to type their name (default 60)")]
    name_time: Option<Duration>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one,
          help = "guests at once, the one playing included (default 32)")]
    max_guests: Option<usize>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one,
          help = "guests at once from one address (default 4)")]
    max_per_ip: Option<usize>,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = key_rate,
          help = "keys/s a guest may keep up (default 20; at most 1000; 0: no limit)")]
    max_key_rate: Option<u32>,
    #[arg(
        long,
        value_name = "PATH",
        help = "write a log of joins, leaves, results and time-outs to PATH"
    )]
    log_file: Option<PathBuf>,
    #[arg(long, value_name = "LEVEL", value_parser = log_level,
          help = "error, warn, info, debug, trace or off (default info)")]
    log_level: Option<LevelFilter>,
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "no_records",
        help = "the records file (default: see Records below)"
    )]
    db: Option<PathBuf>,
    #[arg(long, help = "record nothing: no file is opened or written")]
    no_records: bool,
    #[arg(long, value_name = "GAME", value_parser = game,
          help = "rps, or rpsls: rock, paper, scissors, lizard (l), Spock (k) (default rps)")]
    game: Option<Variant>,
    #[arg(
        long,
        help = "the house bot takes your seat for the whole run; the console is optional"
    )]
    house_bot: bool,
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = bot_seed,
          help = "the house bot's seed, to replay its moves (default: new each run)")]
    bot_seed: Option<u64>,
    #[arg(long, value_name = "SECS", allow_negative_numbers = true,
          value_parser = seconds_or_none,
          help = "how long the house bot seems to think, on average (default 0.8; 0: no pause)")]
    bot_pause: Option<Duration>,
}

#[derive(Debug, Args)]
struct StatsFlags {
    #[arg(
        long,
        value_name = "PATH",
        help = "the records file (default: where the server keeps them, see roshambo --help)"
    )]
    db: Option<PathBuf>,
    #[arg(long, value_name = "N", default_value_t = DEFAULT_STATS_LIMIT,
          allow_negative_numbers = true, value_parser = stats_limit,
          help = "how many of the latest matches to list (1 to 10000)")]
    limit: usize,
    #[arg(long, help = "print one JSON document instead of text")]
    json: bool,
    #[arg(
        value_name = "NAME",
        help = "one player's record and matches (any case)"
    )]
    name: Option<String>,
}

/// Says a clap error in one line that names the flag, as the hand-written parser did.
fn one_line(e: &clap::Error) -> FlagError {
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    // "--best-of <N>" names the flag "--best-of".
    let flag = context(ContextKind::InvalidArg)
        .map(|arg| arg.split([' ', '=']).next().unwrap_or_default().to_string())
        .unwrap_or_default();
    let value = context(ContextKind::InvalidValue).unwrap_or_default();
    let message = match e.kind() {
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("'{value}' is not valid"));
            format!("{flag}: {why}")
        }
        ErrorKind::InvalidValue if value.is_empty() => {
            format!("{flag} needs a value (see --help)")
        }
        ErrorKind::UnknownArgument if flag.starts_with('-') => {
            match context(ContextKind::SuggestedArg) {
                Some(like) => format!("unknown flag {flag} (did you mean {like}? see --help)"),
                None => format!("unknown flag {flag} (see --help)"),
            }
        }
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand => {
            let arg = context(ContextKind::InvalidSubcommand).unwrap_or(flag);
            format!("unexpected argument '{arg}' (see --help)")
        }
        ErrorKind::TooManyValues if !flag.is_empty() => format!("{flag} takes no value"),
        ErrorKind::ArgumentConflict => {
            // A server flag before `stats` names no invalid argument: the subcommand is.
            let this = Some(flag)
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "stats".to_string());
            let other = context(ContextKind::PriorArg).unwrap_or_default();
            let other = other.split([' ', '=']).next().unwrap_or_default();
            format!("{this} cannot be used with {other} (see --help)")
        }
        _ => first_line(e),
    };
    FlagError(message)
}

/// clap's own words, first line only, without its `error: `.
fn first_line(e: &clap::Error) -> String {
    let rendered = e.to_string();
    let line = rendered
        .lines()
        .next()
        .unwrap_or("a mistake on the command line");
    let line = line.strip_prefix("error: ").unwrap_or(line);
    format!("{line} (see --help)")
}

fn number<T: FromStr>(value: &str, what: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("'{value}' is not {what}"))
}

fn port(value: &str) -> Result<u16, String> {
    number(value, "a port number (0 to 65535)")
}

fn ip_address(value: &str) -> Result<IpAddr, String> {
    number(value, "an IP address, such as 127.0.0.1 or ::1")
}

fn whole_seconds(value: &str) -> Result<u32, String> {
    number(value, "a whole number of seconds")
}

fn game(value: &str) -> Result<Variant, String> {
    match value.trim() {
        "rps" => Ok(Variant::Rps),
        "rpsls" => Ok(Variant::Rpsls),
        _ => Err(format!("'{value}' is not a game: rps or rpsls")),
    }
}

fn bot_seed(value: &str) -> Result<u64, String> {
    number(value, "a whole number from 0 to 18446744073709551615")
}

fn log_level(value: &str) -> Result<LevelFilter, String> {
    number(value, "one of error, warn, info, debug, trace, off")
}

fn best_of(value: &str) -> Result<u32, String> {
    let n: u32 = number(value, "a whole number of games")?;
    if n == 0 || n.is_multiple_of(2) {
        return Err(format!(
            "{n} is not odd; a match is 1, 3, 5, ... games so that someone wins"
        ));
    }
    Ok(n)
}

/// The shortest time a flag may give: less is no time for a person to do anything.
const SHORTEST: Duration = Duration::from_millis(100);

/// The longest: a day is already far longer than anyone waits for a move.
const LONGEST: Duration = Duration::from_secs(86_400);

/// The most keys a second a guest may be allowed: no person types faster.
const FASTEST_KEY_RATE: u32 = 1000;

/// The most matches `stats` lists: more is no longer something to read.
const LONGEST_LIST: usize = 10_000;

fn seconds(value: &str) -> Result<Duration, String> {
    let secs: f64 = number(value, "a number of seconds")?;
    if secs.is_nan() || secs <= 0.0 {
        return Err(format!(
            "{value} is not a time; it must be more than 0 seconds"
        ));
    }
    match Duration::try_from_secs_f64(secs) {
        Ok(time) if time < SHORTEST => Err(format!("{value} is too short; at least 0.1 seconds")),
        Ok(time) if time <= LONGEST => Ok(time),
        _ => Err(format!("{value} is too long; at most 86400 seconds")),
    }
}

/// A time that may also be 0 (none at all), else as [`seconds`].
fn seconds_or_none(value: &str) -> Result<Duration, String> {
    if number::<f64>(value, "a number of seconds")? == 0.0 {
        return Ok(Duration::ZERO);
    }
    seconds(value)
}

fn key_rate(value: &str) -> Result<u32, String> {
    let rate: u32 = number(value, "a whole number of keys a second")?;
    if rate > FASTEST_KEY_RATE {
        return Err(format!(
            "{rate} is faster than anyone types; at most {FASTEST_KEY_RATE} (0: no limit)"
        ));
    }
    Ok(rate)
}

fn at_least_one(value: &str) -> Result<usize, String> {
    match number(value, "a whole number")? {
        0 => Err("must be at least 1".to_string()),
        n => Ok(n),
    }
}

fn stats_limit(value: &str) -> Result<usize, String> {
    match at_least_one(value)? {
        n if n > LONGEST_LIST => Err(format!("{n} is too many; at most {LONGEST_LIST}")),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roshambo_core::game::countdown::ClockSettings;

    /// Where the tests' records would go by default: never a real data folder.
    fn default_place() -> Option<PathBuf> {
        Some(PathBuf::from("/nowhere/roshambo/roshambo.db"))
    }

    fn command(args: &[&str]) -> Result<Command, FlagError> {
        parse_with(args.iter().map(OsString::from), default_place())
    }

    fn run(args: &[&str]) -> Result<Config, String> {
        match command(args) {
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
        assert!(config.table.ask_names);
        assert_eq!(config.table.name_time, Duration::from_secs(60));
        assert_eq!(config.records, default_place());
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
            "--no-names",
            "--name-time=30",
            "--db",
            "/tmp/r.db",
            "--game=rpsls",
            "--house-bot",
            "--bot-seed",
            "42",
            "--bot-pause=0",
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
        assert!(!config.table.ask_names);
        assert_eq!(config.table.name_time, Duration::from_secs(30));
        assert_eq!(config.records, Some(PathBuf::from("/tmp/r.db")));
        assert_eq!(config.table.variant, Variant::Rpsls);
        assert!(config.table.house_bot);
        assert_eq!(config.bot_seed, Some(42));
        assert_eq!(config.table.bot_pause, Duration::ZERO);
    }

    #[test]
    fn each_mistake_is_one_line_that_names_the_flag() {
        let cases: &[(&[&str], &str)] = &[
            (&["--best-of", "4"], "--best-of: 4 is not odd"),
            (
                &["--game", "chess"],
                "--game: 'chess' is not a game: rps or rpsls",
            ),
            (
                &["--bot-seed", "-1"],
                "--bot-seed: '-1' is not a whole number",
            ),
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
            (
                &["--prot", "1"],
                "unknown flag --prot (did you mean --port?",
            ),
            (&["play"], "unexpected argument 'play'"),
            (&["--no-names=yes"], "--no-names takes no value"),
            (&["--name-time", "0"], "--name-time: 0 is not a time"),
            (
                &["--db", "x.db", "--no-records"],
                "--db cannot be used with --no-records",
            ),
            (
                &["--port", "1", "stats"],
                "stats cannot be used with --port",
            ),
            (&["stats", "--limit", "0"], "--limit: must be at least 1"),
            (&["stats", "--limit", "10001"], "--limit: 10001 is too many"),
            (&["stats", "--port", "1"], "unknown flag --port"),
            (&["stats", "alice", "bob"], "unexpected argument 'bob'"),
        ];
        for (args, start) in cases {
            let message = run(args).expect_err("a mistake");
            assert!(message.starts_with(start), "{args:?} said {message:?}");
            assert!(!message.contains('\n'), "{message:?}");
        }
    }

    #[test]
    fn help_and_version_win_over_the_rest() {
        for args in [&["--port", "1", "--help"][..], &["-h"]] {
            match command(args) {
                Ok(Command::Help(text)) => assert!(text.contains("--best-of"), "{text}"),
                other => panic!("{args:?}: expected help, got {other:?}"),
            }
        }
        assert_eq!(command(&["--version"]), Ok(Command::Version));
        assert_eq!(command(&["-V"]), Ok(Command::Version));
    }

    #[test]
    fn help_lists_every_flag_with_its_default_and_where_records_live() {
        let Ok(Command::Help(text)) = command(&["--help"]) else {
            panic!("no help")
        };
        for (flag, default) in [
            ("--port", "default 12333"),
            ("--bind", "default: all interfaces"),
            ("--best-of", "default 9"),
            ("--timeout", "default 10"),
            ("--countdown", "default 5"),
            ("--read-time", "default 10"),
            ("--no-names", ""),
            ("--name-time", "default 60"),
            ("--max-guests", "default 32"),
            ("--max-per-ip", "default 4"),
            ("--max-key-rate", "default 20"),
            ("--log-file", ""),
            ("--log-level", "default info"),
            ("--db", "default"),
            ("--no-records", ""),
            ("--help", ""),
            ("--version", ""),
        ] {
            let line = text
                .lines()
                .find(|l| l.trim_start().split([' ', ',']).any(|w| w == flag))
                .unwrap_or_else(|| panic!("{flag} is not in the help:\n{text}"));
            assert!(line.contains(default), "{flag}'s default: {line:?}");
        }
        assert!(
            text.contains("/nowhere/roshambo/roshambo.db"),
            "the records' place on this machine:\n{text}"
        );
        let Ok(Command::Help(stats)) = command(&["stats", "--help"]) else {
            panic!("no help for stats")
        };
        for flag in ["--db", "--limit", "--json", "[NAME]"] {
            assert!(
                stats.contains(flag),
                "{flag} in the help of stats:\n{stats}"
            );
        }
    }

    #[test]
    fn records_may_be_elsewhere_or_nowhere() {
        assert_eq!(run(&["--no-records"]).unwrap().records, None);
        assert_eq!(
            run(&["--db=/x/y.db"]).unwrap().records,
            Some(PathBuf::from("/x/y.db"))
        );
        let without_home = parse_with(std::iter::empty(), None).unwrap_err();
        assert!(without_home.to_string().contains("--db"), "{without_home}");
        assert!(matches!(
            parse_with(["--no-records"].map(OsString::from), None),
            Ok(Command::Run(Config { records: None, .. }))
        ));
    }

    #[test]
    fn the_default_place_follows_xdg_then_home() {
        let place = |xdg: Option<&str>, home: Option<&str>| {
            default_db(xdg.map(OsString::from), home.map(OsString::from))
        };
        let cases = [
            (
                Some("/data"),
                Some("/home/a"),
                Some("/data/roshambo/roshambo.db"),
            ),
            (
                None,
                Some("/home/a"),
                Some("/home/a/.local/share/roshambo/roshambo.db"),
            ),
            (
                Some(""),
                Some("/home/a"),
                Some("/home/a/.local/share/roshambo/roshambo.db"),
            ),
            // The XDG spec: a relative path is to be ignored.
            (
                Some("rel"),
                Some("/home/a"),
                Some("/home/a/.local/share/roshambo/roshambo.db"),
            ),
            (None, None, None),
            (Some("/data"), None, Some("/data/roshambo/roshambo.db")),
        ];
        for (xdg, home, expected) in cases {
            assert_eq!(
                place(xdg, home),
                expected.map(PathBuf::from),
                "{xdg:?} {home:?}"
            );
        }
    }

    #[test]
    fn stats_reads_its_own_flags() {
        assert_eq!(
            command(&["stats"]),
            Ok(Command::Stats(StatsConfig {
                db: default_place().unwrap(),
                limit: DEFAULT_STATS_LIMIT,
                json: false,
                name: None,
            }))
        );
        assert_eq!(
            command(&["stats", "--db", "/r.db", "--limit=3", "--json", "O'Brien"]),
            Ok(Command::Stats(StatsConfig {
                db: PathBuf::from("/r.db"),
                limit: 3,
                json: true,
                name: Some("O'Brien".to_string()),
            }))
        );
    }

    #[test]
    fn a_later_flag_wins_over_an_earlier_one() {
        let config = run(&["--port", "0", "--no-names", "--port=4000", "--no-names"]).unwrap();
        assert_eq!(config.port, 4000);
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
