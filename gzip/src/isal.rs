//! ISA-L's inflate behind a safe `Read`, through the C shim in `isal_shim.c` (which keeps ISA-L's
//! version-dependent `struct inflate_state` out of Rust).
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::io::{self, Read};
use std::ptr::NonNull;

use crate::INPUT;

unsafe extern "C" {
    fn imgslim_isal_new() -> *mut c_void;
    fn imgslim_isal_free(state: *mut c_void);
    fn imgslim_isal_reset(state: *mut c_void);
    fn imgslim_isal_inflate(
        state: *mut c_void,
        input: *const u8,
        in_len: *mut u32,
        out: *mut u8,
        out_len: *mut u32,
        finished: *mut c_int,
    ) -> c_int;
}

/// Reads smaller than this are decoded into our own buffer and copied out: ISA-L decodes into
/// its internal 64 KiB buffer when the caller's is small, and a tar reader asks for 512 bytes
/// at a time between files.
const OUTPUT: usize = 1 << 15;

/// One ISA-L inflate state, allocated by the shim and freed on drop.
struct State(NonNull<c_void>);

// SAFETY: the state is plain heap memory owned by this value alone; ISA-L keeps no reference to
// it, nor any thread-local state, between calls.
unsafe impl Send for State {}

impl State {
    fn new() -> io::Result<State> {
        // SAFETY: the shim mallocs and initialises a state, or returns null.
        let state = unsafe { imgslim_isal_new() };
        NonNull::new(state)
            .map(State)
            .ok_or_else(|| io::ErrorKind::OutOfMemory.into())
    }

    /// Forget the finished member, ready to read the next member's header.
    fn reset(&mut self) {
        // SAFETY: `self.0` is a live state from `imgslim_isal_new`.
        unsafe { imgslim_isal_reset(self.0.as_ptr()) }
    }

    /// Inflate from `input` into `out`: (bytes consumed, bytes produced, member finished).
    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> io::Result<(usize, usize, bool)> {
        let in_start = clamp(input.len());
        let out_start = clamp(out.len());
        let (mut in_left, mut out_left, mut finished) = (in_start, out_start, 0);
        // SAFETY: `self.0` is a live state; ISA-L reads at most `in_left` bytes of `input` and
        // writes at most `out_left` bytes of `out`, and keeps neither pointer after returning
        // (history and partial headers are copied into the state).
        let rc = unsafe {
            imgslim_isal_inflate(
                self.0.as_ptr(),
                input.as_ptr(),
                &mut in_left,
                out.as_mut_ptr(),
                &mut out_left,
                &mut finished,
            )
        };
        if rc < 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, message(rc)));
        }
        Ok((
            (in_start - in_left) as usize,
            (out_start - out_left) as usize,
            finished != 0,
        ))
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // SAFETY: `self.0` came from `imgslim_isal_new` and is freed exactly once.
        unsafe { imgslim_isal_free(self.0.as_ptr()) }
    }
}

fn clamp(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// What went wrong, in words (the caller says it was a gzip stream).
fn message(rc: c_int) -> String {
    match rc {
        -1 => "invalid deflate block".into(),
        -2 => "invalid deflate symbol".into(),
        -3 => "back-reference before the start of the data".into(),
        -4 => "invalid gzip header".into(),
        -5 => "unsupported compression method".into(),
        -6 => "the data does not match the CRC-32 or length in the trailer".into(),
        rc => format!("ISA-L inflate error {rc}"),
    }
}

/// Every member of a gzip stream, decoded with ISA-L.
pub(crate) struct MultiGz<R> {
    inner: R,
    state: Option<State>,
    input: Box<[u8]>,
    in_pos: usize,
    in_end: usize,
    /// No more bytes in `inner`.
    eof: bool,
    output: Box<[u8]>,
    out_pos: usize,
    out_end: usize,
    /// The current member's trailer has been read; more input starts another member.
    member_done: bool,
}

impl<R: Read> MultiGz<R> {
    pub(crate) fn new(inner: R) -> Self {
        MultiGz {
            inner,
            state: None,
            input: vec![0; INPUT].into_boxed_slice(),
            in_pos: 0,
            in_end: 0,
            eof: false,
            output: vec![0; OUTPUT].into_boxed_slice(),
            out_pos: 0,
            out_end: 0,
            member_done: false,
        }
    }

    /// Move unread input to the front and read more after it; false at the end of `inner`.
    fn refill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.input.copy_within(self.in_pos..self.in_end, 0);
        self.in_end -= self.in_pos;
        self.in_pos = 0;
        if self.in_end == self.input.len() {
            return Ok(true);
        }
        let n = loop {
            match self.inner.read(&mut self.input[self.in_end..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        self.in_end += n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// Decode into `out` until at least one byte comes out; 0 only at the end of the stream.
    fn decode(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.member_done {
                if self.in_pos == self.in_end && !self.refill()? {
                    return Ok(0);
                }
                self.member_done = false;
                if let Some(state) = &mut self.state {
                    state.reset();
                }
            }
            if self.in_pos == self.in_end {
                // At the end of `inner` ISA-L may still hold output, so inflate regardless.
                self.refill()?;
            }
            let state = match &mut self.state {
                Some(state) => state,
                None => self.state.insert(State::new()?),
            };
            let input = &self.input[self.in_pos..self.in_end];
            let (used, made, finished) = state.inflate(input, out)?;
            self.in_pos += used;
            self.member_done = finished;
            if made > 0 {
                return Ok(made);
            }
            if used == 0 && !finished {
                let pending = self.in_end - self.in_pos;
                if !self.refill()? {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "gzip stream ends before its end marker",
                    ));
                }
                if self.in_end - self.in_pos == pending {
                    // A full input buffer that ISA-L will not take: never seen, but no spinning.
                    return Err(io::Error::other("gzip decoder made no progress"));
                }
            }
        }
    }
}

impl<R: Read> Read for MultiGz<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.out_pos == self.out_end {
            if buf.len() >= OUTPUT {
                return self.decode(buf);
            }
            let mut output = std::mem::take(&mut self.output);
            let made = self.decode(&mut output);
            self.output = output;
            self.out_pos = 0;
            self.out_end = made?;
        }
        let n = buf.len().min(self.out_end - self.out_pos);
        buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_end][..n]);
        self.out_pos += n;
        Ok(n)
    }
}
