//! Formatters of a pre-commit run (SPEC 4, 7): each on the staged files its
//! `files` globs match (minus `exclude`), chunked to the argument limit, in
//! parallel, except that two formatters sharing a file run in listed order.
//!
//! Runs commands only; what the formatters changed, and what becomes of it,
//! is `worktree`'s business.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::config::Formatter;
use crate::exec::{self, Command, Exit};
use crate::pipeline::{Event, Reporter, Resolved};
use crate::plan;

/// How one formatter ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FormatterStatus {
    Ran,
    /// Non-zero exit, a signal, or it could not start: its output tail.
    Failed {
        why: String,
        output: Vec<u8>,
    },
    /// No staged file matches its globs.
    NoFiles,
    /// Named in `TIERGATE_SKIP`.
    Skipped,
    Interrupted,
}

#[derive(Debug, Clone)]
pub(crate) struct FormatterResult {
    pub(crate) name: String,
    pub(crate) files: usize,
    pub(crate) status: FormatterStatus,
}

/// The staged files a formatter gets: matching `files` (and `files_regex`),
/// not `exclude` (nor `exclude_regex`), and text when `text_only` (read in
/// the work tree at `root`), inside its `cwd` when it has one. They stay
/// repository paths: what is restaged afterwards is named from the root.
pub(crate) fn files_for(formatter: &Formatter, staged: &[Vec<u8>], root: &Path) -> Vec<Vec<u8>> {
    staged
        .iter()
        .filter(|p| formatter.cwd.as_ref().is_none_or(|cwd| cwd.holds(p)))
        .filter(|p| formatter.files.is_match(p))
        .filter(|p| formatter.exclude.is_empty() || !formatter.exclude.is_match(p))
        .filter(|p| formatter.filter.admits(p))
        .filter(|p| {
            !formatter.text_only
                || crate::config::is_text_file(&root.join(std::ffi::OsStr::from_bytes(p)))
        })
        .cloned()
        .collect()
}

/// Waves of formatter indexes: a formatter goes one wave after the last
/// earlier formatter it shares a file with, so no file is written by two at
/// once and overlapping formatters keep their listed order.
pub(crate) fn waves(sets: &[Vec<Vec<u8>>]) -> Vec<Vec<usize>> {
    let mut wave_of: Vec<usize> = Vec::with_capacity(sets.len());
    for (i, set) in sets.iter().enumerate() {
        let wave = (0..i)
            .filter(|&j| sets[j].iter().any(|f| set.contains(f)))
            .map(|j| wave_of[j] + 1)
            .max()
            .unwrap_or(0);
        wave_of.push(wave);
    }
    let count = wave_of.iter().max().map_or(0, |m| m + 1);
    let mut waves = vec![Vec::new(); count];
    for (i, w) in wave_of.iter().enumerate() {
        waves[*w].push(i);
    }
    waves
}

/// Run `formatters` on `staged` files in `root`. `skipped(name)` says
/// whether `TIERGATE_SKIP` names it. Each result is also emitted, in the
/// listed order once all have ended, so the view does not depend on which
/// wave finished first.
pub(crate) fn run(
    formatters: &[&Formatter],
    staged: &[Vec<u8>],
    skipped: &(dyn Fn(&str) -> bool + Sync),
    resolved: &Resolved,
    root: &Path,
    env: &[(OsString, OsString)],
    events: &Reporter,
) -> Vec<FormatterResult> {
    let sets: Vec<Vec<Vec<u8>>> = formatters
        .iter()
        .map(|f| {
            if skipped(&f.name) {
                Vec::new()
            } else {
                files_for(f, staged, root)
            }
        })
        .collect();
    let mut results: Vec<Option<FormatterResult>> = vec![None; formatters.len()];
    for wave in waves(&sets) {
        let finished: Vec<(usize, FormatterResult)> = std::thread::scope(|scope| {
            let handles: Vec<_> = wave
                .iter()
                .map(|&i| {
                    let formatter = formatters[i];
                    let files = &sets[i];
                    scope.spawn(move || {
                        let status = if skipped(&formatter.name) {
                            FormatterStatus::Skipped
                        } else if files.is_empty() {
                            FormatterStatus::NoFiles
                        } else {
                            run_one(formatter, files, resolved, root, env)
                        };
                        (
                            i,
                            FormatterResult {
                                name: formatter.name.clone(),
                                files: files.len(),
                                status,
                            },
                        )
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        for (i, result) in finished {
            results[i] = Some(result);
        }
    }
    let results: Vec<FormatterResult> = results
        .into_iter()
        .zip(formatters)
        .map(|(r, f)| {
            r.unwrap_or_else(|| FormatterResult {
                name: f.name.clone(),
                files: 0,
                status: FormatterStatus::Failed {
                    why: "it panicked".into(),
                    output: Vec::new(),
                },
            })
        })
        .collect();
    for result in &results {
        events.emit(&Event::FormatterFinished(result));
    }
    results
}

fn run_one(
    formatter: &Formatter,
    files: &[Vec<u8>],
    resolved: &Resolved,
    root: &Path,
    env: &[(OsString, OsString)],
) -> FormatterStatus {
    let template = formatter.run.with_files_appended();
    let program = resolved.program_in(&formatter.run, formatter.cwd.as_ref());
    let cwd = crate::config::run_folder(root, formatter.cwd.as_ref());
    let env = crate::config::with_project_env(env, &formatter.env);
    let invocations = plan::invocations(
        &template,
        &plan::Values {
            cwd: formatter.cwd.as_ref(),
            ..plan::Values::default()
        },
        files,
        &[],
        plan::argv_budget(),
        &|_| None,
    );
    for argv in &invocations {
        let finished = exec::run(&Command {
            argv,
            program: &program,
            cwd: &cwd,
            env: &env,
            deadline: None,
            on_output: None,
        });
        let why = match finished.exit {
            Exit::Code(0) => continue,
            Exit::Code(code) => format!("exit code {code}"),
            Exit::Signal(signal) => format!("killed by signal {signal}"),
            Exit::TimedOut => "timed out".to_owned(),
            Exit::Interrupted => return FormatterStatus::Interrupted,
            Exit::NotStarted(why) => why,
        };
        if exec::interrupted().is_some() {
            return FormatterStatus::Interrupted;
        }
        return FormatterStatus::Failed {
            why,
            output: finished.output,
        };
    }
    FormatterStatus::Ran
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> Vec<Vec<u8>> {
        names.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    #[test]
    fn disjoint_formatters_share_one_wave() {
        let w = waves(&[set(&["a.py"]), set(&["b.js"]), set(&[])]);
        assert_eq!(w, vec![vec![0, 1, 2]]);
    }

    #[test]
    fn formatters_sharing_a_file_run_in_listed_order() {
        // black, ruff and isort share Python files; prettier is independent.
        let w = waves(&[
            set(&["a.py", "b.py"]),
            set(&["b.js"]),
            set(&["b.py"]),
            set(&["a.py", "b.py"]),
        ]);
        assert_eq!(w, vec![vec![0, 1], vec![2], vec![3]]);
        // Two that only overlap an earlier one, not each other, share a wave.
        let w = waves(&[set(&["a.py", "b.py"]), set(&["a.py"]), set(&["b.py"])]);
        assert_eq!(w, vec![vec![0], vec![1, 2]]);
    }

    #[test]
    fn overlap_is_judged_on_actual_files_not_globs() {
        let w = waves(&[set(&["x.py"]), set(&["y.py"])]);
        assert_eq!(w.len(), 1);
    }
}
