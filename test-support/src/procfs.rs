//! What the kernel says a process costs: CPU time, context switches, resident memory,
//! threads and open descriptors, read from /proc. Does IO (reads /proc files only; the
//! process is not disturbed).

use std::fs;
use std::io;
use std::time::Duration;

/// The longest thread name the kernel keeps (TASK_COMM_LEN less the NUL).
const COMM_LEN: usize = 15;

/// A process's cumulative CPU use and context switches at one moment.
#[derive(Clone, Debug, Default)]
pub struct Usage {
    /// utime + stime of /proc/PID/stat: every thread's, those that already ended too.
    /// Counted in clock ticks (10 ms), so small amounts read as 0 or one tick.
    pub cpu: Duration,
    /// Time on a CPU from /proc/PID/task/*/schedstat, in nanoseconds: the precise figure
    /// (living threads only).
    pub on_cpu: Duration,
    /// Sum of voluntary_ctxt_switches over /proc/PID/task/*/status. /proc/PID/status
    /// alone would count the main thread only.
    pub voluntary: u64,
    /// Sum of nonvoluntary_ctxt_switches over the same.
    pub involuntary: u64,
    /// Each living thread's share: who woke up, when something did.
    pub threads: Vec<ThreadUsage>,
}

/// Threads of one role (same name but for numbers) and what they did together.
#[derive(Clone, Debug)]
pub struct Role {
    pub name: String,
    /// Whether `name` may be the start of a longer one.
    cut_short: bool,
    pub threads: usize,
    pub switches: u64,
    pub on_cpu: Duration,
}

/// One thread's context switches and time on a CPU.
#[derive(Clone, Debug)]
pub struct ThreadUsage {
    pub tid: u32,
    /// The thread's name (`comm`), as the server named it.
    pub name: String,
    pub switches: u64,
    pub on_cpu: Duration,
}

impl Usage {
    /// What was used between `earlier` and `self`.
    /// Threads are matched by id; one born since counts from zero.
    pub fn since(&self, earlier: &Usage) -> Usage {
        let threads = self
            .threads
            .iter()
            .map(|now| {
                let before = earlier.threads.iter().find(|t| t.tid == now.tid);
                ThreadUsage {
                    switches: now.switches - before.map_or(0, |t| t.switches.min(now.switches)),
                    on_cpu: now
                        .on_cpu
                        .saturating_sub(before.map_or(Duration::ZERO, |t| t.on_cpu)),
                    ..now.clone()
                }
            })
            .collect();
        Usage {
            cpu: self.cpu.saturating_sub(earlier.cpu),
            on_cpu: self.on_cpu.saturating_sub(earlier.on_cpu),
            voluntary: self.voluntary.saturating_sub(earlier.voluntary),
            involuntary: self.involuntary.saturating_sub(earlier.involuntary),
            threads,
        }
    }

    /// Adds `more` (another stretch of use) to this one, thread by thread.
    pub fn add(&mut self, more: &Usage) {
        self.cpu += more.cpu;
        self.on_cpu += more.on_cpu;
        self.voluntary += more.voluntary;
        self.involuntary += more.involuntary;
        for thread in &more.threads {
            match self.threads.iter_mut().find(|t| t.tid == thread.tid) {
                Some(known) => {
                    known.switches += thread.switches;
                    known.on_cpu += thread.on_cpu;
                }
                None => self.threads.push(thread.clone()),
            }
        }
    }

    pub fn switches(&self) -> u64 {
        self.voluntary + self.involuntary
    }

    /// Threads grouped by role: their names with numbers replaced by `N`, so that 500
    /// guests' writers are one line. Each role with its thread count, switches and time
    /// on a CPU, busiest first.
    pub fn by_role(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = Vec::new();
        for thread in &self.threads {
            let mut name = String::new();
            for c in thread.name.chars() {
                if !c.is_ascii_digit() {
                    name.push(c);
                } else if !name.ends_with('N') {
                    name.push('N');
                }
            }
            // The kernel keeps 15 bytes of a name: "guest-100-writer" reads as
            // "guest-100-write", the same role as "guest-99-writer".
            let cut_short = thread.name.len() == COMM_LEN;
            let same_role = |role: &Role| {
                role.name == name
                    || (cut_short && role.name.starts_with(&name))
                    || (name.starts_with(&role.name) && role.cut_short)
            };
            match roles.iter_mut().find(|r| same_role(r)) {
                Some(role) => {
                    role.threads += 1;
                    role.switches += thread.switches;
                    role.on_cpu += thread.on_cpu;
                    if role.cut_short && !cut_short {
                        role.name = name;
                        role.cut_short = false;
                    }
                }
                None => roles.push(Role {
                    name,
                    cut_short,
                    threads: 1,
                    switches: thread.switches,
                    on_cpu: thread.on_cpu,
                }),
            }
        }
        roles.sort_by_key(|r| std::cmp::Reverse(r.switches));
        roles
    }

    /// The threads that switched, as `name (tid) count`, busiest first.
    pub fn who_switched(&self) -> String {
        let mut busy: Vec<&ThreadUsage> = self.threads.iter().filter(|t| t.switches > 0).collect();
        busy.sort_by_key(|t| std::cmp::Reverse(t.switches));
        let named: Vec<String> = busy
            .iter()
            .map(|t| format!("{} ({}) {}", t.name, t.tid, t.switches))
            .collect();
        named.join(", ")
    }
}

/// `pid`'s utime + stime so far, in clock ticks: the cheap, coarse reading.
pub fn usage_ticks(pid: u32) -> io::Result<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces:
    // field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| -> io::Result<u64> {
        fields
            .get(index)
            .and_then(|field| field.parse().ok())
            .ok_or_else(|| io::Error::other(format!("/proc/{pid}/stat: no field {index}")))
    };
    Ok(ticks(11)? + ticks(12)?)
}

/// Reads `pid`'s usage so far.
pub fn usage(pid: u32) -> io::Result<Usage> {
    let ticks = usage_ticks(pid)?;
    let mut usage = Usage {
        cpu: Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second()),
        ..Usage::default()
    };
    for task in fs::read_dir(format!("/proc/{pid}/task"))? {
        let task = task?.path();
        // A thread may end between the listing and the read: it simply does not count.
        let (Ok(status), Ok(schedstat)) = (
            fs::read_to_string(task.join("status")),
            fs::read_to_string(task.join("schedstat")),
        ) else {
            continue;
        };
        let voluntary = field(&status, "voluntary_ctxt_switches:").unwrap_or(0);
        let involuntary = field(&status, "nonvoluntary_ctxt_switches:").unwrap_or(0);
        let on_cpu_ns = schedstat
            .split_whitespace()
            .next()
            .and_then(|ns| ns.parse().ok())
            .unwrap_or(0);
        usage.voluntary += voluntary;
        usage.involuntary += involuntary;
        usage.on_cpu += Duration::from_nanos(on_cpu_ns);
        usage.threads.push(ThreadUsage {
            tid: task
                .file_name()
                .and_then(|tid| tid.to_str()?.parse().ok())
                .unwrap_or(0),
            name: status
                .lines()
                .find_map(|line| line.strip_prefix("Name:"))
                .unwrap_or("")
                .trim()
                .to_owned(),
            switches: voluntary + involuntary,
            on_cpu: Duration::from_nanos(on_cpu_ns),
        });
    }
    Ok(usage)
}

/// CPU time all CPUs of the machine have spent busy so far (everything in the `cpu`
/// line of /proc/stat but idle and iowait), by whatever process.
pub fn machine_busy() -> io::Result<Duration> {
    let stat = fs::read_to_string("/proc/stat")?;
    let line = stat
        .lines()
        .find(|line| line.starts_with("cpu "))
        .ok_or_else(|| io::Error::other("/proc/stat: no cpu line"))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|field| field.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user).
    let busy: u64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|&(index, _)| index != 3 && index != 4)
        .map(|(_, &t)| t)
        .sum();
    Ok(Duration::from_secs_f64(
        busy as f64 / clock_ticks_per_second(),
    ))
}

/// How many read(2) calls `pid`'s threads have returned from (syscr in /proc/PID/io).
///
/// Only read(2) and its vectored kin count, not recv(2): for the server that is its
/// console reader, and nothing else, so a change shows that the host's key was taken.
pub fn reads(pid: u32) -> io::Result<u64> {
    let io = fs::read_to_string(format!("/proc/{pid}/io"))?;
    field(&io, "syscr:").ok_or_else(|| io::Error::other(format!("/proc/{pid}/io: no syscr")))
}

/// A process's footprint at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Footprint {
    /// VmRSS, in bytes.
    pub rss: u64,
    /// RssAnon, in bytes: the part of `rss` that is the process's own (heap, stacks),
    /// as against the pages of its program and libraries that it maps.
    pub anonymous: u64,
    pub threads: u64,
}

/// Reads `pid`'s resident memory and thread count.
pub fn footprint(pid: u32) -> io::Result<Footprint> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let missing = |name: &str| io::Error::other(format!("/proc/{pid}/status: no {name}"));
    Ok(Footprint {
        rss: field(&status, "VmRSS:").ok_or_else(|| missing("VmRSS"))? * 1024,
        anonymous: field(&status, "RssAnon:").ok_or_else(|| missing("RssAnon"))? * 1024,
        threads: field(&status, "Threads:").ok_or_else(|| missing("Threads"))?,
    })
}

/// `pid`'s open file descriptors: the entries of /proc/PID/fd.
pub fn fd_count(pid: u32) -> io::Result<usize> {
    dir_len(pid, "fd")
}

/// `pid`'s threads: the entries of /proc/PID/task.
pub fn thread_count(pid: u32) -> io::Result<usize> {
    dir_len(pid, "task")
}

fn dir_len(pid: u32, dir: &str) -> io::Result<usize> {
    let path = format!("/proc/{pid}/{dir}");
    let entries =
        fs::read_dir(&path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?;
    Ok(entries.count())
}

/// The number after `name` in a /proc status file (kB for sizes).
fn field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}
