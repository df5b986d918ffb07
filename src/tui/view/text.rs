//! Text measured and cut in terminal columns.

/// The width of `text` in terminal columns.
pub fn width_of(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// `text` in at most `max` columns, cut with `…` when longer; control characters (which a
/// scenario file could carry) are shown as `�`.
pub fn fit(text: &str, max: usize) -> String {
    let clean = |c: char| if c.is_control() { '�' } else { c };
    if width_of(text) <= max && !text.chars().any(char::is_control) {
        return text.to_string();
    }
    if width_of(text) <= max {
        return text.chars().map(clean).collect();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars().map(clean) {
        let w = width_of(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_an_ellipsis_and_cleans_control_characters() {
        assert_eq!(fit("leader", 8), "leader");
        assert_eq!(fit("follower-one", 8), "followe…");
        assert_eq!(width_of(&fit("follower-one", 8)), 8);
        assert_eq!(fit("a\u{1b}[2Jb", 10), "a�[2Jb");
        assert_eq!(fit("abc", 0), "");
    }
}
