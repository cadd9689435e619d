//! Parsers must not assume a read fills its buffer: run every flavour through a `Source` (and a
//! stream) that returns deterministic pseudo-random short reads, and expect identical reports.

mod common;

use std::io::{self, Read};
use std::sync::Arc;

use imgslim_core::{Input, Options, Progress, Source, analyze};
use imgslim_tests::fixtures::{Flavour, all_flavours, example, write_archive};

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How many of `want` bytes to hand out: a pure function of the request, so the answer does
/// not depend on which thread asks first.
fn short(key: u64, want: usize) -> usize {
    if want <= 1 {
        return want;
    }
    let h = mix(key ^ (want as u64).rotate_left(32));
    match h % 4 {
        0 => want,
        1 => 1,
        _ => 1 + (h >> 8) as usize % (want - 1),
    }
}

/// A `Vec<u8>` whose `read_at` returns fewer bytes than asked.
struct Stingy(Vec<u8>);

impl Source for Stingy {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let n = short(offset, buf.len());
        self.0.read_at(offset, &mut buf[..n])
    }
}

/// A reader that returns short reads.
struct StingyReader<'a> {
    data: &'a [u8],
    calls: u64,
}

impl Read for StingyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        let n = short(self.calls, buf.len().min(self.data.len()));
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn from_source(src: Arc<dyn Source>, what: &str) -> imgslim_core::Report {
    analyze(
        Input::Archive {
            source: src,
            name: "image.tar".into(),
        },
        &Options::default(),
        &Progress::default(),
    )
    .unwrap_or_else(|e| panic!("{what}: {e}"))
    .report
}

fn from_stream(bytes: &[u8]) -> imgslim_core::Report {
    let mut r = StingyReader {
        data: bytes,
        calls: 0,
    };
    analyze(
        Input::Stream {
            reader: &mut r,
            name: "image.tar".into(),
        },
        &Options::default(),
        &Progress::default(),
    )
    .expect("analysis")
    .report
}

#[test]
fn short_reads_give_identical_reports() {
    let image = example::example_image();
    for flavour in all_flavours() {
        let bytes = write_archive(&image, flavour);
        let want = from_source(Arc::new(bytes.clone()), flavour.name());
        let got = from_source(Arc::new(Stingy(bytes.clone())), flavour.name());
        assert_eq!(got, want, "{flavour}: short reads from a Source");
        if flavour == Flavour::DockerPodman {
            let mut streamed = from_stream(&bytes);
            let mut plain = {
                let mut r: &[u8] = &bytes;
                analyze(
                    Input::Stream {
                        reader: &mut r,
                        name: "image.tar".into(),
                    },
                    &Options::default(),
                    &Progress::default(),
                )
                .unwrap()
                .report
            };
            assert_eq!(streamed, plain, "{flavour}: short reads from a stream");
            // A stream computes digests as it goes; beyond that it must agree with seeking.
            for r in [&mut streamed, &mut plain] {
                r.summary.verified_layers = want.summary.verified_layers;
                for (l, w) in r.layers.iter_mut().zip(&want.layers) {
                    l.verified = w.verified;
                }
            }
            assert_eq!(streamed.summary, want.summary, "{flavour}: stream vs seek");
            assert_eq!(streamed.wasted, want.wasted);
            assert_eq!(streamed.duplicates, want.duplicates);

            // `docker save | gzip`, sniffed and decoded through short reads.
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            io::Write::write_all(&mut gz, &bytes).unwrap();
            let gz = gz.finish().unwrap();
            let mut gz_report = from_source(Arc::new(Stingy(gz)), "tar.gz");
            gz_report.summary.verified_layers = want.summary.verified_layers;
            assert_eq!(gz_report.summary, want.summary, "gzip archive vs plain");
        }
    }
}
