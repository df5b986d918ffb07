//! Random scripts of the new steps — hand-made messages with any field values, links cut and
//! restored, selectors with any field, newest and nth — on a cluster with a batch cap: every
//! file loads or is refused in one line, and every file that loads runs to its end.

use proptest::prelude::*;

/// A number a field might hold: small, at a limit, or beyond it.
fn number() -> impl Strategy<Value = u64> {
    prop_oneof![6 => 0u64..6, 1 => Just(2_147_483_647), 1 => Just(4_294_967_296), 1 => any::<u64>()]
}

fn server() -> impl Strategy<Value = String> {
    (0usize..3).prop_map(name)
}

/// Server `id` as a file names it: by name or by id.
fn name(id: usize) -> String {
    ["\"a\"", "\"b\"", "2"][id].to_string()
}

/// Two servers, different nearly always.
fn pair() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        9 => (0usize..3, 1usize..3).prop_map(|(a, d)| (name(a), name((a + d) % 3))),
        1 => (server(), server()),
    ]
}

const KINDS: [&str; 4] = [
    "RequestVote",
    "RequestVoteResponse",
    "AppendEntries",
    "AppendEntriesResponse",
];
const FIELDS: [&str; 9] = [
    "term",
    "last_log_index",
    "last_log_term",
    "prev_log_index",
    "prev_log_term",
    "leader_commit",
    "match_index",
    "granted",
    "success",
];

/// `"field": value` pairs: of the kind nearly always, any field now and then.
fn fields_of(kind: &'static str) -> impl Strategy<Value = String> {
    let own: Vec<&'static str> = match kind {
        "RequestVote" => vec!["term", "last_log_index", "last_log_term"],
        "RequestVoteResponse" => vec!["term", "granted"],
        "AppendEntries" => vec!["term", "prev_log_index", "prev_log_term", "leader_commit"],
        _ => vec!["term", "success", "match_index"],
    };
    prop_oneof![9 => pairs(prop::sample::select(own)), 1 => fields()]
}

/// `"field": value` pairs, some of them not of the kind.
fn fields() -> impl Strategy<Value = String> {
    pairs(prop::sample::select(&FIELDS[..]))
}

fn pairs(names: impl Strategy<Value = &'static str>) -> impl Strategy<Value = String> {
    prop::collection::vec((names, number(), any::<bool>()), 0..4).prop_map(|fields| {
        let mut seen = Vec::new();
        fields
            .into_iter()
            .filter(|(name, _, _)| {
                let fresh = !seen.contains(name);
                seen.push(*name);
                fresh
            })
            .map(|(name, n, flag)| match name {
                "granted" | "success" => format!(r#", "{name}": {flag}"#),
                _ => format!(r#", "{name}": {n}"#),
            })
            .collect()
    })
}

fn step() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(&KINDS[..]);
    let entries = prop::collection::vec(1u64..4, 0..4).prop_map(|terms| {
        let mut terms = terms;
        terms.sort_unstable();
        format!(r#", "entries": {terms:?}"#)
    });
    prop_oneof![
        (pair(), kind.clone().prop_flat_map(|k| (Just(k), fields_of(k))), prop::option::of(entries))
            .prop_map(|((from, to), (kind, fields), entries)| {
                // Entries belong to AppendEntries; elsewhere they are a mistake, now and then.
                let entries = entries.filter(|_| kind == "AppendEntries").unwrap_or_default();
                format!(
                    r#"{{"send": {{"from": {from}, "to": {to}, "kind": "{kind}"{fields}{entries}}}}}"#
                )
            }),
        (pair(), any::<bool>(), any::<bool>()).prop_map(|((a, b), both, cut)| {
            let link = if both {
                format!("[{a}, {b}]")
            } else {
                format!(r#"{{"from": {a}, "to": {b}}}"#)
            };
            format!(r#"{{"{}": {link}}}"#, if cut { "cut" } else { "link" })
        }),
        (kind.prop_flat_map(|k| (Just(k), fields_of(k))), any::<bool>(), 0u8..3, 0usize..4).prop_map(|((kind, fields), with_kind, pick, n)| {
            let kind = if with_kind { format!(r#", "kind": "{kind}""#) } else { String::new() };
            let pick = match pick {
                0 => String::new(),
                1 => r#", "newest": true"#.to_string(),
                _ => format!(r#", "nth": {n}"#),
            };
            let body = format!("{kind}{fields}{pick}");
            format!(r#"{{"deliver": {{{}}}}}"#, body.trim_start_matches(", "))
        }),
        server().prop_map(|s| format!(r#"{{"timeout": {s}}}"#)),
        server().prop_map(|s| format!(r#"{{"become_leader": {s}}}"#)),
        server().prop_map(|s| format!(r#"{{"heartbeat": {s}}}"#)),
        server().prop_map(|s| format!(r#"{{"request": {{"server": {s}, "command": "x"}}}}"#)),
        Just(r#""deliver_all""#.to_string()),
        Just(r#""heal""#.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_scripts_of_the_new_steps_load_or_are_refused_and_run_to_their_end(
        steps in prop::collection::vec(step(), 1..12),
        cap in prop::option::of(1usize..3),
    ) {
        let cap = cap.map_or(String::new(), |c| format!(r#""max_entries_per_append": {c},"#));
        let text = format!(
            r#"{{"name": "t", {cap} "servers": [{{"name": "a"}}, {{"name": "b"}}, {{"name": "c"}}], "steps": [{}]}}"#,
            steps.join(", ")
        );
        match raftwalk::scenario::parse(&text, "random.json") {
            Ok(scenario) => {
                raftwalk::scenario::run(&scenario, &mut std::io::sink()).expect("a sink takes all");
            }
            Err(error) => prop_assert!(!error.to_string().contains('\n'), "{error}"),
        }
    }
}
