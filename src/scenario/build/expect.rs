//! Expectations, checked and resolved: the server fields need `server`, every map names
//! servers, every message pattern fits its kind, and an expect checks something.

use super::{Resolver, entry_patterns};
use crate::scenario::error::ScenarioError;
use crate::scenario::format::{ExpectSpec, InFlightSpec};
use crate::scenario::script::{Expectation, FlightCounts, MessageExpectation};

impl Resolver<'_> {
    pub(super) fn expectation(
        &self,
        spec: &ExpectSpec,
        field: &str,
    ) -> Result<Expectation, ScenarioError> {
        let at = |name: &str| format!("{field}.{name}");
        let server = self.maybe_server(spec.server.as_ref(), &at("server"))?;
        let double = |value: &Option<Option<_>>, name: &str| match value {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(reference)) => self.server(reference, &at(name)).map(|s| Some(Some(s))),
        };
        let leaders = spec
            .leaders
            .as_ref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, s)| self.server(s, &format!("{field}.leaders[{i}]")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let per_follower = |map: &Option<_>, name: &str| {
            let Some(map) = map else { return Ok(None) };
            let list = self.keyed(map, &at(name))?;
            if let Some((own, _)) = list.iter().find(|(peer, _)| Some(*peer) == server) {
                return Err(self.error(
                    at(name),
                    format!("a leader keeps no {name} for itself ({})", self.names[*own]),
                ));
            }
            Ok(Some(list))
        };
        let in_flight = match &spec.in_flight {
            None => None,
            Some(InFlightSpec::Count(n)) => Some(FlightCounts::total(*n)),
            Some(InFlightSpec::Counts(counts)) => {
                let resolve = |map: &Option<_>, name: &str| match map {
                    None => Ok(Vec::new()),
                    Some(map) => self.keyed(map, &format!("{field}.in_flight.{name}")),
                };
                let flight = FlightCounts {
                    total: counts.total,
                    by_kind: counts.kind.as_ref().map(|k| k.listed()).unwrap_or_default(),
                    by_from: resolve(&counts.from, "from")?,
                    by_to: resolve(&counts.to, "to")?,
                };
                if flight == FlightCounts::default() {
                    return Err(self.error(
                        at("in_flight"),
                        "these counts check nothing: give total, or counts by kind, from or to",
                    ));
                }
                Some(flight)
            }
        };
        let messages = spec
            .messages
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, m)| {
                Ok(MessageExpectation {
                    pattern: self.pattern(
                        m.from.as_ref(),
                        m.to.as_ref(),
                        m.kind,
                        m.fields_given(),
                        &format!("{field}.messages[{i}]"),
                    )?,
                    count: m.count,
                })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        let expectation = Expectation {
            server,
            role: spec.role,
            term: spec.term,
            voted_for: double(&spec.voted_for, "voted_for")?,
            leader: double(&spec.leader, "leader")?,
            log: spec.log.as_deref().map(entry_patterns),
            commit_index: spec.commit_index,
            crashed: spec.crashed,
            next_index: per_follower(&spec.next_index, "next_index")?,
            match_index: per_follower(&spec.match_index, "match_index")?,
            leaders,
            in_flight,
            messages,
            time: spec
                .time
                .as_ref()
                .map(|t| self.time_check(t, &at("time")))
                .transpose()?,
            broken: spec.broken,
        };
        let has_server_fields = expectation.role.is_some()
            || expectation.term.is_some()
            || expectation.voted_for.is_some()
            || expectation.leader.is_some()
            || expectation.log.is_some()
            || expectation.commit_index.is_some()
            || expectation.crashed.is_some()
            || expectation.next_index.is_some()
            || expectation.match_index.is_some();
        if has_server_fields && server.is_none() {
            return Err(self.error(
                field,
                "role, term, voted_for, leader, log, commit_index, crashed, next_index and match_index need \"server\" to say which server",
            ));
        }
        let has_cluster_fields = expectation.leaders.is_some()
            || expectation.in_flight.is_some()
            || spec.messages.is_some()
            || expectation.time.is_some()
            || expectation.broken.is_some();
        if !has_server_fields && !has_cluster_fields {
            return Err(self.error(field, "this expect checks nothing"));
        }
        Ok(expectation)
    }
}
