//! A path regex (pre-commit's `files`/`exclude`, lefthook's `exclude`) → the
//! equivalent gitignore-like globs, for the shapes real configs use:
//! `\.(py|pyi)$`, `^src/`, `^(src|tests)/.*\.py$`, `(?x)^(a\.py|b/)`.
//!
//! Both tools *search* the path (`re.search`), so an unanchored regex may
//! match anywhere. `None` means there is no exact glob equivalent; the caller
//! lists it as untranslated rather than guess.

/// Past this many expanded alternatives the glob list stops being readable.
const MAX_ALTERNATIVES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Start,
    End,
    /// Glob-escaped literal text (`.` already turned into `?`).
    Lit(String),
    /// `.*`: anything, across folders.
    Any,
    /// `[^/]*`: anything within one folder.
    Seg,
    Group(Vec<Vec<Tok>>),
}

/// The globs matching exactly the paths `regex` matches, or `None`.
/// An empty list means the regex matches no path (e.g. `^$`).
pub(crate) fn to_globs(regex: &str) -> Option<Vec<String>> {
    let text = match regex.trim().strip_prefix("(?x)") {
        Some(rest) => strip_verbose(rest),
        None => regex.trim().to_owned(),
    };
    let mut parser = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    let alternatives = parser.alternation()?;
    if parser.pos != parser.chars.len() {
        return None;
    }
    let mut globs: Vec<String> = Vec::new();
    for alternative in alternatives {
        for flat in expand(&alternative)? {
            for glob in branch_globs(flat)? {
                if !globs.contains(&glob) {
                    globs.push(glob);
                }
            }
        }
    }
    Some(globs)
}

/// `(?x)` mode: whitespace is insignificant and `#` starts a comment.
fn strip_verbose(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            '#' if !in_class => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        break;
                    }
                }
            }
            c if c.is_whitespace() && !in_class => {}
            c => out.push(c),
        }
    }
    out
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    fn alternation(&mut self) -> Option<Vec<Vec<Tok>>> {
        let mut alternatives = vec![Vec::new()];
        loop {
            match self.peek() {
                None | Some(')') => break,
                Some('|') => {
                    self.pos += 1;
                    alternatives.push(Vec::new());
                }
                Some(_) => {
                    let atom = self.atom()?;
                    let tok = self.quantified(atom)?;
                    alternatives.last_mut()?.push(tok);
                }
            }
        }
        Some(alternatives)
    }

    fn atom(&mut self) -> Option<Tok> {
        match self.next()? {
            '^' => Some(Tok::Start),
            '$' => Some(Tok::End),
            '\\' => match self.next()? {
                'A' => Some(Tok::Start),
                'Z' | 'z' => Some(Tok::End),
                // \d, \w, \s, \b ... have no glob form.
                c if c.is_ascii_alphanumeric() => None,
                c => Some(Tok::Lit(escape(c))),
            },
            '.' => {
                // `.+` is read as `.*`: they differ only on an empty name,
                // which no file has.
                if matches!(self.peek(), Some('*' | '+')) {
                    self.pos += 1;
                    Some(Tok::Any)
                } else {
                    Some(Tok::Lit("?".into()))
                }
            }
            '[' => {
                let mut class = String::new();
                loop {
                    match self.next()? {
                        ']' if !class.is_empty() => break,
                        '\\' | '[' => return None,
                        c => class.push(c),
                    }
                }
                if class == "^/" && self.peek() == Some('*') {
                    self.pos += 1;
                    return Some(Tok::Seg);
                }
                if class.contains('/') {
                    return None;
                }
                match class.strip_prefix('^') {
                    Some(negated) => Some(Tok::Lit(format!("[!{negated}]"))),
                    None => Some(Tok::Lit(format!("[{class}]"))),
                }
            }
            '(' => {
                if self.peek() == Some('?') {
                    self.pos += 1;
                    // Only the non-capturing `(?:`; flags such as `(?i)` change meaning.
                    if self.next()? != ':' {
                        return None;
                    }
                }
                let group = self.alternation()?;
                if self.next()? != ')' {
                    return None;
                }
                Some(Tok::Group(group))
            }
            '*' | '+' | '?' | '{' | '}' | ')' | '|' => None,
            c => Some(Tok::Lit(escape(c))),
        }
    }

    /// `x?` becomes a group of `x` and nothing; other repetition has no glob.
    fn quantified(&mut self, tok: Tok) -> Option<Tok> {
        match self.peek() {
            Some('?') => {
                self.pos += 1;
                if matches!(tok, Tok::Start | Tok::End | Tok::Any | Tok::Seg) {
                    return None;
                }
                Some(Tok::Group(vec![vec![tok], Vec::new()]))
            }
            Some('*' | '+' | '{') => None,
            _ => Some(tok),
        }
    }
}

fn escape(c: char) -> String {
    if "*?[]{}\\!".contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// Expand groups into flat sequences (their cartesian product).
fn expand(seq: &[Tok]) -> Option<Vec<Vec<Tok>>> {
    let mut results: Vec<Vec<Tok>> = vec![Vec::new()];
    for tok in seq {
        match tok {
            Tok::Group(alternatives) => {
                let mut options = Vec::new();
                for alternative in alternatives {
                    options.extend(expand(alternative)?);
                }
                let mut next = Vec::new();
                for prefix in &results {
                    for option in &options {
                        let mut joined = prefix.clone();
                        joined.extend(option.iter().cloned());
                        next.push(joined);
                    }
                }
                if next.len() > MAX_ALTERNATIVES {
                    return None;
                }
                results = next;
            }
            other => {
                for r in &mut results {
                    r.push(other.clone());
                }
            }
        }
    }
    Some(results)
}

/// One flat alternative → its globs (one, or two for an open-ended prefix).
fn branch_globs(mut flat: Vec<Tok>) -> Option<Vec<String>> {
    let anchored_start = flat.first() == Some(&Tok::Start);
    if anchored_start {
        flat.remove(0);
    }
    let anchored_end = flat.last() == Some(&Tok::End);
    if anchored_end {
        flat.pop();
    }
    if flat.iter().any(|t| matches!(t, Tok::Start | Tok::End)) {
        return None;
    }
    // re.search: an unanchored side may be preceded or followed by anything.
    if !anchored_start {
        flat.insert(0, Tok::Any);
    }
    if !anchored_end {
        flat.push(Tok::Any);
    }
    let mut pieces: Vec<Tok> = Vec::new();
    for tok in flat {
        match (pieces.last_mut(), tok) {
            (Some(Tok::Lit(prev)), Tok::Lit(s)) => prev.push_str(&s),
            (Some(prev @ (Tok::Any | Tok::Seg)), Tok::Any) => *prev = Tok::Any,
            (Some(Tok::Any), Tok::Seg) => {}
            (_, tok) => pieces.push(tok),
        }
    }
    if pieces.is_empty() {
        // `^$`: only the empty path, which is never a file.
        return Some(Vec::new());
    }
    let last = pieces.len() - 1;
    let mut out = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Tok::Lit(s) => out.push_str(s),
            Tok::Seg => out.push('*'),
            Tok::Any => {
                let after_folder = out.is_empty() || out.ends_with('/');
                if after_folder && i == last {
                    if out.is_empty() {
                        return Some(vec!["*".into()]);
                    }
                    out.push_str("**");
                } else if after_folder {
                    out.push_str("**/*");
                } else if i == last {
                    // `^src` matches `src`, `srcx` and everything below them.
                    return Some(vec![
                        anchor(format!("{out}*")),
                        anchor(format!("{out}*/**")),
                    ]);
                } else {
                    return None;
                }
            }
            Tok::Start | Tok::End | Tok::Group(_) => return None,
        }
    }
    Some(vec![anchor(out)])
}

/// A glob without `/` matches at any depth in tiergate; an anchored one
/// needs a leading `/`. `**/*.py` reads better as `*.py`.
fn anchor(glob: String) -> String {
    if let Some(rest) = glob.strip_prefix("**/") {
        if !rest.contains('/') {
            return rest.to_owned();
        }
        return glob;
    }
    if glob.contains('/') {
        glob
    } else {
        format!("/{glob}")
    }
}

#[cfg(test)]
mod tests {
    use super::to_globs;

    fn globs(regex: &str) -> Option<Vec<String>> {
        to_globs(regex)
    }

    #[test]
    fn suffix_alternations_become_basename_globs() {
        assert_eq!(globs(r"\.(py|pyi)$").unwrap(), ["*.py", "*.pyi"]);
        assert_eq!(globs(r"\.ya?ml$").unwrap(), ["*.yaml", "*.yml"]);
        assert_eq!(globs(r"^.*\.py$").unwrap(), ["*.py"]);
        assert_eq!(globs(r"\.[jt]sx?$").unwrap(), ["*.[jt]sx", "*.[jt]s"]);
    }

    #[test]
    fn anchored_prefixes_become_folders() {
        assert_eq!(globs("^src/").unwrap(), ["src/**"]);
        assert_eq!(globs("^(src|tests)/").unwrap(), ["src/**", "tests/**"]);
        assert_eq!(globs(r"^src/.*\.py$").unwrap(), ["src/**/*.py"]);
        assert_eq!(globs(r"^setup\.py$").unwrap(), ["/setup.py"]);
        assert_eq!(globs(r"^src/.+\.py$").unwrap(), ["src/**/*.py"]);
        assert_eq!(globs("^docs").unwrap(), ["/docs*", "docs*/**"]);
    }

    #[test]
    fn verbose_lists_of_paths() {
        let regex = "(?x)^(\n    migrations/.*|  # generated\n    docs/conf\\.py\n)$\n";
        assert_eq!(globs(regex).unwrap(), ["migrations/**", "docs/conf.py"]);
        assert_eq!(globs("^$").unwrap(), Vec::<String>::new());
        assert_eq!(globs("(^|/)tests/").unwrap(), ["tests/**", "**/*/tests/**"]);
    }

    #[test]
    fn what_has_no_glob_is_refused() {
        assert_eq!(globs(r"test_\d+\.py$"), None);
        assert_eq!(globs(r"(?i)\.py$"), None);
        assert_eq!(globs(r"^test.*_x\.py$"), None);
        assert_eq!(globs(r"\.py[cod]*$"), None);
    }
}
