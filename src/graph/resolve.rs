//! Import statements → the repository's files they load.
//!
//! Pure. A module is looked up under each source root in turn (the
//! repository root, `src/`, the roots `pyproject.toml` names) and, as pytest's
//! default import mode does for a test file, under the first directory above
//! the importing file that is not a package. An import that resolves nowhere
//! is a third-party or standard-library module and is ignored.

use std::collections::{HashMap, HashSet};

use super::python::Import;

/// The Python files of the repository, by path, and the directories that hold them.
#[derive(Debug, Default)]
pub(crate) struct Modules {
    files: HashMap<String, usize>,
    /// Directories with Python files somewhere below: packages, regular or namespace.
    dirs: HashSet<String>,
    roots: Vec<String>,
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_owned()
    } else {
        format!("{dir}/{rest}")
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl Modules {
    /// `paths[i]` is file `i`; `roots` are directories relative to the repository
    /// (`""` is its root), in lookup order.
    pub(crate) fn new(paths: &[String], roots: Vec<String>) -> Modules {
        let mut files = HashMap::with_capacity(paths.len());
        let mut dirs = HashSet::new();
        for (i, path) in paths.iter().enumerate() {
            files.insert(path.clone(), i);
            let mut dir = parent(path);
            while !dir.is_empty() && dirs.insert(dir.to_owned()) {
                dir = parent(dir);
            }
        }
        Modules { files, dirs, roots }
    }

    /// `dir/a/b.py`, else `dir/a/b/__init__.py`: the file that defines module
    /// `a.b` under `dir`, if the repository has one.
    fn module_file(&self, dir: &str, parts: &[&str]) -> Option<usize> {
        // One buffer per lookup: this runs for every import of every file.
        let mut path = String::with_capacity(dir.len() + 64);
        path.push_str(dir);
        for part in parts {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(part);
        }
        let base = path.len();
        path.push_str(".py");
        if let Some(&i) = self.files.get(&path) {
            return Some(i);
        }
        path.truncate(base);
        path.push_str("/__init__.py");
        self.files.get(&path).copied()
    }

    /// Whether `dir/a` is a module or a package (a namespace package has no file).
    fn exists(&self, dir: &str, first: &str) -> bool {
        let mut path = join(dir, first);
        if self.dirs.contains(&path) {
            return true;
        }
        path.push_str(".py");
        self.files.contains_key(&path)
    }

    /// For pytest's default import mode: the first directory above `file` without `__init__.py`.
    fn basedir(&self, file: &str) -> String {
        let mut dir = parent(file);
        while !dir.is_empty() && self.files.contains_key(&join(dir, "__init__.py")) {
            dir = parent(dir);
        }
        dir.to_owned()
    }

    /// The files the import statements of file `from` depend on.
    pub(crate) fn resolve_all(&self, from: &str, imports: &[Import], out: &mut Vec<usize>) {
        let mut basedir = None;
        for import in imports {
            self.resolve_one(from, import, &mut basedir, out);
        }
    }

    /// The files `import` statement `import` of file `from` depends on.
    #[cfg(test)]
    pub(crate) fn resolve(&self, from: &str, import: &Import, out: &mut Vec<usize>) {
        self.resolve_one(from, import, &mut None, out);
    }

    fn resolve_one(
        &self,
        from: &str,
        import: &Import,
        basedir: &mut Option<String>,
        out: &mut Vec<usize>,
    ) {
        let parts: Vec<&str> = if import.module.is_empty() {
            Vec::new()
        } else {
            import.module.split('.').collect()
        };
        let dir = if import.level == 0 {
            let Some(first) = parts.first() else { return };
            let basedir = basedir.get_or_insert_with(|| self.basedir(from)).as_str();
            let found = self
                .roots
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(basedir))
                .find(|root| self.exists(root, first));
            match found {
                Some(root) => root.to_owned(),
                None => return,
            }
        } else {
            // `from . import x` in a/b/c.py (or a/b/__init__.py) is package a.b: its directory.
            let mut dir = parent(from);
            for _ in 1..import.level {
                if dir.is_empty() {
                    return;
                }
                dir = parent(dir);
            }
            if import.module.is_empty() {
                out.extend(self.files.get(&join(dir, "__init__.py")));
            }
            dir.to_owned()
        };
        // Importing `a.b.c` runs `a/__init__.py`, `a/b/__init__.py` and `a/b/c.py`.
        for end in 1..=parts.len() {
            out.extend(self.module_file(&dir, &parts[..end]));
        }
        // `from pkg import name`: the submodule `pkg/name.py` when it exists; otherwise
        // `name` is defined in `pkg/__init__.py`, already counted above.
        for name in &import.names {
            if name == "*" {
                continue;
            }
            let mut path = parts.clone();
            path.push(name);
            out.extend(self.module_file(&dir, &path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(paths: &[&str], roots: &[&str]) -> (Modules, Vec<String>) {
        let paths: Vec<String> = paths.iter().map(|s| (*s).to_owned()).collect();
        let m = Modules::new(&paths, roots.iter().map(|s| (*s).to_owned()).collect());
        (m, paths)
    }

    fn resolve(m: &Modules, paths: &[String], from: &str, src: &str) -> Vec<String> {
        let parsed = super::super::python::parse(src.as_bytes());
        let mut out = Vec::new();
        for import in &parsed.imports {
            m.resolve(from, import, &mut out);
        }
        let mut names: Vec<String> = out.into_iter().map(|i| paths[i].clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    const TREE: &[&str] = &[
        "app/__init__.py",
        "app/crud.py",
        "app/api/__init__.py",
        "app/api/users.py",
        "app/models.py",
        "tests/conftest.py",
        "tests/helpers.py",
        "tests/test_users.py",
    ];

    #[test]
    fn import_a_b_c_depends_on_the_module_and_every_package_init() {
        let (m, p) = modules(TREE, &[""]);
        assert_eq!(
            resolve(&m, &p, "tests/test_users.py", "import app.api.users"),
            ["app/__init__.py", "app/api/__init__.py", "app/api/users.py"]
        );
    }

    #[test]
    fn from_pkg_import_name_is_the_submodule_when_it_exists_else_the_init() {
        let (m, p) = modules(TREE, &[""]);
        assert_eq!(
            resolve(&m, &p, "tests/test_users.py", "from app import crud"),
            ["app/__init__.py", "app/crud.py"]
        );
        assert_eq!(
            resolve(&m, &p, "tests/test_users.py", "from app.api import router"),
            ["app/__init__.py", "app/api/__init__.py"]
        );
    }

    #[test]
    fn relative_imports_climb_from_the_file_s_package() {
        let (m, p) = modules(TREE, &[""]);
        assert_eq!(
            resolve(
                &m,
                &p,
                "app/api/users.py",
                "from ..crud import get\nfrom . import users"
            ),
            ["app/api/__init__.py", "app/api/users.py", "app/crud.py"]
        );
        assert_eq!(
            resolve(&m, &p, "app/api/__init__.py", "from .users import x"),
            ["app/api/users.py"]
        );
        assert_eq!(
            resolve(&m, &p, "app/crud.py", "from .models import User"),
            ["app/models.py"]
        );
        // Above the top: nothing.
        assert!(resolve(&m, &p, "app/crud.py", "from .... import x").is_empty());
    }

    #[test]
    fn third_party_and_stdlib_imports_are_ignored() {
        let (m, p) = modules(TREE, &[""]);
        assert!(resolve(
            &m,
            &p,
            "app/crud.py",
            "import os\nfrom sqlalchemy import orm"
        )
        .is_empty());
    }

    #[test]
    fn src_layouts_and_namespace_packages() {
        let (m, p) = modules(
            &[
                "src/pkg/core.py",
                "src/pkg/sub/deep.py",
                "tests/test_core.py",
            ],
            &["", "src"],
        );
        assert_eq!(
            resolve(
                &m,
                &p,
                "tests/test_core.py",
                "from pkg.sub import deep\nimport pkg.core"
            ),
            ["src/pkg/core.py", "src/pkg/sub/deep.py"]
        );
    }

    #[test]
    fn a_test_imports_its_sibling_helpers_as_pytest_puts_its_dir_on_the_path() {
        let (m, p) = modules(TREE, &[""]);
        assert_eq!(
            resolve(
                &m,
                &p,
                "tests/test_users.py",
                "from helpers import make_user"
            ),
            ["tests/helpers.py"]
        );
    }
}
