//! [`Facts`] of one file gathered while its bytes stream past, during the layer scan or a read
//! back from an uncompressed layer, so that closure resolution never decompresses a layer a
//! second time and never holds a whole library.
//!
//! Files up to [`WHOLE`] bytes are buffered and parsed whole ([`Facts::of`]). Larger ones keep
//! only what the loader reads: the ELF header and program headers, the `PT_INTERP` and
//! `PT_DYNAMIC` segments, and the strings `DT_NEEDED`, `DT_RUNPATH` and `DT_RPATH` point at.
//! Those strings live in `.dynstr`, which linkers place before `.dynamic`, so its address is
//! known only after the strings have passed: on the way, every NUL-terminated string that could
//! be a soname or a search path is kept with its offset (a few kilobytes even for a 50 MB
//! library). A reference that none of them covers makes the facts incomplete, and the caller
//! reads the loader's pieces of that one file again by offset.

mod large;
mod needles;
mod packed;

use super::Facts;
use large::Streaming;
pub(crate) use packed::Packed;

/// Files up to this size are kept whole while they pass and parsed like any read file. Larger
/// ones stream: with a whole megabyte, the buffer of one library was the largest allocation of
/// an analysis of gcc-single.oci, and its peak memory fell by about 170 KiB at 64 KiB.
pub(crate) const WHOLE: u64 = 64 << 10;

/// Configuration files closure resolution reads (`ld.so.conf`, `os-release`) are kept when they
/// are at most this large.
pub(crate) const TEXT_MAX: u64 = 64 << 10;

/// What the scan learnt from one file's bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gathered {
    /// Its facts, when it is an ELF file or a script.
    pub facts: Option<Facts>,
    /// Its bytes, when it is one of the configuration files closure resolution reads.
    pub text: Option<Vec<u8>>,
}

/// Whether closure resolution reads the file at this (cleaned, relative) path as text.
pub(crate) fn wants_text(path: &[u8]) -> bool {
    matches!(
        path,
        b"etc/ld.so.conf" | b"etc/os-release" | b"usr/lib/os-release"
    ) || path.starts_with(b"etc/ld.so.conf.d/")
}

/// Consumes one file's bytes in order.
pub(crate) struct Probe {
    size: u64,
    keep_text: bool,
    state: State,
}

enum State {
    /// The first bytes, until there are enough to tell what the file is.
    Sniff(Vec<u8>),
    /// A small interesting file, kept whole.
    Whole(Vec<u8>),
    /// A large ELF file or script, read as a stream.
    Large(Box<Streaming>),
    /// Nothing to learn.
    Off,
}

impl Probe {
    /// A probe for a file of `size` bytes; `keep_text` keeps its bytes when it is small.
    pub(crate) fn new(size: u64, keep_text: bool) -> Probe {
        Probe {
            size,
            keep_text: keep_text && size <= TEXT_MAX,
            state: State::Sniff(Vec::new()),
        }
    }

    /// The next bytes of the file.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Off => {}
            State::Whole(buf) => buf.extend_from_slice(data),
            State::Large(s) => s.feed(data),
            State::Sniff(head) => {
                let need = 4usize.min(self.size as usize);
                if head.len() + data.len() < need {
                    head.extend_from_slice(data);
                    return;
                }
                let mut first = std::mem::take(head);
                first.extend_from_slice(data);
                self.state = if !(self.keep_text || Facts::worth_reading(&first)) {
                    State::Off
                } else if self.size <= WHOLE {
                    State::Whole(first)
                } else {
                    let mut s = Box::new(Streaming::new(self.size));
                    s.feed(&first);
                    State::Large(s)
                };
            }
        }
    }

    /// Everything learnt, once the file's bytes have all been fed; `None` when there is nothing.
    pub(crate) fn finish(self) -> Option<Gathered> {
        let keep_text = self.keep_text;
        match self.state {
            State::Off => None,
            State::Sniff(head) | State::Whole(head) => {
                let facts = Facts::worth_reading(&head).then(|| Facts::of(&head));
                let text = keep_text.then_some(head);
                (facts.is_some() || text.is_some()).then_some(Gathered { facts, text })
            }
            State::Large(s) => Some(Gathered {
                facts: Some(s.finish()),
                text: None,
            }),
        }
    }
}

/// A probe is fed by writing to it (a content copied out of an uncompressed layer).
impl std::io::Write for Probe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.feed(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::elf::build_padded;

    /// Feed `data` in chunks of `chunk` bytes and return the facts.
    fn streamed(data: &[u8], chunk: usize) -> Facts {
        let mut p = Probe::new(data.len() as u64, false);
        for c in data.chunks(chunk) {
            p.feed(c);
        }
        p.finish().and_then(|g| g.facts).unwrap_or_default()
    }

    fn same(a: &Facts, b: &Facts) {
        assert_eq!(a.elf, b.elf);
        assert_eq!(a.embedded, b.embedded);
        assert_eq!(a.names_zoneinfo, b.names_zoneinfo);
        assert_eq!(a.shebang, b.shebang);
    }

    /// A large ELF file whose string table comes before its dynamic segment, as linkers lay
    /// them out, padded past the whole-file limit with code-like bytes.
    fn large_elf(tail: &[u8]) -> Vec<u8> {
        build_padded(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libfoo.so.1", "libc.so.6"],
            Some("$ORIGIN/../lib:/opt/x/lib"),
            3 << 19,
            tail,
        )
    }

    #[test]
    fn large_files_stream_to_the_same_facts_as_a_whole_read() {
        let mut tail = Vec::new();
        tail.extend_from_slice(b"\0/usr/share/nodejs/acorn.js\0");
        tail.extend_from_slice(b"\0/usr/share/zoneinfo\0x/usr/share/zoneinfo/Europe\0");
        tail.extend_from_slice(b"\0/usr/share/only/before.txt\0");
        let mut data = large_elf(&tail);
        // Paths well after the dynamic segment, found once candidates are no longer collected:
        // one seen before it too, and one seen only there.
        data.resize(data.len() + (200 << 10), b'x');
        data.extend_from_slice(b"\0/usr/share/nodejs/acorn.js\0/usr/share/misc/magic.mgc\0");
        assert!(data.len() as u64 > WHOLE);
        let whole = Facts::of(&data);
        assert_eq!(
            whole.embedded,
            [
                "/usr/share/nodejs/acorn.js",
                "/usr/share/only/before.txt",
                "/usr/share/misc/magic.mgc"
            ]
        );
        assert_eq!(
            whole.elf.as_ref().map(|e| e.needed.clone()),
            Some(vec!["libfoo.so.1".to_string(), "libc.so.6".to_string()])
        );
        assert!(whole.names_zoneinfo);
        for chunk in [1 << 17, 4096, 4095, 333, 7] {
            let s = streamed(&data, chunk);
            assert!(!s.incomplete, "chunk {chunk}");
            same(&s, &whole);
        }
    }

    #[test]
    fn the_test_binary_itself_streams_like_a_whole_read() {
        // A real, large, dynamically linked ELF file is always at hand: this test's own binary.
        let data = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let whole = Facts::of(&data);
        assert!(whole.elf.as_ref().is_some_and(|e| !e.needed.is_empty()));
        for chunk in [128 << 10, 65_537, 1000] {
            let s = streamed(&data, chunk);
            if data.len() as u64 > WHOLE {
                assert!(!s.incomplete);
            }
            same(&s, &whole);
        }
    }

    #[test]
    fn uninteresting_files_keep_nothing_and_texts_are_kept() {
        let mut p = Probe::new(5, false);
        p.feed(b"hel");
        p.feed(b"lo");
        assert!(p.finish().is_none());
        let mut p = Probe::new(10, true);
        p.feed(b"/opt/lib\n\n");
        let g = p.finish().unwrap();
        assert_eq!(g.text.as_deref(), Some(&b"/opt/lib\n\n"[..]));
        assert!(g.facts.is_none());
        assert!(wants_text(b"etc/ld.so.conf.d/x.conf"));
        assert!(!wants_text(b"etc/passwd"));
    }

    #[test]
    fn a_large_script_keeps_its_shebang_and_pytz() {
        let mut data = b"#!/usr/bin/env python3\nimport os\n".to_vec();
        data.resize(3 << 20, b' ');
        data.extend_from_slice(b"import pytz\n");
        let s = streamed(&data, 5000);
        same(&s, &Facts::of(&data));
        assert!(s.names_zoneinfo);
        assert_eq!(s.shebang.as_deref(), Some(&b"/usr/bin/env python3"[..]));
    }

    #[test]
    fn a_reference_no_candidate_covers_is_incomplete() {
        // A soname without `.so` that is neither a path: not kept on the way, so the facts
        // say the loader's pieces must be read again.
        let data = build_padded(None, &["weird"], None, 3 << 19, b"");
        assert!(streamed(&data, 4096).incomplete);
        assert_eq!(Facts::of(&data).elf.unwrap().needed, ["weird"]);
    }
}

#[cfg(test)]
mod hostile {
    use proptest::prelude::*;

    use super::*;
    use crate::exec::elf::build_padded;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Damaged headers and odd chunkings never panic, and whatever the stream calls
        /// complete agrees with a whole read.
        #[test]
        fn damaged_large_elf_files(
            head_flips in proptest::collection::vec((0usize..4096, any::<u8>()), 0..16),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16),
            tail_flips in proptest::collection::vec((0usize..512, any::<u8>()), 0..16),
            chunk in 1usize..70_000,
        ) {
            let mut data = build_padded(
                Some("/lib64/ld-linux-x86-64.so.2"),
                &["libfoo.so.1", "libc.so.6"],
                Some("$ORIGIN/../lib"),
                3 << 19,
                b"",
            );
            let n = data.len();
            // The headers, anywhere, and the dynamic segment at the end.
            for (at, b) in head_flips {
                data[at] = b;
            }
            for (at, b) in flips {
                data[at % n] = b;
            }
            for (at, b) in tail_flips {
                data[n - 1 - at] = b;
            }
            let whole = Facts::of(&data);
            let mut p = Probe::new(data.len() as u64, false);
            for c in data.chunks(chunk) {
                p.feed(c);
            }
            if let Some(s) = p.finish().and_then(|g| g.facts) {
                if !s.incomplete {
                    prop_assert_eq!(s.elf, whole.elf);
                }
            }
        }
    }
}
