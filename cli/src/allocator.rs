//! Allocator settings for the process (glibc only).
//!
//! glibc keeps what a thread frees in that thread's arena, and raises its mmap threshold each
//! time a large block is freed, so later large blocks come from arenas and stay resident. A
//! scan runs on several threads and the merge on another: by default the process stayed
//! resident at the scan threads' peaks plus the merge's (54 MiB on a 1.4 GB zstd image whose
//! heap never exceeded 31 MiB). Two arenas and a fixed 128 KiB threshold, so large buffers go
//! back to the system when freed, bring that to 30 MiB at no measurable cost in time
//! (`bash benches/compare.sh` prints peak RSS).

/// Apply the settings; call first thing in `main`, before any thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn tune() {
    // SAFETY: `mallopt` only sets allocator parameters and has no memory-safety preconditions;
    // it runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Other allocators (musl, macOS, Windows) return large blocks without being asked.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}

/// Hand the pages of freed small blocks back to the system. The scan threads' buffers and
/// decoders are freed when the last layer is done, but glibc keeps those pages resident inside
/// its arenas, and the merge and dive figures then peak on top of them: on gcc-single.oci the
/// peak fell from about 11.8 to 11.3 MiB with this call between the two phases.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_free_pages() {
    // SAFETY: `malloc_trim` only returns unused pages of the allocator's own arenas to the
    // system; it is thread-safe and has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Elsewhere there is nothing to hand back by hand.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_pages() {}
