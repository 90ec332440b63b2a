//! The terminal: colour choice, verbosity, and the two writers everything
//! user-visible goes through. Only `ui` and `report` write to the terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(1);

pub(crate) fn configure(color: ColorChoice, verbosity: Verbosity) {
    let enabled = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os(crate::env::NO_COLOR).is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    console::set_colors_enabled(enabled);
    console::set_colors_enabled_stderr(
        enabled && (color == ColorChoice::Always || std::io::stderr().is_terminal()),
    );
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

pub(crate) fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// Live progress makes sense only on a terminal, and not in quiet mode.
pub(crate) fn live() -> bool {
    verbosity() == Verbosity::Normal
        && std::io::stderr().is_terminal()
        && std::env::var_os(crate::env::CI).is_none()
}

/// A child's output as tiergate shows it: with colour off (`--color never`,
/// `NO_COLOR`, not a terminal), the child's own escape sequences (rustfmt's
/// and cargo's colours) are stripped, so "off" means off.
pub(crate) fn child_text(text: &str) -> std::borrow::Cow<'_, str> {
    if console::colors_enabled() || !text.contains('\x1b') {
        std::borrow::Cow::Borrowed(text)
    } else {
        console::strip_ansi_codes(text)
    }
}

/// Write a line to stdout; a closed pipe is not an error worth a panic.
pub(crate) fn out(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// Write raw text to stdout (no newline added).
pub(crate) fn out_raw(text: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text);
    let _ = stdout.flush();
}

/// Write a line to stderr.
pub(crate) fn err(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

pub(crate) fn warn(message: &str) {
    err(&format!(
        "{} {message}",
        console::style("warning:").yellow().bold()
    ));
}

pub(crate) fn error(error: &crate::error::Error) {
    let text = error.to_string();
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        let headline = first.strip_prefix("error: ").unwrap_or(first);
        err(&format!(
            "{} {headline}",
            console::style("error:").red().bold()
        ));
    }
    for line in lines {
        if let Some(hint) = line.strip_prefix("hint: ") {
            err(&format!("{} {hint}", console::style("hint:").cyan().bold()));
        } else {
            err(line);
        }
    }
}
