//! Markers as `[[select]]` rules write them, and the check that the markers
//! rules select and the markers groups carry meet.
//!
//! A marker typed wrong on one side (`itmes` in a rule, `items` on the group)
//! is valid TOML that silently selects nothing, so `config` and `doctor` warn
//! about it with a did-you-mean. Pure: the raw model in, warnings out.

use toml::Spanned;

use super::model::ConfigWarning;
use super::raw::RawConfig;
use super::validate::Origin;
use crate::error::{did_you_mean, Error};

/// The marker that selects everything (the selection reads the same word).
const ALL: &str = "all";

/// A rule's `markers`: a list, or one name as a string (`markers = "all"`).
/// An empty list is valid: the paths it matches are matched, and select
/// nothing (so they do not fall to `unmatched`).
pub(crate) fn rule_markers(
    value: &Spanned<toml::Value>,
    origin: &Origin<'_>,
    rule: usize,
) -> Result<Vec<String>, Error> {
    let refused = |what: &str| {
        origin
            .error(
                value,
                format!("invalid markers in [[select]] rule {rule}: {what}"),
            )
            .hint("give a list of marker names, e.g. markers = [\"unit\"]; \"all\" runs everything; [] selects nothing")
    };
    match value.get_ref() {
        toml::Value::String(name) if name.is_empty() => Err(refused("an empty name")),
        toml::Value::String(name) => Ok(vec![name.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|item| match item.as_str() {
                Some(name) if !name.is_empty() => Ok(name.to_owned()),
                Some(_) => Err(refused("an empty name")),
                None => Err(refused(&format!("`{item}` is not a string"))),
            })
            .collect(),
        other => Err(refused(&format!("`{other}` is neither a name nor a list"))),
    }
}

/// Markers a rule selects that no group carries, and group markers no rule
/// (nor `unmatched`) can select. The second check needs rules to exist:
/// without any `[[select]]`, every change selects `unmatched` and markers
/// only fill `{markers}`.
pub(crate) fn check(
    raw: &RawConfig,
    rules: &[Vec<String>],
    unmatched: &[String],
    origin: &Origin<'_>,
) -> Vec<ConfigWarning> {
    let mut group_markers: Vec<&str> = raw
        .stages
        .values()
        .flat_map(|s| s.groups.iter())
        .flat_map(|g| g.markers.iter().map(String::as_str))
        .collect();
    group_markers.sort_unstable();
    group_markers.dedup();
    let mut rule_markers: Vec<&str> = rules
        .iter()
        .flatten()
        .chain(unmatched)
        .map(String::as_str)
        .filter(|m| *m != ALL)
        .collect();
    rule_markers.sort_unstable();
    rule_markers.dedup();

    let mut warnings = Vec::new();
    for (i, (raw_rule, markers)) in raw.select.iter().zip(rules).enumerate() {
        for marker in markers {
            if marker == ALL || group_markers.contains(&marker.as_str()) {
                continue;
            }
            warnings.push(ConfigWarning {
                headline: format!(
                    "marker `{marker}` of [[select]] rule {} is used by no group: the paths it matches select nothing",
                    i + 1
                ),
                location: Some(crate::error::Location::at_offset(
                    origin.file,
                    origin.text,
                    raw_rule.markers.span().start,
                )),
                hint: suggestion(marker, &group_markers, "group markers", "markers = []"),
            });
        }
    }
    if raw.select.is_empty() {
        return warnings;
    }
    for (stage_name, stage) in &raw.stages {
        for group in &stage.groups {
            let name = group.name.as_ref().map_or("", |n| n.get_ref().as_str());
            for marker in &group.markers {
                if rule_markers.contains(&marker.as_str()) {
                    continue;
                }
                warnings.push(ConfigWarning {
                    headline: format!(
                        "marker `{marker}` of group `{stage_name}.{name}` is selected by no [[select]] rule: the group runs only when everything does"
                    ),
                    location: None,
                    hint: suggestion(
                        marker,
                        &rule_markers,
                        "rule markers",
                        "a [[select]] rule with this marker",
                    ),
                });
            }
        }
    }
    warnings
}

fn suggestion(marker: &str, valid: &[&str], kind: &str, otherwise: &str) -> String {
    let list = if valid.is_empty() {
        format!("no {kind} are defined")
    } else {
        format!("{kind}: {}", valid.join(", "))
    };
    match did_you_mean(marker, valid.iter().copied()) {
        Some(close) => format!("did you mean `{close}`? {list}"),
        None => format!("{list}; or write {otherwise}"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn warnings(text: &str) -> Vec<String> {
        let config = crate::config::from_text(
            text,
            Path::new(".tiergate.toml"),
            crate::config::Source::Embedded("test"),
        )
        .unwrap();
        config.warnings.iter().map(ToString::to_string).collect()
    }

    const GROUPS: &str =
        "[stages.fast]\ngroups = [{ name = \"unit\", run = \"true\", markers = [\"items\"] }]\n";

    #[test]
    fn a_rule_marker_no_group_uses_is_a_warning_with_a_suggestion() {
        let found = warnings(&format!(
            "[[select]]\npaths = [\"src/**\"]\nmarkers = [\"itmes\"]\n{GROUPS}"
        ));
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("marker `itmes` of [[select]] rule 1 is used by no group"));
        assert!(found[0].contains(".tiergate.toml:3:11"), "{}", found[0]);
        assert!(found[0].contains("did you mean `items`?"));
        assert!(found[1].contains("marker `items` of group `fast.unit`"));
        assert!(found[1].contains("did you mean `itmes`?"));
    }

    #[test]
    fn markers_that_meet_all_and_empty_lists_are_quiet() {
        let text = format!(
            "[[select]]\npaths = [\"src/**\"]\nmarkers = [\"items\"]\n[[select]]\npaths = [\"Cargo.toml\"]\nmarkers = \"all\"\n[[select]]\npaths = [\"*.md\"]\nmarkers = []\n{GROUPS}"
        );
        assert_eq!(warnings(&text), Vec::<String>::new());
    }

    #[test]
    fn without_rules_group_markers_are_not_checked() {
        assert_eq!(warnings(GROUPS), Vec::<String>::new());
    }

    #[test]
    fn unmatched_markers_count_as_selectable() {
        let text = format!(
            "[settings]\nunmatched = [\"items\"]\n[[select]]\npaths = [\"*.md\"]\nmarkers = []\n{GROUPS}"
        );
        assert_eq!(warnings(&text), Vec::<String>::new());
    }
}
