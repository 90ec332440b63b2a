//! CI configuration generated from the same `Config` the hooks use, so the
//! tiers that run locally are the tiers CI runs. Pure text out: writing the
//! file is the command's business.

pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod sharded;
