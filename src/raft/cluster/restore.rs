//! Rebuilding a cluster from its parts, for the explorer, which stores states compactly and
//! brings each back to life to take its next steps: as a new cluster, or in place of one
//! (keeping its buffers). The rebuilt cluster behaves exactly as the one it was taken from
//! (message ids aside), which the explorer's tests check.

use super::{Cluster, ClusterConfig};
use crate::raft::invariants::{InvariantMonitor, MonitorHistory};
use crate::raft::log::Entry;
use crate::raft::message::Envelope;
use crate::raft::network::RaftNetwork;
use crate::raft::server::{Node, RaftServer, ServerRecord};
use crate::raft::types::{LogIndex, ServerId, ServerSet, Term};

impl Cluster {
    /// What the invariant monitor remembers that can still matter to a future check.
    pub fn monitor_history(&self) -> MonitorHistory<'_> {
        self.monitor.history()
    }

    /// A cluster made of these servers and network, with these settings (given to every
    /// server), no clock, and a monitor that remembers `history` and has found no violation.
    /// The servers must be between steps (nothing waiting in their outboxes) and number as
    /// many as the network connects.
    pub fn restored(
        mut servers: Vec<RaftServer>,
        network: RaftNetwork,
        history: MonitorHistory<'_>,
        config: ClusterConfig,
    ) -> Cluster {
        assert_eq!(servers.len(), network.size(), "one server per network slot");
        give_settings(&mut servers, &config);
        let monitor = InvariantMonitor::restored(&servers, history);
        Cluster {
            servers,
            network,
            monitor,
            config,
            clock: None,
        }
    }

    /// Makes this cluster, in place, one of `n` servers with these settings and no clock,
    /// keeping its buffers: `parts` gives it its servers, network and monitor history (see
    /// [`Restoring`]); then the monitor sees the servers as they are, with no violation
    /// found, as in a cluster built by [`Cluster::restored`] from the same parts. A part not
    /// given stays as it was.
    ///
    /// # Panics
    /// If `n` is 0 or above [`MAX_SERVERS`](crate::raft::MAX_SERVERS), or if the network
    /// does not connect `n` servers when `parts` is done.
    pub fn restore<R>(
        &mut self,
        n: usize,
        config: &ClusterConfig,
        parts: impl FnOnce(&mut Restoring<'_>) -> R,
    ) -> R {
        // Checks `n` as a new network does.
        let sized = RaftNetwork::new(n);
        self.servers.truncate(n);
        for id in self.servers.len()..n {
            self.servers
                .push(RaftServer::new(sized.create_node(id), Vec::new()));
        }
        self.clock = None;
        let result = parts(&mut Restoring { cluster: self });
        assert_eq!(n, self.network.size(), "one server per network slot");
        self.config.clone_from(config);
        give_settings(&mut self.servers, config);
        self.monitor.recheck(&self.servers);
        result
    }
}

/// A cluster being restored in place by [`Cluster::restore`].
pub struct Restoring<'a> {
    cluster: &'a mut Cluster,
}

impl Restoring<'_> {
    /// Server `id` becomes the one in state `record` with a log of `entries` (between steps),
    /// keeping its log's storage if it holds those entries already.
    ///
    /// # Panics
    /// If `id` is not below the cluster size.
    pub fn server(
        &mut self,
        id: ServerId,
        record: &ServerRecord,
        entries: impl IntoIterator<Item = Entry>,
    ) {
        let cluster = &mut *self.cluster;
        let node = Node {
            id,
            cluster_size: cluster.servers.len(),
        };
        cluster.servers[id].restore(node, record, entries);
    }

    /// The network becomes the one [`RaftNetwork::restored`] builds from these parts, for as
    /// many servers as the cluster has.
    pub fn network(
        &mut self,
        groups: &[u8],
        cut: &[ServerSet],
        messages: impl IntoIterator<Item = Envelope>,
    ) {
        let size = self.cluster.servers.len();
        self.cluster.network.rebuild(size, groups, cut, messages);
    }

    /// The monitor remembers these first leaders of their terms (see [`MonitorHistory`]),
    /// keeping their storage if they are the same as before.
    pub fn leaders(&mut self, leaders: impl IntoIterator<Item = (Term, ServerId)>) {
        self.cluster.monitor.set_leaders(leaders);
    }

    /// The monitor remembers this committed prefix (see [`MonitorHistory`]), keeping its
    /// storage if it is the same as before.
    pub fn committed(&mut self, committed: impl IntoIterator<Item = (Entry, Term)>) {
        self.cluster.monitor.set_committed(committed);
    }

    /// The monitor remembers these highest commit indices, one per server (see
    /// [`MonitorHistory`]).
    pub fn max_commit(&mut self, max_commit: &[LogIndex]) {
        self.cluster.monitor.set_max_commit(max_commit);
    }
}

/// Gives every server the cluster's settings.
fn give_settings(servers: &mut [RaftServer], config: &ClusterConfig) {
    for server in servers {
        server.bug = config.bug;
        server.max_entries_per_append = config.max_entries_per_append;
    }
}
