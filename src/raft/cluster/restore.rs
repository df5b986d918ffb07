//! Rebuilding a cluster from its parts, for the explorer, which stores states compactly and
//! brings each back to life to take its next steps. The rebuilt cluster behaves exactly as
//! the one it was taken from (message ids aside), which the explorer's tests check.

use super::{Cluster, ClusterConfig};
use crate::raft::invariants::{InvariantMonitor, MonitorHistory};
use crate::raft::network::RaftNetwork;
use crate::raft::server::RaftServer;

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
        for server in &mut servers {
            server.bug = config.bug;
            server.max_entries_per_append = config.max_entries_per_append;
        }
        let monitor = InvariantMonitor::restored(&servers, history);
        Cluster {
            servers,
            network,
            monitor,
            config,
            clock: None,
        }
    }
}
