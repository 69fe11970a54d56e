//! Ctrl-Z and `fg`: the host's terminal is given back before the server stops, so the
//! shell is usable, and taken back (cbreak again, one status line) when it continues.
//!
//! Job control needs a real interactive shell on the pty: a program that is itself the
//! session leader is in an orphaned process group, where the kernel drops SIGTSTP. So
//! the shell runs on the pty and roshambo runs as its job, as a host would run it.
//!
//! Two shells, because they differ in what they do to the terminal:
//! - bash restores its own saved settings whenever a job stops, which would hide a
//!   server that stopped without restoring the terminal; but it shows that `fg` brings
//!   cbreak back from a terminal the shell cooked.
//! - dash never touches the terminal's settings, so what the terminal holds after
//!   Ctrl-Z is exactly what roshambo left there before it stopped.
//!
//! SIGQUIT (Ctrl-\) is in tests/console.rs with the other ways the server stops.

use roshambo_test_support::{
    require_client, roshambo, test_data_home, Expect, Guest, Program, DEADLINE,
};
use std::thread;
use std::time::{Duration, Instant};
use termios::{Termios, ECHO, ICANON};

const CTRL_C: u8 = 0x03;
const CTRL_Z: u8 = 0x1a;

/// The shell's prompt: set through the environment, and spelled so that the echo of a
/// command line never contains it.
const PROMPT: &str = "READY> ";

/// Kills whole process groups when the test ends, however it ends: roshambo runs in a
/// group of its own (the shell's job), which killing the shell alone would leave behind.
struct KillGroups(Vec<libc::pid_t>);

impl Drop for KillGroups {
    fn drop(&mut self) {
        for &group in &self.0 {
            // SAFETY: kill(2) on a process group this test started (the shell's, or its
            // job's); ESRCH when it is gone already is harmless.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
    }
}

/// The fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...
fn stat_fields(pid: libc::pid_t) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// The process's state letter: R, S, T (stopped), Z, ...
fn state(pid: libc::pid_t) -> Option<char> {
    stat_fields(pid)?.first()?.chars().next()
}

fn process_group(pid: libc::pid_t) -> Option<libc::pid_t> {
    stat_fields(pid)?.get(2)?.parse().ok()
}

/// The pid of the shell's child that runs roshambo, once the shell has started it.
#[track_caller]
fn find_job(shell: &Program) -> libc::pid_t {
    let shell_pid = shell.pid();
    let children = format!("/proc/{shell_pid}/task/{shell_pid}/children");
    let deadline = Instant::now() + DEADLINE;
    loop {
        let found = std::fs::read_to_string(&children)
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|pid| pid.parse::<libc::pid_t>().ok())
            .find(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == "roshambo")
            });
        if let Some(pid) = found {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "the shell (pid {shell_pid}) has no roshambo child:\n{}",
            shell.transcript()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until `pid` is in state `wanted` (a process's state changes a moment after
/// the shell reports it).
#[track_caller]
fn await_state(pid: libc::pid_t, wanted: char) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = state(pid);
        if now == Some(wanted) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "roshambo (pid {pid}) is in state {now:?}, not {wanted}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

fn in_cbreak(termios: &Termios) -> bool {
    termios.c_lflag & (ICANON | ECHO) == 0
}

/// Waits until the terminal is in cbreak mode (ICANON and ECHO off).
#[track_caller]
fn await_cbreak(shell: &Program, when: &str) {
    let deadline = Instant::now() + DEADLINE;
    while !in_cbreak(&shell.termios_now()) {
        assert!(
            Instant::now() < deadline,
            "{when}: the terminal is not in cbreak mode (c_lflag {:#x}):\n{}",
            shell.termios_now().c_lflag,
            shell.transcript()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// Asserts that the terminal holds exactly the settings it had before the shell ran,
/// which are the cooked settings the shell runs its commands with.
#[track_caller]
fn assert_shells_terminal(shell: &Program, when: &str) {
    let now = shell.termios_now();
    assert_eq!(
        now,
        shell.termios_before(),
        "{when}: the terminal is not as the shell had it (c_lflag {:#x}, ICANON and ECHO \
         must be on):\n{}",
        now.c_lflag,
        shell.transcript()
    );
    assert_eq!(now.c_lflag & (ICANON | ECHO), ICANON | ECHO, "{when}");
}

/// Starts `shell` on a pty and runs roshambo as its job. `stops` times: stops it with
/// Ctrl-Z, checks the shell's terminal and that the shell works, resumes it with `fg`,
/// checks cbreak and the status line. Then it ends it with Ctrl-C. With `with_guest`, a
/// guest plays a game before the first stop and another after the last `fg`.
fn suspend_and_resume(shell_command: &[&str], with_guest: bool, stops: usize) {
    let mut env_args = vec![format!("PS1={PROMPT}"), "TERM=dumb".to_string()];
    env_args.extend(shell_command.iter().map(|s| s.to_string()));
    let env_args: Vec<&str> = env_args.iter().map(String::as_str).collect();
    let mut shell = Program::on_pty("env", &env_args);
    let mut groups = KillGroups(vec![shell.pid() as libc::pid_t]);
    shell.expect(PROMPT);
    assert_shells_terminal(&shell, "at the first prompt (the test's own premise)");

    shell.press(
        format!(
            "XDG_DATA_HOME='{}' {} --port 0 --no-names --timeout 60\n",
            test_data_home().display(),
            roshambo().display()
        )
        .as_bytes(),
    );
    let port = shell.listening_port();
    let job = find_job(&shell);
    groups
        .0
        .push(process_group(job).expect("roshambo's process group"));
    await_cbreak(&shell, "while roshambo runs");

    let mut guest = with_guest.then(|| {
        let mut guest = Guest::connect(port);
        shell.expect_line(&format!("Player connected: {}", guest.local_addr()));
        guest.expect_line("Welcome to the game");
        shell.press(b"r");
        guest.send(b"s");
        shell.expect_line("Wins: 1 - 0");
        guest.expect_line("Wins: 1 - 0");
        guest
    });

    let status = match &guest {
        Some(guest) => format!("Playing against {}: Wins: 1 - 0", guest.local_addr()),
        None => "Waiting for a guest to connect".to_string(),
    };
    for round in 1..=stops {
        // Ctrl-Z: the shell reports the stop and prompts, on a terminal it can use.
        shell.press(&[CTRL_Z]);
        shell.expect("Stopped");
        shell.expect(PROMPT);
        await_state(job, 'T');
        // The playing guest was told before the server stopped.
        if let Some(guest) = &mut guest {
            guest.expect_line("The host has paused the game; your clock is stopped.");
        }
        assert_shells_terminal(&shell, &format!("after Ctrl-Z number {round}"));
        // The shell runs commands and the terminal echoes what is typed.
        shell.press(b"echo alive$((40+2))\n");
        shell.expect("echo alive$((40+2))");
        shell.expect_line("alive42");
        shell.expect(PROMPT);

        // fg: cbreak again, and one line saying where things stand.
        shell.press(b"fg\n");
        shell.expect_line(&status);
        await_cbreak(&shell, &format!("after fg number {round}"));
        await_state(job, 'S');
        if let Some(guest) = &mut guest {
            guest.expect_line("The game goes on, with a fresh clock. Your move: r, p or s.");
        }
    }

    // Single keys are read again, without Enter.
    match &mut guest {
        Some(guest) => {
            shell.press(b"p");
            guest.send(b"r");
            shell.expect_line("Player 0: p, Player 1: r");
            shell.expect_line("Wins: 2 - 0");
            guest.expect_line("Wins: 2 - 0");
        }
        None => {
            shell.press(b"r");
            shell.expect_line("No guest yet: keys count once a guest connects.");
        }
    }
    let transcript = shell.transcript();
    assert_eq!(
        transcript.matches(&status).count(),
        stops,
        "one status line after each fg:\n{transcript}"
    );

    // Ctrl-C ends it as usual, and the shell has its terminal back.
    shell.press(&[CTRL_C]);
    shell.expect_line("Server shutting down. Good-bye");
    if let Some(guest) = &mut guest {
        guest.expect_line("Server shutting down. Good-bye");
        guest.expect_closed();
    }
    shell.expect(PROMPT);
    assert_shells_terminal(&shell, "after roshambo ended");
    shell.press(b"echo status=$?\n");
    shell.expect_line("status=0");
    shell.expect(PROMPT);
    shell.press(b"exit\n");
    let status = shell.wait_exit(DEADLINE);
    assert!(status.success(), "the shell exited with {status}");
}

#[test]
fn ctrl_z_under_bash_gives_the_shell_its_terminal_and_fg_takes_it_back() {
    if !require_client("bash") {
        return;
    }
    // --noediting: readline would put the terminal in its own mode at every prompt,
    // and the shell's terminal would not be the cooked one the job started from.
    suspend_and_resume(
        &["bash", "--norc", "--noprofile", "--noediting", "-i"],
        true,
        1,
    );
}

#[test]
fn ctrl_z_under_dash_shows_roshambo_restored_the_terminal_before_stopping() {
    if !require_client("dash") {
        return;
    }
    // Twice: the second Ctrl-Z must work as the first did.
    suspend_and_resume(&["dash", "-i"], false, 2);
}
