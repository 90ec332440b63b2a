//! Installing tiergate into a repository: shims from `hooks/`, chaining a
//! foreign hook, uninstalling, and the onboarding prompts.
//!
//! Owns the files in git's hooks directory and nothing else of the
//! repository, except `.tiergate.toml` when the user accepts to write it.

pub(crate) mod members;
mod prompt;
mod shims;

pub(crate) use prompt::ask_install;
pub(crate) use shims::{
    install_hooks, state as hook_state, uninstall_hooks, HookState, ShimChange,
};
