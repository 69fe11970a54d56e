//! What the e2e run reports: every figure worked out once, into one list (each with its
//! JSON key, its value and unit, and its target if it has one), then shown three ways
//! from that list: the printed table, e2e.json, and the targets' PASS/FAIL lines. Pure:
//! what was measured in, text out; main writes it.

use crate::{
    hostile, Latencies, Measured, Summary, FILTER_PASSES, FIRST_MOVER_LEAD, QUIET, SETTLE_LIMIT,
    WAITING, WAYS, WINDOW,
};
use roshambo_test_support::procfs::{Footprint, Usage};
use serde_json::{Map, Value as Json};
use std::fmt::Write as _;
use std::time::Duration;

/// Targets, as the issue states them.
const P50_VS_FLOOR: f64 = 1.3;
const P99_VS_FLOOR: f64 = 2.0;
const P99_CROWDED_VS_NONE: f64 = 1.5;
const RSS_ONE_GUEST: u64 = 4 << 20;
const RSS_CROWDED: u64 = 16 << 20;
/// Threads with the line full: one reader a guest, and a few of the server's own.
const THREADS_CROWDED: u64 = WAITING as u64 + 10;
/// Threads a flood may take the server to: one reader per guest let in, a few more.
const THREADS_FLOOD: u64 = hostile::MAX_GUESTS + 10;
/// The host's key during a flood, at the 99th percentile.
const FLOOD_HOST_P99: Duration = Duration::from_millis(5);
const CTRL_C_TO_EXIT: Duration = Duration::from_millis(100);
const FILTER_RATE: f64 = 1e9;
/// What recording every game to SQLite may cost the players, against not recording.
const RECORDED_VS_NOT: f64 = 1.1;

/// One value of a [`Summary`].
type Pick = fn(&Summary) -> Duration;

/// The percentiles that runs are compared by, as the JSON keys name them.
const PERCENTILES: [(&str, Pick); 2] = [("p50", |s| s.p50), ("p99", |s| s.p99)];

/// The three runs of timed rounds, as the table and the JSON name them.
const RUNS: [Run; 4] = [
    Run {
        name: "floor relay",
        prefix: "floor_",
        suffix: "",
        csv: "floor",
        latencies: |m| &m.floor,
        against: None,
    },
    Run {
        name: "server",
        prefix: "",
        suffix: "",
        csv: "server",
        latencies: |m| &m.alone,
        against: Some(Against {
            suffix: "_vs_floor",
            name: "floor",
        }),
    },
    Run {
        name: "server, 500 in line",
        prefix: "",
        suffix: "_500_waiting",
        csv: "server_500_waiting",
        latencies: |m| &m.crowded,
        against: Some(Against {
            suffix: "_500_waiting_vs_none",
            name: "alone",
        }),
    },
    Run {
        name: "server, --no-records",
        prefix: "",
        suffix: "_no_records",
        csv: "server_no_records",
        latencies: |m| &m.unrecorded,
        // The ratio shown on this row is the recording server's against this one.
        against: Some(Against {
            suffix: "_recorded_vs_not",
            name: "recording vs not",
        }),
    },
];

/// One run of timed rounds.
#[derive(Clone, Copy)]
struct Run {
    /// Its name in the table.
    name: &'static str,
    /// Around the way and the figure, in its JSON keys: `floor_host_first_p50_us`.
    prefix: &'static str,
    suffix: &'static str,
    /// Its name in the samples CSV.
    csv: &'static str,
    latencies: fn(&Measured) -> &Option<Latencies>,
    /// The run its latencies are compared with in the table, if any.
    against: Option<Against>,
}

impl Run {
    /// The JSON key of `what` (`p50_us`, ...) for `way` (`host_first`, `guest_first`).
    fn key(&self, way: &str, what: &str) -> String {
        format!("{}{way}{}_{what}", self.prefix, self.suffix)
    }
}

/// What a run is compared with: its ratios' JSON keys end in `suffix`
/// (`host_first_p50_vs_floor`), and the table calls the other run `name`.
#[derive(Clone, Copy)]
struct Against {
    suffix: &'static str,
    name: &'static str,
}

/// How a figure's number reads: its scale in the JSON (the key says it) and in the
/// table and the targets.
#[derive(Clone, Copy, Debug)]
enum Unit {
    /// A duration: µs with one decimal in the JSON, ms in the targets.
    Micros,
    /// Bytes in the JSON, MiB in the targets.
    Bytes,
    /// Bytes per second in the JSON, MB/s in the targets.
    BytesPerSecond,
    /// One figure over another: three decimals, and an `x`.
    Ratio,
    /// Context switches: whole.
    Switches,
    /// Something counted: rounds, threads, guests.
    Count,
    /// An average per round: two decimals.
    PerRound,
    /// A share of all CPUs: three decimals.
    Share,
    /// A load average: two decimals.
    Load,
    /// Text or yes/no: no number.
    Plain,
}

impl Unit {
    fn json(self, x: f64) -> Json {
        let round = |decimals: i32| {
            let scale = 10f64.powi(decimals);
            Json::from((x * scale).round() / scale)
        };
        match self {
            Unit::Micros => round(1),
            Unit::Ratio | Unit::Share => round(3),
            Unit::PerRound | Unit::Load => round(2),
            Unit::Bytes | Unit::BytesPerSecond | Unit::Switches | Unit::Count | Unit::Plain => {
                Json::from(x.round() as u64)
            }
        }
    }

    fn show(self, x: f64) -> String {
        match self {
            Unit::Micros => format!("{:.1} ms", x / 1e3),
            Unit::Bytes => mib(x),
            Unit::BytesPerSecond => format!("{:.0} MB/s", x / 1e6),
            Unit::Ratio => format!("{x:.3}x"),
            Unit::Switches => format!("{x:.0} switches"),
            Unit::Count | Unit::Plain => format!("{x:.0}"),
            Unit::PerRound | Unit::Load => format!("{x:.2}"),
            Unit::Share => format!("{:.1}%", x * 100.0),
        }
    }
}

#[derive(Clone, Debug)]
enum Value {
    /// In the unit's JSON scale (µs, bytes, bytes per second, ...).
    Number(f64),
    Text(String),
    /// Yes or no, and what to say about it ("equal", or how the settings differ).
    Flag(bool, String),
}

/// How a figure meets its target.
#[derive(Clone, Copy, Debug)]
enum Compare {
    AtMost(f64),
    AtLeast(f64),
    /// A yes/no that must be yes.
    Holds,
}

/// A target a figure is held to.
#[derive(Debug)]
struct Target {
    /// The verdict's name in the JSON.
    key: String,
    /// What it asks, as the targets list says it.
    asks: String,
    compare: Compare,
}

/// One figure of the run.
#[derive(Debug)]
struct Figure {
    /// Its name in the JSON.
    key: String,
    /// `Err` says why there is none: not measured, or what went wrong.
    value: Result<Value, String>,
    unit: Unit,
    target: Option<Target>,
}

impl Figure {
    fn number(key: impl Into<String>, unit: Unit, value: Option<f64>) -> Figure {
        Figure::of(key, unit, value.map(Value::Number))
    }

    fn micros(key: impl Into<String>, value: Option<Duration>) -> Figure {
        Figure::number(key, Unit::Micros, value.map(micros))
    }

    fn count(key: impl Into<String>, unit: Unit, value: Option<impl Into<u64>>) -> Figure {
        Figure::number(key, unit, value.map(|n| n.into() as f64))
    }

    fn text(key: impl Into<String>, value: Option<String>) -> Figure {
        Figure::of(key, Unit::Plain, value.map(Value::Text))
    }

    fn flag(key: impl Into<String>, value: Option<(bool, String)>) -> Figure {
        Figure::of(
            key,
            Unit::Plain,
            value.map(|(yes, said)| Value::Flag(yes, said)),
        )
    }

    fn of(key: impl Into<String>, unit: Unit, value: Option<Value>) -> Figure {
        Figure {
            key: key.into(),
            value: value.ok_or_else(|| "not measured".to_owned()),
            unit,
            target: None,
        }
    }

    /// Holds the figure to a target: `key` names the verdict, `asks` says the target.
    fn held_to(mut self, key: impl Into<String>, asks: String, compare: Compare) -> Figure {
        self.target = Some(Target {
            key: key.into(),
            asks,
            compare,
        });
        self
    }

    /// Whether it meets its target; a missing figure does not.
    fn passes(&self) -> bool {
        let Some(target) = &self.target else {
            return true;
        };
        match (&self.value, target.compare) {
            (Ok(Value::Number(x)), Compare::AtMost(limit)) => *x <= limit,
            (Ok(Value::Number(x)), Compare::AtLeast(limit)) => *x >= limit,
            (Ok(Value::Flag(yes, _)), Compare::Holds) => *yes,
            _ => false,
        }
    }

    /// The value with its unit, or why there is none.
    fn shown(&self) -> String {
        match &self.value {
            Ok(Value::Number(x)) => self.unit.show(*x),
            Ok(Value::Text(text)) => text.clone(),
            Ok(Value::Flag(_, said)) => said.clone(),
            Err(why) => why.clone(),
        }
    }

    fn json(&self) -> Json {
        match &self.value {
            Ok(Value::Number(x)) => self.unit.json(*x),
            Ok(Value::Text(text)) => Json::from(text.as_str()),
            Ok(Value::Flag(yes, _)) => Json::from(*yes),
            Err(_) => Json::Null,
        }
    }
}

/// Every figure of the run, in the order the JSON lists them and the targets are
/// checked.
#[derive(Debug)]
pub struct Report {
    figures: Vec<Figure>,
}

impl Report {
    /// Works out every figure from what was measured: the one place that does.
    pub fn of(m: &Measured) -> Report {
        let mut list = vec![
            Figure::count("rounds_each_way", Unit::Count, Some(m.rounds as u64)),
            Figure::count("waiting_guests", Unit::Count, Some(WAITING as u64)),
            Figure::micros("first_mover_lead_us", Some(FIRST_MOVER_LEAD)),
            Figure::number("load_average_before", Unit::Load, m.load_before),
            Figure::number("others_cpu_share_during_rounds", Unit::Share, m.others_busy),
            Figure::number("load_average_after_alone", Unit::Load, m.load_after),
            Figure::count("cpus", Unit::Count, Some(m.cpus as u64)),
        ];
        for run in RUNS {
            let latencies = (run.latencies)(m);
            for way in WAYS {
                let s = latencies.as_ref().map(|l| l.way(way));
                let way = way.replace(' ', "_");
                list.push(Figure::micros(run.key(&way, "p50_us"), s.map(|s| s.p50)));
                list.push(Figure::micros(run.key(&way, "p99_us"), s.map(|s| s.p99)));
                list.push(Figure::micros(run.key(&way, "max_us"), s.map(|s| s.max)));
            }
        }
        for run in RUNS {
            let latencies = (run.latencies)(m).as_ref();
            list.push(Figure::count(
                run.key("host_first", "late_first_moves"),
                Unit::Count,
                latencies.map(|l| l.late_first as u64),
            ));
            list.push(Figure::count(
                run.key("host_first", "unseen_first_moves"),
                Unit::Count,
                latencies.map(|l| l.unseen as u64),
            ));
        }
        for way in WAYS {
            let limits = [P50_VS_FLOOR, P99_VS_FLOOR];
            for ((percentile, pick), limit) in PERCENTILES.into_iter().zip(limits) {
                let key = format!("{}_{percentile}", way.replace(' ', "_"));
                list.push(
                    Figure::number(
                        format!("{key}_vs_floor"),
                        Unit::Ratio,
                        ratio(&m.alone, &m.floor, way, pick),
                    )
                    .held_to(
                        format!("pass_{key}"),
                        format!("{} {percentile} <= {limit}x floor", way.replace(' ', "-")),
                        Compare::AtMost(limit),
                    ),
                );
            }
        }
        for (name, usage, asks) in [
            ("idle", &m.idle, "no context switch in 3 s idle"),
            ("mid_move", &m.mid_move, "no context switch in 3 s mid-move"),
            (
                "just_joined",
                &m.just_joined,
                "no context switch in 3 s after a join",
            ),
        ] {
            let u = usage.as_ref();
            list.extend([
                Figure::micros(format!("{name}_window_us"), Some(WINDOW)),
                Figure::count(
                    format!("{name}_context_switches"),
                    Unit::Switches,
                    u.map(Usage::switches),
                )
                .held_to(
                    format!("pass_{name}_no_switches"),
                    asks.to_owned(),
                    Compare::AtMost(0.0),
                ),
                Figure::count(
                    format!("{name}_voluntary_switches"),
                    Unit::Switches,
                    u.map(|u| u.voluntary),
                ),
                Figure::count(
                    format!("{name}_involuntary_switches"),
                    Unit::Switches,
                    u.map(|u| u.involuntary),
                ),
                Figure::micros(format!("{name}_cpu_us"), u.map(|u| u.cpu)),
                Figure::micros(format!("{name}_on_cpu_us"), u.map(|u| u.on_cpu)),
                Figure::text(
                    format!("{name}_switches_by_thread"),
                    u.map(Usage::who_switched),
                ),
            ]);
        }
        let rounds = (2 * m.rounds) as f64;
        for (name, usage) in [
            ("floor", &m.floor_usage),
            ("alone", &m.alone_usage),
            ("500_waiting", &m.crowded_usage),
        ] {
            let u = usage.as_ref();
            list.extend([
                Figure::number(
                    format!("{name}_switches_per_round"),
                    Unit::PerRound,
                    u.map(|u| u.switches() as f64 / rounds),
                ),
                Figure::text(
                    format!("{name}_per_round_by_thread"),
                    u.map(|u| per_role(u, rounds)),
                ),
                Figure::number(
                    format!("{name}_on_cpu_us_per_round"),
                    Unit::Micros,
                    u.map(|u| micros(u.on_cpu) / rounds),
                ),
            ]);
        }
        let rss = |fp: &Option<Footprint>| fp.map(|fp| fp.rss);
        let anonymous = |fp: &Option<Footprint>| fp.map(|fp| fp.anonymous);
        let threads = |fp: &Option<Footprint>| fp.map(|fp| fp.threads);
        for (name, footprint) in [
            ("no_guest", &m.no_guest),
            ("one_guest", &m.one_guest),
            ("500_waiting", &m.crowd),
        ] {
            list.push(Figure::count(
                format!("rss_anonymous_{name}_bytes"),
                Unit::Bytes,
                anonymous(footprint),
            ));
        }
        list.extend([
            Figure::count("rss_no_guest_bytes", Unit::Bytes, rss(&m.no_guest)),
            Figure::count("threads_no_guest", Unit::Count, threads(&m.no_guest)),
            Figure::count("rss_one_guest_bytes", Unit::Bytes, rss(&m.one_guest)).held_to(
                "pass_rss_one_guest",
                format!("RSS with one guest <= {}", mib(RSS_ONE_GUEST as f64)),
                Compare::AtMost(RSS_ONE_GUEST as f64),
            ),
            Figure::count("threads_one_guest", Unit::Count, threads(&m.one_guest)),
            Figure::count("rss_500_waiting_bytes", Unit::Bytes, rss(&m.crowd)).held_to(
                "pass_rss_500_waiting",
                format!("RSS with {WAITING} in line <= {}", mib(RSS_CROWDED as f64)),
                Compare::AtMost(RSS_CROWDED as f64),
            ),
            Figure::count("threads_500_waiting", Unit::Count, threads(&m.crowd)).held_to(
                "pass_threads_500_waiting",
                format!("threads with {WAITING} in line <= {THREADS_CROWDED}"),
                Compare::AtMost(THREADS_CROWDED as f64),
            ),
        ]);
        let flood = m.flood.as_ref();
        let flood_keys = flood
            .filter(|f| !f.host_keys.is_empty())
            .map(|f| Summary::of(f.host_keys.clone()));
        list.extend([
            Figure::count(
                "flood_connections",
                Unit::Count,
                flood.map(|_| hostile::FLOOD_CONNECTIONS as u64),
            ),
            Figure::micros("flood_took_us", flood.map(|f| f.took)),
            Figure::count(
                "flood_threads_before",
                Unit::Count,
                flood.map(|f| f.threads_before),
            ),
            Figure::count(
                "flood_threads_peak",
                Unit::Count,
                flood.map(|f| f.threads_peak),
            )
            .held_to(
                "pass_flood_threads",
                format!(
                    "threads in a {}-connection flood <= {THREADS_FLOOD}",
                    hostile::FLOOD_CONNECTIONS
                ),
                Compare::AtMost(THREADS_FLOOD as f64),
            ),
            Figure::count(
                "flood_host_keys",
                Unit::Count,
                flood.map(|f| f.host_keys.len() as u64),
            ),
            Figure::micros("flood_host_key_p50_us", flood_keys.map(|s| s.p50)),
            Figure::micros("flood_host_key_p99_us", flood_keys.map(|s| s.p99)).held_to(
                "pass_flood_host_key_p99",
                format!(
                    "host's key p99 in a flood <= {} ms",
                    FLOOD_HOST_P99.as_millis()
                ),
                Compare::AtMost(micros(FLOOD_HOST_P99)),
            ),
        ]);
        // What recording costs the players: the recording server against one that is
        // not, played in the same turns.
        for way in WAYS {
            for (percentile, pick) in PERCENTILES {
                let key = format!("{}_{percentile}", way.replace(' ', "_"));
                list.push(
                    Figure::number(
                        format!("{key}_recorded_vs_not"),
                        Unit::Ratio,
                        ratio(&m.alone, &m.unrecorded, way, pick),
                    )
                    .held_to(
                        format!("pass_{key}_recorded"),
                        format!(
                            "{} {percentile}, recording <= {RECORDED_VS_NOT}x not",
                            way.replace(' ', "-")
                        ),
                        Compare::AtMost(RECORDED_VS_NOT),
                    ),
                );
            }
        }
        // After the memory with the line full, what it costs the players' latency.
        for way in WAYS {
            for (percentile, pick) in PERCENTILES {
                let key = format!("{}_{percentile}", way.replace(' ', "_"));
                let figure = Figure::number(
                    format!("{key}_500_waiting_vs_none"),
                    Unit::Ratio,
                    ratio(&m.crowded, &m.alone, way, pick),
                );
                // The line must not cost the players their tail; the median is shown.
                list.push(if percentile == "p99" {
                    figure.held_to(
                        format!("pass_{key}_500_waiting"),
                        format!(
                            "{} p99, {WAITING} in line <= {P99_CROWDED_VS_NONE}x none",
                            way.replace(' ', "-")
                        ),
                        Compare::AtMost(P99_CROWDED_VS_NONE),
                    )
                } else {
                    figure
                });
            }
        }
        list.extend([
            Figure::count(
                "waiting_still_connected",
                Unit::Count,
                m.still_waiting.map(|n| n as u64),
            ),
            Figure::flag(
                "line_hang_up_settled",
                m.line_left.map(|left| (left.is_some(), String::new())),
            ),
            Figure::micros("line_hang_up_settle_us", m.line_left.flatten()),
            Figure::micros("ctrl_c_to_exit_us", m.ctrl_c).held_to(
                "pass_ctrl_c_to_exit",
                format!("Ctrl-C to exit <= {} ms", CTRL_C_TO_EXIT.as_millis()),
                Compare::AtMost(micros(CTRL_C_TO_EXIT)),
            ),
            Figure::text("exit_status", m.exit_status.clone()),
            Figure::micros("sigterm_console_stalled_to_exit_us", m.stalled_stop).held_to(
                "pass_sigterm_console_stalled",
                format!(
                    "SIGTERM to exit, console stalled <= {} ms",
                    CTRL_C_TO_EXIT.as_millis()
                ),
                Compare::AtMost(micros(CTRL_C_TO_EXIT)),
            ),
            Figure::flag(
                "terminal_restored",
                m.terminal.as_ref().map(|t| match t {
                    Ok(()) => (true, "equal".to_owned()),
                    Err(diff) => (false, diff.clone()),
                }),
            )
            .held_to(
                "pass_terminal_restored",
                "terminal settings restored".to_owned(),
                Compare::Holds,
            ),
        ]);
        let mut filter = Figure::number(
            "filter_bytes_per_s",
            Unit::BytesPerSecond,
            m.filter.as_ref().and_then(|r| r.as_ref().ok().copied()),
        )
        .held_to(
            "pass_filter",
            format!("telnet filter >= {:.0} MB/s", FILTER_RATE / 1e6),
            Compare::AtLeast(FILTER_RATE),
        );
        if let Some(Err(why)) = &m.filter {
            filter.value = Err(why.clone());
        }
        list.push(filter);
        Report { figures: list }
    }

    /// The figures with a target, in order.
    fn targeted(&self) -> impl Iterator<Item = (&Figure, &Target)> {
        self.figures
            .iter()
            .filter_map(|f| f.target.as_ref().map(|target| (f, target)))
    }

    /// The figure named `key` in the JSON. Every key the table asks for is in the list.
    fn get(&self, key: &str) -> &Figure {
        self.figures
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("the report has no figure {key}"))
    }

    fn number(&self, key: &str) -> Option<f64> {
        match self.get(key).value {
            Ok(Value::Number(x)) => Some(x),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        match &self.get(key).value {
            Ok(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// The figures as one flat JSON object: microseconds, bytes and counts, then the
    /// verdicts, then the error that stopped the run, if one did.
    pub fn json(&self, error: Option<&str>) -> String {
        let mut object = Map::new();
        for figure in &self.figures {
            object.insert(figure.key.clone(), figure.json());
        }
        for (figure, target) in self.targeted() {
            object.insert(target.key.clone(), Json::from(figure.passes()));
        }
        let all_pass = self.targeted().all(|(figure, _)| figure.passes());
        object.insert("all_pass".to_owned(), Json::from(all_pass));
        object.insert("error".to_owned(), error.map_or(Json::Null, Json::from));
        let mut text = serde_json::to_string_pretty(&object).expect("a map of plain values");
        text.push('\n');
        text
    }

    /// The human-readable report, targets last.
    pub fn table(&self) -> String {
        let mut out = String::new();
        self.latency_table(&mut out);
        self.server_table(&mut out);
        self.machine_lines(&mut out);
        self.targets(&mut out);
        out
    }

    fn latency_table(&self, o: &mut String) {
        let rounds = self.number("rounds_each_way").unwrap_or(0.0);
        let lead = self.number("first_mover_lead_us").unwrap_or(0.0) / 1e3;
        let _ = writeln!(
            o,
            "\nroshambo e2e: {rounds:.0} rounds each way over loopback, the first mover {lead:.0} ms ahead (untimed)"
        );
        let _ = writeln!(
            o,
            "  host first:  the guest's key, timed until the guest reads the result line"
        );
        let _ = writeln!(
            o,
            "  guest first: the host's key, timed until the console shows the result line"
        );
        let _ = writeln!(
            o,
            "\n{:<36} {:>7}   {:>7}   {:>7}",
            "latency (µs)", "p50", "p99", "max"
        );
        for run in RUNS {
            let name = run.name;
            if self.number(&run.key("host_first", "p50_us")).is_none() {
                let _ = writeln!(o, "  {name:<34} not measured");
                continue;
            }
            for way in WAYS {
                let key = way.replace(' ', "_");
                let [p50, p99, max] = ["p50_us", "p99_us", "max_us"]
                    .map(|what| self.number(&run.key(&key, what)).unwrap_or(f64::NAN));
                let _ = write!(
                    o,
                    "  {:<34} {p50:>7.1}   {p99:>7.1}   {max:>7.1}",
                    format!("{name}, {way}")
                );
                if let Some(against) = run.against {
                    let ratio = |p: &str| self.number(&format!("{key}_{p}{}", against.suffix));
                    if let (Some(r50), Some(r99)) = (ratio("p50"), ratio("p99")) {
                        let _ = write!(o, "   p50 {r50:.2}x, p99 {r99:.2}x {}", against.name);
                    }
                }
                let _ = writeln!(o);
            }
            let late = self.number(&run.key("host_first", "late_first_moves"));
            let unseen = self.number(&run.key("host_first", "unseen_first_moves"));
            if let (Some(late), Some(unseen)) = (late, unseen) {
                if late + unseen > 0.0 {
                    let _ = writeln!(
                        o,
                        "  {:<34} the host's first move was read late in {late:.0} rounds, never seen in {unseen:.0}",
                        ""
                    );
                }
            }
        }
    }

    fn server_table(&self, o: &mut String) {
        let _ = writeln!(o, "\nserver");
        for (label, name) in [
            ("idle 3 s, no guest", "idle"),
            ("mid-move 3 s, clock armed", "mid_move"),
            ("3 s after a telnet join", "just_joined"),
        ] {
            let figure = |what: &str| self.number(&format!("{name}_{what}"));
            let (Some(switches), Some(voluntary), Some(involuntary), Some(on_cpu), Some(cpu)) = (
                figure("context_switches"),
                figure("voluntary_switches"),
                figure("involuntary_switches"),
                figure("on_cpu_us"),
                figure("cpu_us"),
            ) else {
                let _ = writeln!(o, "  {label:<28} not measured");
                continue;
            };
            let _ = writeln!(
                o,
                "  {label:<28} {switches:.0} context switches ({voluntary:.0} voluntary, \
                 {involuntary:.0} involuntary), CPU {on_cpu:.0} µs on-cpu, {:.0} ms utime+stime",
                cpu / 1e3
            );
            match self.text(&format!("{name}_switches_by_thread")) {
                Some(who) if !who.is_empty() => {
                    let _ = writeln!(o, "  {:<28} by thread: {who}", "");
                }
                _ => {}
            }
        }
        for (label, name) in [
            ("playing, alone".to_owned(), "alone"),
            ("(floor relay, to compare)".to_owned(), "floor"),
            (format!("playing, {WAITING} in line"), "500_waiting"),
        ] {
            let (Some(switches), Some(on_cpu), Some(by_thread)) = (
                self.number(&format!("{name}_switches_per_round")),
                self.number(&format!("{name}_on_cpu_us_per_round")),
                self.text(&format!("{name}_per_round_by_thread")),
            ) else {
                continue;
            };
            let _ = writeln!(
                o,
                "  {label:<28} {switches:.1} context switches, {on_cpu:.0} µs on-cpu per round"
            );
            let _ = writeln!(o, "  {:<28} by thread: {by_thread}", "");
        }
        for (label, name) in [
            ("no guest".to_owned(), "no_guest"),
            ("one guest".to_owned(), "one_guest"),
            (format!("{WAITING} in line"), "500_waiting"),
        ] {
            let rss = self.get(&format!("rss_{name}_bytes"));
            let anonymous = self.get(&format!("rss_anonymous_{name}_bytes"));
            match (&rss.value, self.number(&format!("threads_{name}"))) {
                (Ok(_), Some(threads)) => {
                    let _ = writeln!(
                        o,
                        "  {label:<28} RSS {} ({} of it the process's own), {threads:.0} threads",
                        rss.shown(),
                        anonymous.shown()
                    );
                }
                _ => {
                    let _ = writeln!(o, "  {label:<28} not measured");
                }
            }
        }
        match (
            self.number("flood_threads_before"),
            self.number("flood_threads_peak"),
            self.number("flood_host_key_p50_us"),
            self.number("flood_host_key_p99_us"),
            self.number("flood_host_keys"),
            self.number("flood_took_us"),
        ) {
            (Some(before), Some(peak), Some(p50), Some(p99), Some(keys), Some(took)) => {
                let label = format!("flood of {}", hostile::FLOOD_CONNECTIONS);
                let _ = writeln!(
                    o,
                    "  {label:<28} from {} addresses in {:.0} ms: threads {before:.0} before, \
                     {peak:.0} at the peak",
                    hostile::FLOOD_ADDRESSES,
                    took / 1e3
                );
                let _ = writeln!(
                    o,
                    "  {:<28} the host's key answered in p50 {:.2} ms, p99 {:.2} ms ({keys:.0} presses)",
                    "",
                    p50 / 1e3,
                    p99 / 1e3
                );
            }
            _ => {
                let _ = writeln!(o, "  {:<28} not measured", "flood");
            }
        }
        if let Some(still) = self.number("waiting_still_connected") {
            let _ = writeln!(
                o,
                "  {:<28} {still:.0} of {WAITING} still connected after the rounds",
                ""
            );
        }
        let hang_up = format!("{WAITING} in line hang up");
        match (
            &self.get("line_hang_up_settled").value,
            self.number("line_hang_up_settle_us"),
        ) {
            (Ok(Value::Flag(true, _)), Some(after)) => {
                let _ = writeln!(
                    o,
                    "  {hang_up:<28} server quiet again after {:.0} ms (to within {} ms)",
                    after / 1e3,
                    QUIET.as_millis()
                );
            }
            (Ok(Value::Flag(false, _)), _) => {
                let _ = writeln!(
                    o,
                    "  {hang_up:<28} still busy after {} s",
                    SETTLE_LIMIT.as_secs()
                );
            }
            _ => {}
        }
        let terminal = &self.get("terminal_restored").value;
        match (
            self.number("ctrl_c_to_exit_us"),
            self.text("exit_status"),
            terminal,
        ) {
            (Some(to_exit), Some(status), Ok(Value::Flag(restored, said))) => {
                let terminal = if *restored {
                    "restored".to_owned()
                } else {
                    format!("NOT restored: {said}")
                };
                let _ = writeln!(
                    o,
                    "  {:<28} exited after {:.1} ms ({status}), terminal {terminal}",
                    "Ctrl-C",
                    to_exit / 1e3
                );
            }
            _ => {
                let _ = writeln!(o, "  {:<28} not measured", "Ctrl-C");
            }
        }
        match self.number("sigterm_console_stalled_to_exit_us") {
            Some(to_exit) => {
                let _ = writeln!(
                    o,
                    "  {:<28} exited after {:.1} ms, the console unread for 6000 rounds",
                    "SIGTERM, console stalled",
                    to_exit / 1e3
                );
            }
            None => {
                let _ = writeln!(o, "  {:<28} not measured", "SIGTERM, console stalled");
            }
        }
    }

    fn machine_lines(&self, o: &mut String) {
        let filter = self.get("filter_bytes_per_s");
        let _ = match &filter.value {
            Ok(_) => writeln!(
                o,
                "\ntelnet filter                  {} (best of {FILTER_PASSES} passes over 16 MiB in 4 KiB reads)",
                filter.shown()
            ),
            Err(why) => writeln!(o, "\ntelnet filter                  no figure: {why}"),
        };
        let load = |key: &str| {
            self.number(key)
                .map_or("?".to_owned(), |l| format!("{l:.2}"))
        };
        let _ = writeln!(
            o,
            "machine load (1-min average)   {} before, {} after the timed rounds, on {:.0} CPUs",
            load("load_average_before"),
            load("load_average_after_alone"),
            self.number("cpus").unwrap_or(0.0)
        );
        let others = self.get("others_cpu_share_during_rounds");
        if others.value.is_ok() {
            let _ = writeln!(
                o,
                "other processes' CPU use       {} of all CPUs during the timed rounds",
                others.shown()
            );
        }
    }

    /// Each target with its verdict and the figure it was judged on.
    fn targets(&self, o: &mut String) {
        let _ = writeln!(o, "\ntargets");
        let mut met = 0;
        let mut count = 0;
        for (figure, target) in self.targeted() {
            let pass = figure.passes();
            met += usize::from(pass);
            count += 1;
            let verdict = if pass { "PASS" } else { "FAIL" };
            let _ = writeln!(o, "  {verdict}  {:<46} {}", target.asks, figure.shown());
        }
        let _ = writeln!(o, "{met} of {count} targets met");
    }
}

/// `run`'s latency over `base`'s, for one of [`WAYS`] and one of [`PERCENTILES`].
fn ratio(run: &Option<Latencies>, base: &Option<Latencies>, way: &str, pick: Pick) -> Option<f64> {
    let of = |latencies: &Option<Latencies>| Some(pick(&latencies.as_ref()?.way(way)));
    Some(of(run)?.as_secs_f64() / of(base)?.as_secs_f64())
}

/// Every timed round as `run,way,round,us`, to look at the tail behind a p99.
pub fn samples_csv(m: &Measured) -> String {
    let mut out = String::from("run,way,round,us\n");
    for run in RUNS {
        let Some(latencies) = (run.latencies)(m) else {
            continue;
        };
        for (way, samples) in WAYS.iter().zip(&latencies.samples) {
            let way = way.replace(' ', "_");
            for (round, sample) in samples.iter().enumerate() {
                let _ = writeln!(out, "{},{way},{round},{:.1}", run.csv, micros(*sample));
            }
        }
    }
    out
}

/// Each role's context switches and µs on a CPU per round, as
/// `name ×threads switches/µs`, busiest first; roles that did nothing are left out.
fn per_role(usage: &Usage, rounds: f64) -> String {
    let roles: Vec<String> = usage
        .by_role()
        .iter()
        .filter(|r| r.switches > 0)
        .map(|r| {
            let count = if r.threads > 1 {
                format!(" x{}", r.threads)
            } else {
                String::new()
            };
            format!(
                "{}{count} {:.1}/{:.0}",
                r.name,
                r.switches as f64 / rounds,
                micros(r.on_cpu) / rounds
            )
        })
        .collect();
    format!("{} (switches/µs on-cpu)", roles.join(", "))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / f64::from(1 << 20))
}
