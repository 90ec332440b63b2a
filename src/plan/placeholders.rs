//! Placeholder expansion: an argv template and values → the argv to exec.
//!
//! Pure. File names become arguments of their own, byte for byte; they are
//! never joined into a string, so no name can become code.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::Path;

use crate::config::{Arg, CommandTemplate, Cwd};
use crate::hooks::HookValues;

/// The single-valued placeholders of one invocation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values<'a> {
    pub(crate) markers: String,
    pub(crate) junit: Option<&'a Path>,
    pub(crate) coverage: Option<&'a Path>,
    pub(crate) workers: usize,
    pub(crate) stage: &'a str,
    pub(crate) group: &'a str,
    pub(crate) base: Option<&'a str>,
    pub(crate) head: Option<&'a str>,
    /// `{tests}`: the affected test files (of this chunk, when they are what is chunked).
    pub(crate) tests: &'a [Vec<u8>],
    /// `{packages}`: the affected workspace members.
    pub(crate) packages: &'a [String],
    /// The hook's own placeholders (`{msg_file}`, `{prev}`...) and `{hook_args}`,
    /// when a git hook started the run.
    pub(crate) hook: Option<&'a HookValues>,
    /// The command's `cwd`: `invocations` passes the files and tests inside
    /// it, relative to it.
    pub(crate) cwd: Option<&'a Cwd>,
}

/// `unit`, or `(unit or database)`: pytest's `-m` syntax.
pub(crate) fn markers_expression(markers: &[String]) -> String {
    match markers {
        [] => String::new(),
        [one] => one.clone(),
        many => format!("({})", many.join(" or ")),
    }
}

fn substitute(text: &str, values: &Values<'_>) -> OsString {
    if !text.contains('{') {
        return OsString::from(text);
    }
    let path_text = |p: Option<&Path>| {
        p.map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut out = text.to_owned();
    for (name, value) in [
        ("{markers}", values.markers.clone()),
        ("{junit}", path_text(values.junit)),
        ("{coverage}", path_text(values.coverage)),
        ("{workers}", values.workers.to_string()),
        ("{stage}", values.stage.to_owned()),
        ("{group}", values.group.to_owned()),
        ("{base}", values.base.unwrap_or_default().to_owned()),
        ("{head}", values.head.unwrap_or_default().to_owned()),
    ] {
        if out.contains(name) {
            out = out.replace(name, &value);
        }
    }
    if let Some(hook) = values.hook {
        for (name, value) in &hook.named {
            let name = format!("{{{name}}}");
            if out.contains(&name) {
                out = out.replace(&name, value);
            }
        }
    }
    OsString::from(out)
}

/// One argv: `{files}` and `{failed}` expand to one argument per item.
pub(crate) fn expand(
    template: &CommandTemplate,
    values: &Values<'_>,
    files: &[Vec<u8>],
    failed: &[String],
) -> Vec<OsString> {
    let mut argv = Vec::with_capacity(template.args.len() + files.len());
    for arg in &template.args {
        match arg {
            Arg::Files => argv.extend(files.iter().map(|f| OsString::from_vec(f.clone()))),
            Arg::Failed => argv.extend(failed.iter().map(OsString::from)),
            Arg::Tests => argv.extend(values.tests.iter().map(|f| OsString::from_vec(f.clone()))),
            Arg::Packages => {
                for name in values.packages {
                    argv.push(OsString::from("-p"));
                    argv.push(OsString::from(name));
                }
            }
            Arg::HookArgs => {
                argv.extend(
                    values
                        .hook
                        .iter()
                        .flat_map(|h| h.args.iter().map(OsString::from)),
                );
            }
            Arg::Text(text) => argv.push(substitute(text, values)),
        }
    }
    argv
}

/// The command as shown to a person: `{files}` elided to a count, as in
/// `black --quiet … (+1,204 files)`, every other placeholder expanded.
pub(crate) fn display(
    template: &CommandTemplate,
    values: &Values<'_>,
    files: usize,
    failed: usize,
) -> String {
    let mut words = Vec::with_capacity(template.args.len());
    for arg in &template.args {
        match arg {
            Arg::Files if files > 0 => {
                words.push(format!("… (+{})", crate::policy::plural(files, "file")));
            }
            Arg::Failed if failed > 0 => words.push(format!(
                "… (+{})",
                crate::policy::plural(failed, "failed test")
            )),
            Arg::Tests if !values.tests.is_empty() => words.push(format!(
                "… (+{})",
                crate::policy::plural(values.tests.len(), "test file")
            )),
            Arg::Packages => {
                for name in values.packages {
                    words.push(format!("-p {}", shell_words::quote(name)));
                }
            }
            Arg::HookArgs => words.extend(
                values
                    .hook
                    .iter()
                    .flat_map(|h| h.args.iter().map(|a| shell_words::quote(a).into_owned())),
            ),
            Arg::Files | Arg::Failed | Arg::Tests => {}
            Arg::Text(text) => words
                .push(shell_words::quote(&substitute(text, values).to_string_lossy()).into_owned()),
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_elides_files_wherever_they_stand() {
        let t = CommandTemplate::parse("eslint {files} --fix --format {group}").unwrap();
        let values = Values {
            group: "lint",
            ..Values::default()
        };
        assert_eq!(
            display(&t, &values, 1204, 0),
            "eslint … (+1204 files) --fix --format lint"
        );
        assert_eq!(display(&t, &values, 0, 0), "eslint --fix --format lint");
    }

    use super::*;

    #[test]
    fn markers_read_as_a_pytest_expression() {
        assert_eq!(markers_expression(&["unit".into()]), "unit");
        assert_eq!(
            markers_expression(&["unit".into(), "database".into()]),
            "(unit or database)"
        );
    }

    #[test]
    fn expands_every_placeholder() {
        let t = CommandTemplate::parse("pytest -m '{markers} and not slow' -n {workers} --junitxml {junit} --x={stage}.{group} {base}..{head}").unwrap();
        let values = Values {
            markers: "(unit or api)".into(),
            junit: Some(Path::new("/tmp/r.xml")),
            workers: 4,
            stage: "fast",
            group: "unit",
            base: Some("abc"),
            head: Some("def"),
            ..Values::default()
        };
        let argv = expand(&t, &values, &[], &[]);
        let argv: Vec<String> = argv.into_iter().map(|a| a.into_string().unwrap()).collect();
        assert_eq!(
            argv,
            [
                "pytest",
                "-m",
                "(unit or api) and not slow",
                "-n",
                "4",
                "--junitxml",
                "/tmp/r.xml",
                "--x=fast.unit",
                "abc..def"
            ]
        );
    }

    #[test]
    fn files_stay_one_argument_each_byte_for_byte() {
        let t = CommandTemplate::parse("echo {files} end").unwrap();
        let files = vec![
            b"$(touch PWNED)".to_vec(),
            b"a b\nc".to_vec(),
            b"-rf".to_vec(),
            b"caf\xe9".to_vec(),
        ];
        let argv = expand(&t, &Values::default(), &files, &[]);
        assert_eq!(argv.len(), 6);
        assert_eq!(argv[1], OsString::from("$(touch PWNED)"));
        assert_eq!(argv[2], OsString::from("a b\nc"));
        assert_eq!(argv[4].clone().into_vec(), b"caf\xe9".to_vec());
        assert_eq!(argv[5], OsString::from("end"));
    }

    #[test]
    fn a_placeholder_value_is_not_expanded_again() {
        let t = CommandTemplate::parse("run {group}").unwrap();
        let values = Values {
            group: "{stage}",
            stage: "x",
            ..Values::default()
        };
        // `{stage}` is substituted before `{group}`, so a group named `{stage}` stays literal.
        assert_eq!(expand(&t, &values, &[], &[])[1], OsString::from("{stage}"));
    }
}

#[cfg(test)]
mod graph_placeholder_tests {
    use super::*;

    #[test]
    fn tests_are_one_argument_each_and_packages_are_dash_p_pairs() {
        let t = CommandTemplate::parse("cargo test {packages} -- {tests}").unwrap();
        let tests = vec![b"tests/test_a.py".to_vec()];
        let packages = vec!["core".to_owned(), "cli".to_owned()];
        let values = Values {
            tests: &tests,
            packages: &packages,
            ..Values::default()
        };
        let argv: Vec<String> = expand(&t, &values, &[], &[])
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            argv,
            [
                "cargo",
                "test",
                "-p",
                "core",
                "-p",
                "cli",
                "--",
                "tests/test_a.py"
            ]
        );
        assert_eq!(
            display(&t, &values, 0, 0),
            "cargo test -p core -p cli -- … (+1 test file)"
        );
    }
}
