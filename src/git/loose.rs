//! Loose objects read and inflated in process: one file, one inflate into a buffer sized
//! from the compressed length, the `<kind> <size>\0` header checked. Anything else (a packed
//! object, an alternate object store, a damaged or foreign file) answers `None`, and the
//! caller asks libgit2, which reads every case and reports what is wrong.
//!
//! Why: objects a commit is about to record (the staged blobs, the trees above them) are
//! loose until `git gc` packs them, and libgit2 spends about twice the instructions on the
//! same inflate (issue 21: HEAD's trees in trees.rs, the stash's index blobs in worktree/).

use std::io::Read;
use std::path::{Path, PathBuf};

use git2::Oid;

/// Reads loose objects, reusing its buffers and inflate state from one object to the next.
pub(super) struct LooseObjects {
    /// The loose object folder; `None` when the objects live elsewhere
    /// (`GIT_OBJECT_DIRECTORY`): every read answers `None` then.
    objects: Option<PathBuf>,
    compressed: Vec<u8>,
    inflate: flate2::Decompress,
}

impl LooseObjects {
    /// The reader of the object store of the repository whose common git dir is `common_dir`.
    pub(super) fn new(common_dir: &Path) -> LooseObjects {
        let objects = std::env::var_os("GIT_OBJECT_DIRECTORY")
            .is_none()
            .then(|| common_dir.join("objects"));
        LooseObjects {
            objects,
            compressed: Vec::new(),
            inflate: flate2::Decompress::new(true),
        }
    }

    /// The body of object `id` from its loose file, when there is one and it is a whole,
    /// well-formed object of `kind` (`b"tree"`, `b"blob"`).
    pub(super) fn read(&mut self, id: Oid, kind: &[u8]) -> Option<Vec<u8>> {
        let hex = id.to_string();
        let path = self.objects.as_ref()?.join(&hex[..2]).join(&hex[2..]);
        let mut file = std::fs::File::open(path).ok()?;
        self.compressed.clear();
        file.read_to_end(&mut self.compressed).ok()?;
        // Objects compress to between a half and a quarter of their size: one inflate into a
        // buffer of three times the compressed length usually suffices, grown when short.
        self.inflate.reset(true);
        let mut object = Vec::with_capacity(self.compressed.len() * 3 + 64);
        loop {
            let consumed = usize::try_from(self.inflate.total_in()).ok()?;
            let status = self
                .inflate
                .decompress_vec(
                    &self.compressed[consumed..],
                    &mut object,
                    flate2::FlushDecompress::Finish,
                )
                .ok()?;
            match status {
                flate2::Status::StreamEnd => break,
                _ if object.len() < object.capacity() => return None,
                _ => object.reserve(object.capacity()),
            }
        }
        let nul = memchr::memchr(0, &object)?;
        let size: usize =
            std::str::from_utf8(object[..nul].strip_prefix(kind)?.strip_prefix(b" ")?)
                .ok()?
                .parse()
                .ok()?;
        if object.len() - nul - 1 != size {
            return None;
        }
        object.drain(..=nul);
        Some(object)
    }
}
