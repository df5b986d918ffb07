//! Errors in scenario files: they name the file and the line:column or the field.

use std::fmt;

/// A scenario that cannot be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Where the scenario came from (a path or a built-in's name).
    pub origin: String,
    /// `line:column`, when known.
    pub position: Option<(usize, usize)>,
    /// The field, as a path like `steps[3].timeout`, when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ScenarioError {
    /// An error about a field.
    pub fn at_field(origin: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            origin: origin.to_string(),
            position: None,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Turns a serde_json error (with the path where it happened) into a scenario error.
    pub fn from_json(origin: &str, path: &str, error: &serde_json::Error) -> Self {
        let text = error.to_string();
        // serde_json appends " at line L column C"; we print the position up front instead.
        let message = match text.rfind(" at line ") {
            Some(at) => text[..at].to_string(),
            None => text,
        };
        // serde_path_to_error writes `?` for a place it cannot name (inside a syntax error);
        // such segments mean nothing to a reader, so leave them out.
        let known: Vec<&str> = path
            .split('.')
            .filter(|s| !s.is_empty() && *s != "?")
            .collect();
        let field = (!known.is_empty()).then(|| known.join("."));
        ScenarioError {
            origin: origin.to_string(),
            // serde_json says column 0 before the first character of a line; editors count
            // from 1.
            position: (error.line() > 0).then(|| (error.line(), error.column().max(1))),
            field,
            message,
        }
    }
}

impl ScenarioError {
    /// serde_json reads an integer too large for 64 bits as a float, and then reports
    /// "invalid type: floating point `1.8446744073709552e19`". When the file holds an integer
    /// there, say that it is too large instead.
    pub fn explain_large_number(mut self, text: &str) -> Self {
        if !self.message.starts_with("invalid type: floating point") {
            return self;
        }
        let Some(literal) = self.position.and_then(|at| number_before(text, at)) else {
            return self;
        };
        if literal.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            let what = if literal.starts_with('-') {
                "out of range"
            } else {
                "too large"
            };
            self.message = format!(
                "{literal} is {what}: numbers here are whole numbers from 0 to {}",
                u64::MAX
            );
        }
        self
    }
}

impl ScenarioError {
    /// A server given as a number that is not an id — too large for 64 bits, negative or a
    /// fraction — fails to match the server reference's forms, and serde only says what a
    /// server is. Say which number it is and the range of ids instead, as for an id that is
    /// merely too large for the cluster. (`text` is the file, read again for the number of
    /// servers, since the error stopped the parse.)
    pub fn explain_server_number(mut self, text: &str) -> Self {
        if self.message != super::format::SERVER_REF_EXPECTING {
            return self;
        }
        let count = server_count(text);
        // serde reads a server reference whole before it refuses it, and may point past it:
        // at the comma after it, or at the bracket that closes what holds it.
        let literal = self.position.and_then(|(line, column)| {
            let line = text.split('\n').nth(line.checked_sub(1)?)?;
            let head = line.get(..column.min(line.len()))?;
            let head =
                head.trim_end_matches(|c: char| matches!(c, '}' | ']' | ',') || c.is_whitespace());
            number_before(head, (1, head.len()))
        });
        // (`true` ends in a letter `number_before` takes for an exponent.)
        let literal = literal.filter(|l| {
            l.starts_with(|c: char| c.is_ascii_digit() || c == '-') && l.parse::<f64>().is_ok()
        });
        self.message = match (literal, count) {
            (Some(literal), Some(count)) => no_such_server(literal, count),
            (Some(literal), None) => format!(
                "there is no server {literal}: a server is its 0-based id (below the number of servers) or its name"
            ),
            (None, Some(count)) => format!(
                "a server is its 0-based id, from 0 to {}, or its name (a string)",
                count - 1
            ),
            (None, None) => return self,
        };
        self
    }

    /// serde_json refuses a `\uD800`–`\uDFFF` escape that is not half of a pair with
    /// "unexpected end of hex escape" or "lone leading surrogate", pointing somewhere after it.
    /// Name the escape and point at it.
    pub fn explain_lone_surrogate(mut self, text: &str) -> Self {
        const SERDE_SAYS: [&str; 3] = [
            "unexpected end of hex escape",
            "lone leading surrogate in hex escape",
            "invalid unicode code point",
        ];
        if !SERDE_SAYS.contains(&self.message.as_str()) {
            return self;
        }
        let Some((line, column)) = self.position else {
            return self;
        };
        if let Some((escape, at)) = lone_surrogate_before(text, line, column) {
            self.message = format!(
                "invalid unicode escape {escape} (a lone surrogate: only a pair, \\uD800–\\uDBFF then \\uDC00–\\uDFFF, makes a character)"
            );
            self.position = Some(at);
        }
        self
    }
}

/// What to say of a server id `id` that a cluster of `count` servers does not have.
pub fn no_such_server(id: impl fmt::Display, count: usize) -> String {
    format!(
        "there is no server {id}: ids run from 0 to {}",
        count.saturating_sub(1)
    )
}

/// The number of servers `text` declares, if it is JSON and says.
fn server_count(text: &str) -> Option<usize> {
    let file: serde_json::Value = serde_json::from_str(text).ok()?;
    let count = match file.get("servers")? {
        serde_json::Value::Number(n) => usize::try_from(n.as_u64()?).ok()?,
        serde_json::Value::Array(list) => list.len(),
        _ => return None,
    };
    (1..=crate::raft::MAX_SERVERS)
        .contains(&count)
        .then_some(count)
}

/// The first `\uXXXX` escape holding half of a surrogate pair without its other half, on the
/// line of `line:column` or the line before (at the end of the text serde_json points past
/// the last line), before that position: the escape as written, and its own line:column.
/// No string spans lines in JSON, so the string at fault is there.
fn lone_surrogate_before(
    text: &str,
    line: usize,
    column: usize,
) -> Option<(String, (usize, usize))> {
    let lines: Vec<&str> = text.split('\n').collect();
    let index = line.checked_sub(1)?;
    let here = lines
        .get(index)
        .map(|l| l.get(..column.min(l.len())).unwrap_or(l));
    let candidates = [
        here.map(|l| (index, l)),
        index
            .checked_sub(1)
            .and_then(|i| lines.get(i).map(|l| (i, *l))),
    ];
    candidates.into_iter().flatten().find_map(|(i, l)| {
        let (escape, at) = first_lone_surrogate(l)?;
        Some((escape.to_string(), (i + 1, at + 1)))
    })
}

/// The first unpaired surrogate escape in `line` (escaped backslashes skipped), with its byte
/// offset.
fn first_lone_surrogate(line: &str) -> Option<(&str, usize)> {
    let bytes = line.as_bytes();
    let mut escapes: Vec<(usize, u16)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let hex = line.get(i + 2..i + 6);
        match (
            bytes.get(i + 1),
            hex.and_then(|h| u16::from_str_radix(h, 16).ok()),
        ) {
            (Some(b'u'), Some(value)) => {
                escapes.push((i, value));
                i += 6;
            }
            _ => i += 2,
        }
    }
    let is_lead = |v: u16| (0xD800..0xDC00).contains(&v);
    let is_trail = |v: u16| (0xDC00..0xE000).contains(&v);
    let mut k = 0;
    while k < escapes.len() {
        let (at, value) = escapes[k];
        let next = escapes.get(k + 1);
        if is_lead(value) && next.is_some_and(|&(n, v)| n == at + 6 && is_trail(v)) {
            k += 2;
            continue;
        }
        if is_lead(value) || is_trail(value) {
            return Some((&line[at..at + 6], at));
        }
        k += 1;
    }
    None
}

/// The number literal that ends at `line:column` (1-based; serde_json points just after a
/// value it refuses).
fn number_before(text: &str, (line, column): (usize, usize)) -> Option<&str> {
    let line = text.split('\n').nth(line.checked_sub(1)?)?;
    let end = column.min(line.len());
    let head = line.get(..end)?;
    let start = head
        .rfind(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
        .map_or(0, |i| i + 1);
    let literal = &head[start..];
    (!literal.is_empty()).then_some(literal)
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}
