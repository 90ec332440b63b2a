//! Execution (SPEC 7): order, parallelism under the slot budget, timeouts,
//! signals, argv safety, chunking, services.

use std::time::Duration;

use crate::support::{alive, eventually, TestRepo};

#[test]
fn stages_run_in_config_order_and_targets_pick_stages_and_groups() {
    let repo = TestRepo::new();
    // Each run must really run its groups, not replay the first pass from the cache.
    repo.config(
        "[stages.smoke]\ngroups = [{ name = \"a\", run = \"sh -c 'echo smoke.a >> log'\", cache = false }]\n\
         [stages.fast]\ngroups = [\n  { name = \"unit\", run = \"sh -c 'echo fast.unit >> log'\", cache = false },\n  { name = \"api\", run = \"sh -c 'echo fast.api >> log'\", cache = false },\n]\n",
    );
    let log = || {
        let mut lines: Vec<String> = String::from_utf8(repo.read("log"))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        std::fs::remove_file(repo.join("log")).unwrap();
        lines.sort();
        lines
    };
    repo.tiergate(&["run", "fast", "smoke"]).expect_code(0);
    assert_eq!(log(), ["fast.api", "fast.unit", "smoke.a"]);
    repo.tiergate(&["run", "fast.unit"]).expect_code(0);
    assert_eq!(log(), ["fast.unit"]);
    repo.tiergate(&["run", "--stage", "fast", "--group", "api"])
        .expect_code(0);
    assert_eq!(log(), ["fast.api"]);
    repo.tiergate(&["run", "--group", "api"]).expect_code(0);
    assert_eq!(log(), ["fast.api"]);
    repo.tiergate(&["run", "smoke", "fast.api"]).expect_code(0);
    assert_eq!(log(), ["fast.api", "smoke.a"]);
}

/// Each group waits until all eight have started: it can only pass if the
/// eight really run at the same time.
#[test]
fn eight_groups_with_eight_jobs_run_at_once() {
    let repo = TestRepo::new();
    let barrier = "sh -c 'mkdir -p started; touch started/$0; i=0; while [ $(ls started | wc -l) -lt 8 ]; do i=$((i+1)); if [ $i -gt 600 ]; then exit 1; fi; sleep 0.05; done' {group}";
    let mut config = String::from("[settings]\njobs = 8\n[stages.parallel]\ngroups = [\n");
    for i in 1..=8 {
        config.push_str(&format!(
            "  {{ name = \"g{i}\", run = \"{}\" }},\n",
            barrier.replace('"', "\\\"")
        ));
    }
    config.push_str("]\n");
    repo.config(&config);
    repo.tiergate(&["run"]).expect_code(0);
}

/// With `jobs = 2`, no more than two slots are ever in use; a group with
/// `workers = 2` runs alone.
#[test]
fn the_slot_budget_is_never_exceeded() {
    let repo = TestRepo::new();
    let probe = "sh -c 'mkdir running/$0 && ls running | wc -l >> counts; if [ -e running/wide ]; then ls running | wc -l >> wide; fi; sleep 0.2; rmdir running/$0' {group}";
    let mut config = String::from("[settings]\njobs = 2\n[stages.s]\ngroups = [\n");
    for name in ["a", "b", "c", "d", "e", "wide"] {
        let workers = if name == "wide" { 2 } else { 1 };
        config.push_str(&format!(
            "  {{ name = \"{name}\", workers = {workers}, run = \"{}\" }},\n",
            probe.replace('"', "\\\"")
        ));
    }
    config.push_str("]\n");
    repo.config(&config);
    std::fs::create_dir(repo.join("running")).unwrap();
    repo.tiergate(&["run"]).expect_code(0);
    let counts = String::from_utf8(repo.read("counts")).unwrap();
    let max = counts
        .lines()
        .map(|l| l.trim().parse::<usize>().unwrap())
        .max()
        .unwrap();
    assert!(max <= 2, "{max} groups ran at once with jobs = 2");
    let wide = String::from_utf8(repo.read("wide")).unwrap();
    assert!(
        wide.lines().all(|l| l.trim() == "1"),
        "a group ran beside the workers = 2 group: {wide}"
    );
    assert_eq!(counts.lines().count(), 6);
}

#[test]
fn a_timed_out_group_leaves_no_grandchild_alive() {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"slow\", timeout = \"1s\", run = \"sh -c 'sleep 300 & echo $! > grandchild.pid; wait'\" }]\n");
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(1);
    let pid: i32 = String::from_utf8(repo.read("grandchild.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        eventually(|| !alive(pid)),
        "grandchild {pid} survived the timeout"
    );
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["groups"][0]["status"], "timeout");
    assert!(report["stages"][0]["groups"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("timed out"));
}

#[test]
fn a_stage_timeout_stops_running_groups_and_skips_unstarted_ones() {
    let repo = TestRepo::new();
    repo.config("[settings]\njobs = 1\n[stages.fast]\ntimeout = \"1s\"\ngroups = [\n  { name = \"slow\", run = \"sleep 300\" },\n  { name = \"next\", run = \"touch NEXT\" },\n]\n");
    let run = repo.tiergate(&["run", "--save-report", "r.json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["groups"][0]["status"], "timeout");
    assert_eq!(report["stages"][0]["groups"][1]["status"], "skipped");
    assert!(report["stages"][0]["groups"][1]["reason"]
        .as_str()
        .unwrap()
        .starts_with("timeout"));
    assert!(!repo.join("NEXT").exists());
}

#[test]
fn file_names_are_arguments_never_code() {
    let repo = TestRepo::new();
    let names = [
        "$(touch PWNED)",
        "`touch PWNED2`",
        "a b",
        "-rf",
        "semi;colon",
        "quote'\"s",
        "new\nline",
    ];
    for name in names {
        repo.write(name, "x");
    }
    repo.config("[stages.smoke]\ngroups = [{ name = \"echo\", run = \"python3 -c 'import sys, json; json.dump(sys.argv[1:], open(\\\"args.json\\\", \\\"w\\\"))' {files}\" }]\n");
    repo.commit("files");
    repo.tiergate(&["run"]).expect_code(0);
    assert!(!repo.join("PWNED").exists() && !repo.join("PWNED2").exists());
    let args: Vec<String> = serde_json::from_slice(&repo.read("args.json")).unwrap();
    for name in names {
        assert!(
            args.iter().any(|a| a == name),
            "{name:?} was not passed intact: {args:?}"
        );
    }
}

#[test]
fn twenty_thousand_long_paths_are_chunked_and_all_passed() {
    let repo = TestRepo::new();
    let dir = "d".repeat(120);
    std::fs::create_dir_all(repo.join(&dir)).unwrap();
    for i in 0..20_000 {
        std::fs::write(
            repo.join(format!("{dir}/{i:05}-{}.txt", "x".repeat(60))),
            "",
        )
        .unwrap();
    }
    repo.config("[stages.smoke]\ngroups = [{ name = \"count\", files = [\"*.txt\"], run = \"sh -c 'echo $# >> counts' sh {files}\" }]\n");
    repo.commit("many files");
    repo.tiergate(&["run"]).expect_code(0);
    let counts: Vec<usize> = String::from_utf8(repo.read("counts"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert!(
        counts.len() > 1,
        "20,000 long paths fit one invocation? {counts:?}"
    );
    assert_eq!(counts.iter().sum::<usize>(), 20_000);
}

fn interrupt_with(signal: i32, expected: i32) {
    let repo = TestRepo::new();
    repo.config("[stages.fast]\ngroups = [{ name = \"slow\", run = \"sh -c 'echo $$ > child.pid; sleep 300 & echo $! > grandchild.pid; wait'\" }]\n[stages.later]\ngroups = [{ name = \"after\", run = \"touch LATER\" }]\n");
    let mut child = repo
        .tiergate_cmd(&["run"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(eventually(
        || repo.join("grandchild.pid").exists() && !repo.read("grandchild.pid").is_empty()
    ));
    let pids: Vec<i32> = ["child.pid", "grandchild.pid"]
        .iter()
        .map(|f| {
            String::from_utf8(repo.read(f))
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        })
        .collect();
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(i32::try_from(child.id()).unwrap(), signal) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(expected));
    for pid in pids {
        assert!(
            eventually(|| !alive(pid)),
            "process {pid} survived the signal"
        );
    }
    assert!(!repo.join("LATER").exists());
}

#[test]
fn ctrl_c_stops_every_child_and_exits_130() {
    interrupt_with(libc::SIGINT, 130);
}

#[test]
fn sigterm_stops_every_child_and_exits_143() {
    interrupt_with(libc::SIGTERM, 143);
}

#[test]
fn tiergate_skip_lists_what_it_skipped() {
    let repo = TestRepo::new();
    repo.config("[stages.smoke]\ngroups = [{ name = \"a\", run = \"touch A\" }]\n[stages.fast]\ngroups = [{ name = \"unit\", run = \"touch UNIT\" }, { name = \"api\", run = \"touch API\" }]\n");
    let run = Run2::from(
        repo.tiergate_cmd(&["run", "--save-report", "r.json"])
            .env("TIERGATE_SKIP", "smoke,fast.api")
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0);
    assert!(!repo.join("A").exists() && !repo.join("API").exists());
    assert!(repo.join("UNIT").exists());
    let report: serde_json::Value = serde_json::from_slice(&repo.read("r.json")).unwrap();
    assert_eq!(report["stages"][0]["status"], "skipped");
    assert_eq!(report["stages"][1]["groups"][1]["status"], "skipped");
    assert_eq!(
        report["stages"][1]["groups"][1]["reason"],
        "skipped by TIERGATE_SKIP"
    );
}

type Run2 = crate::support::Run;

#[test]
fn a_service_is_started_checked_and_stopped() {
    let repo = TestRepo::new();
    repo.config(
        "[services.db]\ncheck = \"test -f UP\"\nstart = \"sh -c 'touch UP; echo started >> service.log'\"\nstop = \"sh -c 'rm UP; echo stopped >> service.log'\"\nretries = 3\ninterval = \"10ms\"\n\
         [stages.comprehensive]\nneeds = [\"db\"]\ngroups = [{ name = \"db\", run = \"test -f UP\" }]\n",
    );
    repo.tiergate(&["run"]).expect_code(0);
    assert_eq!(
        String::from_utf8(repo.read("service.log")).unwrap(),
        "started\nstopped\n"
    );
}

#[test]
fn a_service_s_own_needs_are_started_first() {
    let repo = TestRepo::new();
    repo.config(
        "[services.cache]\ncheck = \"test -f CACHE\"\nstart = \"sh -c 'touch CACHE; echo cache >> service.log'\"\nstop = \"rm CACHE\"\nretries = 3\ninterval = \"10ms\"\n\
         [services.db]\nneeds = [\"cache\"]\ncheck = \"test -f DB\"\nstart = \"sh -c 'test -f CACHE && touch DB && echo db >> service.log'\"\nstop = \"rm DB\"\nretries = 3\ninterval = \"10ms\"\n\
         [stages.comprehensive]\nneeds = [\"db\"]\ngroups = [{ name = \"db\", run = \"sh -c 'test -f DB && test -f CACHE'\" }]\n",
    );
    repo.tiergate(&["run"]).expect_code(0);
    assert_eq!(
        String::from_utf8(repo.read("service.log")).unwrap(),
        "cache\ndb\n"
    );
    assert!(
        !repo.join("DB").exists() && !repo.join("CACHE").exists(),
        "both stopped"
    );
}

#[test]
fn a_service_that_is_never_ready_is_an_environment_error() {
    let repo = TestRepo::new();
    repo.config("[services.postgres]\ncheck = \"false\"\nretries = 2\ninterval = \"10ms\"\n[stages.comprehensive]\nneeds = [\"postgres\"]\ngroups = [{ name = \"db\", run = \"touch RAN\" }]\n");
    let run = repo.tiergate(&["run"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("service postgres not ready"),
        "{}",
        run.stderr
    );
    assert!(!repo.join("RAN").exists());
}

#[test]
fn quiet_prints_one_line_and_verbose_streams_output() {
    let repo = TestRepo::new();
    repo.config(
        "[stages.smoke]\ngroups = [{ name = \"talk\", run = \"echo hello-from-the-group\" }]\n",
    );
    let quiet = repo.tiergate(&["run", "-q"]);
    quiet.expect_code(0);
    assert_eq!(quiet.stdout.lines().count(), 1, "{}", quiet.stdout);
    assert!(!quiet.all().contains("hello-from-the-group"));
    // --no-cache: the first run's pass would otherwise be replayed, with no output.
    let verbose = repo.tiergate(&["-v", "run", "--no-cache"]);
    verbose.expect_code(0);
    assert!(
        verbose.stderr.contains("[smoke.talk] hello-from-the-group"),
        "{}",
        verbose.stderr
    );
}

#[test]
fn a_failure_shows_its_output_tail_and_hints() {
    let repo = TestRepo::new();
    repo.config("[[hints]]\npattern = \"flaky-db\"\nhint = \"restart the db container\"\n[stages.smoke]\ngroups = [{ name = \"imports\", run = \"sh -c 'echo flaky-db: ModuleNotFoundError: app; exit 1'\" }]\n");
    let run = repo.tiergate(&["run"]);
    run.expect_code(1);
    assert!(run.stdout.contains("flaky-db: ModuleNotFoundError: app"));
    assert!(run.stdout.contains("hint: restart the db container"));
    assert!(run.stdout.contains("hint: a Python module is missing"));
}

#[allow(dead_code)]
const _: Duration = Duration::ZERO;
