//! Cloning a cluster, and cloning one into another's place reusing its buffers (the
//! explorer copies a state into the same scratch cluster for every step it tries).

use super::Cluster;

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
        // Element by element, so each server keeps its buffers.
        self.servers.clone_from(servers);
        self.network.clone_from(network);
        self.monitor.clone_from(monitor);
        self.config.clone_from(config);
        // The explorer's clusters have no clock: leave `None` alone rather than write a
        // large `None` over it.
        if self.clock.is_some() || clock.is_some() {
            self.clock.clone_from(clock);
        }
    }
}
