//! The session that runs a git hook or a stage: what changed for the hook,
//! the stash of unstaged work, the formatters, the tiers (through `runner`),
//! the restore. It owns no terminal flags and no clap types: `cli` hands it
//! a request, and prints nothing it returns but the exit status.

pub(crate) mod hook;
mod hook_changes;
pub(crate) mod plan_view;
pub(crate) mod pre_commit;
pub(crate) mod request;
