//! Cloning a network, and cloning one into another's place reusing its queue's buffer (the
//! explorer copies a state into the same scratch cluster for every step it tries).

use super::RaftNetwork;

impl Clone for RaftNetwork {
    fn clone(&self) -> RaftNetwork {
        RaftNetwork {
            size: self.size,
            in_flight: self.in_flight.clone(),
            next_id: self.next_id,
            groups: self.groups,
            cut: self.cut,
        }
    }

    fn clone_from(&mut self, source: &RaftNetwork) {
        let RaftNetwork {
            size,
            in_flight,
            next_id,
            groups,
            cut,
        } = source;
        self.size = *size;
        // Slice by slice: each is extended in one go, with no check of room per message. A
        // queue is mostly in one piece (a decoded state's always is): then one call, not two.
        self.in_flight.clear();
        let (front, back) = in_flight.as_slices();
        self.in_flight.extend(front.iter().cloned());
        if !back.is_empty() {
            self.in_flight.extend(back.iter().cloned());
        }
        self.next_id = *next_id;
        self.groups = *groups;
        self.cut = *cut;
    }
}
