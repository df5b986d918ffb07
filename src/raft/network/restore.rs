//! Rebuilding a network from the messages it holds (for the explorer), new or in place.

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
        network.rebuild(size, groups, cut, messages);
        network
    }

    /// Becomes, in place, the network [`RaftNetwork::restored`] builds, keeping its queue's
    /// buffer.
    ///
    /// # Panics
    /// If `size` is 0 or above [`MAX_SERVERS`], as [`RaftNetwork::new`].
    pub fn rebuild(
        &mut self,
        size: usize,
        groups: &[u8],
        cut: &[ServerSet],
        messages: impl IntoIterator<Item = Envelope>,
    ) {
        super::assert_size(size);
        self.size = size;
        self.groups = [0; MAX_SERVERS];
        self.groups[..size].copy_from_slice(&groups[..size]);
        self.cut = [ServerSet::EMPTY; MAX_SERVERS];
        self.cut[..size].copy_from_slice(&cut[..size]);
        self.in_flight.clear();
        self.next_id = 1;
        let messages = messages.into_iter();
        self.in_flight.reserve(messages.size_hint().0);
        for mut envelope in messages {
            envelope.id = self.next_id;
            self.next_id += 1;
            self.in_flight.push_back(envelope);
        }
    }
}
