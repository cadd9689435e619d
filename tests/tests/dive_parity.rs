//! Parity with dive 0.13.1: on dive's own test images (`../shared/dive-data`, exact figures) and
//! on the real-image corpus, through the figures recorded in `tests/data/corpus-figures.tsv` by
//! `tests/scripts/record-corpus-figures.sh` (the corpus tarballs are not in CI).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `../shared` beside the repository, where CI also has it.
fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Rows of a tab-separated file with a header line, as maps from column name to field.
fn read_tsv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header line").split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                fields.len(),
                header.len(),
                "{}: ragged line {l:?}",
                path.display()
            );
            header
                .iter()
                .zip(fields)
                .map(|(h, f)| ((*h).to_owned(), f.to_owned()))
                .collect()
        })
        .collect()
}

fn num<T: std::str::FromStr>(row: &BTreeMap<String, String>, col: &str) -> Option<T>
where
    T::Err: std::fmt::Debug,
{
    let f = row.get(col).unwrap_or_else(|| panic!("no column {col}"));
    (!f.is_empty()).then(|| f.parse().unwrap_or_else(|e| panic!("{col}={f:?}: {e:?}")))
}

#[test]
fn dive_test_images_give_dives_figures_exactly() {
    let dir = shared().join("dive-data");
    if !dir.is_dir() {
        eprintln!(
            "skipping: {} is absent (dive's test images live in ../shared beside the clone)",
            dir.display()
        );
        return;
    }
    let rows = read_tsv(&dir.join("dive-0.13.1-figures.tsv"));
    assert!(rows.len() >= 6, "expected dive's six test images");
    for row in rows {
        let file = &row["file"];
        assert_eq!(row["dive_exit"], "0", "{file}");
        let a = common::analyze_bytes(std::fs::read(dir.join(file)).unwrap());
        let s = &a.report.summary;
        assert_eq!(Some(s.size_bytes), num(&row, "size_bytes"), "{file} size");
        assert_eq!(
            s.inefficient_bytes,
            num(&row, "inefficient_bytes"),
            "{file} inefficient bytes"
        );
        assert_eq!(
            s.efficiency_score,
            num(&row, "efficiency_score"),
            "{file} efficiency score"
        );
        if file == "test-docker-image.tar" {
            // From dive's own unit tests (README of dive-data).
            assert_eq!(s.user_wasted_ratio, Some(0.4834911001404049));
            assert_eq!(
                a.report
                    .layers
                    .iter()
                    .skip(1)
                    .map(|l| l.size_bytes)
                    .sum::<u64>(),
                66237
            );
            // dive's blind spot: `rm -rf /root/example/` removes somefile2.txt, which dive never
            // counts; the honest figure does.
            let w = a
                .report
                .wasted
                .iter()
                .find(|w| w.path == "/root/example/somefile2.txt")
                .expect("somefile2.txt is reclaimable");
            assert_eq!(w.bytes, 6405);
            assert_eq!(w.reason, imgslim_core::WasteReason::Deleted);
        }
    }
}

/// The figures imgslim recorded for every corpus run (committed).
fn recorded() -> Vec<BTreeMap<String, String>> {
    read_tsv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus-figures.tsv"))
}

const OURS: [&str; 6] = [
    "size_bytes",
    "inefficient_bytes",
    "efficiency_score",
    "layer_count",
    "reclaimable_bytes",
    "duplicate_bytes",
];

#[test]
fn recorded_corpus_figures_agree_across_flavours() {
    let rows = recorded();
    let mut by_image: BTreeMap<&str, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &rows {
        assert_eq!(r["run"], format!("{}.{}", r["image"], r["flavour"]));
        by_image.entry(&r["image"]).or_default().push(r);
    }
    assert!(by_image.len() >= 8, "every corpus image is recorded");
    for (image, runs) in &by_image {
        assert!(runs.len() >= 4, "{image}: every flavour is recorded");
        for r in &runs[1..] {
            for col in OURS {
                assert_eq!(
                    r[col], runs[0][col],
                    "{image}: {col} of {} differs from {}",
                    r["flavour"], runs[0]["flavour"]
                );
            }
        }
        // Our figures are internally consistent.
        let r = runs[0];
        let size: u64 = num(r, "size_bytes").unwrap();
        let reclaimable: u64 = num(r, "reclaimable_bytes").unwrap();
        assert!(reclaimable <= size, "{image}");
        if let Some(score) = num::<f64>(r, "efficiency_score") {
            assert!((0.0..=1.0).contains(&score), "{image}");
            let wasted: u64 = num(r, "inefficient_bytes").unwrap();
            assert!(wasted <= size, "{image}");
        } else {
            assert!(
                r["inefficient_bytes"].is_empty(),
                "{image}: both null or neither"
            );
        }
    }
}

#[test]
fn recorded_corpus_figures_match_dive_on_docker_save_flavours() {
    let dive_tsv = shared().join("corpus/dive-0.13.1-results.tsv");
    if !dive_tsv.is_file() {
        eprintln!("skipping: {} is absent", dive_tsv.display());
        return;
    }
    let ours: BTreeMap<String, BTreeMap<String, String>> = recorded()
        .into_iter()
        .map(|r| (r["run"].clone(), r))
        .collect();
    let mut checked = BTreeSet::new();
    for d in read_tsv(&dive_tsv) {
        let run = &d["run"];
        // dive cannot read layout directories; OCI archives it reads in a random layer order
        // (../shared/corpus/README.md), so only docker-save layouts are comparable.
        if !d["layout"].starts_with("docker-save") {
            continue;
        }
        let o = ours
            .get(run)
            .unwrap_or_else(|| panic!("{run} is not in tests/data/corpus-figures.tsv"));
        checked.insert(run.clone());
        if d["json_exit"] != "0" {
            // dive refused it (a PAX global header): our dive-compatible figures are null.
            assert!(o["efficiency_score"].is_empty(), "{run}: dive refused it");
            assert!(o["inefficient_bytes"].is_empty(), "{run}: dive refused it");
            continue;
        }
        let size: u64 = num(o, "size_bytes").unwrap();
        let wasted: u64 = num(o, "inefficient_bytes").expect("dive figures");
        let score: f64 = num(o, "efficiency_score").expect("dive figures");
        let dive_size: u64 = num(&d, "dive_size").unwrap();
        let dive_wasted: u64 = num(&d, "wasted").unwrap();
        // The tsv rounds the score to six digits.
        let dive_score: f64 = num(&d, "efficiency").unwrap();
        let same = size == dive_size && wasted == dive_wasted && (score - dive_score).abs() < 5e-7;
        if same {
            continue;
        }
        // The shared tsv may predate a rebuild of the corpus (package versions move). That is
        // drift, not a bug, only if dive's own figures for the recorded bytes equal ours.
        let local: Option<(u64, u64, f64)> = (|| {
            Some((
                num(o, "local_dive_size_bytes")?,
                num(o, "local_dive_inefficient_bytes")?,
                num(o, "local_dive_efficiency_score")?,
            ))
        })();
        assert_eq!(
            local,
            Some((size, wasted, score)),
            "{run}: imgslim says size {size}, inefficient {wasted}, score {score}; dive's tsv says \
             {dive_size}, {dive_wasted}, {dive_score}, and dive on the recorded bytes says {local:?}"
        );
        eprintln!(
            "{run}: the corpus was rebuilt since dive's tsv (size {dive_size} → {size}); dive on \
             the recorded bytes agrees with imgslim"
        );
    }
    assert!(checked.len() >= 20, "only {} runs compared", checked.len());
}

#[test]
fn recorded_local_dive_figures_equal_ours_on_docker_save_flavours() {
    // Where build.sh kept dive's JSON for the exact bytes recorded, figures must match exactly.
    let mut compared = 0;
    for r in recorded() {
        let flavour = r["flavour"].as_str();
        if matches!(flavour, "oci" | "zstd.oci" | "oci-dir")
            || r["local_dive_size_bytes"].is_empty()
        {
            continue;
        }
        for (ours, dive) in [
            ("size_bytes", "local_dive_size_bytes"),
            ("inefficient_bytes", "local_dive_inefficient_bytes"),
        ] {
            assert_eq!(r[ours], r[dive], "{}: {ours}", r["run"]);
        }
        assert_eq!(
            num::<f64>(&r, "efficiency_score"),
            num::<f64>(&r, "local_dive_efficiency_score"),
            "{}",
            r["run"]
        );
        compared += 1;
    }
    assert!(compared > 0, "no local dive figures recorded");
}
