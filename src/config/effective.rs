//! The validated `Config` written back as `.tiergate.toml` text, with every
//! default filled in, for `config --show-effective`.
//!
//! Loading the text gives the same configuration: every value a default
//! decided (gates by stage name, hook stages, flaky results, run-all
//! triggers) is written out, so a user sees what runs and can start from it.
//! Values are quoted by the `toml` crate, never by hand. Pure: no IO.

use std::fmt::Write as _;
use std::time::Duration;

use super::model::{
    Config, FailWhen, Fix, FlakyResult, Globs, Isolation, NoTests, OnFail, PushDirty,
    ReleaseSelection, Target, Unmatched,
};
use super::path_filter::PathFilter;

/// The configuration as TOML text.
pub(crate) fn render(config: &Config) -> String {
    let mut out = String::new();
    settings(&mut out, config);
    if !config.env.is_empty() {
        out.push_str("\n[env]\n");
        for (name, value) in &config.env {
            line(&mut out, &key(name), &string(value));
        }
    }
    for rule in &config.rules {
        out.push_str("\n[[select]]\n");
        line(&mut out, "paths", &globs(&rule.paths));
        line(&mut out, "markers", &strings(&rule.markers));
    }
    for formatter in &config.formatters {
        let _ = writeln!(out, "\n[formatters.{}]", key(&formatter.name));
        line(&mut out, "run", &string(&formatter.run.source));
        line(&mut out, "files", &globs(&formatter.files));
        line(&mut out, "exclude", &globs(&formatter.exclude));
        path_regexes(&mut out, &formatter.filter);
        line(&mut out, "text_only", &formatter.text_only.to_string());
        if let Some(cwd) = &formatter.cwd {
            line(&mut out, "cwd", &string(cwd.as_str()));
        }
    }
    for service in &config.services {
        let _ = writeln!(out, "\n[services.{}]", key(&service.name));
        line(&mut out, "check", &string(&service.check.source));
        if let Some(start) = &service.start {
            line(&mut out, "start", &string(&start.source));
        }
        if let Some(stop) = &service.stop {
            line(&mut out, "stop", &string(&stop.source));
        }
        line(&mut out, "retries", &service.retries.to_string());
        line(&mut out, "interval", &duration(service.interval));
        line(&mut out, "needs", &strings(&service.needs));
        if let Some(cwd) = &service.cwd {
            line(&mut out, "cwd", &string(cwd.as_str()));
        }
    }
    stages(&mut out, config);
    hooks(&mut out, config);
    for hint in &config.hints {
        out.push_str("\n[[hints]]\n");
        line(&mut out, "pattern", &string(hint.pattern.as_str()));
        line(&mut out, "hint", &string(&hint.hint));
    }
    for entry in &config.quarantine {
        out.push_str("\n[[quarantine]]\n");
        line(&mut out, "test", &string(&entry.test));
        if let Some(reason) = &entry.reason {
            line(&mut out, "reason", &string(reason));
        }
        if let Some(expires) = &entry.expires {
            line(&mut out, "expires", &string(expires));
        }
    }
    out.push_str("\n[verdict]\n");
    line(
        &mut out,
        "min_success_rate",
        &float(config.verdict.min_success_rate),
    );
    if let Some(webhook) = &config.notify_webhook_env {
        out.push_str("\n[notify]\n");
        line(&mut out, "webhook_env", &string(webhook));
    }
    out
}

fn settings(out: &mut String, config: &Config) {
    let s = &config.settings;
    out.push_str("[settings]\n");
    if s.jobs_auto {
        let _ = writeln!(out, "jobs = \"auto\"  # {} on this machine", s.jobs);
    } else {
        line(out, "jobs", &s.jobs.to_string());
    }
    match &s.state_dir {
        Some(dir) => line(out, "state_dir", &string(&dir.to_string_lossy())),
        None => out.push_str("# state_dir: not set, so inside the git dir (.git/tiergate)\n"),
    }
    let unmatched = match &s.unmatched {
        Unmatched::All => string("all"),
        Unmatched::Nothing => string("none"),
        Unmatched::Markers(list) => strings(list),
    };
    line(out, "unmatched", &unmatched);
    line(out, "run_all_triggers", &globs(&s.run_all_triggers));
}

fn stages(out: &mut String, config: &Config) {
    for stage in &config.stages {
        let name = key(&stage.name);
        let _ = writeln!(out, "\n[stages.{name}]");
        let gate = &stage.gate;
        let mut fields = vec![
            (
                "fail_when",
                string(match gate.fail_when {
                    FailWhen::Any => "any",
                    FailWhen::Rate => "rate",
                }),
            ),
            ("max_failure_rate", float(gate.max_failure_rate)),
            (
                "on_fail",
                string(match gate.on_fail {
                    OnFail::Block => "block",
                    OnFail::Warn => "warn",
                    OnFail::Inform => "inform",
                }),
            ),
        ];
        if !gate.critical.is_empty() {
            fields.push(("critical", globs(&gate.critical)));
        }
        line(out, "gate", &inline(&fields));
        line(out, "needs", &strings(&stage.needs));
        if let Some(timeout) = stage.timeout {
            line(out, "timeout", &duration(timeout));
        }
        if let Some(budget) = &stage.budget {
            let mut fields = Vec::new();
            if let Some(warning) = budget.warning {
                fields.push(("warning", duration(warning)));
            }
            if let Some(max) = budget.max {
                fields.push(("max", duration(max)));
            }
            line(out, "budget", &inline(&fields));
        }
        for group in &stage.groups {
            let _ = writeln!(out, "\n[[stages.{name}.groups]]");
            line(out, "name", &string(&group.name));
            line(out, "run", &string(&group.run.source));
            line(out, "markers", &strings(&group.markers));
            if let Some(files) = &group.files {
                line(out, "files", &globs(files));
            }
            if let Some(exclude) = &group.filter.exclude {
                line(out, "exclude", &globs(exclude));
            }
            path_regexes(out, &group.filter);
            if let Some(tests) = &group.tests {
                line(out, "tests", &globs(tests));
            }
            if let Some(cwd) = &group.cwd {
                line(out, "cwd", &string(cwd.as_str()));
            }
            if !group.locks.is_empty() {
                line(out, "locks", &strings(&group.locks));
            }
            line(out, "always", &group.always.to_string());
            line(out, "workers", &group.workers.to_string());
            if let Some(timeout) = group.timeout {
                line(out, "timeout", &duration(timeout));
            }
            let codes: Vec<String> = group
                .ok_exit_codes
                .iter()
                .map(ToString::to_string)
                .collect();
            line(out, "ok_exit_codes", &format!("[{}]", codes.join(", ")));
            line(
                out,
                "no_tests",
                &string(match group.no_tests {
                    NoTests::Pass => "pass",
                    NoTests::Warn => "warn",
                    NoTests::Fail => "fail",
                }),
            );
            line(out, "retries", &group.retries.to_string());
            line(
                out,
                "flaky_result",
                &string(match group.flaky_result {
                    FlakyResult::Pass => "pass",
                    FlakyResult::Fail => "fail",
                }),
            );
            if let Some(inputs) = &group.inputs {
                line(out, "inputs", &globs(inputs));
            }
            line(out, "env_inputs", &strings(&group.env_inputs));
            line(out, "cache", &group.cache.to_string());
            if let Some(coverage) = &group.coverage {
                line(out, "coverage", &string(&coverage.to_string_lossy()));
            }
        }
    }
}

fn hooks(out: &mut String, config: &Config) {
    let h = &config.hooks;
    out.push_str("\n[hooks.pre-commit]\n");
    line(out, "stages", &targets(&h.pre_commit.stages));
    line(out, "formatters", &strings(&h.pre_commit.formatters));
    line(
        out,
        "fix",
        &string(match h.pre_commit.fix {
            Fix::Fail => "fail",
            Fix::Restage => "restage",
        }),
    );
    line(
        out,
        "isolation",
        &string(match h.pre_commit.isolation {
            Isolation::Stash => "stash",
            Isolation::Snapshot => "snapshot",
        }),
    );
    line(out, "share", &strings(&h.pre_commit.share));

    out.push_str("\n[hooks.pre-push]\n");
    line(out, "stages", &targets(&h.pre_push.stages));
    line(
        out,
        "push_dirty",
        &string(match h.pre_push.push_dirty {
            PushDirty::Warn => "warn",
            PushDirty::Block => "block",
            PushDirty::Snapshot => "snapshot",
        }),
    );

    out.push_str("\n[hooks.pre-release]\n");
    line(out, "stages", &targets(&h.pre_release.stages));
    // The loader anchors the tag pattern at the start of the tag name with a
    // leading `/`; the key is written without it.
    let pattern = h
        .pre_release
        .tag_pattern
        .patterns
        .first()
        .map_or("v*", |p| p.strip_prefix('/').unwrap_or(p));
    line(out, "tag_pattern", &string(pattern));
    line(
        out,
        "selection",
        &string(match h.pre_release.selection {
            ReleaseSelection::All => "all",
            ReleaseSelection::SinceLastRelease => "since-last-release",
        }),
    );
}

/// `files_regex` and `exclude_regex`, when set (their `exclude` globs are the caller's).
fn path_regexes(out: &mut String, filter: &PathFilter) {
    if let Some(regex) = &filter.files_regex {
        line(out, "files_regex", &string(&regex.source));
    }
    if let Some(regex) = &filter.exclude_regex {
        line(out, "exclude_regex", &string(&regex.source));
    }
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

/// A TOML string, quoted and escaped by the `toml` crate.
fn string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

fn strings(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn globs(globs: &Globs) -> String {
    strings(&globs.patterns)
}

fn targets(targets: &[Target]) -> String {
    let names: Vec<String> = targets.iter().map(ToString::to_string).collect();
    strings(&names)
}

fn float(value: f64) -> String {
    toml::Value::Float(value).to_string()
}

fn duration(value: Duration) -> String {
    string(&humantime::format_duration(value).to_string())
}

fn inline(fields: &[(&str, String)]) -> String {
    let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

/// A table or key name: bare when TOML allows it, else quoted.
fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        name.to_owned()
    } else {
        string(name)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::render;
    use crate::config::{from_text, Preset, RustTargets, Source};

    fn load(text: &str) -> crate::config::Config {
        from_text(text, Path::new(".tiergate.toml"), Source::Embedded("test"))
            .unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
    }

    /// Rendering, loading and rendering again gives the same text: nothing
    /// the first load decided is lost or changed by the second.
    fn assert_round_trip(text: &str) -> String {
        let first = render(&load(text));
        let second = render(&load(&first));
        assert_eq!(
            first, second,
            "the effective config does not load back the same"
        );
        first
    }

    const FULL: &str = r#"
[settings]
jobs = 3
state_dir = "build/tg"
unmatched = ["unit"]
run_all_triggers_extra = ["/deps.lock"]

[env]
ENVIRONMENT = "test"
"odd key" = "a \"quoted\" value"

[[select]]
paths = ["app/**/*.py"]
markers = ["unit"]

[[select]]
paths = ["docs/**"]
markers = []

[formatters.black]
run = "black --quiet"
files = ["*.py"]
files_regex = '^app/'
exclude_regex = '_pb2\.py$'
text_only = true
cwd = "app"

[services.db]
check = "pg_isready -p 5433"
cwd = "./db/"
start = "sh -c 'start it'"
retries = 3
interval = "250ms"

[stages.smoke]
groups = [{ name = "imports", run = "python -c 'import app'", always = true }]

[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.2, critical = ["tests/security/**"], flaky_result = "fail" }
needs = ["db"]
timeout = "1h 30m"
budget = { warning = "15m" }
[[stages.fast.groups]]
name = "unit"
markers = ["unit"]
run = "pytest -m '{markers}' -n {workers} --junitxml {junit}"
workers = 2
files = ["*.py"]
inputs = ["app/**"]
env_inputs = ["PYTHONPATH"]
ok_exit_codes = [0, 5]
no_tests = "pass"
retries = 1
cache = false
coverage = "coverage.xml"
exclude = ["app/generated/**"]
files_regex = '^app/'
exclude_regex = '(?<!_test)\.py$'
[[stages.fast.groups]]
name = "affected"
run = "pytest {tests}"
tests = ["tests/**/test_*.py"]
cwd = "backend"
locks = ["db", "cache", "db"]

[stages.performance]

[hooks.pre-commit]
formatters = []
fix = "restage"
isolation = "snapshot"
share = [".venv"]

[hooks.pre-push]
push_dirty = "block"

[hooks.pre-release]
tag_pattern = "release-*"
selection = "since-last-release"

[[hints]]
pattern = "connection refused"
hint = "start the database"

[[quarantine]]
test = "tests/test_x.py::test_y"
reason = "flaky"
expires = "2027-01-31"

[verdict]
min_success_rate = 0.9

[notify]
webhook_env = "HOOK_URL"
"#;

    #[test]
    fn a_full_config_loads_back_the_same() {
        let text = assert_round_trip(FULL);
        for expected in [
            "jobs = 3\n",
            "state_dir = \"build/tg\"",
            "unmatched = [\"unit\"]",
            "\"/deps.lock\"",
            "\"/uv.lock\"",
            "\"odd key\" = 'a \"quoted\" value'",
            "markers = []",
            "gate = { fail_when = \"rate\", max_failure_rate = 0.2, on_fail = \"block\", critical = [\"tests/security/**\"] }",
            "timeout = \"1h 30m\"",
            "flaky_result = \"fail\"",
            "gate = { fail_when = \"any\", max_failure_rate = 0.0, on_fail = \"inform\" }",
            "stages = [\"smoke\", \"fast\"]",
            "fix = \"restage\"",
            "push_dirty = \"block\"",
            "files_regex = \"^app/\"",
            "exclude_regex = '_pb2\\.py$'",
            "text_only = true",
            "exclude = [\"app/generated/**\"]",
            "exclude_regex = '(?<!_test)\\.py$'",
            "tests = [\"tests/**/test_*.py\"]",
            "tag_pattern = \"release-*\"",
            "selection = \"since-last-release\"",
            "interval = \"250ms\"",
            "cwd = \"app\"",
            "cwd = \"db\"",
            "cwd = \"backend\"",
            "locks = [\"cache\", \"db\"]",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn the_defaults_are_written_out() {
        let text =
            assert_round_trip("[stages.fast]\ngroups = [{ name = \"unit\", run = \"true\" }]\n");
        for expected in [
            "jobs = \"auto\"",
            "unmatched = \"all\"",
            "\"/Cargo.lock\"",
            "gate = { fail_when = \"rate\", max_failure_rate = 0.1, on_fail = \"block\" }",
            "[hooks.pre-commit]\nstages = [\"fast.unit\"]",
            "fix = \"fail\"",
            "isolation = \"stash\"",
            "[hooks.pre-push]\nstages = [\"fast\"]\npush_dirty = \"warn\"",
            "tag_pattern = \"v*\"",
            "selection = \"all\"",
            "min_success_rate = 0.8",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn every_preset_loads_back_the_same() {
        for preset in [
            Preset::Rust {
                nextest: true,
                targets: RustTargets {
                    workspace: false,
                    lib: true,
                    bins: true,
                    integration: true,
                },
            },
            Preset::Rust {
                nextest: false,
                targets: RustTargets {
                    workspace: true,
                    lib: true,
                    bins: true,
                    integration: false,
                },
            },
            Preset::Python {
                black: true,
                ruff: true,
                markers: vec!["unit".into(), "slow".into()],
                tests_folder: true,
            },
            Preset::Node {
                scripts: vec!["lint".into(), "test".into()],
            },
            Preset::Generic,
        ] {
            assert_round_trip(&preset.text());
        }
    }
}
