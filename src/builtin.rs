//! The scenarios in `scenarios/`, embedded in the binary so an installed raftwalk has them.
//! A file `NN-name.json` is the built-in `name`; the prefix sets the teaching order. Its tens
//! digit is the lesson's group ([`GROUPS`]) and its units the order within the group, so the
//! numbers jump between groups (07 → 10, 18 → 20, 28 → 30) by design: each group has room to
//! grow without renumbering the next.

use include_dir::{Dir, include_dir};

static SCENARIOS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// One embedded scenario.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    /// Its name: the file name without the order prefix and `.json`.
    pub name: &'static str,
    /// The file name, e.g. `01-seed-example.json`.
    pub file: &'static str,
    /// The JSON text.
    pub text: &'static str,
}

/// The groups of lessons, by the tens digit of their files' prefix.
pub const GROUPS: [(u8, &str); 4] = [
    (0, "Figure 2's rules, one at a time"),
    (1, "the paper's Figures 6, 7 and 8"),
    (2, "situations: split votes, partitions, links, timing"),
    (3, "mutants: one broken rule each (bug-<name>)"),
];

/// The group of a built-in file, by the tens digit of its prefix (`30-bug-vote-twice.json`:
/// 3, the mutants).
pub fn group(file: &str) -> Option<u8> {
    let prefix = file.split_once('-')?.0;
    let tens = match prefix.as_bytes() {
        [t, u] if t.is_ascii_digit() && u.is_ascii_digit() => t - b'0',
        _ => return None,
    };
    GROUPS.iter().any(|&(g, _)| g == tens).then_some(tens)
}

/// Every built-in scenario, in teaching order.
pub fn all() -> Vec<Builtin> {
    let mut list: Vec<Builtin> = SCENARIOS
        .files()
        .filter_map(|file| {
            let file_name = file.path().file_name()?.to_str()?;
            let stem = file_name.strip_suffix(".json")?;
            Some(Builtin {
                name: strip_order(stem),
                file: file_name,
                text: file.contents_utf8()?,
            })
        })
        .collect();
    list.sort_by_key(|b| b.file);
    list
}

/// The built-in with this name (or file name, with or without `.json`).
pub fn find(name: &str) -> Option<Builtin> {
    let wanted = name.strip_suffix(".json").unwrap_or(name);
    all()
        .into_iter()
        .find(|b| b.name == wanted || b.file.strip_suffix(".json") == Some(wanted))
}

fn strip_order(stem: &str) -> &str {
    match stem.split_once('-') {
        Some((prefix, rest))
            if !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_digit()) =>
        {
            rest
        }
        _ => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_scenarios_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let on_disk = std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count();
        assert_eq!(all().len(), on_disk);
    }

    #[test]
    fn names_drop_the_order_prefix() {
        assert_eq!(strip_order("01-seed-example"), "seed-example");
        assert_eq!(strip_order("seed-example"), "seed-example");
        assert_eq!(strip_order("figure8"), "figure8");
        let seed = find("seed-example").expect("the brief's example is built in");
        assert_eq!(seed.file, "01-seed-example.json");
        assert!(find("01-seed-example").is_some());
        assert!(find("no-such-lesson").is_none());
    }

    /// Every file sits in a known group, and the mutants' lessons, and only they, in theirs.
    #[test]
    fn every_built_in_is_in_its_group() {
        for b in all() {
            let group = group(b.file).unwrap_or_else(|| panic!("{}: no known group", b.file));
            assert_eq!(
                group == 3,
                b.name.starts_with("bug-"),
                "{} is in group {group}",
                b.file
            );
        }
        assert_eq!(group("30-bug-vote-twice.json"), Some(3));
        assert_eq!(group("7-x.json"), None);
        assert_eq!(group("90-x.json"), None);
    }

    #[test]
    fn built_ins_are_in_teaching_order() {
        let files: Vec<_> = all().iter().map(|b| b.file).collect();
        let mut sorted = files.clone();
        sorted.sort();
        assert_eq!(files, sorted);
        assert_eq!(all()[0].name, "seed-example");
    }
}
