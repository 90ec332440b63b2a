//! Test-only failpoints: `TIERGATE_FAILPOINT=after-stash:pause` makes the
//! process write a marker file and wait to be killed there, so integration
//! tests can SIGKILL tiergate at exact points of the stash and restore.
//! Compiled to nothing in release builds.

/// Stop at the failpoint `name` if the environment asks for it: `pause`
/// writes `TIERGATE_FAILPOINT_MARKER` (or `<state_dir>/failpoint`) and
/// sleeps until killed; `panic` panics (to test the drop guard).
#[cfg(debug_assertions)]
pub(crate) fn hit(name: &str, state_dir: &std::path::Path) {
    let Ok(spec) = std::env::var(crate::env::TIERGATE_FAILPOINT) else {
        return;
    };
    for item in spec.split(',') {
        let (point, action) = item.split_once(':').unwrap_or((item, "pause"));
        if point != name {
            continue;
        }
        assert!(action != "panic", "failpoint {name}");
        let marker = std::env::var_os(crate::env::TIERGATE_FAILPOINT_MARKER)
            .map_or_else(|| state_dir.join("failpoint"), std::path::PathBuf::from);
        let _ = std::fs::write(&marker, name);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

#[cfg(not(debug_assertions))]
pub(crate) fn hit(_name: &str, _state_dir: &std::path::Path) {}
