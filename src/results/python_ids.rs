//! pytest's JUnit names a test by module (`classname="tests.test_calc"`),
//! which pytest itself does not accept back; its node id names the file
//! (`tests/test_calc.py::test_mul`). The file is found by looking for it.

use std::path::Path;

use super::GroupResult;

/// Give each test without a file the Python file its classname names, when
/// that file exists under `root`: the test is then shown, and passed to
/// `{failed}`, as `tests/test_calc.py::test_mul`. A class inside the module
/// (`tests.test_calc.TestCalc`) goes into the name: `TestCalc::test_mul`.
pub(crate) fn locate_files(result: &mut GroupResult, root: &Path) {
    for test in result.tests.iter_mut().filter(|t| t.file.is_none()) {
        if let Some((file, class)) = module_file(&test.classname, root) {
            if let Some(class) = class {
                test.name = format!("{class}::{}", test.name);
            }
            test.file = Some(file);
        }
    }
}

/// The longest prefix of `classname` that is a `.py` file under `root`,
/// and the rest (the class path), if any.
fn module_file(classname: &str, root: &Path) -> Option<(String, Option<String>)> {
    let parts: Vec<&str> = classname.split('.').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.contains(['/', '\\']))
    {
        return None;
    }
    (1..=parts.len()).rev().find_map(|k| {
        let file = format!("{}.py", parts[..k].join("/"));
        root.join(&file).is_file().then(|| {
            let rest = (k < parts.len()).then(|| parts[k..].join("::"));
            (file, rest)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{GroupResult, TestResult, TestStatus};

    fn result_with(classnames: &[&str]) -> GroupResult {
        let mut r = GroupResult::skipped("fast", "unit", "");
        r.tests = classnames
            .iter()
            .map(|c| TestResult {
                name: "test_mul".into(),
                classname: (*c).into(),
                status: TestStatus::Failed,
                duration: 0.0,
                file: None,
                message: None,
            })
            .collect();
        r
    }

    #[test]
    fn a_classname_that_names_a_file_becomes_a_pytest_node_id() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tests")).unwrap();
        std::fs::write(dir.path().join("tests/test_calc.py"), "").unwrap();
        let mut r = result_with(&["tests.test_calc", "tests.test_calc.TestCalc", "calc::tests"]);
        locate_files(&mut r, dir.path());
        let ids: Vec<String> = r.tests.iter().map(TestResult::id).collect();
        assert_eq!(
            ids,
            [
                "tests/test_calc.py::test_mul",
                "tests/test_calc.py::TestCalc::test_mul",
                "calc::tests::test_mul",
            ]
        );
    }

    #[test]
    fn a_classname_naming_no_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = result_with(&["tests.test_gone"]);
        locate_files(&mut r, dir.path());
        assert_eq!(r.tests[0].id(), "tests.test_gone::test_mul");
    }
}
