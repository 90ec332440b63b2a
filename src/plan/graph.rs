//! Groups that select their own tests from the code's graph: `tests` globs
//! (`{tests}`) or `{packages}`.
//!
//! Pure. Such a group runs every test it owns when everything is selected (a
//! run-all trigger, `all`, an unparsable changed file, a graph that could not
//! be built) or when a path the graph does not judge selects one of its
//! markers; otherwise it runs the affected ones, and is skipped, with the
//! reason, when none is affected.

use crate::config::Group;
use crate::select::Selection;

use super::Decision;

pub(super) fn decide(group: &Group, selection: &Selection) -> Decision {
    if selection.nothing_changed() {
        return Decision::Skip {
            why: "nothing changed".into(),
        };
    }
    let empty = crate::graph::Affected::default();
    let affected = selection.affected.as_deref().unwrap_or(&empty);
    let owned = |path: &[u8]| group.tests.as_ref().is_some_and(|g| g.is_match(path));
    let every_test = || -> Vec<Vec<u8>> {
        affected
            .tracked
            .iter()
            .filter(|p| owned(p))
            .cloned()
            .collect()
    };
    let whole = if selection.beyond_graph_all {
        Some("everything is selected".to_owned())
    } else if let Some(why) = affected
        .everything
        .as_ref()
        .filter(|_| group.tests.is_some())
    {
        Some(why.clone())
    } else if let Some(why) = affected
        .packages_everything
        .as_ref()
        .filter(|_| group.run.uses_packages())
    {
        Some(format!("{why}: the whole workspace"))
    } else {
        let hit: Vec<&str> = group
            .markers
            .iter()
            .filter(|m| selection.beyond_graph_markers.contains(*m))
            .map(String::as_str)
            .collect();
        (!hit.is_empty()).then(|| {
            format!(
                "selected markers: {} (by paths the import graph does not judge)",
                hit.join(", ")
            )
        })
    };
    let run = |why: String, tests: Vec<Vec<u8>>, packages: Vec<String>| Decision::Run {
        why,
        files: selection.files.clone(),
        markers: group.markers.clone(),
        tests,
        packages,
    };
    if let Some(why) = whole {
        let packages = if affected.packages_everything.is_some() {
            Vec::new()
        } else {
            affected.all_packages.clone()
        };
        return run(why, every_test(), packages);
    }
    let tests: Vec<Vec<u8>> = affected
        .chains
        .keys()
        .filter(|p| owned(p))
        .cloned()
        .collect();
    let packages: Vec<String> = affected.packages.keys().cloned().collect();
    let mut reasons = Vec::new();
    if group.tests.is_some() && !tests.is_empty() {
        reasons.push(crate::policy::plural(tests.len(), "affected test file"));
    }
    if group.run.uses_packages() && !packages.is_empty() {
        reasons.push(crate::policy::plural(
            packages.len(),
            "affected workspace member",
        ));
    }
    if reasons.is_empty() {
        if group.always {
            return run("always = true".into(), tests, packages);
        }
        let what = if group.tests.is_some() {
            "no test file it owns is affected by the change (import graph)"
        } else {
            "no workspace member is affected by the change"
        };
        return Decision::Skip { why: what.into() };
    }
    run(reasons.join(", "), tests, packages)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{from_text, Config, Source};
    use crate::graph::Affected;
    use crate::plan::{build, Decision, SkipList};
    use crate::select::{select_with_graph, Change, Selection};

    const CONFIG: &str = r#"
[settings]
unmatched = "all"
[[select]]
paths = ["app/templates/**"]
markers = ["unit"]
[stages.fast]
groups = [
  { name = "unit", run = "pytest {tests}", markers = ["unit"], tests = ["tests/**/test_*.py"] },
  { name = "rust", run = "cargo test {packages}" },
  { name = "lint", run = "ruff {files}", markers = ["lint"] },
]
"#;

    fn config() -> Config {
        from_text(CONFIG, Path::new("t.toml"), Source::Embedded("test")).unwrap()
    }

    fn selection(c: &Config, paths: &[&str], affected: Affected) -> Selection {
        let changes = paths.iter().map(|p| Change::new(*p)).collect();
        let mut s = select_with_graph(
            changes,
            &c.rules,
            &c.settings.unmatched,
            &c.settings.run_all_triggers,
            &crate::graph::judged_by(c),
        );
        s.affected = Some(Box::new(affected));
        s
    }

    fn graph_answer(tests: &[&str]) -> Affected {
        let mut a = Affected::default();
        for t in tests {
            a.chains
                .insert(t.as_bytes().to_vec(), vec![t.as_bytes().to_vec()]);
        }
        a.chains
            .insert(b"app/x.py".to_vec(), vec![b"app/x.py".to_vec()]);
        a.tracked = [
            "tests/test_a.py",
            "tests/test_b.py",
            "tests/data.json",
            "app/x.py",
        ]
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
        a.all_packages = vec!["core".into(), "cli".into()];
        a
    }

    fn decision(c: &Config, s: &Selection, group: usize) -> Decision {
        build(c, &[], s, &SkipList::default()).stages[0].groups[group]
            .decision
            .clone()
    }

    fn tests_of(d: &Decision) -> Vec<String> {
        match d {
            Decision::Run { tests, .. } => tests
                .iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect(),
            Decision::Skip { why } => panic!("skipped: {why}"),
        }
    }

    #[test]
    fn a_python_change_runs_only_the_affected_tests_the_group_owns() {
        let c = config();
        let s = selection(&c, &["app/x.py"], graph_answer(&["tests/test_a.py"]));
        assert!(
            !s.beyond_graph_all,
            "unmatched does not apply to a Python file"
        );
        assert_eq!(tests_of(&decision(&c, &s, 0)), ["tests/test_a.py"]);
    }

    #[test]
    fn no_affected_test_skips_the_group_with_the_reason() {
        let c = config();
        let s = selection(&c, &["app/x.py"], graph_answer(&[]));
        match decision(&c, &s, 0) {
            Decision::Skip { why } => assert!(why.contains("no test file"), "{why}"),
            Decision::Run { why, .. } => panic!("ran: {why}"),
        }
    }

    #[test]
    fn everything_selected_passes_every_test_file_the_globs_match() {
        let c = config();
        // README.md matches no rule: unmatched = "all" applies to it.
        let s = selection(
            &c,
            &["app/x.py", "README.md"],
            graph_answer(&["tests/test_a.py"]),
        );
        assert_eq!(
            tests_of(&decision(&c, &s, 0)),
            ["tests/test_a.py", "tests/test_b.py"]
        );
        let mut unparsable = graph_answer(&[]);
        unparsable.everything = Some("app/x.py cannot be parsed".into());
        let s = selection(&c, &["app/x.py"], unparsable);
        assert_eq!(
            tests_of(&decision(&c, &s, 0)),
            ["tests/test_a.py", "tests/test_b.py"]
        );
    }

    #[test]
    fn a_rule_on_a_path_the_graph_does_not_judge_runs_the_group_whole() {
        let c = config();
        let s = selection(&c, &["app/templates/x.html"], graph_answer(&[]));
        assert_eq!(
            tests_of(&decision(&c, &s, 0)),
            ["tests/test_a.py", "tests/test_b.py"]
        );
    }

    #[test]
    fn packages_are_the_affected_members_and_skip_when_none() {
        let c = config();
        let mut a = graph_answer(&[]);
        a.packages
            .insert("core".into(), "changed crates/core/src/lib.rs".into());
        let s = selection(&c, &["crates/core/src/lib.rs"], a);
        match decision(&c, &s, 1) {
            Decision::Run { packages, .. } => assert_eq!(packages, ["core"]),
            Decision::Skip { why } => panic!("skipped: {why}"),
        }
        let s = selection(&c, &["app/x.py"], graph_answer(&[]));
        assert!(matches!(decision(&c, &s, 1), Decision::Skip { .. }));
    }
}
