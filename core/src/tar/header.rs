//! One 512-byte tar header block: ustar, GNU and v7 variants (POSIX.1-2001 `ustar`, GNU tar manual
//! "Basic Tar Format"). Pure functions on bytes.

/// Size of a tar block.
pub(crate) const BLOCK: usize = 512;

/// Fields of a header block, before PAX or GNU long-name overrides are applied.
#[derive(Debug, Clone)]
pub(crate) struct RawHeader {
    pub name: Vec<u8>,
    pub linkname: Vec<u8>,
    pub typeflag: u8,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub mtime: i64,
}

/// Why a block is not a valid header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeaderError {
    Checksum,
    Number(&'static str),
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::Checksum => f.write_str("header checksum mismatch"),
            HeaderError::Number(field) => write!(f, "invalid numeric field `{field}`"),
        }
    }
}

/// True for an all-zero block (the end-of-archive marker is two of them).
pub(crate) fn is_zero_block(block: &[u8; BLOCK]) -> bool {
    block.iter().all(|&b| b == 0)
}

/// Bytes up to the first NUL.
fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// A numeric field: octal ASCII padded with spaces or NULs, or GNU base-256 when the high bit of
/// the first byte is set (used for uid/gid/size values too large for octal).
pub(crate) fn parse_number(field: &[u8], name: &'static str) -> Result<i128, HeaderError> {
    if let Some(&first) = field.first()
        && first & 0x80 != 0
    {
        // Base-256: two's complement, big-endian; 0xff prefix means negative.
        let negative = first & 0x40 != 0;
        let mut v: i128 = if negative { -1 } else { 0 };
        let mut bytes = field.iter().copied();
        let head = bytes.next().unwrap_or(0) & 0x7f;
        let head = if negative { head | 0x80 } else { head };
        v = (v << 8) | i128::from(head);
        for b in bytes {
            if v.unsigned_abs() > (u64::MAX as u128) << 8 {
                return Err(HeaderError::Number(name));
            }
            v = (v << 8) | i128::from(b);
        }
        return Ok(v);
    }
    let text = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0);
    let mut v: i128 = 0;
    let mut any = false;
    for b in text {
        if !(b'0'..=b'7').contains(&b) {
            return Err(HeaderError::Number(name));
        }
        any = true;
        v = v * 8 + i128::from(b - b'0');
        if v > i128::from(u64::MAX) {
            return Err(HeaderError::Number(name));
        }
    }
    // An empty field is zero (v7 archives leave some fields blank).
    let _ = any;
    Ok(v)
}

fn unsigned(field: &[u8], name: &'static str) -> Result<u64, HeaderError> {
    let v = parse_number(field, name)?;
    u64::try_from(v).map_err(|_| HeaderError::Number(name))
}

/// Checksum per POSIX: the sum of all header bytes with the checksum field taken as spaces.
/// Historic writers summed signed chars, so both sums are accepted (as GNU tar and Go do).
fn checksum_ok(block: &[u8; BLOCK]) -> bool {
    let Ok(stored) = parse_number(&block[148..156], "chksum") else {
        return false;
    };
    // Whole-block sums (which vectorise), then the checksum field swapped for spaces.
    let whole = |block: &[u8]| -> (i32, i32) {
        block.iter().fold((0, 0), |(u, s), &b| {
            (u + i32::from(b), s + i32::from(b as i8))
        })
    };
    let (all_u, all_s) = whole(block);
    let (field_u, field_s) = whole(&block[148..156]);
    let spaces = 8 * i32::from(b' ');
    let unsigned_sum = i64::from(all_u - field_u + spaces);
    let signed_sum = i64::from(all_s - field_s + spaces);
    let stored = stored as i64;
    stored == unsigned_sum || stored == signed_sum
}

/// Parse a header block. The caller has already ruled out an all-zero block.
pub(crate) fn parse(block: &[u8; BLOCK]) -> Result<RawHeader, HeaderError> {
    if !checksum_ok(block) {
        return Err(HeaderError::Checksum);
    }
    let magic = &block[257..263];
    let mut name = cstr(&block[0..100]).to_vec();
    // POSIX ustar ("ustar\0") splits long names into prefix + name. GNU ("ustar  ") uses those
    // bytes for atime/ctime, so the prefix is read only for the POSIX magic.
    if magic == b"ustar\0" {
        let prefix = cstr(&block[345..500]);
        if !prefix.is_empty() {
            let mut full = prefix.to_vec();
            full.push(b'/');
            full.extend_from_slice(&name);
            name = full;
        }
    }
    let typeflag = match block[156] {
        0 => b'0',
        t => t,
    };
    Ok(RawHeader {
        name,
        linkname: cstr(&block[157..257]).to_vec(),
        typeflag,
        mode: (unsigned(&block[100..108], "mode")? & 0o7777_7777) as u32,
        uid: unsigned(&block[108..116], "uid")?,
        gid: unsigned(&block[116..124], "gid")?,
        size: unsigned(&block[124..136], "size")?,
        mtime: parse_number(&block[136..148], "mtime")?.clamp(i64::MIN.into(), i64::MAX.into())
            as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_and_base256_numbers() {
        assert_eq!(parse_number(b"0000644\0", "m").unwrap(), 0o644);
        assert_eq!(parse_number(b"  1750 \0", "m").unwrap(), 0o1750);
        assert_eq!(parse_number(b"\0\0\0\0", "m").unwrap(), 0);
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[8..].copy_from_slice(&0x1234_5678u32.to_be_bytes());
        assert_eq!(parse_number(&big, "size").unwrap(), 0x1234_5678);
        let neg = [0xffu8; 8];
        assert_eq!(parse_number(&neg, "mtime").unwrap(), -1);
        assert!(parse_number(b"0009\0", "m").is_err());
    }

    #[test]
    fn rejects_bad_checksum() {
        let mut block = [0u8; BLOCK];
        block[..4].copy_from_slice(b"file");
        block[148..156].copy_from_slice(b"0000000\0");
        assert_eq!(parse(&block).unwrap_err(), HeaderError::Checksum);
    }

    #[test]
    fn accepts_unsigned_and_signed_checksums_only() {
        let mut block = [0u8; BLOCK];
        block[..7].copy_from_slice(b"f\xe9\xe9.txt");
        block[100..108].copy_from_slice(b"0000644\0");
        block[156] = b'0';
        let with_sum = |sum: i64| {
            let mut b = block;
            b[148..156].copy_from_slice(format!("{:06o}\0 ", sum).as_bytes());
            parse(&b).map(|h| h.name)
        };
        let (unsigned, signed) = block
            .iter()
            .enumerate()
            .fold((0i64, 0i64), |(u, s), (i, &b)| {
                let b = if (148..156).contains(&i) { b' ' } else { b };
                (u + i64::from(b), s + i64::from(b as i8))
            });
        assert_ne!(unsigned, signed);
        assert_eq!(with_sum(unsigned).unwrap(), b"f\xe9\xe9.txt");
        assert!(with_sum(signed).is_ok());
        assert_eq!(with_sum(unsigned + 1).unwrap_err(), HeaderError::Checksum);
        assert_eq!(with_sum(signed - 1).unwrap_err(), HeaderError::Checksum);
    }
}
