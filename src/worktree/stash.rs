//! Saving unstaged changes to tracked files before a pre-commit run, durably,
//! then setting those files to their index content (SPEC 8, step 1).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::git::VerbatimCheckout;

use super::entry::{self, Manifest, SavedPath, State};
use super::files::{self, Content};
use super::{baseline, failpoint, git_cli, guarded, lock, patch, WorktreeError};

/// The saved unstaged work of one run. Dropping it without `restore` (an
/// early return, a panic) restores the user's bytes exactly: formatter fixes
/// are rolled back and saved aside.
pub(crate) struct Stash {
    pub(super) root: PathBuf,
    /// The index file (`GIT_INDEX_FILE` when git set it), read in-process
    /// to list what differs from it.
    pub(super) index_path: PathBuf,
    pub(super) state_dir: PathBuf,
    /// The entry folder; `None` when there was nothing unstaged to save.
    pub(super) dir: Option<PathBuf>,
    pub(super) manifest: Option<Manifest>,
    pub(super) done: bool,
    /// The index content (as checked out) of saved regular files, by path,
    /// kept while it fits `BASES_BUDGET`: the bases of merges at restore,
    /// read once instead of twice.
    pub(super) bases: HashMap<Vec<u8>, Vec<u8>>,
    /// The user's content of saved paths as written to the copies, by
    /// path, within the same budget: the restore reads them from here
    /// rather than from the archive. A path saved again (another program
    /// wrote it during the stash) is left out: its copy is read back.
    pub(super) users: HashMap<Vec<u8>, Content>,
    /// The formatters' input files that were not saved, as the formatters
    /// found them (which is their index content): what tells a formatter's
    /// change without asking git for the index content again.
    pub(super) before: HashMap<Vec<u8>, Content>,
    /// The saved paths the formatters changed, as they left them: a later
    /// change is another program's.
    pub(super) formatted: HashMap<Vec<u8>, Content>,
    /// Set by `end_formatting`: `formatted` is then complete.
    pub(super) formatting_ended: bool,
    /// Set when no config or attribute file converts blobs on checkout: the
    /// index content is then read in process, not checked out by git.
    pub(super) verbatim: Option<VerbatimCheckout>,
}

/// How many bytes of index content a stash keeps in memory for merges.
const BASES_BUDGET: usize = 64 * 1024 * 1024;

impl Stash {
    /// The paths whose unstaged changes were saved.
    #[cfg(test)]
    pub(crate) fn paths(&self) -> Vec<Vec<u8>> {
        self.manifest
            .as_ref()
            .map(|m| m.files.iter().map(SavedPath::path).collect())
            .unwrap_or_default()
    }

    #[cfg(test)]
    pub(crate) fn entry_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn empty(
        root: &Path,
        index_path: &Path,
        state_dir: &Path,
        verbatim: Option<VerbatimCheckout>,
    ) -> Stash {
        Stash {
            root: root.to_path_buf(),
            index_path: index_path.to_path_buf(),
            state_dir: state_dir.to_path_buf(),
            dir: None,
            manifest: None,
            done: false,
            bases: HashMap::new(),
            users: HashMap::new(),
            before: HashMap::new(),
            formatted: HashMap::new(),
            formatting_ended: false,
            verbatim,
        }
    }

    /// Record, durably, that formatters are about to change files: a crash
    /// from here on is recovered by rolling their changes back (saved aside)
    /// rather than taking them for the user's later edits. Also reads the
    /// formatters' `inputs` (repository paths) that were not saved, for
    /// `changed_since_stash`.
    pub(crate) fn begin_formatting(&mut self, inputs: &[Vec<u8>]) -> Result<(), WorktreeError> {
        let saved: std::collections::HashSet<Vec<u8>> = self
            .manifest
            .iter()
            .flat_map(|m| &m.files)
            .map(SavedPath::path)
            .collect();
        let unsaved: Vec<&[u8]> = inputs
            .iter()
            .filter(|p| !saved.contains(*p))
            .map(Vec::as_slice)
            .collect();
        self.before = baseline::read(&self.root, &unsaved);
        match &self.dir {
            Some(dir) if self.manifest.is_some() => {
                files::write_durable(&dir.join(entry::FORMATTING), b"")
                    .map_err(|e| WorktreeError::io(format!("cannot write {}", dir.display()), &e))
            }
            _ => Ok(()),
        }
    }

    /// Whether `content` is what the stash put at the saved path `rel` (its
    /// index content), as `saved.stashed.matches` says, but by comparing
    /// the bytes kept in memory when there are some: hashing every file
    /// again to compare digests cost more than the restore's own writes
    /// (issue 21, S5: a SHA-1 of each of 200 files, five times over).
    pub(super) fn is_stashed(&self, saved: &SavedPath, rel: &[u8], content: &Content) -> bool {
        match self.bases.get(rel) {
            Some(base) if saved.stashed.kind == "file" => match content {
                Content::File { bytes, mode } => {
                    bytes == base && (mode & 0o111 != 0) == (saved.stashed.mode & 0o111 != 0)
                }
                _ => false,
            },
            _ => saved.stashed.matches(content),
        }
    }

    /// Leave the entry on disk for `tiergate recover` (a restore failed):
    /// the drop guard must not try again and report twice.
    pub(crate) fn keep_for_recovery(&mut self) {
        self.done = true;
    }
}

/// The mode a file gets while it holds its index content: the user's own
/// permission bits (a read-only file stays read-only), with the executable
/// bit the index records.
fn stashed_mode(user: &Content, index_mode: u32) -> u32 {
    let exec = index_mode & 0o111 != 0;
    match user {
        Content::File { mode, .. } if exec => mode | ((mode & 0o444) >> 2),
        Content::File { mode, .. } => mode & !0o111,
        _ if exec => 0o755,
        _ => 0o644,
    }
}

/// Save every unstaged change to a tracked file under
/// `state_dir/recovery/<id>/` (copies, patch, manifest, all fsync'd) and only
/// then set those files to their index content. A constant number of git
/// processes and fsyncs, whatever the number of paths.
pub(crate) fn stash(
    root: &Path,
    git_dir: &Path,
    state_dir: &Path,
    head: Option<String>,
    index_tree: Option<String>,
    verbatim: Option<VerbatimCheckout>,
) -> Result<Stash, WorktreeError> {
    let index_path = lock::index_path(root, git_dir);
    lock::wait_for_index(&index_path)?;
    failpoint("before-stash", state_dir);
    let mut stash = Stash::empty(root, &index_path, state_dir, verbatim);
    // Unmerged paths are git's business during a conflicted merge; commit
    // refuses them anyway.
    let unstaged: Vec<_> = git_cli::unstaged(root, &index_path)?
        .into_iter()
        .filter(|u| u.status != b'U')
        .collect();
    if unstaged.is_empty() {
        return Ok(stash);
    }

    let id = entry::new_id();
    let dir = entry::recovery_dir(state_dir).join(&id);
    std::fs::create_dir_all(&dir)
        .map_err(|e| WorktreeError::io(format!("cannot create {}", dir.display()), &e))?;
    stash.dir = Some(dir.clone());

    // The index content of every path is read (in process when nothing
    // converts blobs on checkout, else by git through a temporary index) on a
    // thread while the user's content is read and saved, the patch made and
    // the copies made durable here.
    let blobs: Vec<git_cli::Blob<'_>> = unstaged
        .iter()
        .filter(|u| u.index_mode != 0)
        .map(|u| git_cli::Blob {
            mode: u.index_mode,
            oid: &u.index_oid,
            path: &u.path,
        })
        .collect();
    // The user's content of every path, one after another in one archive,
    // fsync'd once (not once per path).
    let copies_path = dir.join(entry::COPIES);
    let copies_error = |e: &std::io::Error| {
        WorktreeError::io(format!("cannot write {}", copies_path.display()), e)
    };
    let mut copies = std::fs::File::create(&copies_path).map_err(|e| copies_error(&e))?;
    let (saving, index_contents) = std::thread::scope(|scope| {
        let checkout =
            scope.spawn(|| git_cli::blobs_as_checked_out(root, &blobs, stash.verbatim.as_ref()));
        let saving =
            save_copies(root, &unstaged, &mut copies, &copies_path).and_then(|(taken, omitted)| {
                let (in_process, user_states) = save_patch(root, &dir, &copies, &taken, &omitted)?;
                Ok((taken, omitted, in_process, user_states))
            });
        let contents = checkout.join().unwrap_or_else(|_| {
            Err(WorktreeError::Io(
                "checking out the index content panicked".into(),
            ))
        });
        (saving, contents)
    });
    let (taken, omitted, in_process, user_states) = saving?;
    // By position among the paths with an index entry.
    let (index_contents, as_stored) = index_contents?;
    let mut index_contents: Vec<Option<Vec<u8>>> = index_contents.into_iter().map(Some).collect();
    if index_contents.len() != blobs.len() {
        return Err(WorktreeError::Io(
            "git checkout-index returned too few files".into(),
        ));
    }

    let mut saved = Vec::new();
    let mut stashed_contents = Vec::new();
    let mut kept = 0;
    let mut users = Vec::with_capacity(taken.len());
    let mut user_states = user_states.into_iter();
    for Taken {
        u,
        path,
        user,
        range,
        mode,
        seen,
        blob,
    } in taken
    {
        users.push(user);
        let stashed = if u.index_mode == 0 {
            // Intent-to-add: the commit will not hold the file.
            Content::Absent
        } else {
            let bytes = blob
                .and_then(|k| index_contents.get_mut(k)?.take())
                .ok_or_else(|| {
                    WorktreeError::Io("git checkout-index returned too few files".into())
                })?;
            if u.index_mode == 0o120_000 {
                Content::Symlink { target: bytes }
            } else {
                if kept + bytes.len() <= BASES_BUDGET {
                    kept += bytes.len();
                    stash.bases.insert(u.path.clone(), bytes.clone());
                }
                Content::File { bytes, mode }
            }
        };
        saved.push(SavedPath {
            path: files::hex(&u.path),
            user: user_states
                .next()
                .ok_or_else(|| WorktreeError::Io("a saved path has no digest".into()))?,
            copy: entry::COPIES.to_owned(),
            range: Some(range),
            // Set below, for all paths at once.
            stashed: State::of(&Content::Absent),
            index_oid: (u.index_mode != 0).then(|| u.index_oid.clone()),
            index_mode: u.index_mode,
        });
        stashed_contents.push((path, stashed, seen));
    }
    // Each blob read as stored is its own digest: no SHA-1 of it again.
    let states = if as_stored {
        saved
            .iter()
            .zip(&stashed_contents)
            .map(|(saved, (_, content, _))| match &saved.index_oid {
                Some(oid) => State::with_digest(content, oid.clone()),
                None => State::of(content),
            })
            .collect()
    } else {
        digests(stashed_contents.iter().map(|(_, c, _)| c).collect())
    };
    for (saved, state) in saved.iter_mut().zip(states) {
        saved.stashed = state;
    }
    if in_process {
        let paths = paths_of(&saved);
        let parts = in_process_parts(&saved, &paths, &users, &stashed_contents);
        let text = parts.and_then(|parts| patch_text(&parts));
        match text {
            Some(text) => files::write_new_synced(&dir.join("patch.diff"), &text).map_err(|e| {
                WorktreeError::io(
                    format!("cannot write {}", dir.join("patch.diff").display()),
                    &e,
                )
            })?,
            // The index content was not the blob itself (a filter): git's patch.
            None => write_patch(root, &dir, &omitted)?,
        }
    }
    for (path, user) in paths_of(&saved).into_iter().zip(users) {
        if kept + user.len() <= BASES_BUDGET {
            kept += user.len();
            stash.users.insert(path, user);
        }
    }
    let manifest = Manifest {
        version: entry::VERSION,
        id,
        created: entry::now_secs(),
        pid: std::process::id(),
        pid_start: entry::process_start(std::process::id()),
        root: files::hex(root.as_os_str().as_encoded_bytes()),
        head,
        index_tree,
        files: saved,
        patch_omitted: omitted,
    };
    // The copies and the patch durable (both synced above), then the
    // folder once, then the manifest (which makes the entry valid) durable
    // last.
    files::sync_dir(&dir);
    entry::write_manifest(&dir, &manifest)?;
    stash.manifest = Some(manifest);

    // Everything is on disk: only now is the work tree touched.
    let half = stashed_contents.len() / 2;
    for (i, (path, content, seen)) in stashed_contents.iter().enumerate() {
        if i == half {
            failpoint("mid-stash", state_dir);
        }
        set_to_index(&mut stash, &mut copies, i, path, content, *seen)?;
    }
    drop(copies);
    failpoint("after-stash", state_dir);
    Ok(stash)
}

/// A path being saved: its unstaged entry, work-tree path, the user's
/// content, its range in the archive, the mode it gets while it holds its
/// index content, its stamp when read, and its position among the checked
/// out blobs (`None` for intent-to-add).
struct Taken<'a> {
    u: &'a git_cli::Unstaged,
    path: PathBuf,
    user: Content,
    range: (u64, u64),
    mode: u32,
    seen: guarded::Seen,
    blob: Option<usize>,
}

/// Read the user's content of each of `unstaged` (a folder where a tracked
/// file was is left alone) and append it to the archive `copies`; also the
/// paths too large for the patch (hex).
fn save_copies<'a>(
    root: &Path,
    unstaged: &'a [git_cli::Unstaged],
    copies: &mut std::fs::File,
    copies_path: &Path,
) -> Result<(Vec<Taken<'a>>, Vec<String>), WorktreeError> {
    let mut offset = 0u64;
    let mut taken = Vec::new();
    let mut omitted = Vec::new();
    let mut blobs = 0;
    for u in unstaged {
        let blob = (u.index_mode != 0).then_some(blobs);
        blobs += usize::from(u.index_mode != 0);
        let path = root.join(files::rel(&u.path));
        let (user, seen) = guarded::read(&path)
            .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
        if user == Content::Other {
            // A directory where a tracked file was: never written over.
            continue;
        }
        let bytes: &[u8] = match &user {
            Content::File { bytes, .. } => bytes,
            Content::Symlink { target } => target,
            Content::Absent | Content::Other => b"",
        };
        std::io::Write::write_all(copies, bytes).map_err(|e| {
            WorktreeError::io(format!("cannot write {}", copies_path.display()), &e)
        })?;
        let len = bytes.len() as u64;
        if user.len() > entry::PATCH_LIMIT {
            omitted.push(files::hex(&u.path));
        }
        let mode = stashed_mode(&user, u.index_mode);
        taken.push(Taken {
            u,
            path,
            user,
            range: (offset, len),
            mode,
            seen,
            blob,
        });
        offset += len;
    }
    Ok((taken, omitted))
}

/// Start the entry's patch and make the copies durable: git's patch on a
/// thread unless the in-process one will do (`patch::eligible`: then it is
/// written once the index content is known), the copies' fsync and the
/// digests of the user's content (a SHA-1 of every byte) on another.
/// Whether the patch is left to be made in process, and the digests.
fn save_patch(
    root: &Path,
    dir: &Path,
    copies: &std::fs::File,
    taken: &[Taken<'_>],
    omitted: &[String],
) -> Result<(bool, Vec<State>), WorktreeError> {
    let in_process = omitted.is_empty()
        && taken
            .iter()
            .all(|t| patch::eligible(&t.u.path, t.u.index_mode, &t.user));
    let (patch, synced) = std::thread::scope(|scope| {
        let patch = (!in_process).then(|| scope.spawn(|| write_patch(root, dir, omitted)));
        let synced = scope.spawn(|| {
            copies.sync_all()?;
            Ok::<_, std::io::Error>(taken.iter().map(|t| State::of(&t.user)).collect())
        });
        let patch = patch.map_or(Ok(()), |p| {
            p.join()
                .unwrap_or_else(|_| Err(WorktreeError::Io("writing the patch panicked".into())))
        });
        let synced = synced
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("saving the copies panicked")));
        (patch, synced)
    });
    patch?;
    let states = synced.map_err(|e| {
        WorktreeError::io(
            format!("cannot write {}", dir.join(entry::COPIES).display()),
            &e,
        )
    })?;
    Ok((in_process, states))
}

/// Give the saved path `i` its index `content`, unless another program
/// wrote it since it was `seen` (read for saving): then what it wrote is
/// the user's work now, saved again (copy and manifest, durably) before
/// anything is written over it.
fn set_to_index(
    stash: &mut Stash,
    copies: &mut std::fs::File,
    i: usize,
    path: &Path,
    content: &Content,
    mut seen: guarded::Seen,
) -> Result<(), WorktreeError> {
    let error = |e: &std::io::Error| {
        WorktreeError::io(
            format!("cannot set {} to its staged content", path.display()),
            e,
        )
    };
    for _ in 0..RESAVES {
        // Not fsync'd: the saved copies are, and they are what a crash
        // recovers from.
        if guarded::write_if_unchanged(path, content, seen).map_err(|e| error(&e))?
            != guarded::Written::ChangedSince
        {
            return Ok(());
        }
        let (user, now) = guarded::read(path).map_err(|e| error(&e))?;
        seen = now;
        let (Some(dir), Some(manifest)) = (&stash.dir, &mut stash.manifest) else {
            return Err(WorktreeError::Io("the stash has no entry".into()));
        };
        let bytes: &[u8] = match &user {
            Content::File { bytes, .. } => bytes,
            Content::Symlink { target } => target,
            Content::Absent => b"",
            Content::Other => {
                return Err(WorktreeError::Io(format!(
                    "{} became a folder while tiergate saved it",
                    path.display()
                )))
            }
        };
        let copy_error = |e: &std::io::Error| {
            WorktreeError::io(
                format!("cannot write {}", dir.join(entry::COPIES).display()),
                e,
            )
        };
        use std::io::{Seek, Write};
        let offset = copies
            .seek(std::io::SeekFrom::End(0))
            .map_err(|e| copy_error(&e))?;
        copies.write_all(bytes).map_err(|e| copy_error(&e))?;
        copies.sync_all().map_err(|e| copy_error(&e))?;
        let saved = &mut manifest.files[i];
        stash.users.remove(&saved.path());
        saved.user = State::of(&user);
        saved.range = Some((offset, bytes.len() as u64));
        entry::write_manifest(dir, manifest)?;
    }
    Err(WorktreeError::Io(format!(
        "{} kept changing while tiergate set it aside",
        path.display()
    )))
}

fn paths_of(saved: &[SavedPath]) -> Vec<Vec<u8>> {
    saved.iter().map(SavedPath::path).collect()
}

/// The in-process patch's parts, one per saved path, when every one
/// qualifies: its index content was checked out as the blob itself (the
/// digest of what git wrote is the index entry's blob id: no filter or
/// conversion applied) and is plain text too. `None`: git writes the patch.
fn in_process_parts<'a>(
    saved: &'a [SavedPath],
    paths: &'a [Vec<u8>],
    users: &'a [Content],
    stashed: &'a [(PathBuf, Content, guarded::Seen)],
) -> Option<Vec<patch::Part<'a>>> {
    saved
        .iter()
        .zip(paths)
        .zip(users.iter().zip(stashed))
        .map(|((saved, path), (user, (_, stashed, _)))| {
            let old_oid = saved.index_oid.as_deref()?;
            let (Content::File { bytes: new, .. }, Content::File { bytes: old, .. }) =
                (user, stashed)
            else {
                return None;
            };
            (saved.stashed.digest == old_oid && patch::plain_text(old)).then_some(patch::Part {
                path,
                mode: saved.index_mode,
                old,
                old_oid,
                new,
                new_oid: &saved.user.digest,
            })
        })
        .collect()
}

/// The patch of `parts`, in their order, made on two threads.
fn patch_text(parts: &[patch::Part<'_>]) -> Option<Vec<u8>> {
    let text = |parts: &[patch::Part<'_>]| -> Vec<u8> {
        let mut out = Vec::new();
        for part in parts {
            patch::append(part, &mut out);
        }
        out
    };
    let (first, second) = parts.split_at(parts.len().div_ceil(2));
    std::thread::scope(|scope| {
        let other = scope.spawn(|| text(second));
        let mut out = text(first);
        out.extend(other.join().ok()?);
        Some(out)
    })
}

/// `State::of` each of `contents`, on two threads: a SHA-1 of every byte.
fn digests(contents: Vec<&Content>) -> Vec<State> {
    let half = contents.len().div_ceil(2);
    if half < 16 {
        return contents.into_iter().map(State::of).collect();
    }
    let (first, second) = contents.split_at(half);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| second.iter().map(|c| State::of(c)).collect::<Vec<_>>());
        let mut states: Vec<State> = first.iter().map(|c| State::of(c)).collect();
        match other.join() {
            Ok(rest) => states.extend(rest),
            Err(_) => states.extend(second.iter().map(|c| State::of(c))),
        }
        states
    })
}

/// How many times a file another program keeps writing is saved again
/// before the stash gives up.
const RESAVES: usize = 50;

/// The stash of a work tree the caller found to match its index (every
/// tracked file's `lstat` agrees with the index's stat data, none of them
/// racy, no intent-to-add or conflicted entry): nothing to save, so no git
/// run (issue 7, S4: a formatter on 1,000 staged files, nothing unstaged).
pub(crate) fn stash_clean(
    root: &Path,
    git_dir: &Path,
    state_dir: &Path,
    verbatim: Option<VerbatimCheckout>,
) -> Result<Stash, WorktreeError> {
    let index_path = lock::index_path(root, git_dir);
    lock::wait_for_index(&index_path)?;
    Ok(Stash::empty(root, &index_path, state_dir, verbatim))
}

/// `git diff-files -p --binary` of the saved paths: the same changes as a
/// patch a human (or `git apply`) can use.
fn write_patch(root: &Path, dir: &Path, omitted: &[String]) -> Result<(), WorktreeError> {
    let mut args: Vec<&OsStr> = [
        "diff-files",
        "-p",
        "--binary",
        "--no-renames",
        "--no-ext-diff",
        "--ignore-submodules=all",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let excluded: Vec<std::ffi::OsString> = omitted
        .iter()
        .filter_map(|h| files::unhex(h))
        .map(|p| {
            let mut spec = b":(exclude,literal)".to_vec();
            spec.extend_from_slice(&p);
            files::os(&spec)
        })
        .collect();
    let mut cmd = git_cli::command(root);
    if !excluded.is_empty() {
        // Magic pathspecs need literal mode off; the paths are marked literal one by one.
        cmd.env_remove(crate::env::GIT_LITERAL_PATHSPECS);
        args.push(OsStr::new("--"));
        args.push(OsStr::new(":/"));
        args.extend(excluded.iter().map(std::ffi::OsString::as_os_str));
    }
    let patch = git_cli::output_with(cmd, &args, None)?;
    // fsync'd here; its folder entry is synced by the caller with the copies'.
    files::write_new_synced(&dir.join("patch.diff"), &patch).map_err(|e| {
        WorktreeError::io(
            format!("cannot write {}", dir.join("patch.diff").display()),
            &e,
        )
    })
}

/// Staged paths whose work-tree content now differs from the index: what the
/// formatters changed (the stash made every tracked file match the index).
pub(crate) fn changed_since_stash(stash: &Stash) -> Result<Vec<Vec<u8>>, WorktreeError> {
    let saved: std::collections::HashMap<&str, &SavedPath> = stash
        .manifest
        .iter()
        .flat_map(|m| &m.files)
        .map(|s| (s.path.as_str(), s))
        .collect();
    let mut changed = Vec::new();
    // Paths not saved matched the index before: compared with what the
    // formatters found, else with the index content (read for all of them at
    // once), to ignore a stat-only difference.
    let mut unsaved = Vec::new();
    for u in git_cli::unstaged(&stash.root, &stash.index_path)? {
        if u.status == b'U' {
            continue;
        }
        let hex = files::hex(&u.path);
        let saved = saved.get(hex.as_str());
        if saved.is_some() && stash.formatting_ended {
            // `end_formatting` has just read every saved path and kept those the formatters
            // changed: not read a second time (issue 21, S5).
            if stash.formatted.contains_key(&u.path) {
                changed.push(u.path);
            }
            continue;
        }
        let path = stash.root.join(files::rel(&u.path));
        let current = files::read(&path)
            .map_err(|e| WorktreeError::io(format!("cannot read {}", path.display()), &e))?;
        let same = if let Some(s) = saved {
            stash.is_stashed(s, &u.path, &current)
        } else if let Some(before) = stash.before.get(&u.path) {
            before.same_for_git(&current)
        } else if u.index_mode == 0 {
            current == Content::Absent
        } else {
            unsaved.push((u, current));
            continue;
        };
        if !same {
            changed.push(u.path);
        }
    }
    let blobs: Vec<git_cli::Blob<'_>> = unsaved
        .iter()
        .map(|(u, _)| git_cli::Blob {
            mode: u.index_mode,
            oid: &u.index_oid,
            path: &u.path,
        })
        .collect();
    let index_contents = git_cli::blobs_for_worktree(&stash.root, &blobs, stash.verbatim.as_ref())?;
    for ((u, current), bytes) in unsaved.iter().zip(index_contents) {
        let index = if u.index_mode == 0o120_000 {
            Content::Symlink { target: bytes }
        } else {
            Content::File {
                bytes,
                mode: u.index_mode & 0o777,
            }
        };
        if !index.same_for_git(current) {
            changed.push(u.path.clone());
        }
    }
    // In index order, as `git diff-files` lists them.
    changed.sort();
    Ok(changed)
}
