//! `run` strings split into argv templates, once, at config load.
//!
//! Splitting follows POSIX shell-word rules (the `shell-words` crate), and the
//! result is exec'd directly: no shell ever sees a file name. Placeholders are
//! recognised here and expanded by `plan`.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A whole argument `{files}`: one argument per file.
    Files,
    /// A whole argument `{failed}`: one argument per failed test of the previous attempt.
    Failed,
    /// A whole argument `{tests}`: one argument per affected test file.
    Tests,
    /// A whole argument `{packages}`: `-p NAME` per affected workspace member.
    Packages,
    /// A whole argument `{hook_args}`: git's arguments to the hook, one each.
    HookArgs,
    /// Literal text, possibly holding single-valued placeholders.
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommandTemplate {
    /// The string as written, for messages and plans.
    pub(crate) source: String,
    pub(crate) args: Vec<Arg>,
    /// Where the `run` string stands in the config, for later messages
    /// (a missing program names the line that uses it).
    pub(crate) location: Option<crate::error::Location>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CommandError {
    Empty,
    UnterminatedQuote,
    /// `{files}` or `{failed}` inside a larger argument would have to join
    /// file names into one string, which is how file names become code.
    ListInsideArgument(&'static str),
    NoProgram,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Empty => f.write_str("the command is empty"),
            CommandError::UnterminatedQuote => f.write_str("the command has an unterminated quote"),
            CommandError::ListInsideArgument(p) => {
                write!(f, "`{{{p}}}` must be an argument of its own")
            }
            CommandError::NoProgram => {
                f.write_str("the command must start with a program, not a placeholder")
            }
        }
    }
}

impl CommandError {
    pub(crate) fn hint(&self) -> &'static str {
        match self {
            CommandError::Empty => "give the program and its arguments, e.g. run = \"pytest tests/unit\"",
            CommandError::UnterminatedQuote => {
                "close the quote; quotes follow POSIX shell rules, and the command is run without a shell"
            }
            CommandError::ListInsideArgument(_) => {
                "to use the files in a shell script, pass them as arguments: run = \"sh -c 'black \\\"$@\\\"' sh {files}\""
            }
            CommandError::NoProgram => "put the program first, e.g. run = \"black {files}\"",
        }
    }
}

impl CommandTemplate {
    pub(crate) fn parse(source: &str) -> Result<CommandTemplate, CommandError> {
        let words = shell_words::split(source).map_err(|_| CommandError::UnterminatedQuote)?;
        if words.is_empty() {
            return Err(CommandError::Empty);
        }
        let mut args = Vec::with_capacity(words.len());
        for word in words {
            args.push(match word.as_str() {
                "{files}" => Arg::Files,
                "{failed}" => Arg::Failed,
                "{tests}" => Arg::Tests,
                "{packages}" => Arg::Packages,
                "{hook_args}" => Arg::HookArgs,
                _ if word.contains("{hook_args}") => {
                    return Err(CommandError::ListInsideArgument("hook_args"))
                }
                _ if word.contains("{tests}") => {
                    return Err(CommandError::ListInsideArgument("tests"))
                }
                _ if word.contains("{packages}") => {
                    return Err(CommandError::ListInsideArgument("packages"))
                }
                _ if word.contains("{files}") => {
                    return Err(CommandError::ListInsideArgument("files"))
                }
                _ if word.contains("{failed}") => {
                    return Err(CommandError::ListInsideArgument("failed"))
                }
                _ => Arg::Text(word),
            });
        }
        match args.first() {
            Some(Arg::Text(program)) if !program.is_empty() => {}
            _ => return Err(CommandError::NoProgram),
        }
        Ok(CommandTemplate {
            source: source.to_owned(),
            args,
            location: None,
        })
    }

    /// The program as written (first word), before any placeholder expansion.
    pub(crate) fn program(&self) -> &str {
        match self.args.first() {
            Some(Arg::Text(p)) => p,
            _ => "",
        }
    }

    pub(crate) fn uses_files(&self) -> bool {
        self.args.contains(&Arg::Files)
    }

    pub(crate) fn uses_tests(&self) -> bool {
        self.args.contains(&Arg::Tests)
    }

    pub(crate) fn uses_packages(&self) -> bool {
        self.args.contains(&Arg::Packages)
    }

    pub(crate) fn uses_failed(&self) -> bool {
        self.args.contains(&Arg::Failed)
    }

    /// Whether a single-valued placeholder such as `junit` appears anywhere.
    pub(crate) fn uses(&self, placeholder: &str) -> bool {
        let needle = format!("{{{placeholder}}}");
        self.args
            .iter()
            .any(|a| matches!(a, Arg::Text(t) if t.contains(&needle)))
    }

    /// A copy with `{files}` appended when absent: formatters get their files
    /// whether or not the user wrote the placeholder.
    pub(crate) fn with_files_appended(&self) -> CommandTemplate {
        let mut copy = self.clone();
        if !copy.uses_files() {
            copy.args.push(Arg::Files);
        }
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_posix_shell() {
        let t = CommandTemplate::parse("pytest -m '{markers} and not slow' --junitxml {junit}")
            .unwrap();
        assert_eq!(
            t.args,
            vec![
                Arg::Text("pytest".into()),
                Arg::Text("-m".into()),
                Arg::Text("{markers} and not slow".into()),
                Arg::Text("--junitxml".into()),
                Arg::Text("{junit}".into()),
            ]
        );
        assert!(t.uses("junit"));
        assert!(!t.uses("workers"));
    }

    #[test]
    fn files_is_a_list_argument() {
        let t = CommandTemplate::parse("black --quiet {files}").unwrap();
        assert_eq!(t.args[2], Arg::Files);
        assert!(t.uses_files());
    }

    #[test]
    fn files_inside_an_argument_is_refused() {
        assert_eq!(
            CommandTemplate::parse("sh -c 'black {files}'"),
            Err(CommandError::ListInsideArgument("files"))
        );
    }

    #[test]
    fn unterminated_quote_is_refused() {
        assert_eq!(
            CommandTemplate::parse("echo 'oops"),
            Err(CommandError::UnterminatedQuote)
        );
    }

    #[test]
    fn empty_and_blank_commands_are_refused() {
        assert_eq!(CommandTemplate::parse(""), Err(CommandError::Empty));
        assert_eq!(CommandTemplate::parse("   "), Err(CommandError::Empty));
        assert_eq!(
            CommandTemplate::parse("{files}"),
            Err(CommandError::NoProgram)
        );
    }

    #[test]
    fn formatter_gets_files_appended_once() {
        let t = CommandTemplate::parse("ruff format")
            .unwrap()
            .with_files_appended();
        assert_eq!(t.args.last(), Some(&Arg::Files));
        let again = t.with_files_appended();
        assert_eq!(again.args.iter().filter(|a| **a == Arg::Files).count(), 1);
    }

    #[test]
    fn unknown_braces_are_left_alone() {
        let t = CommandTemplate::parse("find . -exec rm {} +").unwrap();
        assert_eq!(t.args[4], Arg::Text("{}".into()));
    }
}
