//! Proposals on synthetic images whose sizes can be checked by hand.

use imgslim_tests::{Content, Entry, History, Image, Layer};

use super::apply_to_dockerfile;
use crate::exec::elf::build;
use crate::report::findings::ProposalKind;
use crate::rules::testing::analyze_image;

fn exe(path: &str, data: Vec<u8>) -> Entry {
    Entry::file_with(path, Content::Bytes(data), 0o755)
}

fn gcc_like() -> Image {
    gcc_like_with(build(Some("/lib64/ld-linux-x86-64.so.2"), &[], None))
}

fn gcc_like_with(libc: Vec<u8>) -> Image {
    let interp = Some("/lib64/ld-linux-x86-64.so.2");
    let mut image = Image::new(vec![
        Layer::new(
            "/bin/sh -c #(nop) ADD file:abc in / ",
            vec![
                Entry::symlink("lib", "usr/lib"),
                Entry::dir("lib64"),
                Entry::symlink(
                    "lib64/ld-linux-x86-64.so.2",
                    "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                ),
                exe(
                    "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                    build(None, &[], None),
                ),
                exe("usr/lib/x86_64-linux-gnu/libc.so.6", libc),
                Entry::file("usr/share/big", vec![0; 100_000]),
                Entry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            ],
        ),
        Layer::new(
            "/bin/sh -c apt-get update && apt-get install -y gcc libc6-dev",
            vec![
                Entry::file("usr/lib/gcc/x86_64-linux-gnu/12/cc1", vec![0; 300_000]),
                Entry::file("var/lib/apt/lists/x_Packages", vec![0; 50_000]),
                Entry::file("var/cache/apt/archives/gcc.deb", vec![0; 70_000]),
            ],
        ),
        Layer::new(
            "/bin/sh -c #(nop) COPY file:def in . ",
            vec![Entry::file("src/hello.c", vec![b'c'; 100])],
        ),
        Layer::new(
            "/bin/sh -c gcc -o hello hello.c",
            vec![exe("src/hello", build(interp, &["libc.so.6"], None))],
        ),
    ]);
    image.config.history = Some(vec![
        History::layer("/bin/sh -c #(nop) ADD file:abc in / "),
        History::empty("/bin/sh -c #(nop) CMD [\"bash\"]"),
        History::layer("/bin/sh -c apt-get update && apt-get install -y gcc libc6-dev"),
        History::empty("/bin/sh -c #(nop) WORKDIR /src"),
        History::layer("/bin/sh -c #(nop) COPY file:def in . "),
        History::layer("/bin/sh -c gcc -o hello hello.c"),
        History::empty("/bin/sh -c #(nop) CMD [\"./hello\"]"),
    ]);
    image.config.working_dir = Some("/src".into());
    image.config.cmd = Some(vec!["./hello".into()]);
    image
}

#[test]
fn multi_stage_scratch_and_cleanup_sizes() {
    let a = analyze_image(&gcc_like());
    let r = &a.report;
    let base = r.layers[0].size_bytes;
    let hello = r.layers[3].size_bytes;
    let find = |k: ProposalKind| r.proposals.iter().find(|p| p.kind == k).expect("proposal");

    let ms = find(ProposalKind::MultiStage);
    assert_eq!(
        ms.estimated_size_bytes,
        base + hello,
        "base layers plus the binary"
    );
    assert_eq!(ms.copy, ["/src/hello"]);
    let df = ms.dockerfile.as_deref().unwrap_or_default();
    assert!(
        df.starts_with("FROM debian:12 AS build\nRUN apt-get update"),
        "{df}"
    );
    assert!(df.contains("COPY hello.c .\n"), "{df}");
    assert!(df.contains("FROM debian:12\nCOPY --from=build /src/hello /src/hello\nWORKDIR /src\nCMD [\"./hello\"]"), "{df}");

    let sc = find(ProposalKind::Scratch);
    let libc = build(Some("/lib64/ld-linux-x86-64.so.2"), &[], None).len() as u64;
    let ld = build(None, &[], None).len() as u64;
    assert_eq!(sc.estimated_size_bytes, hello + libc + ld);
    assert!(
        sc.copy.contains(&"/lib64/ld-linux-x86-64.so.2".to_string()),
        "{:?}",
        sc.copy
    );

    let cl = find(ProposalKind::Cleanup);
    assert_eq!(cl.layer, Some(1));
    assert_eq!(cl.saved_bytes, 120_000);
    assert!(
        cl.instruction
            .as_deref()
            .unwrap_or_default()
            .contains("rm -rf /var/lib/apt/lists/*")
    );

    // The runtime closure is never a finding.
    assert!(
        !r.findings
            .iter()
            .any(|f| f.paths.iter().any(|p| p.contains("libc.so")))
    );
    assert_eq!(
        a.reconstructed_dockerfile,
        "FROM debian:12\nRUN apt-get update && apt-get install -y gcc libc6-dev\nWORKDIR /src\nCOPY hello.c .\nRUN gcc -o hello hello.c\nCMD [\"./hello\"]\n"
    );
}

#[test]
fn applied_to_the_users_dockerfile() {
    let a = analyze_image(&gcc_like());
    let user = "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y gcc libc6-dev\nWORKDIR /src\nCOPY hello.c .\nRUN gcc -o hello hello.c\nCMD [\"./hello\"]\n";
    let r = &a.report;
    let cl = r
        .proposals
        .iter()
        .find(|p| p.kind == ProposalKind::Cleanup)
        .expect("cleanup");
    let new = apply_to_dockerfile(cl, user, r.layers.len()).expect("applies");
    assert!(new.starts_with("FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \\\n && apt-get clean \\\n && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\n"), "{new}");
    let ms = r
        .proposals
        .iter()
        .find(|p| p.kind == ProposalKind::MultiStage)
        .expect("ms");
    let new = apply_to_dockerfile(ms, user, r.layers.len()).expect("applies");
    assert!(new.starts_with("FROM debian:12 AS build\n"), "{new}");
    assert!(new.ends_with("FROM debian:12\nCOPY --from=build /src/hello /src/hello\nWORKDIR /src\nCMD [\"./hello\"]\n"), "{new}");
}

#[test]
fn a_static_binary_on_scratch_gets_no_proposal() {
    let mut image = Image::new(vec![Layer::new(
        "/bin/sh -c #(nop) COPY file:c0b in /hello ",
        vec![exe("hello", build(None, &[], None))],
    )]);
    image.config.entrypoint = Some(vec!["/hello".into()]);
    let a = analyze_image(&image);
    assert!(a.report.proposals.is_empty(), "{:?}", a.report.proposals);
    assert!(a.report.findings.is_empty(), "{:?}", a.report.findings);
}

/// tzdata: 2,100 bytes under /usr/share/zoneinfo.
fn zoneinfo() -> Vec<Entry> {
    vec![
        Entry::file("usr/share/zoneinfo/Europe/Paris", vec![b'z'; 2_000]),
        Entry::file("usr/share/zoneinfo/UTC", vec![b'z'; 100]),
    ]
}

/// `gcc_like` with tzdata installed by the build and a libc that names zoneinfo as glibc does.
fn gcc_like_with_tzdata(env: &[&str]) -> Image {
    let mut libc = build(Some("/lib64/ld-linux-x86-64.so.2"), &[], None);
    libc.extend_from_slice(b"\0/usr/share/zoneinfo\0/usr/share/zoneinfo/tzdata.zi\0");
    let mut image = gcc_like_with(libc);
    image.layers[1].entries.extend(zoneinfo());
    image.config.env = env.iter().map(|e| (*e).to_string()).collect();
    image
}

#[test]
fn a_c_binary_linked_to_glibc_gets_no_tzdata() {
    for env in [&[][..], &["TZ=UTC"], &["TZ="]] {
        let a = analyze_image(&gcc_like_with_tzdata(env));
        assert_eq!(a.exec.as_ref().unwrap().zoneinfo_named_by, None);
        for p in &a.report.proposals {
            assert!(
                !p.copy.iter().any(|c| c.contains("zoneinfo")),
                "{env:?} {p:?}"
            );
        }
    }
}

#[test]
fn a_tz_zone_in_env_copies_tzdata() {
    let a = analyze_image(&gcc_like_with_tzdata(&["TZ=Europe/Paris"]));
    let r = &a.report;
    let find = |k: ProposalKind| r.proposals.iter().find(|p| p.kind == k).expect("proposal");
    let hello = r.layers[3].size_bytes;
    let ms = find(ProposalKind::MultiStage);
    assert_eq!(ms.copy, ["/src/hello", "/usr/share/zoneinfo"]);
    assert_eq!(
        ms.estimated_size_bytes,
        r.layers[0].size_bytes + hello + 2_100
    );
    assert!(
        ms.rationale.contains("because TZ=Europe/Paris"),
        "{}",
        ms.rationale
    );
    let sc = find(ProposalKind::Scratch);
    assert_eq!(
        sc.copy.last().map(String::as_str),
        Some("/usr/share/zoneinfo")
    );
    let ld = build(None, &[], None).len() as u64;
    let libc = build(Some("/lib64/ld-linux-x86-64.so.2"), &[], None).len() as u64
        + b"\0/usr/share/zoneinfo\0/usr/share/zoneinfo/tzdata.zi\0".len() as u64;
    assert_eq!(sc.estimated_size_bytes, hello + libc + ld + 2_100);
    assert!(
        sc.rationale
            .contains("/usr/share/zoneinfo (2.1 kB) because TZ=Europe/Paris"),
        "{}",
        sc.rationale
    );
    let df = sc.dockerfile.as_deref().unwrap_or_default();
    assert!(
        df.contains("COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo\n"),
        "{df}"
    );
}

#[test]
fn a_go_like_static_binary_gets_tzdata_on_scratch() {
    // Go packs its string literals without NULs; the time package names its zone sources.
    let mut server = build(None, &[], None);
    server.extend_from_slice(
        b"\0Go build ID: \"x\"\0runtime.mainunknown time zone /usr/share/zoneinfo//usr/share/lib/zoneinfo//etc/zoneinfo",
    );
    let mut base = vec![Entry::file("usr/share/big", vec![0; 100_000])];
    base.push(Entry::file(
        "etc/os-release",
        "ID=debian\nVERSION_ID=\"12\"\n",
    ));
    base.extend(zoneinfo());
    let mut image = Image::new(vec![
        Layer::new("/bin/sh -c #(nop) ADD file:abc in / ", base),
        Layer::new(
            "/bin/sh -c go build -o /server .",
            vec![
                exe("server", server.clone()),
                Entry::file("root/.cache/go-build/00/x", vec![0; 50_000]),
            ],
        ),
    ]);
    image.config.entrypoint = Some(vec!["/server".into()]);
    let a = analyze_image(&image);
    assert_eq!(
        a.exec.as_ref().unwrap().zoneinfo_named_by.as_deref(),
        Some("server")
    );
    let r = &a.report;
    let sc = r
        .proposals
        .iter()
        .find(|p| p.kind == ProposalKind::Scratch)
        .expect("scratch");
    assert_eq!(sc.copy, ["/server", "/usr/share/zoneinfo"]);
    assert_eq!(sc.estimated_size_bytes, server.len() as u64 + 2_100);
    assert!(
        sc.rationale
            .contains("because server names /usr/share/zoneinfo"),
        "{}",
        sc.rationale
    );
    // The base already has tzdata: the multi-stage runtime copies only the binary.
    let ms = r
        .proposals
        .iter()
        .find(|p| p.kind == ProposalKind::MultiStage)
        .expect("multi-stage");
    assert_eq!(ms.copy, ["/server"]);
    assert!(!ms.rationale.contains("zoneinfo"), "{}", ms.rationale);
}
