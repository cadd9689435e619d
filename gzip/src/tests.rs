//! [`Decoder`] must agree with flate2's multi-member decoder (the reference, and the fallback)
//! byte for byte, and fail wherever it fails. Run against ISA-L when the build linked it, which
//! `.ci/run` makes sure of.

use std::io::{self, Read, Write};

use proptest::prelude::*;

use super::*;

fn gzip(data: &[u8], level: u32) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Data with long and short back-references as well as literals, so that matches cross every
/// buffer boundary of both decoders.
fn sample(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let copy = (x % 3 == 0) && out.len() > 40_000;
        if copy {
            let dist = 1 + (x >> 8) as usize % 32_768;
            let n = 3 + (x >> 24) as usize % 300;
            for _ in 0..n {
                out.push(out[out.len() - dist]);
            }
        } else {
            out.extend_from_slice(&x.to_le_bytes()[..(x >> 60) as usize % 8]);
        }
    }
    out.truncate(len);
    out
}

/// A reader that hands out at most `chunk` bytes a call.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Read all of `r` in reads of `step` bytes.
fn drain(mut r: impl Read, step: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = vec![0; step];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn ours(gz: &[u8], chunk: usize, step: usize) -> io::Result<Vec<u8>> {
    drain(Decoder::new(Chunked { data: gz, chunk }), step)
}

fn reference(gz: &[u8]) -> io::Result<Vec<u8>> {
    drain(flate2::read::MultiGzDecoder::new(gz), 1 << 16)
}

#[test]
fn backend_is_the_one_the_build_found() {
    assert_eq!(BACKEND, if cfg!(isal) { "isa-l" } else { "zlib-rs" });
    // CI installs libisal-dev so that the ISA-L path is the one under test there.
    if std::env::var("IMGSLIM_EXPECT_ISAL").is_ok_and(|v| v == "1") {
        assert_eq!(BACKEND, "isa-l");
    }
}

#[test]
fn large_multi_member_streams_decode_exactly_in_any_read_size() {
    let a = sample(3 << 20, 7);
    let b = sample(200_000, 9);
    let mut gz = gzip(&a, 6);
    gz.extend(gzip(&[], 1));
    gz.extend(gzip(&b, 1));
    let want: Vec<u8> = [a, b].concat();
    for (chunk, step) in [
        (1 << 20, 1 << 20),
        (1 << 16, 512),
        (7, 65_536),
        (4096, 1),
        (1, 4096),
    ] {
        let got = ours(&gz, chunk, step).unwrap();
        assert!(got == want, "chunk {chunk}, step {step}: output differs");
    }
}

#[test]
fn a_bad_checksum_or_length_is_an_error() {
    let gz = gzip(&sample(100_000, 3), 6);
    for from_end in [8, 5, 4, 1] {
        let mut bad = gz.clone();
        let i = bad.len() - from_end;
        bad[i] ^= 0x40;
        assert!(reference(&bad).is_err());
        assert!(ours(&bad, 1 << 16, 1 << 16).is_err(), "byte -{from_end}");
    }
}

#[test]
fn truncation_anywhere_is_an_error() {
    let gz = gzip(&sample(50_000, 5), 6);
    for cut in (1..gz.len())
        .step_by(97)
        .chain([gz.len() - 1, gz.len() - 4])
    {
        assert!(
            ours(&gz[..cut], 1 << 16, 1 << 16).is_err(),
            "cut at {cut} of {}",
            gz.len()
        );
    }
}

#[test]
fn garbage_after_a_member_is_an_error() {
    let mut gz = gzip(b"hello", 6);
    gz.extend_from_slice(b"not gzip");
    assert!(reference(&gz).is_err());
    assert!(ours(&gz, 1 << 16, 1 << 16).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Flipped bytes past the header, any input chunking and read size: the same bytes as the
    /// reference, or an error exactly where the reference errs.
    #[test]
    fn agrees_with_the_reference_decoder(
        len in 0usize..300_000,
        seed in any::<u64>(),
        level in 0u32..10,
        members in 1usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..3),
        chunk in 1usize..70_000,
        step in 1usize..140_000,
    ) {
        let data = sample(len, seed);
        let mut gz = Vec::new();
        for part in data.chunks(len / members + 1) {
            gz.extend(gzip(part, level));
        }
        if gz.is_empty() {
            gz = gzip(&[], level);
        }
        // Past the 10-byte header: header flags are parsed differently (and leniently) by each.
        for (at, mask) in flips {
            if gz.len() > 10 {
                let i = 10 + at.index(gz.len() - 10);
                gz[i] ^= mask;
            }
        }
        let want = reference(&gz);
        let got = ours(&gz, chunk, step);
        match (want, got) {
            (Ok(w), Ok(g)) => prop_assert!(w == g, "output differs"),
            (Err(_), Err(_)) => {}
            (w, g) => prop_assert!(false, "reference {:?}, ours {:?}", w.map(|v| v.len()), g.map(|v| v.len())),
        }
    }
}
