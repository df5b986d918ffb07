//! Rebuilding a network from the messages it holds (for the explorer).

use super::RaftNetwork;
use crate::raft::message::Envelope;
use crate::raft::types::MAX_SERVERS;

impl RaftNetwork {
    /// A network of `size` servers in these partition `groups` (one number per server) with
    /// these messages in flight, given ids 1, 2, … in order.
    pub fn restored(
        size: usize,
        groups: &[u8],
        messages: impl IntoIterator<Item = Envelope>,
    ) -> RaftNetwork {
        let mut network = RaftNetwork::new(size);
        network.groups = [0; MAX_SERVERS];
        network.groups[..size].copy_from_slice(&groups[..size]);
        for mut envelope in messages {
            envelope.id = network.next_id;
            network.next_id += 1;
            network.in_flight.push_back(envelope);
        }
        network
    }
}
