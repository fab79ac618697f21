//! The text of a file whose encoding nobody said.

/// How a file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 that began with a byte-order mark (left out of the text).
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    ShiftJis,
    /// Windows-1252, a superset of Latin-1's printable characters: what "Latin-1" exports are.
    Windows1252,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::ShiftJis => "Shift_JIS",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
}

/// The file's text: by its byte-order mark; else UTF-8 if it is valid UTF-8; else Shift_JIS if
/// it reads as Shift_JIS without a mistake and holds Japanese; else Windows-1252, which reads
/// any bytes.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((encoding, length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[length..]);
        let encoding = if encoding == encoding_rs::UTF_8 {
            Encoding::Utf8Bom
        } else if encoding == encoding_rs::UTF_16LE {
            Encoding::Utf16Le
        } else {
            Encoding::Utf16Be
        };
        return Decoded {
            text: text.into_owned(),
            encoding,
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: Encoding::Utf8,
        };
    }
    let (text, _, mistakes) = encoding_rs::SHIFT_JIS.decode(bytes);
    if !mistakes && text.chars().any(is_japanese) {
        return Decoded {
            text: text.into_owned(),
            encoding: Encoding::ShiftJis,
        };
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: Encoding::Windows1252,
    }
}

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_decides_and_is_left_out() {
        let decoded = decode(b"\xef\xbb\xbfTY  - JOUR");
        assert_eq!(decoded.encoding, Encoding::Utf8Bom);
        assert_eq!(decoded.text, "TY  - JOUR");
        let decoded = decode(&[0xff, 0xfe, b'T', 0, b'Y', 0]);
        assert_eq!(
            (decoded.encoding, decoded.text.as_str()),
            (Encoding::Utf16Le, "TY")
        );
    }

    #[test]
    fn japanese_in_shift_jis_is_read_as_such() {
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("TI  - ピアサポートの研修\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let decoded = decode(&bytes);
        assert_eq!(decoded.encoding, Encoding::ShiftJis);
        assert_eq!(decoded.text, "TI  - ピアサポートの研修\n");
    }

    #[test]
    fn latin_1_is_read_as_windows_1252() {
        let decoded = decode(b"AU  - M\xfcller, J\xf6rg");
        assert_eq!(decoded.encoding, Encoding::Windows1252);
        assert_eq!(decoded.text, "AU  - Müller, Jörg");
    }
}
