//! git's blob id of bytes (SHA-1 of `blob <len>\0` and the bytes), with the
//! `sha1_smol` crate. libgit2's own hashing is SHA-1 with collision detection,
//! about four times the instructions: the digests of the stash's copies
//! were most of tiergate's own CPU in a partial-staging commit (issue 21,
//! S5: 127 M of 208 M instructions for 200 modules). The digests only tell
//! tiergate's own saved states apart, so detecting crafted collisions
//! buys nothing here; the ids are the same bits either way.

/// The blob id of `bytes`, as 40 lower-case hex digits.
pub(super) fn blob_id(bytes: &[u8]) -> String {
    let mut state = sha1_smol::Sha1::new();
    state.update(format!("blob {}\0", bytes.len()).as_bytes());
    state.update(bytes);
    state.digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same ids as libgit2's (and so git's), for every length around
    /// the block and padding boundaries and for larger random contents.
    #[test]
    fn blob_ids_are_gits() {
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut bytes = Vec::new();
        for len in (0..300).chain([1000, 4095, 4096, 65_537, 1_000_003]) {
            bytes.clear();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                bytes.push(seed.to_le_bytes()[0]);
            }
            let git = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes)
                .unwrap()
                .to_string();
            assert_eq!(blob_id(&bytes), git, "length {len}");
        }
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
