//! Cloning a server, and cloning one into another's place without allocating: the explorer
//! copies a state into the same scratch cluster for every step it tries, and the buffers a
//! step fills (outbox, events) keep their room from one step to the next.

use super::RaftServer;

impl Clone for RaftServer {
    fn clone(&self) -> RaftServer {
        let mut copy = RaftServer::with_state(
            super::Node {
                id: self.id,
                cluster_size: self.cluster_size,
            },
            super::ServerState::default(),
        );
        copy.clone_from(self);
        copy
    }

    // Inlined into the loop over a cluster's servers: mostly plain fields, cheaper than a
    // call per server.
    #[inline(always)]
    fn clone_from(&mut self, source: &RaftServer) {
        // Every field named, so that a new one cannot be forgotten here.
        let RaftServer {
            id,
            cluster_size,
            role,
            current_term,
            voted_for,
            log,
            commit_index,
            votes_granted,
            votes_refused,
            next_index,
            match_index,
            leader_id,
            crashed,
            bug,
            max_entries_per_append,
            outbox,
            events,
        } = source;
        self.id = *id;
        self.cluster_size = *cluster_size;
        self.role = *role;
        self.current_term = *current_term;
        self.voted_for = *voted_for;
        self.log.clone_from(log);
        self.commit_index = *commit_index;
        self.votes_granted = *votes_granted;
        self.votes_refused = *votes_refused;
        self.next_index = *next_index;
        self.match_index = *match_index;
        self.leader_id = *leader_id;
        self.crashed = *crashed;
        self.bug = *bug;
        self.max_entries_per_append = *max_entries_per_append;
        // Empty between steps: nothing to copy.
        if !(self.outbox.is_empty() && outbox.is_empty()) {
            self.outbox.clone_from(outbox);
        }
        if !(self.events.is_empty() && events.is_empty()) {
            self.events.clone_from(events);
        }
    }
}
