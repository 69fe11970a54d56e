//! What the kernel says a process costs: CPU time, context switches, resident memory and
//! threads, read from /proc. Does IO (reads /proc files only; the process is not disturbed).

use std::fs;
use std::io;
use std::time::Duration;

/// A process's cumulative CPU use and context switches at one moment.
#[derive(Clone, Copy, Debug, Default)]
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
}

impl Usage {
    /// What was used between `earlier` and `self`.
    pub fn since(&self, earlier: &Usage) -> Usage {
        Usage {
            cpu: self.cpu.saturating_sub(earlier.cpu),
            on_cpu: self.on_cpu.saturating_sub(earlier.on_cpu),
            voluntary: self.voluntary.saturating_sub(earlier.voluntary),
            involuntary: self.involuntary.saturating_sub(earlier.involuntary),
        }
    }

    pub fn switches(&self) -> u64 {
        self.voluntary + self.involuntary
    }
}

/// Reads `pid`'s usage so far.
pub fn usage(pid: u32) -> io::Result<Usage> {
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
    let ticks = ticks(11)? + ticks(12)?;
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
        usage.voluntary += field(&status, "voluntary_ctxt_switches:").unwrap_or(0);
        usage.involuntary += field(&status, "nonvoluntary_ctxt_switches:").unwrap_or(0);
        let on_cpu_ns = schedstat
            .split_whitespace()
            .next()
            .and_then(|ns| ns.parse().ok())
            .unwrap_or(0);
        usage.on_cpu += Duration::from_nanos(on_cpu_ns);
    }
    Ok(usage)
}

/// A process's footprint at one moment.
#[derive(Clone, Copy, Debug)]
pub struct Footprint {
    /// VmRSS, in bytes.
    pub rss: u64,
    pub threads: u64,
}

/// Reads `pid`'s resident memory and thread count.
pub fn footprint(pid: u32) -> io::Result<Footprint> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let missing = |name: &str| io::Error::other(format!("/proc/{pid}/status: no {name}"));
    Ok(Footprint {
        rss: field(&status, "VmRSS:").ok_or_else(|| missing("VmRSS"))? * 1024,
        threads: field(&status, "Threads:").ok_or_else(|| missing("Threads"))?,
    })
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
