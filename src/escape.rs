//! Text from a scenario file is untrusted: an escape sequence in a server's name could retitle
//! the terminal or turn on mouse reporting, and a newline could split a one-line error in two.
//! Everything raftwalk prints that may hold such text goes through [`escape`] (one line) or an
//! [`EscapingWriter`] (many lines, each escaped the same way). The terminal UI needs neither:
//! ratatui drops control characters from what it draws.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

/// Whether `c` could change what a terminal does or how a line reads rather than being
/// shown: control characters (C0, DEL, C1), the line and paragraph separators, and the
/// bidirectional overrides that reorder what follows them.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` on one line, with every unsafe character written as a visible escape: `\n`, `\r`,
/// `\t`, or `\u{1b}`. Text with none is returned as it is.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Writes text line by line, each line [`escape`]d: the newlines stay, nothing else unsafe
/// gets through. Bytes that are not UTF-8 are written as `\x..`.
pub struct EscapingWriter<W: io::Write>(pub W);

impl<W: io::Write> io::Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // `write!` hands over whole formatted pieces, so a character is never split across
        // calls; anything that is not UTF-8 is escaped byte by byte.
        let text: Cow<str> = match std::str::from_utf8(buf) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => Cow::Owned(buf.iter().fold(String::new(), |mut s, &b| {
                if b.is_ascii() {
                    s.push(b as char);
                } else {
                    let _ = write!(s, "\\x{b:02x}");
                }
                s
            })),
        };
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            self.0.write_all(escape(first).as_bytes())?;
        }
        for line in lines {
            self.0.write_all(b"\n")?;
            self.0.write_all(escape(line).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn plain_text_is_unchanged() {
        assert!(matches!(escape("S0 → S1, café"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            escape("\u{1b}]2;PWNED\u{7}a\nb\tc\rd\u{9b}e\u{7f}"),
            "\\u{1b}]2;PWNED\\u{7}a\\nb\\tc\\rd\\u{9b}e\\u{7f}"
        );
    }

    #[test]
    fn bidirectional_overrides_and_line_separators_are_escaped() {
        assert_eq!(escape("a\u{202E}b\u{2028}c"), "a\\u{202e}b\\u{2028}c");
    }

    #[test]
    fn the_writer_keeps_newlines_and_escapes_the_rest() {
        let mut out = EscapingWriter(Vec::new());
        write!(out, "one \u{1b}[?1000h\ntwo\r\n").unwrap();
        out.write_all(b"bad \xff byte\n").unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(
            text,
            "one \\u{1b}[?1000h\ntwo\\r\nbad \\xff byte\n".to_string()
        );
    }
}
