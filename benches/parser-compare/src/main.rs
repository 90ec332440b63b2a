//! Import extraction by three parsers over one tree of `.py` files: tiergate's
//! scanner, tree-sitter-python and ruff's parser. `time ROOT` prints the cost of
//! each (one thread, then every core); `dump ROOT PARSER` prints each file's
//! imports for `agreement.py` to check against CPython's `ast`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

/// `(level, module, names sorted, line)`: the shape `ast.ImportFrom` gives.
type Import = (u32, String, Vec<String>, u32);

struct FileImports {
    imports: Vec<Import>,
    error: bool,
}

fn py_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && entry.file_name() != ".git" {
            py_files(&path, out);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

fn scanner(src: &[u8]) -> FileImports {
    let (imports, error) = tiergate::bench_api::python_imports(src);
    FileImports {
        imports: imports
            .into_iter()
            .map(|(l, m, mut n, line)| {
                n.sort();
                (l, m, n, line)
            })
            .collect(),
        error,
    }
}

fn line_of(starts: &[usize], offset: usize) -> u32 {
    (starts.partition_point(|&s| s <= offset)) as u32
}

fn line_starts(src: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            src.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect()
}

fn tree_sitter(src: &[u8]) -> FileImports {
    thread_local! {
        static PARSER: std::cell::RefCell<tree_sitter::Parser> = std::cell::RefCell::new({
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).expect("grammar");
            p
        });
    }
    let Some(tree) = PARSER.with(|p| p.borrow_mut().parse(src, None)) else {
        return FileImports {
            imports: vec![],
            error: true,
        };
    };
    let text = |n: tree_sitter::Node| -> String {
        String::from_utf8_lossy(&src[n.byte_range()])
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\\')
            .collect()
    };
    // The imported name of a `name` child: `a.b` or `a.b as c` → `a.b`.
    let dotted = |n: tree_sitter::Node| -> String {
        if n.kind() == "aliased_import" {
            n.child_by_field_name("name").map(text).unwrap_or_default()
        } else {
            text(n)
        }
    };
    let mut imports = Vec::new();
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let line = node.start_position().row as u32 + 1;
        match node.kind() {
            "import_statement" => {
                for n in node.children_by_field_name("name", &mut cursor) {
                    imports.push((0, dotted(n), vec![], line));
                }
            }
            "import_from_statement" | "future_import_statement" => {
                let (level, module) = if node.kind() == "future_import_statement" {
                    (0, "__future__".to_string())
                } else {
                    match node.child_by_field_name("module_name") {
                        Some(m) if m.kind() == "relative_import" => {
                            let t = text(m);
                            let level = t.bytes().take_while(|&b| b == b'.').count() as u32;
                            (level, t[level as usize..].to_string())
                        }
                        Some(m) => (0, text(m)),
                        None => (0, String::new()),
                    }
                };
                let mut names: Vec<String> = node
                    .children_by_field_name("name", &mut cursor)
                    .map(dotted)
                    .collect();
                let mut c = node.walk();
                if node.children(&mut c).any(|n| n.kind() == "wildcard_import") {
                    names.push("*".into());
                }
                names.sort();
                imports.push((level, module, names, line));
            }
            _ => {
                let mut c = node.walk();
                stack.extend(node.children(&mut c));
            }
        }
    }
    imports.sort();
    FileImports {
        imports,
        error: tree.root_node().has_error(),
    }
}

fn ruff(src: &[u8]) -> FileImports {
    use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
    use ruff_python_ast::Stmt;
    struct Imports<'a> {
        starts: &'a [usize],
        found: Vec<Import>,
    }
    impl<'b> StatementVisitor<'b> for Imports<'_> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::Import(i) => {
                    let line = line_of(self.starts, usize::from(i.range.start()));
                    for a in &i.names {
                        self.found.push((0, a.name.id.to_string(), vec![], line));
                    }
                }
                Stmt::ImportFrom(i) => {
                    let line = line_of(self.starts, usize::from(i.range.start()));
                    let module = i
                        .module
                        .as_ref()
                        .map(|m| m.id.to_string())
                        .unwrap_or_default();
                    let mut names: Vec<String> =
                        i.names.iter().map(|a| a.name.id.to_string()).collect();
                    names.sort();
                    self.found.push((i.level, module, names, line));
                }
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let Ok(text) = std::str::from_utf8(src) else {
        return FileImports {
            imports: vec![],
            error: true,
        };
    };
    match ruff_python_parser::parse_module(text) {
        Ok(parsed) => {
            let starts = line_starts(src);
            let mut v = Imports {
                starts: &starts,
                found: Vec::new(),
            };
            v.visit_body(&parsed.syntax().body);
            v.found.sort();
            FileImports {
                imports: v.found,
                error: false,
            }
        }
        Err(_) => FileImports {
            imports: vec![],
            error: true,
        },
    }
}

const PARSERS: [(&str, fn(&[u8]) -> FileImports); 3] = [
    ("scanner", scanner),
    ("tree-sitter", tree_sitter),
    ("ruff", ruff),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (mode, root) = match args.as_slice() {
        [_, mode, root, ..] => (mode.as_str(), PathBuf::from(root)),
        _ => {
            eprintln!("usage: parser-compare time|dump ROOT [PARSER]");
            std::process::exit(2);
        }
    };
    let mut paths = Vec::new();
    py_files(&root, &mut paths);
    paths.sort();
    match mode {
        "time" => {
            let t = Instant::now();
            let sources: Vec<Vec<u8>> = paths
                .iter()
                .map(|p| std::fs::read(p).unwrap_or_default())
                .collect();
            let bytes: usize = sources.iter().map(Vec::len).sum();
            println!(
                "{} files, {:.1} MB, read in {:.0} ms",
                paths.len(),
                bytes as f64 / 1e6,
                t.elapsed().as_secs_f64() * 1e3
            );
            for (name, parse) in PARSERS {
                let mut best = (f64::MAX, f64::MAX);
                let mut count = 0;
                for _ in 0..3 {
                    let t = Instant::now();
                    count = sources
                        .iter()
                        .map(|s| parse(s).imports.len())
                        .sum::<usize>();
                    let one = t.elapsed().as_secs_f64() * 1e3;
                    let t = Instant::now();
                    let _: usize = sources.par_iter().map(|s| parse(s).imports.len()).sum();
                    let all = t.elapsed().as_secs_f64() * 1e3;
                    best = (best.0.min(one), best.1.min(all));
                }
                println!(
                    "{name:12} one thread {:7.0} ms   rayon ({} threads) {:7.0} ms   {count} imports",
                    best.0,
                    rayon::current_num_threads(),
                    best.1
                );
            }
        }
        "dump" => {
            let which = args.get(3).map(String::as_str).unwrap_or("scanner");
            let Some((_, parse)) = PARSERS.iter().find(|(n, _)| *n == which) else {
                eprintln!("unknown parser {which}");
                std::process::exit(2);
            };
            for path in &paths {
                let src = std::fs::read(path).unwrap_or_default();
                let found = parse(&src);
                let items: Vec<String> = found
                    .imports
                    .iter()
                    .map(|(l, m, n, line)| format!("{l}:{m}:{}:{line}", n.join(",")))
                    .collect();
                let rel = path.strip_prefix(&root).unwrap_or(path);
                println!("{}\t{}\t{}", rel.display(), items.join(" "), found.error);
            }
        }
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2);
        }
    }
}
