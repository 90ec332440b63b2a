//! A seeded randomized test of stash → formatter rewrites → restore (or a
//! crash and recovery) on a real repository: random edits, partial stages,
//! deletions, mode changes and intent-to-add files, formatters that stage
//! their own output, groups that edit tracked files and another program
//! appending to a file set aside, asserting that no byte of the user's
//! content and no line of the other program's is lost, every group edit is
//! seen and the index never changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::git::VerbatimCheckout;

use super::files::{self, Content};
use super::{recover_all, stash, IndexGuard, RestoreMode, TrackedWatch};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic for a seed, good enough to vary cases.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> usize {
        usize::try_from(self.next() % n).unwrap()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn git(root: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_SYSTEM", "/dev/null")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const FILES: usize = 6;

fn lines(rng: &mut Rng, n: usize) -> Vec<u8> {
    let words = [
        "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta",
    ];
    let mut out = Vec::new();
    for _ in 0..n {
        out.extend_from_slice(words[rng.below(8)].as_bytes());
        out.push(b'\n');
    }
    out
}

fn edit(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut ls: Vec<Vec<u8>> = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    if ls.is_empty() {
        ls.push(b"start\n".to_vec());
    }
    let i = rng.below(ls.len() as u64);
    match rng.below(3) {
        0 => ls[i] = format!("edit {}\n", rng.next() % 1000).into_bytes(),
        1 => ls.insert(i, b"inserted\n".to_vec()),
        _ => ls.push(format!("tail {}\n", rng.next() % 1000).into_bytes()),
    }
    ls.concat()
}

fn snapshot(root: &Path) -> Vec<(PathBuf, Content)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        out.push((path.clone(), files::read(&path).unwrap()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn index(root: &Path) -> String {
    format!(
        "{}{}",
        git(root, &["ls-files", "-s"]),
        git(root, &["diff-files", "--name-status"])
            .matches('A')
            .count()
    )
}

/// Everything under the state dir that holds saved user content.
fn saved_aside(state_dir: &Path) -> Vec<Vec<u8>> {
    fn walk(dir: &Path, out: &mut Vec<Vec<u8>>) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        for e in read.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Ok(b) = std::fs::read(&p) {
                out.push(b);
            }
        }
    }
    let mut out = Vec::new();
    walk(state_dir, &mut out);
    out
}

fn git_blob(root: &Path, path: &Path) -> Vec<u8> {
    let name = path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    Command::new("git")
        .args(["cat-file", "blob", &format!(":{name}")])
        .current_dir(root)
        .env_remove("GIT_INDEX_FILE")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default()
}

#[test]
#[expect(clippy::print_stderr, reason = "the figures are the test's report")]
fn randomized_edits_stages_and_rewrites_never_lose_a_byte() {
    let seed: u64 = std::env::var("TIERGATE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_7135);
    let cases: usize = std::env::var("TIERGATE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    git(&root, &["init", "-q"]);
    for f in 0..FILES {
        std::fs::write(root.join(format!("f{f}.txt")), lines(&mut rng, 6)).unwrap();
    }
    std::fs::write(root.join("bin.dat"), [0u8, 1, 2, 3, 0, 255]).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    let git_dir = root.join(".git");
    let state_dir = tmp.path().join("state");

    let (mut lost_bytes, mut index_changes, mut rewrites, mut crashes) = (0usize, 0usize, 0, 0);
    let (mut index_staged, mut index_caught, mut concurrent) = (0, 0, 0);
    let (mut group_edits, mut missed_edits) = (0, 0);
    for case in 0..cases {
        git(&root, &["reset", "-q", "--hard", "HEAD"]);
        git(&root, &["clean", "-fdxq"]);
        let _ = std::fs::remove_dir_all(&state_dir);
        // Random edits, some staged, some edited again on top.
        for f in 0..FILES {
            let p = root.join(format!("f{f}.txt"));
            if rng.chance(60) {
                let b = edit(&mut rng, &std::fs::read(&p).unwrap());
                std::fs::write(&p, b).unwrap();
                if rng.chance(60) {
                    git(&root, &["add", &format!("f{f}.txt")]);
                }
                if rng.chance(50) {
                    let b = edit(&mut rng, &std::fs::read(&p).unwrap());
                    std::fs::write(&p, b).unwrap();
                }
            }
            let delete = rng.chance(5);
            if delete {
                std::fs::remove_file(&p).unwrap();
            } else if rng.chance(5) {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        if rng.chance(30) {
            std::fs::write(
                root.join("bin.dat"),
                [9u8, 0, u8::try_from(rng.next() % 256).unwrap()],
            )
            .unwrap();
        }
        if rng.chance(20) {
            std::fs::write(root.join("new.txt"), lines(&mut rng, 2)).unwrap();
            git(&root, &["add", "-N", "new.txt"]);
        }
        std::fs::write(root.join("untracked.log"), lines(&mut rng, 1)).unwrap();
        let before = snapshot(&root);
        let index_before = index(&root);

        // Every other case reads the index content in process, as a repository with no
        // conversion configured does; the others through git.
        let verbatim = (case % 2 == 1).then(|| VerbatimCheckout::assumed(&root, &git_dir));
        let mut s = stash(&root, &git_dir, &state_dir, None, None, verbatim).unwrap();
        let stashed: Vec<PathBuf> = s.paths().iter().map(|p| root.join(files::rel(p))).collect();
        let _ = s.begin_formatting(&[]);
        let guard = IndexGuard::take(&root, &git_dir).unwrap();
        // Formatter rewrites of staged text files (what the tests saw).
        for f in 0..FILES {
            let p = root.join(format!("f{f}.txt"));
            if rng.chance(30) {
                if let Ok(Content::File { bytes, mode }) = files::read(&p) {
                    rewrites += 1;
                    let fixed = if rng.chance(50) {
                        edit(&mut rng, &bytes)
                    } else {
                        bytes.to_ascii_uppercase()
                    };
                    files::write(&p, &Content::File { bytes: fixed, mode }).unwrap();
                    // A formatter that stages its own output.
                    if rng.chance(20) {
                        git(&root, &["add", "--", &format!("f{f}.txt")]);
                        index_staged += 1;
                    }
                }
            }
        }
        s.end_formatting().unwrap();
        let staged_by_formatters = guard.changed().unwrap();
        if !staged_by_formatters.is_empty() {
            index_caught += 1;
            guard.put_back().unwrap();
        }
        // The tiers: a group edits a tracked file, another program appends
        // to a file whose unstaged work is set aside.
        let watch = {
            let watch = TrackedWatch::watching(
                &root,
                &git_dir,
                crate::git::TrackedFiles::read(&git_dir.join("index")),
            );
            watch.settle(false).unwrap();
            watch
        };
        let mut edited = None;
        if rng.chance(25) {
            let f = rng.below(FILES as u64);
            let p = root.join(format!("f{f}.txt"));
            if let Ok(Content::File { mut bytes, mode }) = files::read(&p) {
                bytes.extend_from_slice(format!("generated {case}\n").as_bytes());
                files::write(&p, &Content::File { bytes, mode }).unwrap();
                edited = Some(format!("f{f}.txt").into_bytes());
            }
        }
        let mut appended: Vec<String> = Vec::new();
        if rng.chance(30) {
            if let Some(p) = stashed.get(rng.below(stashed.len().max(1) as u64)) {
                if let Ok(Content::File { .. }) = files::read(p) {
                    for n in 0..=rng.below(3) {
                        let line = format!("another program {case}.{n}");
                        let mut f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
                        std::io::Write::write_all(&mut f, format!("{line}\n").as_bytes()).unwrap();
                        appended.push(line);
                    }
                    concurrent += 1;
                }
            }
        }
        let modified = watch.modified().unwrap();
        if let Some(path) = &edited {
            group_edits += 1;
            if !modified.contains(path) {
                missed_edits += 1;
                eprintln!(
                    "case {case}: the edit of {} was not seen",
                    String::from_utf8_lossy(path)
                );
            }
        }
        match rng.below(3) {
            0 => {
                s.restore(RestoreMode::Merge).unwrap();
            }
            1 => {
                s.restore(RestoreMode::RollBack).unwrap();
            }
            _ => {
                // A crash: the guard never runs; the next command recovers.
                crashes += 1;
                let entry = s.entry_dir().map(Path::to_path_buf);
                std::mem::forget(s);
                // The "crashed" run is this live process: make its entry
                // look like a dead one's, as after a real SIGKILL.
                if let Some(manifest) = entry.map(|d| d.join("manifest.json")) {
                    if let Ok(text) = std::fs::read_to_string(&manifest) {
                        let dead =
                            text.replace(&format!("\"pid\": {}", std::process::id()), "\"pid\": 0");
                        std::fs::write(&manifest, dead).unwrap();
                    }
                }
                for r in recover_all(&state_dir) {
                    r.unwrap();
                }
            }
        }
        let after = snapshot(&root);
        if index(&root) != index_before {
            index_changes += 1;
        }
        let aside = saved_aside(&state_dir);
        for line in &appended {
            // Written after a last line without its newline (a binary
            // file), the line is glued to it: its bytes are what counts.
            let has = |bytes: &[u8]| bytes.windows(line.len()).any(|w| w == line.as_bytes());
            let kept = after
                .iter()
                .any(|(_, c)| matches!(c, Content::File { bytes, .. } if has(bytes)))
                || aside.iter().any(|a| has(a));
            if !kept {
                lost_bytes += line.len();
                eprintln!("case {case}: another program's line {line:?} lost");
            }
        }
        for (path, content) in &before {
            let now = after.iter().find(|(p, _)| p == path).map(|(_, c)| c);
            let kept = now == Some(content) || {
                // Bytes the index holds are not lost by a fix merged on top
                // of them (a file with nothing unstaged, a mode-only change,
                // a staged line the formatter rewrote); every line only the
                // work tree had must survive the merge, or be saved aside.
                let index_blob = git_blob(&root, path);
                match (content, now) {
                    (Content::File { bytes, .. }, _) if aside.iter().any(|a| a == bytes) => true,
                    (Content::File { bytes, .. }, _) if *bytes == index_blob => true,
                    (Content::File { bytes, .. }, Some(Content::File { bytes: merged, .. })) => {
                        bytes.split(|&b| b == b'\n').all(|l| {
                            merged
                                .split(|&b| b == b'\n')
                                .any(|m| m.eq_ignore_ascii_case(l))
                                || index_blob.split(|&b| b == b'\n').any(|m| m == l)
                        })
                    }
                    _ => false,
                }
            };
            if !kept {
                lost_bytes += content.len().max(1);
                eprintln!(
                    "case {case}: {} lost: before {:?} now {:?} stashed {}",
                    path.display(),
                    content,
                    now,
                    stashed.contains(path)
                );
            }
        }
        assert!(
            !state_dir.join("recovery").exists()
                || std::fs::read_dir(state_dir.join("recovery"))
                    .unwrap()
                    .filter_map(Result::ok)
                    .all(|e| e
                        .path()
                        .extension()
                        .is_some_and(|x| x == "fixes" || x == "kept")),
            "case {case}: an entry was left behind"
        );
    }
    eprintln!(
        "randomized: {cases} cases, {rewrites} formatter rewrites ({index_staged} staged by the formatter, caught in {index_caught} cases), {concurrent} concurrent writes, {group_edits} group edits ({missed_edits} missed), {crashes} crashes recovered, {lost_bytes} bytes lost, {index_changes} index changes"
    );
    assert_eq!(lost_bytes, 0);
    assert_eq!(index_changes, 0);
    assert_eq!(missed_edits, 0);
    assert!(index_staged == 0 || index_caught > 0);
}

/// A version 1 recovery entry (one file per copy, no offsets) for the single
/// path `name` under `root`, left by a dead process (pid 0), in
/// `state_dir/recovery/1-0`; returns the entry's folder.
fn v1_entry(
    root: &Path,
    state_dir: &Path,
    name: &[u8],
    user: &Content,
    staged: &Content,
    index_oid: Option<String>,
) -> PathBuf {
    use super::entry::{Manifest, SavedPath, State};
    let dir = state_dir.join("recovery").join("1-0");
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let Content::File { bytes, .. } = user else {
        unreachable!("a file's content")
    };
    std::fs::write(dir.join("files/0"), bytes).unwrap();
    let manifest = Manifest {
        version: 1,
        id: "1-0".into(),
        created: 1,
        pid: 0,
        pid_start: None,
        root: files::hex(root.as_os_str().as_encoded_bytes()),
        head: None,
        index_tree: None,
        files: vec![SavedPath {
            path: files::hex(name),
            user: State::of(user),
            copy: "files/0".into(),
            range: None,
            stashed: State::of(staged),
            index_oid,
            index_mode: 0o100_644,
        }],
        patch_omitted: Vec::new(),
    };
    let json = serde_json::to_string(&manifest).unwrap();
    assert!(
        !json.contains("range"),
        "version 1 manifests have no ranges"
    );
    std::fs::write(dir.join("manifest.json"), json).unwrap();
    dir
}

/// An entry written by an earlier tiergate (version 1: one file per copy
/// under `files/`, no offsets) is still recovered byte for byte.
#[test]
fn a_version_1_entry_is_still_recovered() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    let staged = Content::File {
        bytes: b"staged\n".to_vec(),
        mode: 0o644,
    };
    let user = Content::File {
        bytes: b"staged\r\nand unstaged \xff\n".to_vec(),
        mode: 0o755,
    };
    files::write(&root.join("a.txt"), &staged).unwrap();
    let state_dir = tmp.path().join("state");
    let dir = v1_entry(&root, &state_dir, b"a.txt", &user, &staged, None);
    for r in recover_all(&state_dir) {
        assert_eq!(r.unwrap().restored, vec![b"a.txt".to_vec()]);
    }
    assert_eq!(files::read(&root.join("a.txt")).unwrap(), user);
    assert!(!dir.exists());
}

/// Many saved paths share one archive of copies, fsync'd once; each comes
/// back from its own range.
#[test]
fn copies_share_one_archive_and_come_back_from_their_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    git(&root, &["init", "-q"]);
    for n in 0..20 {
        std::fs::write(root.join(format!("f{n}.txt")), format!("base {n}\n")).unwrap();
    }
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    let mut before = Vec::new();
    for n in 0..20 {
        let p = root.join(format!("f{n}.txt"));
        std::fs::write(&p, "x".repeat(n * 37) + "\n").unwrap();
        before.push((p.clone(), files::read(&p).unwrap()));
    }
    let state_dir = tmp.path().join("state");
    let mut s = stash(&root, &root.join(".git"), &state_dir, None, None, None).unwrap();
    let dir = s.entry_dir().unwrap().to_path_buf();
    assert!(dir.join("copies").is_file());
    assert!(!dir.join("files").exists());
    for (p, _) in &before {
        assert!(std::fs::read_to_string(p).unwrap().starts_with("base "));
    }
    s.restore(RestoreMode::Merge).unwrap();
    for (p, content) in &before {
        assert_eq!(&files::read(p).unwrap(), content);
    }
    assert!(!dir.exists());
}

/// The index content read in process (no conversion configured) is what git
/// checks out, and the states the entry records are the same as when git
/// checks it out: its blob id is taken for its digest, never a wrong one.
#[test]
fn index_content_read_in_process_is_recorded_as_git_checks_it_out() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    git(&root, &["init", "-q"]);
    std::fs::write(root.join("a.txt"), "base\r\nline\n").unwrap();
    std::fs::write(root.join("b.bin"), [0u8, 1, 2, 0, 255]).unwrap();
    std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    std::fs::write(root.join("a.txt"), "staged\n").unwrap();
    git(&root, &["add", "a.txt"]);
    std::fs::write(root.join("a.txt"), "staged\nunstaged\n").unwrap();
    std::fs::write(root.join("b.bin"), [9u8, 0]).unwrap();
    std::fs::remove_file(root.join("link")).unwrap();
    std::os::unix::fs::symlink("b.bin", root.join("link")).unwrap();
    let git_dir = root.join(".git");
    let state_dir = tmp.path().join("state");
    let mut recorded = Vec::new();
    for verbatim in [None, Some(VerbatimCheckout::assumed(&root, &git_dir))] {
        let mut s = stash(&root, &git_dir, &state_dir, None, None, verbatim).unwrap();
        let held: Vec<Content> = ["a.txt", "b.bin", "link"]
            .iter()
            .map(|p| files::read(&root.join(p)).unwrap())
            .collect();
        let manifest = s.manifest.clone().unwrap();
        let stashed: Vec<_> = manifest.files.iter().map(|f| f.stashed.clone()).collect();
        for (state, content) in stashed.iter().zip(&held) {
            assert!(state.matches(content), "{state:?}");
        }
        recorded.push((held, stashed));
        s.restore(RestoreMode::Merge).unwrap();
    }
    assert_eq!(recorded[0], recorded[1]);
    assert_eq!(
        std::fs::read(root.join("a.txt")).unwrap(),
        b"staged\nunstaged\n"
    );
}

/// The in-process merge of changes that lie apart gives exactly what
/// `git merge-file` gives, on random files with many repeated lines (where
/// diff alignment is ambiguous), and declines whenever it cannot be sure.
#[test]
#[expect(clippy::print_stderr, reason = "the figures are the test's report")]
fn merge_apart_agrees_with_git_merge_file() {
    let mut rng = Rng(0x0006_17f1_1e5e);
    let tmp = tempfile::tempdir().unwrap();
    let words = ["a\n", "b\n", "\n", "    x\n", "c", "a", "\r\n", "b\r\n"];
    let (mut fast, mut declined) = (0, 0);
    for _ in 0..400 {
        let n = 1 + rng.below(14);
        let base: Vec<&str> = (0..n)
            .map(|i| {
                if i + 1 == n {
                    words[rng.below(8)]
                } else {
                    words[rng.below(4)]
                }
            })
            .collect();
        let mut change = |lines: &[&str]| -> Vec<u8> {
            let mut out: Vec<&str> = lines.to_vec();
            let at = rng.below(out.len() as u64 + 1);
            match rng.below(3) {
                0 => out.insert(at, words[rng.below(4)]),
                1 if at < out.len() => {
                    out.remove(at);
                }
                _ if at < out.len() => out[at] = words[rng.below(8)],
                _ => out.push("tail\n"),
            }
            out.concat().into_bytes()
        };
        let ours = change(&base);
        let theirs = change(&base);
        let base = base.concat().into_bytes();
        let Some(merged) = super::merge::merge_apart(&base, &ours, &theirs) else {
            declined += 1;
            continue;
        };
        fast += 1;
        for (name, bytes) in [("ours", &ours), ("base", &base), ("theirs", &theirs)] {
            std::fs::write(tmp.path().join(name), bytes).unwrap();
        }
        let git = Command::new("git")
            .args(["merge-file", "-p", "--quiet", "ours", "base", "theirs"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            git.status.success(),
            "git found a conflict that merge_apart did not: base {base:?} ours {ours:?} theirs {theirs:?}"
        );
        assert_eq!(
            merged, git.stdout,
            "base {base:?} ours {ours:?} theirs {theirs:?}"
        );
    }
    eprintln!("merge_apart: {fast} merged in process, {declined} left to git");
    assert!(fast > 50, "too few cases exercised the fast path: {fast}");
}

/// A kill inside an in-place write leaves a file that is part index
/// content, part the user's: recovery gives the user their bytes back and
/// keeps the mixed file aside, where a real edit since the crash is kept
/// beside instead.
#[test]
fn a_half_written_file_is_recovered_and_a_later_edit_is_kept_both() {
    let staged_bytes = b"line one\nline two, staged\n".repeat(40);
    let user_bytes = [
        b"the user's unstaged first line\n".as_slice(),
        &staged_bytes,
    ]
    .concat();
    for (name, current, half) in [
        // The stash, killed part way through writing the index content.
        (
            "stash.txt",
            [&staged_bytes[..100], &user_bytes[100..]].concat(),
            true,
        ),
        // The restore, killed part way through writing the user's bytes back.
        (
            "restore.txt",
            [&user_bytes[..700], &staged_bytes[700..]].concat(),
            true,
        ),
        // Neither: an edit made after the crash.
        (
            "edited.txt",
            b"written by the user after the crash\n".to_vec(),
            false,
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        git(&root, &["init", "-q"]);
        std::fs::write(root.join(name), &staged_bytes).unwrap();
        let oid = git(&root, &["hash-object", "-w", name]).trim().to_owned();
        std::fs::write(root.join(name), &current).unwrap();
        let staged = Content::File {
            bytes: staged_bytes.clone(),
            mode: 0o644,
        };
        let user = Content::File {
            bytes: user_bytes.clone(),
            mode: 0o644,
        };
        let state_dir = tmp.path().join("state");
        v1_entry(
            &root,
            &state_dir,
            name.as_bytes(),
            &user,
            &staged,
            Some(oid),
        );
        let recovered = recover_all(&state_dir).pop().unwrap().unwrap();
        let current = Content::File {
            bytes: current,
            mode: 0o644,
        };
        if half {
            assert_eq!(files::read(&root.join(name)).unwrap(), user, "{name}");
            assert_eq!(recovered.half_written.len(), 1, "{name}");
            assert_eq!(files::read(&recovered.half_written[0].1).unwrap(), current);
            assert!(recovered.kept_both.is_empty());
        } else {
            assert_eq!(files::read(&root.join(name)).unwrap(), current, "{name}");
            assert!(recovered.half_written.is_empty());
            assert_eq!(files::read(&recovered.kept_both[0].1).unwrap(), user);
        }
    }
}

/// The patch of plain text files is made in process: it holds the same
/// changes as git's (same headers and `index` lines with full blob ids, the
/// same `+`/`-` lines), and `git apply` takes it; a file git would convert
/// (CRLF under `core.autocrlf`) makes the whole patch git's own again.
#[test]
fn the_in_process_patch_applies_and_says_what_gits_says() {
    // git abbreviates the blob ids of text files: compared on 7 digits.
    let changes = |patch: &str| -> Vec<String> {
        patch
            .lines()
            .filter(|l| !l.starts_with("@@"))
            .map(
                |l| match l.strip_prefix("index ").and_then(|r| r.split_once(' ')) {
                    Some((ids, mode)) => {
                        let (a, b) = ids.split_once("..").unwrap();
                        format!("index {}..{} {mode}", &a[..7], &b[..7])
                    }
                    None => l.to_owned(),
                },
            )
            .collect()
    };
    for crlf in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        git(&root, &["init", "-q"]);
        let body: String = (0..40).fold(String::new(), |mut body, n| {
            use std::fmt::Write as _;
            let _ = writeln!(body, "line {n}");
            body
        });
        for name in ["a.py", "b.py", "pkg/c.py", "same.py"] {
            std::fs::write(root.join(name), &body).unwrap();
        }
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "base"]);
        // Staged: a change near the top of a.py.
        std::fs::write(root.join("a.py"), format!("new top\n{body}")).unwrap();
        git(&root, &["add", "a.py"]);
        // Unstaged: one at each end, a lost final newline, a stat-only change.
        std::fs::write(root.join("a.py"), format!("new top\n{body}tail\n")).unwrap();
        std::fs::write(
            root.join("b.py"),
            format!("head\n{}", body.replace("line 20\n", "")),
        )
        .unwrap();
        let c = if crlf {
            "line 0\r\nline 1\r\n".to_owned()
        } else {
            body.trim_end().to_owned()
        };
        std::fs::write(root.join("pkg/c.py"), c).unwrap();
        std::fs::write(root.join("same.py"), &body).unwrap();
        let users: Vec<(PathBuf, Content)> = ["a.py", "b.py", "pkg/c.py"]
            .iter()
            .map(|n| (root.join(n), files::read(&root.join(n)).unwrap()))
            .collect();
        let gits = git(
            &root,
            &[
                "diff-files",
                "-p",
                "--binary",
                "--no-renames",
                "--no-ext-diff",
            ],
        );
        let state_dir = tmp.path().join("state");
        let mut s = stash(&root, &root.join(".git"), &state_dir, None, None, None).unwrap();
        let dir = s.entry_dir().unwrap().to_path_buf();
        let ours = std::fs::read_to_string(dir.join("patch.diff")).unwrap();
        assert_eq!(changes(&ours), changes(&gits), "crlf: {crlf}\n{ours}");
        if crlf {
            assert_eq!(ours, gits, "a CRLF file gets git's own patch");
        }
        // The work tree holds the index content: the patch gives the user's back.
        git(&root, &["apply", dir.join("patch.diff").to_str().unwrap()]);
        for (p, content) in &users {
            assert_eq!(&files::read(p).unwrap(), content, "{}", p.display());
        }
        s.restore(RestoreMode::Merge).unwrap();
        for (p, content) in &users {
            assert_eq!(&files::read(p).unwrap(), content);
        }
    }
}
