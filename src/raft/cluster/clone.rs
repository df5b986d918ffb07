//! Cloning a cluster, and cloning one into another's place reusing its buffers (the
//! explorer copies a state into the same scratch cluster for every step it tries).

use super::Cluster;
use crate::raft::types::MAX_SERVERS;

impl Clone for Cluster {
    fn clone(&self) -> Cluster {
        Cluster {
            servers: self.servers.clone(),
            network: self.network.clone(),
            monitor: self.monitor.clone(),
            config: self.config.clone(),
            clock: self.clock.clone(),
        }
    }

    fn clone_from(&mut self, source: &Cluster) {
        let Cluster {
            servers,
            network,
            monitor,
            config,
            clock,
        } = source;
        // A monitor sees only its cluster's servers: with as many servers on both sides, what
        // it holds for others is blank on both.
        let size = if self.servers.len() == servers.len() {
            servers.len()
        } else {
            MAX_SERVERS
        };
        // Element by element, so each server keeps its buffers.
        self.servers.clone_from(servers);
        self.network.clone_from(network);
        self.monitor.clone_for_servers(monitor, size);
        self.config.clone_from(config);
        // The explorer's clusters have no clock: leave `None` alone rather than write a
        // large `None` over it.
        if self.clock.is_some() || clock.is_some() {
            self.clock.clone_from(clock);
        }
    }
}
