//! Throughput of `roshambo_core::telnet::TelnetFilter` on a realistic guest byte stream (keys,
//! Enters, negotiation, NAWS, NOPs) fed in 4 KiB reads: best, median and worst of N passes
//! over 16 MiB. Run with `cargo bench --bench telnet_filter`.

#[path = "filter_load/mod.rs"]
mod filter_load;

use std::panic;
use std::process::ExitCode;

/// Passes over the stream; the best is the figure (the least disturbed by the machine).
const PASSES: usize = 20;

/// The e2e target for the filter, in bytes per second.
const TARGET: f64 = 1e9;

fn main() -> ExitCode {
    let stream = filter_load::guest_stream(filter_load::STREAM_SIZE, 0x5eed);
    let measured = panic::catch_unwind(|| filter_load::measure(&stream, PASSES));
    let throughput = match measured {
        Ok(Ok(throughput)) => throughput,
        Ok(Err(wrong)) => {
            eprintln!("telnet_filter: wrong output: {wrong}");
            return ExitCode::FAILURE;
        }
        Err(_) => {
            eprintln!("telnet_filter: the filter panicked (see above)");
            return ExitCode::FAILURE;
        }
    };
    let mb = |rate: f64| rate / 1e6;
    println!("telnet filter throughput");
    println!(
        "  stream       {} bytes in {}-byte reads: {} keys, {} Enters, {} telnet commands",
        stream.bytes.len(),
        filter_load::READ_SIZE,
        stream.keys,
        stream.enters,
        stream.commands
    );
    println!("  replies      {} bytes per pass", throughput.reply_bytes);
    println!(
        "  MB/s         best {:.0}, median {:.0}, worst {:.0} (of {} passes)",
        mb(throughput.best),
        mb(throughput.median),
        mb(throughput.worst),
        throughput.passes
    );
    println!(
        "  target       >= {:.0} MB/s: {}",
        mb(TARGET),
        if throughput.best >= TARGET {
            "PASS"
        } else {
            "FAIL"
        }
    );
    ExitCode::SUCCESS
}
