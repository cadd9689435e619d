//! The tar format: header blocks and a streaming reader. Used for both the outer archive and the
//! layer streams.

mod header;
mod reader;

pub(crate) use reader::{Item, TarError, TarReader};

/// Typeflags, named (POSIX.1-2001 and GNU).
pub(crate) mod typeflag {
    pub const REGULAR: u8 = b'0';
    pub const HARDLINK: u8 = b'1';
    pub const SYMLINK: u8 = b'2';
    pub const CHAR: u8 = b'3';
    pub const BLOCK: u8 = b'4';
    pub const DIR: u8 = b'5';
    pub const FIFO: u8 = b'6';
    pub const CONTIGUOUS: u8 = b'7';
}
