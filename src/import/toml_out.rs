//! The translated configuration as a draft, and its `.tiergate.toml` text.
//!
//! Both importers fill a `Draft`; this file alone decides the layout, quotes
//! every value through the `toml` crate (so a regex or a quote in a command
//! can never break the file), and keeps names unique and valid.

/// One `[formatters.*]` table.
#[derive(Debug, Clone, Default)]
pub(crate) struct FormatterDraft {
    pub(crate) name: String,
    pub(crate) run: String,
    pub(crate) files: Vec<String>,
    pub(crate) exclude: Vec<String>,
    pub(crate) comment: Option<String>,
    /// pre-commit's `types: [text]`: only the files git considers text.
    pub(crate) text_only: bool,
    pub(crate) regexes: Regexes,
}

/// Path regexes with no exact glob equivalent, kept as regexes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Regexes {
    pub(crate) files: Option<String>,
    pub(crate) exclude: Option<String>,
}

/// One group of a stage.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupDraft {
    pub(crate) name: String,
    pub(crate) run: String,
    pub(crate) files: Option<Vec<String>>,
    pub(crate) exclude: Vec<String>,
    pub(crate) regexes: Regexes,
    pub(crate) always: bool,
    pub(crate) comment: Option<String>,
    /// A smoke group the other tool also runs on push (see `settle_push`).
    pub(crate) also_push: bool,
    /// `cache = false`: its input is not the tracked files (a commit
    /// message, git's arguments) or it runs for its side effects (an
    /// install after a checkout), so a stored pass must never stand for it.
    pub(crate) no_cache: bool,
}

/// What became of one hook of the source config, for the import report.
#[derive(Debug, Clone)]
pub(crate) struct HookRecord {
    pub(crate) label: String,
    /// Each way the translation does not do exactly what the source did.
    pub(crate) differences: Vec<String>,
    /// Why the hook was not translated at all.
    pub(crate) untranslated: Option<String>,
}

/// The stages the importers write, in this order. Hooks of pre-commit's
/// `manual` stage run only when asked: `tiergate run manual`.
pub(crate) const SMOKE: &str = "smoke";
pub(crate) const FAST: &str = "fast";
pub(crate) const MANUAL: &str = "manual";
const STAGES: [&str; 3] = [SMOKE, FAST, MANUAL];

/// The other git hooks, in githooks(5)'s order: a hook of one of these types
/// becomes a group of the stage of the same name, which `[hooks.NAME]` runs.
pub(crate) const HOOK_TYPES: &[&str] = &[
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "post-rewrite",
    "pre-auto-gc",
];

/// The hook types whose commands get a commit message file: `{msg_file}`.
pub(crate) fn takes_message(hook_type: &str) -> bool {
    matches!(
        hook_type,
        "commit-msg" | "prepare-commit-msg" | "applypatch-msg"
    )
}

#[derive(Debug, Default)]
pub(crate) struct Draft {
    /// `.pre-commit-config.yaml`, for the header.
    pub(crate) source: String,
    /// `pre-commit` or `lefthook`.
    pub(crate) tool: String,
    pub(crate) formatters: Vec<FormatterDraft>,
    pub(crate) groups: Vec<(String, GroupDraft)>,
    /// `[hooks.pre-commit] fix = "restage"` (lefthook's `stage_fixed`).
    pub(crate) restage: bool,
    /// Source keys that are not hooks and were not translated, with why.
    pub(crate) untranslated: Vec<String>,
    pub(crate) notes: Vec<String>,
    /// Install lines of the tools the known remote hooks run.
    pub(crate) installs: Vec<String>,
    /// One record per hook of the source, in order; the last one is open.
    pub(crate) records: Vec<HookRecord>,
    /// The pre-push hook runs `smoke` too (set by `settle_push`).
    smoke_on_push: bool,
}

impl Draft {
    pub(crate) fn new(tool: &str, source: &str) -> Draft {
        Draft {
            source: source.to_owned(),
            tool: tool.to_owned(),
            ..Draft::default()
        }
    }

    pub(crate) fn untranslated(&mut self, message: String) {
        if !self.untranslated.contains(&message) {
            self.untranslated.push(message);
        }
    }

    /// Start the record of a hook; later `differs` and `drop_hook` calls are its.
    pub(crate) fn open_hook(&mut self, label: &str) {
        self.records.push(HookRecord {
            label: label.to_owned(),
            differences: Vec::new(),
            untranslated: None,
        });
    }

    /// The open hook is translated, but `message` says how it differs.
    pub(crate) fn differs(&mut self, message: String) {
        match self.records.last_mut() {
            Some(record) => {
                if !record.differences.contains(&message) {
                    record.differences.push(message);
                }
            }
            None => self.untranslated(message),
        }
    }

    /// The open hook is not translated, because of `reason`.
    pub(crate) fn drop_hook(&mut self, reason: String) {
        match self.records.last_mut() {
            Some(record) => {
                record.untranslated.get_or_insert(reason);
            }
            None => self.untranslated(reason),
        }
    }

    /// Hooks translated exactly, with a difference, and not translated.
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let dropped = self
            .records
            .iter()
            .filter(|r| r.untranslated.is_some())
            .count();
        let different = self
            .records
            .iter()
            .filter(|r| r.untranslated.is_none() && !r.differences.is_empty())
            .count();
        (self.records.len() - dropped - different, different, dropped)
    }

    /// The report, one line each: the counts, then every difference and
    /// every untranslated hook or key with its reason.
    pub(crate) fn report(&self) -> Vec<String> {
        let (same, different, dropped) = self.counts();
        let mut lines = vec![format!(
            "{}: {same} translated, {different} translated with a difference, {dropped} not translated",
            plural(self.records.len(), "hook")
        )];
        if different > 0 {
            lines.push("translated with a difference:".into());
            for record in self.records.iter().filter(|r| r.untranslated.is_none()) {
                for difference in &record.differences {
                    lines.push(format!("  {}: {}", record.label, one_line(difference)));
                }
            }
        }
        if dropped > 0 {
            lines.push("not translated:".into());
            for record in &self.records {
                if let Some(why) = &record.untranslated {
                    lines.push(format!("  {}: {}", record.label, one_line(why)));
                }
            }
        }
        if !self.untranslated.is_empty() {
            lines.push("other settings not translated:".into());
            for item in &self.untranslated {
                lines.push(format!("  {}", one_line(item)));
            }
        }
        lines
    }

    /// A tool to install, as the line that installs it.
    pub(crate) fn install(&mut self, line: &str) {
        if !self.installs.iter().any(|l| l == line) {
            self.installs.push(line.to_owned());
        }
    }

    /// The install lines, with the `pip install` and `npm install -g` ones
    /// merged into one each.
    fn install_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for prefix in ["pip install ", "npm install -g "] {
            let packages: Vec<&str> = self
                .installs
                .iter()
                .filter_map(|l| l.strip_prefix(prefix))
                .collect();
            if !packages.is_empty() {
                lines.push(format!("{prefix}{}", packages.join(" ")));
            }
        }
        lines.extend(
            self.installs
                .iter()
                .filter(|l| !l.starts_with("pip install ") && !l.starts_with("npm install -g "))
                .cloned(),
        );
        lines
    }

    pub(crate) fn note(&mut self, message: &str) {
        if !self.notes.iter().any(|n| n == message) {
            self.notes.push(message.to_owned());
        }
    }

    pub(crate) fn add_formatter(&mut self, mut formatter: FormatterDraft) {
        let taken: Vec<&str> = self.formatters.iter().map(|f| f.name.as_str()).collect();
        formatter.name = unique(&formatter.name, &taken);
        self.formatters.push(formatter);
    }

    pub(crate) fn add_group(&mut self, stage: &str, mut group: GroupDraft) {
        let taken: Vec<&str> = self
            .groups
            .iter()
            .filter(|(s, _)| s == stage)
            .map(|(_, g)| g.name.as_str())
            .collect();
        group.name = unique(&group.name, &taken);
        self.groups.push((stage.to_owned(), group));
    }

    /// Hooks that run on commit and on push: when every smoke group does
    /// (pre-commit's `default_stages: [commit, push]`), the push hook runs
    /// `smoke` as well; otherwise those groups are copied into `fast`.
    pub(crate) fn settle_push(&mut self) {
        let smoke: Vec<GroupDraft> = self
            .groups
            .iter()
            .filter(|(s, _)| s == SMOKE)
            .map(|(_, g)| g.clone())
            .collect();
        self.smoke_on_push = !smoke.is_empty() && smoke.iter().all(|g| g.also_push);
        if !self.smoke_on_push {
            for group in smoke.into_iter().filter(|g| g.also_push) {
                self.add_group(
                    FAST,
                    GroupDraft {
                        also_push: false,
                        ..group
                    },
                );
            }
        }
    }

    fn stage_used(&self, stage: &str) -> bool {
        self.groups.iter().any(|(s, _)| s == stage)
    }

    /// Every stage with groups: smoke, fast, manual, then the hook types'.
    pub(crate) fn stages(&self) -> Vec<&'static str> {
        STAGES
            .iter()
            .chain(HOOK_TYPES)
            .copied()
            .filter(|s| self.stage_used(s))
            .collect()
    }

    pub(crate) fn group_count(&self, stage: &str) -> usize {
        self.groups.iter().filter(|(s, _)| s == stage).count()
    }

    /// The `.tiergate.toml` text.
    pub(crate) fn render(&self) -> String {
        let mut out = format!(
            "# Imported from {} by `tiergate import {}`.\n# Check it with `tiergate plan pre-commit`, then install the hooks with `tiergate install`.\n",
            self.source, self.tool
        );
        out.push_str("#\n");
        for line in self.report() {
            out.push_str(&format!("# {line}\n"));
        }
        let installs = self.install_lines();
        if !installs.is_empty() {
            out.push_str("#\n# install the tools the remote hooks ran (pre-commit installed them, tiergate runs them from PATH):\n");
            for line in installs {
                out.push_str(&format!("#   {line}\n"));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("#\n# note: {}\n", one_line(note)));
        }
        for f in &self.formatters {
            out.push('\n');
            if let Some(comment) = &f.comment {
                out.push_str(&format!("# {}\n", one_line(comment)));
            }
            out.push_str(&format!(
                "[formatters.{}]\nrun = {}\n",
                f.name,
                quote(&f.run)
            ));
            if !f.files.is_empty() {
                out.push_str(&format!("files = {}\n", list(&f.files)));
            }
            if !f.exclude.is_empty() {
                out.push_str(&format!("exclude = {}\n", list(&f.exclude)));
            }
            out.push_str(&regex_lines(&f.regexes));
            if f.text_only {
                out.push_str("text_only = true\n");
            }
        }
        for stage in self.stages() {
            // pre-commit and lefthook stop a hook on any failing command.
            out.push_str(&format!(
                "\n[stages.{stage}]\ngate = {{ fail_when = \"any\", on_fail = \"block\" }}\n"
            ));
            for (_, g) in self.groups.iter().filter(|(s, _)| s == stage) {
                out.push('\n');
                if let Some(comment) = &g.comment {
                    out.push_str(&format!("# {}\n", one_line(comment)));
                }
                out.push_str(&format!(
                    "[[stages.{stage}.groups]]\nname = {}\nrun = {}\n",
                    quote(&g.name),
                    quote(&g.run)
                ));
                out.push_str(&group_keys(g));
            }
        }
        // Every hook is written out: tiergate's defaults (smoke plus fast.unit
        // on commit; smoke, fast and comprehensive on push) would change what runs.
        let commit: Vec<String> = [SMOKE]
            .iter()
            .filter(|s| self.stage_used(s))
            .map(|s| (*s).to_owned())
            .collect();
        let push: Vec<String> = [SMOKE, FAST]
            .iter()
            .filter(|s| self.stage_used(s) && (**s != SMOKE || self.smoke_on_push))
            .map(|s| (*s).to_owned())
            .collect();
        let formatters: Vec<String> = self.formatters.iter().map(|f| f.name.clone()).collect();
        out.push_str(&format!(
            "\n[hooks.pre-commit]\nstages = {}\nformatters = {}\nfix = {}\n",
            list(&commit),
            list(&formatters),
            quote(if self.restage { "restage" } else { "fail" })
        ));
        out.push_str(&format!("\n[hooks.pre-push]\nstages = {}\n", list(&push)));
        out.push_str(&format!(
            "\n# A pushed tag runs what a push runs, as with {}.\n[hooks.pre-release]\nstages = {}\n",
            self.tool,
            list(&push)
        ));
        for hook_type in HOOK_TYPES.iter().filter(|h| self.stage_used(h)) {
            out.push_str(&format!(
                "\n[hooks.{hook_type}]\nstages = {}\n",
                list(&[(*hook_type).to_owned()])
            ));
        }
        out
    }
}

/// A group's keys after `name` and `run`.
fn group_keys(g: &GroupDraft) -> String {
    let mut out = String::new();
    if let Some(files) = &g.files {
        out.push_str(&format!("files = {}\n", list(files)));
    }
    if !g.exclude.is_empty() {
        out.push_str(&format!("exclude = {}\n", list(&g.exclude)));
    }
    out.push_str(&regex_lines(&g.regexes));
    if g.always {
        out.push_str("always = true\n");
    }
    if g.no_cache {
        out.push_str("cache = false\n");
    }
    out
}

fn regex_lines(regexes: &Regexes) -> String {
    let mut out = String::new();
    if let Some(files) = &regexes.files {
        out.push_str(&format!("files_regex = {}\n", quote(files)));
    }
    if let Some(exclude) = &regexes.exclude {
        out.push_str(&format!("exclude_regex = {}\n", quote(exclude)));
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    crate::policy::plural(n, word)
}

/// A name tiergate accepts as a bare TOML key and a group name: letters,
/// digits, `-` and `_`; made unique with `-2`, `-3`.
fn unique(name: &str, taken: &[&str]) -> String {
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let clean = match replaced.trim_matches('-') {
        "" => "hook",
        trimmed => trimmed,
    };
    // One more candidate than names taken: one of them is free.
    std::iter::once(clean.to_owned())
        .chain((2..=taken.len() + 2).map(|n| format!("{clean}-{n}")))
        .find(|candidate| !taken.contains(&candidate.as_str()))
        .unwrap_or_else(|| clean.to_owned())
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect()).to_string()
}

/// Multi-line regexes and scripts stay on one comment line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_unique() {
        assert_eq!(unique("hello.sh", &[]), "hello-sh");
        assert_eq!(unique("mypy", &["mypy"]), "mypy-2");
        assert_eq!(unique("mypy", &["mypy", "mypy-2"]), "mypy-3");
        assert_eq!(unique("...", &[]), "hook");
    }

    #[test]
    fn quotes_survive_rendering() {
        let mut draft = Draft::new("lefthook", "lefthook.yml");
        draft.add_group(
            SMOKE,
            GroupDraft {
                name: "q".into(),
                run: "sh -c 'echo \"a\\b\"'".into(),
                comment: Some("multi\nline".into()),
                ..GroupDraft::default()
            },
        );
        let text = draft.render();
        let value: toml::Table = text.parse().unwrap();
        let run = &value["stages"]["smoke"]["groups"][0]["run"];
        assert_eq!(run.as_str(), Some("sh -c 'echo \"a\\b\"'"));
        assert!(text.contains("# multi line\n"));
    }
}
