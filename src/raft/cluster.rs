//! The engine under everything: servers, network and invariant monitor, changed only by
//! [`Cluster::apply`]. The TUI, the scenario runner and the benchmarks all go this way.

mod clone;
mod restore;

use super::bug::Bug;
use super::event::{Event, Violation};
use super::invariants::InvariantMonitor;
use super::message::Envelope;
use super::network::{DELIVER_ALL_CAP, DeliverAllOutcome, Delivered, NetworkError, RaftNetwork};
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
    /// Reconnect everyone.
    Heal,
}

impl Action {
    /// An outside action on `server`.
    pub fn on(server: ServerId, action: ServerAction) -> Action {
        Action::Server { server, action }
    }
}

/// A cluster of servers on one network, with its invariant history. Cloning it into an
/// existing cluster (`clone_from`) reuses its buffers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Cluster {
    servers: Vec<RaftServer>,
    network: RaftNetwork,
    monitor: InvariantMonitor,
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
        let network = RaftNetwork::new(states.len());
        let servers = states
            .into_iter()
            .enumerate()
            .map(|(i, state)| RaftServer::with_state(network.create_node(i), state))
            .collect();
        let mut cluster = Cluster {
            servers,
            network,
            monitor: InvariantMonitor::new(),
        };
        let mut ignored = Vec::new();
        cluster.monitor.check_all(&cluster.servers, &mut ignored);
        for server in &mut cluster.servers {
            // Seen whole by `check_all`.
            let _ = server.log.take_change();
        }
        cluster
    }

    /// Like [`Cluster::from_states`], with every server running `bug` (`None`: Raft itself).
    pub fn with_bug(states: Vec<ServerState>, bug: Option<Bug>) -> Cluster {
        let mut cluster = Cluster::from_states(states);
        for server in &mut cluster.servers {
            server.bug = bug;
        }
        cluster
    }

    /// The rule this cluster breaks on purpose, if any.
    pub fn bug(&self) -> Option<Bug> {
        self.servers.first().and_then(|s| s.bug)
    }

    /// The servers, by id.
    pub fn servers(&self) -> &[RaftServer] {
        &self.servers
    }

    /// One server.
    pub fn server(&self, id: ServerId) -> Option<&RaftServer> {
        self.servers.get(id)
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
    pub fn apply(&mut self, action: Action) -> Result<Vec<Event>, NetworkError> {
        let mut events = Vec::new();
        self.apply_into(action, &mut events)?;
        Ok(events)
    }

    /// Applies one action, appending what happened to `events`. On error nothing changed.
    pub fn apply_into(
        &mut self,
        action: Action,
        events: &mut Vec<Event>,
    ) -> Result<(), NetworkError> {
        match action {
            Action::Server { server, action } => {
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
            Action::Partition(groups) => {
                if let Some(&bad) = groups.iter().flatten().find(|&&s| s >= self.servers.len()) {
                    return Err(NetworkError::NoSuchServer(bad));
                }
                self.network.partition(&groups, events)
            }
            Action::Heal => self.network.heal(events),
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
