//! Hints for a failure: built-in patterns and `[[hints]]` from the config,
//! matched against the output tail.

use regex::Regex;
use std::sync::OnceLock;

/// (pattern, hint): what the message usually means and what to do.
const BUILT_IN: &[(&str, &str)] = &[
    (
        r"ModuleNotFoundError|ImportError: No module named",
        "a Python module is missing: install the project's dependencies in the environment tiergate runs in (activate the virtualenv, or `pip install -e .`)",
    ),
    (
        r"(?i)connection refused|could not connect to server|ECONNREFUSED",
        "a service is not reachable: declare it under [services] with a `check` (and `start`) and list it in the stage's `needs`",
    ),
    (r"MemoryError|Out of memory|Cannot allocate memory", "the tests ran out of memory: lower `workers` or `jobs`, or split the group"),
    (
        r"(?i)timed? ?out|TimeoutError|deadline exceeded",
        "something timed out: raise the group's `timeout`, or check the service it waits for",
    ),
    (r"(?i)permission denied", "a file or port is not accessible to the user running the hook"),
    (r"(?i)address already in use", "a port is taken, often by a server an earlier run left behind"),
    (r"(?i)no space left on device", "the disk is full"),
];

fn built_in() -> &'static Vec<(Regex, &'static str)> {
    static COMPILED: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        BUILT_IN
            .iter()
            .filter_map(|(pattern, hint)| Regex::new(pattern).ok().map(|r| (r, *hint)))
            .collect()
    })
}

/// The hints whose pattern occurs in `text`: the user's first, then built-ins.
pub(crate) fn matching_hints<'a>(
    text: &str,
    user: impl IntoIterator<Item = (&'a Regex, &'a str)>,
) -> Vec<String> {
    let mut hints: Vec<String> = user
        .into_iter()
        .filter(|(r, _)| r.is_match(text))
        .map(|(_, h)| h.to_owned())
        .collect();
    for (pattern, hint) in built_in() {
        if pattern.is_match(text) && !hints.iter().any(|h| h == hint) {
            hints.push((*hint).to_owned());
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_patterns_match() {
        let hints = matching_hints("E   ModuleNotFoundError: No module named 'app'", []);
        assert_eq!(hints.len(), 1);
        assert!(hints[0].contains("Python module is missing"));
        assert!(
            matching_hints("psycopg.OperationalError: connection refused", [])[0]
                .contains("[services]")
        );
        assert!(matching_hints("all good", []).is_empty());
    }

    #[test]
    fn user_hints_come_first() {
        let r = Regex::new("flaky-db").unwrap();
        let hints = matching_hints(
            "flaky-db: connection refused",
            [(&r, "restart the db container")],
        );
        assert_eq!(hints[0], "restart the db container");
        assert_eq!(hints.len(), 2);
    }
}
