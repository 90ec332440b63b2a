//! GitHub Actions output, `--prometheus FILE` checked by a real parser, and
//! the `[notify] webhook_env` post received by a real listener.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::support::{junit_xml, Run, TestRepo};

fn failing_project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "unit.xml",
        junit_xml(3, 1).replace(
            "name=\"test_fail_0\"",
            "name=\"test_fail_0\" file=\"tests/unit/test_a.py\"",
        ),
    );
    repo.config(
        "[stages.fast]\ngate = { fail_when = \"any\", on_fail = \"block\" }\ngroups = [{ name = \"unit\", run = \"cp unit.xml {junit}\" }]\n",
    );
    repo.commit("project");
    repo
}

#[test]
fn github_gets_a_step_summary_and_error_annotations() {
    let repo = failing_project();
    let summary = repo.join("summary.md");
    let run = |args: &[&str]| {
        Run::from(
            repo.tiergate_cmd(args)
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_STEP_SUMMARY", &summary)
                .output()
                .unwrap(),
        )
    };
    let first = run(&["run", "fast"]);
    first.expect_code(1);
    let annotation = first
        .stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("no annotation:\n{}", first.stdout));
    assert_eq!(
        annotation,
        "::error file=tests/unit/test_a.py,title=tiergate fast.unit%3A tests/unit/test_a.py%3A%3Atest_fail_0::tests/unit/test_a.py::test_fail_0 failed: assert 1 == 2"
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("## ❌ tiergate: `run fast` blocked"),
        "{text}"
    );
    assert!(text.contains("| fast | failed | 3 | 1 | 0 | 75.0 % | failed |"));
    // Appended, never overwritten: another step's summary stays.
    run(&["run", "fast"]).expect_code(1);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(text.matches("## ❌ tiergate").count(), 2);
}

#[test]
fn no_annotations_outside_github_actions() {
    let repo = failing_project();
    let run = repo.tiergate(&["run", "fast"]);
    run.expect_code(1);
    assert!(!run.stdout.contains("::error"), "{}", run.stdout);
}

fn scrape(path: &std::path::Path) -> prometheus_parse::Scrape {
    let text = std::fs::read_to_string(path).unwrap();
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

fn value(scrape: &prometheus_parse::Scrape, metric: &str, label: Option<(&str, &str)>) -> f64 {
    let sample = scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
        .unwrap_or_else(|| panic!("no sample {metric} {label:?}"));
    match sample.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => v,
        _ => panic!("unexpected type for {metric}"),
    }
}

#[test]
fn prometheus_metrics_parse_and_count_runs() {
    let repo = failing_project();
    let config = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    repo.config(&format!(
        "[stages.smoke]\ngroups = [{{ name = \"ok\", run = \"true\" }}]\n\n{config}"
    ));
    repo.tiergate(&["run", "--prometheus", "metrics.prom"])
        .expect_code(1);
    let first = scrape(&repo.join("metrics.prom"));
    assert!(
        (value(
            &first,
            "tiergate_pipeline_runs_total",
            Some(("result", "blocked"))
        ) - 1.0)
            .abs()
            < 1e-9
    );
    assert!(
        value(
            &first,
            "tiergate_pipeline_runs_total",
            Some(("result", "passed"))
        )
        .abs()
            < 1e-9
    );
    assert!(
        (value(
            &first,
            "tiergate_stage_success_rate",
            Some(("stage", "fast"))
        ) - 0.75)
            .abs()
            < 1e-9
    );
    assert!(
        (value(
            &first,
            "tiergate_stage_success_rate",
            Some(("stage", "smoke"))
        ) - 1.0)
            .abs()
            < 1e-9
    );
    assert!(
        value(
            &first,
            "tiergate_stage_duration_seconds",
            Some(("stage", "fast"))
        ) >= 0.0
    );
    assert!((value(&first, "tiergate_success_rate", None) - 0.8).abs() < 1e-9);
    assert!(value(&first, "tiergate_flaky_tests", None).abs() < 1e-9);
    assert!(first.docs.contains_key("tiergate_pipeline_runs_total"));

    // The hook accepts it too (from the environment, as shims pass no flags),
    // and the run counter carries over.
    repo.write("unit.xml", junit_xml(4, 0));
    repo.stage(&["unit.xml"]);
    std::fs::write(
        repo.join(".tiergate.toml"),
        format!(
            "{}\n[hooks.pre-commit]\nstages = [\"fast\"]\n",
            String::from_utf8(repo.read(".tiergate.toml")).unwrap()
        ),
    )
    .unwrap();
    repo.stage(&[".tiergate.toml"]);
    let run = Run::from(
        repo.tiergate_cmd(&["hook", "pre-commit"])
            .env("TIERGATE_PROMETHEUS", repo.join("metrics.prom"))
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    let second = scrape(&repo.join("metrics.prom"));
    assert!(
        (value(
            &second,
            "tiergate_pipeline_runs_total",
            Some(("result", "passed"))
        ) - 1.0)
            .abs()
            < 1e-9
    );
    assert!(
        (value(
            &second,
            "tiergate_pipeline_runs_total",
            Some(("result", "blocked"))
        ) - 1.0)
            .abs()
            < 1e-9
    );
}

/// A one-thread HTTP server on 127.0.0.1 that records each request's body
/// and answers 200; a connection whose first line is `STOP` ends it.
struct Listener {
    url: String,
    stop: String,
    bodies: Arc<Mutex<Vec<(String, String)>>>,
    thread: std::thread::JoinHandle<()>,
}

impl Listener {
    fn start() -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                if request_line.starts_with("STOP") {
                    return;
                }
                let mut length = 0;
                let mut content_type = String::new();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if let Some(v) = lower.strip_prefix("content-type:") {
                        v.trim().clone_into(&mut content_type);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                seen.lock().unwrap().push((
                    format!("{} {content_type}", request_line.trim_end()),
                    String::from_utf8(body).unwrap(),
                ));
                let mut stream = stream;
                stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    )
                    .unwrap();
            }
        });
        Listener {
            url: format!("http://{addr}/hooks/T000/B000"),
            stop: addr.to_string(),
            bodies,
            thread,
        }
    }

    fn finish(self) -> Vec<(String, String)> {
        let mut s = TcpStream::connect(&self.stop).unwrap();
        s.write_all(b"STOP\r\n").unwrap();
        drop(s);
        self.thread.join().unwrap();
        let bodies = self.bodies.lock().unwrap().clone();
        bodies
    }
}

#[test]
fn ci_full_posts_one_slack_message_to_the_webhook() {
    let repo = crate::ci_full::constructed_project();
    let config = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    repo.config(&format!(
        "{config}\n[notify]\nwebhook_env = \"SLACK_WEBHOOK_URL\"\n"
    ));
    let listener = Listener::start();
    let run = Run::from(
        repo.tiergate_cmd(&["ci-full"])
            .env("SLACK_WEBHOOK_URL", &listener.url)
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    let received = listener.finish();
    assert_eq!(received.len(), 1, "{received:?}");
    let (head, body) = &received[0];
    assert_eq!(head, "POST /hooks/T000/B000 HTTP/1.1 application/json");
    let message: serde_json::Value = serde_json::from_str(body).unwrap();
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("deployment ready"), "{text}");
    assert!(text.contains("readiness score 98.3"), "{text}");
    let blocks = message["blocks"].as_array().unwrap();
    assert!(!blocks.is_empty());
    for block in blocks {
        assert!(block["type"].is_string(), "{block}");
    }
}

#[test]
fn a_failed_webhook_post_is_only_a_warning() {
    let repo = crate::ci_full::constructed_project();
    let config = String::from_utf8(repo.read(".tiergate.toml")).unwrap();
    repo.config(&format!(
        "{config}\n[notify]\nwebhook_env = \"SLACK_WEBHOOK_URL\"\n"
    ));
    // A port nobody listens on: bind one, note it, close it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = Run::from(
        repo.tiergate_cmd(&["ci-full"])
            .env("SLACK_WEBHOOK_URL", format!("http://127.0.0.1:{port}/"))
            .output()
            .unwrap(),
    );
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("warning: could not post the summary to the webhook in $SLACK_WEBHOOK_URL"),
        "{}",
        run.stderr
    );
}
