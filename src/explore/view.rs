//! What the explorer reads of a state, whether it is a whole [`Cluster`] or a state of
//! interned parts (`explore::interned`): the servers by id, the messages in flight
//! in order, the network's partition and cuts, the monitor's history. The canonical form, the
//! reductions, the moves and the sleep sets read states only through it, so both kinds of
//! state go through the same code and get the same forms.

use crate::raft::invariants::MonitorHistory;
use crate::raft::{Cluster, Envelope, MessageId, RaftNetwork, RaftServer};

/// A state as the explorer reads it.
pub trait StateView {
    /// How many servers.
    fn server_count(&self) -> usize;
    /// Server `id` (below [`StateView::server_count`]).
    fn server(&self, id: usize) -> &RaftServer;
    /// The messages in flight, in the network's order.
    fn messages(&self) -> impl ExactSizeIterator<Item = &Envelope>;
    /// The ids of the messages in flight, in the same order.
    fn message_ids(&self) -> impl Iterator<Item = MessageId>;
    /// The network: its partition and cut links (its messages are [`StateView::messages`]).
    fn network(&self) -> &RaftNetwork;
    /// What the monitor remembers.
    fn history(&self) -> MonitorHistory<'_>;

    /// What of server `id`'s signature (by which the canonical form chooses a renaming)
    /// depends on it alone; a state of interned parts remembers it per server.
    fn signature_start(&self, id: usize) -> super::canon::ServerSignature {
        super::canon::signature_start(self.server(id))
    }

    /// The numbers of the messages in flight (in order) in a table of interned messages, if
    /// the state is made of them: equal numbers stand for equal messages (sender, recipient
    /// and content), so they compare for less.
    fn message_numbers(&self) -> Option<&[u32]> {
        None
    }

    /// Every server, in order of id.
    fn servers(&self) -> impl Iterator<Item = &RaftServer> {
        (0..self.server_count()).map(|id| self.server(id))
    }
}

impl StateView for Cluster {
    #[inline(always)]
    fn server_count(&self) -> usize {
        Cluster::servers(self).len()
    }

    #[inline(always)]
    fn server(&self, id: usize) -> &RaftServer {
        &Cluster::servers(self)[id]
    }

    #[inline(always)]
    fn messages(&self) -> impl ExactSizeIterator<Item = &Envelope> {
        self.in_flight()
    }

    #[inline(always)]
    fn message_ids(&self) -> impl Iterator<Item = MessageId> {
        self.in_flight().map(|e| e.id)
    }

    #[inline(always)]
    fn network(&self) -> &RaftNetwork {
        Cluster::network(self)
    }

    #[inline(always)]
    fn history(&self) -> MonitorHistory<'_> {
        self.monitor_history()
    }

    #[inline(always)]
    fn servers(&self) -> impl Iterator<Item = &RaftServer> {
        Cluster::servers(self).iter()
    }
}
