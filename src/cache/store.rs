//! Stored passes under `<state_dir>/cache/`: one JSON file per key, written
//! atomically, bounded in count and size, least recently hit evicted first.
//!
//! A hit sets the entry's modification time, so the file system itself keeps
//! the "last hit" order without a shared index file that runs would race on.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::key::Key;
use crate::results::TestResult;

/// Bumped when the entry format changes: older entries then read as corrupt and miss.
const FORMAT: u32 = 1;

/// At most this many entries...
pub(crate) const MAX_ENTRIES: usize = 2_000;
/// ...and this many bytes in all.
pub(crate) const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// A stored clean pass: what a hit replays.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Entry {
    pub(crate) format: u32,
    pub(crate) key: Key,
    pub(crate) stage: String,
    pub(crate) group: String,
    pub(crate) command: String,
    pub(crate) exit_code: Option<i32>,
    /// How long the pass took: what a hit saves.
    pub(crate) duration: f64,
    pub(crate) tests: Vec<TestResult>,
    pub(crate) coverage: Option<f64>,
    /// RFC 3339, UTC.
    pub(crate) stored_at: String,
}

/// What a lookup found.
#[derive(Debug)]
pub(crate) enum Lookup {
    Hit(Box<Entry>),
    Miss,
    /// An entry that cannot be read: a warning, then a miss.
    Corrupt(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Store {
    dir: PathBuf,
}

impl Store {
    pub(crate) fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    fn entry_path(&self, digest: &str) -> PathBuf {
        self.dir.join("entries").join(format!("{digest}.json"))
    }

    /// The key of the last pass stored for a group, for `plan -v`'s "what changed".
    fn last_path(&self, stage: &str, group: &str) -> PathBuf {
        let name = blake3::hash(format!("{stage}\0{group}").as_bytes()).to_hex();
        self.dir.join("last").join(format!("{}.json", &name[..32]))
    }

    pub(crate) fn lookup(&self, key: &Key) -> Lookup {
        let path = self.entry_path(&key.digest);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Miss,
            Err(e) => return Lookup::Corrupt(format!("cannot read {}: {e}", path.display())),
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.format == FORMAT && entry.key == *key => {
                touch(&path);
                Lookup::Hit(Box::new(entry))
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
                Lookup::Corrupt(format!(
                    "{} does not match its key; removed",
                    path.display()
                ))
            }
            Err(e) => {
                // Removed so the next pass can be stored in its place.
                let _ = std::fs::remove_file(&path);
                Lookup::Corrupt(format!("{} is corrupt ({e}); removed", path.display()))
            }
        }
    }

    pub(crate) fn last_key(&self, stage: &str, group: &str) -> Option<Key> {
        let bytes = std::fs::read(self.last_path(stage, group)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Store a pass, then evict past the bounds.
    pub(crate) fn save(&self, mut entry: Entry) -> std::io::Result<()> {
        entry.format = FORMAT;
        let json = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        crate::state::replace_memo(&self.entry_path(&entry.key.digest), &json)?;
        let last = serde_json::to_vec(&entry.key).map_err(std::io::Error::other)?;
        crate::state::replace_memo(&self.last_path(&entry.stage, &entry.group), &last)?;
        self.evict(MAX_ENTRIES, MAX_BYTES);
        Ok(())
    }

    /// Remove the least recently hit entries until at most `max_entries` and
    /// `max_bytes` remain. Best effort: another run may be evicting too.
    pub(crate) fn evict(&self, max_entries: usize, max_bytes: u64) {
        let Ok(dir) = std::fs::read_dir(self.dir.join("entries")) else {
            return;
        };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = dir
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().ok()?, meta.len(), e.path()))
            })
            .collect();
        let mut bytes: u64 = entries.iter().map(|e| e.1).sum();
        if entries.len() <= max_entries && bytes <= max_bytes {
            return;
        }
        // Oldest hit first.
        entries.sort_by_key(|e| e.0);
        let mut count = entries.len();
        for (_, size, path) in entries {
            if count <= max_entries && bytes <= max_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                count -= 1;
                bytes = bytes.saturating_sub(size);
            }
        }
    }
}

/// Mark an entry as just hit.
fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(digest: &str) -> Entry {
        Entry {
            format: FORMAT,
            key: Key {
                digest: digest.to_owned(),
                parts: std::collections::BTreeMap::new(),
            },
            stage: "fast".into(),
            group: "unit".into(),
            command: "pytest".into(),
            exit_code: Some(0),
            duration: 1.5,
            tests: Vec::new(),
            coverage: None,
            stored_at: "2026-11-25T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_saved_entry_hits_and_a_corrupt_one_misses_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let e = entry("abc");
        store.save(e.clone()).unwrap();
        assert!(matches!(store.lookup(&e.key), Lookup::Hit(_)));
        assert_eq!(store.last_key("fast", "unit"), Some(e.key.clone()));

        std::fs::write(store.entry_path("abc"), b"{\"format\": 1, trunc").unwrap();
        assert!(matches!(store.lookup(&e.key), Lookup::Corrupt(_)));
        assert!(matches!(store.lookup(&e.key), Lookup::Miss));
    }

    /// Passes are written without fsync: after a power cut an entry may be
    /// empty, which must read as a miss, never as a pass.
    #[test]
    fn an_entry_left_empty_by_a_power_cut_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let e = entry("abc");
        store.save(e.clone()).unwrap();
        std::fs::write(store.entry_path("abc"), b"").unwrap();
        assert!(!matches!(store.lookup(&e.key), Lookup::Hit(_)));
        assert!(matches!(store.lookup(&e.key), Lookup::Miss));
    }

    #[test]
    fn eviction_removes_the_least_recently_hit_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        for name in ["a", "b", "c"] {
            store.save(entry(name)).unwrap();
        }
        let old = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000);
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            let f = std::fs::File::options()
                .append(true)
                .open(store.entry_path(name))
                .unwrap();
            f.set_modified(old + std::time::Duration::from_secs(i as u64))
                .unwrap();
        }
        // `a` is the oldest, but a hit makes it the newest.
        assert!(matches!(store.lookup(&entry("a").key), Lookup::Hit(_)));
        store.evict(2, u64::MAX);
        assert!(store.entry_path("a").exists());
        assert!(!store.entry_path("b").exists());
        assert!(store.entry_path("c").exists());
        store.evict(2, 1);
        assert!(!store.entry_path("c").exists(), "over the byte bound");
    }
}
