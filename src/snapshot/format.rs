//! The snapshot file's framing: a header, checksummed frames, a trailer. What goes inside the
//! frames is `save.rs`'s and `load.rs`'s business; the layout is documented in
//! `docs/snapshot-format.md`.
//!
//! The safety of a file lives here, not in the codec: a frame is checked (size bound,
//! checksum, known kind and codec) before a byte of its payload is decoded, and the trailer
//! proves that nothing was cut off at a frame boundary.

use std::io::{self, Read, Write};

use super::error::Corruption;

/// The first 8 bytes of every snapshot.
pub(crate) const MAGIC: [u8; 8] = *b"RELSTORE";
/// The format this build writes and the only one it reads.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// A frame's payload is at most this big; a longer claim is refused before anything is read.
pub(crate) const MAX_PAYLOAD: usize = super::codec::MAX_INPUT;
/// The writer closes a frame once its payload reaches this size.
pub(crate) const TARGET_PAYLOAD: usize = 64 << 10;
/// The only codec of format version 1: the payload as the codec wrote it. Other values are
/// reserved (compression, later) and refused.
const CODEC_PLAIN: u8 = 0;

const HEADER_LEN: usize = 16;
const FRAME_HEADER_LEN: usize = 12;

/// What a frame holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The directory of tables; the first frame.
    Directory = 1,
    /// A run of one table's slots.
    Slots = 2,
    /// A part of one table's free list.
    Free = 3,
    /// The trailer; the last frame.
    End = 4,
}

impl Kind {
    fn from_byte(byte: u8) -> Option<Kind> {
        match byte {
            1 => Some(Kind::Directory),
            2 => Some(Kind::Slots),
            3 => Some(Kind::Free),
            4 => Some(Kind::End),
            _ => None,
        }
    }
}

/// Writes the header, then frames, then the trailer.
pub(crate) struct FrameWriter<W> {
    out: W,
    /// Frames written so far, and bytes (header included): the trailer records both.
    frames: u64,
    bytes: u64,
}

impl<W: Write> FrameWriter<W> {
    pub(crate) fn new(mut out: W) -> io::Result<Self> {
        let mut header = [0; HEADER_LEN];
        header[..8].copy_from_slice(&MAGIC);
        header[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        // Bytes 12..16: flags, reserved (zero) in version 1.
        out.write_all(&header)?;
        Ok(FrameWriter {
            out,
            frames: 0,
            bytes: HEADER_LEN as u64,
        })
    }

    /// Writes one frame. The caller keeps `payload` within [`MAX_PAYLOAD`].
    pub(crate) fn frame(&mut self, kind: Kind, payload: &[u8]) -> io::Result<()> {
        debug_assert!(payload.len() <= MAX_PAYLOAD);
        let mut header = [0; FRAME_HEADER_LEN];
        header[0] = kind as u8;
        header[1] = CODEC_PLAIN;
        // Bytes 2..4: reserved (zero).
        header[4..8].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        let crc = crc32c::crc32c_append(crc32c::crc32c(&header[..8]), payload);
        header[8..12].copy_from_slice(&crc.to_le_bytes());
        self.out.write_all(&header)?;
        self.out.write_all(payload)?;
        self.frames += 1;
        self.bytes += (FRAME_HEADER_LEN + payload.len()) as u64;
        Ok(())
    }

    /// Writes the trailer (the frame and byte counts before it) and hands the output back.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        let mut trailer = [0; 16];
        trailer[..8].copy_from_slice(&self.frames.to_le_bytes());
        trailer[8..].copy_from_slice(&self.bytes.to_le_bytes());
        self.frame(Kind::End, &trailer)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Reads and checks frames one by one; one frame's payload is in memory at a time.
pub(crate) struct FrameReader<R> {
    input: R,
    payload: Vec<u8>,
    /// The current frame's kind, and whether [`FrameReader::unread`] asked for it again.
    kind: Kind,
    again: bool,
    frames: u64,
    /// Bytes read so far: the offset errors report.
    offset: u64,
    done: bool,
}

/// A failure while reading frames: the input's own, or damage found.
#[derive(Debug)]
pub(crate) enum FrameError {
    Io(io::Error),
    NotASnapshot,
    UnsupportedFormat(u32),
    Corrupt { offset: u64, reason: Corruption },
}

impl<R: Read> FrameReader<R> {
    pub(crate) fn new(mut input: R) -> Result<Self, FrameError> {
        let mut header = [0; HEADER_LEN];
        let read = read_full(&mut input, &mut header).map_err(FrameError::Io)?;
        if read < MAGIC.len() || header[..8] != MAGIC {
            return Err(FrameError::NotASnapshot);
        }
        if read < HEADER_LEN {
            return Err(corrupt(read as u64, Corruption::Truncated));
        }
        let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(FrameError::UnsupportedFormat(version));
        }
        if header[12..] != [0; 4] {
            return Err(corrupt(12, Corruption::Reserved));
        }
        Ok(FrameReader {
            input,
            payload: Vec::new(),
            kind: Kind::End,
            again: false,
            frames: 0,
            offset: HEADER_LEN as u64,
            done: false,
        })
    }

    /// Where the reader is in the input, for errors.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// The next frame, checked. After the trailer it keeps returning the trailer: the reader
    /// has then also checked that the trailer's counts match and that nothing follows.
    pub(crate) fn next(&mut self) -> Result<(Kind, &[u8]), FrameError> {
        if self.again || self.done {
            self.again = false;
            return Ok((self.kind, &self.payload));
        }
        let start = self.offset;
        let mut header = [0; FRAME_HEADER_LEN];
        let read = read_full(&mut self.input, &mut header).map_err(FrameError::Io)?;
        if read < FRAME_HEADER_LEN {
            return Err(corrupt(start + read as u64, Corruption::Truncated));
        }
        let len = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
        if len > MAX_PAYLOAD {
            return Err(corrupt(start, Corruption::FrameTooLarge(len as u64)));
        }
        // Grows with the bytes that actually arrive, never to a claimed length up front.
        self.payload.clear();
        let got = (&mut self.input)
            .take(len as u64)
            .read_to_end(&mut self.payload)
            .map_err(FrameError::Io)?;
        self.offset += (FRAME_HEADER_LEN + got) as u64;
        if got < len {
            return Err(corrupt(self.offset, Corruption::Truncated));
        }
        let crc = crc32c::crc32c_append(crc32c::crc32c(&header[..8]), &self.payload);
        if crc.to_le_bytes() != header[8..12] {
            return Err(corrupt(start, Corruption::Checksum));
        }
        let kind = Kind::from_byte(header[0])
            .ok_or(corrupt(start, Corruption::UnknownFrame(header[0])))?;
        if header[1] != CODEC_PLAIN {
            return Err(corrupt(start, Corruption::UnknownCodec(header[1])));
        }
        if header[2..4] != [0; 2] {
            return Err(corrupt(start, Corruption::Reserved));
        }
        if kind == Kind::End {
            self.check_trailer(start)?;
        } else {
            self.frames += 1;
        }
        self.kind = kind;
        Ok((kind, &self.payload))
    }

    /// The current frame's payload.
    pub(crate) fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Makes the next [`FrameReader::next`] return the current frame again.
    pub(crate) fn unread(&mut self) {
        self.again = true;
    }

    fn check_trailer(&mut self, start: u64) -> Result<(), FrameError> {
        let expected = (self.payload.len() == 16).then(|| {
            let frames = u64::from_le_bytes(self.payload[..8].try_into().expect("8 bytes"));
            let bytes = u64::from_le_bytes(self.payload[8..].try_into().expect("8 bytes"));
            (frames, bytes)
        });
        if expected != Some((self.frames, start)) {
            return Err(corrupt(start, Corruption::TrailerMismatch));
        }
        let mut probe = [0; 1];
        if read_full(&mut self.input, &mut probe).map_err(FrameError::Io)? != 0 {
            return Err(corrupt(self.offset, Corruption::TrailingBytes));
        }
        self.done = true;
        Ok(())
    }
}

fn corrupt(offset: u64, reason: Corruption) -> FrameError {
    FrameError::Corrupt { offset, reason }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match input.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(frames: &[(Kind, &[u8])]) -> Vec<u8> {
        let mut w = FrameWriter::new(Vec::new()).unwrap();
        for (kind, payload) in frames {
            w.frame(*kind, payload).unwrap();
        }
        w.finish().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<(Kind, Vec<u8>)>, FrameError> {
        let mut r = FrameReader::new(bytes)?;
        let mut out = Vec::new();
        loop {
            let (kind, payload) = r.next()?;
            if kind == Kind::End {
                return Ok(out);
            }
            out.push((kind, payload.to_vec()));
        }
    }

    #[test]
    fn frames_round_trip() {
        let bytes = file(&[
            (Kind::Directory, b"dir"),
            (Kind::Slots, b""),
            (Kind::Free, b"xyz"),
        ]);
        let frames = read_all(&bytes).unwrap();
        assert_eq!(
            frames,
            [
                (Kind::Directory, b"dir".to_vec()),
                (Kind::Slots, vec![]),
                (Kind::Free, b"xyz".to_vec())
            ]
        );
    }

    #[test]
    fn every_truncation_and_every_bit_flip_is_an_error() {
        let bytes = file(&[(Kind::Directory, b"directory"), (Kind::Slots, b"rows")]);
        for len in 0..bytes.len() {
            assert!(read_all(&bytes[..len]).is_err(), "truncated to {len}");
        }
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(read_all(&flipped).is_err(), "bit {bit} flipped");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            read_all(&longer),
            Err(FrameError::Corrupt {
                reason: Corruption::TrailingBytes,
                ..
            })
        ));
    }

    #[test]
    fn a_huge_length_is_refused_before_reading() {
        let mut bytes = file(&[(Kind::Directory, b"d")]);
        bytes[HEADER_LEN + 4..HEADER_LEN + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            read_all(&bytes),
            Err(FrameError::Corrupt {
                reason: Corruption::FrameTooLarge(_),
                ..
            })
        ));
    }

    #[test]
    fn other_files_and_formats_are_named() {
        assert!(matches!(
            read_all(b"PK\x03\x04"),
            Err(FrameError::NotASnapshot)
        ));
        let mut bytes = file(&[]);
        bytes[8] = 2;
        assert!(matches!(
            read_all(&bytes),
            Err(FrameError::UnsupportedFormat(2))
        ));
    }
}
