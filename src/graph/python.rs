//! The `import` and `from ... import` statements of one Python file.
//!
//! A purpose-built scanner, not a full parser: it tokenizes just enough of
//! Python (strings of every prefix and quoting, comments, backslash
//! continuations, bracket nesting, `;` and one-line compound statements) to
//! find import statements wherever they stand: at module level, inside
//! functions, under `if TYPE_CHECKING:` or `try:`. Why not a parsing crate
//! (tree-sitter-python, ruff's or `RustPython`'s parser): the graph needs only
//! import statements, a cold graph of 10,000 files has a 1 s budget on two
//! cores, and a full parser builds a syntax tree of every line to find them
//! (BENCHMARKS.md, issue #16, has the measured cost of this scanner).
//!
//! `importlib.import_module("a.b")` with a literal name is an import like any
//! other; with a computed name (and every `__import__(...)` that is not a
//! literal) it is recorded as an edge the graph cannot see.

/// One import statement (or one dotted name of `import a, b.c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Import {
    /// Leading dots of a relative import: 0 for absolute.
    pub(crate) level: u32,
    /// The dotted module: `a.b.c` of `import a.b.c` or `from a.b import c`;
    /// empty for `from . import x`.
    pub(crate) module: String,
    /// What `from M import ...` names (`*` for a star import); empty for `import M`.
    pub(crate) names: Vec<String>,
    pub(crate) line: u32,
}

/// What the graph needs of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) imports: Vec<Import>,
    /// Lines of `importlib.import_module(...)` / `__import__(...)` with a computed name.
    pub(crate) dynamic: Vec<u32>,
    /// Set when the file is not valid Python as far as the scanner can tell
    /// (an unterminated string or bracket): the caller fails open.
    pub(crate) error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Name(String),
    /// A string literal; its text when it is a plain literal (no f-string, no escapes).
    Str(Option<String>),
    Op(u8),
}

struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
}

fn is_name_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic() || b >= 0x80
}

fn is_name_char(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit()
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.pos + ahead).copied()
    }

    /// Skip a string whose opening quote is at `self.pos`. Returns its plain
    /// text when it has no escapes and is not formatted.
    fn string(&mut self, formatted: bool) -> Result<Option<String>, String> {
        let start_line = self.line;
        let quote = self.src[self.pos];
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        let body_start = self.pos;
        let mut plain = !formatted;
        loop {
            let Some(b) = self.peek(0) else {
                return Err(format!("unterminated string starting on line {start_line}"));
            };
            match b {
                b'\\' => {
                    plain = false;
                    if self.peek(1) == Some(b'\n') {
                        self.line += 1;
                    }
                    self.pos += 2;
                }
                b'\n' if !triple => {
                    return Err(format!("unterminated string on line {start_line}"));
                }
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                _ if b == quote
                    && (!triple
                        || (self.peek(1) == Some(quote) && self.peek(2) == Some(quote))) =>
                {
                    let text = plain.then(|| {
                        String::from_utf8_lossy(&self.src[body_start..self.pos]).into_owned()
                    });
                    self.pos += if triple { 3 } else { 1 };
                    return Ok(text);
                }
                _ => self.pos += 1,
            }
        }
    }

    /// The tokens of the next logical line (brackets and backslashes join
    /// physical lines), with the line it starts on; `None` at the end.
    fn logical_line(&mut self) -> Result<Option<(u32, Vec<Token>)>, String> {
        let mut tokens = Vec::new();
        let mut depth = 0usize;
        let mut start_line = None;
        while let Some(b) = self.peek(0) {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                    if depth == 0 && !tokens.is_empty() {
                        break;
                    }
                }
                b'#' => {
                    while self.peek(0).is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b'\\' if self.peek(1) == Some(b'\n') => {
                    self.line += 1;
                    self.pos += 2;
                }
                b'\\' if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') => {
                    self.line += 1;
                    self.pos += 3;
                }
                b'\'' | b'"' => {
                    start_line.get_or_insert(self.line);
                    tokens.push(Token::Str(self.string(false)?));
                }
                _ if is_name_start(b) => {
                    start_line.get_or_insert(self.line);
                    let begin = self.pos;
                    while self.peek(0).is_some_and(is_name_char) {
                        self.pos += 1;
                    }
                    let word = &self.src[begin..self.pos];
                    // A string prefix (r, b, u, f, rb, fr, ...) right before a quote.
                    if word.len() <= 2
                        && matches!(self.peek(0), Some(b'\'' | b'"'))
                        && word.iter().all(|c| {
                            matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't')
                        })
                    {
                        let formatted = word
                            .iter()
                            .any(|c| matches!(c.to_ascii_lowercase(), b'f' | b't'));
                        tokens.push(Token::Str(self.string(formatted)?));
                    } else {
                        tokens.push(Token::Name(String::from_utf8_lossy(word).into_owned()));
                    }
                }
                b'(' | b'[' | b'{' => {
                    start_line.get_or_insert(self.line);
                    depth += 1;
                    tokens.push(Token::Op(b));
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        return Err(format!("unmatched `{}` on line {}", b as char, self.line));
                    }
                    depth -= 1;
                    tokens.push(Token::Op(b));
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => self.pos += 1,
                _ => {
                    start_line.get_or_insert(self.line);
                    tokens.push(Token::Op(b));
                    self.pos += 1;
                }
            }
        }
        if depth > 0 {
            return Err(format!(
                "unclosed bracket opened on line {}",
                start_line.unwrap_or(self.line)
            ));
        }
        Ok(start_line.map(|line| (line, tokens)))
    }
}

/// Keywords that open a compound statement whose body may follow a `:` on the same line.
const COMPOUND: &[&str] = &[
    "if", "elif", "else", "try", "except", "finally", "with", "for", "while", "def", "class",
    "async",
];

/// Scan one file's bytes.
pub(crate) fn parse(src: &[u8]) -> Parsed {
    let mut scanner = Scanner {
        src,
        pos: 0,
        line: 1,
    };
    let mut parsed = Parsed::default();
    loop {
        match scanner.logical_line() {
            Ok(Some((line, tokens))) => {
                for statement in tokens.split(|t| *t == Token::Op(b';')) {
                    statement_imports(statement, line, &mut parsed);
                }
                dynamic_imports(&tokens, line, &mut parsed);
            }
            Ok(None) => break,
            Err(problem) => {
                parsed.error = Some(problem);
                break;
            }
        }
    }
    parsed
}

fn name(token: Option<&Token>) -> Option<&str> {
    match token {
        Some(Token::Name(n)) => Some(n),
        _ => None,
    }
}

fn statement_imports(statement: &[Token], line: u32, parsed: &mut Parsed) {
    match name(statement.first()) {
        Some("import") => import_names(&statement[1..], line, parsed),
        Some("from") => from_import(&statement[1..], line, parsed),
        Some(keyword) if COMPOUND.contains(&keyword) => {
            // `if TYPE_CHECKING: import x`, `try: import ujson as json`: the body
            // after the first `:` outside brackets.
            let mut depth = 0i32;
            for (i, token) in statement.iter().enumerate() {
                match token {
                    Token::Op(b'(' | b'[' | b'{') => depth += 1,
                    Token::Op(b')' | b']' | b'}') => depth -= 1,
                    Token::Op(b':') if depth == 0 => {
                        statement_imports(&statement[i + 1..], line, parsed);
                        return;
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// `a.b.c` from the tokens at the start of `rest`; returns it and how many tokens it took.
fn dotted(rest: &[Token]) -> (String, usize) {
    let mut out = String::new();
    let mut used = 0;
    while let Some(Token::Name(part)) = rest.get(used) {
        out.push_str(part);
        used += 1;
        if rest.get(used) == Some(&Token::Op(b'.'))
            && matches!(rest.get(used + 1), Some(Token::Name(_)))
        {
            out.push('.');
            used += 1;
        } else {
            break;
        }
    }
    (out, used)
}

/// `import a.b as c, d`
fn import_names(rest: &[Token], line: u32, parsed: &mut Parsed) {
    for item in rest.split(|t| *t == Token::Op(b',')) {
        let (module, used) = dotted(item);
        if used > 0 && !module.is_empty() {
            parsed.imports.push(Import {
                level: 0,
                module,
                names: Vec::new(),
                line,
            });
        }
    }
}

/// `from ..a.b import (c as d, e)` / `from . import x` / `from m import *`
fn from_import(rest: &[Token], line: u32, parsed: &mut Parsed) {
    let mut level = 0;
    let mut i = 0;
    while let Some(Token::Op(b'.')) = rest.get(i) {
        level += 1;
        i += 1;
    }
    let (module, used) = if name(rest.get(i)) == Some("import") {
        (String::new(), 0)
    } else {
        dotted(&rest[i..])
    };
    i += used;
    if name(rest.get(i)) != Some("import") || (level == 0 && module.is_empty()) {
        return;
    }
    let mut names = Vec::new();
    for item in rest[i + 1..].split(|t| *t == Token::Op(b',')) {
        let item: Vec<&Token> = item
            .iter()
            .filter(|t| !matches!(t, Token::Op(b'(' | b')')))
            .collect();
        match item.first() {
            Some(Token::Name(n)) => names.push(n.clone()),
            Some(Token::Op(b'*')) => names.push("*".to_owned()),
            _ => {}
        }
    }
    parsed.imports.push(Import {
        level,
        module,
        names,
        line,
    });
}

/// `importlib.import_module(...)`, `import_module(...)` and `__import__(...)`:
/// a literal first argument is an import; anything else is a blind spot.
fn dynamic_imports(tokens: &[Token], line: u32, parsed: &mut Parsed) {
    for (i, token) in tokens.iter().enumerate() {
        let Token::Name(n) = token else { continue };
        if n != "import_module" && n != "__import__" {
            continue;
        }
        // `def import_module(` defines it; `x.import_module` of anything but importlib is
        // still most likely importlib's.
        if i > 0 && name(tokens.get(i - 1)) == Some("def") {
            continue;
        }
        if tokens.get(i + 1) != Some(&Token::Op(b'(')) {
            continue;
        }
        let literal = match (tokens.get(i + 2), tokens.get(i + 3)) {
            (Some(Token::Str(Some(text))), Some(Token::Op(b')' | b','))) => Some(text),
            _ => None,
        };
        match literal {
            Some(text)
                if !text.is_empty()
                    && !text.starts_with('.')
                    && text
                        .split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(is_name_char)) =>
            {
                parsed.imports.push(Import {
                    level: 0,
                    module: text.clone(),
                    names: Vec::new(),
                    line,
                });
            }
            _ => parsed.dynamic.push(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(src: &str) -> Vec<(u32, String, Vec<String>)> {
        let parsed = parse(src.as_bytes());
        assert_eq!(parsed.error, None, "{src}");
        parsed
            .imports
            .into_iter()
            .map(|i| (i.level, i.module, i.names))
            .collect()
    }

    fn abs(m: &str) -> (u32, String, Vec<String>) {
        (0, m.to_owned(), vec![])
    }

    fn from(level: u32, m: &str, names: &[&str]) -> (u32, String, Vec<String>) {
        (
            level,
            m.to_owned(),
            names.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    #[test]
    fn plain_and_dotted_imports_with_aliases() {
        assert_eq!(
            imports("import os\nimport a.b.c as d, e\n"),
            vec![abs("os"), abs("a.b.c"), abs("e")]
        );
    }

    #[test]
    fn from_imports_absolute_relative_star_and_parenthesised() {
        let src = "from app.crud import get_user as g, make\nfrom . import models\nfrom ..core.db import *\nfrom .x import (\n    a,  # a comment\n    b as c,\n)\n";
        assert_eq!(
            imports(src),
            vec![
                from(0, "app.crud", &["get_user", "make"]),
                from(1, "", &["models"]),
                from(2, "core.db", &["*"]),
                from(1, "x", &["a", "b"]),
            ]
        );
    }

    #[test]
    fn imports_inside_strings_and_comments_are_not_imports() {
        let src = r#"
# import commented
s = "import quoted"
doc = """
import in_docstring
from nowhere import x
"""
t = '''from also import nothing'''
r = rb'import raw\'still'
f = f"{x!r} import y"
import real
"#;
        assert_eq!(imports(src), vec![abs("real")]);
    }

    #[test]
    fn line_continuations_and_semicolons() {
        let src = "from app \\\n    import users\nimport a; import b\nx = 1; from c import d\n";
        assert_eq!(
            imports(src),
            vec![
                from(0, "app", &["users"]),
                abs("a"),
                abs("b"),
                from(0, "c", &["d"])
            ]
        );
    }

    #[test]
    fn imports_in_functions_type_checking_and_one_line_compounds() {
        let src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.models import User\n\ndef f():\n    import app.lazy\n    return 1\ntry: import ujson as json\nexcept ImportError: import json\nclass A:\n    async def g(self):\n        from .sib import h\n";
        assert_eq!(
            imports(src),
            vec![
                from(0, "typing", &["TYPE_CHECKING"]),
                from(0, "app.models", &["User"]),
                abs("app.lazy"),
                abs("ujson"),
                abs("json"),
                from(1, "sib", &["h"]),
            ]
        );
    }

    #[test]
    fn a_name_that_merely_contains_import_is_not_a_statement() {
        let src = "important = 1\nx.import_thing()\nreimport = from_x\nprint(importer)\n";
        assert_eq!(imports(src), vec![]);
    }

    #[test]
    fn dynamic_imports_with_literals_resolve_and_computed_ones_are_reported() {
        let parsed = parse(
            b"import importlib\nm = importlib.import_module('app.plugins.x')\nn = importlib.import_module(name)\no = __import__(f'app.{n}')\n",
        );
        assert_eq!(parsed.error, None);
        assert_eq!(parsed.imports[1].module, "app.plugins.x");
        assert_eq!(parsed.dynamic, vec![3, 4]);
    }

    #[test]
    fn unterminated_strings_and_brackets_are_errors() {
        assert!(parse(b"x = '''never closed\nimport a\n").error.is_some());
        assert!(parse(b"x = 'open\nimport a\n").error.is_some());
        assert!(parse(b"from a import (b,\n").error.is_some());
        assert!(parse(b"x = )\n").error.is_some());
    }

    #[test]
    fn crlf_line_endings_and_non_utf8_bytes() {
        assert_eq!(
            imports("import a\r\nfrom b import \\\r\n c\r\n"),
            vec![abs("a"), from(0, "b", &["c"])]
        );
        let parsed = parse(b"s = '\xe9'\nimport ok\n");
        assert_eq!(parsed.imports.len(), 1);
    }

    #[test]
    fn line_numbers_count_physical_lines() {
        let parsed = parse(b"\"\"\"doc\n\nmore\"\"\"\n\nimport a\n");
        assert_eq!(parsed.imports[0].line, 5);
    }
}
