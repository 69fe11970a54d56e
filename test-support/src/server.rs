//! roshambo itself, as the test or bench run built it: started with `--port 0` on a pty
//! or on pipes, and ready once its listening line names the port. Does IO (processes).

use crate::expect::Expect;
use crate::guest::Guest;
use crate::program::Program;
use std::ffi::{OsStr, OsString};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The roshambo binary cargo built for this test or bench run.
///
/// Cargo names it only to the root package's own tests and benches, at compile time
/// (`env!("CARGO_BIN_EXE_roshambo")`), and this crate is not one of them. Instead of
/// having every test file pass the path in, it is found where cargo puts it, as
/// assert_cmd finds binaries: the test or bench executable runs from
/// `target/<profile>/deps/`, and the binaries of the same build sit one folder up. So
/// the tests get the debug server and `cargo bench` the release one, which cargo builds
/// before it runs either.
pub fn roshambo() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let exe = std::env::current_exe().expect("the running test's own path");
        let mut dir = exe
            .parent()
            .expect("the test executable's folder")
            .to_owned();
        if dir.ends_with("deps") {
            dir.pop();
        }
        let path = dir.join(format!("roshambo{}", std::env::consts::EXE_SUFFIX));
        assert!(
            path.is_file(),
            "no roshambo binary at {}: run the tests and benches through cargo, which builds it",
            path.display()
        );
        path
    })
}

/// The data folder every roshambo this test binary starts is given (XDG_DATA_HOME),
/// so that records stay in the temporary folder. Made only if a server writes there.
pub fn test_data_home() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| crate::temp_path("data"))
}

/// How to run roshambo: built by [`Server::launch`].
#[derive(Debug)]
pub struct Launch {
    args: Vec<String>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Stdio>,
    stderr_apart: bool,
    keys: Option<Stdio>,
    names: bool,
}

impl Launch {
    /// Guests are asked their name, as by default (the tests otherwise run with
    /// `--no-names`, to be about what comes after).
    pub fn names(mut self) -> Launch {
        self.names = true;
        self
    }

    /// Sets an environment variable for the server.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Launch {
        self.env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// On a pty, stderr goes to a pipe of its own ([`Program::stderr`]) instead of the
    /// terminal. (With a piped console it always does.)
    pub fn stderr_apart(mut self) -> Launch {
        self.stderr_apart = true;
        self
    }

    /// The console is `stdin` (`Stdio::piped()` to type with [`Program::press`],
    /// `Stdio::null()`), with stdout and stderr on pipes: no terminal at all.
    pub fn piped(mut self, stdin: Stdio) -> Launch {
        self.stdin = Some(stdin);
        self
    }

    /// The console's keys come from `stdin` (`Stdio::piped()` to type with
    /// [`Program::press`]) while stdout and stderr stay on the pty: a script feeding the
    /// server on a terminal, whose settings must then stay untouched.
    pub fn keys_from(mut self, stdin: Stdio) -> Launch {
        self.keys = Some(stdin);
        self
    }

    /// Starts the server without waiting for anything: for runs that may exit at once.
    pub fn spawn(self) -> Program {
        let mut command = Command::new(roshambo());
        // No reading time before a new guest's first clock unless a test asks for it:
        // the tests time the clock itself. Later flags win.
        command.args(["--port", "0", "--read-time", "0"]);
        if !self.names {
            command.arg("--no-names");
        }
        command.args(&self.args);
        // The fault injection is only ever what the test asks for, and the console's
        // colour too: the tests read the host's lines as words.
        command.env_remove("ROSHAMBO_PANIC_ON_BANG");
        command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
        // Records never go to the user's own data folder: a test's env or `--db` wins.
        command.env("XDG_DATA_HOME", test_data_home());
        command.envs(self.env);
        match self.stdin {
            Some(stdin) => Program::spawn_piped(command, stdin),
            None => Program::spawn_on_pty(command, self.stderr_apart, self.keys),
        }
    }

    /// Starts the server and waits until it listens.
    #[track_caller]
    pub fn start(self) -> Server {
        let mut program = self.spawn();
        let port = program.listening_port();
        Server { program, port }
    }
}

/// A running roshambo: a [`Program`] (all its methods apply) that listens on `port()`.
#[derive(Debug)]
pub struct Server {
    program: Program,
    port: u16,
}

impl Server {
    /// roshambo `--port 0` plus `args`, on a pty, once it listens. Later flags win, so
    /// `args` may name another port.
    #[track_caller]
    pub fn start(args: &[&str]) -> Server {
        Server::launch(args).start()
    }

    /// As [`Server::start`] with `stdin` for a console (a pipe, /dev/null) and stdout
    /// and stderr on pipes.
    #[track_caller]
    pub fn start_piped(args: &[&str], stdin: Stdio) -> Server {
        Server::launch(args).piped(stdin).start()
    }

    /// A server to configure before starting it.
    pub fn launch(args: &[&str]) -> Launch {
        Launch {
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            stdin: None,
            stderr_apart: false,
            keys: None,
            names: false,
        }
    }

    /// The port it listens on, as its listening line said.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connects a guest that negotiates as a telnet client: [`Guest::connect`].
    #[track_caller]
    pub fn guest(&self) -> Guest {
        Guest::connect(self.port)
    }

    /// Connects a guest and waits until it is seated: the host saw it arrive and the
    /// guest was welcomed. For tests about what happens after.
    #[track_caller]
    pub fn seat_guest(&mut self) -> Guest {
        let mut guest = self.guest();
        self.expect_line(&format!("Player connected: {}", guest.local_addr()));
        guest.expect_line("Welcome to the game");
        guest
    }

    /// One game: the host presses `host`, the playing guest sends `visitor`, and both
    /// see the throw.
    #[track_caller]
    pub fn play(&mut self, guest: &mut Guest, host: char, visitor: char) {
        self.press(&[host as u8]);
        guest.send(&[visitor as u8]);
        let line = format!("Player 0: {host}, Player 1: {visitor}");
        self.expect_line(&line);
        guest.expect_line(&line);
    }
}

impl Deref for Server {
    type Target = Program;

    fn deref(&self) -> &Program {
        &self.program
    }
}

impl DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Program {
        &mut self.program
    }
}
