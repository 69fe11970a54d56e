//! The table's tests: the seed's transcript, and every rule of the table, driven through
//! its methods with a fixed start time and read back as what each recipient was told.

use super::*;
use crate::game::colour::strip;
use crate::game::happening::Weight;
use crate::game::names::NameProblem;

const HOST: Recipient = Recipient::Host;

/// The keys, the move prompt and the word after `fg`, in rock-paper-scissors
/// against the host.
const KEYS: &str = "Keys: r rock, p paper, s scissors, ? help, l leaderboard.";
const YOUR_MOVE: &str = "Your move: r, p or s.";
const RESUMED: &str = "The game goes on, with a fresh clock. Your move: r, p or s.";

fn addr(last: u8, port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, last], port))
}

fn guest(n: u64) -> GuestId {
    GuestId(n)
}

fn to(n: u64) -> Recipient {
    Recipient::Guest(guest(n))
}

/// The defaults, with no reading time added to a new guest's first clock: the
/// clock's own schedule is what these tests check.
fn quick() -> TableSettings {
    TableSettings {
        read_time: Duration::ZERO,
        ask_names: false,
        ..TableSettings::default()
    }
}

/// The seed's lines (see [`messages::is_seed_line`]), the server's good-bye and
/// closes.
fn seed_line(text: &str) -> bool {
    messages::is_seed_line(text) || text == "<close>" || text == "Server shutting down. Good-bye"
}

/// A table with a fixed start time and helpers to read what it said.
struct Harness {
    table: Table,
    start: Instant,
}

impl Harness {
    fn new(settings: TableSettings) -> Harness {
        Harness {
            table: Table::new(settings),
            start: Instant::now(),
        }
    }

    /// Guest `n` arrives from `addr` with a telnet client (which sends every key as
    /// typed), as most guests do.
    fn arrive(&mut self, n: u64, addr: SocketAddr, now: Instant) {
        if self.table.guest_arrived(guest(n), addr, now).is_ok() {
            self.table.guest_negotiated(guest(n));
        }
    }

    fn at(&self, secs: f64) -> Instant {
        self.start + Duration::from_secs_f64(secs)
    }

    /// Drains the actions as `(recipient, text)`; closes read as `(recipient, "<close>")`.
    fn said(&mut self) -> Vec<(Recipient, String)> {
        std::iter::from_fn(|| self.table.poll_action())
            .flat_map(|action| match action {
                Action::Say { to, text } => vec![(to, strip(&text))],
                Action::SayToQueue { queue, text } => queue
                    .iter()
                    .map(|&guest| (Recipient::Guest(guest), text.to_string()))
                    .collect(),
                Action::Echo { to, text } => {
                    vec![(Recipient::Guest(to), format!("<echo>{text}"))]
                }
                Action::Close { guest } => {
                    vec![(Recipient::Guest(guest), "<close>".to_string())]
                }
                Action::Log(_) | Action::FindRecord { .. } | Action::ShowLeaderboard { .. } => {
                    vec![]
                }
            })
            .collect()
    }

    /// As [`Harness::said`], keeping only the seed's lines.
    fn seed_said(&mut self) -> Vec<(Recipient, String)> {
        self.said()
            .into_iter()
            .filter(|(_, text)| seed_line(text))
            .collect()
    }

    /// Drains the actions, keeping only what the table logged.
    fn logged(&mut self) -> Vec<Happening> {
        std::iter::from_fn(|| self.table.poll_action())
            .filter_map(|action| match action {
                Action::Log(happening) => Some(happening),
                _ => None,
            })
            .collect()
    }

    fn keys(&mut self, keys: &[(Recipient, u8)]) {
        let now = self.at(0.0);
        for &(who, key) in keys {
            let key = Key::Char(char::from(key));
            match who {
                Recipient::Host => self.table.host_pressed(key, now),
                Recipient::Guest(g) => self.table.guest_pressed(g, key, now),
            }
        }
    }
}

fn lines(list: &[(Recipient, &str)]) -> Vec<(Recipient, String)> {
    list.iter()
        .map(|&(to, text)| (to, text.to_string()))
        .collect()
}

/// The seed's transcript, where `all` went to both players.
fn both(text: &str, guest_id: u64) -> [(Recipient, String); 2] {
    [(HOST, text.to_string()), (to(guest_id), text.to_string())]
}

#[test]
fn the_seeds_transcript_of_ernie_and_bert() {
    let mut h = Harness::new(quick());
    let (ernie, bert) = (addr(1, 1001), addr(2, 1002));
    let now = h.at(0.0);

    h.arrive(1, ernie, now);
    assert_eq!(
        h.seed_said(),
        lines(&[
            (HOST, "Player connected: 127.0.0.1:1001"),
            (to(1), "Welcome to the game")
        ])
    );

    h.keys(&[(HOST, b'r')]);
    assert_eq!(h.seed_said(), []);
    h.keys(&[(to(1), b's')]);
    let mut expected = Vec::new();
    expected.extend(both("Player 0: r, Player 1: s", 1));
    expected.extend(both("Player 0 wins!", 1));
    expected.extend(both("Wins: 1 - 0", 1));
    expected.push((HOST, "Overall: 100.00%".to_string()));
    assert_eq!(h.seed_said(), expected);

    h.table.guest_left(guest(1), now);
    assert_eq!(
        h.seed_said(),
        lines(&[(HOST, "Opponent disconnected."), (to(1), "<close>")])
    );

    h.arrive(2, bert, now);
    assert_eq!(
        h.seed_said(),
        lines(&[
            (HOST, "Player connected: 127.0.0.2:1002"),
            (to(2), "Welcome to the game")
        ])
    );
    h.keys(&[(to(2), b'x')]);
    assert_eq!(h.seed_said(), lines(&[(to(2), "Invalid key")]));
    h.keys(&[(to(2), b'p')]);
    assert_eq!(h.seed_said(), []);
    h.keys(&[(HOST, b'r')]);
    let mut expected = Vec::new();
    expected.extend(both("Player 0: r, Player 1: p", 2));
    expected.extend(both("Player 1 wins!", 2));
    expected.extend(both("Wins: 0 - 1", 2));
    expected.push((HOST, "Overall: 50.00%".to_string()));
    assert_eq!(h.seed_said(), expected);

    let mut expected = Vec::new();
    for (wins, overall) in [
        (1, "66.67"),
        (2, "75.00"),
        (3, "80.00"),
        (4, "83.33"),
        (5, "85.71"),
    ] {
        expected.extend(both("Player 0: s, Player 1: p", 2));
        expected.extend(both("Player 0 wins!", 2));
        expected.extend(both(&format!("Wins: {wins} - 1"), 2));
        expected.push((HOST, format!("Overall: {overall}%")));
    }
    expected.extend(both("Thank you for playing!", 2));
    for _ in 0..5 {
        h.keys(&[(HOST, b's'), (to(2), b'p')]);
    }
    assert_eq!(h.seed_said(), expected);
    assert_eq!(h.table.playing(), None, "back to waiting");
    // Nobody waits, so Bert is asked whether to play again; he says no.
    h.keys(&[(to(2), b'n')]);
    assert_eq!(h.seed_said(), lines(&[(to(2), "<close>")]));
}

#[test]
fn a_tie_counts_for_nobody_and_restarts_the_clock() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.said();
    h.table.guest_pressed(guest(1), Key::Char('r'), h.at(4.0));
    assert_eq!(h.table.poll_timeout(), None, "nothing is timed");
    h.table.host_pressed(Key::Char('r'), h.at(6.0));
    let said = h.said();
    let seed: Vec<_> = said.iter().filter(|(_, t)| seed_line(t)).cloned().collect();
    assert_eq!(seed, both("Player 0: r, Player 1: r", 1));
    for line in both(messages::TIE, 1) {
        assert!(said.contains(&line), "the tie gets its own line: {said:?}");
    }
    h.table.handle_timeout(h.at(6.0));
    h.said();
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(11.0)),
        "5 s of silence from the tie on"
    );
}

#[test]
fn the_host_alone_gets_a_hint_and_no_game() {
    let mut h = Harness::new(quick());
    h.keys(&[(HOST, b'r')]);
    let said = h.said();
    assert_eq!(said.len(), 1);
    assert_eq!(said[0].0, HOST);
    assert!(said[0].1.contains("No guest"), "{said:?}");
}

#[test]
fn the_host_may_change_their_move_until_the_guest_moves() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.said();
    h.keys(&[(HOST, b'r'), (HOST, b'q'), (HOST, b'p'), (to(1), b'r')]);
    let said = h.seed_said();
    assert_eq!(said[0], (HOST, "Invalid key".to_string()));
    assert_eq!(said[1], (HOST, "Player 0: p, Player 1: r".to_string()));
}

#[test]
fn a_silent_guest_hears_the_countdown_then_times_out() {
    let settings = TableSettings {
        clock: ClockSettings {
            timeout: Duration::from_secs(10),
            count_from: 3,
        },
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_negotiated(guest(1));
    h.said();
    let mut heard = Vec::new();
    while let Some(due) = h.table.poll_timeout() {
        h.table.handle_timeout(due);
        heard.extend(
            h.said()
                .into_iter()
                .map(|(to, text)| (due.duration_since(h.start).as_secs(), to, text)),
        );
    }
    let expected: Vec<(u64, Recipient, String)> = [
        (7, to(1), "Your move, please: 3 seconds left"),
        (7, to(1), "3"),
        (8, to(1), "2"),
        (9, to(1), "1"),
        (10, HOST, "Timed out. Good-bye"),
        (10, to(1), "Timed out. Good-bye"),
        (10, HOST, "Match over: 127.0.0.1:1 timed out at 0-0"),
        (10, to(1), "<close>"),
    ]
    .into_iter()
    .map(|(s, to, text)| (s, to, text.to_string()))
    .collect();
    assert_eq!(heard, expected);
    assert_eq!(h.table.playing(), None);
}

#[test]
fn a_valid_move_stops_the_clock_and_an_invalid_one_does_not() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_negotiated(guest(1));
    h.table.guest_pressed(guest(1), Key::Char('x'), h.at(1.0));
    assert_eq!(h.table.poll_timeout(), Some(h.at(5.0)));
    h.table.guest_pressed(guest(1), Key::Char('p'), h.at(1.0));
    assert_eq!(h.table.poll_timeout(), None);
}

#[test]
fn a_netcat_guest_gets_a_hint_after_two_seconds_and_a_telnet_guest_does_not() {
    let mut h = Harness::new(quick());
    let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
    let _ = h.table.guest_arrived(guest(2), addr(2, 2), h.at(0.5));
    h.table.guest_negotiated(guest(2));
    h.said();
    h.table.handle_timeout(h.at(1.9));
    assert_eq!(h.said(), []);
    h.table.handle_timeout(h.at(2.0));
    let said = h.said();
    assert_eq!(said.len(), 1);
    assert_eq!(said[0].0, to(1));
    assert!(said[0].1.contains("Type r, p or s and press Enter"));
    h.table.handle_timeout(h.at(3.0));
    assert_eq!(h.said(), [], "once only, and not to the telnet guest");
}

#[test]
fn a_guest_who_negotiates_leaves_nothing_timed_but_the_clock() {
    let mut h = Harness::new(quick());
    let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
    // Netcat's line `r`: a move.
    h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.1));
    h.table.guest_pressed(guest(1), Key::Enter, h.at(0.1));
    assert_eq!(h.table.poll_timeout(), Some(h.at(2.0)), "the hint is due");
    h.table.guest_negotiated(guest(1));
    assert_eq!(
        h.table.poll_timeout(),
        None,
        "nothing wakes the timer mid-move"
    );
}

#[test]
fn guests_wait_in_line_watch_the_games_and_move_up() {
    let mut h = Harness::new(quick());
    let now = h.at(0.0);
    for n in 1..=4 {
        h.arrive(n, addr(n as u8, 1), now);
    }
    let said = h.said();
    assert!(said.contains(&(to(2), "You are number 1 in line".to_string())));
    assert!(said.contains(&(to(4), "You are number 3 in line".to_string())));
    assert!(said.contains(&(
        HOST,
        "Guest waiting: 127.0.0.4:1 (number 3 in line)".to_string()
    )));

    // The waiting guests see the result lines, the host's standing stays private.
    h.keys(&[(HOST, b'r'), (to(1), b's')]);
    let said = h.said();
    for n in 2..=4 {
        assert!(said.contains(&(to(n), "Player 0: r, Player 1: s".to_string())));
        assert!(said.contains(&(to(n), "Wins: 1 - 0".to_string())));
        assert!(!said
            .iter()
            .any(|(who, text)| *who == to(n) && text.starts_with("Overall")));
    }

    // Someone leaves from the middle: only those behind them move up.
    h.table.guest_left(guest(3), now);
    assert_eq!(
        h.said(),
        lines(&[(to(3), "<close>"), (to(4), "You are number 2 in line")])
    );

    // The match ends: the next guest plays at once, the rest move up.
    h.table.guest_left(guest(1), now);
    assert_eq!(
        h.said(),
        lines(&[
            (HOST, "Opponent disconnected."),
            (HOST, "Match over: 127.0.0.1:1 left at 1-0"),
            (to(1), "<close>"),
            (HOST, "Player connected: 127.0.0.2:1"),
            (to(2), "Welcome to the game"),
            (
                to(2),
                "You are 127.0.0.2:1, Player 1; the host is Player 0."
            ),
            (to(2), KEYS),
            (
                to(2),
                "Best of 9: first to 5 wins. 10 seconds for each move."
            ),
            (to(2), YOUR_MOVE),
            (to(4), "Now playing: the host against 127.0.0.2:1"),
            (to(4), "You are number 1 in line"),
        ])
    );
    assert_eq!(h.table.playing(), Some(guest(2)));
    h.keys(&[(to(4), b'r')]);
    assert_eq!(
        h.said(),
        lines(&[(to(4), "You are number 1 in line")]),
        "a waiting guest's key tells their place"
    );
}

#[test]
fn a_timed_out_guest_makes_way_for_the_next() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    h.said();
    h.table.handle_timeout(h.at(10.0));
    let said = h.said();
    let close = said
        .iter()
        .position(|l| *l == (to(1), "<close>".to_string()))
        .unwrap();
    assert_eq!(said[close + 2], (to(2), "Welcome to the game".to_string()));
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(15.0)),
        "the new guest's clock runs"
    );
}

#[test]
fn the_server_full_and_too_many_from_one_address_are_turned_away() {
    let settings = TableSettings {
        max_guests: 3,
        max_per_ip: 2,
        ..quick()
    };
    let mut h = Harness::new(settings);
    let now = h.at(0.0);
    h.arrive(1, addr(1, 1), now);
    h.arrive(2, addr(1, 2), now);
    h.said();
    assert_eq!(
        h.table.guest_arrived(guest(3), addr(1, 3), now),
        Err(TurnedAway::TooManyFromAddress { connected: 2 }),
        "decided before anything is spent on them"
    );
    let said = h.said();
    assert!(
        said[0].1.contains("too many connections from your address"),
        "{said:?}"
    );
    assert_eq!(said[1], (to(3), "<close>".to_string()));
    h.arrive(4, addr(2, 1), now);
    h.arrive(5, addr(3, 1), now);
    let said = h.said();
    assert!(
        said.iter()
            .any(|(who, text)| *who == to(5) && text.contains("full")),
        "{said:?}"
    );
    assert_eq!(h.table.guests(), 3);
    // Leaving frees both the place and the address's share.
    h.table.guest_left(guest(2), now);
    h.said();
    h.arrive(6, addr(1, 4), now);
    assert_eq!(h.table.place_in_queue(guest(6)), Some(2));
}

#[test]
fn turned_away_guests_are_not_counted() {
    let settings = TableSettings {
        max_guests: 1,
        ..quick()
    };
    let mut h = Harness::new(settings);
    for n in 1..=50 {
        h.arrive(n, addr(1, n as u16), h.at(0.0));
    }
    assert_eq!(h.table.guests(), 1);
    h.table.guest_left(guest(1), h.at(0.0));
    h.arrive(51, addr(1, 51), h.at(0.0));
    assert_eq!(h.table.playing(), Some(guest(51)));
}

#[test]
fn a_flooding_guest_is_warned() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.said();
    h.table.guest_too_fast(guest(1));
    let said = h.said();
    assert_eq!(said.len(), 1);
    assert!(said[0].1.starts_with("Slow down"));
    h.table.guest_too_fast(guest(9));
    assert_eq!(h.said(), [], "nobody to warn");
}

#[test]
fn shutting_down_says_good_bye_to_every_guest_and_closes_them() {
    let mut h = Harness::new(quick());
    for n in 1..=3 {
        h.arrive(n, addr(n as u8, 1), h.at(0.0));
    }
    h.said();
    h.table.shut_down();
    let said = h.said();
    for n in 1..=3 {
        let i = said
            .iter()
            .position(|l| *l == (to(n), "Server shutting down. Good-bye".to_string()))
            .unwrap();
        assert_eq!(said[i + 1], (to(n), "<close>".to_string()));
    }
    assert_eq!(h.table.guests(), 0);
    assert_eq!(h.table.poll_timeout(), None);
}

#[test]
fn the_status_line_tells_the_host_where_things_stand() {
    let mut h = Harness::new(quick());
    assert_eq!(h.table.status_line(), "Waiting for a guest to connect");
    h.arrive(1, addr(1, 7), h.at(0.0));
    h.arrive(2, addr(2, 7), h.at(0.0));
    h.keys(&[(HOST, b'p'), (to(1), b'r')]);
    assert_eq!(
        h.table.status_line(),
        "Playing against 127.0.0.1:7: Wins: 1 - 0, 1 waiting in line"
    );
}

#[test]
fn keys_from_strangers_are_ignored() {
    let mut h = Harness::new(quick());
    h.table.guest_pressed(guest(7), Key::Char('r'), h.at(0.0));
    h.table.guest_left(guest(7), h.at(0.0));
    assert_eq!(h.said(), []);
}

/// The match endings the table logged, as (guest, ending, score).
fn endings(logged: &[Happening]) -> Vec<(u64, Ending, [u32; 2])> {
    logged
        .iter()
        .filter_map(|h| match h {
            Happening::MatchOver {
                who, ending, wins, ..
            } => Some((who.guest.0, *ending, *wins)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_match_is_logged_once_however_it_ends() {
    let settings = TableSettings {
        best_of: 1,
        ..quick()
    };
    let mut h = Harness::new(settings);
    for n in 1..=3 {
        h.arrive(n, addr(n as u8, 1), h.at(0.0));
    }
    let logged = h.logged();
    let who = |n: u64, addr: SocketAddr| Who {
        guest: guest(n),
        name: Arc::from(addr.to_string()),
        addr,
    };
    assert!(logged.contains(&Happening::Seated {
        who: who(1, addr(1, 1)),
        number: 1,
    }));
    assert!(logged.contains(&Happening::Queued {
        who: who(3, addr(3, 1)),
        place: 2
    }));

    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    let logged = h.logged();
    assert_eq!(endings(&logged), [(1, Ending::Won, [0, 1])]);
    assert!(
        logged.iter().all(|h| h.weight() != Weight::Detail),
        "no tie"
    );
    assert!(
        logged.iter().any(|h| matches!(
            h,
            Happening::GameDecided {
                winner: Player::Guest,
                ..
            }
        )),
        "{logged:?}"
    );

    h.table.handle_timeout(h.at(10.0));
    assert_eq!(endings(&h.logged()), [(2, Ending::TimedOut, [0, 0])]);

    h.table.guest_left(guest(3), h.at(10.0));
    assert_eq!(endings(&h.logged()), [(3, Ending::GuestLeft, [0, 0])]);
    assert_eq!(h.table.guests(), 0);
}

#[test]
fn ties_are_logged_as_detail() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.logged();
    h.keys(&[(HOST, b'r'), (to(1), b'r')]);
    let logged = h.logged();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].weight(), Weight::Detail);
    assert_eq!(
        logged[0].to_string(),
        "guest #1 from 127.0.0.1:1: host r, guest r, a tie"
    );
}

#[test]
fn a_warning_is_logged_for_a_guest_typing_too_fast_and_turned_away_guests_are_logged() {
    let settings = TableSettings {
        max_guests: 1,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    h.table.guest_too_fast(guest(1));
    let logged = h.logged();
    assert!(logged.contains(&Happening::TurnedAway {
        guest: guest(2),
        addr: addr(2, 1),
        why: TurnedAway::Full { max_guests: 1 }
    }));
    let warnings: Vec<&Happening> = logged.iter().filter(|h| h.is_warning()).collect();
    assert_eq!(
        warnings,
        [&Happening::WarnedTooFast { guest: guest(1) }],
        "only the guest's fault is a warning"
    );
}

#[test]
fn a_guest_leaving_the_queue_frees_their_place_and_their_address() {
    let settings = TableSettings {
        max_guests: 3,
        max_per_ip: 2,
        ..quick()
    };
    let mut h = Harness::new(settings);
    for n in 1..=3 {
        h.arrive(n, addr(1, n as u16), h.at(0.0));
    }
    assert_eq!(
        h.table.guests(),
        2,
        "the third from one address is turned away"
    );
    h.table.guest_left(guest(2), h.at(0.0));
    assert_eq!(h.table.place_in_queue(guest(2)), None);
    h.said();
    h.arrive(4, addr(1, 4), h.at(0.0));
    assert_eq!(h.table.place_in_queue(guest(4)), Some(1));
    h.table.guest_left(guest(1), h.at(0.0));
    assert_eq!(h.table.playing(), Some(guest(4)));
    assert_eq!(
        h.table.place_in_queue(guest(4)),
        None,
        "seated, not waiting"
    );
    h.table.guest_pressed(guest(4), Key::Char('r'), h.at(0.0));
    h.table.host_pressed(Key::Char('s'), h.at(0.0));
    assert!(h
        .said()
        .contains(&(to(4), "Player 0: s, Player 1: r".to_string())));
}

#[test]
fn a_function_key_is_one_invalid_key_and_never_a_move_and_enter_is_nothing() {
    use crate::keys::SpecialKey;
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_negotiated(guest(1));
    h.said();
    for key in [
        Key::Special(SpecialKey::F(1)),
        Key::Special(SpecialKey::F(3)),
        Key::Special(SpecialKey::Up),
        Key::Char('é'),
    ] {
        h.table.guest_pressed(guest(1), key, h.at(0.0));
        h.table.host_pressed(key, h.at(0.0));
        assert_eq!(
            h.said(),
            lines(&[
                (to(1), "Invalid key"),
                (to(1), KEYS),
                (HOST, "Invalid key"),
                (HOST, KEYS)
            ]),
            "{key:?}"
        );
    }
    h.table.guest_pressed(guest(1), Key::Enter, h.at(0.0));
    h.table.host_pressed(Key::Enter, h.at(0.0));
    assert_eq!(h.said(), []);
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(5.0)),
        "no move was made: the guest's clock still runs"
    );
}

#[test]
fn a_guest_is_told_who_they_are_how_to_play_and_how_it_went() {
    let settings = TableSettings {
        best_of: 3,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 7), h.at(0.0));
    h.arrive(2, addr(2, 7), h.at(0.0));
    let said = h.said();
    for line in [
        (to(1), "Welcome to the game"),
        (
            to(1),
            "You are 127.0.0.1:7, Player 1; the host is Player 0.",
        ),
        (
            to(1),
            "Keys: r rock, p paper, s scissors, ? help, l leaderboard.",
        ),
        (
            to(1),
            "Best of 3: first to 2 wins. 10 seconds for each move.",
        ),
        (to(1), "Your move: r, p or s."),
        (to(2), "Now playing: the host against 127.0.0.1:7"),
    ] {
        assert!(
            said.contains(&(line.0, line.1.to_string())),
            "{line:?} in {said:?}"
        );
    }

    // The guest moves first: told their move, the host only that they moved.
    h.keys(&[(to(1), b'p')]);
    assert_eq!(
        h.said(),
        lines(&[
            (to(1), "You chose paper."),
            (to(1), "Waiting for the host's move."),
            (HOST, "127.0.0.1:7 has moved."),
        ])
    );
    // A tie, then a decided game: the score from each side.
    h.keys(&[(HOST, b'p')]);
    let said = h.said();
    assert!(
        !said
            .iter()
            .any(|(who, t)| *who == HOST && t.starts_with("You chose")),
        "the host sees their own key: {said:?}"
    );
    assert!(said.contains(&(to(2), "A tie: nobody scores.".to_string())));
    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    let said = h.said();
    assert!(
        said.contains(&(to(1), "You 1, host 0".to_string())),
        "{said:?}"
    );
    assert!(
        said.contains(&(HOST, "You 0, 127.0.0.1:7 1".to_string())),
        "{said:?}"
    );
    assert!(!said
        .iter()
        .any(|(who, t)| *who == to(2) && t.starts_with("You ")));

    // The match ends: who won, in words, to everyone, before the seed's thanks.
    h.keys(&[(HOST, b's'), (to(1), b'r')]);
    let said = h.said();
    let won = "127.0.0.1:7 wins the match 2-0".to_string();
    for who in [HOST, to(1), to(2)] {
        assert!(said.contains(&(who, won.clone())), "{who:?}: {said:?}");
    }
    let at = |line: &(Recipient, String)| said.iter().position(|l| l == line).unwrap();
    assert!(
        at(&(to(1), won.clone())) < at(&(to(1), "Thank you for playing!".to_string())),
        "{said:?}"
    );
    assert!(said.contains(&(HOST, "Match over: 127.0.0.1:7 beat you 2-0".to_string())));
}

#[test]
fn question_mark_shows_the_help_to_whoever_pressed_it_and_is_no_move() {
    let mut h = Harness::new(quick());
    h.keys(&[(HOST, b'?')]);
    let said = h.said();
    assert!(!said.is_empty() && said.iter().all(|(who, _)| *who == HOST));
    assert!(said.iter().any(|(_, t)| t == KEYS), "{said:?}");
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    h.said();
    h.keys(&[(to(1), b'?')]);
    let said = h.said();
    assert!(said.iter().all(|(who, _)| *who == to(1)), "{said:?}");
    assert!(!said.iter().any(|(_, t)| t == "Invalid key"), "{said:?}");
    h.keys(&[(to(2), b'?')]);
    let said = h.said();
    assert!(said.iter().any(|(_, t)| t == KEYS));
    assert_eq!(
        said.last(),
        Some(&(to(2), "You are number 1 in line".to_string())),
        "and their place"
    );
    h.keys(&[(HOST, b'r'), (to(1), b'?'), (to(1), b's')]);
    assert!(h
        .seed_said()
        .contains(&(to(1), "Player 0: r, Player 1: s".to_string())));
}

#[test]
fn a_new_guest_has_the_reading_time_before_the_clock_counts_aloud() {
    let settings = TableSettings {
        read_time: Duration::from_secs(10),
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_negotiated(guest(1));
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(15.0)),
        "10 s of reading, then the 10 s clock's last 5 counted"
    );
    h.keys(&[(to(1), b'r'), (HOST, b'r')]);
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(5.0)),
        "the next games get the plain clock"
    );
}

#[test]
fn a_shutdown_mid_match_is_summed_up_for_the_host_and_logged() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.keys(&[(HOST, b'r'), (to(1), b's')]);
    h.said();
    h.table.shut_down();
    let actions: Vec<Action> = std::iter::from_fn(|| h.table.poll_action()).collect();
    assert!(actions.contains(&Action::Say {
        to: HOST,
        text: "Match over: cut by the shutdown at 1-0".into()
    }));
    assert!(actions.contains(&Action::Say {
        to: HOST,
        text: "This session: 1 match (0 won, 0 lost, 1 ended early); 1 game (1 won, 0 lost, 0 tied); your share 100.00%".into()
    }), "{actions:?}");
    assert!(actions.iter().any(|a| matches!(
        a,
        Action::Log(Happening::MatchOver {
            ending: Ending::ShutDown,
            ..
        })
    )));
}

#[test]
fn ctrl_k_sends_the_playing_guest_away_politely_and_the_next_plays() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    h.keys(&[(HOST, b'r'), (to(1), b's')]);
    h.said();
    h.table.host_pressed(KICK, h.at(1.0));
    let said = h.said();
    let told = said
        .iter()
        .position(|l| *l == (to(1), messages::KICKED.to_string()))
        .expect("the guest is told");
    let closed = said
        .iter()
        .position(|l| *l == (to(1), "<close>".to_string()))
        .expect("and let go");
    assert!(told < closed);
    assert!(said.contains(&(
        HOST,
        "Match over: you sent 127.0.0.1:1 away at 1-0".to_string()
    )));
    assert_eq!(h.table.playing(), Some(guest(2)));
    h.table.host_pressed(KICK, h.at(2.0));
    h.said();
    h.table.host_pressed(KICK, h.at(3.0));
    let said = h.said();
    assert_eq!(
        said.len(),
        1,
        "with nobody playing, a key like any other: {said:?}"
    );
}

#[test]
fn a_pause_stops_the_guests_clock_and_fg_gives_a_fresh_one() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_negotiated(guest(1));
    h.said();
    h.table.paused();
    assert_eq!(h.said(), lines(&[(to(1), messages::PAUSED)]));
    assert_eq!(h.table.poll_timeout(), None, "the clock waits for the host");
    h.table.resumed(h.at(60.0));
    assert_eq!(h.said(), lines(&[(to(1), RESUMED)]));
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(65.0)),
        "a fresh clock from the moment the game goes on"
    );
    h.table.resumed(h.at(70.0));
    assert_eq!(h.said(), [], "once");
}

/// The defaults with names asked, and short times to see them run out.
fn naming() -> TableSettings {
    TableSettings {
        ask_names: true,
        hint_after: Duration::from_secs(2),
        name_time: Duration::from_secs(60),
        ..quick()
    }
}

/// What a guest's screen shows of what they were sent: lines end in a newline,
/// echoes and prompts are as sent, Backspace's rub-out is applied.
fn screen(said: &[(Recipient, String)], guest_id: u64) -> String {
    let mut shown = String::new();
    for (who, text) in said {
        if *who != to(guest_id) {
            continue;
        }
        match text.strip_prefix("<echo>") {
            Some(RUB_OUT) => {
                shown.pop();
            }
            Some(echo) => shown.push_str(&echo.replace("\r\n", "\n")),
            None => {
                shown.push_str(text);
                shown.push('\n');
            }
        }
    }
    shown
}

fn type_keys(h: &mut Harness, n: u64, keys: &[Key], secs: f64) {
    let now = h.at(secs);
    for &key in keys {
        h.table.guest_pressed(guest(n), key, now);
    }
}

fn chars(text: &str) -> Vec<Key> {
    text.chars()
        .map(|c| match c {
            '\n' => Key::Enter,
            '\u{7f}' => Key::Backspace,
            c => Key::Char(c),
        })
        .collect()
}

#[test]
fn a_telnet_guest_types_a_name_with_echo_and_backspace_and_plays_by_it() {
    let mut h = Harness::new(naming());
    h.arrive(1, addr(1, 1), h.at(0.0));
    assert_eq!(
        h.said(),
        [],
        "nothing until the client has said what it knows"
    );
    // The client will not say who its user is: the prompt comes at once.
    h.table.guest_user(guest(1), None, h.at(0.1));
    type_keys(&mut h, 1, &chars("alx\u{7f}ice\n"), 1.0);
    let said = h.said();
    assert_eq!(
        screen(&said, 1),
        format!(
            "{}\n{}alice\nHello, alice.\nWelcome to the game\n\
             You are alice, Player 1; the host is Player 0.\n{}\n\
             Best of 9: first to 5 wins. 10 seconds for each move.\n{}\n",
            messages::INTRODUCTION,
            messages::NAME_PROMPT,
            KEYS,
            YOUR_MOVE
        )
    );
    assert!(said.contains(&(HOST, "Player connected: alice".to_string())));
    h.keys(&[(to(1), b'p'), (HOST, b'r')]);
    let said = h.said();
    assert!(
        said.contains(&(HOST, "alice has moved.".to_string())),
        "{said:?}"
    );
    assert!(
        said.contains(&(HOST, "You 0, alice 1".to_string())),
        "{said:?}"
    );
    assert_eq!(h.table.status_line(), "Playing against alice: Wins: 0 - 1");
}

#[test]
fn telnet_l_names_the_guest_without_a_prompt() {
    let mut h = Harness::new(naming());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_user(guest(1), Some("bert"), h.at(0.1));
    let actions: Vec<Action> = std::iter::from_fn(|| h.table.poll_action()).collect();
    // The name is logged as the guest's own, not one given them.
    assert!(actions.iter().any(|a| matches!(
        a,
        Action::Log(Happening::Named { who, given: false }) if &*who.name == "bert"
    )));
    actions
        .into_iter()
        .for_each(|a| h.table.actions.push_back(a));
    let said = h.said();
    assert!(!screen(&said, 1).contains("name?"), "{said:?}");
    assert!(said.contains(&(to(1), "Hello, bert.".to_string())));
    assert!(said.contains(&(HOST, "Player connected: bert".to_string())));
}

#[test]
fn a_taken_or_bad_name_gets_one_line_and_the_prompt_again() {
    let mut h = Harness::new(naming());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_user(guest(1), Some("Alice"), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    // Taken, whatever the case; then the name the telnet client sent is bad.
    h.table.guest_user(guest(2), Some("ALICE"), h.at(0.1));
    assert!(screen(&h.said(), 2).starts_with(&format!(
        "{}\n{}\n{}",
        NameProblem::Taken,
        messages::INTRODUCTION,
        messages::NAME_PROMPT
    )));
    type_keys(&mut h, 2, &chars("host\n"), 1.0);
    type_keys(&mut h, 2, &chars("al ice\n"), 2.0);
    type_keys(&mut h, 2, &chars("abcdefghijklmnopqrstu\n"), 3.0);
    type_keys(&mut h, 2, &chars("?\n"), 3.5);
    type_keys(&mut h, 2, &chars("zoë\n"), 4.0);
    let shown = screen(&h.said(), 2);
    let expected = [
        "host",
        &NameProblem::Reserved.to_string(),
        "al ice",
        &NameProblem::BadCharacter(' ').to_string(),
        "abcdefghijklmnopqrstu",
        &NameProblem::TooLong { chars: 21 }.to_string(),
        messages::NAME_HELP,
        "zoë",
        "Hello, zoë.",
    ];
    let mut rest = shown.as_str();
    for line in expected {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} in {shown:?}"));
        rest = &rest[at + line.len()..];
    }
    assert_eq!(h.table.place_in_queue(guest(2)), Some(1));
    // A name is free again once its guest has gone.
    h.table.guest_left(guest(1), h.at(5.0));
    h.arrive(3, addr(3, 1), h.at(5.0));
    h.table.guest_user(guest(3), Some("alice"), h.at(5.0));
    assert!(h.said().contains(&(to(3), "Hello, alice.".to_string())));
}

#[test]
fn netcat_is_asked_after_its_silence_and_answers_with_a_line_unechoed() {
    let mut h = Harness::new(naming());
    let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
    assert_eq!(h.table.poll_timeout(), Some(h.at(2.0)));
    h.table.handle_timeout(h.at(2.0));
    let said = h.said();
    assert!(
        screen(&said, 1).ends_with(messages::NAME_PROMPT),
        "{said:?}"
    );
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(62.0)),
        "a minute to answer"
    );
    type_keys(&mut h, 1, &chars("  carol \n"), 3.0);
    let said = h.said();
    assert!(
        !said.iter().any(|(_, t)| t.starts_with("<echo>")),
        "{said:?}"
    );
    assert!(said.contains(&(to(1), "Hello, carol.".to_string())));
    assert!(said.contains(&(to(1), NETCAT_HINT.to_string())), "{said:?}");
    // Then plays by words.
    type_keys(&mut h, 1, &chars("paper\n"), 4.0);
    h.keys(&[(HOST, b'r')]);
    assert!(h
        .said()
        .contains(&(HOST, "Player 0: r, Player 1: p".to_string())));
}

#[test]
fn a_guest_who_names_no_one_or_lets_the_clock_run_gets_a_name() {
    let mut h = Harness::new(naming());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    h.table.guest_user(guest(1), None, h.at(0.0));
    h.table.guest_user(guest(2), None, h.at(0.0));
    type_keys(&mut h, 1, &[Key::Enter], 1.0);
    assert!(h.said().contains(&(to(1), "Hello, guest-1.".to_string())));
    type_keys(&mut h, 2, &chars("da"), 1.0);
    h.said();
    h.table.handle_timeout(h.at(59.9));
    assert!(!h.said().iter().any(|(who, _)| *who == to(2)));
    h.table.handle_timeout(h.at(60.0));
    let said = h.said();
    assert!(
        said.contains(&(to(2), "Time is up: you are guest-2.".to_string())),
        "{said:?}"
    );
    // Guest 1's clock ran out meanwhile, so guest 2 plays.
    assert!(said.contains(&(HOST, "Player connected: guest-2".to_string())));
}

#[test]
fn guests_at_the_door_are_closed_by_a_shutdown_and_leave_no_trace() {
    let mut h = Harness::new(naming());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(1, 2), h.at(0.0));
    h.table.guest_user(guest(2), None, h.at(0.0));
    h.said();
    h.table.guest_left(guest(1), h.at(1.0));
    assert_eq!(h.said(), lines(&[(to(1), "<close>")]));
    assert_eq!(h.table.guests(), 1);
    h.table.shut_down();
    let said = h.said();
    assert!(said.contains(&(to(2), "Server shutting down. Good-bye".to_string())));
    assert!(said.contains(&(to(2), "<close>".to_string())));
    assert_eq!(h.table.guests(), 0);
    assert_eq!(h.table.poll_timeout(), None);
}

#[test]
fn a_won_match_with_nobody_waiting_offers_a_rematch() {
    let settings = TableSettings {
        best_of: 1,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.said();
    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    let said = h.said();
    let asked = said
        .iter()
        .position(|l| *l == (to(1), messages::PLAY_AGAIN.to_string()))
        .expect("asked");
    let thanked = said
        .iter()
        .position(|l| *l == (to(1), "Thank you for playing!".to_string()))
        .unwrap();
    assert!(thanked < asked);
    assert!(!said.contains(&(to(1), "<close>".to_string())));
    assert_eq!(
        h.table.poll_timeout(),
        Some(h.at(10.0)),
        "a move's time to answer"
    );

    // Other keys are asked about; `y` starts a new match at once.
    h.keys(&[(to(1), b'x')]);
    assert_eq!(h.said(), lines(&[(to(1), messages::ANSWER_Y_OR_N)]));
    h.keys(&[(to(1), b'y')]);
    let said = h.said();
    assert!(said.contains(&(
        HOST,
        "127.0.0.1:1 plays again: a new match begins.".to_string()
    )));
    assert!(said.contains(&(to(1), YOUR_MOVE.to_string())));
    assert_eq!(h.table.playing(), Some(guest(1)));
    h.keys(&[(HOST, b'r'), (to(1), b's')]);
    h.said();
    // `n` thanks them and closes.
    h.keys(&[(to(1), b'n')]);
    assert_eq!(
        h.said(),
        lines(&[
            (to(1), messages::GOOD_BYE),
            (HOST, "127.0.0.1:1 will not play again."),
            (to(1), "<close>")
        ])
    );
    assert_eq!(h.table.guests(), 0);
}

#[test]
fn the_rematch_question_times_out_and_gives_way_to_a_newcomer() {
    let settings = TableSettings {
        best_of: 1,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    h.said();
    h.table.handle_timeout(h.at(9.9));
    assert_eq!(h.said(), []);
    h.table.handle_timeout(h.at(10.0));
    let said = h.said();
    assert!(said.contains(&(to(1), messages::NO_ANSWER.to_string())));
    assert!(said.contains(&(to(1), "<close>".to_string())));

    h.arrive(2, addr(2, 1), h.at(11.0));
    h.keys(&[(HOST, b'r'), (to(2), b'p')]);
    h.said();
    h.arrive(3, addr(3, 1), h.at(12.0));
    let said = h.said();
    assert!(said.contains(&(to(2), messages::SEAT_TAKEN.to_string())));
    assert!(said.contains(&(to(2), "<close>".to_string())));
    assert_eq!(h.table.playing(), Some(guest(3)));
    // With someone waiting, there is no question: the next plays.
    h.arrive(4, addr(4, 1), h.at(12.0));
    h.keys(&[(HOST, b'r'), (to(3), b'p')]);
    let said = h.said();
    assert!(!said.contains(&(to(3), messages::PLAY_AGAIN.to_string())));
    assert!(said.contains(&(to(3), "<close>".to_string())));
    assert_eq!(h.table.playing(), Some(guest(4)));
}

/// The raw lines said to `who`, escapes and all.
fn raw(h: &mut Harness, who: Recipient) -> Vec<String> {
    std::iter::from_fn(|| h.table.poll_action())
        .filter_map(|action| match action {
            Action::Say { to, text } if to == who => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn results_are_coloured_for_a_colour_terminal_never_inside_the_words_and_c_toggles() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    h.table.guest_terminal(guest(1), true);
    // Only the first word of the client counts.
    h.table.guest_terminal(guest(1), false);
    h.table.guest_terminal(guest(2), true);
    h.said();
    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    let guest_saw = raw(&mut h, to(1));
    assert!(
        guest_saw.contains(&paint(Tone::Won, "Player 1 wins!")),
        "{guest_saw:?}"
    );
    assert!(guest_saw.contains(&"Player 0: r, Player 1: p".to_string()));
    h.keys(&[(HOST, b'r'), (to(1), b's')]);
    let host_saw = raw(&mut h, HOST);
    assert!(
        host_saw.contains(&paint(Tone::Won, "Player 0 wins!")),
        "{host_saw:?}"
    );
    h.keys(&[(HOST, b'r'), (to(1), b'r')]);
    let guest_saw = raw(&mut h, to(1));
    assert!(
        guest_saw.contains(&paint(Tone::Even, messages::TIE)),
        "{guest_saw:?}"
    );
    // The queue watches in plain words.
    h.keys(&[(HOST, b'r'), (to(1), b's')]);
    let watcher = raw(&mut h, to(2));
    assert!(watcher.iter().all(|l| !l.contains('\u{1b}')), "{watcher:?}");

    h.keys(&[(to(1), b'c')]);
    assert_eq!(
        h.said(),
        lines(&[(to(1), messages::colour_switched(false))])
    );
    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    let guest_saw = raw(&mut h, to(1));
    assert!(
        guest_saw.iter().all(|l| !l.contains('\u{1b}')),
        "{guest_saw:?}"
    );
    h.keys(&[(to(1), b'c')]);
    assert_eq!(
        raw(&mut h, to(1)),
        [paint(Tone::Won, messages::colour_switched(true))]
    );
}

#[test]
fn a_guest_without_a_colour_terminal_sees_none() {
    let mut h = Harness::new(quick());
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.table.guest_terminal(guest(1), false);
    h.keys(&[(HOST, b'r'), (to(1), b'p')]);
    let guest_saw = raw(&mut h, to(1));
    assert!(
        guest_saw.iter().all(|l| !l.contains('\u{1b}')),
        "{guest_saw:?}"
    );
}

fn house_bot(seed: u64) -> TableSettings {
    TableSettings {
        house_bot: true,
        bot_seed: seed,
        best_of: 99,
        ..quick()
    }
}

/// Runs the clocks until the house bot has moved (or nothing is due within 2 s).
fn let_the_bot_move(h: &mut Harness, from: f64) -> Vec<(Recipient, String)> {
    let mut said = Vec::new();
    let mut at = from;
    while at < from + 2.0 {
        at += 0.05;
        h.table.handle_timeout(h.at(at));
        said.extend(h.said());
        if said.iter().any(|(_, t)| t.starts_with("Player 0: ")) {
            break;
        }
    }
    said
}

/// The throw line of `said`.
fn throw_line(said: &[(Recipient, String)]) -> String {
    said.iter()
        .find(|(who, t)| *who == HOST && t.starts_with("Player 0: "))
        .map(|(_, t)| t.clone())
        .unwrap_or_default()
}

#[test]
fn the_house_bot_chooses_before_the_guest_moves_and_never_sees_that_move() {
    for seed in 0..40 {
        let mut bot_moves = Vec::new();
        for guest_key in ['r', 'p', 's'] {
            let mut h = Harness::new(house_bot(seed));
            h.arrive(1, addr(1, 1), h.at(0.0));
            // The guest moves at once, long before the bot's pause is over.
            h.table
                .guest_pressed(guest(1), Key::Char(guest_key), h.at(0.01));
            let said = let_the_bot_move(&mut h, 0.01);
            let line = throw_line(&said);
            assert!(
                line.ends_with(&format!("Player 1: {guest_key}")),
                "{said:?}"
            );
            bot_moves.push(line[..12].to_string());
        }
        assert!(
            bot_moves.windows(2).all(|w| w[0] == w[1]),
            "seed {seed}: the bot's move changed with the guest's: {bot_moves:?}"
        );
    }
}

/// The transcript of a scripted match against the house bot seeded with `seed`.
fn scripted(seed: u64) -> Vec<String> {
    let mut h = Harness::new(house_bot(seed));
    h.arrive(1, addr(1, 1), h.at(0.0));
    let mut throws = Vec::new();
    let mut at = 0.0;
    for key in "rrpspsrrppss".chars() {
        h.table.guest_pressed(guest(1), Key::Char(key), h.at(at));
        throws.push(throw_line(&let_the_bot_move(&mut h, at)));
        at += 2.0;
    }
    throws
}

#[test]
fn a_bot_seed_replays_a_match_move_for_move() {
    assert_eq!(scripted(7), scripted(7));
    assert!(scripted(7).iter().all(|t| t.starts_with("Player 0: ")));
    let others: Vec<Vec<String>> = (8..12).map(scripted).collect();
    assert!(others.iter().any(|o| *o != scripted(7)), "the seed matters");
}

#[test]
fn guests_are_told_they_play_the_house_bot_and_its_move_comes_after_a_pause() {
    let mut h = Harness::new(house_bot(1));
    h.arrive(1, addr(1, 1), h.at(0.0));
    let said = h.said();
    assert!(said.contains(&(
        to(1),
        "You are 127.0.0.1:1, Player 1; the house bot is Player 0.".to_string()
    )));
    h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.0));
    assert!(h
        .said()
        .contains(&(to(1), "Waiting for the house bot's move.".to_string())));
    h.table.handle_timeout(h.at(0.39));
    assert_eq!(
        throw_line(&h.said()),
        "",
        "not before half the average pause"
    );
    let said = let_the_bot_move(&mut h, 0.39);
    assert!(!throw_line(&said).is_empty());
    // The host's own move keys are not theirs to play now.
    h.keys(&[(HOST, b'r')]);
    assert_eq!(
        h.said(),
        lines(&[(HOST, "The house bot holds your seat: h takes it back.")])
    );
}

#[test]
fn the_host_hands_the_seat_to_the_bot_and_takes_it_back_between_games() {
    let settings = TableSettings {
        best_of: 99,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.keys(&[(HOST, b'r')]);
    h.said();
    // Mid-game: the host has moved; the bot takes over after this game.
    h.keys(&[(HOST, b'b')]);
    assert_eq!(
        h.said(),
        lines(&[(HOST, "The seat changes hands when this game is over.")])
    );
    h.keys(&[(to(1), b's')]);
    let said = h.said();
    assert_eq!(throw_line(&said), "Player 0: r, Player 1: s");
    assert!(said.contains(&(to(1), "The house bot takes the host's seat.".to_string())));
    h.table.guest_pressed(guest(1), Key::Char('p'), h.at(1.0));
    assert!(
        !throw_line(&let_the_bot_move(&mut h, 1.0)).is_empty(),
        "the bot played"
    );
    // Between games: at once.
    h.keys(&[(HOST, b'h')]);
    let said = h.said();
    assert!(said.contains(&(to(1), "The host is back in their seat.".to_string())));
    h.keys(&[(HOST, b'p'), (to(1), b'r')]);
    assert_eq!(throw_line(&h.said()), "Player 0: p, Player 1: r");
}

#[test]
fn the_guest_gets_a_card_of_their_habits_after_the_match() {
    let settings = TableSettings {
        best_of: 3,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.said();
    // Rock wins, rock again loses, then a change to paper wins: 2-1 to the guest.
    for (host, visitor) in [(b's', b'r'), (b'p', b'r'), (b'r', b'p')] {
        h.keys(&[(HOST, host), (to(1), visitor)]);
    }
    let said = h.said();
    let card: Vec<&String> = said
        .iter()
        .filter(|(who, t)| {
            *who == to(1) && (t.starts_with("Your habits") || t.starts_with("After"))
        })
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        card,
        [
            "Your habits this match: rock 67%, paper 33%, scissors 0%.",
            "After a win you played the same move again 1 time in 1 (100%); after a loss you changed 1 time in 1 (100%)."
        ],
        "{said:?}"
    );
    assert!(said
        .iter()
        .any(|(who, t)| *who == to(1) && t.starts_with("The house bot called your next move")));
}

#[test]
fn rpsls_is_played_by_its_keys_and_its_words_and_l_is_the_lizard_in_a_match() {
    let settings = TableSettings {
        variant: Variant::Rpsls,
        ..quick()
    };
    let mut h = Harness::new(settings);
    h.arrive(1, addr(1, 1), h.at(0.0));
    h.arrive(2, addr(2, 1), h.at(0.0));
    let said = h.said();
    assert!(said.contains(&(to(1), "Your move: r, p, s, l or k.".to_string())));
    h.keys(&[(HOST, b'r'), (to(1), b'k')]);
    let said = h.said();
    for line in [
        "Player 0: r, Player 1: k",
        "Spock vaporizes rock.",
        "Player 1 wins!",
    ] {
        assert!(
            said.contains(&(to(1), line.to_string())),
            "{line}: {said:?}"
        );
        assert!(
            said.contains(&(to(2), line.to_string())),
            "the queue too: {line}"
        );
    }
    h.keys(&[(HOST, b'l'), (to(1), b'p')]);
    assert!(h.said().contains(&(HOST, "Lizard eats paper.".to_string())));
    // Not a move for the guest in line: the leaderboard (there is none here).
    h.keys(&[(to(2), b'l')]);
    assert_eq!(h.said(), lines(&[(to(2), messages::NO_RECORDS)]));
}

#[test]
fn the_house_bot_remembers_a_returning_players_earlier_games() {
    let settings = TableSettings {
        ask_names: true,
        records: true,
        ..house_bot(3)
    };
    let first_bot_move = |past: &[(char, char)]| {
        let mut h = Harness::new(settings);
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.table
            .guest_told(guest(1), Told::User(Some("ann".into())), h.at(0.0));
        h.table.guest_record(guest(1), "ann", None, past, h.at(0.0));
        h.said();
        h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.0));
        throw_line(&let_the_bot_move(&mut h, 0.0))
    };
    // Ann always played rock against scissors: the bot opens with paper.
    assert_eq!(
        first_bot_move(&[('r', 's'); 60]),
        "Player 0: p, Player 1: r"
    );
    // Against one it has never met, the bot has nothing to go on: it plays at random.
    let fresh: Vec<String> = (0..8)
        .map(|seed| {
            let mut h = Harness::new(house_bot(seed));
            h.arrive(1, addr(1, 1), h.at(0.0));
            h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.0));
            throw_line(&let_the_bot_move(&mut h, 0.0))
        })
        .collect();
    assert!(
        fresh.iter().any(|t| t != "Player 0: p, Player 1: r"),
        "{fresh:?}"
    );
}
