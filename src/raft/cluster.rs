//! The engine under everything: servers, network and invariant monitor, changed only by
//! [`Cluster::apply`]. The TUI, the scenario runner and the benchmarks all go this way.

use super::event::{Event, Violation};
use super::invariants::InvariantMonitor;
use super::message::{Envelope, Message};
use super::network::{
    DELIVER_ALL_CAP, DeliverAllOutcome, Delivered, Link, NetworkError, RaftNetwork,
};
use super::server::{RaftServer, ServerAction, ServerState};
use super::types::{MessageId, Role, ServerId};

/// One step a user, a script or the explorer can take.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// An outside action on one server.
    Server {
        /// The server.
        server: ServerId,
        /// What happens to it.
        action: ServerAction,
    },
    /// Deliver the message with this id.
    Deliver(MessageId),
    /// Deliver the oldest message in flight.
    DeliverOldest,
    /// Lose the message with this id.
    Drop(MessageId),
    /// Put a copy of the message in flight.
    Duplicate(MessageId),
    /// Deliver in FIFO order until none is left (at most [`DELIVER_ALL_CAP`]).
    DeliverAll,
    /// Deliver the oldest message, this many times or until none is left: a "deliver all"
    /// that the user stopped part-way, so that undo and replay repeat exactly what was done.
    DeliverUpTo(usize),
    /// Split the network; servers not listed are each alone.
    Partition(Vec<Vec<ServerId>>),
    /// Reconnect everyone: the partition and every cut link.
    Heal,
    /// Cut a link, one way or both: messages over it are lost when sent or delivered.
    Cut(Link),
    /// Restore a cut link, one way or both.
    Restore(Link),
    /// Put a hand-made message in flight, as if `from` had sent it.
    Inject {
        /// The server it claims to come from.
        from: ServerId,
        /// The recipient.
        to: ServerId,
        /// The message, every field given (boxed: the history keeps many actions, few of
        /// them messages).
        message: Box<Message>,
    },
}

/// Settings for the whole cluster (a scenario's top-level fields).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClusterConfig {
    /// The most entries one AppendEntries carries; `None` (the default): every entry to the
    /// end of the leader's log.
    pub max_entries_per_append: Option<usize>,
}

impl Action {
    /// An outside action on `server`.
    pub fn on(server: ServerId, action: ServerAction) -> Action {
        Action::Server { server, action }
    }
}

/// A cluster of servers on one network, with its invariant history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cluster {
    servers: Vec<RaftServer>,
    network: RaftNetwork,
    monitor: InvariantMonitor,
    config: ClusterConfig,
}

impl Cluster {
    /// `n` fresh servers (followers in term 1 with empty logs).
    pub fn new(n: usize) -> Cluster {
        Cluster::from_states(vec![ServerState::default(); n])
    }

    /// Servers starting from the given states. Violations in the starting state are
    /// recorded (see [`Cluster::violations`]).
    ///
    /// # Panics
    /// If there are 0 or more than 9 states; scenario files are validated before this.
    pub fn from_states(states: Vec<ServerState>) -> Cluster {
        Cluster::with_config(states, ClusterConfig::default())
    }

    /// Servers starting from the given states, with these settings.
    ///
    /// # Panics
    /// As [`Cluster::from_states`], and if a leader's next/match index names a server that
    /// is not there.
    pub fn with_config(states: Vec<ServerState>, config: ClusterConfig) -> Cluster {
        let network = RaftNetwork::new(states.len());
        let servers = states
            .into_iter()
            .enumerate()
            .map(|(i, state)| {
                let mut server = RaftServer::with_state(network.create_node(i), state);
                server.max_entries_per_append = config.max_entries_per_append;
                server
            })
            .collect();
        let mut cluster = Cluster {
            servers,
            network,
            monitor: InvariantMonitor::new(),
            config,
        };
        let mut ignored = Vec::new();
        cluster.monitor.check_all(&cluster.servers, &mut ignored);
        for server in &mut cluster.servers {
            // Seen whole by `check_all`.
            let _ = server.log.take_change();
        }
        cluster
    }

    /// The servers, by id.
    pub fn servers(&self) -> &[RaftServer] {
        &self.servers
    }

    /// One server.
    pub fn server(&self, id: ServerId) -> Option<&RaftServer> {
        self.servers.get(id)
    }

    /// The cluster's settings.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The network.
    pub fn network(&self) -> &RaftNetwork {
        &self.network
    }

    /// Messages in flight, oldest first.
    pub fn in_flight(&self) -> impl ExactSizeIterator<Item = &Envelope> {
        self.network.in_flight()
    }

    /// Every invariant violation found so far (the starting state's included).
    pub fn violations(&self) -> &[Violation] {
        self.monitor.violations()
    }

    /// The servers that are live leaders now.
    pub fn live_leaders(&self) -> impl Iterator<Item = ServerId> + '_ {
        self.servers
            .iter()
            .filter(|s| s.role == Role::Leader && !s.crashed)
            .map(|s| s.id)
    }

    /// Delivers in FIFO order until nothing is in flight, checking invariants after every
    /// delivery; stops after [`DELIVER_ALL_CAP`] deliveries with a `DeliverAllStopped` event.
    pub fn deliver_all(
        &mut self,
        events: &mut Vec<Event>,
    ) -> Result<DeliverAllOutcome, NetworkError> {
        let monitor = &mut self.monitor;
        self.network.deliver_all(
            &mut self.servers[..],
            DELIVER_ALL_CAP,
            events,
            |servers, delivered, events| {
                if let Delivered::Handled(server) = delivered {
                    check_server(monitor, servers, server, events);
                }
            },
        )
    }

    /// Delivers the oldest message up to `max` times (fewer if none is left), checking
    /// invariants after each, like [`Cluster::deliver_all`] but without its cap's event: the
    /// TUI runs a long "deliver all" in such slices between frames.
    pub fn deliver_up_to(
        &mut self,
        max: usize,
        events: &mut Vec<Event>,
    ) -> Result<usize, NetworkError> {
        let mut delivered = 0;
        while delivered < max {
            match self.network.deliver_oldest(&mut self.servers[..], events)? {
                None => break,
                Some(Delivered::Handled(server)) => {
                    check_server(&mut self.monitor, &mut self.servers, server, events)
                }
                Some(Delivered::Lost) => {}
            }
            delivered += 1;
        }
        Ok(delivered)
    }

    /// Applies one action and returns what happened.
    pub fn apply(&mut self, action: &Action) -> Result<Vec<Event>, NetworkError> {
        let mut events = Vec::new();
        self.apply_into(action, &mut events)?;
        Ok(events)
    }

    /// Applies one action, appending what happened to `events`. On error nothing changed.
    pub fn apply_into(
        &mut self,
        action: &Action,
        events: &mut Vec<Event>,
    ) -> Result<(), NetworkError> {
        match *action {
            Action::Server { server, ref action } => {
                let target = self
                    .servers
                    .get_mut(server)
                    .ok_or(NetworkError::NoSuchServer(server))?;
                target.perform(action);
                self.network.collect(target, events);
                check_server(&mut self.monitor, &mut self.servers, server, events);
            }
            Action::Deliver(id) => {
                let delivered = self.network.deliver(id, &mut self.servers[..], events)?;
                if let Delivered::Handled(server) = delivered {
                    check_server(&mut self.monitor, &mut self.servers, server, events);
                }
            }
            Action::DeliverOldest => {
                let delivered = self.network.deliver_oldest(&mut self.servers[..], events)?;
                if let Some(Delivered::Handled(server)) = delivered {
                    check_server(&mut self.monitor, &mut self.servers, server, events);
                }
            }
            Action::Drop(id) => self.network.drop_message(id, events)?,
            Action::Duplicate(id) => {
                self.network.duplicate(id, events)?;
            }
            Action::DeliverAll => {
                self.deliver_all(events)?;
            }
            Action::DeliverUpTo(max) => {
                self.deliver_up_to(max, events)?;
            }
            // The network's own actions change no server, so there is nothing new to check.
            Action::Partition(ref groups) => {
                if let Some(&bad) = groups.iter().flatten().find(|&&s| s >= self.servers.len()) {
                    return Err(NetworkError::NoSuchServer(bad));
                }
                self.network.partition(groups, events)
            }
            Action::Heal => self.network.heal(events),
            Action::Cut(link) => {
                self.check_link(link)?;
                self.network.cut(link, events)
            }
            Action::Restore(link) => {
                self.check_link(link)?;
                self.network.restore(link, events)
            }
            Action::Inject {
                from,
                to,
                ref message,
            } => {
                self.check_link(Link {
                    from,
                    to,
                    both_ways: false,
                })?;
                self.network.inject(from, to, (**message).clone(), events);
            }
        }
        Ok(())
    }

    /// A link joins two different servers of the cluster.
    fn check_link(&self, link: Link) -> Result<(), NetworkError> {
        let n = self.servers.len();
        if let Some(bad) = [link.from, link.to].into_iter().find(|&s| s >= n) {
            return Err(NetworkError::NoSuchServer(bad));
        }
        if link.from == link.to {
            return Err(NetworkError::SameServer(link.from));
        }
        Ok(())
    }
}

/// Checks the invariants after a step that changed only server `id`, telling the monitor
/// from where its log changed.
fn check_server(
    monitor: &mut InvariantMonitor,
    servers: &mut [RaftServer],
    id: ServerId,
    events: &mut Vec<Event>,
) {
    let changed_from = servers.get_mut(id).and_then(|s| s.log.take_change());
    monitor.check_server(servers, id, changed_from, events);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_stays_small_for_the_history_that_keeps_one_per_step() {
        // A hand-made message is boxed: without the box every action would be as large as an
        // AppendEntries.
        let size = std::mem::size_of::<Action>();
        assert!(size <= 32, "an Action takes {size} bytes");
        assert!(std::mem::size_of::<Message>() > 32);
    }
}
