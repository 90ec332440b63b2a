//! A failed group's output tail as a report keeps it: the last lines the
//! terminal shows under the group, with terminal escape sequences and other
//! control characters taken out, so a page or a file rendered later shows
//! plain text.

/// Lines of output kept, as many as the terminal shows under a failed group.
pub(crate) const TAIL_LINES: usize = 30;

/// The last `TAIL_LINES` lines of `output`, plain; `None` when there is no output.
pub(crate) fn output_tail(output: &str) -> Option<String> {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines.len().saturating_sub(TAIL_LINES);
    let tail = strip_terminal(&lines[start..].join("\n"));
    let tail = tail.trim_end();
    (!tail.trim().is_empty()).then(|| tail.to_owned())
}

/// `text` without escape sequences (colours, cursor moves) and control
/// characters other than newline and tab. A carriage return ends a progress
/// line that the next one overwrites, so only what follows the last one in a
/// line is kept, as a terminal would show it.
pub(crate) fn strip_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let shown = line
            .trim_end_matches('\r')
            .rsplit('\r')
            .next()
            .unwrap_or_default();
        let bytes = shown.as_bytes();
        let mut written = 0;
        let mut at = 0;
        while at < bytes.len() {
            let len = match bytes[at] {
                0x1b => super::junit::escape_sequence_len(&bytes[at..]),
                b'\t' => 0,
                0..=0x1f | 0x7f => 1,
                _ => 0,
            };
            if len == 0 {
                at += 1;
                continue;
            }
            // Every byte removed is ASCII, so the cuts fall on character boundaries.
            out.push_str(&shown[written..at]);
            at += len;
            written = at;
        }
        out.push_str(&shown[written..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_control_characters_are_taken_out() {
        assert_eq!(
            strip_terminal("\x1b[1;31mFAILED\x1b[0m t.py\x07\x00 é\tok"),
            "FAILED t.py é\tok"
        );
        assert_eq!(strip_terminal("10%\r50%\r100%\r\ndone"), "100%\ndone");
    }

    #[test]
    fn the_tail_is_the_last_lines_the_terminal_shows() {
        let output = (1..=45).fold(String::new(), |text, i| text + &format!("line {i}\n"));
        let tail = output_tail(&output).unwrap();
        assert_eq!(tail.lines().count(), TAIL_LINES);
        assert!(tail.starts_with("line 16\n"));
        assert!(tail.ends_with("line 45"));
        assert_eq!(output_tail("\n  \n"), None);
        assert_eq!(output_tail(""), None);
    }
}
