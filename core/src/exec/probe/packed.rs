//! [`Gathered`] packed into one exact-size allocation. The scans and the merge hold one per ELF
//! file and script, thousands in a toolchain image, until the closure is resolved: as structs
//! with a `String` per soname they were about 0.7 MiB of gcc-single.oci's 11 MiB peak; packed,
//! a typical entry is its bytes plus one allocation.
//!
//! Layout: a flag byte, then each present field in declaration order, strings and lists
//! length-prefixed with LEB128.

use super::Gathered;
use crate::exec::Facts;
use crate::exec::elf::ElfInfo;

const FACTS: u8 = 1;
const TEXT: u8 = 1 << 1;
const ELF: u8 = 1 << 2;
const INTERP: u8 = 1 << 3;
const DYNAMIC: u8 = 1 << 4;
const ZONEINFO: u8 = 1 << 5;
const SHEBANG: u8 = 1 << 6;
const INCOMPLETE: u8 = 1 << 7;

/// A packed [`Gathered`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Packed(Box<[u8]>);

impl Packed {
    pub(crate) fn pack(g: &Gathered) -> Packed {
        let mut out = vec![0u8];
        let mut flags = 0;
        if let Some(f) = &g.facts {
            flags |= FACTS;
            if let Some(elf) = &f.elf {
                flags |= ELF;
                if let Some(interp) = &elf.interp {
                    flags |= INTERP;
                    put_bytes(&mut out, interp.as_bytes());
                }
                if elf.dynamic {
                    flags |= DYNAMIC;
                }
                for list in [&elf.needed, &elf.runpath, &elf.rpath] {
                    put_list(&mut out, list);
                }
            }
            put_list(&mut out, &f.embedded);
            if f.names_zoneinfo {
                flags |= ZONEINFO;
            }
            if let Some(shebang) = &f.shebang {
                flags |= SHEBANG;
                put_bytes(&mut out, shebang);
            }
            if f.incomplete {
                flags |= INCOMPLETE;
            }
        }
        if let Some(text) = &g.text {
            flags |= TEXT;
            put_bytes(&mut out, text);
        }
        out[0] = flags;
        Packed(out.into_boxed_slice())
    }

    pub(crate) fn unpack(&self) -> Gathered {
        let Some((&flags, rest)) = self.0.split_first() else {
            return Gathered::default();
        };
        let mut r = Reader(rest);
        let has = |bit: u8| flags & bit != 0;
        let facts = has(FACTS).then(|| {
            let elf = has(ELF).then(|| ElfInfo {
                interp: has(INTERP).then(|| r.string()),
                needed: r.list(),
                runpath: r.list(),
                rpath: r.list(),
                dynamic: has(DYNAMIC),
            });
            Facts {
                elf,
                embedded: r.list(),
                names_zoneinfo: has(ZONEINFO),
                shebang: has(SHEBANG).then(|| r.bytes().to_vec()),
                incomplete: has(INCOMPLETE),
            }
        });
        let text = has(TEXT).then(|| r.bytes().to_vec());
        Gathered { facts, text }
    }
}

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_len(out, b.len());
    out.extend_from_slice(b);
}

fn put_list(out: &mut Vec<u8>, list: &[String]) {
    put_len(out, list.len());
    for s in list {
        put_bytes(out, s.as_bytes());
    }
}

/// Reads back what `pack` wrote. The bytes never leave this process, so a short read can only
/// be a bug here; it yields empty values rather than a panic.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn len(&mut self) -> usize {
        let mut n = 0usize;
        let mut shift = 0;
        while let Some((&b, rest)) = self.0.split_first() {
            self.0 = rest;
            n |= usize::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            shift += 7;
            if b < 0x80 {
                break;
            }
        }
        n
    }

    fn bytes(&mut self) -> &'a [u8] {
        let n = self.len().min(self.0.len());
        let (b, rest) = self.0.split_at(n);
        self.0 = rest;
        b
    }

    fn string(&mut self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }

    fn list(&mut self) -> Vec<String> {
        let n = self.len().min(self.0.len());
        (0..n).map(|_| self.string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn strings() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(".{0,200}", 0..6)
    }

    fn gathered() -> impl Strategy<Value = Gathered> {
        let elf = proptest::option::of(
            (
                proptest::option::of(".{0,40}"),
                strings(),
                strings(),
                strings(),
                any::<bool>(),
            )
                .prop_map(|(interp, needed, runpath, rpath, dynamic)| ElfInfo {
                    interp,
                    needed,
                    runpath,
                    rpath,
                    dynamic,
                }),
        );
        let facts = proptest::option::of(
            (
                elf,
                strings(),
                any::<bool>(),
                proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300)),
                any::<bool>(),
            )
                .prop_map(|(elf, embedded, names_zoneinfo, shebang, incomplete)| {
                    Facts {
                        elf,
                        embedded,
                        names_zoneinfo,
                        shebang,
                        incomplete,
                    }
                }),
        );
        let text = proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300));
        (facts, text).prop_map(|(facts, text)| Gathered { facts, text })
    }

    /// The fields that matter, compared one by one (the structs have no `PartialEq`).
    fn same(a: &Gathered, b: &Gathered) -> bool {
        let facts = match (&a.facts, &b.facts) {
            (None, None) => true,
            (Some(x), Some(y)) => {
                x.elf == y.elf
                    && x.embedded == y.embedded
                    && x.names_zoneinfo == y.names_zoneinfo
                    && x.shebang == y.shebang
                    && x.incomplete == y.incomplete
            }
            _ => false,
        };
        facts && a.text == b.text
    }

    proptest! {
        #[test]
        fn unpacks_to_what_was_packed(g in gathered()) {
            let back = Packed::pack(&g).unpack();
            prop_assert!(same(&g, &back), "{g:?} came back as {back:?}");
        }
    }

    #[test]
    fn a_typical_elf_file_packs_small() {
        let g = Gathered {
            facts: Some(Facts {
                elf: Some(ElfInfo {
                    interp: Some("/lib64/ld-linux-x86-64.so.2".into()),
                    needed: vec!["libc.so.6".into(), "libm.so.6".into()],
                    dynamic: true,
                    ..ElfInfo::default()
                }),
                ..Facts::default()
            }),
            text: None,
        };
        let packed = Packed::pack(&g);
        assert_eq!(packed.0.len(), 1 + 28 + 1 + 10 + 10 + 1 + 1 + 1);
        assert!(same(&g, &packed.unpack()));
    }
}
