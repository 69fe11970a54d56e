//! The edges: the threads that turn bytes into events and events into bytes. Everything
//! in this folder does IO; nothing here decides anything about the game.

pub mod acceptor;
pub mod console;
pub mod guest;
pub mod logging;
pub mod output;
pub mod recorder;
pub mod signals;
pub mod terminal;
pub mod timer;
