//! Hints for a failure: built-in patterns and `[[hints]]` from the config,
//! matched against the output tail.

use regex::Regex;
use std::sync::OnceLock;

/// Where a built-in pattern must occur to count.
#[derive(Clone, Copy)]
enum Scope {
    /// Anywhere: the pattern is specific enough on its own.
    AnyLine,
    /// On a line that reports an error: a common word such as `timeout`
    /// also names functions and settings (`connect_timeout`) in tracebacks
    /// of unrelated errors.
    ErrorLine,
}

/// (pattern, where, hint): what the message usually means and what to do.
/// Word boundaries keep `connect_timeout` or `nopermission denied` from matching.
const BUILT_IN: &[(&str, Scope, &str)] = &[
    (
        r"\bModuleNotFoundError\b|\bImportError: No module named\b",
        Scope::AnyLine,
        "a Python module is missing: install the project's dependencies in the environment tiergate runs in (activate the virtualenv, or `pip install -e .`)",
    ),
    (
        r"(?i)\bconnection refused\b|\bcould not connect to server\b|\bECONNREFUSED\b",
        Scope::AnyLine,
        "a service is not reachable: declare it under [services] with a `check` (and `start`) and list it in the stage's `needs`",
    ),
    (
        r"\bMemoryError\b|(?i)\bout of memory\b|\bcannot allocate memory\b",
        Scope::AnyLine,
        "the tests ran out of memory: lower `workers` or `jobs`, or split the group",
    ),
    (
        r"(?i)\btimed out\b|\bdeadline exceeded\b|\b(?:TimeoutError|TimeoutException|TimeoutExpired)\b",
        Scope::AnyLine,
        TIMEOUT_HINT,
    ),
    (r"(?i)\btime ?out\b", Scope::ErrorLine, TIMEOUT_HINT),
    (
        r"(?i)\bpermission denied\b",
        Scope::AnyLine,
        "a file or port is not accessible to the user running the hook",
    ),
    (
        r"(?i)\baddress already in use\b",
        Scope::AnyLine,
        "a port is taken, often by a server an earlier run left behind",
    ),
    (r"(?i)\bno space left on device\b", Scope::AnyLine, "the disk is full"),
];

const TIMEOUT_HINT: &str =
    "something timed out: raise the group's `timeout`, or check the service it waits for";

/// A line that reports an error, as runners and languages write one.
const ERROR_LINE: &str = r"(?i)error|exception|\bfail|\bfatal\b|panicked|^E\s";

fn built_in() -> &'static Vec<(Regex, Scope, &'static str)> {
    static COMPILED: OnceLock<Vec<(Regex, Scope, &'static str)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        BUILT_IN
            .iter()
            .filter_map(|(pattern, scope, hint)| {
                Regex::new(pattern).ok().map(|r| (r, *scope, *hint))
            })
            .collect()
    })
}

fn error_line() -> &'static Regex {
    static COMPILED: OnceLock<Regex> = OnceLock::new();
    COMPILED
        .get_or_init(|| Regex::new(ERROR_LINE).unwrap_or_else(|_| unreachable!("a fixed pattern")))
}

fn occurs(pattern: &Regex, scope: Scope, text: &str) -> bool {
    match scope {
        Scope::AnyLine => pattern.is_match(text),
        Scope::ErrorLine => text
            .lines()
            .any(|line| pattern.is_match(line) && error_line().is_match(line)),
    }
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
    for (pattern, scope, hint) in built_in() {
        if occurs(pattern, *scope, text) && !hints.iter().any(|h| h == hint) {
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
    fn the_timeout_hint_needs_a_timeout_error() {
        for text in [
            "E   TimeoutError: [Errno 110] Connection timed out",
            "Failed: Timeout >30.0s",
            "curl: (28) Operation timed out after 5001 milliseconds",
            "error: test run timed out",
            "subprocess.TimeoutExpired: Command 'x' timed out after 3 seconds",
        ] {
            assert_eq!(matching_hints(text, []), [TIMEOUT_HINT], "{text}");
        }
    }

    /// A traceback of an authentication error that passes through a function
    /// named `connect_timeout` is not a timeout.
    #[test]
    fn the_timeout_hint_ignores_connect_timeout_in_a_traceback() {
        let traceback = "Traceback (most recent call last):\n  File \"app/db.py\", line 12, in connect_timeout\n    conn = psycopg.connect(dsn, connect_timeout=5)\npsycopg.OperationalError: connection failed: FATAL:  password authentication failed for user \"app\"\n";
        assert!(matching_hints(traceback, []).is_empty());
        // The bare word on a line that is no error: a log line, a setting.
        assert!(matching_hints("INFO using timeout = 30\n", []).is_empty());
    }

    #[test]
    fn built_in_patterns_respect_word_boundaries() {
        assert!(matching_hints("test_permission_denied_is_reported ... ok", []).is_empty());
        assert!(matching_hints("MyModuleNotFoundErrorHandler registered", []).is_empty());
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
