//! Changed paths × `[[select]]` rules → the markers to run, with a reason per path.
//!
//! Pure: no IO, no git. The caller turns git's view of a change into
//! `Change`s; this module only decides what they select (SPEC 6.1-6.3).

mod projects;

use std::collections::BTreeSet;

use crate::config::{Globs, SelectRule, Unmatched};

/// One changed path as selection sees it: bytes, as git stores names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) path: Vec<u8>,
    /// The old name of a rename: it selects markers too.
    pub(crate) old_path: Option<Vec<u8>>,
    /// Deleted paths select markers but are never passed as `{files}`.
    pub(crate) deleted: bool,
}

impl Change {
    pub(crate) fn new(path: impl Into<Vec<u8>>) -> Change {
        Change {
            path: path.into(),
            old_path: None,
            deleted: false,
        }
    }
}

/// Why the selection holds what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Everything was asked for (`--all`, a release): no change list applies.
    Everything(String),
    /// A list of changes was given (possibly empty: nothing changed).
    Changes,
    /// No file changed by definition (a file checkout, `gc`), yet the hook
    /// ran: only `always` groups run.
    AlwaysOnly(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Selection {
    pub(crate) scope: Scope,
    pub(crate) changes: Vec<Change>,
    /// Every group runs: asked for, a run-all trigger fired, a rule said `all`.
    pub(crate) all: bool,
    pub(crate) markers: BTreeSet<String>,
    /// One line per path (or per reason): "app/db.py: rule 2 -> database".
    pub(crate) why: Vec<String>,
    /// Candidates for `{files}`: changed paths that still exist, or every
    /// tracked file when everything was asked for.
    pub(crate) files: Vec<Vec<u8>>,
    /// `{base}` and `{head}`: the resolved commits, when there are some.
    pub(crate) base: Option<String>,
    pub(crate) head: Option<String>,
    /// What selects everything or markers for groups with `tests`: the paths the
    /// import graph does not judge (not Python), and run-all triggers. A changed
    /// Python file reaches those groups through `affected` instead.
    pub(crate) beyond_graph_all: bool,
    pub(crate) beyond_graph_markers: BTreeSet<String>,
    /// The import graph's answer, when a group reads it (attached by `changes`).
    pub(crate) affected: Option<Box<crate::graph::Affected>>,
    /// With sub-projects: each project's own selection (`"."` first), of the
    /// paths it owns, relative to its directory. Empty for a single project.
    pub(crate) projects: Vec<(String, Selection)>,
}

impl Selection {
    /// Everything, for `run --all` and releases: `files` are the tracked files.
    pub(crate) fn everything(reason: impl Into<String>, tracked: Vec<Vec<u8>>) -> Selection {
        let reason = reason.into();
        Selection {
            scope: Scope::Everything(reason.clone()),
            changes: Vec::new(),
            all: true,
            markers: BTreeSet::new(),
            why: vec![reason],
            files: tracked,
            base: None,
            head: None,
            beyond_graph_all: true,
            beyond_graph_markers: BTreeSet::new(),
            affected: None,
            projects: Vec::new(),
        }
    }

    /// No file changes, yet `always` groups run (see `Scope::AlwaysOnly`).
    pub(crate) fn always_only(reason: impl Into<String>) -> Selection {
        let reason = reason.into();
        Selection {
            scope: Scope::AlwaysOnly(reason.clone()),
            changes: Vec::new(),
            all: false,
            markers: BTreeSet::new(),
            why: vec![reason],
            files: Vec::new(),
            base: None,
            head: None,
            beyond_graph_all: false,
            beyond_graph_markers: BTreeSet::new(),
            affected: None,
            projects: Vec::new(),
        }
    }

    pub(crate) fn nothing_changed(&self) -> bool {
        self.scope == Scope::Changes && self.changes.is_empty()
    }

    /// What `project` (a stage's) sees: its own part with sub-projects, else all.
    pub(crate) fn for_project(&self, project: &str) -> &Selection {
        self.projects
            .iter()
            .find(|(name, _)| name == project)
            .map_or(self, |(_, part)| part)
    }

    /// Select everything in every project (git could not say what changed).
    pub(crate) fn select_all(&mut self) {
        self.all = true;
        self.beyond_graph_all = true;
        for (_, part) in &mut self.projects {
            part.select_all();
        }
    }
}

pub(crate) use projects::split as split_by_project;

/// The marker a rule uses to mean "run everything".
pub(crate) const ALL: &str = "all";

/// Apply the rules to the changes (SPEC 6.1, 6.2).
pub(crate) fn select(
    changes: Vec<Change>,
    rules: &[SelectRule],
    unmatched: &Unmatched,
    triggers: &Globs,
) -> Selection {
    select_with_graph(changes, rules, unmatched, triggers, &|_| false)
}

/// `select`, where `judged_by_graph` names the paths a code graph judges for
/// the groups that read it (`.py` files when a group has `tests`, `.rs` files
/// when one uses `{packages}`): `unmatched` applies only to the other paths
/// that no rule matches, and only those select markers for such groups.
pub(crate) fn select_with_graph(
    changes: Vec<Change>,
    rules: &[SelectRule],
    unmatched: &Unmatched,
    triggers: &Globs,
    judged_by_graph: &dyn Fn(&[u8]) -> bool,
) -> Selection {
    let mut markers = BTreeSet::new();
    let mut why = Vec::new();
    let mut all = false;
    let mut beyond_graph_all = false;
    let mut beyond_graph_markers = BTreeSet::new();
    for change in &changes {
        let names = std::iter::once(&change.path).chain(change.old_path.as_ref());
        for name in names {
            let shown = String::from_utf8_lossy(name);
            if triggers.is_match(name) {
                all = true;
                beyond_graph_all = true;
                why.push(format!("{shown}: run-all trigger -> all"));
                continue;
            }
            let judged = judged_by_graph(name);
            let mut matched = false;
            for (i, rule) in rules.iter().enumerate() {
                let Some(&first) = rule.paths.matches(name).first() else {
                    continue;
                };
                matched = true;
                if rule.markers.iter().any(|m| m == ALL) {
                    all = true;
                }
                markers.extend(rule.markers.iter().filter(|m| *m != ALL).cloned());
                why.push(format!(
                    "{shown}: rule {} ({}) -> {}",
                    i + 1,
                    rule.paths.patterns[first],
                    if rule.markers.is_empty() {
                        "nothing".to_owned()
                    } else {
                        rule.markers.join(", ")
                    }
                ));
                if !judged {
                    beyond_graph_all |= rule.markers.iter().any(|m| m == ALL);
                    beyond_graph_markers.extend(rule.markers.iter().filter(|m| *m != ALL).cloned());
                }
            }
            if judged {
                if !matched {
                    why.push(format!(
                        "{shown}: judged by the code graph (imports, workspace members)"
                    ));
                }
                continue;
            }
            if !matched {
                match unmatched {
                    Unmatched::All => {
                        all = true;
                        beyond_graph_all = true;
                        why.push(format!("{shown}: unmatched -> all"));
                    }
                    Unmatched::Nothing => why.push(format!("{shown}: unmatched -> nothing")),
                    Unmatched::Markers(list) => {
                        markers.extend(list.iter().cloned());
                        beyond_graph_markers.extend(list.iter().cloned());
                        why.push(format!("{shown}: unmatched -> {}", list.join(", ")));
                    }
                }
            }
        }
    }
    let files = changes
        .iter()
        .filter(|c| !c.deleted)
        .map(|c| c.path.clone())
        .collect();
    Selection {
        scope: Scope::Changes,
        changes,
        all,
        markers,
        why,
        files,
        base: None,
        head: None,
        beyond_graph_all,
        beyond_graph_markers,
        affected: None,
        projects: Vec::new(),
    }
}

/// Why a group runs or not (SPEC 6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GroupChoice {
    Run { why: String },
    Skip { why: String },
}

/// Decide one group: `always`, markers that intersect, everything selected,
/// or no markers at all; a group with `files` also needs a matching file.
pub(crate) fn choose_group(
    selection: &Selection,
    markers: &[String],
    always: bool,
    files: Option<&Globs>,
) -> GroupChoice {
    if selection.nothing_changed() {
        return GroupChoice::Skip {
            why: "nothing changed".into(),
        };
    }
    if let Scope::AlwaysOnly(reason) = &selection.scope {
        return if always {
            GroupChoice::Run {
                why: "always = true".into(),
            }
        } else {
            GroupChoice::Skip {
                why: format!("{reason}: only `always` groups run"),
            }
        };
    }
    let by_markers = if always {
        Some("always = true".to_owned())
    } else if selection.all {
        Some("everything is selected".to_owned())
    } else if markers.is_empty() {
        Some("the group has no markers".to_owned())
    } else {
        let hit: Vec<&str> = markers
            .iter()
            .filter(|m| selection.markers.contains(*m))
            .map(String::as_str)
            .collect();
        if hit.is_empty() {
            None
        } else {
            Some(format!("selected markers: {}", hit.join(", ")))
        }
    };
    let Some(why) = by_markers else {
        return GroupChoice::Skip {
            why: format!("none of its markers ({}) is selected", markers.join(", ")),
        };
    };
    if let Some(globs) = files {
        if !always && !selection.files.iter().any(|f| globs.is_match(f)) {
            return GroupChoice::Skip {
                why: format!("no changed file matches {}", globs.patterns.join(", ")),
            };
        }
    }
    GroupChoice::Run { why }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_globs;

    fn globs(p: &[&str]) -> Globs {
        compile_globs(p.iter().map(|s| (*s).to_owned()).collect()).unwrap()
    }

    fn rules() -> Vec<SelectRule> {
        vec![
            SelectRule {
                paths: globs(&["app/**/*.py"]),
                markers: vec!["unit".into()],
            },
            SelectRule {
                paths: globs(&["app/database/**", "migrations/**"]),
                markers: vec!["database".into(), "integration".into()],
            },
            SelectRule {
                paths: globs(&["docs/**"]),
                markers: vec!["all".into()],
            },
        ]
    }

    fn no_triggers() -> Globs {
        globs(&[])
    }

    #[test]
    fn unions_markers_of_every_matching_rule() {
        let s = select(
            vec![Change::new("app/database/db.py")],
            &rules(),
            &Unmatched::Nothing,
            &no_triggers(),
        );
        assert!(!s.all);
        assert_eq!(
            s.markers.iter().cloned().collect::<Vec<_>>(),
            vec!["database", "integration", "unit"]
        );
        assert_eq!(
            s.why,
            vec![
                "app/database/db.py: rule 1 (app/**/*.py) -> unit",
                "app/database/db.py: rule 2 (app/database/**) -> database, integration"
            ]
        );
    }

    #[test]
    fn unmatched_paths_follow_the_setting() {
        let c = || vec![Change::new("README.md")];
        assert!(select(c(), &rules(), &Unmatched::All, &no_triggers()).all);
        let none = select(c(), &rules(), &Unmatched::Nothing, &no_triggers());
        assert!(!none.all && none.markers.is_empty());
        let some = select(
            c(),
            &rules(),
            &Unmatched::Markers(vec!["smoke".into()]),
            &no_triggers(),
        );
        assert!(some.markers.contains("smoke"));
    }

    #[test]
    fn all_marker_and_triggers_select_everything() {
        assert!(
            select(
                vec![Change::new("docs/x.md")],
                &rules(),
                &Unmatched::Nothing,
                &no_triggers()
            )
            .all
        );
        let t = globs(&["/pyproject.toml", "**/conftest.py"]);
        let s = select(
            vec![Change::new("tests/unit/conftest.py")],
            &rules(),
            &Unmatched::Nothing,
            &t,
        );
        assert!(s.all);
        assert!(s.why[0].contains("run-all trigger"));
        // Anchored: a nested pyproject.toml is not the root one.
        assert!(
            !select(
                vec![Change::new("sub/pyproject.toml")],
                &rules(),
                &Unmatched::Nothing,
                &t
            )
            .all
        );
    }

    #[test]
    fn renames_select_by_both_paths_and_deletions_are_not_files() {
        let rename = Change {
            path: b"lib/new.py".to_vec(),
            old_path: Some(b"app/database/old.py".to_vec()),
            deleted: false,
        };
        let gone = Change {
            path: b"app/gone.py".to_vec(),
            old_path: None,
            deleted: true,
        };
        let s = select(
            vec![rename, gone],
            &rules(),
            &Unmatched::Nothing,
            &no_triggers(),
        );
        assert!(s.markers.contains("database"));
        assert!(s.markers.contains("unit"));
        assert_eq!(s.files, vec![b"lib/new.py".to_vec()]);
    }

    #[test]
    fn groups_run_by_markers_always_or_all() {
        let s = select(
            vec![Change::new("app/api/x.py")],
            &rules(),
            &Unmatched::Nothing,
            &no_triggers(),
        );
        assert!(matches!(
            choose_group(&s, &["unit".into()], false, None),
            GroupChoice::Run { .. }
        ));
        assert!(matches!(
            choose_group(&s, &["database".into()], false, None),
            GroupChoice::Skip { .. }
        ));
        assert!(matches!(
            choose_group(&s, &["database".into()], true, None),
            GroupChoice::Run { .. }
        ));
        assert!(matches!(
            choose_group(&s, &[], false, None),
            GroupChoice::Run { .. }
        ));
        let js = globs(&["*.js"]);
        assert!(matches!(
            choose_group(&s, &[], false, Some(&js)),
            GroupChoice::Skip { .. }
        ));
    }

    #[test]
    fn a_selection_of_nothing_runs_only_always_groups() {
        let s = Selection::always_only("a file checkout changes nothing");
        assert!(!s.nothing_changed());
        assert!(matches!(
            choose_group(&s, &[], true, Some(&globs(&["*.py"]))),
            GroupChoice::Run { .. }
        ));
        assert!(matches!(
            choose_group(&s, &[], false, None),
            GroupChoice::Skip { .. }
        ));
    }

    #[test]
    fn nothing_changed_skips_every_group() {
        let s = select(vec![], &rules(), &Unmatched::All, &no_triggers());
        assert!(s.nothing_changed());
        assert!(matches!(
            choose_group(&s, &[], false, None),
            GroupChoice::Skip { .. }
        ));
        assert!(matches!(
            choose_group(&s, &[], true, None),
            GroupChoice::Skip { .. }
        ));
    }

    #[test]
    fn non_utf8_paths_are_matched() {
        let path = b"app/caf\xe9.py".to_vec();
        let s = select(
            vec![Change::new(path.clone())],
            &rules(),
            &Unmatched::Nothing,
            &no_triggers(),
        );
        assert!(s.markers.contains("unit"));
        assert_eq!(s.files, vec![path]);
    }
}
