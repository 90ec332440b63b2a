//! Writes the merged report of `--junit FILE`: one `<testsuite>` per group that ran.
//!
//! Owns how tiergate's six test statuses map onto the four outcomes that CI test
//! viewers know, and the escaping that keeps the document well-formed whatever the
//! tests printed. It decides nothing: each case's status arrives settled by `policy`.

use std::fmt;
use std::io::{self, BufWriter, Write};

pub(crate) struct SuiteOut<'a> {
    /// `stage.group`.
    pub(crate) name: &'a str,
    pub(crate) duration: f64,
    pub(crate) cases: &'a [CaseOut<'a>],
}

pub(crate) struct CaseOut<'a> {
    pub(crate) name: &'a str,
    pub(crate) classname: &'a str,
    pub(crate) file: Option<&'a str>,
    /// `passed`, `failed`, `error`, `skipped`, `flaky` or `quarantined`.
    pub(crate) status: &'a str,
    pub(crate) duration: f64,
    pub(crate) message: Option<&'a str>,
    /// Tail of the captured output, for failures.
    pub(crate) output: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Error,
    Skipped,
    Flaky,
    Quarantined,
}

impl Outcome {
    /// `None` for a status this writer doesn't know.
    fn of(status: &str) -> Option<Self> {
        match status {
            "passed" => Some(Self::Passed),
            "failed" => Some(Self::Failed),
            "error" => Some(Self::Error),
            "skipped" => Some(Self::Skipped),
            "flaky" => Some(Self::Flaky),
            "quarantined" => Some(Self::Quarantined),
            _ => None,
        }
    }

    /// An unknown status is a bug upstream; writing it as an error keeps it from passing
    /// unnoticed in CI.
    fn or_error(status: &str) -> Self {
        Self::of(status).unwrap_or(Self::Error)
    }
}

/// The counts attributes of `<testsuites>` and `<testsuite>`. Flaky and quarantined
/// cases are written as passed (SPEC 13 "Counts"), so they add to `tests` only.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(cases: &[CaseOut<'_>]) -> Self {
        cases.iter().fold(Self::default(), |mut counts, case| {
            counts.tests += 1;
            match Outcome::or_error(case.status) {
                Outcome::Failed => counts.failures += 1,
                Outcome::Error => counts.errors += 1,
                Outcome::Skipped => counts.skipped += 1,
                Outcome::Passed | Outcome::Flaky | Outcome::Quarantined => {}
            }
            counts
        })
    }

    fn add(self, other: Self) -> Self {
        Self {
            tests: self.tests + other.tests,
            failures: self.failures + other.failures,
            errors: self.errors + other.errors,
            skipped: self.skipped + other.skipped,
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            tests,
            failures,
            errors,
            skipped,
        } = self;
        write!(
            f,
            r#"tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}""#
        )
    }
}

pub(crate) fn write_junit(
    out: &mut impl Write,
    name: &str,
    suites: &[SuiteOut<'_>],
) -> io::Result<()> {
    // Thousands of small writes: don't make each one a syscall on the caller's file.
    let mut out = BufWriter::new(out);
    let total = suites
        .iter()
        .map(|suite| Counts::of(suite.cases))
        .fold(Counts::default(), Counts::add);
    // A fold from +0.0: an empty f64 `sum()` is -0.0, written as `-0.000`.
    let time = suites
        .iter()
        .map(|suite| seconds(suite.duration))
        .fold(0.0, |total, seconds| total + seconds);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="{}" {total} time="{time:.3}">"#,
        attr(name)
    )?;
    for suite in suites {
        writeln!(
            out,
            r#"  <testsuite name="{}" {} time="{:.3}">"#,
            attr(suite.name),
            Counts::of(suite.cases),
            seconds(suite.duration)
        )?;
        for case in suite.cases {
            write_case(&mut out, case)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")?;
    out.flush()
}

fn write_case(out: &mut impl Write, case: &CaseOut<'_>) -> io::Result<()> {
    write!(
        out,
        r#"    <testcase name="{}" classname="{}" time="{:.3}""#,
        attr(case.name),
        attr(case.classname),
        seconds(case.duration)
    )?;
    if let Some(file) = case.file {
        write!(out, r#" file="{}""#, attr(file))?;
    }
    let outcome = Outcome::or_error(case.status);
    if outcome == Outcome::Passed {
        return writeln!(out, "/>");
    }
    writeln!(out, ">")?;
    match outcome {
        Outcome::Flaky | Outcome::Quarantined => write_note(out, outcome, case)?,
        _ => write_outcome(out, outcome, case)?,
    }
    writeln!(out, "    </testcase>")
}

/// `<failure>`, `<error>` or `<skipped>`, and the output that explains a failure.
fn write_outcome(out: &mut impl Write, outcome: Outcome, case: &CaseOut<'_>) -> io::Result<()> {
    let element = match outcome {
        Outcome::Failed => "failure",
        Outcome::Skipped => "skipped",
        _ => "error",
    };
    write!(out, "      <{element}")?;
    match (Outcome::of(case.status), case.message) {
        (Some(_), Some(message)) => write!(out, r#" message="{}""#, attr(message))?,
        (Some(_), None) => {}
        (None, message) => write!(
            out,
            r#" message="unknown test status `{}`{}{}""#,
            attr(case.status),
            if message.is_some() { ": " } else { "" },
            attr(message.unwrap_or_default())
        )?,
    }
    writeln!(out, "/>")?;
    match case.output {
        Some(output) if outcome != Outcome::Skipped => {
            writeln!(out, "      <system-out>{}</system-out>", text(output))
        }
        _ => Ok(()),
    }
}

/// The format has no word for flaky or quarantined: the case is written as passed, and a
/// note in its output says why.
fn write_note(out: &mut impl Write, outcome: Outcome, case: &CaseOut<'_>) -> io::Result<()> {
    let note = if outcome == Outcome::Flaky {
        "flaky: failed then passed"
    } else {
        "quarantined: its failures are left out of the gates"
    };
    write!(out, "      <system-out>{note}")?;
    for detail in [case.message, case.output].into_iter().flatten() {
        write!(out, "\n{}", text(detail))?;
    }
    writeln!(out, "</system-out>")
}

/// A duration as report readers expect it: never negative, never `NaN`.
fn seconds(duration: f64) -> f64 {
    if duration.is_finite() && duration > 0.0 {
        duration
    } else {
        0.0
    }
}

fn attr(raw: &str) -> Escaped<'_> {
    Escaped {
        raw,
        attribute: true,
    }
}

fn text(raw: &str) -> Escaped<'_> {
    Escaped {
        raw,
        attribute: false,
    }
}

/// `raw` made safe for XML 1.0, escaped as it is written.
///
/// Not `quick_xml::escape`: that leaves tabs and newlines raw in attribute values, where
/// a conforming reader turns them into spaces, and it keeps control characters, which
/// make the document ill-formed. Test output is full of both.
struct Escaped<'a> {
    raw: &'a str,
    attribute: bool,
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.raw.as_bytes();
        // Every byte matched below is ASCII or a UTF-8 lead byte, so the slices written
        // start and end on character boundaries.
        let mut written = 0;
        let mut i = 0;
        while i < bytes.len() {
            let (replacement, len) = match bytes[i] {
                b'&' => ("&amp;", 1),
                b'<' => ("&lt;", 1),
                b'>' => ("&gt;", 1),
                b'"' if self.attribute => ("&quot;", 1),
                b'\'' if self.attribute => ("&apos;", 1),
                b'\n' if self.attribute => ("&#10;", 1),
                b'\t' if self.attribute => ("&#9;", 1),
                // A raw CR would be read back as LF.
                b'\r' => ("&#13;", 1),
                0x1b => ("", escape_sequence_len(&bytes[i..])),
                b'\n' | b'\t' => {
                    i += 1;
                    continue;
                }
                0..=0x1f => ("", 1),
                // U+FFFE and U+FFFF, the only other characters XML 1.0 cannot hold.
                0xef if matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])) => ("", 3),
                _ => {
                    i += 1;
                    continue;
                }
            };
            f.write_str(&self.raw[written..i])?;
            f.write_str(replacement)?;
            i += len;
            written = i;
        }
        f.write_str(&self.raw[written..])
    }
}

/// How many bytes the terminal sequence at the start of `bytes` (an ESC) spans. A CSI
/// sequence (colours, cursor moves) goes whole, so no `[31m` litter is left behind;
/// anything else loses only its ESC.
pub(super) fn escape_sequence_len(bytes: &[u8]) -> usize {
    if bytes.get(1) != Some(&b'[') {
        return 1;
    }
    let rest = bytes.get(2..).unwrap_or_default();
    let params = rest
        .iter()
        .take_while(|b| (0x20..=0x3f).contains(*b))
        .count();
    match rest.get(params) {
        Some(0x40..=0x7e) => 2 + params + 1,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::junit::{parse, CaseStatus};

    fn case<'a>(name: &'a str, status: &'a str) -> CaseOut<'a> {
        CaseOut {
            name,
            classname: "tests.unit.test_auth",
            file: None,
            status,
            duration: 0.25,
            message: None,
            output: None,
        }
    }

    fn written(name: &str, suites: &[SuiteOut<'_>]) -> String {
        let mut out = Vec::new();
        write_junit(&mut out, name, suites).expect("writing to a Vec");
        String::from_utf8(out).expect("the writer emits UTF-8")
    }

    #[test]
    fn round_trips_names_statuses_and_counts() {
        let unit = [
            CaseOut {
                file: Some("tests/unit/test_auth.py"),
                ..case("test_login", "passed")
            },
            CaseOut {
                message: Some("assert 401 == 200"),
                output: Some("E   assert 401 == 200\ntests/unit/test_auth.py:27: AssertionError"),
                ..case("test_logout", "failed")
            },
            CaseOut {
                message: Some("needs TOTP secret"),
                ..case("test_mfa", "skipped")
            },
            CaseOut {
                message: Some("first attempt: timeout"),
                ..case("test_retry", "flaky")
            },
        ];
        let api = [
            CaseOut {
                message: Some("connection refused"),
                ..case("test_db", "error")
            },
            CaseOut {
                message: Some("tracked in #123"),
                output: Some("E   boom"),
                ..case("test_legacy", "quarantined")
            },
        ];
        let xml = written(
            "tiergate run fast",
            &[
                SuiteOut {
                    name: "fast.unit",
                    duration: 1.5,
                    cases: &unit,
                },
                SuiteOut {
                    name: "fast.api-core",
                    duration: 0.25,
                    cases: &api,
                },
                SuiteOut {
                    name: "smoke.empty",
                    duration: 0.0,
                    cases: &[],
                },
            ],
        );

        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        assert!(xml.contains(
            r#"<testsuites name="tiergate run fast" tests="6" failures="1" errors="1" skipped="1" time="1.750">"#
        ), "{xml}");
        assert!(xml.contains(
            r#"<testsuite name="fast.unit" tests="4" failures="1" errors="0" skipped="1" time="1.500">"#
        ), "{xml}");
        assert!(xml.contains(
            r#"<testsuite name="fast.api-core" tests="2" failures="0" errors="1" skipped="0" time="0.250">"#
        ), "{xml}");
        assert!(xml.contains(
            r#"<testsuite name="smoke.empty" tests="0" failures="0" errors="0" skipped="0" time="0.000">"#
        ), "{xml}");
        assert!(
            xml.contains("flaky: failed then passed\nfirst attempt: timeout"),
            "{xml}"
        );
        assert!(xml.contains("quarantined: "), "{xml}");

        let cases = parse(xml.as_bytes()).expect("the written report parses");
        let got: Vec<(String, CaseStatus, Option<&str>)> = cases
            .iter()
            .map(|c| (c.id(), c.status, c.message.as_deref()))
            .collect();
        let auth = "tests.unit.test_auth::";
        assert_eq!(
            got,
            [
                (
                    "tests/unit/test_auth.py::test_login".into(),
                    CaseStatus::Passed,
                    None
                ),
                (
                    format!("{auth}test_logout"),
                    CaseStatus::Failed,
                    Some("assert 401 == 200")
                ),
                (format!("{auth}test_mfa"), CaseStatus::Skipped, None),
                (format!("{auth}test_retry"), CaseStatus::Passed, None),
                (
                    format!("{auth}test_db"),
                    CaseStatus::Error,
                    Some("connection refused")
                ),
                (format!("{auth}test_legacy"), CaseStatus::Passed, None),
            ]
        );
        assert!(cases.iter().all(|c| (c.duration - 0.25).abs() < 1e-9));
    }

    #[test]
    fn markup_and_control_characters_cannot_break_the_document() {
        let name = "a<&\"'>b\x1b[1;31mred\x1b[0m\x00\x07\u{fffe}\u{ffff}\x1bc ]]> é\u{1F600}";
        let message = "line one\n\tline two\r\n\x1b";
        let output = "<?xml?> ]]> <![CDATA[ \x1b[32mok\x1b[0m \x0c\r\n</system-out>";
        let cases = [
            CaseOut {
                classname: "k\x01",
                file: Some("dir/it's \"here\".py"),
                message: Some(message),
                output: Some(output),
                ..case(name, "failed")
            },
            CaseOut {
                message: Some(message),
                output: Some(output),
                ..case("q\x1b", "quarantined")
            },
        ];
        let xml = written(
            "<&>",
            &[SuiteOut {
                name: "s\"<&>'",
                duration: 1.0,
                cases: &cases,
            }],
        );
        assert!(!xml.contains('\x1b'));
        assert!(!xml
            .bytes()
            .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')));
        assert!(xml.contains("&lt;/system-out&gt;"), "{xml}");

        let parsed = parse(xml.as_bytes()).expect("the written report parses");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].name, "a<&\"'>bredc ]]> é\u{1F600}");
        assert_eq!(parsed[0].classname, "k");
        assert_eq!(parsed[0].file.as_deref(), Some("dir/it's \"here\".py"));
        // Newlines, tabs and CRs survive the attribute as character references.
        assert_eq!(parsed[0].message.as_deref(), Some("line one\n\tline two"));
        assert_eq!(parsed[0].status, CaseStatus::Failed);
        assert_eq!(
            (parsed[1].name.as_str(), parsed[1].status),
            ("q", CaseStatus::Passed)
        );
    }

    #[test]
    fn escaping_keeps_clean_text_and_strips_only_what_xml_cannot_hold() {
        for (raw, as_attr, as_text) in [
            ("plain é", "plain é", "plain é"),
            ("a\tb\nc\rd", "a&#9;b&#10;c&#13;d", "a\tb\nc&#13;d"),
            ("\x1b[38;5;196mx\x1b[m", "x", "x"),
            ("\x1b[u\x1b[12", "[12", "[12"),
            ("\x7f\u{85}", "\x7f\u{85}", "\x7f\u{85}"),
            ("\u{fffd}\u{fffe}", "\u{fffd}", "\u{fffd}"),
        ] {
            assert_eq!(attr(raw).to_string(), as_attr, "{raw:?}");
            assert_eq!(text(raw).to_string(), as_text, "{raw:?}");
        }
    }

    #[test]
    fn unknown_statuses_and_bad_durations_are_written_safely() {
        let cases = [
            CaseOut {
                duration: f64::NAN,
                ..case("a", "timeout")
            },
            CaseOut {
                duration: -3.0,
                message: Some("killed"),
                ..case("b", "timed out")
            },
        ];
        let xml = written(
            "t",
            &[SuiteOut {
                name: "s",
                duration: f64::INFINITY,
                cases: &cases,
            }],
        );
        assert!(
            xml.contains(r#"tests="2" failures="0" errors="2" skipped="0" time="0.000""#),
            "{xml}"
        );
        let parsed = parse(xml.as_bytes()).expect("the written report parses");
        assert_eq!(parsed[0].status, CaseStatus::Error);
        assert_eq!(
            parsed[0].message.as_deref(),
            Some("unknown test status `timeout`")
        );
        assert_eq!(
            parsed[1].message.as_deref(),
            Some("unknown test status `timed out`: killed")
        );
        assert!(parsed.iter().all(|c| c.duration == 0.0));
    }

    #[test]
    fn no_suites_is_a_valid_empty_document() {
        let xml = written("tiergate", &[]);
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tiergate\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\">\n</testsuites>\n"
        );
        assert_eq!(parse(xml.as_bytes()).map(|c| c.len()).ok(), Some(0));
    }
}
