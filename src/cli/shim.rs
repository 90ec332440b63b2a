//! `tiergate hook-shim PATH ARGS...`: what the kernel starts when git runs a hook file whose
//! first line is `#!/path/to/tiergate hook-shim`. The shell that used to read the shim and
//! `exec` tiergate cost about half a millisecond of every commit (issue 21, S1b); clap's
//! parser is skipped too. The rest of the file is the portable sh shim: it still runs, under
//! `sh`, when a hook of the user's own is chained before tiergate's, since only it does that.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;

use crate::error::{Error, ExitStatus};
use crate::hooks::HookKind;
use crate::install::CHAINED;
use crate::ui;

/// The argument the shebang line passes.
pub(crate) const ARG: &str = "hook-shim";

/// `argv`: the hook file's path, then git's arguments to the hook.
pub(super) fn run(argv: &[OsString]) -> Result<ExitStatus, Error> {
    let Some((path, args)) = argv.split_first() else {
        return Err(
            Error::new("`tiergate hook-shim` needs the hook file's path").hint(
                "it is what a hook file's first line runs; run `tiergate hook NAME` yourself",
            ),
        );
    };
    let path = Path::new(path);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Some(hook) = HookKind::from_name(name) else {
        return Err(Error::new(format!(
            "`{}` is not a git hook tiergate knows",
            path.display()
        ))
        .hint("run `tiergate install --force` to write the hooks again"));
    };
    let mut chained = path.as_os_str().to_owned();
    chained.push(CHAINED);
    if Path::new(&chained).is_file() {
        // The sh shim chains the user's hook (its stdin kept for both), then runs tiergate.
        let error = std::process::Command::new("/bin/sh")
            .arg(path)
            .args(args)
            .exec();
        return Err(Error::new(format!(
            "cannot run {} with /bin/sh: {error}",
            path.display()
        )));
    }
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    ui::configure(ui::ColorChoice::Auto, ui::Verbosity::Normal);
    super::recover::leftovers();
    let prometheus = std::env::var_os(crate::env::TIERGATE_PROMETHEUS).map(Into::into);
    crate::session::hook::run(hook, &args, prometheus)
}
