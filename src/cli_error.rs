//! clap's errors are several lines (the error, a tip, the usage, "For more information");
//! raftwalk reports every input error on one line (`raftwalk: ...`, exit 2), so a script or a
//! class sees one line whatever went wrong. [`one_line`] folds clap's text into that line; the
//! caller escapes it, since clap echoes the user's arguments, control characters included.

/// clap's rendered error (`error: ...`, then its tips, usage and help hint), as one line:
/// the error and what goes with it (missing arguments, possible values), the tips in
/// parentheses, and the usage. The "try '--help'" hint is left out: the usage says the form.
pub fn one_line(rendered: &str) -> String {
    let mut message: Vec<&str> = Vec::new();
    let mut tips: Vec<&str> = Vec::new();
    let mut usage: Vec<&str> = Vec::new();
    let mut in_usage = false;
    for line in rendered.lines() {
        let trimmed = line.trim();
        if let Some(form) = trimmed.strip_prefix("Usage:") {
            in_usage = true;
            usage.push(form.trim());
        } else if trimmed.is_empty() {
            in_usage = false;
        } else if in_usage {
            // Further forms of the usage, indented under the first.
            usage.push(trimmed);
        } else if let Some(tip) = trimmed.strip_prefix("tip:") {
            tips.push(tip.trim());
        } else if trimmed.starts_with("For more information") {
            // The usage says the form; `--help` is well known.
        } else {
            message.push(trimmed.strip_prefix("error:").map_or(trimmed, str::trim));
        }
    }
    let mut line = message.join(" ");
    if line.is_empty() {
        line.push_str("invalid command line");
    }
    if !tips.is_empty() {
        line.push_str(&format!(" ({})", tips.join("; ")));
    }
    if !usage.is_empty() {
        line.push_str(&format!("; usage: {}", usage.join(" or ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn an_unexpected_argument_keeps_its_tip_and_the_usage() {
        let clap = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a value, use '-- --bogus'\n\nUsage: raftwalk run [OPTIONS] <SCENARIO>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(clap),
            "unexpected argument '--bogus' found (to pass '--bogus' as a value, use '-- --bogus'); usage: raftwalk run [OPTIONS] <SCENARIO>"
        );
    }

    #[test]
    fn missing_arguments_and_possible_values_stay_on_the_line() {
        let clap = "error: the following required arguments were not provided:\n  --out <OUT>\n  <SCENARIO>\n\nUsage: raftwalk export --out <OUT> <SCENARIO>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(clap),
            "the following required arguments were not provided: --out <OUT> <SCENARIO>; usage: raftwalk export --out <OUT> <SCENARIO>"
        );
        let clap = "error: invalid value 'pdf' for '--format <FORMAT>'\n  [possible values: svg, text]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(clap),
            "invalid value 'pdf' for '--format <FORMAT>' [possible values: svg, text]"
        );
    }

    #[test]
    fn a_usage_of_several_forms_is_joined() {
        let clap = "error: unexpected argument 'x' found\n\nUsage: raftwalk [SCENARIO]\n       raftwalk <COMMAND>\n";
        assert_eq!(
            one_line(clap),
            "unexpected argument 'x' found; usage: raftwalk [SCENARIO] or raftwalk <COMMAND>"
        );
    }
}
