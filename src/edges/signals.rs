//! Signals and panics: turns SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP and SIGCONT into
//! events on a thread of their own, and restores the terminal when any thread panics.
//! Does IO (signal masks, `sigwait`, stopping the process, the terminal via [`terminal`]).
//!
//! The signals are blocked in every thread and taken with `sigwait` on one thread, so
//! no code ever runs in signal-handler context and every signal is an ordinary event.
//! This replaces the `ctrlc` crate, which cannot handle SIGTSTP, SIGCONT or SIGQUIT; one
//! mechanism for all six is simpler than two. It also means no handler is installed with
//! SA_RESTART under a thread blocked on stdin.

use crate::edges::logging::GUESTS;
use crate::edges::terminal;
use crate::events::{Event, StopSignal};
use crossbeam_channel::Sender;
use std::cell::Cell;
use std::io;
use std::mem::MaybeUninit;
use std::thread;
use std::time::Duration;

/// How long Ctrl-Z waits for the guests to be told the game is paused.
const PAUSE_PATIENCE: Duration = Duration::from_millis(100);

/// The signals the watcher waits for; all of them stay blocked everywhere else.
const HANDLED: [libc::c_int; 6] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGCONT,
];

/// Blocks the signals the server handles, in the calling thread and so in every thread
/// it starts later. Call first thing in `main`, before any thread and before cbreak.
///
/// A thread started before this call would still take these signals with their default
/// actions (SIGINT would kill the process in cbreak mode, leaving the terminal broken),
/// and `sigwait` is only reliable when no thread leaves them unblocked.
pub fn block() -> io::Result<()> {
    set_mask(libc::SIG_BLOCK, &signal_set(&HANDLED))
}

/// Starts the thread that waits for the blocked signals and reports them.
///
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT become [`Event::Signalled`], every time they come.
/// SIGTSTP (Ctrl-Z) restores the terminal and stops the process; SIGCONT (`fg`) enters
/// cbreak again and reports [`Event::Resumed`]. The thread ends when `urgent` is
/// disconnected; nobody needs to join it.
pub fn spawn_watcher(urgent: Sender<Event>) -> io::Result<()> {
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || watch(&urgent))?;
    Ok(())
}

thread_local! {
    /// Whether a panic on this thread is caught there and costs one guest, not the
    /// server.
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as one whose panics are caught on it (a guest's reader or
/// writer): the panic hook then only logs them.
pub fn contain_panics_on_this_thread() {
    CONTAINED.with(|contained| contained.set(true));
}

/// Makes every panic restore the terminal before the message is printed, then report
/// [`Event::Panicked`]; a panic on a thread that contains its panics is logged instead.
///
/// The message goes through the previous hook, so it looks as usual; restoring first
/// makes it readable and leaves the shell usable even if the process dies. `try_send`
/// because a hook must never block (the panicking thread may be the game thread itself).
pub fn install_panic_hook(urgent: Sender<Event>) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if CONTAINED.with(Cell::get) {
            let thread = thread::current();
            let name = thread.name().unwrap_or("a guest's thread");
            log::error!(target: GUESTS, "{name}: {info}; that guest is dropped");
            return;
        }
        terminal::restore_saved();
        previous(info);
        let _ = urgent.try_send(Event::Panicked);
    }));
}

/// The watcher's loop: one signal at a time, until the game loop is gone.
fn watch(urgent: &Sender<Event>) {
    let set = signal_set(&HANDLED);
    // main blocked these already; blocking them here too keeps sigwait correct in this
    // thread even if the watcher was started first by mistake.
    if let Err(err) = set_mask(libc::SIG_BLOCK, &set) {
        log::error!("signal watcher: cannot block signals: {err}");
        return;
    }
    loop {
        let mut signal: libc::c_int = 0;
        // SAFETY: `set` is an initialised sigset_t and `signal` a valid place to write.
        let rc = unsafe { libc::sigwait(&set, &mut signal) };
        if rc != 0 {
            log::error!("signal watcher: {}", io::Error::from_raw_os_error(rc));
            return;
        }
        log::debug!("signal {signal} received");
        let event = match signal {
            libc::SIGINT => Event::Signalled {
                signal: StopSignal::Interrupt,
            },
            libc::SIGTERM => Event::Signalled {
                signal: StopSignal::Terminate,
            },
            libc::SIGHUP => Event::Signalled {
                signal: StopSignal::HangUp,
            },
            libc::SIGQUIT => Event::Signalled {
                signal: StopSignal::Quit,
            },
            libc::SIGTSTP => {
                // The game thread tells the guests the game is paused before the whole
                // process stops; a game thread that does not answer in time is not
                // waited for.
                let (done, answered) = crossbeam_channel::bounded(1);
                if urgent.send(Event::Pausing { done }).is_ok() {
                    let _ = answered.recv_timeout(PAUSE_PATIENCE);
                }
                terminal::restore_saved();
                stop_process();
                // Back here either after SIGCONT (which is pending and comes next) or at
                // once, when the kernel discarded the stop; either way cbreak is due.
                terminal::reenter_cbreak();
                continue;
            }
            libc::SIGCONT => {
                terminal::reenter_cbreak();
                Event::Resumed
            }
            _ => continue,
        };
        if urgent.send(event).is_err() {
            return;
        }
    }
}

/// Stops the whole process as an unhandled Ctrl-Z would, returning once it continues.
///
/// Raised as SIGTSTP with its default action rather than SIGSTOP: the shell reports
/// "Stopped" as for any Ctrl-Z, and the kernel discards it when the process group is
/// orphaned (nobody could `fg` it), where SIGSTOP would leave the process stopped for
/// good. SIGTSTP is unblocked in this thread only, for the time of the raise: a signal
/// sent to the own thread while unblocked is delivered before `raise` returns, and the
/// default action stops every thread.
fn stop_process() {
    let tstp = signal_set(&[libc::SIGTSTP]);
    if let Err(err) = set_mask(libc::SIG_UNBLOCK, &tstp) {
        log::error!("cannot unblock SIGTSTP to stop: {err}");
        return;
    }
    // SAFETY: raising a signal has no memory-safety preconditions; SIGTSTP has its
    // default disposition (no handler is ever installed for it).
    if unsafe { libc::raise(libc::SIGTSTP) } != 0 {
        log::error!("cannot stop: {}", io::Error::last_os_error());
    }
    if let Err(err) = set_mask(libc::SIG_BLOCK, &tstp) {
        log::error!("cannot block SIGTSTP again: {err}");
    }
}

/// A signal set holding exactly `signals`.
fn signal_set(signals: &[libc::c_int]) -> libc::sigset_t {
    let mut set = MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigemptyset initialises the whole set; sigaddset only fails for invalid
    // signal numbers, and ours are the libc constants.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        for &signal in signals {
            libc::sigaddset(set.as_mut_ptr(), signal);
        }
        set.assume_init()
    }
}

/// Changes the calling thread's signal mask (`how` is SIG_BLOCK or SIG_UNBLOCK).
fn set_mask(how: libc::c_int, set: &libc::sigset_t) -> io::Result<()> {
    // SAFETY: `set` is initialised; a null old-set pointer is allowed.
    let rc = unsafe { libc::pthread_sigmask(how, set, std::ptr::null_mut()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

#[cfg(test)]
mod tests {
    //! Only what is safe in a shared test process: masks are per thread, so a test
    //! thread may block signals for itself. Delivering real signals would reach every
    //! test thread that leaves them unblocked (SIGINT would end the test run), so the
    //! watcher is tested end to end, on the binary, by the integration tests.

    use super::*;

    fn current_mask() -> libc::sigset_t {
        let mut old = MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: a null new set only reads the mask into `old`, which it initialises.
        unsafe {
            assert_eq!(
                libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), old.as_mut_ptr()),
                0
            );
            old.assume_init()
        }
    }

    fn is_member(set: &libc::sigset_t, signal: libc::c_int) -> bool {
        // SAFETY: `set` is an initialised sigset_t.
        unsafe { libc::sigismember(set, signal) == 1 }
    }

    #[test]
    fn block_blocks_exactly_the_handled_signals_in_this_thread() {
        thread::spawn(|| {
            block().unwrap();
            let mask = current_mask();
            for signal in HANDLED {
                assert!(is_member(&mask, signal), "signal {signal} blocked");
            }
            for signal in [libc::SIGUSR1, libc::SIGPIPE, libc::SIGALRM, libc::SIGCHLD] {
                assert!(!is_member(&mask, signal), "signal {signal} left alone");
            }
        })
        .join()
        .unwrap();
    }

    #[test]
    fn signal_set_holds_exactly_the_given_signals() {
        let set = signal_set(&[libc::SIGTSTP, libc::SIGCONT]);
        for signal in 1..32 {
            let expected = signal == libc::SIGTSTP || signal == libc::SIGCONT;
            assert_eq!(is_member(&set, signal), expected, "signal {signal}");
        }
    }
}
