//! Test support: run the whole pipeline on a fixture image and return its findings.

use std::sync::Arc;

use imgslim_tests::{Flavour, Image, Layer, write_archive};

use crate::report::findings::Finding;
use crate::{Analysis, Input, Options, Progress, analyze};

/// Analyse an image built by the fixture builder.
pub(crate) fn analyze_image(image: &Image) -> Analysis {
    analyze_as(image, Flavour::DockerPodman)
}

/// Analyse an image written in one archive flavour.
pub(crate) fn analyze_as(image: &Image, flavour: Flavour) -> Analysis {
    let bytes = write_archive(image, flavour);
    analyze(
        Input::Archive {
            source: Arc::new(bytes),
            name: "test.tar".into(),
        },
        &Options::default(),
        &Progress::default(),
    )
    .expect("fixture analyses")
}

/// Analyse an image read once from a stream, like stdin.
pub(crate) fn analyze_streamed(image: &Image) -> Analysis {
    let bytes = write_archive(image, Flavour::DockerPodman);
    analyze(
        Input::Stream {
            reader: &mut &bytes[..],
            name: "-".into(),
        },
        &Options::default(),
        &Progress::default(),
    )
    .expect("fixture analyses")
}

/// Findings of an image with these layers and a default config.
pub(crate) fn findings_for(layers: Vec<Layer>) -> Vec<Finding> {
    analyze_image(&Image::new(layers)).report.findings
}

/// The rule codes that fired.
pub(crate) fn codes(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule.as_str()).collect()
}
