//! Benchmarks and comparison tools for imgslim. `floor` is the bare-decompression floor that
//! `compare.sh` measures imgslim against; the TUI keystroke bench lives in `benches/`.
