//! Text measured, cut and written in terminal columns. Writing goes cell by cell when every
//! character is one column wide (so each is its own grapheme), which is most of what raftwalk
//! draws, and through ratatui's grapheme-aware `set_stringn` otherwise.

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::Line;

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

/// Whether `c` takes exactly one column and stands alone as a grapheme.
fn single(c: char) -> bool {
    c.is_ascii_graphic()
        || c == ' '
        || (!c.is_ascii() && !c.is_control() && width_of(c.encode_utf8(&mut [0; 4])) == 1)
}

/// Writes `text` at (`x`, `y`) in at most `max` columns; returns the column after it.
pub fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, max: usize, style: Style) -> u16 {
    let area = buf.area;
    if y < area.top() || y >= area.bottom() || x >= area.right() {
        return x;
    }
    let max = max.min((area.right() - x) as usize);
    if !text.chars().all(single) {
        return buf.set_stringn(x, y, text, max, style).0;
    }
    let start = (y - area.y) as usize * area.width as usize + (x - area.x) as usize;
    let mut col = x;
    for (cell, c) in buf.content[start..].iter_mut().zip(text.chars().take(max)) {
        cell.set_char(c).set_style(style);
        col += 1;
    }
    col
}

/// Writes a line of styled spans at (`x`, `y`) in at most `max` columns.
pub fn put_line(buf: &mut Buffer, x: u16, y: u16, line: &Line, max: usize) -> u16 {
    let mut col = x;
    let end = x as usize + max;
    for span in &line.spans {
        let room = end.saturating_sub(col as usize);
        if room == 0 {
            break;
        }
        col = put(
            buf,
            col,
            y,
            &span.content,
            room,
            line.style.patch(span.style),
        );
    }
    col
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn put_writes_like_set_stringn() {
        let area = Rect::new(0, 0, 12, 1);
        for text in [
            "a→b §5.3 ✓",
            "wide 漢字 ok",
            "e\u{301}t\u{e9}",
            "cut here please",
        ] {
            let mut fast = Buffer::empty(area);
            let mut slow = Buffer::empty(area);
            let a = put(&mut fast, 1, 0, text, 9, Style::new());
            let b = slow.set_stringn(1, 0, text, 9, Style::new()).0;
            assert_eq!(fast, slow, "{text}");
            assert_eq!(a, b, "{text}");
        }
    }

    #[test]
    fn fit_cuts_with_an_ellipsis_and_cleans_control_characters() {
        assert_eq!(fit("leader", 8), "leader");
        assert_eq!(fit("follower-one", 8), "followe…");
        assert_eq!(width_of(&fit("follower-one", 8)), 8);
        assert_eq!(fit("a\u{1b}[2Jb", 10), "a�[2Jb");
        assert_eq!(fit("abc", 0), "");
    }
}
