//! The brief's example, as close to its Python as Rust allows.

use raftwalk::raft::{RaftNetwork, RaftServer, Role};

#[test]
fn the_briefs_example() {
    // Create the network
    let net = &mut RaftNetwork::new(3);

    // Create the servers
    let mut server0 = RaftServer::new(net.create_node(0), vec![]);
    let mut server1 = RaftServer::new(net.create_node(1), vec![]);
    let mut server2 = RaftServer::new(net.create_node(2), vec![]);

    // Have one of them become a candidate
    server0.become_candidate();

    // Process messages
    net.process_messages(&mut [&mut server0, &mut server1, &mut server2]);

    // Now verify that it became the leader and the others followers
    assert_eq!(server0.role, Role::Leader);
    assert!(server1.role == Role::Follower && server2.role == Role::Follower);
    assert_eq!(server0.current_term, 2);
    assert_eq!(server1.voted_for, Some(0));
    assert_eq!(server2.leader_id, Some(0));
    assert_eq!(net.in_flight().len(), 0);
}

#[test]
fn servers_start_as_followers_in_term_one() {
    let net = RaftNetwork::new(3);
    let server = RaftServer::new(net.create_node(1), vec![]);
    assert_eq!(server.role, Role::Follower);
    assert_eq!(server.current_term, 1);
    assert_eq!(server.voted_for, None);
}
