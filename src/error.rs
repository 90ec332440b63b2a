//! The one user-facing error: a headline, where it happened, and how to fix it.
//!
//! Every module's own error converts into this at the boundary where it meets
//! the user. An `Error` always means exit status 2: a block by policy is an
//! outcome (`ExitStatus::Blocked`), never an error.

use std::fmt;
use std::path::{Path, PathBuf};

/// How a run ended, mapped to a process exit code only in `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Passed,
    Blocked,
    Error,
    /// Stopped by a signal: 130 after SIGINT, 143 after SIGTERM, 129 after SIGHUP.
    Interrupted(i32),
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Passed => 0,
            ExitStatus::Blocked => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted(signal) => 128 + signal,
        }
    }
}

/// A place in a file: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`, read from `file`.
    pub fn at_offset(file: &Path, text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Location {
            file: file.to_path_buf(),
            line,
            column,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub headline: String,
    pub location: Option<Location>,
    pub hints: Vec<String>,
}

impl Error {
    pub fn new(headline: impl Into<String>) -> Error {
        Error {
            headline: headline.into(),
            location: None,
            hints: Vec::new(),
        }
    }

    #[must_use]
    pub fn at(mut self, location: Option<Location>) -> Error {
        self.location = location;
        self
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Error {
        self.hints.push(hint.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.headline)?;
        if let Some(loc) = &self.location {
            write!(
                f,
                "\n  --> {}:{}:{}",
                loc.file.display(),
                loc.line,
                loc.column
            )?;
        }
        for hint in &self.hints {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// "did you mean `fast`?" for a name that is close to a valid one: the one
/// suggestion helper, for stages, keys, refs and `TIERGATE_SKIP` names alike.
pub fn did_you_mean<'a>(name: &str, valid: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // A third of the name, at least one edit: `mian` finds `main`, `x` finds nothing far off.
    let limit = (name.chars().count() / 3).max(1);
    valid
        .into_iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by(|(da, a), (db, b)| da.cmp(db).then_with(|| a.cmp(b)))
        .map(|(_, candidate)| candidate)
}

/// The hint for an unknown name: a suggestion when one is close, and the list.
pub fn unknown_name_hint(kind: &str, name: &str, valid: &[&str]) -> String {
    let list = if valid.is_empty() {
        format!("no {kind} is defined")
    } else {
        format!("{kind}: {}", valid.join(", "))
    };
    match did_you_mean(name, valid.iter().copied()) {
        Some(close) => format!("did you mean `{close}`? {list}"),
        None => list,
    }
}

/// Levenshtein distance with adjacent transpositions counted as one edit
/// (`fsat` is one slip from `fast`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous is needed for transpositions.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        assert_eq!(
            did_you_mean("fsat", ["smoke", "fast", "comprehensive"]),
            Some("fast")
        );
        assert_eq!(did_you_mean("zzzzzz", ["smoke", "fast"]), None);
    }

    #[test]
    fn location_counts_lines_and_columns_from_one() {
        let text = "a = 1\nbb = 2\n";
        let loc = Location::at_offset(Path::new("x.toml"), text, 7);
        assert_eq!((loc.line, loc.column), (2, 2));
    }

    #[test]
    fn renders_headline_location_and_hints() {
        let e = Error::new("unknown stage `fsat` in [hooks.pre-commit]")
            .at(Some(Location {
                file: ".tiergate.toml".into(),
                line: 31,
                column: 12,
            }))
            .hint("did you mean `fast`?");
        assert_eq!(
            e.to_string(),
            "error: unknown stage `fsat` in [hooks.pre-commit]\n  --> .tiergate.toml:31:12\nhint: did you mean `fast`?"
        );
    }
}
