//! What the image runs: the entrypoint resolved from the config (ENTRYPOINT, CMD, WORKDIR, PATH,
//! symlinks inside the image), and its runtime closure — the files the dynamic loader or the
//! script interpreter really needs. Proposals copy exactly this closure; rules never propose
//! removing a file in it.

pub(crate) mod elf;
pub(crate) mod fs;
pub(crate) mod probe;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::archive::RunConfig;
use crate::tree::NodeId;
use fs::{Fs, join};

/// Default search path when the config has no `PATH` (Docker's default).
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Directories the glibc and musl loaders search after `ld.so.conf` (with Debian's multiarch
/// directories, which its `ld.so` also trusts without a cache).
const DEFAULT_LIB_DIRS: &[&str] = &[
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
    "/usr/local/lib",
];

/// How the entrypoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecKind {
    /// A statically linked ELF executable.
    StaticElf,
    /// A dynamically linked ELF executable.
    DynamicElf,
    /// A script run by the interpreter on its `#!` line.
    Script,
    /// The program is not in the image, or its contents could not be read.
    Unknown,
}

/// One file of the runtime closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureFile {
    /// The path the program or loader names (`/lib64/ld-linux-x86-64.so.2`).
    pub path: String,
    /// The file it resolves to after symlinks.
    pub resolved: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Layer that wrote the resolved file.
    pub layer: usize,
    /// Why it is needed (`entrypoint`, `interpreter`, `DT_NEEDED libc.so.6`, …).
    pub reason: String,
}

/// The resolved entrypoint and its runtime closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exec {
    /// The full command line (ENTRYPOINT + CMD).
    pub argv: Vec<String>,
    /// The program the kernel executes, as named (after `sh -c` unwrapping).
    pub program: Option<String>,
    /// Its resolved path inside the image.
    pub resolved: Option<String>,
    /// What it is.
    pub kind: ExecKind,
    /// Files it needs at run time, the program first.
    pub closure: Vec<ClosureFile>,
    /// Libraries named but not found in the image.
    pub missing: Vec<String>,
    /// Arguments that are files inside the image (`server.js`).
    pub file_args: Vec<String>,
    /// The app's own closure file that names `zoneinfo` (a Go binary, a script importing
    /// `zoneinfo`/`pytz`), when one does: the app reads tzdata. libc's own mentions don't count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoneinfo_named_by: Option<String>,
}

impl Exec {
    /// Bytes of every distinct file in the closure.
    pub fn closure_bytes(&self) -> u64 {
        let mut seen = BTreeSet::new();
        self.closure
            .iter()
            .filter(|c| seen.insert(c.resolved.clone()))
            .map(|c| c.bytes)
            .sum()
    }
}

fn env_path(config: &RunConfig) -> String {
    config
        .env
        .iter()
        .flatten()
        .find_map(|e| e.strip_prefix("PATH=").map(str::to_string))
        .unwrap_or_else(|| DEFAULT_PATH.to_string())
}

/// The program of a command line: `sh -c "exec foo --x"` runs `foo`.
fn program_of(argv: &[String]) -> Option<String> {
    let first = argv.first()?;
    let base = first.rsplit('/').next().unwrap_or(first);
    if matches!(base, "sh" | "bash" | "dash" | "ash") && argv.get(1).is_some_and(|a| a == "-c") {
        if let Some(script) = argv.get(2) {
            let mut words = script
                .split_whitespace()
                .skip_while(|w| *w == "exec" || w.contains('='));
            if let Some(w) = words.next() {
                return Some(w.to_string());
            }
        }
    }
    Some(first.clone())
}

/// Resolve ENTRYPOINT/CMD and compute the runtime closure.
pub(crate) fn resolve(fs: &Fs<'_>, config: &RunConfig) -> Exec {
    let mut argv: Vec<String> = config.entrypoint.clone().unwrap_or_default();
    argv.extend(config.cmd.clone().unwrap_or_default());
    let workdir = config
        .working_dir
        .clone()
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "/".into());
    let path_env = env_path(config);
    let program = program_of(&argv);
    let mut exec = Exec {
        argv: argv.clone(),
        program: program.clone(),
        resolved: None,
        kind: ExecKind::Unknown,
        closure: Vec::new(),
        missing: Vec::new(),
        file_args: Vec::new(),
        zoneinfo_named_by: None,
    };
    let Some(program) = program else {
        return exec;
    };
    let found = find_program(fs, &program, &workdir, &path_env);
    let Some((named, r)) = found else {
        exec.missing.push(program);
        return exec;
    };
    exec.resolved = Some(r.path.clone());
    let mut walker = Walker {
        fs,
        seen: BTreeSet::new(),
        exec: &mut exec,
        path_env: &path_env,
        conf: None,
    };
    let kind = walker.walk(&named, &r);
    exec.kind = kind;
    // Arguments naming files (server.js, app.py) belong to the app.
    for a in argv.iter().skip(1) {
        if a.starts_with('-') || a.contains('=') {
            continue;
        }
        let p = join(&workdir, a);
        if let Some(f) = fs.resolve(&p) {
            exec.file_args.push(f.path);
        }
    }
    exec
}

fn find_program(
    fs: &Fs<'_>,
    program: &str,
    workdir: &str,
    path_env: &str,
) -> Option<(String, fs::Resolved)> {
    if program.contains('/') {
        let p = join(workdir, program);
        return fs.resolve(&p).map(|r| (p, r));
    }
    path_env.split(':').filter(|d| !d.is_empty()).find_map(|d| {
        let p = join(d, program);
        fs.resolve(&p).map(|r| (p, r))
    })
}

struct Walker<'a, 'f> {
    fs: &'a Fs<'f>,
    seen: BTreeSet<NodeId>,
    exec: &'a mut Exec,
    path_env: &'a str,
    /// `ld.so.conf` directories, read once on first need.
    conf: Option<Vec<String>>,
}

impl Walker<'_, '_> {
    fn push(&mut self, named: &str, r: &fs::Resolved, reason: &str) -> bool {
        if self.seen.contains(&r.node) {
            return false;
        }
        let layer = self
            .fs
            .tree
            .live_final(r.node)
            .map_or(0, |v| usize::from(v.layer));
        self.exec.closure.push(ClosureFile {
            path: named.to_string(),
            resolved: r.path.clone(),
            bytes: r.size,
            layer,
            reason: reason.to_string(),
        });
        self.seen.insert(r.node)
    }

    /// Walk the closure breadth-first from the entrypoint: each level's files are read in one
    /// batch (one pass per compressed layer), then parsed for what they need next. Returns what
    /// kind of executable the entrypoint is.
    fn walk(&mut self, named: &str, r: &fs::Resolved) -> ExecKind {
        let mut level = vec![(named.to_string(), r.clone(), "entrypoint".to_string())];
        let mut kind = None;
        for _depth in 0..16 {
            let fresh: Vec<(String, fs::Resolved)> = level
                .into_iter()
                .filter_map(|(n, r, why)| self.push(&n, &r, &why).then_some((n, r)))
                .collect();
            if fresh.is_empty() {
                break;
            }
            let mut next = Vec::new();
            for (n, r) in &fresh {
                let k = self.expand(n, r, &mut next);
                kind.get_or_insert(k);
            }
            level = next;
        }
        kind.unwrap_or(ExecKind::Unknown)
    }

    /// Read one file and queue what it needs; returns what kind of executable it is.
    fn expand(
        &mut self,
        _named: &str,
        r: &fs::Resolved,
        next: &mut Vec<(String, fs::Resolved, String)>,
    ) -> ExecKind {
        let Some(facts) = r.content.and_then(|c| (self.fs.facts)(c)) else {
            return ExecKind::Unknown;
        };
        let from = r.path.rsplit('/').next().unwrap_or("").to_string();
        if self.exec.zoneinfo_named_by.is_none()
            && !names_zoneinfo_on_demand(&r.path)
            && facts.names_zoneinfo
        {
            self.exec.zoneinfo_named_by = Some(from.clone());
        }
        if let Some(info) = &facts.elf {
            let data_files = if is_libc(&r.path) {
                Vec::new()
            } else {
                facts.embedded.clone()
            };
            // Data files the binary names by absolute path (Debian's libnode loads its
            // externalised builtins from /usr/share/nodejs/…): needed at run time like a library.
            for p in data_files {
                if let Some(dr) = self.fs.resolve(&p) {
                    self.push(&p, &dr, &format!("path named in {from}"));
                }
            }
            let origin = r.path.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
            if let Some(interp) = &info.interp {
                match self.fs.resolve(interp) {
                    Some(ir) => {
                        self.push(interp, &ir, "PT_INTERP");
                    }
                    None => self.exec.missing.push(interp.clone()),
                }
            }
            let dirs = self.search_dirs(info, &origin);
            for lib in &info.needed {
                let hit = if lib.contains('/') {
                    self.fs
                        .resolve(&join(&origin, lib))
                        .map(|x| (lib.clone(), x))
                } else {
                    dirs.iter().find_map(|d| {
                        let p = join(d, lib);
                        self.fs.resolve(&p).map(|x| (p, x))
                    })
                };
                match hit {
                    Some((p, lr)) => {
                        if !self.seen.contains(&lr.node) {
                            next.push((p, lr, format!("DT_NEEDED {lib}")));
                        }
                    }
                    None => {
                        if !self.exec.missing.contains(lib) {
                            self.exec.missing.push(lib.clone());
                        }
                    }
                }
            }
            return if info.is_static() {
                ExecKind::StaticElf
            } else {
                ExecKind::DynamicElf
            };
        }
        if let Some(line) = &facts.shebang {
            let line = String::from_utf8_lossy(line).into_owned();
            let mut words = line.split_whitespace();
            let Some(mut interp) = words.next().map(str::to_string) else {
                return ExecKind::Script;
            };
            // `#!/usr/bin/env node`: env finds the runtime on PATH.
            if interp.ends_with("/env") {
                if let Some(er) = self.fs.resolve(&interp) {
                    next.push((interp.clone(), er, "shebang env".into()));
                }
                match words.find(|w| !w.starts_with('-')) {
                    Some(w) => interp = w.to_string(),
                    None => return ExecKind::Script,
                }
            }
            match find_program(self.fs, &interp, "/", self.path_env) {
                Some((p, ir)) => next.push((p, ir, "shebang interpreter".into())),
                None => self.exec.missing.push(interp),
            }
            return ExecKind::Script;
        }
        ExecKind::Unknown
    }

    /// RUNPATH (or RPATH when there is none), then ld.so.conf, then the default directories.
    fn search_dirs(&mut self, info: &elf::ElfInfo, origin: &str) -> Vec<String> {
        let mut dirs: Vec<String> = Vec::new();
        let own = if info.runpath.is_empty() {
            &info.rpath
        } else {
            &info.runpath
        };
        for d in own {
            dirs.push(d.replace("${ORIGIN}", origin).replace("$ORIGIN", origin));
        }
        let fs = self.fs;
        dirs.extend(
            self.conf
                .get_or_insert_with(|| ld_so_conf(fs))
                .iter()
                .cloned(),
        );
        dirs.extend(DEFAULT_LIB_DIRS.iter().map(|d| (*d).to_string()));
        dirs
    }
}

/// glibc's own objects name /usr/share/zoneinfo, locale and gconv paths that are used only on
/// demand; scanning them would put tzdata in every closure.
fn is_libc(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    [
        "libc.so",
        "ld-linux",
        "ld-musl",
        "libm.so",
        "libpthread",
        "libdl.so",
        "librt.so",
        "libresolv",
        "libnss_",
        "libc.musl",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// System libraries that name zoneinfo for on-demand use whatever the app does: libc, and
/// libstdc++ (`std::chrono::tzdb`), libgcc and ICU.
fn names_zoneinfo_on_demand(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    is_libc(path)
        || ["libstdc++", "libgcc_s", "libicu"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// Substring search (SIMD memmem: closure files are scanned whole, tens of megabytes each).
fn find(data: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(data, needle)
}

/// The NUL-delimited strings naming `zoneinfo` that a statically linked glibc or musl carries.
const LIBC_ZONEINFO: &[&[u8]] = &[
    b"/usr/share/zoneinfo",
    b"/usr/share/zoneinfo/",
    b"/share/zoneinfo/",
    b"/etc/zoneinfo/",
];

/// Bytes a path embedded in a binary is made of.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"/._+-".contains(&b)
}

/// Whether a file names `zoneinfo` other than as a statically linked libc does: glibc's
/// NUL-terminated TZDIR `/usr/share/zoneinfo`, musl's `/usr/share/zoneinfo/`,
/// `/share/zoneinfo/` and `/etc/zoneinfo/`. Go packs its strings without NULs, so its
/// `/usr/share/zoneinfo/` counts.
fn names_zoneinfo(data: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"zoneinfo";
    let mut i = 0;
    while let Some(off) = find(&data[i..], NEEDLE) {
        let at = i + off;
        let start = data[..at]
            .iter()
            .rposition(|&b| b == 0)
            .map_or(0, |p| p + 1);
        let end = data[at..].iter().position(|&b| b == 0).map(|n| at + n);
        let libc = end.is_some_and(|e| start > 0 && LIBC_ZONEINFO.contains(&&data[start..e]));
        if !libc {
            return true;
        }
        i = at + NEEDLE.len();
    }
    false
}

/// What closure resolution needs to know of one file's bytes. Gathered while the bytes pass
/// during the layer scan ([`probe`]), then the bytes are dropped: a closure can name libraries
/// of tens of megabytes, and holding them made the analysis' memory grow with image bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// Loader facts, for an ELF file.
    pub elf: Option<elf::ElfInfo>,
    /// `/usr/share/…` files an ELF file names by absolute path.
    pub embedded: Vec<String>,
    /// It names tzdata (see [`names_zoneinfo`]), or is a script mentioning `pytz`.
    pub names_zoneinfo: bool,
    /// The first line after `#!`, for a script.
    pub shebang: Option<Vec<u8>>,
    /// Gathered from a stream that did not keep everything the loader reads (a string table
    /// reference no kept string covers, program headers after the data): `elf` must be read
    /// again by offset (`elf::parse_by_reads`).
    pub incomplete: bool,
}

impl Facts {
    /// The facts of a whole file's bytes.
    pub(crate) fn of(data: &[u8]) -> Facts {
        let elf = elf::parse(data);
        let script = data.starts_with(b"#!");
        Facts {
            embedded: if elf.is_some() {
                embedded_paths(data)
            } else {
                Vec::new()
            },
            names_zoneinfo: names_zoneinfo(data) || (script && find(data, b"pytz").is_some()),
            shebang: data.strip_prefix(b"#!").map(|rest| {
                rest.split(|&b| b == b'\n')
                    .next()
                    .unwrap_or_default()
                    .to_vec()
            }),
            elf,
            incomplete: false,
        }
    }

    /// Whether a file starting with `head` can have any facts (ELF or `#!` script).
    pub(crate) fn worth_reading(head: &[u8]) -> bool {
        elf::is_elf(head) || head.starts_with(b"#!")
    }
}

/// Most `/usr/share/…` paths kept from one binary.
const EMBEDDED_MAX: usize = 64;

/// Absolute paths under /usr/share/ spelled out in a binary (NUL-terminated strings), at most
/// [`EMBEDDED_MAX`].
fn embedded_paths(data: &[u8]) -> Vec<String> {
    const NEEDLE: &[u8] = b"/usr/share/";
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i + NEEDLE.len() <= data.len() && out.len() < EMBEDDED_MAX {
        let Some(off) = find(&data[i..], NEEDLE) else {
            break;
        };
        let start = i + off;
        let end = data[start..]
            .iter()
            .position(|&b| !is_path_byte(b))
            .map_or(data.len(), |n| start + n);
        // A whole string (preceded by NUL or start) that names a file with an extension.
        let whole = start == 0 || data[start - 1] == 0;
        let path = String::from_utf8_lossy(&data[start..end]).into_owned();
        let file = path.rsplit('/').next().is_some_and(|n| n.contains('.'));
        if whole && file && data.get(end).is_none_or(|&b| b == 0) && !out.contains(&path) {
            out.push(path);
        }
        i = end.max(start + 1);
    }
    out
}

/// Directories listed in `/etc/ld.so.conf`, following `include` globs of the form `dir/*.conf`
/// (the only form distributions use).
fn ld_so_conf(fs: &Fs<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut files = vec!["/etc/ld.so.conf".to_string()];
    let mut done = BTreeSet::new();
    while let Some(f) = files.pop() {
        if !done.insert(f.clone()) || done.len() > 64 {
            continue;
        }
        let Some(text) = fs.read_text(&f) else {
            continue;
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if let Some(pat) = line.strip_prefix("include") {
                let pat = pat.trim();
                let pat = join("/etc", pat);
                if let Some((dir, glob)) = pat.rsplit_once('/') {
                    let suffix = glob.strip_prefix('*').unwrap_or(glob);
                    if let Some(d) = fs.dir_node(dir) {
                        let mut names: Vec<String> = fs
                            .tree
                            .children(d)
                            .iter()
                            .filter(|&&c| fs.tree.live_final(c).is_some())
                            .map(|&c| String::from_utf8_lossy(fs.tree.name(c)).into_owned())
                            .filter(|n| n.ends_with(suffix) || (glob == suffix && n == glob))
                            .collect();
                        names.sort();
                        files.extend(names.into_iter().rev().map(|n| join(dir, &n)));
                    }
                }
            } else if line.starts_with('/') {
                out.push(line.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ExecKind;
    use super::elf::build;
    use crate::rules::testing::{analyze_as, analyze_image, analyze_streamed};
    use imgslim_tests::{Compression, Content, Entry, Flavour, Image, Layer};

    fn exe(path: &str, data: Vec<u8>) -> Entry {
        Entry::file_with(path, Content::Bytes(data), 0o755)
    }

    /// A Debian-like base: merged /usr, the loader behind /lib64, libc in the multiarch dir,
    /// and a library directory only ld.so.conf.d names.
    fn base() -> Layer {
        Layer::new(
            "ADD rootfs /",
            vec![
                Entry::symlink("lib", "usr/lib"),
                Entry::symlink("bin", "usr/bin"),
                Entry::dir("lib64"),
                Entry::symlink(
                    "lib64/ld-linux-x86-64.so.2",
                    "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                ),
                exe(
                    "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                    build(None, &[], None),
                ),
                exe(
                    "usr/lib/x86_64-linux-gnu/libc.so.6",
                    build(Some("/lib64/ld-linux-x86-64.so.2"), &[], None),
                ),
                Entry::file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n"),
                Entry::file("etc/ld.so.conf.d/extra.conf", "# extra\n/opt/extra/lib\n"),
                exe(
                    "opt/extra/lib/libextra.so.1",
                    build(None, &["libc.so.6"], None),
                ),
                exe("usr/bin/sh", b"#!/bin/true\n".to_vec()),
            ],
        )
    }

    #[test]
    fn dynamic_closure_through_symlinks_runpath_and_ld_so_conf() {
        let mut image = Image::new(vec![
            base(),
            Layer::new(
                "COPY app /app",
                vec![
                    exe(
                        "app/bin/server",
                        build(
                            Some("/lib64/ld-linux-x86-64.so.2"),
                            &["libown.so", "libextra.so.1", "libc.so.6"],
                            Some("$ORIGIN/../lib"),
                        ),
                    ),
                    exe("app/lib/libown.so", build(None, &["libc.so.6"], None)),
                    Entry::file("app/config.json", "{}"),
                ],
            ),
        ]);
        image.config.working_dir = Some("/app".into());
        image.config.entrypoint = Some(vec!["bin/server".into()]);
        image.config.cmd = Some(vec!["--config".into(), "config.json".into()]);
        let a = analyze_image(&image);
        let e = a.exec.expect("resolved");
        assert_eq!(e.kind, ExecKind::DynamicElf);
        assert_eq!(e.resolved.as_deref(), Some("/app/bin/server"));
        let resolved: Vec<&str> = e.closure.iter().map(|c| c.resolved.as_str()).collect();
        assert_eq!(
            resolved,
            [
                "/app/bin/server",
                "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "/app/lib/libown.so",
                "/opt/extra/lib/libextra.so.1",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
            ]
        );
        assert!(e.missing.is_empty(), "{:?}", e.missing);
        assert_eq!(e.file_args, ["/app/config.json"]);
    }

    #[test]
    fn every_flavour_and_a_stream_give_the_same_closure() {
        // A server larger than what probes keep whole, with its string table past the head:
        // read by offset from plain layers, probed during the scan of compressed ones and of a
        // stream (where ld.so.conf can only come from what the scan kept).
        let mut image = Image::new(vec![
            base(),
            Layer::new(
                "COPY app /app",
                vec![exe(
                    "app/server",
                    super::elf::build_padded(
                        Some("/lib64/ld-linux-x86-64.so.2"),
                        &["libextra.so.1", "libc.so.6"],
                        None,
                        3 << 19,
                        b"\0/usr/share/zoneinfo/UTC\0",
                    ),
                )],
            ),
        ]);
        image.config.entrypoint = Some(vec!["/app/server".into()]);
        let plain = analyze_image(&image).exec.expect("resolved");
        let resolved: Vec<&str> = plain.closure.iter().map(|c| c.resolved.as_str()).collect();
        assert_eq!(
            resolved,
            [
                "/app/server",
                "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "/opt/extra/lib/libextra.so.1",
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
            ]
        );
        assert_eq!(plain.zoneinfo_named_by.as_deref(), Some("server"));
        for flavour in [
            Flavour::ContainerdZstd,
            Flavour::OciArchive(Compression::Gzip),
        ] {
            let e = analyze_as(&image, flavour).exec.expect("resolved");
            assert_eq!(e, plain, "{flavour:?}");
        }
        assert_eq!(analyze_streamed(&image).exec, Some(plain));
    }

    #[test]
    fn program_headers_at_the_end_are_read_by_offset() {
        // A stream cannot tell where the string table is until the program headers, at the
        // very end, have passed: the closure step reads the few pieces it needs by offset.
        let server = super::elf::headers_at_end(super::elf::build_padded(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libextra.so.1", "libc.so.6"],
            None,
            3 << 19,
            b"",
        ));
        let mut image = Image::new(vec![
            base(),
            Layer::new("COPY app /app", vec![exe("app/server", server)]),
        ]);
        image.config.entrypoint = Some(vec!["/app/server".into()]);
        for flavour in [Flavour::DockerPodman, Flavour::ContainerdZstd] {
            let e = analyze_as(&image, flavour).exec.expect("resolved");
            assert_eq!(e.kind, ExecKind::DynamicElf, "{flavour:?}");
            let resolved: Vec<&str> = e.closure.iter().map(|c| c.resolved.as_str()).collect();
            assert!(
                resolved.contains(&"/opt/extra/lib/libextra.so.1"),
                "{flavour:?}: {resolved:?}"
            );
        }
    }

    #[test]
    fn static_binaries_and_scripts() {
        let mut image = Image::new(vec![Layer::new(
            "COPY hello /hello",
            vec![exe("hello", build(None, &[], None))],
        )]);
        image.config.entrypoint = Some(vec!["/hello".into()]);
        let e = analyze_image(&image).exec.expect("resolved");
        assert_eq!(e.kind, ExecKind::StaticElf);
        assert_eq!(e.closure.len(), 1);

        let mut image = Image::new(vec![
            base(),
            Layer::new(
                "COPY run.sh /usr/local/bin/",
                vec![
                    exe(
                        "usr/local/bin/run.sh",
                        b"#!/usr/bin/env python3\nprint(1)\n".to_vec(),
                    ),
                    exe(
                        "usr/bin/env",
                        build(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None),
                    ),
                    exe(
                        "usr/bin/python3",
                        build(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None),
                    ),
                ],
            ),
        ]);
        image.config.cmd = Some(vec![
            "/bin/sh".into(),
            "-c".into(),
            "exec run.sh --x".into(),
        ]);
        let e = analyze_image(&image).exec.expect("resolved");
        assert_eq!(e.program.as_deref(), Some("run.sh"));
        assert_eq!(e.kind, ExecKind::Script);
        let resolved: Vec<&str> = e.closure.iter().map(|c| c.resolved.as_str()).collect();
        assert!(resolved.contains(&"/usr/bin/python3"), "{resolved:?}");
        assert!(resolved.contains(&"/usr/lib/x86_64-linux-gnu/libc.so.6"));
    }

    #[test]
    fn embedded_data_paths() {
        let data = b"\x7fELF\0/usr/share/nodejs/acorn/dist/acorn.js\0x/usr/share/no.js\0/usr/share/nodejs\0";
        assert_eq!(
            super::embedded_paths(data),
            ["/usr/share/nodejs/acorn/dist/acorn.js"]
        );
        assert!(super::is_libc("/usr/lib/x86_64-linux-gnu/libc.so.6"));
    }

    #[test]
    fn zoneinfo_named_by_the_app_not_by_a_static_libc() {
        // glibc's TZDIR and musl's search list, linked statically into a C program.
        assert!(!super::names_zoneinfo(
            b"\x7fELF\0/usr/share/zoneinfo\0posixrules\0"
        ));
        assert!(!super::names_zoneinfo(
            b"\x7fELF\0/usr/share/zoneinfo/\0/share/zoneinfo/\0/etc/zoneinfo/\0"
        ));
        // Go's packed literals, an app's own path, a Python script.
        assert!(super::names_zoneinfo(
            b"\x7fELF\0abc/usr/share/zoneinfo//etc/zoneinfo"
        ));
        assert!(super::names_zoneinfo(
            b"\x7fELF\0/usr/share/zoneinfo/Europe/Paris\0"
        ));
        assert!(super::names_zoneinfo(
            b"#!/usr/bin/python3\nimport zoneinfo\n"
        ));
        assert!(!super::names_zoneinfo(b"#!/bin/sh\nexec app\n"));
        assert!(super::names_zoneinfo_on_demand(
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30"
        ));
    }

    #[test]
    fn a_missing_library_is_reported() {
        let mut image = Image::new(vec![
            base(),
            Layer::new(
                "COPY app /app",
                vec![exe(
                    "app",
                    build(Some("/lib64/ld-linux-x86-64.so.2"), &["libgone.so.3"], None),
                )],
            ),
        ]);
        image.config.cmd = Some(vec!["/app".into()]);
        let e = analyze_image(&image).exec.expect("resolved");
        assert_eq!(e.missing, ["libgone.so.3"]);
    }
}
