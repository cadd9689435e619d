//! `IS1xx`: build toolchains left in a runtime image.

use super::paths::{base, dir_named, first_components, in_dir_with_prefix, under_any};
use super::{Check, Rule, RuleDoc};
use crate::report::findings::Severity;
use crate::tree::Version;

const BIN_DIRS: &[&str] = &["/usr/bin", "/usr/local/bin", "/bin"];

/// Exact names of compiler drivers and binutils programs.
const C_TOOLS: &[&str] = &[
    "cc",
    "c++",
    "c89",
    "c99",
    "c89-gcc",
    "c99-gcc",
    "cpp",
    "gcc",
    "g++",
    "ld",
    "ld.bfd",
    "ld.gold",
    "gold",
    "as",
    "ar",
    "ranlib",
    "nm",
    "objdump",
    "objcopy",
    "strip",
    "readelf",
    "size",
    "strings",
    "addr2line",
    "c++filt",
    "elfedit",
    "gprof",
    "gprofng",
    "dwp",
    "lto-dump",
    "gcov",
    "gcov-dump",
    "gcov-tool",
];
/// Prefixes of versioned and cross-prefixed compiler drivers.
const C_TOOL_PREFIXES: &[&str] = &[
    "gcc-",
    "g++-",
    "cpp-",
    "gcov-",
    "lto-dump-",
    "x86_64-linux-gnu-",
    "aarch64-linux-gnu-",
    "arm-linux-gnueabihf-",
    "clang",
    "lld",
    "llvm-",
];
/// Libraries only the compiler and binutils load (gcc's own sanitizer runtimes included).
const C_TOOL_LIBS: &[&str] = &[
    "libbfd-",
    "libopcodes-",
    "libctf",
    "libsframe",
    "libgprofng",
    "libisl",
    "libmpc.",
    "libmpfr.",
    "libasan",
    "libtsan",
    "liblsan",
    "libubsan",
    "libhwasan",
    "libitm",
    "libcc1",
];
const LIB_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib",
    "/usr/lib64",
];

fn c_toolchain(p: &str, _: &Version) -> Option<String> {
    if let Some(d) = under_any(
        p,
        &[
            "/usr/lib/gcc",
            "/usr/libexec/gcc",
            "/usr/lib/gcc-cross",
            "/usr/lib/bfd-plugins",
        ],
    ) {
        return Some(d);
    }
    if p.starts_with("/usr/lib/llvm-") {
        return Some(first_components(p, 3));
    }
    let name = base(p);
    for d in BIN_DIRS {
        if in_dir_with_prefix(p, d, C_TOOL_PREFIXES)
            || (in_dir_with_prefix(p, d, &[name]) && C_TOOLS.contains(&name))
        {
            return Some(p.to_string());
        }
    }
    LIB_DIRS
        .iter()
        .any(|d| in_dir_with_prefix(p, d, C_TOOL_LIBS))
        .then(|| p.to_string())
}

const BUILD_TOOLS: &[&str] = &[
    "make",
    "gmake",
    "cmake",
    "ctest",
    "cpack",
    "ccmake",
    "ninja",
    "autoconf",
    "autoheader",
    "autoreconf",
    "automake",
    "aclocal",
    "libtool",
    "libtoolize",
    "m4",
    "bison",
    "yacc",
    "flex",
    "meson",
    "scons",
    "bazel",
];

fn build_tools(p: &str, _: &Version) -> Option<String> {
    let name = base(p);
    if BUILD_TOOLS.contains(&name) && BIN_DIRS.iter().any(|d| in_dir_with_prefix(p, d, &[name])) {
        return Some(p.to_string());
    }
    for prefix in [
        "/usr/share/cmake",
        "/usr/share/automake",
        "/usr/share/autoconf",
        "/usr/share/libtool",
        "/usr/local/share/cmake",
    ] {
        if let Some(rest) = p.strip_prefix(prefix) {
            let end = rest.find('/').map_or(p.len(), |i| prefix.len() + i);
            return Some(p[..end].to_string());
        }
    }
    None
}

fn go_toolchain(p: &str, _: &Version) -> Option<String> {
    if let Some(d) = under_any(p, &["/usr/local/go", "/usr/lib/go", "/usr/share/go"]) {
        return Some(d);
    }
    for prefix in ["/usr/lib/go-", "/usr/share/go-"] {
        if let Some(rest) = p.strip_prefix(prefix) {
            let end = rest.find('/').map_or(p.len(), |i| prefix.len() + i);
            return Some(p[..end].to_string());
        }
    }
    None
}

fn rust_toolchain(p: &str, _: &Version) -> Option<String> {
    dir_named(p, &[".rustup"])
        .or_else(|| {
            under_any(
                p,
                &[
                    "/usr/local/rustup",
                    "/usr/local/cargo/bin",
                    "/usr/lib/rustlib",
                    "/usr/local/lib/rustlib",
                ],
            )
        })
        .or_else(|| dir_named(p, &[".cargo", "bin"]))
        .or_else(|| {
            (["/usr/bin/rustc", "/usr/bin/cargo", "/usr/bin/rustdoc"].contains(&p))
                .then(|| p.to_string())
        })
}

const JDK_ONLY_BINS: &[&str] = &[
    "javac",
    "jar",
    "jarsigner",
    "javadoc",
    "javap",
    "jdb",
    "jdeps",
    "jdeprscan",
    "jlink",
    "jmod",
    "jpackage",
    "jshell",
    "jhsdb",
    "jconsole",
    "jcmd",
    "jinfo",
    "jmap",
    "jps",
    "jstack",
    "jstat",
    "jstatd",
    "jimage",
    "serialver",
    "jfr",
    "rmic",
];

fn jdk(p: &str, _: &Version) -> Option<String> {
    let in_java = p.starts_with("/usr/lib/jvm/")
        || p.starts_with("/opt/java/")
        || p.contains("/openjdk")
        || p.contains("/jdk");
    if !in_java {
        return None;
    }
    for marker in ["/jmods/", "/include/", "/demo/", "/sample/"] {
        if let Some(i) = p.find(marker) {
            return Some(p[..i + marker.len() - 1].to_string());
        }
    }
    if p.ends_with("/lib/src.zip") || p.ends_with("/lib/ct.sym") {
        return Some(p.to_string());
    }
    let name = base(p);
    (p.ends_with(&format!("/bin/{name}")) && JDK_ONLY_BINS.contains(&name)).then(|| p.to_string())
}

fn native_addon_build(p: &str, _: &Version) -> Option<String> {
    if let Some(rest) = p.strip_prefix("/usr/include/") {
        let top = rest.split('/').next().unwrap_or("");
        if top.starts_with("python") || top == "node" || top == "nodejs" {
            return Some(format!("/usr/include/{top}"));
        }
    }
    if let Some(rest) = p.strip_prefix("/usr/local/include/") {
        let top = rest.split('/').next().unwrap_or("");
        if top.starts_with("python") || top == "node" {
            return Some(format!("/usr/local/include/{top}"));
        }
    }
    // libpython3.x.a and the Makefile python-config reads: python3-dev.
    if (p.starts_with("/usr/lib/python3") || p.starts_with("/usr/local/lib/python3"))
        && p.contains("/config-3")
    {
        let i = p.find("/config-3")?;
        let end = p[i + 1..].find('/').map_or(p.len(), |j| i + 1 + j);
        return Some(p[..end].to_string());
    }
    under_any(
        p,
        &[
            "/usr/share/nodejs/node-gyp",
            "/usr/lib/node_modules/node-gyp",
        ],
    )
    .or_else(|| dir_named(p, &[".cache", "node-gyp"]))
    .or_else(|| dir_named(p, &["node_modules", "node-gyp"]))
}

fn cuda_toolkit(p: &str, _: &Version) -> Option<String> {
    if !p.starts_with("/usr/local/cuda") {
        return None;
    }
    let root = first_components(p, 3);
    let rest = &p[root.len()..];
    for sub in [
        "/bin/",
        "/nvvm/",
        "/include/",
        "/nsight",
        "/compute-sanitizer/",
        "/extras/",
        "/libnvvp/",
        "/tools/",
    ] {
        if rest.starts_with(sub) {
            return Some(format!("{root}{}", sub.trim_end_matches('/')));
        }
    }
    if rest.contains("/include/") {
        return Some(format!("{root}/targets"));
    }
    p.ends_with(".a").then(|| p.to_string())
}

/// The toolchain rules.
pub(crate) static RULES: &[Rule] = &[
    Rule {
        doc: RuleDoc {
            code: "IS101",
            name: "c-toolchain",
            family: "toolchains",
            severity: Severity::High,
            what: "A C/C++ compiler or binutils in the final image: gcc, g++, cc1, clang, ld, as, ar and the libraries only they load (libbfd, libisl, libmpc, sanitizer runtimes).",
            why: "The compiler is needed to build the program, not to run it. gcc with libc6-dev is about 300 MB on Debian; it also hands an attacker a compiler.",
            example: "FROM debian:12\nRUN apt-get update && apt-get install -y gcc libc6-dev\nCOPY hello.c .\nRUN gcc -o hello hello.c\nCMD [\"./hello\"]",
            instead: "Build in a separate stage and copy only the binary (and the libraries it needs):\n\nFROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc libc6-dev\nCOPY hello.c .\nRUN gcc -o hello hello.c\n\nFROM debian:12-slim\nCOPY --from=build /hello /usr/local/bin/hello\nCMD [\"hello\"]",
        },
        check: Check::Path {
            matcher: c_toolchain,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS102",
            name: "build-tools",
            family: "toolchains",
            severity: Severity::Medium,
            what: "Build drivers in the final image: make, cmake, ninja, autotools, bison/flex, meson.",
            why: "They run at build time only; cmake alone is 30–50 MB.",
            example: "RUN apt-get install -y cmake make && cmake . && make",
            instead: "Run the build in a builder stage and `COPY --from=build` the result.",
        },
        check: Check::Path {
            matcher: build_tools,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS103",
            name: "go-toolchain",
            family: "toolchains",
            severity: Severity::High,
            what: "The Go toolchain (GOROOT: /usr/local/go, /usr/lib/go-1.x) in the final image.",
            why: "A Go binary needs no toolchain at run time; GOROOT is 200–500 MB.",
            example: "FROM golang:1.22\nCOPY . .\nRUN go build -o /app\nCMD [\"/app\"]",
            instead: "FROM golang:1.22 AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app\n\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nCMD [\"/app\"]",
        },
        check: Check::Path {
            matcher: go_toolchain,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS104",
            name: "rust-toolchain",
            family: "toolchains",
            severity: Severity::High,
            what: "rustc, cargo or a rustup toolchain (~/.rustup, /usr/local/rustup) in the final image.",
            why: "A Rust binary needs no compiler at run time; a rustup toolchain is 500 MB–1 GB.",
            example: "FROM rust:1.80\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/app\"]",
            instead: "FROM rust:1.80 AS build\nCOPY . .\nRUN cargo build --release\n\nFROM debian:12-slim\nCOPY --from=build /target/release/app /usr/local/bin/app\nCMD [\"app\"]",
        },
        check: Check::Path {
            matcher: rust_toolchain,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS105",
            name: "jdk-in-runtime",
            family: "toolchains",
            severity: Severity::Medium,
            what: "Parts of a JDK that only development needs: javac, jlink, jshell and the other JDK tools, jmods, include/, src.zip, ct.sym.",
            why: "A JRE (or a jlink-ed runtime) runs the application; the JDK-only parts are 100–200 MB.",
            example: "FROM eclipse-temurin:21-jdk\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]",
            instead: "FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]",
        },
        check: Check::Path {
            matcher: jdk,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS106",
            name: "native-addon-build-deps",
            family: "toolchains",
            severity: Severity::Medium,
            what: "What only building native add-ons needs: node-gyp, Python and Node headers, libpython's static library (python3-dev).",
            why: "Native modules are compiled once at install time; their build tooling is dead weight afterwards.",
            example: "RUN apt-get install -y python3-dev && pip install uwsgi",
            instead: "Install build dependencies in a builder stage (or remove them in the same RUN) and copy the installed packages.",
        },
        check: Check::Path {
            matcher: native_addon_build,
            min_bytes: 0,
        },
    },
    Rule {
        doc: RuleDoc {
            code: "IS107",
            name: "cuda-toolkit",
            family: "toolchains",
            severity: Severity::High,
            what: "The CUDA development toolkit in the final image: nvcc, nvvm, CUDA headers, static libraries, Nsight tools.",
            why: "Running CUDA code needs only the runtime libraries; the toolkit adds several GB.",
            example: "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04",
            instead: "Build on the `-devel` image, run on the `-runtime` (or `-base`) image of the same version.",
        },
        check: Check::Path {
            matcher: cuda_toolkit,
            min_bytes: 0,
        },
    },
];

#[cfg(test)]
mod tests {
    use super::super::testing::{codes, findings_for};
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn gcc_and_binutils_are_one_finding_with_their_bytes() {
        let f = findings_for(vec![
            Layer::new(
                "ADD rootfs",
                vec![Entry::file("usr/bin/bash", vec![0; 100])],
            ),
            Layer::new(
                "RUN apt-get install -y gcc",
                vec![
                    Entry::file("usr/bin/gcc-12", vec![0; 1000]),
                    Entry::symlink("usr/bin/gcc", "gcc-12"),
                    Entry::file("usr/bin/x86_64-linux-gnu-ld.bfd", vec![0; 500]),
                    Entry::file("usr/lib/gcc/x86_64-linux-gnu/12/cc1", vec![0; 4000]),
                    Entry::file("usr/lib/x86_64-linux-gnu/libisl.so.23", vec![0; 300]),
                    Entry::file("usr/lib/x86_64-linux-gnu/libc.so.6", vec![0; 300]),
                ],
            ),
        ]);
        let c = f.iter().find(|f| f.rule == "IS101").expect("IS101");
        assert_eq!(c.bytes, 5800);
        assert_eq!(c.layer, Some(1));
        assert_eq!(c.command.as_deref(), Some("RUN apt-get install -y gcc"));
        assert_eq!(c.paths[0], "/usr/lib/gcc");
        assert!(!c.paths.iter().any(|p| p.contains("libc.so")));
        assert!(!codes(&f).contains(&"IS102"));
    }

    #[test]
    fn other_toolchains() {
        let f = findings_for(vec![Layer::new(
            "RUN build",
            vec![
                Entry::file("usr/bin/make", vec![0; 10]),
                Entry::file("usr/share/cmake-3.25/Modules/x.cmake", vec![0; 10]),
                Entry::file("usr/local/go/bin/go", vec![0; 10]),
                Entry::file("root/.rustup/toolchains/stable/bin/rustc", vec![0; 10]),
                Entry::file("usr/lib/jvm/java-17-openjdk-amd64/bin/javac", vec![0; 10]),
                Entry::file("usr/lib/jvm/java-17-openjdk-amd64/bin/java", vec![0; 10]),
                Entry::file("usr/include/python3.11/Python.h", vec![0; 10]),
                Entry::file("usr/local/cuda-12.4/bin/nvcc", vec![0; 10]),
                Entry::file("usr/local/cuda-12.4/lib64/libcudart.so.12", vec![0; 10]),
            ],
        )]);
        let c = codes(&f);
        for code in ["IS102", "IS103", "IS104", "IS105", "IS106", "IS107"] {
            assert!(c.contains(&code), "{code} in {c:?}");
        }
        let jdk = f.iter().find(|f| f.rule == "IS105").expect("IS105");
        assert_eq!(jdk.bytes, 10, "java itself stays");
        let cuda = f.iter().find(|f| f.rule == "IS107").expect("IS107");
        assert_eq!(cuda.bytes, 10, "the CUDA runtime stays");
    }
}
