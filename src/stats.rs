//! `roshambo stats`: the records, printed as aligned text or one JSON document. Does IO
//! (reads the records file, writes to stdout); starts no server and touches no terminal.

use crate::flags::StatsConfig;
use crate::records::{HostRecord, LeaderboardRow, MatchRow, PlayerRecord, Store};
use roshambo_core::records::{leaderboard_lines, match_lines, printable};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Players on the leaderboard, as `l` shows it.
const LEADERBOARD_SIZE: usize = crate::edges::recorder::LEADERBOARD_SIZE;

/// Why `stats` printed nothing: said in one line by `main`, exit status 1.
#[derive(Debug)]
pub enum StatsError {
    Open(crate::records::OpenError),
    /// The file opened but a read failed (a damaged file).
    Read {
        path: std::path::PathBuf,
        source: rusqlite::Error,
    },
}

impl std::fmt::Display for StatsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatsError::Open(e) => e.fmt(f),
            StatsError::Read { path, source } => {
                write!(f, "cannot read the records at {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for StatsError {}

/// What the records say, read in one go before anything is printed, so that a damaged
/// file prints one line and nothing else.
#[derive(Debug)]
enum Report {
    Everyone {
        host: HostRecord,
        leaderboard: Vec<LeaderboardRow>,
        matches: Vec<MatchRow>,
    },
    Player {
        name: String,
        record: Option<PlayerRecord>,
        matches: Vec<MatchRow>,
    },
}

/// Reads the records `config` names and prints them to `out`. A stdout that is gone
/// (`roshambo stats | head -1`) is not an error.
pub fn run(config: &StatsConfig, out: &mut impl Write) -> Result<(), StatsError> {
    let store = Store::open_read_only(&config.db).map_err(StatsError::Open)?;
    let report = read(&store, config).map_err(|source| StatsError::Read {
        path: config.db.clone(),
        source,
    })?;
    let printed = if config.json {
        let document = json_of(&report, config);
        writeln!(out, "{document}")
    } else {
        print_text(&report, config, out)
    };
    match printed.and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            // Nothing else can be said on a stdout that fails.
            let _ = writeln!(io::stderr(), "roshambo: stats: {e}");
            Ok(())
        }
        _ => Ok(()),
    }
}

fn read(store: &Store, config: &StatsConfig) -> rusqlite::Result<Report> {
    Ok(match &config.name {
        Some(name) => Report::Player {
            name: name.clone(),
            record: store.player(name)?,
            matches: store.recent_matches(Some(name), config.limit)?,
        },
        None => Report::Everyone {
            host: store.host_lifetime()?,
            leaderboard: store.leaderboard(LEADERBOARD_SIZE)?,
            matches: store.recent_matches(None, config.limit)?,
        },
    })
}

fn print_text(report: &Report, config: &StatsConfig, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "Records: {}", config.db.display())?;
    let matches = match report {
        Report::Everyone {
            host,
            leaderboard,
            matches,
        } => {
            writeln!(out, "Host, all runs: {host}")?;
            writeln!(out)?;
            writeln!(out, "Leaderboard: by matches won, then share of games won")?;
            if leaderboard.is_empty() {
                writeln!(out, "Nobody has played yet.")?;
            } else {
                for line in leaderboard_lines(leaderboard) {
                    writeln!(out, "{line}")?;
                }
            }
            writeln!(out)?;
            writeln!(out, "Latest matches (score: host-guest)")?;
            matches
        }
        Report::Player {
            name,
            record,
            matches,
        } => {
            match record {
                Some(record) => writeln!(out, "{record}")?,
                None => writeln!(out, "{}: no matches recorded", printable(name))?,
            }
            if record.is_none() {
                return Ok(());
            }
            writeln!(out)?;
            writeln!(out, "Latest matches (score: host-guest)")?;
            matches
        }
    };
    if matches.is_empty() {
        writeln!(out, "None yet.")?;
    } else {
        for line in match_lines(matches) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn json_of(report: &Report, config: &StatsConfig) -> Value {
    let records = config.db.display().to_string();
    match report {
        Report::Everyone {
            host,
            leaderboard,
            matches,
        } => json!({
            "records": records,
            "host": {
                "matches": host.matches,
                "won": host.won,
                "lost": host.lost,
                "games": host.games,
                "games_won": host.games_won,
                "games_lost": host.games_lost,
                "games_tied": host.games_tied,
                "share": host.share(),
            },
            "leaderboard": leaderboard
                .iter()
                .map(|row| {
                    let mut player = player_json(&row.player);
                    player["rank"] = json!(row.rank);
                    player
                })
                .collect::<Vec<_>>(),
            "matches": matches.iter().map(match_json).collect::<Vec<_>>(),
        }),
        Report::Player {
            name,
            record,
            matches,
        } => json!({
            "records": records,
            "name": name,
            "player": record.as_ref().map(player_json),
            "matches": matches.iter().map(match_json).collect::<Vec<_>>(),
        }),
    }
}

fn player_json(p: &PlayerRecord) -> Value {
    json!({
        "name": p.name,
        "matches": p.matches,
        "won": p.won,
        "lost": p.lost,
        "games": p.games,
        "games_won": p.games_won,
        "games_lost": p.games_lost,
        "share": p.share(),
    })
}

fn match_json(m: &MatchRow) -> Value {
    json!({
        "id": m.id.0,
        "started": m.started,
        "ended": m.ended,
        "guest_name": m.guest_name,
        "guest_addr": m.guest_addr,
        "host_wins": m.host_wins,
        "guest_wins": m.guest_wins,
        "ties": m.ties,
        "ending": m.ending.map(|e| e.as_str()),
    })
}
