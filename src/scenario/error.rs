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
