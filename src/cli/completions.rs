//! `tiergate completions <shell>`, and the man page: both generated from the
//! clap types, so they never drift from the real flags.
//!
//! Both are committed (`doc/completions/`, `doc/tiergate.1`) and tests fail
//! when they are stale. The man page is rendered by a test, not by a command
//! of its own, so no hidden command shows up in the completions.

use clap::CommandFactory;

use super::Cli;
use crate::error::ExitStatus;
use crate::ui;

pub(crate) fn completions(shell: clap_complete::Shell) -> ExitStatus {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tiergate", &mut out);
    ui::out_raw(&out);
    ExitStatus::Passed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command, hidden ones included, shows examples under `--help`.
    #[test]
    fn every_command_has_examples() {
        let cmd = Cli::command();
        assert!(cmd.get_after_help().is_some());
        for sub in cmd.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                help.contains("tiergate"),
                "`tiergate {}` has no examples in after_help",
                sub.get_name()
            );
        }
    }

    /// `doc/tiergate.1` is what `clap_mangen` renders now (STYLE 7).
    #[test]
    fn the_committed_man_page_is_current() {
        let page = man_page().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("doc/tiergate.1");
        if std::env::var_os("TIERGATE_BLESS").is_some() {
            std::fs::write(&path, &page).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == page,
            "doc/tiergate.1 is stale: run `TIERGATE_BLESS=1 cargo test --lib committed_man_page` and commit it"
        );
    }

    /// One page: the top-level command, then a section per visible subcommand
    /// with its synopsis, options and examples (`.SH` demoted to `.SS`).
    fn man_page() -> std::io::Result<Vec<u8>> {
        let mut cmd = Cli::command().disable_help_subcommand(true);
        cmd.build();
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
        let mut names = Vec::new();
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            names.push(sub.get_name().to_owned());
            let title = format!("tiergate {}", sub.get_name());
            page.extend_from_slice(format!(".SH \"{}\"\n", title.to_uppercase()).as_bytes());
            let man = clap_mangen::Man::new(sub.clone());
            let mut section = Vec::new();
            man.render_synopsis_section(&mut section)?;
            man.render_description_section(&mut section)?;
            if sub.get_arguments().any(|a| !a.is_hide_set()) {
                man.render_options_section(&mut section)?;
            }
            if sub.get_after_help().is_some() {
                man.render_extra_section(&mut section)?;
            }
            for line in String::from_utf8_lossy(&section).lines() {
                let line = match line.strip_prefix(".SH ") {
                    Some(rest) => format!(".SS {rest}"),
                    None => line.to_owned(),
                };
                page.extend_from_slice(line.as_bytes());
                page.push(b'\n');
            }
        }
        Ok(tidy(&String::from_utf8_lossy(&page), &names).into_bytes())
    }

    /// The examples keep their line breaks (`.nf`), and the subcommand list
    /// points at this page's sections rather than `tiergate-run(1)` pages that
    /// do not exist.
    fn tidy(page: &str, names: &[String]) -> String {
        let mut out = String::new();
        let mut in_examples = false;
        for line in page.lines() {
            let heading = line.starts_with(".SH ") || line.starts_with(".SS ");
            if heading && in_examples {
                out.push_str(".fi\n");
                in_examples = false;
            }
            let mut line = match line {
                ".SH EXTRA" => ".SH EXAMPLES".to_owned(),
                ".SS EXTRA" => ".SS EXAMPLES".to_owned(),
                other => other.to_owned(),
            };
            for name in names {
                line = line.replace(
                    &format!("tiergate\\-{}(1)", name.replace('-', "\\-")),
                    &format!("tiergate {}", name.replace('-', "\\-")),
                );
            }
            out.push_str(&line);
            out.push('\n');
            if line.ends_with(" EXAMPLES") {
                out.push_str(".nf\n");
                in_examples = true;
            }
        }
        if in_examples {
            out.push_str(".fi\n");
        }
        out
    }
}
