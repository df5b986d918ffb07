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
    /// The servers must be between steps (nothing waiting in their outboxes), number as many
    /// as the network connects, and be given in order of id from 0.
    pub fn restored(
        mut servers: Vec<RaftServer>,
        network: RaftNetwork,
        history: MonitorHistory<'_>,
        config: ClusterConfig,
    ) -> Cluster {
        assert_eq!(servers.len(), network.size(), "one server per network slot");
        // The network finds a server by its id, and the monitor sees only ids below the size.
        assert!(
            servers.iter().enumerate().all(|(slot, s)| s.id == slot),
            "server i in slot i"
        );
        give_settings(&mut servers, &config);
        let monitor = InvariantMonitor::restored(&servers, history);
        seen_whole(&mut servers);
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
        seen_whole(&mut self.servers);
        result
    }
}

/// The monitor has just checked every log whole: no change is left for the next step's
/// check to look at again (as after a new cluster's first check).
fn seen_whole(servers: &mut [RaftServer]) {
    for server in servers {
        let _ = server.log.take_change();
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
    /// [`MonitorHistory`]; any beyond the cluster's servers are left out).
    pub fn max_commit(&mut self, max_commit: &[LogIndex]) {
        // None for servers it does not have: its monitor sees only its servers.
        let n = self.cluster.servers.len().min(max_commit.len());
        self.cluster.monitor.set_max_commit(&max_commit[..n]);
    }
}

/// Gives every server the cluster's settings.
fn give_settings(servers: &mut [RaftServer], config: &ClusterConfig) {
    for server in servers {
        server.bug = config.bug;
        server.max_entries_per_append = config.max_entries_per_append;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::cluster::Action;
    use crate::raft::server::ServerAction;
    use crate::raft::types::MAX_SERVERS;

    /// A cluster of `n` with a leader, replicated and committed entries, and messages in
    /// flight, a split network: every part a restore gives.
    fn busy(n: usize, commands: &[&str]) -> Cluster {
        let mut cluster = Cluster::new(n);
        cluster
            .apply(&Action::on(0, ServerAction::Timeout))
            .expect("a timeout");
        cluster.apply(&Action::DeliverAll).expect("delivered");
        for command in commands {
            let request = ServerAction::ClientRequest(std::sync::Arc::from(*command));
            cluster.apply(&Action::on(0, request)).expect("a request");
            cluster.apply(&Action::DeliverAll).expect("delivered");
        }
        cluster
            .apply(&Action::on(0, ServerAction::Heartbeat))
            .expect("a heartbeat");
        cluster
            .apply(&Action::on(1, ServerAction::Timeout))
            .expect("a timeout");
        cluster
            .apply(&Action::Partition(vec![vec![0, 1]]))
            .expect("a partition");
        cluster
    }

    fn record(s: &RaftServer) -> ServerRecord {
        ServerRecord {
            role: s.role,
            term: s.current_term,
            voted_for: s.voted_for,
            commit_index: s.commit_index,
            crashed: s.crashed,
            votes_granted: s.votes_granted,
            votes_refused: s.votes_refused,
            leader_id: s.leader_id,
            next_index: s.next_index,
            match_index: s.match_index,
        }
    }

    /// `from`'s parts restored into `into`, in place.
    fn restore_into(into: &mut Cluster, from: &Cluster) {
        into.restore(from.servers().len(), from.config(), |parts| {
            for s in from.servers() {
                parts.server(s.id, &record(s), s.log.entries().cloned());
            }
            let network = from.network();
            let cut: Vec<ServerSet> = (0..network.size())
                .map(|a| {
                    (0..network.size())
                        .filter(|&b| network.is_cut(a, b))
                        .collect()
                })
                .collect();
            parts.network(network.groups(), &cut, network.in_flight().cloned());
            let history = from.monitor_history();
            parts.leaders(history.leaders.iter().copied());
            parts.committed(history.committed.iter().cloned());
            parts.max_commit(history.max_commit);
        });
    }

    #[test]
    fn a_cluster_restored_in_place_is_the_one_restored_new_whatever_it_was() {
        let source = busy(3, &["x", "y"]);
        assert!(source.in_flight().len() > 0 && source.network().is_split());
        let history = source.monitor_history();
        assert!(!history.committed.is_empty() && !history.leaders.is_empty());
        let network = source.network();
        let cut = [ServerSet::EMPTY; MAX_SERVERS];
        let new = Cluster::restored(
            source.servers().to_vec(),
            RaftNetwork::restored(
                network.size(),
                network.groups(),
                &cut,
                network.in_flight().cloned(),
            ),
            history,
            source.config().clone(),
        );
        for mut into in [
            Cluster::new(1),
            Cluster::new(5),
            busy(3, &["z"]),
            busy(4, &[]),
        ] {
            restore_into(&mut into, &source);
            assert_eq!(into, new);
            // Again, over itself (logs and history the same: their storage is kept).
            restore_into(&mut into, &source);
            assert_eq!(into, new);
            // Copied over clusters of the same size and of others.
            for mut copy in [busy(3, &["w"]), busy(5, &["w"]), Cluster::new(2)] {
                copy.clone_from(&into);
                assert_eq!(copy, new);
            }
        }
    }
}
