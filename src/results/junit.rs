//! Reads the report that a group's command writes to `{junit}` into test cases.
//!
//! Owns the dialects (pytest xunit1 and xunit2, cargo-nextest, jest-junit,
//! go-junit-report) and nothing else: it neither counts nor judges. Turning cases into
//! group counts is the rest of `results`; deciding what they mean is `policy`.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// A failure message longer than this is cut: it goes next to the test's name in the
/// terminal and in reports, while the whole text stays in the group's captured output.
const MAX_MESSAGE_CHARS: usize = 500;

/// How much of a failure's body is kept while looking for its first line, so that a
/// megabyte of single-line output costs no more than this.
const MAX_BODY_BYTES: usize = 4 * MAX_MESSAGE_CHARS;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum CaseStatus {
    Passed,
    Failed,
    Error,
    Skipped,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TestCase {
    pub(crate) name: String,
    /// Empty when the report gives none.
    pub(crate) classname: String,
    /// The testcase's `file`, else that of its nearest enclosing testsuite.
    pub(crate) file: Option<String>,
    pub(crate) status: CaseStatus,
    /// Seconds; 0.0 when the report gives no usable `time`.
    pub(crate) duration: f64,
    /// Why a failed or errored case failed: the `message` attribute, else the first
    /// non-blank line of the element's text; at most 500 characters.
    pub(crate) message: Option<String>,
}

impl TestCase {
    /// The id that `[[quarantine]]`, `critical` and `history --flaky` use (SPEC 13).
    #[cfg(test)]
    pub(crate) fn id(&self) -> String {
        let scope = self.file.as_deref().unwrap_or(&self.classname);
        format!("{scope}::{}", self.name)
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum JunitError {
    #[error("cannot read JUnit report `{}`: {err}", path.display())]
    Read { path: PathBuf, err: std::io::Error },
    #[error(
        "malformed JUnit XML{} at line {line} (byte {offset}): {reason}",
        in_file(path.as_deref())
    )]
    Malformed {
        path: Option<PathBuf>,
        line: usize,
        offset: u64,
        reason: String,
    },
}

fn in_file(path: Option<&Path>) -> String {
    path.map(|p| format!(" in `{}`", p.display()))
        .unwrap_or_default()
}

/// Parses a whole report. A document without testcases (even an empty one) is `Ok`:
/// whether zero tests is acceptable is the group's `no_tests` policy, not a parse error.
pub(crate) fn parse(xml: &[u8]) -> Result<Vec<TestCase>, JunitError> {
    parse_in(xml, None)
}

pub(crate) fn parse_file(path: &Path) -> Result<Vec<TestCase>, JunitError> {
    let xml = std::fs::read(path).map_err(|err| JunitError::Read {
        path: path.to_owned(),
        err,
    })?;
    parse_in(&xml, Some(path))
}

fn parse_in(xml: &[u8], path: Option<&Path>) -> Result<Vec<TestCase>, JunitError> {
    // quick-xml drops a BOM without counting it, which would shift every offset we report.
    let (bom, body) = match xml.strip_prefix(UTF8_BOM) {
        Some(body) => (UTF8_BOM.len(), body),
        None => (0, xml),
    };
    Parser::new(body).run().map_err(|fault| {
        let end = usize::try_from(fault.offset).map_or(body.len(), |o| o.min(body.len()));
        JunitError::Malformed {
            path: path.map(Path::to_owned),
            line: body[..end].split(|&b| b == b'\n').count(),
            offset: fault.offset + bom as u64,
            reason: fault.reason,
        }
    })
}

/// A parse error before it is given its path and line.
struct Fault {
    offset: u64,
    reason: String,
}

fn fault(offset: u64, reason: impl Into<String>) -> Fault {
    Fault {
        offset,
        reason: reason.into(),
    }
}

/// A testcase whose end tag has not been read yet.
struct OpenCase {
    case: TestCase,
    /// Depth of the `<testcase>` element: outcomes count only as its direct children,
    /// so a nested element that happens to be named `failure` cannot fail the case.
    level: usize,
    body: Option<Body>,
}

/// The text of a `<failure>` or `<error>` without a `message` (or with only a
/// panic's `thread 'x' panicked at file:line`), kept for its first line; a
/// Rust panic's text is kept on, for the panic's own words.
struct Body {
    level: usize,
    text: String,
}

impl Body {
    fn push(&mut self, text: &str) {
        if self.text.len() < MAX_BODY_BYTES && (!has_complete_line(&self.text) || self.is_panic()) {
            self.text.push_str(text);
        }
    }

    fn is_panic(&self) -> bool {
        first_line(&self.text).is_some_and(is_panic_header)
    }

    /// The failure's message: the panic's own words when it is a panic.
    fn message(&self) -> Option<String> {
        if self.is_panic() {
            let lines: Vec<&str> = self.text.lines().collect();
            if let Some(message) = super::runner_output::panic_message(&lines) {
                return Some(clip(&message));
            }
        }
        first_line(&self.text).map(clip)
    }
}

/// `thread 'x' panicked at src/lib.rs:6:31`: where a Rust test panicked, not why.
fn is_panic_header(line: &str) -> bool {
    line.starts_with("thread '") && line.contains("panicked at ")
}

struct Parser<'a> {
    xml: &'a [u8],
    reader: Reader<&'a [u8]>,
    cases: Vec<TestCase>,
    /// Start offset of every open element, innermost last.
    open: Vec<u64>,
    root_closed: bool,
    /// Depth and `file` of every open testsuite that has one, innermost last.
    suite_files: Vec<(usize, String)>,
    case: Option<OpenCase>,
}

impl<'a> Parser<'a> {
    fn new(xml: &'a [u8]) -> Self {
        Parser {
            xml,
            reader: Reader::from_reader(xml),
            cases: Vec::new(),
            open: Vec::new(),
            root_closed: false,
            suite_files: Vec::new(),
            case: None,
        }
    }

    fn run(mut self) -> Result<Vec<TestCase>, Fault> {
        loop {
            let at = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(err) => return Err(fault(self.reader.error_position(), err.to_string())),
            };
            match event {
                Event::Start(e) => self.open(&e, at, false)?,
                Event::Empty(e) => self.open(&e, at, true)?,
                Event::End(_) => self.close(),
                Event::Text(text) => {
                    if self.open.is_empty() {
                        if !text.iter().all(u8::is_ascii_whitespace) {
                            return Err(fault(at, "text outside the root element"));
                        }
                    } else if let Some(body) = self.body_here() {
                        let text = text.unescape().map_err(|err| fault(at, err.to_string()))?;
                        body.push(&text);
                    }
                }
                Event::CData(data) => {
                    if self.open.is_empty() {
                        return Err(fault(at, "CDATA outside the root element"));
                    }
                    if let Some(body) = self.body_here() {
                        let text = std::str::from_utf8(&data)
                            .map_err(|err| fault(at, format!("CDATA is not UTF-8: {err}")))?;
                        body.push(text);
                    }
                }
                Event::Eof => return self.finish(at),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    /// The failure body being collected, if the reader is directly inside it.
    fn body_here(&mut self) -> Option<&mut Body> {
        let depth = self.open.len();
        self.case
            .as_mut()
            .and_then(|open| open.body.as_mut())
            .filter(|body| body.level == depth)
    }

    fn open(&mut self, e: &BytesStart<'_>, at: u64, empty: bool) -> Result<(), Fault> {
        let local = e.local_name();
        let name = local.as_ref();
        if self.open.is_empty() {
            if self.root_closed {
                return Err(fault(
                    at,
                    "a second root element after the first one closed",
                ));
            }
            if name != b"testsuites" && name != b"testsuite" {
                return Err(fault(
                    at,
                    format!(
                        "the root element is `<{}>`, not `<testsuites>` or `<testsuite>`",
                        String::from_utf8_lossy(name)
                    ),
                ));
            }
        }
        let level = self.open.len() + 1;
        match name {
            b"testsuite" if !empty => {
                let [file] = attributes(e, at, [b"file"])?;
                if let Some(file) = file.filter(|f| !f.is_empty()) {
                    self.suite_files.push((level, file));
                }
            }
            b"testcase" if self.case.is_none() => {
                let case = self.new_case(e, at)?;
                if empty {
                    self.cases.push(case);
                } else {
                    self.case = Some(OpenCase {
                        case,
                        level,
                        body: None,
                    });
                }
            }
            b"failure" | b"error" | b"skipped" => {
                if let Some(open) = self.case.as_mut().filter(|open| open.level + 1 == level) {
                    let status = match name {
                        b"failure" => CaseStatus::Failed,
                        b"error" => CaseStatus::Error,
                        _ => CaseStatus::Skipped,
                    };
                    record_outcome(open, status, e, at, empty)?;
                }
            }
            // Everything else is either structure we don't need (`properties`,
            // `system-out`) or a dialect's extra detail: nextest's `flakyFailure` and
            // `rerunFailure` describe attempts before the final one, and the final one
            // alone decides the status.
            _ => {}
        }
        if empty {
            self.root_closed |= self.open.is_empty();
        } else {
            self.open.push(at);
        }
        Ok(())
    }

    fn new_case(&self, e: &BytesStart<'_>, at: u64) -> Result<TestCase, Fault> {
        let [name, classname, file, time] =
            attributes(e, at, [b"name", b"classname", b"file", b"time"])?;
        let name = name.ok_or_else(|| fault(at, "a `<testcase>` without a `name`"))?;
        // Some reporters give `file` on the suite only.
        let file = file
            .filter(|f| !f.is_empty())
            .or_else(|| self.suite_files.last().map(|(_, file)| file.clone()));
        Ok(TestCase {
            name,
            classname: classname.unwrap_or_default(),
            file,
            status: CaseStatus::Passed,
            duration: time.as_deref().map_or(0.0, parse_seconds),
            message: None,
        })
    }

    fn close(&mut self) {
        let level = self.open.len();
        self.open.pop();
        if let Some(open) = self.case.as_mut() {
            if let Some(body) = open.body.take_if(|body| body.level == level) {
                if let Some(message) = body.message() {
                    open.case.message = Some(message);
                }
            }
        }
        if let Some(open) = self.case.take_if(|open| open.level == level) {
            self.cases.push(open.case);
        }
        if self.suite_files.last().is_some_and(|(l, _)| *l == level) {
            self.suite_files.pop();
        }
        self.root_closed |= self.open.is_empty();
    }

    fn finish(self, at: u64) -> Result<Vec<TestCase>, Fault> {
        match self.open.last() {
            None => Ok(self.cases),
            Some(&start) => {
                let from = usize::try_from(start)
                    .ok()
                    .and_then(|s| self.xml.get(s..))
                    .unwrap_or_default();
                let name: Vec<u8> = from
                    .iter()
                    .skip(1)
                    .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'>' | b'/'))
                    .copied()
                    .collect();
                Err(fault(
                    at,
                    format!(
                        "the document ends inside `<{}>` opened at byte {start} (truncated?)",
                        String::from_utf8_lossy(&name)
                    ),
                ))
            }
        }
    }
}

/// Applies one `<failure>`, `<error>` or `<skipped>`. The first failure or error wins,
/// and either wins over a skip: a test that skipped and then errored in teardown (pytest
/// writes both on one case) still needs someone to look at it.
fn record_outcome(
    open: &mut OpenCase,
    status: CaseStatus,
    e: &BytesStart<'_>,
    at: u64,
    empty: bool,
) -> Result<(), Fault> {
    let current = open.case.status;
    if status == CaseStatus::Skipped {
        if current == CaseStatus::Passed {
            open.case.status = CaseStatus::Skipped;
        }
        return Ok(());
    }
    if matches!(current, CaseStatus::Failed | CaseStatus::Error) {
        return Ok(());
    }
    open.case.status = status;
    let [message] = attributes(e, at, [b"message"])?;
    open.case.message = message.as_deref().and_then(trimmed).map(clip);
    // jest-junit writes the whole error as text and no `message`; cargo-nextest
    // writes only the panic's `thread 'x' panicked at file:line` line as the
    // message, and the panic's own words in the text.
    let panic = open.case.message.as_deref().is_some_and(is_panic_header);
    if (open.case.message.is_none() || panic) && !empty {
        open.body = Some(Body {
            level: open.level + 1,
            text: String::new(),
        });
    }
    Ok(())
}

/// Reads the wanted attributes of `e`, unescaped, in the order asked for.
fn attributes<const N: usize>(
    e: &BytesStart<'_>,
    at: u64,
    wanted: [&[u8]; N],
) -> Result<[Option<String>; N], Fault> {
    let mut found: [Option<String>; N] = std::array::from_fn(|_| None);
    for attr in e.attributes() {
        let attr = attr.map_err(|err| attribute_fault(at, &err))?;
        let key = attr.key.local_name();
        if let Some(i) = wanted.iter().position(|w| *w == key.as_ref()) {
            let value = attr.unescape_value().map_err(|err| {
                fault(
                    at,
                    format!(
                        "attribute `{}`: {err}",
                        String::from_utf8_lossy(key.as_ref())
                    ),
                )
            })?;
            found[i] = Some(Cow::into_owned(value));
        }
    }
    Ok(found)
}

/// Points at the broken attribute itself rather than at its tag.
fn attribute_fault(at: u64, err: &AttrError) -> Fault {
    let (pos, reason) = match *err {
        AttrError::ExpectedEq(pos) => (pos, "an attribute name without `=`".to_owned()),
        AttrError::ExpectedValue(pos) => (pos, "`=` without an attribute value".to_owned()),
        AttrError::UnquotedValue(pos) => (pos, "an attribute value without quotes".to_owned()),
        AttrError::ExpectedQuote(pos, quote) => (
            pos,
            format!(
                "an attribute value without its closing `{}`",
                char::from(quote)
            ),
        ),
        AttrError::Duplicated(pos, _) => (pos, "a duplicated attribute".to_owned()),
    };
    // quick-xml counts from the byte after the tag's `<`.
    fault(at + 1 + pos as u64, reason)
}

/// Seconds from a `time` attribute. Surefire-style thousands separators (`1,234.5`) are
/// accepted; anything unusable (negative, `NaN`, text) counts as unknown, which is 0.
fn parse_seconds(raw: &str) -> f64 {
    let raw = raw.trim();
    let seconds = if raw.contains(',') {
        raw.replace(',', "").parse::<f64>()
    } else {
        raw.parse::<f64>()
    };
    seconds
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(0.0)
}

fn trimmed(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().find_map(trimmed)
}

fn has_complete_line(text: &str) -> bool {
    text.split_inclusive('\n')
        .any(|line| line.ends_with('\n') && !line.trim().is_empty())
}

/// Cuts to `MAX_MESSAGE_CHARS` characters, the last one an ellipsis when cut.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS - 1) {
        Some((end, _)) if text[end..].chars().nth(1).is_some() => {
            let mut clipped = text[..end].to_owned();
            clipped.push('…');
            clipped
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn ok(xml: &str) -> Vec<TestCase> {
        match parse(xml.as_bytes()) {
            Ok(cases) => cases,
            Err(err) => panic!("{err}\n{xml}"),
        }
    }

    fn parse_err(xml: &[u8]) -> JunitError {
        match parse(xml) {
            Ok(cases) => panic!(
                "parsed {} cases from {:?}",
                cases.len(),
                String::from_utf8_lossy(xml)
            ),
            Err(err) => err,
        }
    }

    fn summary(cases: &[TestCase]) -> Vec<(String, CaseStatus)> {
        cases.iter().map(|c| (c.id(), c.status)).collect()
    }

    fn offset(err: &JunitError) -> u64 {
        match err {
            JunitError::Malformed { offset, .. } => *offset,
            JunitError::Read { .. } => panic!("{err}"),
        }
    }

    // `pytest --junitxml -o junit_family=xunit1`: one line, `file` and `line` on cases.
    const PYTEST_XUNIT1: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="6" time="0.093" timestamp="2026-11-24T10:00:00.123456+00:00" hostname="dev"><testcase classname="tests.unit.test_auth" name="test_login" file="tests/unit/test_auth.py" line="11" time="0.001" /><testcase classname="tests.unit.test_auth.TestSession" name="test_logout[admin-1]" file="tests/unit/test_auth.py" line="24" time="0.012"><failure message="AssertionError: assert 401 == 200&#10; +  where 401 = &lt;Response [401]&gt;.status_code">self = &lt;tests.unit.test_auth.TestSession object at 0x7f&gt;

    def test_logout(self, role, n):
        resp = client.post("/logout")
&gt;       assert resp.status_code == 200
E       AssertionError: assert 401 == 200

tests/unit/test_auth.py:27: AssertionError</failure><system-out>--- captured stdout ---
logging out</system-out></testcase><testcase classname="tests.unit.test_auth" name="test_mfa" file="tests/unit/test_auth.py" line="40" time="0.000"><skipped type="pytest.skip" message="needs TOTP secret">tests/unit/test_auth.py:41: needs TOTP secret</skipped></testcase><testcase classname="tests.unit.test_auth" name="test_legacy" file="tests/unit/test_auth.py" line="50" time="0.001"><skipped type="pytest.xfail" message="legacy tokens are broken" /></testcase><testcase classname="tests.unit.test_db" name="test_connect" file="tests/unit/test_db.py" line="5" time="0.004"><error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">@pytest.fixture
    def db():
&gt;       return connect()
E       ConnectionRefusedError: [Errno 111] Connection refused</error></testcase><testcase classname="tests.unit.test_db" name="test_pool" file="tests/unit/test_db.py" line="9" time="0.002"><properties><property name="budget" value="5ms" /></properties></testcase></testsuite></testsuites>"#;

    #[test]
    fn pytest_xunit1_uses_the_file_in_ids() {
        let cases = ok(PYTEST_XUNIT1);
        assert_eq!(
            summary(&cases),
            [
                (
                    "tests/unit/test_auth.py::test_login".into(),
                    CaseStatus::Passed
                ),
                (
                    "tests/unit/test_auth.py::test_logout[admin-1]".into(),
                    CaseStatus::Failed
                ),
                (
                    "tests/unit/test_auth.py::test_mfa".into(),
                    CaseStatus::Skipped
                ),
                (
                    "tests/unit/test_auth.py::test_legacy".into(),
                    CaseStatus::Skipped
                ),
                (
                    "tests/unit/test_db.py::test_connect".into(),
                    CaseStatus::Error
                ),
                (
                    "tests/unit/test_db.py::test_pool".into(),
                    CaseStatus::Passed
                ),
            ]
        );
        assert_eq!(cases[1].classname, "tests.unit.test_auth.TestSession");
        assert_eq!(
            cases[1].message.as_deref(),
            Some("AssertionError: assert 401 == 200\n +  where 401 = <Response [401]>.status_code")
        );
        assert!((cases[1].duration - 0.012).abs() < 1e-9);
        assert_eq!(
            cases[4].message.as_deref(),
            Some("failed on setup with \"ConnectionRefusedError: [Errno 111] Connection refused\"")
        );
        assert_eq!(
            cases[2].message, None,
            "a skip reason is not a failure message"
        );
    }

    // pytest's default family since 6.0: no `file`, so ids fall back to the classname.
    const PYTEST_XUNIT2: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="pytest" errors="0" failures="1" skipped="0" tests="2" time="0.031" timestamp="2026-11-24T10:00:00.000000" hostname="ci">
    <testcase classname="tests.test_math" name="test_add" time="0.001" />
    <testcase classname="tests.test_math" name="test_div" time="0.002">
      <failure message="ZeroDivisionError: division by zero">def test_div():
&gt;       1 / 0
E       ZeroDivisionError: division by zero</failure>
    </testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn pytest_xunit2_ids_use_the_classname() {
        assert_eq!(
            summary(&ok(PYTEST_XUNIT2)),
            [
                ("tests.test_math::test_add".into(), CaseStatus::Passed),
                ("tests.test_math::test_div".into(), CaseStatus::Failed),
            ]
        );
    }

    // cargo-nextest with `[profile.ci.junit]` and retries: a test that passed on retry has
    // `flakyFailure` children only; one that failed every attempt has `failure` plus
    // `rerunFailure`s.
    const NEXTEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="4" failures="1" errors="0" uuid="5b9a3c1e-5d1f-4d4b-9f0e-3f6c1a2b7c8d" timestamp="2026-11-24T10:00:00.000+00:00" time="1.372">
    <testsuite name="tiergate" tests="2" disabled="0" errors="0" failures="0">
        <testcase name="select::tests::rule_matches" classname="tiergate" timestamp="2026-11-24T10:00:00.010+00:00" time="0.004">
        </testcase>
        <testcase name="exec::tests::slot_wait" classname="tiergate" timestamp="2026-11-24T10:00:00.011+00:00" time="0.210">
            <flakyFailure timestamp="2026-11-24T10:00:00.011+00:00" time="0.101" message="thread 'exec::tests::slot_wait' panicked at src/exec/slot.rs:88:9" type="test failure with exit code 101">thread 'exec::tests::slot_wait' panicked at src/exec/slot.rs:88:9:
timed out
                <system-out></system-out>
                <system-err>thread 'exec::tests::slot_wait' panicked at src/exec/slot.rs:88:9:
timed out
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
</system-err>
            </flakyFailure>
        </testcase>
    </testsuite>
    <testsuite name="tiergate::it" tests="2" disabled="0" errors="0" failures="1">
        <testcase name="hooks::commit_blocks" classname="tiergate::it" timestamp="2026-11-24T10:00:00.300+00:00" time="0.512">
            <failure type="test failure with exit code 101">thread &apos;hooks::commit_blocks&apos; panicked at tests/it/hooks.rs:42:5:
assertion `left == right` failed
  left: 0
 right: 1</failure>
            <rerunFailure timestamp="2026-11-24T10:00:00.900+00:00" time="0.498" type="test failure with exit code 101">thread 'hooks::commit_blocks' panicked at tests/it/hooks.rs:42:5:
                <system-out></system-out>
                <system-err>assertion failed</system-err>
            </rerunFailure>
            <system-out></system-out>
            <system-err>thread 'hooks::commit_blocks' panicked at tests/it/hooks.rs:42:5:
assertion `left == right` failed
</system-err>
        </testcase>
        <testcase name="hooks::push_runs" classname="tiergate::it" timestamp="2026-11-24T10:00:00.950+00:00" time="0.400">
            <system-out>running 1 test</system-out>
        </testcase>
    </testsuite>
</testsuites>
"#;

    #[test]
    fn nextest_flaky_failures_alone_leave_the_case_passed() {
        let cases = ok(NEXTEST);
        assert_eq!(
            summary(&cases),
            [
                (
                    "tiergate::select::tests::rule_matches".into(),
                    CaseStatus::Passed
                ),
                (
                    "tiergate::exec::tests::slot_wait".into(),
                    CaseStatus::Passed
                ),
                (
                    "tiergate::it::hooks::commit_blocks".into(),
                    CaseStatus::Failed
                ),
                ("tiergate::it::hooks::push_runs".into(), CaseStatus::Passed),
            ]
        );
        assert_eq!(cases[1].message, None);
        assert_eq!(
            cases[2].message.as_deref(),
            Some("assertion `left == right` failed (at tests/it/hooks.rs:42:5)\n  left: 0\n right: 1")
        );
    }

    // jest-junit with `addFileAttribute`: suites carry `file`, classnames have spaces, and
    // the failure is text only.
    const JEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="4" failures="1" errors="0" time="2.318">
  <testsuite name="Cart" errors="0" failures="1" skipped="1" timestamp="2026-11-24T10:00:01" time="1.004" tests="3" file="src/cart.test.js">
    <testcase classname="Cart adds an item" name="Cart adds an item" time="0.004">
    </testcase>
    <testcase classname="Cart applies a discount" name="Cart applies a discount" time="0.012">
      <failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 90
Received: 100
    at Object.&lt;anonymous&gt; (/app/src/cart.test.js:21:30)
    at Promise.then.completed (/app/node_modules/jest-circus/build/utils.js:298:28)</failure>
    </testcase>
    <testcase classname="Cart ships abroad" name="Cart ships abroad" time="0">
      <skipped/>
    </testcase>
  </testsuite>
  <testsuite name="api" errors="0" failures="0" skipped="0" timestamp="2026-11-24T10:00:02" time="0.31" tests="1">
    <testcase classname="api GET /health" name="api GET /health" time="0.31" file="src/api/health.test.ts">
    </testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn jest_junit_inherits_the_suite_file_and_reads_text_failures() {
        let cases = ok(JEST);
        assert_eq!(
            summary(&cases),
            [
                (
                    "src/cart.test.js::Cart adds an item".into(),
                    CaseStatus::Passed
                ),
                (
                    "src/cart.test.js::Cart applies a discount".into(),
                    CaseStatus::Failed
                ),
                (
                    "src/cart.test.js::Cart ships abroad".into(),
                    CaseStatus::Skipped
                ),
                (
                    "src/api/health.test.ts::api GET /health".into(),
                    CaseStatus::Passed
                ),
            ]
        );
        assert_eq!(cases[1].classname, "Cart applies a discount");
        assert_eq!(
            cases[1].message.as_deref(),
            Some("Error: expect(received).toBe(expected) // Object.is equality")
        );
    }

    // go-junit-report v2: CDATA bodies, suite properties, and a build failure as an error.
    const GO: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<testsuites tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\">
\t<testsuite name=\"example.com/shop/cart\" tests=\"3\" failures=\"1\" errors=\"0\" id=\"0\" hostname=\"dev\" skipped=\"1\" time=\"0.012\" timestamp=\"2026-11-24T10:00:00Z\">
\t\t<properties>
\t\t\t<property name=\"go.version\" value=\"go1.23.2 linux/amd64\"></property>
\t\t</properties>
\t\t<testcase name=\"TestAdd\" classname=\"example.com/shop/cart\" time=\"0.000\"></testcase>
\t\t<testcase name=\"TestTotal/with_tax\" classname=\"example.com/shop/cart\" time=\"0.010\">
\t\t\t<failure message=\"Failed\"><![CDATA[    cart_test.go:31: Total() = 107, want 108 <rounding>]]></failure>
\t\t</testcase>
\t\t<testcase name=\"TestRemote\" classname=\"example.com/shop/cart\" time=\"0.000\">
\t\t\t<skipped message=\"Skipped\"><![CDATA[    cart_test.go:40: no network]]></skipped>
\t\t</testcase>
\t\t<system-out><![CDATA[ok  \texample.com/shop/cart\t0.012s]]></system-out>
\t</testsuite>
\t<testsuite name=\"example.com/shop/pay\" tests=\"1\" failures=\"0\" errors=\"1\" id=\"1\" hostname=\"dev\" time=\"0.000\" timestamp=\"2026-11-24T10:00:00Z\">
\t\t<testcase name=\"[build failed]\" classname=\"example.com/shop/pay\" time=\"0.000\">
\t\t\t<error message=\"Build error\"><![CDATA[pay.go:12:2: undefined: stripe]]></error>
\t\t</testcase>
\t</testsuite>
</testsuites>
";

    #[test]
    fn go_junit_report_with_cdata_and_build_errors() {
        let cases = ok(GO);
        assert_eq!(
            summary(&cases),
            [
                ("example.com/shop/cart::TestAdd".into(), CaseStatus::Passed),
                (
                    "example.com/shop/cart::TestTotal/with_tax".into(),
                    CaseStatus::Failed
                ),
                (
                    "example.com/shop/cart::TestRemote".into(),
                    CaseStatus::Skipped
                ),
                (
                    "example.com/shop/pay::[build failed]".into(),
                    CaseStatus::Error
                ),
            ]
        );
        assert_eq!(cases[1].message.as_deref(), Some("Failed"));
        assert_eq!(cases[3].message.as_deref(), Some("Build error"));
    }

    #[test]
    fn nested_suites_inherit_the_nearest_file() {
        let cases = ok(r#"<testsuites>
              <testsuite name="outer" file="a.py">
                <testsuite name="inner" file="b.py">
                  <testcase name="t1"/>
                  <testcase name="t2" file="c.py"/>
                </testsuite>
                <testsuite name="no-file"><testcase name="t3" classname="k"/></testsuite>
                <testcase name="t4"/>
              </testsuite>
              <testsuite name="bare"><testcase name="t5" classname="k"/></testsuite>
              <testcase name="t6" classname="top"/>
            </testsuites>"#);
        let ids: Vec<String> = cases.iter().map(TestCase::id).collect();
        assert_eq!(
            ids,
            ["b.py::t1", "c.py::t2", "a.py::t3", "a.py::t4", "k::t5", "top::t6"]
        );
    }

    #[test]
    fn a_bare_testsuite_root_with_bom_declaration_and_comments() {
        let xml = "\u{feff}<?xml version=\"1.0\"?>\n<!-- generated -->\n<testsuite name=\"s\">\
                   <!-- <testcase name=\"commented\"/> --><testcase name=\"a\" classname=\"c\"/>\
                   <testcase name=\"b\" classname=\"c\"><skipped/></testcase></testsuite>\n<!-- end -->\n";
        assert_eq!(
            summary(&ok(xml)),
            [
                ("c::a".into(), CaseStatus::Passed),
                ("c::b".into(), CaseStatus::Skipped)
            ]
        );
    }

    #[test]
    fn documents_without_testcases_are_empty() {
        for xml in [
            "",
            "  \n",
            "\u{feff}",
            "<?xml version=\"1.0\"?>",
            "<testsuites/>",
            "<testsuites></testsuites>",
            "<testsuite name=\"x\" tests=\"0\"><properties/></testsuite>",
        ] {
            assert_eq!(ok(xml), [], "{xml:?}");
        }
    }

    #[test]
    fn entities_and_cdata_are_decoded() {
        let cases = ok(r#"<testsuite>
            <testcase name="a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;" classname="x&#46;y" time="0.5">
              <error><![CDATA[<not a tag> & raw]]> tail</error>
            </testcase>
            <testcase name="t" classname="k"><failure message="">&#10;
               first &amp; line&#10;second</failure></testcase>
            </testsuite>"#);
        assert_eq!(cases[0].name, "a & b <c> \"d\" 'e' AB");
        assert_eq!(cases[0].classname, "x.y");
        assert_eq!(cases[0].message.as_deref(), Some("<not a tag> & raw tail"));
        assert_eq!(cases[1].message.as_deref(), Some("first & line"));
    }

    #[test]
    fn failure_or_error_wins_over_skipped_and_the_first_wins() {
        let cases = ok(r#"<testsuite>
            <testcase name="a"><skipped/><error message="teardown"/></testcase>
            <testcase name="b"><failure message="first"/><error message="second"/><skipped/></testcase>
            <testcase name="c"><system-out><failure message="not an outcome"/></system-out></testcase>
            </testsuite>"#);
        assert_eq!(cases[0].status, CaseStatus::Error);
        assert_eq!(cases[0].message.as_deref(), Some("teardown"));
        assert_eq!(cases[1].status, CaseStatus::Failed);
        assert_eq!(cases[1].message.as_deref(), Some("first"));
        assert_eq!(cases[2].status, CaseStatus::Passed);
    }

    #[test]
    fn long_messages_are_clipped_to_500_chars() {
        let long = "é".repeat(600);
        let cases = ok(&format!(
            r#"<testsuite><testcase name="a"><failure message="{long}"/></testcase><testcase name="b"><failure>{}</failure></testcase></testsuite>"#,
            "x".repeat(500)
        ));
        let clipped = cases[0].message.as_deref().unwrap_or_default();
        assert_eq!(clipped.chars().count(), 500);
        assert!(clipped.ends_with("é…"));
        assert_eq!(cases[1].message.as_deref().map(str::len), Some(500));
    }

    #[test]
    fn unusable_times_are_zero() {
        for (raw, seconds) in [
            ("1,234.5", 1234.5),
            (" 2 ", 2.0),
            ("abc", 0.0),
            ("-1", 0.0),
            ("NaN", 0.0),
            ("inf", 0.0),
            ("", 0.0),
        ] {
            assert!((parse_seconds(raw) - seconds).abs() < f64::EPSILON, "{raw}");
        }
    }

    #[test]
    fn test_ids_prefer_the_file() {
        let mut case = TestCase {
            name: "test_login".into(),
            classname: "tests.unit.test_auth".into(),
            file: Some("tests/unit/test_auth.py".into()),
            status: CaseStatus::Passed,
            duration: 0.0,
            message: None,
        };
        assert_eq!(case.id(), "tests/unit/test_auth.py::test_login");
        case.file = None;
        assert_eq!(case.id(), "tests.unit.test_auth::test_login");
        case.classname = String::new();
        assert_eq!(case.id(), "::test_login");
    }

    #[test]
    fn malformed_documents_are_errors() {
        for xml in [
            &b"not xml at all"[..],
            b"{\"tests\": 3}",
            b"<testsuites><testsuite></testsuites>",
            b"<testsuite><testcase name=a/></testsuite>",
            b"<testsuite><testcase name=\"a\" name=\"b\"/></testsuite>",
            b"<testsuite><testcase name=\"a &bogus; b\"/></testsuite>",
            b"<testsuite><testcase classname=\"no name\"/></testsuite>",
            b"<html><body/></html>",
            b"<testsuite/><testsuite/>",
            b"<testsuite/>trailing",
            b"<testsuite><testcase name=\"\xff\"/></testsuite>",
            b"<testsuite><!-- unterminated",
        ] {
            let err = parse_err(xml);
            assert!(
                err.to_string().starts_with("malformed JUnit XML at line"),
                "{err}"
            );
        }
    }

    #[test]
    fn every_truncation_of_a_report_is_an_error() {
        let xml = NEXTEST.trim_end().as_bytes();
        let root_start = xml.iter().position(|&b| b == b'\n').unwrap_or(0) + 1;
        for end in root_start + 1..xml.len() {
            assert!(parse(&xml[..end]).is_err(), "accepted {end} bytes");
        }
    }

    #[test]
    fn errors_say_where() {
        let xml = "<testsuites>\n<testsuite>\n<testcase name=\"a\">\n</testsuite>";
        let err = parse_err(xml.as_bytes());
        let at = usize::try_from(offset(&err)).unwrap_or(usize::MAX);
        assert_eq!(xml.get(at..at + 3), Some("</t"), "{err}");
        assert!(err.to_string().contains("line 4"), "{err}");

        let xml = "\u{feff}<testsuite>\n<testcase name=\"a\">";
        let err = parse_err(xml.as_bytes());
        assert_eq!(offset(&err), xml.len() as u64, "{err}");
        assert!(
            err.to_string().contains("`<testcase>` opened at byte"),
            "{err}"
        );
    }

    #[test]
    fn parse_file_names_the_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("missing.xml");
        let err = parse_file(&missing).map(|_| ()).expect_err("missing file");
        assert!(
            matches!(&err, JunitError::Read { err, .. } if err.kind() == std::io::ErrorKind::NotFound)
        );
        assert!(err.to_string().contains("missing.xml"), "{err}");

        let report = dir.path().join("junit.xml");
        std::fs::write(&report, "<testsuite>").expect("write");
        let err = parse_file(&report).map(|_| ()).expect_err("truncated file");
        assert!(err.to_string().contains("junit.xml` at line 1"), "{err}");

        std::fs::write(&report, PYTEST_XUNIT2).expect("write");
        assert_eq!(parse_file(&report).map(|c| c.len()).ok(), Some(2));
    }

    #[test]
    fn a_10_mb_report_parses_every_case() {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
        let mut expected = [0usize; 4];
        let mut n = 0;
        while xml.len() < 10 << 20 {
            writeln!(
                xml,
                "<testsuite name=\"pkg{n}\" file=\"tests/test_{n}.py\">"
            )
            .expect("writing to a String");
            for i in 0..50 {
                let body = match (n + i) % 10 {
                    0 => {
                        expected[1] += 1;
                        "<failure message=\"assert 1 == 2\">Traceback &lt;...&gt;\nE assert 1 == 2</failure>"
                    }
                    1 => {
                        expected[2] += 1;
                        "<error><![CDATA[setup failed <boom>]]></error>"
                    }
                    2 => {
                        expected[3] += 1;
                        "<skipped message=\"later\"/>"
                    }
                    _ => {
                        expected[0] += 1;
                        "<system-out>some captured output that makes the report larger than it needs to be</system-out>"
                    }
                };
                writeln!(
                    xml,
                    "  <testcase classname=\"pkg{n}.Test\" name=\"test_{i}[a&amp;b]\" time=\"0.0{i}\">{body}</testcase>"
                )
                .expect("writing to a String");
            }
            xml.push_str("</testsuite>\n");
            n += 1;
        }
        xml.push_str("</testsuites>\n");

        let cases = ok(&xml);
        let mut counted = [0usize; 4];
        for case in &cases {
            counted[case.status as usize] += 1;
        }
        assert_eq!(cases.len(), n * 50);
        assert_eq!(counted, expected);
        assert_eq!(cases[0].id(), "tests/test_0.py::test_0[a&b]");
    }
}
