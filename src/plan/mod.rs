//! Config × Selection × request → what will run, what is skipped and why.
//!
//! Pure: no IO. `exec` runs what this module decides; `plan` also turns a
//! group into the exact argv lists it will exec (`invocations`), chunked to
//! the OS argument limit.

mod chunk;
mod graph;
mod placeholders;
mod shard;

use std::ffi::OsString;

use crate::config::{relative_paths, CommandTemplate, Config, Group, Stage, Target};
use crate::select::{choose_group, GroupChoice, Selection};

pub(crate) use chunk::argv_budget;
pub(crate) use placeholders::{display, markers_expression, Values};
pub(crate) use shard::{apply as apply_shard, GroupShare, Shard};

/// Names skipped for one run by `TIERGATE_SKIP=fast,black,fast.unit`.
#[derive(Debug, Clone, Default)]
pub(crate) struct SkipList {
    names: Vec<String>,
}

impl SkipList {
    pub(crate) fn parse(value: &str) -> SkipList {
        SkipList {
            names: value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    pub(crate) fn skips_stage(&self, stage: &str) -> bool {
        self.names.iter().any(|n| n == stage)
    }

    pub(crate) fn skips_group(&self, stage: &str, group: &str) -> bool {
        self.names
            .iter()
            .any(|n| n == group || *n == format!("{stage}.{group}"))
    }

    pub(crate) fn skips_formatter(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The names that match no stage, group (`group` or `stage.group`) or
    /// formatter of `config`, each with the closest valid name when one is
    /// near: a typo would otherwise skip nothing without a word.
    pub(crate) fn unknown<'a>(&'a self, config: &Config) -> Vec<(&'a str, Option<String>)> {
        let mut valid: Vec<String> = Vec::new();
        for stage in &config.stages {
            valid.push(stage.name.clone());
            for group in &stage.groups {
                valid.push(group.name.clone());
                valid.push(format!("{}.{}", stage.name, group.name));
            }
        }
        valid.extend(config.formatters.iter().map(|f| f.name.clone()));
        self.names
            .iter()
            .filter(|n| !valid.contains(n))
            .map(|n| {
                let close = crate::error::did_you_mean(n, valid.iter().map(String::as_str))
                    .map(str::to_owned);
                (n.as_str(), close)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Decision {
    Run {
        why: String,
        /// The `{files}` of this group: the selection's files matching its globs.
        files: Vec<Vec<u8>>,
        /// The markers `{markers}` expands to.
        markers: Vec<String>,
        /// `{tests}`: the affected test files the group owns (every one when everything is selected).
        tests: Vec<Vec<u8>>,
        /// `{packages}`: the affected workspace members.
        packages: Vec<String>,
    },
    Skip {
        why: String,
    },
}

#[derive(Debug)]
pub(crate) struct GroupPlan<'c> {
    pub(crate) group: &'c Group,
    pub(crate) decision: Decision,
}

#[derive(Debug)]
pub(crate) struct StagePlan<'c> {
    pub(crate) stage: &'c Stage,
    pub(crate) groups: Vec<GroupPlan<'c>>,
    /// Set when the whole stage is skipped before its groups are considered.
    pub(crate) skipped: Option<String>,
}

impl StagePlan<'_> {
    pub(crate) fn runs_anything(&self) -> bool {
        self.skipped.is_none()
            && self
                .groups
                .iter()
                .any(|g| matches!(g.decision, Decision::Run { .. }))
    }
}

#[derive(Debug)]
pub(crate) struct Plan<'c> {
    pub(crate) stages: Vec<StagePlan<'c>>,
}

impl Plan<'_> {
    pub(crate) fn runs_anything(&self) -> bool {
        self.stages.iter().any(StagePlan::runs_anything)
    }
}

/// Build the plan: the targeted stages in config order, each group decided.
/// No targets means every stage.
pub(crate) fn build<'c>(
    config: &'c Config,
    targets: &[Target],
    selection: &Selection,
    skip: &SkipList,
) -> Plan<'c> {
    let mut stages = Vec::new();
    for stage in &config.stages {
        let wanted: Vec<&Target> = targets.iter().filter(|t| t.stage == stage.name).collect();
        if !targets.is_empty() && wanted.is_empty() {
            continue;
        }
        let whole_stage = targets.is_empty() || wanted.iter().any(|t| t.group.is_none());
        let skipped = skip
            .skips_stage(&stage.name)
            .then(|| "skipped by TIERGATE_SKIP".to_owned());
        let groups = stage
            .groups
            .iter()
            .filter(|g| {
                whole_stage
                    || wanted
                        .iter()
                        .any(|t| t.group.as_deref() == Some(g.name.as_str()))
            })
            .map(|group| GroupPlan {
                group,
                decision: decide(stage, group, selection.for_project(&stage.project), skip),
            })
            .collect();
        stages.push(StagePlan {
            stage,
            groups,
            skipped,
        });
    }
    Plan { stages }
}

/// A member's selection names paths inside it; a decision names them from
/// the repository root, as every `cwd` expects (the member is the group's).
/// Tests come from the import graph, which names them from the root already.
fn in_repository(decision: Decision, project: &str) -> Decision {
    if project == crate::config::ROOT_PROJECT {
        return decision;
    }
    let prefix = |paths: Vec<Vec<u8>>| -> Vec<Vec<u8>> {
        paths
            .into_iter()
            .map(|p| [project.as_bytes(), b"/", &p].concat())
            .collect()
    };
    match decision {
        Decision::Run {
            why,
            files,
            markers,
            tests,
            packages,
        } => Decision::Run {
            why,
            files: prefix(files),
            markers,
            tests,
            packages,
        },
        skip @ Decision::Skip { .. } => skip,
    }
}

fn decide(stage: &Stage, group: &Group, selection: &Selection, skip: &SkipList) -> Decision {
    let decision = in_repository(
        decide_anywhere(stage, group, selection, skip),
        &stage.project,
    );
    match &group.cwd {
        Some(cwd) => confine_to_cwd(decision, group, cwd),
        None => decision,
    }
}

/// A group with a `cwd` sees only the files and tests inside it (they stay
/// repository paths here; `invocations` makes them relative). A command that
/// takes `{files}` or `{tests}` and is left with none is skipped, as lefthook
/// skips a command whose `root` holds none of the staged files.
fn confine_to_cwd(decision: Decision, group: &Group, cwd: &crate::config::Cwd) -> Decision {
    let Decision::Run {
        why,
        files,
        markers,
        tests,
        packages,
    } = decision
    else {
        return decision;
    };
    let had = (files.is_empty(), tests.is_empty());
    let files: Vec<Vec<u8>> = files.into_iter().filter(|f| cwd.holds(f)).collect();
    let tests: Vec<Vec<u8>> = tests.into_iter().filter(|t| cwd.holds(t)).collect();
    if !group.always {
        if group.run.uses_files() && !had.0 && files.is_empty() {
            return Decision::Skip {
                why: format!("no changed file inside its cwd `{}`", cwd.as_str()),
            };
        }
        if group.run.uses_tests() && !had.1 && tests.is_empty() {
            return Decision::Skip {
                why: format!("no affected test file inside its cwd `{}`", cwd.as_str()),
            };
        }
    }
    Decision::Run {
        why,
        files,
        markers,
        tests,
        packages,
    }
}

fn decide_anywhere(
    stage: &Stage,
    group: &Group,
    selection: &Selection,
    skip: &SkipList,
) -> Decision {
    if skip.skips_stage(&stage.name) || skip.skips_group(&stage.name, &group.name) {
        return Decision::Skip {
            why: "skipped by TIERGATE_SKIP".into(),
        };
    }
    if group.tests.is_some() || group.run.uses_packages() {
        return graph::decide(group, selection);
    }
    match choose_group(
        selection,
        &group.markers,
        group.always,
        group.files.as_ref(),
    ) {
        GroupChoice::Skip { why } => Decision::Skip {
            why: format!("not selected: {why}"),
        },
        GroupChoice::Run { why } => {
            let files: Vec<Vec<u8>> = match &group.files {
                Some(globs) => selection
                    .files
                    .iter()
                    .filter(|f| globs.is_match(f))
                    .cloned()
                    .collect(),
                None => selection.files.clone(),
            };
            // `exclude` and the path regexes narrow the files further; a group
            // left with none is skipped, as one no `files` glob matches is.
            let files = if group.filter.is_empty() {
                files
            } else {
                let kept: Vec<Vec<u8>> = files
                    .into_iter()
                    .filter(|f| group.filter.admits(f))
                    .collect();
                if kept.is_empty() && !group.always {
                    return Decision::Skip {
                        why: format!("no changed file passes {}", group.filter.describe()),
                    };
                }
                kept
            };
            let selected: Vec<String> = group
                .markers
                .iter()
                .filter(|m| selection.markers.contains(*m))
                .cloned()
                .collect();
            let markers = if selected.is_empty() || selection.all {
                if group.markers.is_empty() {
                    selection.markers.iter().cloned().collect()
                } else {
                    group.markers.clone()
                }
            } else {
                selected
            };
            Decision::Run {
                why,
                files,
                markers,
                tests: Vec::new(),
                packages: Vec::new(),
            }
        }
    }
}

/// The argv of a command that takes no files (a service's `check`, `start`
/// or `stop`): one invocation, placeholders empty.
pub(crate) fn plain_argv(template: &CommandTemplate) -> Vec<OsString> {
    placeholders::expand(template, &Values::default(), &[], &[])
}

/// The argv lists of one run of a template: one list, or several when
/// `{files}` would pass the argument limit. `junit_for(i)` gives the
/// `{junit}` path of chunk `i`.
pub(crate) fn invocations(
    template: &CommandTemplate,
    values: &Values<'_>,
    files: &[Vec<u8>],
    failed: &[String],
    budget: usize,
    junit_for: &dyn Fn(usize) -> Option<std::path::PathBuf>,
) -> Vec<Vec<OsString>> {
    // A command with a `cwd` gets its files and tests as seen from there.
    let (files_in_cwd, tests_in_cwd);
    let (files, values) = match values.cwd {
        Some(cwd) => {
            files_in_cwd = relative_paths(Some(cwd), files);
            tests_in_cwd = relative_paths(Some(cwd), values.tests);
            (
                &files_in_cwd[..],
                &Values {
                    tests: &tests_in_cwd,
                    cwd: None,
                    ..values.clone()
                },
            )
        }
        None => (files, values),
    };
    let fixed: usize = placeholders::expand(template, values, &[], failed)
        .iter()
        .map(|a| chunk::arg_cost(a.len()))
        .sum::<usize>()
        // `{junit}` may be longer in later chunks; leave room for it.
        + 256;
    // `{files}` is what is split when the command has it; else `{tests}`.
    let chunk_tests = !template.uses_files() && template.uses_tests();
    let fixed = if chunk_tests {
        fixed.saturating_sub(
            values
                .tests
                .iter()
                .map(|t| chunk::arg_cost(t.len()))
                .sum::<usize>(),
        )
    } else {
        fixed
    };
    let sizes: Vec<usize> = if template.uses_files() {
        files.iter().map(Vec::len).collect()
    } else if chunk_tests {
        values.tests.iter().map(Vec::len).collect()
    } else {
        Vec::new()
    };
    chunk::chunks(&sizes, fixed, budget)
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let junit = junit_for(i);
            let (chunk_files, tests) = if template.uses_files() {
                (&files[range], values.tests)
            } else if chunk_tests {
                (&[][..], &values.tests[range])
            } else {
                (&[][..], values.tests)
            };
            let values = Values {
                junit: junit.as_deref(),
                tests,
                ..values.clone()
            };
            placeholders::expand(template, &values, chunk_files, failed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{from_text, Source};
    use crate::select::{select, Change, Selection};
    use std::path::Path;

    fn config(text: &str) -> Config {
        from_text(text, Path::new("t.toml"), Source::Embedded("test")).unwrap()
    }

    const TWO_STAGES: &str = r#"
[stages.smoke]
groups = [{ name = "imports", run = "true", always = true }]
[stages.fast]
groups = [
  { name = "unit", run = "pytest -m {markers} {files}", markers = ["unit"] },
  { name = "db", run = "pytest", markers = ["database"] },
  { name = "js", run = "eslint {files}", files = ["*.js"] },
]
"#;

    #[test]
    fn no_targets_plans_every_stage_in_config_order() {
        let c = config(TWO_STAGES);
        let p = build(
            &c,
            &[],
            &Selection::everything("--all", vec![b"a.py".to_vec()]),
            &SkipList::default(),
        );
        let names: Vec<&str> = p.stages.iter().map(|s| s.stage.name.as_str()).collect();
        assert_eq!(names, ["smoke", "fast"]);
        assert_eq!(p.stages[1].groups.len(), 3);
    }

    #[test]
    fn a_group_target_plans_only_that_group() {
        let c = config(TWO_STAGES);
        let targets = [Target {
            stage: "fast".into(),
            group: Some("db".into()),
        }];
        let p = build(
            &c,
            &targets,
            &Selection::everything("--all", vec![]),
            &SkipList::default(),
        );
        assert_eq!(p.stages.len(), 1);
        assert_eq!(p.stages[0].groups.len(), 1);
        assert_eq!(p.stages[0].groups[0].group.name, "db");
    }

    /// Imported pre-commit hooks keep their `exclude` and regexes: the
    /// group gets only the files they let through, and none means a skip.
    #[test]
    fn group_exclude_and_path_regexes_narrow_its_files() {
        let c = config(
            r#"
[stages.smoke]
groups = [
  { name = "lint", run = "lint {files}", files = ["*.py"], exclude = ["vendor/**"], exclude_regex = '^tests/(?!keep)' },
  { name = "docs", run = "check {files}", files_regex = '^docs/(?!_build/)' },
]
"#,
        );
        let files = |paths: &[&str]| paths.iter().map(|p| p.as_bytes().to_vec()).collect();
        let p = build(
            &c,
            &[],
            &Selection::everything(
                "--all",
                files(&[
                    "a.py",
                    "vendor/v.py",
                    "tests/t.py",
                    "tests/keep.py",
                    "docs/_build/x.md",
                ]),
            ),
            &SkipList::default(),
        );
        let Decision::Run { files: got, .. } = &p.stages[0].groups[0].decision else {
            panic!("lint should run");
        };
        assert_eq!(got, &files(&["a.py", "tests/keep.py"]));
        let Decision::Skip { why } = &p.stages[0].groups[1].decision else {
            panic!("docs should be skipped");
        };
        assert_eq!(why, "no changed file passes files_regex ^docs/(?!_build/)");
    }

    #[test]
    fn skip_list_names_stages_groups_and_dotted_groups() {
        let c = config(TWO_STAGES);
        let skip = SkipList::parse("smoke, fast.db,js");
        let p = build(&c, &[], &Selection::everything("--all", vec![]), &skip);
        assert!(p.stages[0].skipped.is_some());
        let decisions: Vec<bool> = p.stages[1]
            .groups
            .iter()
            .map(|g| matches!(g.decision, Decision::Run { .. }))
            .collect();
        assert_eq!(decisions, [true, false, false]);
    }

    #[test]
    fn selection_decides_groups_and_their_files() {
        let text = format!("[settings]\nunmatched = \"none\"\n[[select]]\npaths = [\"app/**\"]\nmarkers = [\"unit\"]\n{TWO_STAGES}");
        let c = config(&text);
        let changes = vec![
            Change::new("app/x.py"),
            Change::new("web/y.js"),
            Change {
                path: b"app/old.py".to_vec(),
                old_path: None,
                deleted: true,
            },
        ];
        let s = select(
            changes,
            &c.rules,
            &c.settings.unmatched,
            &c.settings.run_all_triggers,
        );
        let p = build(&c, &[], &s, &SkipList::default());
        let fast = &p.stages[1];
        match &fast.groups[0].decision {
            Decision::Run { files, markers, .. } => {
                assert_eq!(files, &vec![b"app/x.py".to_vec(), b"web/y.js".to_vec()]);
                assert_eq!(markers, &vec!["unit".to_owned()]);
            }
            Decision::Skip { why } => panic!("unit skipped: {why}"),
        }
        assert!(
            matches!(fast.groups[1].decision, Decision::Skip { .. }),
            "db has no selected marker"
        );
        match &fast.groups[2].decision {
            Decision::Run { files, .. } => assert_eq!(files, &vec![b"web/y.js".to_vec()]),
            Decision::Skip { why } => panic!("js skipped: {why}"),
        }
    }

    #[test]
    fn invocations_chunk_long_file_lists_and_number_junit_paths() {
        let t = CommandTemplate::parse("lint --out {junit} {files}").unwrap();
        let files: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("{}/{i:05}.py", "d".repeat(190)).into_bytes())
            .collect();
        let budget = 256 * 1024;
        let junit_for = |i: usize| Some(std::path::PathBuf::from(format!("/tmp/j-{i}.xml")));
        let argvs = invocations(&t, &Values::default(), &files, &[], budget, &junit_for);
        assert!(argvs.len() > 1);
        let mut seen = 0;
        for (i, argv) in argvs.iter().enumerate() {
            assert_eq!(argv[0], "lint");
            assert_eq!(argv[2], OsString::from(format!("/tmp/j-{i}.xml")));
            let cost: usize = argv.iter().map(|a| a.len() + 1 + 8).sum();
            assert!(cost <= budget);
            seen += argv.len() - 3;
        }
        assert_eq!(seen, 20_000);
    }

    #[test]
    fn a_template_without_files_is_one_invocation() {
        let t = CommandTemplate::parse("pytest").unwrap();
        let files = vec![b"a".to_vec(); 10];
        assert_eq!(
            invocations(&t, &Values::default(), &files, &[], 4096, &|_| None),
            vec![vec![OsString::from("pytest")]]
        );
    }
}

#[cfg(test)]
mod tests_chunking {
    use super::*;

    #[test]
    fn tests_are_chunked_like_files() {
        let t = CommandTemplate::parse("pytest --junitxml {junit} {tests}").unwrap();
        let tests: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("{}/test_{i:05}.py", "t".repeat(190)).into_bytes())
            .collect();
        let values = Values {
            tests: &tests,
            ..Values::default()
        };
        let argvs = invocations(&t, &values, &[], &[], 256 * 1024, &|_| None);
        assert!(argvs.len() > 1);
        let seen: usize = argvs.iter().map(|a| a.len() - 3).sum();
        assert_eq!(seen, 20_000);
    }
}
