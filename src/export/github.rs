//! `tiergate export github`: a GitHub Actions workflow from the config.
//!
//! The first stage (smoke) is one job; every later stage is a job with a
//! matrix over its groups (`fail-fast: false`), after the stage before it;
//! a stage's `needs` become `services:` containers; an `inform` stage is
//! `continue-on-error`. Each job runs `tiergate run --stage S --group G
//! --save-report ...` and uploads the report; a last job merges them with
//! `tiergate report --merge`, whose exit status applies the verdict, and
//! uploads the merged report and its HTML page.
//!
//! The YAML is written by hand rather than through a serializer so that it
//! can carry comments (what to fill in) and stay readable; every value that
//! comes from the config is quoted as a JSON string, which YAML reads as is.

use crate::config::{Config, OnFail, Stage};

/// Actions pinned by major version, as GitHub's own starter workflows do.
pub(super) const CHECKOUT: &str = "actions/checkout@v4";
pub(super) const UPLOAD: &str = "actions/upload-artifact@v4";
pub(super) const DOWNLOAD: &str = "actions/download-artifact@v4";
pub(super) const REPORT_PREFIX: &str = "tiergate-report";
/// The merged report's page: an artifact of its own, so it is one click away.
pub(super) const PAGE_ARTIFACT: &str = "tiergate-html-report";

/// How the jobs get the `tiergate` binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Install {
    /// The repository is tiergate itself: build it from the checkout.
    FromCheckout,
    /// Any other project: `cargo install tiergate`, with a comment on how
    /// to pin or replace it.
    FromCrates,
}

/// A YAML scalar that reads back exactly as `text`.
pub(super) fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A job or service id: letters, digits, `-` and `_`, starting with a letter or `_`.
pub(super) fn id(name: &str) -> String {
    let mut id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        id.insert_str(0, "stage-");
    }
    id
}

pub(super) fn shell(word: &str) -> String {
    shell_words::quote(word).into_owned()
}

/// Checkout and install; `setup` leaves a marked place for the project's own
/// setup (jobs that run tests need it, the consolidate job does not).
pub(super) fn install_steps(out: &mut String, install: Install, setup: bool) {
    out.push_str(&format!("      - uses: {CHECKOUT}\n"));
    match install {
        Install::FromCheckout => out.push_str(
            "      - name: Install tiergate\n        run: cargo install --path . --locked\n",
        ),
        Install::FromCrates => out.push_str(
            "      # tiergate from crates.io; pin it (`--version X.Y.Z`) or replace this step\n      # with your own (a prebuilt binary, a cached ~/.cargo/bin).\n      - name: Install tiergate\n        run: cargo install tiergate --locked\n",
        ),
    }
    if setup && install == Install::FromCrates {
        out.push_str("      # Add your project's setup here: its toolchain and dependencies.\n");
    }
}

/// The `services:` block for a stage's `needs`: known images for PostgreSQL
/// and Redis, a comment to fill in for anything else.
pub(super) fn services(out: &mut String, stage: &Stage) {
    if stage.needs.is_empty() {
        return;
    }
    let known: Vec<&String> = stage
        .needs
        .iter()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n.contains("postgres") || n.contains("redis")
        })
        .collect();
    let unknown: Vec<&String> = stage.needs.iter().filter(|n| !known.contains(n)).collect();
    for name in &unknown {
        out.push_str(&format!(
            "    # service `{name}`: add a container for it under `services:` (image, ports, env),\n    # or start it in a step; tiergate runs its `check` before the stage.\n"
        ));
    }
    if known.is_empty() {
        return;
    }
    out.push_str("    services:\n");
    for name in known {
        out.push_str(&format!("      {}:\n", id(name)));
        if name.to_ascii_lowercase().contains("postgres") {
            out.push_str(
                "        image: postgres:16\n        env:\n          POSTGRES_USER: postgres\n          POSTGRES_PASSWORD: postgres\n          POSTGRES_DB: test\n        ports:\n          - 5432:5432\n        options: >-\n          --health-cmd pg_isready\n          --health-interval 5s\n          --health-timeout 5s\n          --health-retries 10\n",
            );
        } else {
            out.push_str(
                "        image: redis:7\n        ports:\n          - 6379:6379\n        options: >-\n          --health-cmd \"redis-cli ping\"\n          --health-interval 5s\n          --health-timeout 5s\n          --health-retries 10\n",
            );
        }
    }
}

pub(super) fn upload(out: &mut String, artifact: &str, file: &str) {
    out.push_str(&format!(
        "      - name: Upload the report\n        if: always()\n        uses: {UPLOAD}\n        with:\n          name: {artifact}\n          path: {file}\n          if-no-files-found: ignore\n"
    ));
}

/// The workflow for `config`.
pub(crate) fn workflow(config: &Config, install: Install) -> String {
    let mut out = String::from(
        "# Generated by `tiergate export github` from .tiergate.toml: the same tiers as the\n# git hooks, a job per stage, a matrix over its groups, and a last job that merges\n# the reports and applies the verdict. Regenerate it after changing the config.\nname: CI (tiered)\n\non:\n  push:\n    branches: [main, master]\n  pull_request:\n  workflow_dispatch:\n\npermissions:\n  contents: read\n",
    );
    // No `env:` block: `tiergate run` applies `[env]` to its commands itself.
    out.push_str("\njobs:\n");
    let mut ids: Vec<String> = Vec::new();
    // Each project's stages form their own chain of jobs, so the projects run
    // side by side; a member's steps run in its folder.
    let mut last_of_project: Vec<(&str, String)> = Vec::new();
    for stage in &config.stages {
        let job = id(&stage.name);
        out.push_str(&format!("  {job}:\n"));
        let previous = last_of_project
            .iter()
            .rev()
            .find(|(project, _)| *project == stage.project)
            .map(|(_, job)| job.clone());
        let matrix = previous.is_some() && !stage.groups.is_empty();
        if matrix {
            out.push_str(&format!(
                "    name: {}\n",
                quoted(&format!("{} (${{{{ matrix.group }}}})", stage.name))
            ));
        } else {
            out.push_str(&format!("    name: {}\n", quoted(&stage.name)));
        }
        if let Some(previous) = &previous {
            out.push_str(&format!("    needs: [{previous}]\n"));
        }
        out.push_str("    runs-on: ubuntu-latest\n");
        let member = (stage.project != crate::config::ROOT_PROJECT).then_some(&stage.project);
        if let Some(member) = member {
            out.push_str(&format!(
                "    defaults:\n      run:\n        working-directory: {}\n",
                quoted(member)
            ));
        }
        // `--save-report` writes beside the command; the upload reads from the root.
        let report_dir = member.map_or_else(String::new, |m| format!("{m}/"));
        if stage.gate.on_fail == OnFail::Inform {
            out.push_str("    # This stage informs: its failures never fail the workflow.\n    continue-on-error: true\n");
        }
        services(&mut out, stage);
        if matrix {
            let groups: Vec<String> = stage.groups.iter().map(|g| quoted(&g.name)).collect();
            out.push_str(&format!(
                "    strategy:\n      fail-fast: false\n      matrix:\n        group: [{}]\n",
                groups.join(", ")
            ));
        }
        out.push_str("    steps:\n");
        install_steps(&mut out, install, true);
        if matrix {
            let file = format!("{REPORT_PREFIX}-{job}-${{{{ matrix.group }}}}.json");
            // The group name reaches the shell through the environment, never
            // pasted into the script.
            out.push_str(&format!(
                "      - name: {}\n        env:\n          GROUP: ${{{{ matrix.group }}}}\n        run: tiergate run --stage {} --group \"$GROUP\" --save-report \"{REPORT_PREFIX}-{job}-$GROUP.json\"\n",
                quoted(&format!("tiergate run {}.${{{{ matrix.group }}}}", stage.name)),
                shell(&stage.name),
            ));
            upload(
                &mut out,
                &format!("{REPORT_PREFIX}-{job}-${{{{ matrix.group }}}}"),
                &format!("{report_dir}{file}"),
            );
        } else {
            let file = format!("{REPORT_PREFIX}-{job}.json");
            out.push_str(&format!(
                "      - name: {}\n        run: tiergate run --stage {} --save-report {file}\n",
                quoted(&format!("tiergate run {}", stage.name)),
                shell(&stage.name),
            ));
            upload(
                &mut out,
                &format!("{REPORT_PREFIX}-{job}"),
                &format!("{report_dir}{file}"),
            );
        }
        last_of_project.push((&stage.project, job.clone()));
        ids.push(job);
    }
    let consolidate = if ids.iter().any(|i| i == "consolidate") {
        "tiergate-consolidate"
    } else {
        "consolidate"
    };
    out.push_str(&format!(
        "  {consolidate}:\n    name: consolidate (merge the reports, apply the verdict)\n    # Runs whatever happened above: a blocked stage still gets its verdict.\n    if: always()\n"
    ));
    if !ids.is_empty() {
        out.push_str(&format!("    needs: [{}]\n", ids.join(", ")));
    }
    out.push_str("    runs-on: ubuntu-latest\n    steps:\n");
    install_steps(&mut out, install, false);
    out.push_str(&format!(
        "      - name: Download the reports\n        uses: {DOWNLOAD}\n        with:\n          pattern: {REPORT_PREFIX}-*\n          path: reports\n          merge-multiple: true\n      # Exit 0 when deployment-ready, 1 when not: this step applies the verdict.\n      - name: Merge the reports and apply the verdict\n        run: tiergate report --merge {REPORT_PREFIX}.json reports/*.json\n"
    ));
    // Named outside the `tiergate-report-*` pattern, so a re-run never merges it.
    upload(
        &mut out,
        "tiergate-verdict",
        &format!("{REPORT_PREFIX}.json"),
    );
    // After a blocked verdict too: that is when people open the page.
    out.push_str(&format!(
        "      # One self-contained page of the merged run (stages, failures with their output,\n      # the verdict term by term): download the `{PAGE_ARTIFACT}` artifact and open it.\n      - name: Render the report as a page\n        if: always() && hashFiles('{REPORT_PREFIX}.json') != ''\n        run: tiergate report {REPORT_PREFIX}.json --format html -o {REPORT_PREFIX}.html\n      - name: Upload the page\n        if: always()\n        uses: {UPLOAD}\n        with:\n          name: {PAGE_ARTIFACT}\n          path: {REPORT_PREFIX}.html\n          if-no-files-found: ignore\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[env]
ENVIRONMENT = "test"

[services.postgres]
check = "pg_isready -h localhost -p 5432"

[services.search]
check = "curl -fsS localhost:9200"

[stages.smoke]
groups = [{ name = "imports", run = "python -c 'import app'", always = true }]

[stages.fast]
gate = { fail_when = "rate", max_failure_rate = 0.10, on_fail = "block" }
groups = [
  { name = "unit", run = "pytest tests/unit --junitxml {junit}" },
  { name = "api-core", run = "pytest tests/api --junitxml {junit}" },
]

[stages.comprehensive]
needs = ["postgres", "search"]
gate = { fail_when = "rate", max_failure_rate = 0.05, on_fail = "block", critical = ["tests/security/**"] }
groups = [{ name = "integration", run = "pytest tests/integration --junitxml {junit}" }]

[stages.performance]
gate = { on_fail = "inform" }
groups = [{ name = "load", run = "pytest tests/perf --junitxml {junit}" }]
"#;

    fn example() -> Config {
        crate::config::from_text(
            EXAMPLE,
            std::path::Path::new(".tiergate.toml"),
            crate::config::Source::Embedded("test"),
        )
        .unwrap()
    }

    #[test]
    fn the_example_workflow() {
        insta::assert_snapshot!(workflow(&example(), Install::FromCrates));
    }

    #[test]
    fn tiergate_itself_installs_from_the_checkout() {
        let text = workflow(&example(), Install::FromCheckout);
        assert!(text.contains("cargo install --path . --locked"));
        assert!(!text.contains("cargo install tiergate"));
    }

    #[test]
    fn each_member_gets_its_own_chain_of_jobs_in_its_folder() {
        let mut config = example();
        let mut member = example();
        for stage in &mut member.stages {
            stage.name = format!("backend:{}", stage.name);
            stage.project = "backend".into();
            stage.needs.clear();
        }
        config.stages.extend(member.stages);
        let text = workflow(&config, Install::FromCrates);
        // The job's lines: up to the next line indented by two spaces only.
        let job = |name: &str| {
            let header = format!("  {name}:");
            text.lines()
                .skip_while(|l| *l != header)
                .skip(1)
                .take_while(|l| l.starts_with("   "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let smoke = job("backend-smoke");
        assert!(!smoke.contains("needs:"), "{smoke}");
        assert!(smoke.contains("working-directory: \"backend\""), "{smoke}");
        assert!(
            smoke.contains("path: backend/tiergate-report-backend-smoke.json"),
            "{smoke}"
        );
        let fast = job("backend-fast");
        assert!(fast.contains("needs: [backend-smoke]"), "{fast}");
        assert!(job("fast").contains("needs: [smoke]"));
        assert!(!job("fast").contains("working-directory"));
    }

    #[test]
    fn ids_are_valid_job_ids() {
        assert_eq!(id("fast"), "fast");
        assert_eq!(id("api.core"), "api-core");
        assert_eq!(id("1st"), "stage-1st");
    }
}
