//! What a test runner printed, read when a group has no JUnit: its summary
//! counts and each failed test's message, in the runner's own words.
//!
//! Pure: text in, counts out. Knows libtest (`cargo test`), cargo-nextest
//! and pytest; any other output is not a summary (the group is one test).

use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    Libtest,
    Nextest,
    Pytest,
}

/// One failed test as the runner names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailedTest {
    /// The part before the name: a file (`tests/test_calc.py`) for pytest,
    /// the test binary for nextest, empty for libtest.
    pub(crate) place: String,
    pub(crate) name: String,
    /// The failure's message (a panic, pytest's `E` lines), when found.
    pub(crate) message: Option<String>,
}

/// A runner's summary: counts over every binary or file it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) runner: Runner,
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) skipped: usize,
    /// The names of passed tests, when the runner printed them.
    pub(crate) passed_names: Vec<String>,
    pub(crate) failures: Vec<FailedTest>,
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|_| unreachable!("a fixed pattern")))
}

/// The summary of the first runner whose summary line is in `output`.
/// nextest is tried first: its failure blocks quote libtest's own lines.
/// Each runner is asked only when its summary's fixed words are in the output: compiling
/// its patterns costs more than the rest of a quiet hook (issue 21, S1).
pub(crate) fn summary(output: &str) -> Option<Summary> {
    let has = |word: &str| output.contains(word);
    has(" run: ")
        .then(|| nextest(output))
        .flatten()
        .or_else(|| has("test result: ").then(|| libtest(output)).flatten())
        .or_else(|| has(" in ").then(|| pytest(output)).flatten())
}

/// `test result: ok. 3 passed; 1 failed; 2 ignored; ...`, summed over
/// every test binary `cargo test` ran.
fn libtest(output: &str) -> Option<Summary> {
    static RESULT: OnceLock<Regex> = OnceLock::new();
    static LINE: OnceLock<Regex> = OnceLock::new();
    let result = regex(
        &RESULT,
        r"(?m)^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored",
    );
    let line = regex(&LINE, r"(?m)^test (\S+) \.\.\. (ok|FAILED|ignored)\r?$");
    let mut found = false;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for c in result.captures_iter(output) {
        found = true;
        passed += number(&c[1]);
        failed += number(&c[2]);
        skipped += number(&c[3]);
    }
    if !found {
        return None;
    }
    let mut passed_names = Vec::new();
    let mut failures = Vec::new();
    for c in line.captures_iter(output) {
        match &c[2] {
            "ok" => passed_names.push(c[1].to_owned()),
            "FAILED" => failures.push(FailedTest {
                place: String::new(),
                name: c[1].to_owned(),
                message: libtest_block(output, &c[1]),
            }),
            _ => {}
        }
    }
    Some(Summary {
        runner: Runner::Libtest,
        passed,
        failed,
        skipped,
        passed_names,
        failures,
    })
}

/// The message in libtest's `---- NAME stdout ----` block.
fn libtest_block(output: &str, name: &str) -> Option<String> {
    let header = format!("---- {name} stdout ----");
    let start = output.find(&header)? + header.len();
    let block: Vec<&str> = output[start..]
        .lines()
        .take_while(|l| !l.starts_with("---- ") && *l != "failures:")
        .collect();
    panic_message(&block).or_else(|| text_of(&block))
}

/// `thread 'x' panicked at src/lib.rs:6:31:` and the lines after it, up to
/// the backtrace note: the message, with where it happened.
pub(super) fn panic_message(lines: &[&str]) -> Option<String> {
    let at = lines.iter().position(|l| l.contains("panicked at "))?;
    let location = lines[at]
        .split_once("panicked at ")
        .map(|(_, rest)| rest.trim().trim_end_matches(':'))
        .unwrap_or_default();
    let body: Vec<&str> = lines[at + 1..]
        .iter()
        .map(|l| l.trim_end())
        .take_while(|l| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with("note: ") && !t.starts_with("stack backtrace:")
        })
        .collect();
    let indent = body
        .iter()
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut text: Vec<String> = body.iter().map(|l| l[indent..].to_owned()).collect();
    if text.is_empty() {
        // Old libtest: the message on the same line, `panicked at 'msg', file:line`.
        text.push(location.to_owned());
    } else if !location.is_empty() {
        text[0] = format!("{} (at {location})", text[0]);
    }
    Some(text.join("\n"))
}

/// A block's non-empty lines, dedented, when there is no panic to quote.
fn text_of(lines: &[&str]) -> Option<String> {
    let kept: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    (!kept.is_empty()).then(|| kept.join("\n"))
}

/// `Summary [   0.246s] 6 tests run: 4 passed, 2 failed, 0 skipped`, then
/// one `FAIL [..] (2/6) binary test::name` line per failure.
fn nextest(output: &str) -> Option<Summary> {
    static SUMMARY: OnceLock<Regex> = OnceLock::new();
    static STATUS: OnceLock<Regex> = OnceLock::new();
    let summary = regex(
        &SUMMARY,
        r"(?m)^\s*Summary \[[^\]]*\]\s+\d+ tests? run: (.*)$",
    );
    // `PASS [   0.084s] (1/6) calc tests::adds`; the counter is newer nextest.
    let status = regex(
        &STATUS,
        r"^\s+(PASS|FAIL|TIMEOUT|SIGSEGV|SIGABRT|SIGKILL|ABORT|LEAK-FAIL|TRY \d+ FAIL|FLAKY \d+/\d+) \[[^\]]*\] (?:\(\s*\d+/\d+\) )?(\S+) (\S+)\s*$",
    );
    let found = summary.captures_iter(output).last()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for part in found[1].split(',') {
        let part = part.trim();
        let Some((n, word)) = part.split_once(' ') else {
            continue;
        };
        let n = number(n);
        let word = word.split(" (").next().unwrap_or(word);
        match word {
            "passed" => passed += n,
            "failed" | "timed out" => failed += n,
            "skipped" => skipped += n,
            _ => {}
        }
    }
    // The lines after the summary repeat each failure; the run's lines come
    // first, each followed by its captured output.
    let summary_at = output.rfind(found.get(0).map_or("", |m| m.as_str()))?;
    let lines: Vec<&str> = output[..summary_at].lines().collect();
    let mut passed_names = Vec::new();
    let mut failures: Vec<FailedTest> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = status.captures(line) else {
            continue;
        };
        let word = &c[1];
        if word == "PASS" || word.starts_with("FLAKY") {
            passed_names.push(c[3].to_owned());
        } else if !word.starts_with("TRY") && !failures.iter().any(|f| f.name == c[3]) {
            let block: Vec<&str> = lines[i + 1..]
                .iter()
                .copied()
                .take_while(|l| !status.is_match(l) && !l.trim_start().starts_with("────"))
                .collect();
            failures.push(FailedTest {
                place: c[2].to_owned(),
                name: c[3].to_owned(),
                message: panic_message(&block).or_else(|| nextest_old_block(output, &c[2], &c[3])),
            });
        }
    }
    Some(Summary {
        runner: Runner::Nextest,
        passed,
        failed,
        skipped,
        passed_names,
        failures,
    })
}

/// Older nextest prints captured output after the run, in
/// `--- STDERR:   binary test::name ---` blocks.
fn nextest_old_block(output: &str, binary: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = output.lines().collect();
    let header = |l: &str| l.trim().starts_with("--- STD");
    lines.iter().enumerate().find_map(|(i, line)| {
        if !(header(line) && line.contains(binary) && line.contains(name)) {
            return None;
        }
        let block: Vec<&str> = lines[i + 1..]
            .iter()
            .copied()
            .take_while(|l| !header(l))
            .collect();
        panic_message(&block)
    })
}

/// pytest's last line, `2 failed, 2 passed, 1 skipped in 0.68s` (with or
/// without `=` around it), and the `FAILED file::test - message` lines of
/// its short summary.
fn pytest(output: &str) -> Option<Summary> {
    static LAST: OnceLock<Regex> = OnceLock::new();
    static FAILED: OnceLock<Regex> = OnceLock::new();
    let last = regex(
        &LAST,
        r"(?m)^=*\s*((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)(?:, )?)+) in [\d.]+s\b",
    );
    let failed_line = regex(&FAILED, r"(?m)^(?:FAILED|ERROR) (\S+?)(?: - (.*))?\r?$");
    let found = last.captures_iter(output).last()?;
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for part in found[1].split(", ") {
        let Some((n, word)) = part.split_once(' ') else {
            continue;
        };
        let n = number(n);
        match word {
            "passed" | "xpassed" => passed += n,
            "failed" | "error" | "errors" => failed += n,
            "skipped" | "xfailed" => skipped += n,
            _ => {}
        }
    }
    let failures = failed_line
        .captures_iter(output)
        .map(|c| {
            let id = &c[1];
            let (place, name) = id.split_once("::").unwrap_or(("", id));
            FailedTest {
                place: place.to_owned(),
                name: name.to_owned(),
                message: pytest_section(output, name)
                    .or_else(|| c.get(2).map(|m| m.as_str().trim().to_owned())),
            }
        })
        .collect();
    Some(Summary {
        runner: Runner::Pytest,
        passed,
        failed,
        skipped,
        passed_names: Vec::new(),
        failures,
    })
}

/// The `E   ` lines of pytest's `____ test_mul ____` section, with the
/// `file:line` that closes it.
fn pytest_section(output: &str, name: &str) -> Option<String> {
    // A test in a class is headed `TestX.test_y`; the id says `TestX::test_y`.
    let title = name.replace("::", ".");
    let mut lines = output.lines();
    lines.by_ref().find(|l| {
        let t = l.trim_matches(|c| c == '_' || c == ' ');
        l.starts_with("____") && t == title
    })?;
    let section: Vec<&str> = lines
        .take_while(|l| !l.starts_with("____") && !l.starts_with("===="))
        .collect();
    let mut text: Vec<String> = section
        .iter()
        .filter_map(|l| l.strip_prefix("E "))
        .map(|l| l.trim().to_owned())
        .collect();
    if text.is_empty() {
        return None;
    }
    if let Some(place) = section
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.starts_with(' ') && l.contains(".py:"))
    {
        text[0] = format!("{} (at {})", text[0], place.trim());
    }
    Some(text.join("\n"))
}

fn number(text: &str) -> usize {
    text.trim().parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test --no-fail-fast` on a crate with a failing unit test
    /// binary and a passing integration test binary (real output).
    const CARGO_TEST: &str = include_str!("runner_output/cargo_test.txt");
    /// `cargo nextest run --no-fail-fast`, same crate (real output).
    const NEXTEST: &str = include_str!("runner_output/nextest.txt");
    /// `pytest`, two failures, a skip (real output).
    const PYTEST: &str = include_str!("runner_output/pytest.txt");

    #[test]
    fn libtest_counts_are_summed_over_every_binary() {
        let s = summary(CARGO_TEST).unwrap();
        assert_eq!(s.runner, Runner::Libtest);
        assert_eq!((s.passed, s.failed, s.skipped), (4, 2, 0));
        let names: Vec<&str> = s.failures.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["tests::adds_wrong", "tests::prints_then_panics"]);
        assert_eq!(
            s.failures[0].message.as_deref(),
            Some("assertion `left == right` failed: two and two (at src/lib.rs:6:31)\n  left: 4\n right: 5")
        );
        assert_eq!(
            s.failures[1].message.as_deref(),
            Some("boom at the end (at src/lib.rs:7:64)")
        );
    }

    #[test]
    fn nextest_is_counted_from_its_summary_not_the_libtest_lines_it_quotes() {
        let s = summary(NEXTEST).unwrap();
        assert_eq!(s.runner, Runner::Nextest);
        assert_eq!((s.passed, s.failed, s.skipped), (4, 2, 0));
        assert_eq!(s.passed_names.len(), 4);
        assert_eq!(s.failures.len(), 2);
        assert_eq!(
            (s.failures[0].place.as_str(), s.failures[0].name.as_str()),
            ("calc", "tests::adds_wrong")
        );
        assert_eq!(
            s.failures[0].message.as_deref(),
            Some("assertion `left == right` failed: two and two (at src/lib.rs:6:31)\n  left: 4\n right: 5")
        );
        assert_eq!(
            s.failures[1].message.as_deref(),
            Some("boom at the end (at src/lib.rs:7:64)")
        );
    }

    #[test]
    fn a_single_test_run_by_nextest_is_a_summary() {
        let one = "     Summary [   0.010s] 1 test run: 1 passed, 0 skipped\n";
        let s = summary(one).unwrap();
        assert_eq!(s.runner, Runner::Nextest);
        assert_eq!((s.passed, s.failed, s.skipped), (1, 0, 0));
    }

    #[test]
    fn nextest_old_style_output_blocks_are_read() {
        let old = "        FAIL [   0.004s] calc tests::boom\n\
                   ------------\n     Summary [   0.010s] 2 tests run: 1 passed, 1 failed, 0 skipped\n\
                   \x20       FAIL [   0.004s] calc tests::boom\n\n\
                   --- STDOUT:              calc tests::boom ---\n\nrunning 1 test\n\
                   --- STDERR:              calc tests::boom ---\n\
                   thread 'tests::boom' panicked at src/lib.rs:3:5:\nexploded\n";
        let s = summary(old).unwrap();
        assert_eq!((s.passed, s.failed), (1, 1));
        assert_eq!(
            s.failures[0].message.as_deref(),
            Some("exploded (at src/lib.rs:3:5)")
        );
    }

    #[test]
    fn pytest_counts_names_and_messages() {
        let s = summary(PYTEST).unwrap();
        assert_eq!(s.runner, Runner::Pytest);
        assert_eq!((s.passed, s.failed, s.skipped), (2, 2, 1));
        let ids: Vec<String> = s
            .failures
            .iter()
            .map(|f| format!("{}::{}", f.place, f.name))
            .collect();
        assert_eq!(
            ids,
            [
                "tests/test_calc.py::test_mul",
                "tests/test_calc.py::test_err"
            ]
        );
        assert_eq!(
            s.failures[0].message.as_deref(),
            Some("AssertionError: three times two (at tests/test_calc.py:6: AssertionError)\nassert (3 * 2) == 7")
        );
        assert_eq!(
            s.failures[1].message.as_deref(),
            Some("ValueError: bad value (at tests/test_calc.py:8: ValueError)")
        );
    }

    #[test]
    fn pytest_quiet_last_line_is_a_summary_too() {
        let s =
            summary("..F\nFAILED t.py::test_x - assert 0\n1 failed, 2 passed in 0.05s\n").unwrap();
        assert_eq!((s.passed, s.failed), (2, 1));
        assert_eq!(s.failures[0].message.as_deref(), Some("assert 0"));
    }

    #[test]
    fn other_output_is_no_summary() {
        assert_eq!(summary("All checks passed!\n"), None);
        assert_eq!(summary("error: 3 problems found in 0.5s\n"), None);
    }
}
