//! A guest at the door: the name they give (typed with echo, sent by their telnet
//! client, or given them), checked and kept unique, and the record they are greeted
//! with before they come in.

use super::{Action, Input, Recipient, Stage, Table, LOOKUP_PATIENCE, RUB_OUT};
use crate::game::happening::Happening;
use crate::game::names::{NameProblem, Typing};
use crate::game::{messages, names, GuestId};
use crate::records::PlayerRecord;
use std::sync::Arc;
use std::time::Instant;

impl Table {
    /// The guest's client said who its user is (`telnet -l alice`), or that it will not
    /// say (`None`): the name is tried as if typed, and without one they are asked.
    pub(super) fn guest_user(&mut self, guest: GuestId, user: Option<&str>, now: Instant) {
        let Some(Stage::Naming { entry, asked, .. }) = self.guests.get(&guest).map(|g| &g.stage)
        else {
            return;
        };
        // Once they are typing at the prompt, what they type wins.
        if !entry.is_empty() {
            return;
        }
        match user {
            Some(name) => self.try_name(guest, name, now),
            None if !asked => self.ask_name(guest, now),
            None => {}
        }
    }

    /// Shows the name prompt, and gives the guest [`super::TableSettings::name_time`] to
    /// answer it.
    pub(super) fn ask_name(&mut self, guest: GuestId, now: Instant) {
        let until = now + self.settings.name_time;
        let Some(Stage::Naming { asked, .. }) = self.guests.get_mut(&guest).map(|g| &mut g.stage)
        else {
            return;
        };
        let first = !std::mem::replace(asked, true);
        self.deadlines.insert(guest, until);
        if first {
            self.say(Recipient::Guest(guest), messages::INTRODUCTION);
        }
        self.echo(guest, messages::NAME_PROMPT);
    }

    /// What a key typed at the door did to the name being typed.
    pub(super) fn name_typed(&mut self, guest: GuestId, typing: Typing, now: Instant) {
        let echoes = matches!(self.guests[&guest].input, Input::Keys);
        match typing {
            Typing::Nothing => {}
            Typing::Added(c) if echoes => self.echo(guest, c.encode_utf8(&mut [0; 4])),
            Typing::RubbedOut if echoes => self.echo(guest, RUB_OUT),
            Typing::Added(_) | Typing::RubbedOut => {}
            Typing::Done(line) => {
                if echoes {
                    self.echo(guest, "\r\n");
                }
                if line.is_empty() {
                    self.give_name(guest, now);
                } else if line == "?" {
                    self.say(Recipient::Guest(guest), messages::NAME_HELP);
                    self.ask_name(guest, now);
                } else {
                    self.try_name(guest, &line, now);
                }
            }
            Typing::Overlong { chars } => {
                if echoes {
                    self.echo(guest, "\r\n");
                }
                self.refuse_name(guest, NameProblem::TooLong { chars }, now);
            }
        }
    }

    /// The guest offered `name`: in they come with it, or they are told why not and
    /// asked again.
    pub(super) fn try_name(&mut self, guest: GuestId, name: &str, now: Instant) {
        let checked =
            names::check(name).and_then(|()| match self.names.contains_key(&names::folded(name)) {
                true => Err(NameProblem::Taken),
                false => Ok(()),
            });
        match checked {
            Ok(()) => {
                self.name(guest, name, false);
                self.say(Recipient::Guest(guest), messages::hello(name));
                self.find_record_then_come_in(guest, now);
            }
            Err(problem) => self.refuse_name(guest, problem, now),
        }
    }

    pub(super) fn refuse_name(&mut self, guest: GuestId, problem: NameProblem, now: Instant) {
        self.say(Recipient::Guest(guest), problem.to_string());
        self.ask_name(guest, now);
    }

    /// The guest chose no name, or their time ran out: they get one.
    pub(super) fn give_name(&mut self, guest: GuestId, now: Instant) {
        let name = names::given(guest);
        self.name(guest, &name, true);
        self.say(Recipient::Guest(guest), messages::hello(&name));
        self.find_record_then_come_in(guest, now);
    }

    /// Names the guest: their name is theirs while they are connected.
    pub(super) fn name(&mut self, guest: GuestId, name: &str, given: bool) {
        let Some(g) = self.guests.get_mut(&guest) else {
            return;
        };
        g.name = Arc::from(name);
        self.names.insert(names::folded(name), guest);
        self.deadlines.remove(&guest);
        let who = self.who(guest);
        self.log(Happening::Named { who, given });
    }

    /// A guest who has just been named: with records kept, their record is looked up
    /// first, so that they are greeted with it before anything else; else in they come.
    pub(super) fn find_record_then_come_in(&mut self, guest: GuestId, now: Instant) {
        if !self.settings.records {
            self.come_in(guest, now);
            return;
        }
        let Some(g) = self.guests.get_mut(&guest) else {
            return;
        };
        g.stage = Stage::Greeting;
        let name = g.name.clone();
        self.deadlines.insert(guest, now + LOOKUP_PATIENCE);
        self.actions.push_back(Action::FindRecord { guest, name });
    }

    /// The record of `name`, asked for with [`Action::FindRecord`], was found (or `None`:
    /// a new name). The guest is greeted with it and comes in, if they are still here and
    /// still waiting for it.
    /// `games` are their last games, oldest first, as (their move, the host seat's move)
    /// by key: the house bot learns from them in every match they play.
    pub fn guest_record(
        &mut self,
        guest: GuestId,
        name: &str,
        record: Option<PlayerRecord>,
        games: &[(char, char)],
        now: Instant,
    ) {
        let waiting = self
            .guests
            .get(&guest)
            .is_some_and(|g| matches!(g.stage, Stage::Greeting) && *g.name == *name);
        if !waiting {
            return;
        }
        let variant = self.settings.variant;
        let index = |key: char| variant.moves().iter().position(|m| m.key() == key);
        let past: Vec<(usize, usize)> = games
            .iter()
            .filter_map(|&(theirs, seat)| Some((index(theirs)?, index(seat)?)))
            .collect();
        if let Some(g) = self.guests.get_mut(&guest) {
            g.past_games = past;
        }
        let greeting = match record.filter(|r| r.matches > 0) {
            Some(record) => messages::welcome_back(name, &record),
            None => messages::welcome_new(name),
        };
        self.say(Recipient::Guest(guest), greeting);
        self.come_in(guest, now);
    }
}
