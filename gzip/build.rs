//! Link ISA-L's inflate when the system has it (Debian: `apt-get install libisal-dev`), else leave
//! gzip to zlib-rs. ISA-L inflates about twice as fast, and gzip layers are decompression-bound.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(isal)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/isal_shim.c");
    println!("cargo::rerun-if-env-changed=IMGSLIM_NO_ISAL");
    let wasm = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.contains("wasm"));
    if wasm || std::env::var_os("IMGSLIM_NO_ISAL").is_some() {
        return;
    }
    // The shim includes <isa-l/igzip_lib.h>, so it compiles exactly when the headers are there.
    match cc::Build::new()
        .file("src/isal_shim.c")
        .cargo_warnings(false)
        .try_compile("imgslim_isal_shim")
    {
        Ok(()) => {
            println!("cargo::rustc-link-lib=dylib=isal");
            println!("cargo::rustc-cfg=isal");
        }
        Err(_) => println!(
            "cargo::warning=ISA-L headers not found (Debian: apt-get install libisal-dev): \
             gzip layers are inflated with zlib-rs, about half as fast"
        ),
    }
}
