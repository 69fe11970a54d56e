//! The house bot (`roshambo_core::bot::Bot`) against simulated players, for rock-paper-
//! scissors and rock-paper-scissors-lizard-Spock: the bot's share of the decided games
//! (ties left out) over 1,000-game matches and several seeds, against the issue's
//! targets, and the time `choose()` takes, p99 over every choice. Run with
//! `cargo bench --bench bot`.
//!
//! A missed target prints FAIL; only a wrong answer (a move out of range, a replay that
//! differs, a panic) makes the bench exit non-zero.

use roshambo_core::bot::random::Dice;
use roshambo_core::bot::{Beats, Bot};
use std::panic;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Games in each simulated match.
const GAMES: usize = 1000;
/// Seeds per (game, player); each seeds both the bot and the player.
const SEEDS: u64 = 10;
/// The target for `choose()`, p99.
const CHOOSE_TARGET: Duration = Duration::from_micros(50);

/// A simulated player.
#[derive(Clone, Copy, Debug)]
enum Player {
    /// Every move equally likely.
    Uniform,
    /// 0, 1, 2, ... round all the moves.
    Cycle,
    /// Rock half the time, the other moves evenly.
    RockHalf,
    /// Win: the same move; loss: the first move that beats the bot's last; tie: the
    /// same; and one move in five at random.
    WinStayLoseShift,
    /// Plays to beat the bot's most common move so far (ties at random).
    Counter,
}

/// What the bot's mean share must be against a player.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Within `±` of one half: it cannot be exploited and does not pretend to win.
    NearHalf(f64),
    AtLeast(f64),
}

impl Target {
    fn met(self, share: f64) -> bool {
        match self {
            Target::NearHalf(within) => (share - 0.5).abs() <= within,
            Target::AtLeast(least) => share >= least,
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::NearHalf(within) => write!(f, "50% ± {:.0}%", within * 100.0),
            Target::AtLeast(least) => write!(f, ">= {:.0}%", least * 100.0),
        }
    }
}

const PLAYERS: [(Player, &str, Target); 5] = [
    (Player::Uniform, "uniform random", Target::NearHalf(0.04)),
    (Player::Cycle, "fixed cycle", Target::AtLeast(0.90)),
    (
        Player::RockHalf,
        "rock 50%, rest even",
        Target::AtLeast(0.60),
    ),
    (
        Player::WinStayLoseShift,
        "win-stay/lose-shift, 20% noise",
        Target::AtLeast(0.65),
    ),
    (
        Player::Counter,
        "beats the bot's favourite",
        Target::AtLeast(0.55),
    ),
];

impl Player {
    /// The next move, given the games so far as (player's move, bot's move).
    fn next(self, beats: &Beats, seen: &[(usize, usize)], dice: &mut Dice) -> usize {
        let moves = beats.moves();
        match self {
            Player::Uniform => dice.roll(moves),
            Player::Cycle => seen.len() % moves,
            Player::RockHalf => {
                let roll = dice.roll(2 * (moves - 1));
                if roll < moves - 1 {
                    0
                } else {
                    1 + roll - (moves - 1)
                }
            }
            Player::WinStayLoseShift => match seen.last() {
                _ if dice.roll(5) == 0 => dice.roll(moves),
                None => dice.roll(moves),
                Some(&(mine, bots)) if beats.beats(bots, mine) => {
                    (0..moves).find(|&m| beats.beats(m, bots)).unwrap_or(mine)
                }
                Some(&(mine, _)) => mine,
            },
            Player::Counter => {
                let mut counts = vec![0; moves];
                for &(_, bots) in seen {
                    counts[bots] += 1;
                }
                let most = counts.iter().copied().max().unwrap_or(0);
                let favourites: Vec<usize> = (0..moves).filter(|&m| counts[m] == most).collect();
                let favourite = favourites[dice.roll(favourites.len())];
                let beaters: Vec<usize> =
                    (0..moves).filter(|&m| beats.beats(m, favourite)).collect();
                beaters[dice.roll(beaters.len())]
            }
        }
    }
}

/// One match: the games (player's move, bot's move) and how long each choice took.
fn play(
    beats: &Beats,
    player: Player,
    seed: u64,
    times: &mut Vec<Duration>,
) -> Vec<(usize, usize)> {
    let mut bot = Bot::new(beats.clone(), seed);
    let mut dice = Dice::seeded(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut games = Vec::with_capacity(GAMES);
    for _ in 0..GAMES {
        let began = Instant::now();
        let bots = bot.choose();
        times.push(began.elapsed());
        let mine = player.next(beats, &games, &mut dice);
        bot.observe(mine, bots);
        games.push((mine, bots));
    }
    games
}

/// The bot's share of the decided games.
fn share(beats: &Beats, games: &[(usize, usize)]) -> f64 {
    let won = games.iter().filter(|&&(p, b)| beats.beats(b, p)).count();
    let lost = games.iter().filter(|&&(p, b)| beats.beats(p, b)).count();
    won as f64 / (won + lost).max(1) as f64
}

fn rps() -> Beats {
    Beats::new(3, |a, b| (a + 3 - b) % 3 == 1)
}

/// Rock 0, paper 1, scissors 2, lizard 3, Spock 4.
fn rpsls() -> Beats {
    const WINS: [(usize, usize); 10] = [
        (0, 2),
        (0, 3),
        (1, 0),
        (1, 4),
        (2, 1),
        (2, 3),
        (3, 1),
        (3, 4),
        (4, 0),
        (4, 2),
    ];
    Beats::new(5, |a, b| WINS.contains(&(a, b)))
}

/// One row of the table.
struct Row {
    game: &'static str,
    player: &'static str,
    target: Target,
    mean: f64,
    min: f64,
    max: f64,
}

/// Every match, or what was wrong.
fn run(times: &mut Vec<Duration>) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (game, beats) in [("rps", rps()), ("rpsls", rpsls())] {
        for (player, name, target) in PLAYERS {
            let mut shares = Vec::new();
            for seed in 1..=SEEDS {
                let games = play(&beats, player, seed, times);
                if let Some(bad) = games.iter().find(|g| g.1 >= beats.moves()) {
                    return Err(format!(
                        "{game}, {name}, seed {seed}: the bot played {}",
                        bad.1
                    ));
                }
                if seed == 1 && play(&beats, player, seed, &mut Vec::new()) != games {
                    return Err(format!("{game}, {name}: seed {seed} replayed differently"));
                }
                shares.push(share(&beats, &games));
            }
            rows.push(Row {
                game,
                player: name,
                target,
                mean: shares.iter().sum::<f64>() / shares.len() as f64,
                min: shares.iter().copied().fold(f64::INFINITY, f64::min),
                max: shares.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            });
        }
    }
    Ok(rows)
}

fn main() -> ExitCode {
    let mut times = Vec::new();
    let rows = match panic::catch_unwind(move || run(&mut times).map(|rows| (rows, times))) {
        Ok(Ok(done)) => done,
        Ok(Err(wrong)) => {
            eprintln!("bot: wrong answer: {wrong}");
            return ExitCode::FAILURE;
        }
        Err(_) => {
            eprintln!("bot: the bot panicked (see above)");
            return ExitCode::FAILURE;
        }
    };
    let (rows, mut times) = rows;
    let pct = |share: f64| format!("{:.1}%", share * 100.0);
    println!(
        "house bot against simulated players: {GAMES} games a match, {SEEDS} seeds, the bot's share of decided games"
    );
    println!(
        "  {:<6} {:<32} {:>6} {:>6} {:>6}   {:<10}",
        "game", "player", "mean", "min", "max", "target"
    );
    for row in &rows {
        println!(
            "  {:<6} {:<32} {:>6} {:>6} {:>6}   {:<10} {}",
            row.game,
            row.player,
            pct(row.mean),
            pct(row.min),
            pct(row.max),
            row.target.to_string(),
            if row.target.met(row.mean) {
                "PASS"
            } else {
                "FAIL"
            }
        );
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let p99 = at(0.99);
    println!(
        "  choose()  p50 {:.2} µs, p99 {:.2} µs, max {:.1} µs over {} choices (target p99 < {} µs): {}",
        us(at(0.5)),
        us(p99),
        us(at(1.0)),
        times.len(),
        CHOOSE_TARGET.as_micros(),
        if p99 < CHOOSE_TARGET { "PASS" } else { "FAIL" }
    );
    ExitCode::SUCCESS
}
