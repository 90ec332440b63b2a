//! Raw serde model → validated `Config`: every check happens here, at load.
//!
//! Each error names the file, line and column, the key, what is valid, and
//! how to fix it. Defaults that depend on a stage's name (SPEC 9) are filled
//! in here too, so the rest of the program never sees an `Option` for them.

use std::path::Path;
use std::time::Duration;

use globset::GlobBuilder;
use toml::Spanned;

use super::command::CommandTemplate;
use super::model::{
    Budget, Config, Cwd, FailWhen, Fix, FlakyResult, Formatter, Gate, Globs, Group, Hint, Hooks,
    Isolation, NoTests, OnFail, OtherHook, PathFilter, PathRegex, PreCommit, PrePush, PreRelease,
    PushDirty, Quarantine, ReleaseSelection, SelectRule, Service, Settings, Source, Stage, Target,
    Unmatched, VerdictSettings,
};
use super::raw::{RawConfig, RawGate, RawGroup, RawHook, RawService, RawStage};
use crate::error::{unknown_name_hint, Error, Location};

/// Files whose change selects everything (SPEC 6.2). A leading `/` anchors a
/// pattern at the repository root; a pattern without `/` matches at any depth.
pub(crate) const DEFAULT_RUN_ALL_TRIGGERS: &[&str] = &[
    "/Cargo.lock",
    "/Cargo.toml",
    "/pyproject.toml",
    "/setup.cfg",
    "/setup.py",
    "/requirements*.txt",
    "**/conftest.py",
    "/pytest.ini",
    "/tox.ini",
    "/package.json",
    "/package-lock.json",
    "/npm-shrinkwrap.json",
    "/pnpm-lock.yaml",
    "/yarn.lock",
    "/.tiergate.toml",
    "/.gitattributes",
    "/.gitmodules",
    "/uv.lock",
    "/poetry.lock",
    "/Pipfile.lock",
    "/.python-version",
    "/go.mod",
    "/go.sum",
    "/bun.lock",
    "/bun.lockb",
    "/rust-toolchain.toml",
];

/// Where messages point: the file and its text, to turn spans into lines.
pub(crate) struct Origin<'a> {
    pub(crate) file: &'a Path,
    pub(crate) text: &'a str,
    /// The folder holding the config file, where `cwd` folders must exist
    /// (none for an embedded config).
    pub(crate) root: Option<&'a Path>,
}

impl Origin<'_> {
    #[expect(
        clippy::unnecessary_wraps,
        reason = "callers pass it where a location is optional"
    )]
    fn at<T>(&self, spanned: &Spanned<T>) -> Option<Location> {
        Some(Location::at_offset(
            self.file,
            self.text,
            spanned.span().start,
        ))
    }

    pub(crate) fn error<T>(&self, spanned: &Spanned<T>, headline: String) -> Error {
        Error::new(headline).at(self.at(spanned))
    }

    fn error_at_key(&self, key: &str, headline: String) -> Error {
        let location =
            find_key(self.text, key).map(|o| Location::at_offset(self.file, self.text, o));
        Error::new(headline).at(location)
    }
}

/// The offset of a `[table]` header or `key =` line, for checks whose value
/// carries no span (a missing key, a whole table).
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with(&format!("[{key}]"))
            || trimmed.starts_with(&format!("[[{key}]]"))
            || trimmed.starts_with(&format!("{key} "))
            || trimmed.starts_with(&format!("{key}="))
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// Parse TOML text into the raw model, with serde's message and a location.
pub(crate) fn parse(origin: &Origin<'_>) -> Result<RawConfig, Error> {
    toml::from_str::<RawConfig>(origin.text).map_err(|e| {
        let location = e
            .span()
            .map(|s| Location::at_offset(origin.file, origin.text, s.start));
        let message = e
            .message()
            .trim()
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("; ");
        let hint = if message.starts_with("unknown field") {
            unknown_field_hint(&message)
        } else {
            "fix the value; see the config reference in README.md".to_owned()
        };
        Error::new(format!("invalid {}: {message}", origin.file.display()))
            .at(location)
            .hint(hint)
    })
}

/// serde says "unknown field `timout`, expected one of `groups`, `timeout`";
/// turn that into "did you mean `timeout`?".
fn unknown_field_hint(message: &str) -> String {
    let names: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    let fallback =
        "remove or rename the key; see `tiergate config --schema` for every valid key".to_owned();
    let Some((unknown, valid)) = names.split_first() else {
        return fallback;
    };
    match crate::error::did_you_mean(unknown, valid.iter().copied()) {
        Some(close) => {
            format!("did you mean `{close}`? or remove the key; see `tiergate config --schema`")
        }
        None => fallback,
    }
}

/// `member_stages`: the stages of the `[projects]` members, which the root's
/// hooks may name too (their own names, unqualified).
pub(crate) fn validate(
    raw: &RawConfig,
    origin: &Origin<'_>,
    source: Source,
    member_stages: &[Stage],
) -> Result<Config, Error> {
    let settings = settings(raw, origin)?;
    let rules = raw
        .select
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            Ok(SelectRule {
                paths: globs(&rule.paths, origin, "select.paths")?,
                markers: super::markers::rule_markers(&rule.markers, origin, i + 1)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let unmatched_markers = match &settings.unmatched {
        Unmatched::Markers(list) => list.clone(),
        Unmatched::All | Unmatched::Nothing => Vec::new(),
    };
    let rule_markers: Vec<Vec<String>> = rules.iter().map(|r| r.markers.clone()).collect();
    let warnings = super::markers::check(raw, &rule_markers, &unmatched_markers, origin);

    let mut formatters = Vec::new();
    for (name, raw_formatter) in &raw.formatters {
        let key = format!("formatters.{name}");
        let run = command(raw_formatter.run.as_ref(), origin, &key)?;
        formatters.push(Formatter {
            name: name.clone(),
            run: run.with_files_appended(),
            files: globs(&raw_formatter.files, origin, &format!("{key}.files"))?,
            exclude: globs(&raw_formatter.exclude, origin, &format!("{key}.exclude"))?,
            filter: path_filter(
                None,
                raw_formatter.files_regex.as_ref(),
                raw_formatter.exclude_regex.as_ref(),
                origin,
                &key,
            )?,
            text_only: raw_formatter.text_only,
            cwd: cwd(raw_formatter.cwd.as_ref(), origin, &key)?,
            env: Vec::new(),
        });
    }

    let services = raw
        .services
        .iter()
        .map(|(name, s)| service(name, s, origin))
        .collect::<Result<Vec<_>, _>>()?;
    check_service_needs(raw, origin)?;

    let mut stages = Vec::new();
    for (name, raw_stage) in &raw.stages {
        stages.push(stage(name, raw_stage, origin)?);
    }

    let mut visible = stages.clone();
    for member_stage in member_stages {
        if !visible.iter().any(|s| s.name == member_stage.name) {
            visible.push(member_stage.clone());
        }
    }
    let hooks = hooks(raw, &visible, &formatters, origin)?;
    let hints = raw
        .hints
        .iter()
        .map(|h| {
            regex::Regex::new(h.pattern.get_ref())
                .map(|pattern| Hint {
                    pattern,
                    hint: h.hint.clone(),
                    project: None,
                })
                .map_err(|e| {
                    origin
                        .error(
                            &h.pattern,
                            format!("invalid regular expression in [[hints]] pattern: {e}"),
                        )
                        .hint("patterns are regular expressions; escape special characters with \\")
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let quarantine = raw
        .quarantine
        .iter()
        .map(|q| {
            if let Some(expires) = &q.expires {
                if !is_iso_date(expires.get_ref()) {
                    return Err(origin
                        .error(
                            expires,
                            format!(
                                "invalid date `{}` in [[quarantine]] expires",
                                expires.get_ref()
                            ),
                        )
                        .hint("write the date as YYYY-MM-DD, e.g. expires = \"2027-01-31\""));
                }
            }
            Ok(Quarantine {
                test: q.test.get_ref().clone(),
                reason: q.reason.clone(),
                expires: q.expires.as_ref().map(|e| e.get_ref().clone()),
                project: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let min_success_rate = raw.verdict.min_success_rate.unwrap_or(0.80);
    if !(0.0..=1.0).contains(&min_success_rate) {
        return Err(origin
            .error_at_key(
                "min_success_rate",
                format!("[verdict] min_success_rate = {min_success_rate} is out of range"),
            )
            .hint("give a fraction between 0 and 1, e.g. 0.80"));
    }

    Ok(Config {
        source,
        settings,
        env: raw
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        rules,
        formatters,
        services,
        stages,
        hooks,
        hints,
        quarantine,
        verdict: VerdictSettings { min_success_rate },
        notify_webhook_env: raw.notify.webhook_env.clone(),
        warnings,
        projects: Vec::new(),
    })
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn settings(raw: &RawConfig, origin: &Origin<'_>) -> Result<Settings, Error> {
    let jobs_auto = matches!(
        raw.settings.jobs.as_ref().map(Spanned::get_ref),
        None | Some(toml::Value::String(_))
    );
    let jobs = match &raw.settings.jobs {
        None => auto_jobs(),
        Some(value) => match value.get_ref() {
            toml::Value::String(s) if s == "auto" => auto_jobs(),
            toml::Value::Integer(n) if *n >= 1 => usize::try_from(*n).unwrap_or(usize::MAX),
            other => return Err(origin
                .error(value, format!("invalid [settings] jobs = {other}"))
                .hint(
                    "use jobs = \"auto\" (one slot per CPU) or a positive number, e.g. jobs = 4",
                )),
        },
    };
    let unmatched = match &raw.settings.unmatched {
        None => Unmatched::All,
        Some(value) => match value.get_ref() {
            toml::Value::String(s) if s == "all" => Unmatched::All,
            toml::Value::String(s) if s == "none" => Unmatched::Nothing,
            toml::Value::Array(items) if items.iter().all(toml::Value::is_str) => {
                Unmatched::Markers(
                    items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                )
            }
            other => {
                return Err(origin
                    .error(value, format!("invalid [settings] unmatched = {other}"))
                    .hint("use \"all\", \"none\", or a list of markers such as [\"unit\"]"))
            }
        },
    };
    // `run_all_triggers` replaces the built-in list; `run_all_triggers_extra`
    // adds to whichever list applies, so a project can name its own lockfile
    // without restating (and silently dropping) the built-in ones.
    let mut triggers: Vec<Spanned<String>> = match &raw.settings.run_all_triggers {
        Some(list) => list.clone(),
        None => DEFAULT_RUN_ALL_TRIGGERS
            .iter()
            .map(|s| Spanned::new(0..0, (*s).to_owned()))
            .collect(),
    };
    triggers.extend(
        raw.settings
            .run_all_triggers_extra
            .iter()
            .flatten()
            .cloned(),
    );
    let run_all_triggers = globs(&triggers, origin, "settings.run_all_triggers")?;
    Ok(Settings {
        jobs,
        jobs_auto,
        state_dir: raw.settings.state_dir.as_ref().map(Into::into),
        unmatched,
        run_all_triggers,
    })
}

fn auto_jobs() -> usize {
    crate::exec::cores()
}

/// Compile user globs, gitignore-style: no `/` matches at any depth, a leading
/// `/` anchors at the root, `*` stops at `/`, `**` crosses it.
pub(crate) fn compile_globs(patterns: Vec<String>) -> Result<Globs, (usize, globset::Error)> {
    let mut globs = Vec::with_capacity(patterns.len());
    for (i, pattern) in patterns.iter().enumerate() {
        let normalized = if let Some(anchored) = pattern.strip_prefix('/') {
            anchored.to_owned()
        } else if pattern.contains('/') {
            pattern.clone()
        } else {
            format!("**/{pattern}")
        };
        let glob = GlobBuilder::new(&normalized)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| (i, e))?;
        globs.push(glob);
    }
    Ok(Globs::new(patterns, globs))
}

/// A release tag pattern: matched against the whole tag name, `*` crossing
/// `/` as in `git describe --match`. The pattern is kept as written, since the
/// previous release is looked up with it too.
fn tag_globs(pattern: &str) -> Result<Globs, globset::Error> {
    let glob = GlobBuilder::new(pattern).backslash_escape(true).build()?;
    Ok(Globs::new(vec![pattern.to_owned()], vec![glob]))
}

fn globs(list: &[Spanned<String>], origin: &Origin<'_>, key: &str) -> Result<Globs, Error> {
    compile_globs(list.iter().map(|s| s.get_ref().clone()).collect()).map_err(|(i, e)| {
        let at = list.get(i).and_then(|s| origin.at(s));
        Error::new(format!(
            "invalid glob `{}` in {key}: {}",
            list.get(i).map_or("", |s| s.get_ref()),
            e.kind()
        ))
        .at(at)
        .hint("globs use `*` within a folder, `**` across folders, `?`, `[abc]` and `{a,b}`")
    })
}

fn command(
    run: Option<&Spanned<String>>,
    origin: &Origin<'_>,
    key: &str,
) -> Result<CommandTemplate, Error> {
    let Some(run) = run else {
        return Err(origin
            .error_at_key(
                key.rsplit('.').next().unwrap_or(key),
                format!("{key} has no `run` command"),
            )
            .hint("add the command to run, e.g. run = \"pytest tests/unit\""));
    };
    let mut template = CommandTemplate::parse(run.get_ref()).map_err(|e| {
        origin
            .error(run, format!("invalid `run` in {key}: {e}"))
            .hint(e.hint())
    })?;
    template.location = origin.at(run);
    Ok(template)
}

fn duration(value: &Spanned<String>, origin: &Origin<'_>, key: &str) -> Result<Duration, Error> {
    humantime::parse_duration(value.get_ref()).map_err(|e| {
        origin
            .error(
                value,
                format!("invalid duration `{}` for {key}: {e}", value.get_ref()),
            )
            .hint("write a number and a unit, e.g. \"90s\", \"5m\" or \"1h 30m\"")
    })
}

fn choice<T: Copy>(
    value: &Spanned<String>,
    origin: &Origin<'_>,
    key: &str,
    options: &[(&str, T)],
) -> Result<T, Error> {
    options
        .iter()
        .find(|(name, _)| name == value.get_ref())
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            origin
                .error(
                    value,
                    format!("invalid value `{}` for {key}", value.get_ref()),
                )
                .hint(unknown_name_hint("valid values", value.get_ref(), &names))
        })
}

fn service(name: &str, raw: &RawService, origin: &Origin<'_>) -> Result<Service, Error> {
    let key = format!("services.{name}");
    let Some(check) = &raw.check else {
        return Err(origin
            .error_at_key(&key, format!("[{key}] has no `check` command"))
            .hint("add a command that succeeds when the service is ready, e.g. check = \"pg_isready -h localhost\""));
    };
    let check = command(Some(check), origin, &format!("{key}.check"))?;
    let start = raw
        .start
        .as_ref()
        .map(|s| command(Some(s), origin, &format!("{key}.start")))
        .transpose()?;
    let stop = raw
        .stop
        .as_ref()
        .map(|s| command(Some(s), origin, &format!("{key}.stop")))
        .transpose()?;
    let interval = match &raw.interval {
        Some(i) => duration(i, origin, &format!("{key}.interval"))?,
        None => Duration::from_secs(1),
    };
    Ok(Service {
        name: name.to_owned(),
        needs: raw
            .needs
            .iter()
            .flatten()
            .map(|n| n.get_ref().clone())
            .collect(),
        check,
        start,
        stop,
        retries: raw.retries.unwrap_or(10).max(1),
        interval,
        cwd: cwd(raw.cwd.as_ref(), origin, &key)?,
        env: Vec::new(),
    })
}

/// Unknown services in any `needs`, and cycles among services' own `needs`.
fn check_service_needs(raw: &RawConfig, origin: &Origin<'_>) -> Result<(), Error> {
    let names: Vec<&str> = raw.services.keys().map(String::as_str).collect();
    let unknown = |need: &Spanned<String>, owner: &str| {
        origin
            .error(
                need,
                format!("unknown service `{}` in needs of {owner}", need.get_ref()),
            )
            .hint(unknown_name_hint("services", need.get_ref(), &names))
    };
    for (stage_name, stage) in &raw.stages {
        for need in &stage.needs {
            if !raw.services.contains_key(need.get_ref()) {
                return Err(unknown(need, &format!("[stages.{stage_name}]")));
            }
        }
    }
    for (service_name, service) in &raw.services {
        for need in service.needs.iter().flatten() {
            if !raw.services.contains_key(need.get_ref()) {
                return Err(unknown(need, &format!("[services.{service_name}]")));
            }
        }
    }
    // Depth-first search for a cycle: 0 = unvisited, 1 = on the path, 2 = done.
    let mut state = vec![0u8; names.len()];
    fn visit(
        i: usize,
        raw: &RawConfig,
        names: &[&str],
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        if state[i] == 2 {
            return None;
        }
        if state[i] == 1 {
            let from = path.iter().position(|&p| p == i).unwrap_or(0);
            let mut cycle = path[from..].to_vec();
            cycle.push(i);
            return Some(cycle);
        }
        state[i] = 1;
        path.push(i);
        let service = &raw.services[names[i]];
        for need in service.needs.iter().flatten() {
            if let Some(j) = names.iter().position(|n| n == need.get_ref()) {
                if let Some(cycle) = visit(j, raw, names, state, path) {
                    return Some(cycle);
                }
            }
        }
        path.pop();
        state[i] = 2;
        None
    }
    for i in 0..names.len() {
        if let Some(cycle) = visit(i, raw, &names, &mut state, &mut Vec::new()) {
            let chain: Vec<&str> = cycle.iter().map(|&c| names[c]).collect();
            return Err(origin
                .error_at_key(
                    &format!("services.{}", chain[0]),
                    format!(
                        "services need each other in a cycle: {}",
                        chain.join(" -> ")
                    ),
                )
                .hint("remove one of the `needs` so that services can be started in order"));
        }
    }
    Ok(())
}

/// SPEC 9 defaults, by stage name.
fn default_gate(stage: &str) -> (FailWhen, f64, OnFail) {
    match stage {
        "fast" => (FailWhen::Rate, 0.10, OnFail::Block),
        "comprehensive" => (FailWhen::Rate, 0.05, OnFail::Block),
        "performance" => (FailWhen::Any, 0.0, OnFail::Inform),
        _ => (FailWhen::Any, 0.0, OnFail::Block),
    }
}

fn gate(
    stage: &str,
    raw: Option<&RawGate>,
    origin: &Origin<'_>,
) -> Result<(Gate, Option<FlakyResult>), Error> {
    let (mut fail_when, mut rate, mut on_fail) = default_gate(stage);
    let default = RawGate::default();
    let raw = raw.unwrap_or(&default);
    let key = format!("stages.{stage}.gate");
    if let Some(f) = &raw.fail_when {
        fail_when = choice(
            f,
            origin,
            &format!("{key}.fail_when"),
            &[("any", FailWhen::Any), ("rate", FailWhen::Rate)],
        )?;
        if fail_when == FailWhen::Rate && raw.max_failure_rate.is_none() && rate == 0.0 {
            rate = 0.10;
        }
    }
    if let Some(r) = &raw.max_failure_rate {
        if !(0.0..=1.0).contains(r.get_ref()) {
            return Err(origin
                .error(
                    r,
                    format!("{key}.max_failure_rate = {} is out of range", r.get_ref()),
                )
                .hint("give a fraction between 0 and 1, e.g. 0.10 for 10 %"));
        }
        rate = *r.get_ref();
    }
    if let Some(o) = &raw.on_fail {
        on_fail = choice(
            o,
            origin,
            &format!("{key}.on_fail"),
            &[
                ("block", OnFail::Block),
                ("warn", OnFail::Warn),
                ("inform", OnFail::Inform),
            ],
        )?;
    }
    let critical = globs(
        raw.critical.as_deref().unwrap_or(&[]),
        origin,
        &format!("{key}.critical"),
    )?;
    let flaky = raw
        .flaky_result
        .as_ref()
        .map(|f| flaky_result(f, origin, &format!("{key}.flaky_result")))
        .transpose()?;
    Ok((
        Gate {
            fail_when,
            max_failure_rate: rate,
            on_fail,
            critical,
        },
        flaky,
    ))
}

fn flaky_result(
    value: &Spanned<String>,
    origin: &Origin<'_>,
    key: &str,
) -> Result<FlakyResult, Error> {
    choice(
        value,
        origin,
        key,
        &[("pass", FlakyResult::Pass), ("fail", FlakyResult::Fail)],
    )
}

fn stage(name: &str, raw: &RawStage, origin: &Origin<'_>) -> Result<Stage, Error> {
    if name.contains('.') || name.is_empty() {
        return Err(origin
            .error_at_key(
                &format!("stages.{name}"),
                format!("invalid stage name `{name}`"),
            )
            .hint("stage names cannot contain `.`: `stage.group` names a group"));
    }
    if name.contains(':') {
        return Err(origin
            .error_at_key(
                &format!("stages.{name}"),
                format!("invalid stage name `{name}`"),
            )
            .hint("stage names cannot contain `:`: `project:stage` names a sub-project's stage"));
    }
    let (gate, stage_flaky) = gate(name, raw.gate.as_ref(), origin)?;
    let default_flaky = stage_flaky.unwrap_or(if gate.fail_when == FailWhen::Any {
        FlakyResult::Fail
    } else {
        FlakyResult::Pass
    });
    let mut groups: Vec<Group> = Vec::new();
    for (i, raw_group) in raw.groups.iter().enumerate() {
        let group = group(name, i, raw_group, default_flaky, origin)?;
        if let (true, Some(spanned)) =
            (groups.iter().any(|g| g.name == group.name), &raw_group.name)
        {
            return Err(origin
                .error(
                    spanned,
                    format!("group `{}` is defined twice in [stages.{name}]", group.name),
                )
                .hint("give every group of a stage its own name"));
        }
        groups.push(group);
    }
    Ok(Stage {
        name: name.to_owned(),
        project: super::model::ROOT_PROJECT.to_owned(),
        groups,
        gate,
        needs: raw.needs.iter().map(|n| n.get_ref().clone()).collect(),
        timeout: raw
            .timeout
            .as_ref()
            .map(|t| duration(t, origin, &format!("stages.{name}.timeout")))
            .transpose()?,
        budget: raw
            .budget
            .as_ref()
            .map(|b| -> Result<Budget, Error> {
                Ok(Budget {
                    warning: b
                        .warning
                        .as_ref()
                        .map(|w| duration(w, origin, &format!("stages.{name}.budget.warning")))
                        .transpose()?,
                    max: b
                        .max
                        .as_ref()
                        .map(|m| duration(m, origin, &format!("stages.{name}.budget.max")))
                        .transpose()?,
                })
            })
            .transpose()?,
    })
}

fn group(
    stage: &str,
    index: usize,
    raw: &RawGroup,
    default_flaky: FlakyResult,
    origin: &Origin<'_>,
) -> Result<Group, Error> {
    let Some(name) = &raw.name else {
        return Err(origin
            .error_at_key(
                &format!("stages.{stage}"),
                format!("group {} of [stages.{stage}] has no name", index + 1),
            )
            .hint("give it a name, e.g. { name = \"unit\", run = \"pytest tests/unit\" }"));
    };
    let key = format!("stages.{stage}.groups.{}", name.get_ref());
    if name.get_ref().is_empty() || name.get_ref().contains('.') {
        return Err(origin
            .error(
                name,
                format!(
                    "invalid group name `{}` in [stages.{stage}]",
                    name.get_ref()
                ),
            )
            .hint("group names cannot be empty or contain `.`"));
    }
    let Some(run_value) = &raw.run else {
        return Err(origin
            .error(
                name,
                format!(
                    "group `{}` of [stages.{stage}] has no `run` command",
                    name.get_ref()
                ),
            )
            .hint("add the command to run, e.g. run = \"pytest tests/unit --junitxml {junit}\""));
    };
    let run = command(Some(run_value), origin, &key)?;
    let cwd = cwd(raw.cwd.as_ref(), origin, &key)?;
    let workers = match &raw.workers {
        None => 1,
        Some(w) if *w.get_ref() >= 1 => usize::try_from(*w.get_ref()).unwrap_or(1),
        Some(w) => {
            return Err(origin
                .error(
                    w,
                    format!("{key}.workers = {} must be at least 1", w.get_ref()),
                )
                .hint("workers is the number of job slots the group occupies, e.g. workers = 4"))
        }
    };
    let no_tests = match &raw.no_tests {
        Some(v) => choice(
            v,
            origin,
            &format!("{key}.no_tests"),
            &[
                ("pass", NoTests::Pass),
                ("warn", NoTests::Warn),
                ("fail", NoTests::Fail),
            ],
        )?,
        None => NoTests::Warn,
    };
    let flaky = match &raw.flaky_result {
        Some(v) => flaky_result(v, origin, &format!("{key}.flaky_result"))?,
        None => default_flaky,
    };
    let tests = raw
        .tests
        .as_ref()
        .map(|t| globs(t, origin, &format!("{key}.tests")))
        .transpose()?;
    if tests.is_none() && run.uses_tests() {
        return Err(origin
            .error(
                run_value,
                format!("{key}.run uses `{{tests}}` but the group has no `tests` globs"),
            )
            .hint("name the test files the group owns, e.g. tests = [\"tests/**/test_*.py\"]"));
    }
    let ok_exit_codes = raw.ok_exit_codes.clone().unwrap_or_else(|| vec![0]);
    if ok_exit_codes.is_empty() {
        return Err(origin
            .error(
                run_value,
                format!("{key}.ok_exit_codes is empty: the group could never pass"),
            )
            .hint("list the accepted exit codes, e.g. ok_exit_codes = [0, 5]"));
    }
    Ok(Group {
        name: name.get_ref().clone(),
        run,
        markers: raw.markers.clone(),
        files: raw
            .files
            .as_ref()
            .map(|f| globs(f, origin, &format!("{key}.files")))
            .transpose()?,
        always: raw.always,
        workers,
        timeout: raw
            .timeout
            .as_ref()
            .map(|t| duration(t, origin, &format!("{key}.timeout")))
            .transpose()?,
        ok_exit_codes,
        no_tests,
        retries: raw.retries.unwrap_or(0),
        flaky_result: flaky,
        inputs: raw
            .inputs
            .as_ref()
            .map(|i| globs(i, origin, &format!("{key}.inputs")))
            .transpose()?,
        env_inputs: raw.env_inputs.clone(),
        cache: raw.cache.unwrap_or(true),
        coverage: raw.coverage.as_ref().map(Into::into),
        tests,
        cwd,
        locks: locks(raw.locks.as_deref(), origin, &key)?,
        env: Vec::new(),
        filter: path_filter(
            raw.exclude.as_deref(),
            raw.files_regex.as_ref(),
            raw.exclude_regex.as_ref(),
            origin,
            &key,
        )?,
    })
}

fn locks(
    names: Option<&[Spanned<String>]>,
    origin: &Origin<'_>,
    key: &str,
) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    for name in names.unwrap_or_default() {
        let text = name.get_ref().trim();
        if text.is_empty() {
            return Err(origin
                .error(name, format!("{key}.locks has an empty lock name"))
                .hint("name the shared resource, e.g. locks = [\"db\"]"));
        }
        out.push(text.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn cwd(
    value: Option<&Spanned<String>>,
    origin: &Origin<'_>,
    key: &str,
) -> Result<Option<Cwd>, Error> {
    match value {
        Some(value) => super::cwd::check(value, origin.root, origin, key),
        None => Ok(None),
    }
}

/// `exclude`, `files_regex` and `exclude_regex`, each checked at load.
fn path_filter(
    exclude: Option<&[Spanned<String>]>,
    files_regex: Option<&Spanned<String>>,
    exclude_regex: Option<&Spanned<String>>,
    origin: &Origin<'_>,
    key: &str,
) -> Result<PathFilter, Error> {
    let regex = |value: Option<&Spanned<String>>, name: &str| {
        value
            .map(|v| {
                PathRegex::new(v.get_ref()).map_err(|e| {
                    Error::new(format!("invalid regex `{}` in {key}.{name}: {e}", v.get_ref()))
                        .at(origin.at(v))
                        .hint("a path regex is searched in the path, as pre-commit does: `^docs/`, `\\.py$`, `^(?!tests/)`")
                })
            })
            .transpose()
    };
    Ok(PathFilter {
        exclude: exclude
            .map(|e| globs(e, origin, &format!("{key}.exclude")))
            .transpose()?,
        files_regex: regex(files_regex, "files_regex")?,
        exclude_regex: regex(exclude_regex, "exclude_regex")?,
    })
}

/// `"fast"` or `"fast.unit"`, checked against the stages that exist.
pub(crate) fn target(text: &str, stages: &[Stage]) -> Result<Target, String> {
    // A member directory may hold a `.`: the group starts after the project.
    let project_end = text.rfind(':').map_or(0, |i| i + 1);
    let (stage_name, group_name) = match text[project_end..].find('.') {
        Some(dot) => (
            &text[..project_end + dot],
            Some(&text[project_end + dot + 1..]),
        ),
        None => (text, None),
    };
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let Some(stage) = stages.iter().find(|s| s.name == stage_name) else {
        return Err(format!(
            "unknown stage `{stage_name}`\n{}",
            unknown_name_hint("stages", stage_name, &names)
        ));
    };
    if let Some(group_name) = group_name {
        if stage.group(group_name).is_none() {
            let groups: Vec<&str> = stage.groups.iter().map(|g| g.name.as_str()).collect();
            return Err(format!(
                "unknown group `{group_name}` in stage `{stage_name}`\n{}",
                unknown_name_hint(&format!("groups of {stage_name}"), group_name, &groups)
            ));
        }
    }
    Ok(Target {
        stage: stage_name.to_owned(),
        group: group_name.map(str::to_owned),
    })
}

fn targets(
    list: Option<&Vec<Spanned<String>>>,
    default: Vec<Target>,
    stages: &[Stage],
    origin: &Origin<'_>,
    hook: &str,
) -> Result<Vec<Target>, Error> {
    let Some(list) = list else { return Ok(default) };
    list.iter()
        .map(|item| {
            target(item.get_ref(), stages).map_err(|message| {
                let (headline, hint) = message.split_once('\n').unwrap_or((&message, ""));
                origin
                    .error(item, format!("{headline} in [hooks.{hook}]"))
                    .hint(hint)
            })
        })
        .collect()
}

fn refuse_keys(
    raw: &RawHook,
    hook: &str,
    allowed: &[&str],
    origin: &Origin<'_>,
) -> Result<(), Error> {
    let present: [(&str, Option<std::ops::Range<usize>>); 8] = [
        ("stages", raw.stages.as_ref().map(|_| 0..0)),
        ("formatters", raw.formatters.as_ref().map(|_| 0..0)),
        ("fix", raw.fix.as_ref().map(Spanned::span)),
        ("isolation", raw.isolation.as_ref().map(Spanned::span)),
        ("share", raw.share.as_ref().map(|_| 0..0)),
        ("push_dirty", raw.push_dirty.as_ref().map(Spanned::span)),
        ("tag_pattern", raw.tag_pattern.as_ref().map(Spanned::span)),
        ("selection", raw.selection.as_ref().map(Spanned::span)),
    ];
    for (key, span) in present {
        if let Some(span) = span {
            if !allowed.contains(&key) {
                let location = if span.is_empty() {
                    find_key(origin.text, key)
                        .map(|o| Location::at_offset(origin.file, origin.text, o))
                } else {
                    Some(Location::at_offset(origin.file, origin.text, span.start))
                };
                return Err(
                    Error::new(format!("key `{key}` does not apply to [hooks.{hook}]"))
                        .at(location)
                        .hint(format!("keys of [hooks.{hook}]: {}", allowed.join(", "))),
                );
            }
        }
    }
    Ok(())
}

fn hooks(
    raw: &RawConfig,
    stages: &[Stage],
    formatters: &[Formatter],
    origin: &Origin<'_>,
) -> Result<Hooks, Error> {
    let empty = RawHook::default();
    let exists = |name: &str| stages.iter().any(|s| s.name == name);
    let named = |names: &[&str]| -> Vec<Target> {
        names
            .iter()
            .filter(|n| exists(n))
            .map(|n| Target {
                stage: (*n).to_owned(),
                group: None,
            })
            .collect()
    };

    known_hook_names(raw, origin)?;
    let pc = raw.hooks.get("pre-commit").unwrap_or(&empty);
    refuse_keys(
        pc,
        "pre-commit",
        &["stages", "formatters", "fix", "isolation", "share"],
        origin,
    )?;
    // SPEC 1: the pre-commit default is smoke plus the unit group of fast.
    let mut pc_default = named(&["smoke"]);
    if let Some(fast) = stages.iter().find(|s| s.name == "fast") {
        pc_default.push(Target {
            stage: "fast".into(),
            group: fast.group("unit").map(|g| g.name.clone()),
        });
    }
    let pc_formatters = match &pc.formatters {
        None => formatters.iter().map(|f| f.name.clone()).collect(),
        Some(list) => {
            let names: Vec<&str> = formatters.iter().map(|f| f.name.as_str()).collect();
            list.iter()
                .map(|f| {
                    if names.contains(&f.get_ref().as_str()) {
                        Ok(f.get_ref().clone())
                    } else {
                        Err(origin
                            .error(
                                f,
                                format!(
                                    "unknown formatter `{}` in [hooks.pre-commit]",
                                    f.get_ref()
                                ),
                            )
                            .hint(unknown_name_hint("formatters", f.get_ref(), &names)))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    let pre_commit = PreCommit {
        stages: targets(pc.stages.as_ref(), pc_default, stages, origin, "pre-commit")?,
        formatters: pc_formatters,
        fix: pc
            .fix
            .as_ref()
            .map(|f| {
                choice(
                    f,
                    origin,
                    "hooks.pre-commit.fix",
                    &[("fail", Fix::Fail), ("restage", Fix::Restage)],
                )
            })
            .transpose()?
            .unwrap_or(Fix::Fail),
        isolation: pc
            .isolation
            .as_ref()
            .map(|i| {
                choice(
                    i,
                    origin,
                    "hooks.pre-commit.isolation",
                    &[
                        ("stash", Isolation::Stash),
                        ("snapshot", Isolation::Snapshot),
                    ],
                )
            })
            .transpose()?
            .unwrap_or(Isolation::Stash),
        share: pc.share.clone().unwrap_or_default(),
    };

    let pp = raw.hooks.get("pre-push").unwrap_or(&empty);
    refuse_keys(pp, "pre-push", &["stages", "push_dirty"], origin)?;
    let pre_push = PrePush {
        stages: targets(
            pp.stages.as_ref(),
            named(&["smoke", "fast", "comprehensive"]),
            stages,
            origin,
            "pre-push",
        )?,
        push_dirty: pp
            .push_dirty
            .as_ref()
            .map(|p| {
                choice(
                    p,
                    origin,
                    "hooks.pre-push.push_dirty",
                    &[
                        ("warn", PushDirty::Warn),
                        ("block", PushDirty::Block),
                        ("snapshot", PushDirty::Snapshot),
                    ],
                )
            })
            .transpose()?
            .unwrap_or(PushDirty::Warn),
    };

    let pr = raw.hooks.get("pre-release").unwrap_or(&empty);
    refuse_keys(
        pr,
        "pre-release",
        &["stages", "tag_pattern", "selection"],
        origin,
    )?;
    let all: Vec<Target> = stages
        .iter()
        .map(|s| Target {
            stage: s.name.clone(),
            group: None,
        })
        .collect();
    let tag_pattern = match &pr.tag_pattern {
        Some(p) => tag_globs(p.get_ref()).map_err(|e| {
            origin
                .error(
                    p,
                    format!(
                        "invalid glob `{}` in hooks.pre-release.tag_pattern: {}",
                        p.get_ref(),
                        e.kind()
                    ),
                )
                .hint("tag patterns are globs such as \"v*\"")
        })?,
        None => tag_globs("v*").map_err(|e| Error::new(e.to_string()))?,
    };
    let pre_release = PreRelease {
        stages: targets(pr.stages.as_ref(), all, stages, origin, "pre-release")?,
        tag_pattern,
        selection: pr
            .selection
            .as_ref()
            .map(|s| {
                choice(
                    s,
                    origin,
                    "hooks.pre-release.selection",
                    &[
                        ("all", ReleaseSelection::All),
                        ("since-last-release", ReleaseSelection::SinceLastRelease),
                    ],
                )
            })
            .transpose()?
            .unwrap_or(ReleaseSelection::All),
    };
    let mut other = Vec::new();
    for spec in crate::hooks::TABLE.iter().filter(|s| s.keys == ["stages"]) {
        let Some(raw_hook) = raw.hooks.get(spec.name) else {
            continue;
        };
        refuse_keys(raw_hook, spec.name, spec.keys, origin)?;
        // A stage called like the hook (`[stages.commit-msg]`) is its default.
        other.push(OtherHook {
            kind: spec.kind,
            stages: targets(
                raw_hook.stages.as_ref(),
                named(&[spec.name]),
                stages,
                origin,
                spec.name,
            )?,
        });
    }
    Ok(Hooks {
        pre_commit,
        pre_push,
        pre_release,
        other,
        named: raw
            .hooks
            .0
            .keys()
            .filter_map(|n| crate::hooks::HookKind::from_name(n))
            .collect(),
    })
}

/// `[hooks.NAME]` must name a hook of the model: a typo would otherwise be a
/// hook that never runs.
fn known_hook_names(raw: &RawConfig, origin: &Origin<'_>) -> Result<(), Error> {
    let names = crate::hooks::names();
    for name in raw.hooks.0.keys() {
        if !names.contains(&name.as_str()) {
            let location = find_key(origin.text, &format!("hooks.{name}"))
                .map(|o| Location::at_offset(origin.file, origin.text, o));
            return Err(Error::new(format!("unknown hook `{name}` in [hooks]"))
                .at(location)
                .hint(unknown_name_hint("hooks", name, &names)));
        }
    }
    Ok(())
}
