//! Micro benchmarks of the hot paths, so regressions show without the peers
//! (`cargo bench`): JUnit parsing of a 10 MB report, glob matching of 100,000
//! paths, change detection in a generated repository.

use std::path::Path;
use std::process::Command;

use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

fn junit_report(target_bytes: usize) -> Vec<u8> {
    let mut xml = String::from("<?xml version=\"1.0\"?><testsuites><testsuite name=\"bench\">");
    let mut i = 0;
    while xml.len() < target_bytes {
        if i % 50 == 0 {
            xml.push_str(&format!(
                "<testcase classname=\"tests.unit.test_mod{i}\" name=\"test_{i}\" time=\"0.01\"><failure message=\"assert 1 == 2\">Traceback: line {i}</failure></testcase>"
            ));
        } else {
            xml.push_str(&format!(
                "<testcase classname=\"tests.unit.test_mod{}\" name=\"test_{i}\" time=\"0.001\"/>",
                i / 100
            ));
        }
        i += 1;
    }
    xml.push_str("</testsuite></testsuites>");
    xml.into_bytes()
}

#[divan::bench(sample_count = 10)]
fn junit_parse_10mb(bencher: Bencher<'_, '_>) {
    let xml = junit_report(10 * 1024 * 1024);
    bencher
        .counter(divan::counter::BytesCount::new(xml.len()))
        .bench(|| tiergate::bench_api::parse_junit(black_box(&xml)));
}

#[divan::bench(sample_count = 10)]
fn glob_select_100k_paths(bencher: Bencher<'_, '_>) {
    let paths: Vec<Vec<u8>> = (0..100_000)
        .map(|i| {
            format!(
                "src/pkg{}/mod{}/file{i}.{}",
                i % 37,
                i % 101,
                ["py", "rs", "md", "js"][i % 4]
            )
            .into_bytes()
        })
        .collect();
    let rules = vec![
        (vec!["src/**/*.py".to_owned()], vec!["unit".to_owned()]),
        (
            vec!["src/pkg1*/**".to_owned(), "migrations/**".to_owned()],
            vec!["database".to_owned()],
        ),
        (vec!["*.md".to_owned()], vec!["docs".to_owned()]),
        (vec!["src/**/mod7/*.rs".to_owned()], vec!["rust".to_owned()]),
    ];
    bencher.bench(|| tiergate::bench_api::select_paths(black_box(&rules), black_box(&paths)));
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "b")
        .env("GIT_AUTHOR_EMAIL", "b@b")
        .env("GIT_COMMITTER_NAME", "b")
        .env("GIT_COMMITTER_EMAIL", "b@b")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A committed repository of 10,000 files in 100 folders with every 20th file changed
/// (staged when `stage`), for the git benchmarks.
fn repo_10k(stage: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q"]);
    for i in 0..10_000 {
        let sub = dir.path().join(format!("d{}", i % 100));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join(format!("f{i}.py")), format!("x = {i}\n")).expect("write");
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    for i in (0..10_000).step_by(20) {
        std::fs::write(
            dir.path().join(format!("d{}/f{i}.py", i % 100)),
            format!("x = {i} + 1\n"),
        )
        .expect("write");
    }
    if stage {
        git(dir.path(), &["add", "-A"]);
    }
    dir
}

#[divan::bench(sample_count = 20)]
fn staged_changes_10k_files_500_staged(bencher: Bencher<'_, '_>) {
    let dir = repo_10k(true);
    bencher.bench(|| tiergate::bench_api::staged_changes(black_box(dir.path())));
}

#[divan::bench(sample_count = 20)]
fn unstaged_scan_10k_files(bencher: Bencher<'_, '_>) {
    let dir = repo_10k(true);
    // The timestamps must fall behind the index's, or every entry is "racy".
    std::thread::sleep(std::time::Duration::from_millis(20));
    git(dir.path(), &["update-index", "-q", "--really-refresh"]);
    assert!(!tiergate::bench_api::has_unstaged_changes(dir.path()));
    bencher.bench(|| tiergate::bench_api::has_unstaged_changes(black_box(dir.path())));
}

#[divan::bench(sample_count = 10)]
fn cache_key_inputs_10k_files_500_modified(bencher: Bencher<'_, '_>) {
    let dir = repo_10k(false);
    bencher.bench(|| tiergate::bench_api::cache_inputs_digest(black_box(dir.path())));
}
