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
                exe(
                    "usr/lib/x86_64-linux-gnu/libc.so.6",
                    build(interp, &[], None),
                ),
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
