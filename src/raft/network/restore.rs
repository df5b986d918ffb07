//! Rebuilding a network from the messages it holds (for the explorer).

use super::RaftNetwork;
use crate::raft::message::Envelope;
use crate::raft::types::{MAX_SERVERS, ServerSet};

impl RaftNetwork {
    /// A network of `size` servers in these partition `groups` (one number per server), with
    /// the links `cut` (for each sender, the servers it cannot reach) and these messages in
    /// flight, given ids 1, 2, … in order.
    pub fn restored(
        size: usize,
        groups: &[u8],
        cut: &[ServerSet],
        messages: impl IntoIterator<Item = Envelope>,
    ) -> RaftNetwork {
        let mut network = RaftNetwork::new(size);
        network.groups = [0; MAX_SERVERS];
        network.groups[..size].copy_from_slice(&groups[..size]);
        network.cut[..size].copy_from_slice(&cut[..size]);
        let messages = messages.into_iter();
        network.in_flight.reserve(messages.size_hint().0);
        for mut envelope in messages {
            envelope.id = network.next_id;
            network.next_id += 1;
            network.in_flight.push_back(envelope);
        }
        network
    }
}
