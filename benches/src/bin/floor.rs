//! The bare-decompression floor: read every blob of an image archive that starts with gzip or
//! zstd magic and decompress it to nowhere, one thread per core, largest blob first. Plain blobs
//! are read. Nothing is parsed or hashed: this is the least any tool must do to see the files.
//! The decoders are imgslim's own (gzip through `imgslim-gzip`, so ISA-L when the build found it),
//! so the floor moves with them.
//!
//! Usage: `floor ARCHIVE.tar` (prints the uncompressed byte count), `floor --gzip-backend`.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Mutex;

fn main() -> io::Result<()> {
    let path = std::env::args().nth(1).expect("usage: floor ARCHIVE.tar");
    if path == "--gzip-backend" {
        println!("{}", imgslim_gzip::BACKEND);
        return Ok(());
    }
    let mut members = Vec::new();
    let mut archive = tar::Archive::new(File::open(&path)?);
    for entry in archive.entries_with_seek()? {
        let entry = entry?;
        if entry.header().entry_type().is_file() && entry.size() > 0 {
            members.push((entry.raw_file_position(), entry.size()));
        }
    }
    members.sort_by_key(|m| std::cmp::Reverse(m.1));
    let queue = Mutex::new(members.into_iter());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let total: u64 = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> io::Result<u64> {
                    let mut sum = 0;
                    loop {
                        let next = queue.lock().expect("queue").next();
                        let Some((offset, len)) = next else {
                            return Ok(sum);
                        };
                        sum += decompress(&path, offset, len)?;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker").unwrap_or(0))
            .sum()
    });
    println!("{total}");
    Ok(())
}

fn decompress(path: &str, offset: u64, len: u64) -> io::Result<u64> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut blob = io::BufReader::with_capacity(1 << 16, f.take(len));
    let mut magic = [0u8; 4];
    let n = blob.read(&mut magic)?;
    let head = io::Cursor::new(magic[..n].to_vec()).chain(blob);
    if magic[..n].starts_with(&[0x1f, 0x8b]) {
        io::copy(&mut imgslim_gzip::Decoder::new(head), &mut io::sink())
    } else if magic[..n].starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        io::copy(
            &mut zstd::stream::read::Decoder::new(head)?,
            &mut io::sink(),
        )
    } else {
        io::copy(&mut head.take(len), &mut io::sink())
    }
}
