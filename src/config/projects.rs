//! `[projects] members`: expand the member globs to directories, load each
//! member's own `.tiergate.toml`, and fold the members into the root's
//! `Config` (issue 17).
//!
//! A member's stages join the root's under qualified names (`backend:fast`);
//! its `[[select]]` rules, `unmatched` and run-all triggers stay with the
//! member, because they only ever see the paths it owns, relative to its
//! directory. Reads the member files; runs nothing.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::model::{Config, Cwd, Globs, Project, Stage, Target};
use super::raw::RawProjects;
use super::validate::{self, Origin};
use super::CONFIG_FILE;
use crate::error::{Error, Location};

/// One member, loaded and validated on its own.
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) config: Config,
    /// Whether the member's file has a `[hooks]` section; without one it
    /// runs the stages the root's hooks name.
    pub(crate) has_hooks: bool,
}

/// Expand and load every member of `projects`, in sorted order.
pub(crate) fn load_members(
    root: &Path,
    projects: &RawProjects,
    origin: &Origin<'_>,
) -> Result<Vec<Member>, Error> {
    let mut names: Vec<(String, &Spanned<String>)> = Vec::new();
    for pattern in &projects.members {
        for name in expand(root, pattern, origin)? {
            if !names.iter().any(|(n, _)| *n == name) {
                names.push((name, pattern));
            }
        }
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    names
        .into_iter()
        .map(|(name, pattern)| load_member(root, name, pattern, origin))
        .collect()
}

fn load_member(
    root: &Path,
    name: String,
    pattern: &Spanned<String>,
    origin: &Origin<'_>,
) -> Result<Member, Error> {
    let display = PathBuf::from(&name).join(CONFIG_FILE);
    let path = root.join(&display);
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Error::new(format!("{} is not valid UTF-8", display.display()))
                .hint("save the file as UTF-8 text")
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(origin
                .error(
                    pattern,
                    format!("member `{name}` has no {CONFIG_FILE}"),
                )
                .hint(format!(
                    "create {} (`tiergate install` offers one), or remove `{name}` from [projects] members",
                    display.display()
                )));
        }
        Err(e) => {
            return Err(
                Error::new(format!("cannot read {}: {e}", display.display()))
                    .hint("check the file's permissions"),
            )
        }
    };
    let folder = root.join(&name);
    let member_origin = Origin {
        file: &display,
        text: &text,
        // A `cwd` in a member's config is a folder of the member.
        root: Some(&folder),
    };
    let raw = validate::parse(&member_origin)?;
    if let Some(nested) = raw.projects.as_ref() {
        let location = nested
            .members
            .first()
            .map(|m| Location::at_offset(&display, &text, m.span().start));
        return Err(Error::new(format!(
            "[projects] in {}: only the repository root's config declares members",
            display.display()
        ))
        .at(location)
        .hint(format!(
            "move the members to the root's [projects] members, written from the root (`{name}/...`): nested members are allowed there"
        )));
    }
    let config = validate::validate(
        &raw,
        &member_origin,
        super::model::Source::File(path.clone()),
        &[],
    )?;
    let has_hooks = toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("hooks"));
    Ok(Member {
        name,
        config,
        has_hooks,
    })
}

/// The directories one `members` entry names, relative to the root, with
/// `/` separators. A glob may match none; a plain path must exist.
fn expand(
    root: &Path,
    pattern: &Spanned<String>,
    origin: &Origin<'_>,
) -> Result<Vec<String>, Error> {
    let text = pattern.get_ref().trim_end_matches('/');
    let components: Vec<&str> = text.split('/').collect();
    let invalid = text.is_empty()
        || text.starts_with('/')
        || text.contains(':')
        || components.iter().any(|c| matches!(*c, "" | "." | ".."));
    if invalid {
        return Err(origin
            .error(pattern, format!("invalid member `{}` in [projects] members", pattern.get_ref()))
            .hint("name a directory below the root, relative to it, without `.`, `..` or `:` (`backend`, `packages/*`)"));
    }
    let is_glob = |c: &str| c.contains(['*', '?', '[', '{']);
    let mut found: Vec<String> = vec![String::new()];
    for component in &components {
        let mut next = Vec::new();
        for parent in &found {
            if is_glob(component) {
                let matcher = globset::Glob::new(component)
                    .map_err(|e| {
                        origin
                            .error(
                                pattern,
                                format!(
                                    "invalid glob `{}` in [projects] members: {e}",
                                    pattern.get_ref()
                                ),
                            )
                            .hint("`*` matches one directory level: `packages/*`")
                    })?
                    .compile_matcher();
                let Ok(entries) = std::fs::read_dir(root.join(parent)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let Some(name) = name.to_str() else { continue };
                    // `*` is for project folders, not `.git` or `.venv`.
                    let hidden = name.starts_with('.') && !component.starts_with('.');
                    if !hidden && matcher.is_match(name) && entry.path().is_dir() {
                        next.push(join(parent, name));
                    }
                }
            } else {
                next.push(join(parent, component));
            }
        }
        found = next;
    }
    if !is_glob(text) && !root.join(text).is_dir() {
        return Err(origin
            .error(pattern, format!("member `{text}` is not a directory"))
            .hint("create the directory with its own .tiergate.toml, or remove it from [projects] members"));
    }
    found.retain(|dir| root.join(dir).is_dir());
    found.sort();
    Ok(found)
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// Fold the members into the root's config: their stages, qualified, after
/// the root's; each hook's targets for every project; their rules kept per
/// member. The root's hooks name stages unqualified: they apply to the root
/// and to every member without a `[hooks]` section of its own.
pub(crate) fn fold(config: &mut Config, members: Vec<Member>) {
    let root_lists: Vec<Vec<Target>> = config
        .hooks
        .target_lists_mut()
        .into_iter()
        .map(|list| list.clone())
        .collect();
    // The root's own stages only: the names may also be stages only members have.
    let root_stages: Vec<Stage> = config.stages.clone();
    for (list, wanted) in config.hooks.target_lists_mut().into_iter().zip(&root_lists) {
        *list = applicable(wanted, &root_stages, None);
    }
    for mut member in members {
        let name = member.name.clone();
        let own_lists: Vec<Vec<Target>> = member
            .config
            .hooks
            .target_lists_mut()
            .into_iter()
            .map(|list| list.clone())
            .collect();
        let lists = if member.has_hooks {
            &own_lists
        } else {
            &root_lists
        };
        for (list, wanted) in config.hooks.target_lists_mut().into_iter().zip(lists) {
            list.extend(applicable(wanted, &member.config.stages, Some(&name)));
        }
        for mut stage in member.config.stages {
            for group in &mut stage.groups {
                group.cwd = Some(Cwd::within(&name, group.cwd.as_ref()));
                group.env.clone_from(&member.config.env);
                // The import graph answers with repository paths.
                group.tests = group.tests.as_ref().map(|tests| within(&name, tests));
            }
            stage.name = format!("{name}:{}", stage.name);
            stage.project.clone_from(&name);
            stage.needs = stage
                .needs
                .iter()
                .map(|service| format!("{name}:{service}"))
                .collect();
            config.stages.push(stage);
        }
        // A member's formatters see repository paths: their globs move into
        // the member's folder (the regexes are taken as written).
        let inherit_formatters = !member.has_hooks;
        for mut formatter in member.config.formatters {
            let listed = inherit_formatters
                || member
                    .config
                    .hooks
                    .pre_commit
                    .formatters
                    .contains(&formatter.name);
            formatter.name = format!("{name}:{}", formatter.name);
            formatter.cwd = Some(Cwd::within(&name, formatter.cwd.as_ref()));
            formatter.env.clone_from(&member.config.env);
            formatter.files = within(&name, &formatter.files);
            formatter.exclude = within(&name, &formatter.exclude);
            if listed {
                config
                    .hooks
                    .pre_commit
                    .formatters
                    .push(formatter.name.clone());
            }
            config.formatters.push(formatter);
        }
        for mut service in member.config.services {
            service.name = format!("{name}:{}", service.name);
            service.cwd = Some(Cwd::within(&name, service.cwd.as_ref()));
            service.env.clone_from(&member.config.env);
            service.needs = service
                .needs
                .iter()
                .map(|need| format!("{name}:{need}"))
                .collect();
            config.services.push(service);
        }
        // Its hints and quarantined tests speak of its own groups' failures.
        for mut hint in member.config.hints {
            hint.project = Some(name.clone());
            config.hints.push(hint);
        }
        for mut entry in member.config.quarantine {
            entry.project = Some(name.clone());
            config.quarantine.push(entry);
        }
        config.warnings.append(&mut member.config.warnings);
        config.projects.push(Project {
            name,
            rules: member.config.rules,
            unmatched: member.config.settings.unmatched,
            run_all_triggers: member.config.settings.run_all_triggers,
        });
    }
    order_by_tier(&mut config.stages);
}

/// `globs`, written relative to the member `name`, as globs of repository paths.
fn within(name: &str, globs: &Globs) -> Globs {
    let moved: Vec<String> = globs
        .patterns
        .iter()
        .map(|p| {
            if let Some(anchored) = p.strip_prefix('/') {
                format!("/{name}/{anchored}")
            } else if p.contains('/') {
                format!("/{name}/{p}")
            } else {
                format!("/{name}/**/{p}")
            }
        })
        .collect();
    // The patterns compiled once already; the prefix is a plain folder.
    super::validate::compile_globs(moved).unwrap_or_else(|_| globs.clone())
}

/// Run the stages tier by tier: every project's first stage, then every
/// project's second, and so on, the root's first within a tier. A cheap
/// stage anywhere runs before a slow one elsewhere.
fn order_by_tier(stages: &mut Vec<Stage>) {
    let mut position: Vec<(usize, String)> = Vec::new();
    let mut keyed: Vec<(usize, Stage)> = stages
        .drain(..)
        .map(|stage| {
            let tier = position.iter().filter(|(_, p)| *p == stage.project).count();
            position.push((tier, stage.project.clone()));
            (tier, stage)
        })
        .collect();
    keyed.sort_by_key(|(tier, _)| *tier);
    stages.extend(keyed.into_iter().map(|(_, stage)| stage));
}

/// The targets of `wanted` that name a stage (and group) of `stages`,
/// qualified with `project` when it is a member.
fn applicable(wanted: &[Target], stages: &[Stage], project: Option<&str>) -> Vec<Target> {
    wanted
        .iter()
        .filter(|t| {
            stages
                .iter()
                .any(|s| s.name == t.stage && t.group.as_ref().is_none_or(|g| s.group(g).is_some()))
        })
        .map(|t| Target {
            stage: project.map_or_else(|| t.stage.clone(), |p| format!("{p}:{}", t.stage)),
            group: t.group.clone(),
        })
        .collect()
}
