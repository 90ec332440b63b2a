//! git's blob id of bytes (SHA-1 of `blob <len>\0` and the bytes), in
//! plain Rust. libgit2's own hashing is SHA-1 with collision detection,
//! about four times the instructions: the digests of the stash's copies
//! were most of tiergate's own CPU in a partial-staging commit (issue 21,
//! S5: 127 M of 208 M instructions for 200 modules). The digests only tell
//! tiergate's own saved states apart, so detecting crafted collisions
//! buys nothing here; the ids are the same bits either way.

/// The blob id of `bytes`, as 40 lower-case hex digits.
pub(super) fn blob_id(bytes: &[u8]) -> String {
    let header = format!("blob {}\0", bytes.len());
    let mut state = Sha1::new();
    state.update(header.as_bytes());
    state.update(bytes);
    let digest = state.finish();
    let mut hex = String::with_capacity(40);
    for b in digest {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

struct Sha1 {
    h: [u32; 5],
    block: [u8; 64],
    filled: usize,
    len: u64,
}

impl Sha1 {
    fn new() -> Sha1 {
        Sha1 {
            h: [
                0x6745_2301,
                0xEFCD_AB89,
                0x98BA_DCFE,
                0x1032_5476,
                0xC3D2_E1F0,
            ],
            block: [0; 64],
            filled: 0,
            len: 0,
        }
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        if self.filled > 0 {
            let take = (64 - self.filled).min(bytes.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
            self.filled += take;
            bytes = &bytes[take..];
            if self.filled < 64 {
                return;
            }
            let block = self.block;
            compress(&mut self.h, &block);
            self.filled = 0;
        }
        let mut chunks = bytes.chunks_exact(64);
        for chunk in &mut chunks {
            compress(&mut self.h, chunk);
        }
        let rest = chunks.remainder();
        self.block[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    fn finish(mut self) -> [u8; 20] {
        let bits = self.len.wrapping_mul(8);
        self.update(&[0x80]);
        while self.filled != 56 {
            self.update(&[0]);
        }
        self.update(&bits.to_be_bytes());
        let mut out = [0; 20];
        for (i, word) in self.h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

#[expect(
    clippy::many_single_char_names,
    reason = "the names of the SHA-1 specification (FIPS 180-4)"
)]
fn compress(h: &mut [u32; 5], block: &[u8]) {
    let mut w = [0u32; 80];
    for (i, word) in block.chunks_exact(4).take(16).enumerate() {
        w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    // The four rounds, each with its own function and constant, so each
    // loop is straight-line code.
    macro_rules! rounds {
        ($words:expr, $k:expr, |$x:ident, $y:ident, $z:ident| $f:expr) => {
            for &wi in $words {
                let ($x, $y, $z) = (b, c, d);
                let t = a
                    .rotate_left(5)
                    .wrapping_add($f)
                    .wrapping_add(e)
                    .wrapping_add($k)
                    .wrapping_add(wi);
                e = d;
                d = c;
                c = b.rotate_left(30);
                b = a;
                a = t;
            }
        };
    }
    rounds!(&w[0..20], 0x5A82_7999_u32, |x, y, z| (x & y) | (!x & z));
    rounds!(&w[20..40], 0x6ED9_EBA1_u32, |x, y, z| x ^ y ^ z);
    rounds!(&w[40..60], 0x8F1B_BCDC_u32, |x, y, z| (x & y)
        | (x & z)
        | (y & z));
    rounds!(&w[60..80], 0xCA62_C1D6_u32, |x, y, z| x ^ y ^ z);
    for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
        *x = x.wrapping_add(y);
    }
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
