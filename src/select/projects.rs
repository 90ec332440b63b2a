//! Sub-projects: each changed path is judged by the project that owns it
//! (the deepest member holding it, else the root), with that project's
//! rules, run-all triggers and `unmatched`, on the path relative to the
//! project's directory (issue 17).
//!
//! Pure: the caller gives the changes and the config. So `frontend/package.json`
//! triggers the frontend only, while a trigger of the root's config (its own
//! lockfile, its `.tiergate.toml`) runs everything in every project.

use crate::config::{Config, ROOT_PROJECT};

use super::{select_with_graph, Change, Scope, Selection};

/// Split `selection` by project: each project gets its own selection, of
/// the paths it owns, relative to its directory. Nothing to do without members.
pub(crate) fn split(
    mut selection: Selection,
    config: &Config,
    judged_by_graph: &dyn Fn(&[u8]) -> bool,
) -> Selection {
    if config.projects.is_empty() {
        return selection;
    }
    let owner_index = |path: &[u8]| -> Option<usize> {
        let owner = config.owner(path)?;
        config.projects.iter().position(|p| p.name == owner.name)
    };
    // Index 0 is the root; member i is at i + 1.
    let mut owned: Vec<Vec<Change>> = vec![Vec::new(); config.projects.len() + 1];
    let mut files: Vec<Vec<Vec<u8>>> = vec![Vec::new(); config.projects.len() + 1];
    let relative = |path: &[u8], at: Option<usize>| -> Vec<u8> {
        match at {
            None => path.to_vec(),
            Some(i) => path[config.projects[i].name.len() + 1..].to_vec(),
        }
    };
    for change in &selection.changes {
        let at = owner_index(&change.path);
        let mut moved = Change {
            path: relative(&change.path, at),
            old_path: None,
            deleted: change.deleted,
        };
        if let Some(old) = &change.old_path {
            let old_at = owner_index(old);
            if old_at == at {
                moved.old_path = Some(relative(old, at));
            } else {
                // Renamed across projects: the old name leaves its project.
                owned[old_at.map_or(0, |i| i + 1)].push(Change {
                    path: relative(old, old_at),
                    old_path: None,
                    deleted: true,
                });
            }
        }
        owned[at.map_or(0, |i| i + 1)].push(moved);
    }
    for file in &selection.files {
        let at = owner_index(file);
        files[at.map_or(0, |i| i + 1)].push(relative(file, at));
    }

    let mut projects = Vec::with_capacity(owned.len());
    let everything = matches!(selection.scope, Scope::Everything(_));
    let root_trigger = selection.changes.iter().any(|c| {
        std::iter::once(&c.path)
            .chain(c.old_path.as_ref())
            .any(|p| owner_index(p).is_none() && config.settings.run_all_triggers.is_match(p))
    });
    let mut why = Vec::new();
    for (index, (changes, files)) in owned.into_iter().zip(files).enumerate() {
        let (name, mut part) = if index == 0 {
            let mut part = select_with_graph(
                changes,
                &config.rules,
                &config.settings.unmatched,
                &config.settings.run_all_triggers,
                judged_by_graph,
            );
            part.affected.clone_from(&selection.affected);
            (ROOT_PROJECT.to_owned(), part)
        } else {
            let project = &config.projects[index - 1];
            let mut part = select_with_graph(
                changes,
                &project.rules,
                &project.unmatched,
                &project.run_all_triggers,
                judged_by_graph,
            );
            // The graph is the repository's: a member's groups with `tests`
            // read the same answer, in repository paths.
            part.affected.clone_from(&selection.affected);
            (project.name.clone(), part)
        };
        part.files = files;
        part.base.clone_from(&selection.base);
        part.head.clone_from(&selection.head);
        if everything {
            part.scope = selection.scope.clone();
            part.all = true;
            part.beyond_graph_all = true;
        } else {
            for line in &part.why {
                why.push(if index == 0 {
                    line.clone()
                } else {
                    format!("{name}/{line}")
                });
            }
            if root_trigger && index > 0 {
                let reason = "a run-all trigger of the root's config changed";
                if part.changes.is_empty() {
                    // Nothing of its own changed, yet everything runs.
                    part.scope = Scope::Everything(reason.into());
                }
                part.all = true;
                part.beyond_graph_all = true;
                part.why.push(format!("{reason} -> all"));
            }
        }
        projects.push((name, part));
    }
    if !everything {
        let root = &projects[0].1;
        selection.all = root.all;
        selection.markers.clone_from(&root.markers);
        selection.beyond_graph_all = root.beyond_graph_all;
        selection
            .beyond_graph_markers
            .clone_from(&root.beyond_graph_markers);
        selection.why = why;
    }
    selection.projects = projects;
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut root = crate::config::from_text(
            "[[select]]\npaths = [\"docs/**\"]\nmarkers = [\"docs\"]\n",
            std::path::Path::new(".tiergate.toml"),
            crate::config::Source::Embedded("test"),
        )
        .unwrap();
        for (name, text) in [
            (
                "backend",
                "[[select]]\npaths = [\"app/**\"]\nmarkers = [\"unit\"]\n",
            ),
            ("frontend", "[settings]\nunmatched = \"none\"\n"),
            ("backend/plugins", "[settings]\nunmatched = \"none\"\n"),
        ] {
            let member = crate::config::from_text(
                text,
                std::path::Path::new(".tiergate.toml"),
                crate::config::Source::Embedded("test"),
            )
            .unwrap();
            root.projects.push(crate::config::Project {
                name: name.to_owned(),
                rules: member.rules,
                unmatched: member.settings.unmatched,
                run_all_triggers: member.settings.run_all_triggers,
            });
        }
        root
    }

    fn split_paths(paths: &[&str]) -> Selection {
        let config = config();
        let changes = paths.iter().map(|p| Change::new(p.as_bytes())).collect();
        let top = select_with_graph(
            changes,
            &config.rules,
            &config.settings.unmatched,
            &config.settings.run_all_triggers,
            &|_| false,
        );
        split(top, &config, &|_| false)
    }

    fn part<'s>(s: &'s Selection, name: &str) -> &'s Selection {
        s.for_project(name)
    }

    #[test]
    fn a_member_lockfile_selects_all_of_that_member_only() {
        let s = split_paths(&["frontend/package.json"]);
        assert!(part(&s, "frontend").all);
        assert!(!part(&s, "backend").all);
        assert!(part(&s, "backend").nothing_changed());
        assert!(!part(&s, ".").all);
        assert!(part(&s, ".").nothing_changed());
        assert!(!s.nothing_changed());
    }

    #[test]
    fn member_paths_are_judged_relative_to_the_member() {
        let s = split_paths(&["backend/app/models.py"]);
        let backend = part(&s, "backend");
        assert!(!backend.all);
        assert!(backend.markers.contains("unit"));
        assert_eq!(backend.files, vec![b"app/models.py".to_vec()]);
        assert_eq!(
            s.why,
            vec!["backend/app/models.py: rule 1 (app/**) -> unit"]
        );
    }

    #[test]
    fn the_deepest_member_owns_a_path() {
        let s = split_paths(&["backend/plugins/x.py"]);
        assert_eq!(part(&s, "backend/plugins").files, vec![b"x.py".to_vec()]);
        assert!(part(&s, "backend").nothing_changed());
    }

    #[test]
    fn a_root_trigger_runs_everything_in_every_project() {
        let s = split_paths(&["pyproject.toml"]);
        for name in [".", "backend", "frontend", "backend/plugins"] {
            assert!(part(&s, name).all, "{name}");
        }
    }

    #[test]
    fn root_unmatched_stays_in_the_root() {
        let s = split_paths(&["README.md"]);
        assert!(part(&s, ".").all);
        assert!(!part(&s, "backend").all);
    }

    #[test]
    fn everything_gives_each_project_its_own_files() {
        let config = config();
        let everything = Selection::everything(
            "--all",
            vec![b"backend/app/a.py".to_vec(), b"setup.py".to_vec()],
        );
        let s = split(everything, &config, &|_| false);
        assert_eq!(part(&s, "backend").files, vec![b"app/a.py".to_vec()]);
        assert_eq!(part(&s, ".").files, vec![b"setup.py".to_vec()]);
        assert!(part(&s, "frontend").all);
    }
}
