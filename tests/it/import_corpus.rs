//! The import corpus (issue 18): configurations written after those of real
//! projects under tests/fixtures/import/, each imported with the built
//! binary. The translation must load (import checks it), every hook of the
//! source must be in the report (none silently disabled), and the TOML with
//! its report is pinned by a snapshot.

use std::path::{Path, PathBuf};

use crate::support::TestRepo;

fn corpus(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(dir);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

/// (total, translated, translated with a difference, not translated), read
/// from the report's first line: `N hooks: a translated, b ..., c ...`.
fn counts(report: &str) -> (usize, usize, usize, usize) {
    let line = report
        .lines()
        .find(|l| l.contains(" translated with a difference, "))
        .unwrap_or_else(|| panic!("no counts in:\n{report}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let [total, same, different, dropped] = numbers[..] else {
        panic!("bad counts line: {line}");
    };
    assert_eq!(total, same + different + dropped, "{line}");
    (total, same, different, dropped)
}

/// Import one fixture; its TOML (whose header is the report) is snapshotted.
fn import(tool: &str, input: &Path, name: &str) -> (usize, usize, usize, usize) {
    let repo = TestRepo::new();
    let run = repo.tiergate(&[
        "import",
        tool,
        "--input",
        input.to_str().unwrap(),
        "--output",
        "-",
    ]);
    run.expect_code(0);
    let text = run
        .stdout
        .replace(input.to_str().unwrap(), &format!("<{name}>"));
    let settings = {
        let mut s = insta::Settings::clone_current();
        s.set_snapshot_suffix(name.to_owned());
        s.set_prepend_module_to_snapshot(false);
        s
    };
    settings.bind(|| insta::assert_snapshot!(tool, text));
    counts(&run.stderr)
}

/// The hooks of a pre-commit config, counted independently of the importer.
fn pre_commit_hooks(path: &Path) -> usize {
    let doc: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["repos"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| r["hooks"].as_sequence().map_or(0, Vec::len))
        .sum()
}

/// The commands, scripts and jobs (nested groups flattened) of a lefthook config.
fn lefthook_hooks(path: &Path) -> usize {
    fn jobs(list: &serde_norway::Value) -> usize {
        list.as_sequence().map_or(0, |items| {
            items
                .iter()
                .map(|j| match j.get("group") {
                    Some(group) => jobs(&group["jobs"]),
                    None => 1,
                })
                .sum()
        })
    }
    let doc: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc.as_mapping()
        .unwrap()
        .values()
        .filter_map(serde_norway::Value::as_mapping)
        .map(|hook| {
            ["commands", "scripts"]
                .iter()
                .filter_map(|k| hook.get(*k).and_then(serde_norway::Value::as_mapping))
                .map(serde_norway::Mapping::len)
                .sum::<usize>()
                + hook.get("jobs").map_or(0, jobs)
        })
        .sum()
}

#[derive(Default)]
struct Tally {
    total: usize,
    same: usize,
    different: usize,
    dropped: usize,
}

impl Tally {
    fn add(&mut self, (total, same, different, dropped): (usize, usize, usize, usize)) {
        self.total += total;
        self.same += same;
        self.different += different;
        self.dropped += dropped;
    }
}

#[test]
fn every_pre_commit_config_of_the_corpus_imports_with_every_hook_reported() {
    let files = corpus("pre-commit");
    assert!(
        files.len() >= 30,
        "the corpus has {} pre-commit configs",
        files.len()
    );
    let mut tally = Tally::default();
    for file in &files {
        let name = file.file_stem().unwrap().to_str().unwrap();
        let counted = import("pre-commit", file, name);
        assert_eq!(
            counted.0,
            pre_commit_hooks(file),
            "{name}: a hook is missing from the report"
        );
        tally.add(counted);
    }
    // Figures of the corpus: same effect for at least 95 % of the hooks.
    assert_eq!(
        (tally.total, tally.same, tally.different, tally.dropped),
        (387, 381, 1, 5)
    );
    assert!(tally.same * 100 >= tally.total * 95);
}

#[test]
fn every_lefthook_config_of_the_corpus_imports_with_every_hook_reported() {
    let files = corpus("lefthook");
    assert!(
        files.len() >= 10,
        "the corpus has {} lefthook configs",
        files.len()
    );
    let mut tally = Tally::default();
    for file in &files {
        let name = file.file_stem().unwrap().to_str().unwrap();
        let counted = import("lefthook", file, name);
        assert_eq!(
            counted.0,
            lefthook_hooks(file),
            "{name}: a hook is missing from the report"
        );
        tally.add(counted);
    }
    assert_eq!(
        (tally.total, tally.same, tally.different, tally.dropped),
        (63, 50, 11, 2)
    );
}

#[test]
fn every_husky_lint_staged_project_of_the_corpus_imports() {
    let dirs = corpus("lint-staged");
    assert!(
        dirs.len() >= 5,
        "the corpus has {} lint-staged projects",
        dirs.len()
    );
    let mut tally = Tally::default();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_str().unwrap();
        tally.add(import("husky", dir, name));
    }
    assert_eq!(
        (tally.total, tally.same, tally.different, tally.dropped),
        (25, 23, 1, 1)
    );
}
