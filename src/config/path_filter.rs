//! The file filters a group or a formatter has besides its `files` globs:
//! `exclude` globs, path regexes (`files_regex`, `exclude_regex`) and
//! `text_only`.
//!
//! The regexes exist for configurations imported from pre-commit, whose
//! `files`/`exclude` are Python regexes that may use look-ahead, look-behind
//! or backreferences: those have no glob equivalent, and the `regex` crate
//! refuses them, so they are matched with `fancy-regex`. Like pre-commit's
//! `re.search`, a regex matches anywhere in the path unless anchored.

use super::Globs;

/// A compiled path regex, with its text for messages and `plan`.
#[derive(Debug, Clone)]
pub(crate) struct PathRegex {
    pub(crate) source: String,
    regex: fancy_regex::Regex,
}

impl PathRegex {
    /// Compile `source`; the error names what is wrong with it.
    pub(crate) fn new(source: &str) -> Result<PathRegex, String> {
        let regex = fancy_regex::Regex::new(source).map_err(|e| e.to_string())?;
        Ok(PathRegex {
            source: source.to_owned(),
            regex,
        })
    }

    /// Whether the regex matches somewhere in `path`. A regex too costly to
    /// run to the end (fancy-regex's backtrack limit) counts as no match.
    pub(crate) fn is_match(&self, path: &[u8]) -> bool {
        self.regex
            .is_match(String::from_utf8_lossy(path).as_ref())
            .unwrap_or(false)
    }
}

/// The filters after `files`: a path is taken when it matches `files_regex`
/// (if any) and neither `exclude` nor `exclude_regex`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathFilter {
    pub(crate) exclude: Option<Globs>,
    pub(crate) files_regex: Option<PathRegex>,
    pub(crate) exclude_regex: Option<PathRegex>,
}

impl PathFilter {
    /// No filter at all: every path the `files` globs take is taken.
    pub(crate) fn is_empty(&self) -> bool {
        self.exclude.as_ref().is_none_or(Globs::is_empty)
            && self.files_regex.is_none()
            && self.exclude_regex.is_none()
    }

    pub(crate) fn admits(&self, path: &[u8]) -> bool {
        self.files_regex.as_ref().is_none_or(|r| r.is_match(path))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(path))
            && !self
                .exclude_regex
                .as_ref()
                .is_some_and(|r| r.is_match(path))
    }

    /// How the filter reads in a skip reason: `exclude docs/**, files_regex ^src/`.
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &self.files_regex {
            parts.push(format!("files_regex {}", r.source));
        }
        if let Some(g) = self.exclude.as_ref().filter(|g| !g.is_empty()) {
            parts.push(format!("exclude {}", g.patterns.join(", ")));
        }
        if let Some(r) = &self.exclude_regex {
            parts.push(format!("exclude_regex {}", r.source));
        }
        parts.join("; ")
    }
}

/// Whether git would call the file at `path` text: not a symlink, and no NUL
/// byte in its first 8000 bytes (git's own `buffer_is_binary` test). A file
/// that cannot be read counts as text, so the formatter reports the problem.
pub(crate) fn is_text_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return false,
        Ok(_) => {}
        Err(_) => return true,
    }
    let Ok(file) = std::fs::File::open(path) else {
        return true;
    };
    let mut head = Vec::with_capacity(8000);
    if file.take(8000).read_to_end(&mut head).is_err() {
        return true;
    }
    !head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// pre-commit configs use look-around: Python's `re`, not RE2.
    #[test]
    fn look_around_and_backreferences_match_as_in_python() {
        let lookahead = PathRegex::new(r"^(?!tests/).*\.py$").unwrap();
        assert!(lookahead.is_match(b"src/a.py"));
        assert!(!lookahead.is_match(b"tests/a.py"));
        let lookbehind = PathRegex::new(r"(?<!_test)\.go$").unwrap();
        assert!(lookbehind.is_match(b"main.go"));
        assert!(!lookbehind.is_match(b"main_test.go"));
        let backref = PathRegex::new(r"^(\w+)/\1\.py$").unwrap();
        assert!(backref.is_match(b"pkg/pkg.py"));
        assert!(!backref.is_match(b"pkg/other.py"));
        // Searched, not anchored, as `re.search` does.
        assert!(PathRegex::new(r"\.md").unwrap().is_match(b"docs/a.md"));
        assert!(PathRegex::new("(unclosed").is_err());
    }

    #[test]
    fn the_filter_takes_what_files_regex_takes_minus_excludes() {
        let filter = PathFilter {
            exclude: Some(crate::config::compile_globs(vec!["vendor/**".into()]).unwrap()),
            files_regex: Some(PathRegex::new(r"\.py$").unwrap()),
            exclude_regex: Some(PathRegex::new(r"^migrations/(?!keep)").unwrap()),
        };
        assert!(filter.admits(b"app/a.py"));
        assert!(filter.admits(b"migrations/keep.py"));
        assert!(!filter.admits(b"migrations/0001.py"));
        assert!(!filter.admits(b"vendor/x.py"));
        assert!(!filter.admits(b"app/a.js"));
        assert!(PathFilter::default().is_empty());
        assert!(!filter.is_empty());
    }

    #[test]
    fn binary_files_and_symlinks_are_not_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
        std::fs::write(dir.path().join("b.bin"), b"PK\x03\x04\0\0").unwrap();
        std::os::unix::fs::symlink("a.txt", dir.path().join("link")).unwrap();
        assert!(is_text_file(&dir.path().join("a.txt")));
        assert!(!is_text_file(&dir.path().join("b.bin")));
        assert!(!is_text_file(&dir.path().join("link")));
    }
}
