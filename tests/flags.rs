//! The command line as a host meets it: one clear line and status 2 for a mistake,
//! `--help` and `--version`, a port already in use (status 1), and `--log-file`. Each
//! run is on a pty, to prove a failed start leaves the terminal as it was.

use roshambo_test_support::{temp_path, Expect, Program, Server, DEADLINE};
use std::net::{Ipv4Addr, TcpListener};

/// Runs roshambo with `args` on a pty (stderr on a pipe of its own) until it exits.
fn run_to_exit(args: &[&str]) -> Program {
    let mut program = Server::launch(args).stderr_apart().spawn();
    program.wait_exit(DEADLINE);
    program
}

#[test]
fn each_bad_flag_is_one_line_naming_it_and_status_2() {
    let cases: [(&[&str], &str); 10] = [
        (&["--best-of", "4"], "--best-of"),
        (&["--timeout", "-1"], "--timeout"),
        (&["--timeout", "0"], "--timeout"),
        (&["--port", "abc"], "--port"),
        (&["--port", "70000"], "--port"),
        (&["--bogus"], "--bogus"),
        (&["--countdown", "many"], "--countdown"),
        (&["--name-time", "0"], "--name-time"),
        (&["--db", "x.db", "--no-records"], "--no-records"),
        // The missing value comes last, so nothing after it can be taken for it.
        (&["--port"], "--port"),
    ];
    for (args, flag) in cases {
        let mut program = run_to_exit(args);
        let status = program.try_status().expect("exited");
        assert_eq!(status.code(), Some(2), "{args:?}: exit status {status}");
        let stderr = program.stderr();
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{args:?}: one line on stderr, got {stderr:?}"
        );
        assert!(
            lines[0].contains(flag),
            "{args:?}: the line names {flag}: {stderr:?}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{args:?}: no panic: {stderr:?}"
        );
        assert_eq!(
            program.termios_now(),
            program.termios_before(),
            "{args:?}: the terminal is untouched"
        );
        assert!(
            !program.transcript().contains("Listening"),
            "{args:?}: it never listened: {:?}",
            program.transcript()
        );
    }
}

/// In the order the help lists them.
#[test]
fn help_lists_every_flag_and_exits_0() {
    let mut program = run_to_exit(&["--help"]);
    assert_eq!(program.try_status().expect("exited").code(), Some(0));
    for flag in [
        "--port",
        "--bind",
        "--best-of",
        "--timeout",
        "--countdown",
        "--read-time",
        "--no-names",
        "--name-time",
        "--max-guests",
        "--max-per-ip",
        "--max-key-rate",
        "--log-file",
        "--log-level",
        "--db",
        "--no-records",
        "--help",
        "--version",
    ] {
        program.expect(flag);
    }
    program.expect("Records:");
    assert_eq!(program.stderr(), "", "help goes to stdout");
    assert_eq!(program.termios_now(), program.termios_before());
}

#[test]
fn version_prints_the_name_and_version() {
    let mut program = run_to_exit(&["--version"]);
    assert_eq!(program.try_status().expect("exited").code(), Some(0));
    let skipped = program.expect_line("roshambo 0.1.0");
    assert_eq!(skipped, "", "the version is all it prints");
    assert_eq!(program.termios_now(), program.termios_before());
}

/// A port someone else listens on, on 127.0.0.1.
fn taken_port() -> (TcpListener, u16) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a listener");
    let port = listener.local_addr().expect("its address").port();
    (listener, port)
}

fn port_in_use_is_status_1(extra: &[&str], address: &str) {
    let (_listener, port) = taken_port();
    let port = port.to_string();
    let mut args = extra.to_vec();
    args.extend(["--port", &port]);
    let mut program = run_to_exit(&args);
    let status = program.try_status().expect("exited");
    assert_eq!(status.code(), Some(1), "{args:?}: exit status {status}");
    let stderr = program.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line on stderr: {stderr:?}");
    let address = address.replace("PORT", &port);
    assert!(
        lines[0].contains(&address) && lines[0].contains("Address already in use"),
        "{args:?}: the line names {address} and the reason: {stderr:?}"
    );
    assert_eq!(
        program.termios_now(),
        program.termios_before(),
        "{args:?}: the terminal is untouched"
    );
}

#[test]
fn a_port_in_use_on_all_interfaces_is_one_line_and_status_1() {
    port_in_use_is_status_1(&[], ":PORT");
}

#[test]
fn a_port_in_use_on_the_bound_address_is_one_line_and_status_1() {
    port_in_use_is_status_1(&["--bind", "127.0.0.1"], "127.0.0.1:PORT");
}

#[test]
fn the_log_file_records_the_join_the_result_and_the_shutdown() {
    let path = temp_path("log");
    let path_arg = path.to_str().expect("a UTF-8 temp path");
    let mut server = Server::start(&["--best-of", "1", "--log-file", path_arg]);
    let mut guest = server.seat_guest();
    server.press(b"r");
    guest.send(b"s");
    guest.expect_line("Thank you for playing!");
    guest.expect_line("Play again? (y/n)");
    guest.send(b"n");
    guest.expect_closed();
    server.press(&[0x03]);
    assert_eq!(server.wait_exit(DEADLINE).code(), Some(0));

    let log = std::fs::read_to_string(&path).expect("the log file exists");
    let _ = std::fs::remove_file(&path);
    let addr = guest.local_addr().to_string();
    let has = |words: &[&str]| log.lines().any(|l| words.iter().all(|w| l.contains(w)));
    assert!(
        has(&["connected", &addr]),
        "a line for the join of {addr}:\n{log}"
    );
    assert!(has(&["wins", &addr]), "a line for the result:\n{log}");
    assert!(
        has(&["shutting down"]) || has(&["stopped"]),
        "a line for the shutdown:\n{log}"
    );
    assert!(
        has(&["SIGINT"]),
        "the shutdown line says why (SIGINT):\n{log}"
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("match 1, host against") && l.contains("over (won): 1 - 0"))
            .count(),
        1,
        "one line for the match:\n{log}"
    );
    // Each line starts with the date and time, RFC 3339: 2026-12-01T18:24:51...
    for line in log.lines() {
        let stamp = line.split_whitespace().next().unwrap_or("");
        let date_and_time = stamp.len() >= 20
            && stamp.as_bytes()[4] == b'-'
            && stamp.as_bytes()[7] == b'-'
            && stamp.as_bytes()[10] == b'T'
            && stamp.as_bytes()[13] == b':';
        assert!(date_and_time, "a dated line: {line:?}");
        assert!(!line.contains("Throw {"), "no Debug text: {line:?}");
    }
}
