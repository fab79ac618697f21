#![no_main]

use kizuki_refi::{MAX_UNPACKED_BYTES, docx};
use libfuzzer_sys::fuzz_target;

// Any bytes read as a Word document give its text or an error, never a panic; the reader
// streams, so markup of any depth costs no stack, and the text is never larger than the
// document may unpack to.
fuzz_target!(|data: &[u8]| {
    if let Ok(text) = docx::text(data) {
        assert!(text.len() as u64 <= MAX_UNPACKED_BYTES);
    }
    let _ = docx::is_docx(data);
});
