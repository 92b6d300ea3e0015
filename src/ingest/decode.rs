//! Decoding seed bytes into text: UTF-8 (optionally GB18030), BOM stripped,
//! CRLF/CR line ends turned into LF.
//!
//! It must NOT read files (the caller passes bytes) and must not clean or
//! interpret the text.

use thiserror::Error;

/// Why seed bytes could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Bytes are not valid UTF-8 (and GB18030 was not allowed).
    #[error(
        "invalid UTF-8 at byte offset {offset} (line {line}); re-encode the file as UTF-8, or set `allow_gb18030 = true` under `[ingest]` in site.toml if it is GB18030/GBK"
    )]
    InvalidUtf8 { offset: usize, line: usize },
    /// GB18030 decoding was allowed but the bytes are not valid GB18030 either.
    #[error("invalid UTF-8 at byte offset {offset} (line {line}) and not valid GB18030 either")]
    InvalidGb18030 { offset: usize, line: usize },
}

/// Decode seed bytes. Strips a UTF-8 BOM, normalises CRLF and CR to LF.
/// Invalid UTF-8 is an error naming the byte offset and 1-based line, unless
/// `allow_gb18030` is set and the bytes decode cleanly as GB18030.
pub fn decode(bytes: &[u8], allow_gb18030: bool) -> Result<String, DecodeError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(body) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let offset = e.valid_up_to() + (bytes.len() - body.len());
            let line = 1 + bytes[..offset].iter().filter(|b| **b == b'\n').count();
            if !allow_gb18030 {
                return Err(DecodeError::InvalidUtf8 { offset, line });
            }
            let (cow, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(body);
            if had_errors {
                return Err(DecodeError::InvalidGb18030 { offset, line });
            }
            cow.into_owned()
        }
    };
    Ok(normalize_newlines(&text))
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        let bytes = "\u{feff}第一行\r\n第二行\r第三行\n".as_bytes();
        assert_eq!(decode(bytes, false).unwrap(), "第一行\n第二行\n第三行\n");
    }

    #[test]
    fn invalid_utf8_names_offset_and_line() {
        let mut bytes = "甲\n乙\n".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        let err = decode(&bytes, false).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { offset: 8, line: 3 });
        assert!(err.to_string().contains("byte offset 8"));
    }

    #[test]
    fn offset_counts_the_bom() {
        let bytes = [0xEF, 0xBB, 0xBF, b'a', 0xff];
        assert_eq!(
            decode(&bytes, false).unwrap_err(),
            DecodeError::InvalidUtf8 { offset: 4, line: 1 }
        );
    }

    #[test]
    fn gb18030_when_allowed() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("洞庭碧波\r\n连酉水");
        assert!(decode(&bytes, false).is_err());
        assert_eq!(decode(&bytes, true).unwrap(), "洞庭碧波\n连酉水");
    }
}
