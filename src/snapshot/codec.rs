//! The codec under the snapshot format: bincode 2 through serde. The one module that names
//! bincode, so that changing codecs (or bincode's configuration) is a change here and a new
//! format version, nothing else.
//!
//! bincode allocates a string's or byte buffer's length as the input claims it before it
//! reads the bytes, and without a limit a 9-byte input claiming 2^40 bytes aborts the process.
//! So every decode runs under a limit, chosen by the input's size: at most 32 times the input
//! (at least 2 MiB). bincode counts a primitive's in-memory size against the limit (8 bytes
//! for a `u64` that a varint wrote in 1) and a string's length, so a legitimate value claims
//! at most 16 times its encoded size (a `u128` in one byte), and a hostile one can make the
//! decoder allocate at most the limit.

use bincode::config::{Config, standard};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The largest input one decode call accepts: a frame's payload at most.
pub(crate) const MAX_INPUT: usize = 16 << 20;

/// Why the codec failed, in words (bincode's own error types stay in this module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodecError(pub(crate) String);

/// A bincode writer appending to a `Vec` (bincode's own `Vec` writer cannot append).
struct Append<'a>(&'a mut Vec<u8>);

impl bincode::enc::write::Writer for Append<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// Appends `value`'s encoding to `out`.
#[inline]
pub(crate) fn encode<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    bincode::serde::encode_into_writer(value, Append(out), standard())
        .map_err(|e| CodecError(e.to_string()))
}

/// Decodes one value from the start of `input`; returns it and the bytes it took.
#[inline]
pub(crate) fn decode<T: DeserializeOwned>(input: &[u8]) -> Result<(T, usize), CodecError> {
    // Each arm is the same call under a different limit (a const generic in bincode).
    let decoded = match input.len() {
        0..=0x1_0000 => with_limit(input, standard().with_limit::<{ 2 << 20 }>()),
        0x1_0001..=0x10_0000 => with_limit(input, standard().with_limit::<{ 32 << 20 }>()),
        _ => with_limit(input, standard().with_limit::<{ 32 * MAX_INPUT }>()),
    };
    decoded.map_err(|e| CodecError(e.to_string()))
}

#[inline]
fn with_limit<T: DeserializeOwned, C: Config>(
    input: &[u8],
    config: C,
) -> Result<(T, usize), bincode::error::DecodeError> {
    bincode::serde::decode_from_slice(input, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_report_their_length() {
        let mut out = vec![7];
        encode(&("hello".to_string(), 300u32), &mut out).unwrap();
        let (back, used): ((String, u32), usize) = decode(&out[1..]).unwrap();
        assert_eq!(back, ("hello".to_string(), 300));
        assert_eq!(used, out.len() - 1);
    }

    #[test]
    fn a_huge_claimed_length_is_an_error_not_an_allocation() {
        // A string claiming 2^40 bytes (varint: 0xfd then a u64).
        let mut input = vec![0xfd];
        input.extend_from_slice(&(1u64 << 40).to_le_bytes());
        assert!(decode::<String>(&input).is_err());
        // A claim just above the limit of a 128 KiB input.
        let mut input = vec![0xfc];
        input.extend_from_slice(&(32u32 << 20 | 1).to_le_bytes());
        input.resize(0x2_0000, 0);
        assert!(decode::<String>(&input).is_err());
    }

    #[test]
    fn truncated_input_is_an_error() {
        let mut out = Vec::new();
        encode(&"hello".to_string(), &mut out).unwrap();
        out.pop();
        assert!(decode::<String>(&out).is_err());
    }
}
