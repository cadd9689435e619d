//! Tar member paths as bytes: cleaning (Go's `path.Clean`, which Docker's layer applier and dive
//! both use) and the OCI whiteout naming rules (image-spec `layer.md`, "Whiteouts").

/// Prefix of a whiteout file: `dir/.wh.name` deletes `dir/name` from lower layers.
pub const WHITEOUT_PREFIX: &[u8] = b".wh.";
/// Name of the opaque marker: `dir/.wh..wh..opq` hides everything below `dir` from lower layers.
pub const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";
/// Names starting with this are AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`), never real files.
pub const META_PREFIX: &[u8] = b".wh..wh.";

/// Lexical cleaning exactly as Go's `path.Clean`: collapse `//`, drop `.`, resolve `..` against the
/// preceding element, keep leading `..` of a relative path, and drop `..` at a rooted path's root.
/// Returns `.` for an empty result.
pub fn clean(path: &[u8]) -> Vec<u8> {
    let rooted = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    // How many leading `..` elements a relative path keeps (they cannot be resolved).
    let mut leading_dotdot = 0usize;
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.len() > leading_dotdot {
                    parts.pop();
                } else if !rooted {
                    parts.push(b"..");
                    leading_dotdot += 1;
                }
            }
            _ => parts.push(part),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    if rooted {
        out.push(b'/');
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// What a cleaned member path means for the merged filesystem.
#[derive(Debug, PartialEq, Eq)]
pub enum Relative<'a> {
    /// The image root itself (`/`, `.`, `./`).
    Root,
    /// A path inside the image, relative, without leading `/`.
    Inside(&'a [u8]),
    /// A path that climbs out of the image (`../etc/passwd`): never applied.
    Escapes,
}

/// Interpret a cleaned path relative to the image root. Absolute member names are taken as
/// relative to the root, as Docker's applier does.
pub fn relative(cleaned: &[u8]) -> Relative<'_> {
    let p = cleaned.strip_prefix(b"/").unwrap_or(cleaned);
    if p.is_empty() || p == b"." {
        Relative::Root
    } else if p == b".." || p.starts_with(b"../") {
        Relative::Escapes
    } else {
        Relative::Inside(p)
    }
}

/// Split a relative path into (parent, base name). The parent of a top-level name is empty.
pub fn split_parent(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&[], path),
    }
}

/// The whiteout meaning of a base name.
#[derive(Debug, PartialEq, Eq)]
pub enum Whiteout<'a> {
    /// Not a whiteout.
    No,
    /// `.wh.NAME`: delete the sibling `NAME`.
    Remove(&'a [u8]),
    /// `.wh..wh..opq`: the parent directory is opaque.
    Opaque,
    /// Other `.wh..wh.*` AUFS metadata: ignored.
    Meta,
}

/// Classify a base name.
pub fn whiteout(base: &[u8]) -> Whiteout<'_> {
    if base == OPAQUE_MARKER {
        Whiteout::Opaque
    } else if base.starts_with(META_PREFIX) {
        Whiteout::Meta
    } else if let Some(name) = base.strip_prefix(WHITEOUT_PREFIX) {
        if name.is_empty() {
            Whiteout::Meta
        } else {
            Whiteout::Remove(name)
        }
    } else {
        Whiteout::No
    }
}

/// Display bytes lossily (non-UTF-8 names stay bytes everywhere else).
pub fn display(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go_path_clean() {
        // Cases from Go's path/path_test.go.
        let cases: &[(&str, &str)] = &[
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("./", "."),
            ("/../", "/"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ];
        for (input, want) in cases {
            assert_eq!(display(&clean(input.as_bytes())), *want, "clean({input:?})");
        }
    }

    #[test]
    fn relative_never_escapes() {
        assert_eq!(relative(b"/"), Relative::Root);
        assert_eq!(relative(b"."), Relative::Root);
        assert_eq!(relative(b"/etc/passwd"), Relative::Inside(b"etc/passwd"));
        assert_eq!(relative(b"../etc/passwd"), Relative::Escapes);
        assert_eq!(relative(b".."), Relative::Escapes);
        assert_eq!(relative(b"..foo"), Relative::Inside(b"..foo"));
    }

    #[test]
    fn whiteout_names() {
        assert_eq!(whiteout(b".wh.foo"), Whiteout::Remove(b"foo"));
        assert_eq!(whiteout(b".wh..wh..opq"), Whiteout::Opaque);
        assert_eq!(whiteout(b".wh..wh.plnk"), Whiteout::Meta);
        assert_eq!(whiteout(b"foo.wh.bar"), Whiteout::No);
        assert_eq!(split_parent(b"a/b/c"), (&b"a/b"[..], &b"c"[..]));
        assert_eq!(split_parent(b"c"), (&b""[..], &b"c"[..]));
    }
}
