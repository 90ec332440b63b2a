//! Whether a checkout writes an index blob to the work tree byte for byte, and if so its
//! bytes, read in process.
//!
//! The stash sets each partially staged file to its index content as a checkout would write
//! it (smudge filters, `core.autocrlf`, `eol`, `ident`, `working-tree-encoding`), which only
//! git knows exactly: two git processes through a temporary index (`worktree/git_cli.rs`). Most
//! repositories configure none of it, and then the content is the blob itself: reading 200
//! loose blobs in process took the two processes' 14 ms off a partial-staging commit
//! (issue 21, S5).
//!
//! The test is a superset of what git reads, so a doubt always means git: every config file
//! git may read (system, global, XDG, repository, worktree) must be free of the words
//! `autocrlf`, `eol`, `attributesfile` and `include` (an include could bring any of them),
//! no `-c` config may come from the environment, no attributes file may exist outside the
//! work tree (system, global, `info/attributes`), and no `.gitattributes` may sit in the
//! work tree in a folder above a path read, nor be one of the paths.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use git2::Oid;

use super::{BlobReader, Repo};

/// Config words that can make a checkout rewrite a file (or pull in a file that does).
const CONVERTING_WORDS: [&[u8]; 4] = [b"autocrlf", b"eol", b"attributesfile", b"include"];

/// Environment variables through which git takes config or attributes from elsewhere.
const CONVERTING_ENV: [&str; 3] = [
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_ATTR_SOURCE",
];

/// Reads index blobs as a checkout writes them, for a repository whose config and
/// attribute files leave every blob as it is (see the module comment). Made for every stash;
/// the config and attribute files are looked at the first time a blob is to be read, so a
/// run that reads none (nothing unstaged, no formatter change) pays nothing for them.
#[derive(Debug, Clone)]
pub(crate) struct VerbatimCheckout {
    root: PathBuf,
    git_dir: PathBuf,
    common_dir: PathBuf,
    /// Whether nothing outside the work tree converts blobs: asked once.
    nothing_converts: OnceLock<bool>,
}

impl Repo {
    /// The in-process reader of this repository's index blobs; it reads only when nothing in
    /// git's config or attribute files can convert a blob on checkout (and no `.gitattributes`
    /// of the work tree is above the paths read), see [`VerbatimCheckout::read`].
    pub(crate) fn verbatim_checkout(&self) -> VerbatimCheckout {
        VerbatimCheckout {
            root: self.root().to_path_buf(),
            git_dir: self.git_dir().to_path_buf(),
            common_dir: self.common_dir().to_path_buf(),
            nothing_converts: OnceLock::new(),
        }
    }
}

impl VerbatimCheckout {
    /// One for a test repository whose config is known to convert nothing.
    #[cfg(test)]
    pub(crate) fn assumed(root: &Path, git_dir: &Path) -> VerbatimCheckout {
        VerbatimCheckout {
            root: root.to_path_buf(),
            git_dir: git_dir.to_path_buf(),
            common_dir: git_dir.to_path_buf(),
            nothing_converts: OnceLock::from(true),
        }
    }

    /// Whether nothing in git's environment, config or attribute files outside the work
    /// tree can convert a blob on checkout.
    fn nothing_converts(&self) -> bool {
        *self.nothing_converts.get_or_init(|| {
            !CONVERTING_ENV.iter().any(|v| std::env::var_os(v).is_some())
                && Sources::of(&self.git_dir, &self.common_dir).leave_blobs_as_they_are()
        })
    }

    /// The bytes of each `(blob id, path)`, in order; `None` when something may convert them
    /// (config, attribute files, a `.gitattributes` in the work tree above one of the paths),
    /// or a blob cannot be read (git is asked then, and says what is wrong).
    pub(crate) fn read(&self, blobs: &[(Oid, &[u8])]) -> Option<Vec<Vec<u8>>> {
        if !self.nothing_converts() || !self.covers(blobs.iter().map(|(_, path)| *path)) {
            return None;
        }
        let mut reader = BlobReader::open(&self.git_dir).ok()?;
        blobs.iter().map(|(id, _)| reader.read(*id)).collect()
    }

    /// Whether the blobs of `paths` are read in process: no folder from the root down to any
    /// of them holds a `.gitattributes` (git reads the work tree's when the index it checks
    /// out from has none), and no path is one.
    fn covers<'a>(&self, paths: impl Iterator<Item = &'a [u8]>) -> bool {
        let mut folders: BTreeSet<&[u8]> = BTreeSet::new();
        for path in paths {
            if path.rsplit(|&b| b == b'/').next() == Some(b".gitattributes") {
                return false;
            }
            folders.insert(b"");
            let mut end = path.len();
            while let Some(slash) = memchr::memrchr(b'/', &path[..end]) {
                if !folders.insert(&path[..slash]) {
                    // This folder and those above it are in already.
                    break;
                }
                end = slash;
            }
        }
        folders.into_iter().all(|folder| {
            let file = self
                .root
                .join(OsStr::from_bytes(folder))
                .join(".gitattributes");
            absent(&file)
        })
    }
}

/// The files git may read config and attributes from, outside the work tree.
struct Sources {
    config: Vec<PathBuf>,
    attributes: Vec<PathBuf>,
}

impl Sources {
    fn of(git_dir: &Path, common_dir: &Path) -> Sources {
        let var = |name: &str| std::env::var_os(name).map(PathBuf::from);
        let home = var("HOME");
        let xdg = var("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config")));
        // The system files sit under git's install prefix (`/usr` has them in `/etc`): both
        // the folder above git's `bin/` and `/etc` are looked at, whatever the prefix.
        let mut prefixes = vec![PathBuf::from("/")];
        if let Ok(git) = which::which("git") {
            let real = std::fs::canonicalize(&git).ok();
            for exe in std::iter::once(git).chain(real) {
                if let Some(prefix) = exe.parent().and_then(Path::parent) {
                    prefixes.push(prefix.to_path_buf());
                }
            }
        }
        let mut config = vec![common_dir.join("config"), git_dir.join("config.worktree")];
        config.extend(var("GIT_CONFIG_GLOBAL"));
        config.extend(var("GIT_CONFIG_SYSTEM"));
        config.extend(home.map(|h| h.join(".gitconfig")));
        let mut attributes = vec![common_dir.join("info").join("attributes")];
        if let Some(xdg) = xdg {
            config.push(xdg.join("git").join("config"));
            attributes.push(xdg.join("git").join("attributes"));
        }
        for prefix in prefixes {
            config.push(prefix.join("etc").join("gitconfig"));
            attributes.push(prefix.join("etc").join("gitattributes"));
        }
        Sources { config, attributes }
    }

    fn leave_blobs_as_they_are(&self) -> bool {
        self.attributes.iter().all(|file| absent(file))
            && self.config.iter().all(|file| match std::fs::read(file) {
                Ok(text) => !may_convert(&text),
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            })
    }
}

/// Whether config text mentions a setting that can convert a blob on checkout (any case:
/// git's keys are case-insensitive).
fn may_convert(config: &[u8]) -> bool {
    let lower = config.to_ascii_lowercase();
    CONVERTING_WORDS
        .iter()
        .any(|word| memchr::memmem::find(&lower, word).is_some())
}

/// Whether nothing is at `file` (an error other than "not found" is a doubt).
fn absent(file: &Path) -> bool {
    matches!(std::fs::symlink_metadata(file), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::fixture::TestRepo;

    #[test]
    fn config_words_that_convert_are_found_in_any_case() {
        assert!(may_convert(b"[core]\n\tautocrlf = true\n"));
        assert!(may_convert(b"[core]\n\tautoCRLF = input\n"));
        assert!(may_convert(b"[core]\n\teol = crlf\n"));
        assert!(may_convert(b"[core]\n\tattributesFile = ~/.attrs\n"));
        assert!(may_convert(
            b"[includeIf \"gitdir:~/work/\"]\n\tpath = work.inc\n"
        ));
        assert!(!may_convert(
            b"[user]\n\tname = Ada\n[filter \"lfs\"]\n\tclean = git-lfs clean -- %f\n"
        ));
    }

    fn sources(dir: &Path) -> Sources {
        Sources {
            config: vec![dir.join("config"), dir.join("missing-config")],
            attributes: vec![dir.join("attributes")],
        }
    }

    #[test]
    fn a_config_or_attributes_file_that_may_convert_means_git() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), "[user]\n\tname = Ada\n").unwrap();
        assert!(sources(dir.path()).leave_blobs_as_they_are());

        std::fs::write(dir.path().join("config"), "[core]\n\tautocrlf = true\n").unwrap();
        assert!(!sources(dir.path()).leave_blobs_as_they_are());

        std::fs::write(dir.path().join("config"), "[user]\n\tname = Ada\n").unwrap();
        std::fs::write(dir.path().join("attributes"), "").unwrap();
        assert!(!sources(dir.path()).leave_blobs_as_they_are());

        // A config that cannot be read is a doubt too.
        std::fs::remove_file(dir.path().join("attributes")).unwrap();
        std::fs::create_dir(dir.path().join("config.d")).unwrap();
        let unreadable = Sources {
            config: vec![dir.path().join("config.d")],
            attributes: Vec::new(),
        };
        assert!(!unreadable.leave_blobs_as_they_are());
    }

    #[test]
    fn the_repository_config_and_info_attributes_are_among_the_sources() {
        let t = TestRepo::new();
        let repo = t.open();
        let sources = Sources::of(repo.git_dir(), repo.common_dir());
        assert!(sources.config.contains(&repo.common_dir().join("config")));
        assert!(sources
            .attributes
            .contains(&repo.common_dir().join("info/attributes")));
        assert!(sources
            .attributes
            .contains(&PathBuf::from("/etc/gitattributes")));
        assert!(sources.config.contains(&PathBuf::from("/etc/gitconfig")));
    }

    /// What `git checkout-index` writes for `path`.
    fn checked_out(t: &TestRepo, path: &str) -> Vec<u8> {
        let out = t.base().join("out/");
        t.git(&[
            "checkout-index",
            "-f",
            &format!("--prefix={}", out.display()),
            "--",
            path,
        ]);
        std::fs::read(out.join(path)).unwrap()
    }

    #[test]
    fn blobs_are_read_as_git_checks_them_out_loose_or_packed() {
        let t = TestRepo::new();
        t.write("a.txt", "one\r\ntwo\n");
        t.write("dir/sub/b.bin", "\0\u{1}binary\n");
        t.commit("base");
        t.write("a.txt", "staged\n");
        t.git(&["add", "a.txt"]);
        let verbatim = VerbatimCheckout::assumed(&t.root, &t.root.join(".git"));
        let ids = [
            (t.rev(":a.txt"), "a.txt"),
            (t.rev(":dir/sub/b.bin"), "dir/sub/b.bin"),
        ];
        let blobs: Vec<(Oid, &[u8])> = ids.iter().map(|(id, p)| (*id, p.as_bytes())).collect();
        let expected: Vec<Vec<u8>> = ids.iter().map(|(_, p)| checked_out(&t, p)).collect();
        assert_eq!(verbatim.read(&blobs).unwrap(), expected);
        t.git(&["gc", "-q", "--prune=now"]);
        assert_eq!(verbatim.read(&blobs).unwrap(), expected);
    }

    #[test]
    fn a_gitattributes_above_a_path_or_among_them_means_git() {
        let t = TestRepo::new();
        t.write("dir/sub/b.txt", "b\n");
        t.write("other/c.txt", "c\n");
        t.commit("base");
        let verbatim = VerbatimCheckout::assumed(&t.root, &t.root.join(".git"));
        let b = [(t.rev(":dir/sub/b.txt"), b"dir/sub/b.txt".as_slice())];
        assert!(verbatim.read(&b).is_some());
        // Untracked, in a folder above: git would read it.
        t.write("dir/.gitattributes", "*.txt text eol=crlf\n");
        assert!(verbatim.read(&b).is_none());
        // Elsewhere: not on the way to the path.
        std::fs::rename(
            t.root.join("dir/.gitattributes"),
            t.root.join("other/.gitattributes"),
        )
        .unwrap();
        assert!(verbatim.read(&b).is_some());
        t.write(".gitattributes", "");
        assert!(verbatim.read(&b).is_none());
        std::fs::remove_file(t.root.join(".gitattributes")).unwrap();
        let attributes = [(t.rev(":dir/sub/b.txt"), b"x/.gitattributes".as_slice())];
        assert!(verbatim.read(&attributes).is_none());
    }

    #[test]
    fn a_configured_conversion_or_info_attributes_means_git() {
        let t = TestRepo::new();
        t.write("a.txt", "a\n");
        t.commit("base");
        let with = |setup: &dyn Fn()| {
            setup();
            t.open().verbatim_checkout().nothing_converts()
        };
        // The machine's own config decides the plain case; a repository that converts
        // never reads in process, whatever the machine's.
        let plain = with(&|| ());
        assert!(!with(&|| {
            t.git(&["config", "core.autocrlf", "true"]);
        }));
        t.git(&["config", "--unset", "core.autocrlf"]);
        assert_eq!(with(&|| ()), plain);
        assert!(!with(&|| {
            std::fs::create_dir_all(t.root.join(".git/info")).unwrap();
            std::fs::write(t.root.join(".git/info/attributes"), "* text\n").unwrap();
        }));
    }
}
