//! The source roots a Python import is looked up under.
//!
//! Pure: `pyproject.toml`'s text in, directories out. The repository root and
//! `src/` always; then the directories the packaging and test tools name:
//! setuptools `package-dir` (the `""` entry) and `packages.find.where`,
//! pytest's `pythonpath`, and the parents of hatch's wheel `packages`.

/// Roots relative to the repository (`""` is its root), in lookup order, without repeats.
pub(crate) fn source_roots(pyproject: Option<&str>) -> Vec<String> {
    let mut roots = vec![String::new(), "src".to_owned()];
    if let Some(doc) = pyproject.and_then(|t| t.parse::<toml::Table>().ok()) {
        let at = |path: &[&str]| -> Option<toml::Value> {
            let mut value = toml::Value::Table(doc.clone());
            for key in path {
                value = value.get(key)?.clone();
            }
            Some(value)
        };
        let strings = |value: Option<toml::Value>| -> Vec<String> {
            match value {
                Some(toml::Value::String(s)) => vec![s],
                Some(toml::Value::Array(items)) => items
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut named = Vec::new();
        if let Some(dir) = at(&["tool", "setuptools", "package-dir", ""]) {
            named.extend(strings(Some(dir)));
        }
        named.extend(strings(at(&[
            "tool",
            "setuptools",
            "packages",
            "find",
            "where",
        ])));
        named.extend(strings(at(&[
            "tool",
            "pytest",
            "ini_options",
            "pythonpath",
        ])));
        for package in strings(at(&[
            "tool", "hatch", "build", "targets", "wheel", "packages",
        ])) {
            let package = package.trim_end_matches('/');
            named.push(
                package
                    .rsplit_once('/')
                    .map_or("", |(dir, _)| dir)
                    .to_owned(),
            );
        }
        for dir in named {
            let dir = normalize(&dir);
            if !roots.contains(&dir) {
                roots.push(dir);
            }
        }
    }
    roots
}

/// `./src/` → `src`; `.` → the repository root (empty).
fn normalize(dir: &str) -> String {
    let trimmed = dir.trim_start_matches("./").trim_end_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_src_always() {
        assert_eq!(source_roots(None), ["", "src"]);
        assert_eq!(source_roots(Some("not toml [")), ["", "src"]);
    }

    #[test]
    fn roots_named_by_setuptools_pytest_and_hatch() {
        let text = r#"
[tool.setuptools]
package-dir = { "" = "lib" }
[tool.setuptools.packages.find]
where = ["python/"]
[tool.pytest.ini_options]
pythonpath = ["./tools", "."]
[tool.hatch.build.targets.wheel]
packages = ["code/mypkg"]
"#;
        assert_eq!(
            source_roots(Some(text)),
            ["", "src", "lib", "python", "tools", "code"]
        );
    }
}
