//! `IS7xx`: GPU builds of ML frameworks in images that run without a GPU.

use super::paths::{base, first_components};
use super::{Check, Rule, RuleDoc};
use crate::report::findings::Severity;
use crate::tree::Version;

const CUDA_LIBS: &[&str] = &[
    "libcudnn",
    "libcublas",
    "libnccl",
    "libcufft",
    "libcurand",
    "libcusparse",
    "libcusolver",
    "libnvrtc",
    "libnvJitLink",
    "libnvjitlink",
    "libcupti",
    "libcudart",
    "libnvToolsExt",
    "libtorch_cuda",
    "libc10_cuda",
    "libcaffe2_nvrtc",
];

fn cuda_wheels(p: &str, _: &Version) -> Option<String> {
    // pip's nvidia-* wheels: site-packages/nvidia/<lib>/…
    if let Some(i) = p.find("-packages/nvidia/") {
        let start = i + "-packages/nvidia/".len();
        let end = p[start..].find('/').map_or(p.len(), |j| start + j);
        return Some(p[..end].to_string());
    }
    if let Some(i) = p.find("-packages/triton/") {
        return Some(p[..i + "-packages/triton".len()].to_string());
    }
    let name = base(p);
    // The CUDA toolkit's own runtime under /usr/local/cuda is a deliberate GPU base image.
    (!p.starts_with("/usr/local/cuda") && CUDA_LIBS.iter().any(|l| name.starts_with(l))).then(
        || {
            if let Some(i) = p.find("-packages/") {
                let start = i + "-packages/".len();
                let end = p[start..].find('/').map_or(p.len(), |j| start + j);
                p[..end].to_string()
            } else {
                first_components(p, 4)
            }
        },
    )
}

/// The ML rules.
pub(crate) static RULES: &[Rule] = &[Rule {
    doc: RuleDoc {
        code: "IS701",
        name: "gpu-ml-libraries",
        family: "ml",
        severity: Severity::High,
        what: "CUDA builds of ML frameworks: pip's nvidia-* wheels (cudnn, cublas, nccl, …), triton, libtorch_cuda, in an image whose config does not ask for a GPU (no NVIDIA_VISIBLE_DEVICES or CUDA_VERSION).",
        why: "`pip install torch` on Linux pulls the CUDA build and 2–4 GB of nvidia-* wheels, all dead weight on a CPU-only host.",
        example: "RUN pip install torch",
        instead: "RUN pip install --no-cache-dir torch --index-url https://download.pytorch.org/whl/cpu",
    },
    check: Check::Path {
        matcher: cuda_wheels,
        min_bytes: 0,
    },
}];

#[cfg(test)]
mod tests {
    use super::super::testing::findings_for;
    use imgslim_tests::{Entry, Layer};

    #[test]
    fn nvidia_wheels_and_torch_cuda() {
        let sp = "usr/local/lib/python3.11/site-packages";
        let f = findings_for(vec![Layer::new(
            "RUN pip install torch",
            vec![
                Entry::file(
                    &format!("{sp}/nvidia/cudnn/lib/libcudnn.so.9"),
                    vec![0; 100],
                ),
                Entry::file(
                    &format!("{sp}/nvidia/cublas/lib/libcublas.so.12"),
                    vec![0; 50],
                ),
                Entry::file(&format!("{sp}/torch/lib/libtorch_cuda.so"), vec![0; 20]),
                Entry::file(&format!("{sp}/torch/lib/libtorch_cpu.so"), vec![0; 20]),
            ],
        )]);
        let g = f.iter().find(|f| f.rule == "IS701").expect("IS701");
        assert_eq!(g.bytes, 170);
        assert!(
            !f.iter()
                .any(|f| f.paths.iter().any(|p| p.contains("torch_cpu")))
        );
        assert_eq!(g.paths[0], format!("/{sp}/nvidia/cudnn"));
    }
}

#[cfg(test)]
mod proposal {
    use super::super::testing::analyze_image;
    use crate::report::findings::ProposalKind;
    use imgslim_tests::{Entry, Image, Layer};

    #[test]
    fn the_cpu_wheel_is_proposed_with_its_saving() {
        let sp = "usr/local/lib/python3.11/site-packages";
        let image = Image::new(vec![Layer::new(
            "RUN pip install torch",
            vec![
                Entry::file(
                    &format!("{sp}/nvidia/cudnn/lib/libcudnn.so.9"),
                    vec![0; 1000],
                ),
                Entry::file(&format!("{sp}/torch/lib/libtorch_cpu.so"), vec![0; 20]),
            ],
        )]);
        let r = analyze_image(&image).report;
        let p = r
            .proposals
            .iter()
            .find(|p| p.title.contains("CPU-only"))
            .expect("proposal");
        assert_eq!(p.kind, ProposalKind::Cleanup);
        assert_eq!(p.saved_bytes, 1000);
        assert_eq!(
            p.instruction.as_deref(),
            Some("RUN pip install torch --index-url https://download.pytorch.org/whl/cpu")
        );
    }
}
