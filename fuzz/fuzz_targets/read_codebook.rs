#![no_main]

use kizuki_refi::{MAX_CODE_DEPTH, read_codebook, read_project};
use libfuzzer_sys::fuzz_target;

// Any text read as a QDC codebook or a project document gives codes or an error, never a
// panic or a stack overflow, however deep it nests; what is read is within the depth limit.
fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    fn depth(codes: &[kizuki_refi::Code]) -> usize {
        codes.iter().map(|c| 1 + depth(&c.children)).max().unwrap_or(0)
    }
    if let Ok(codes) = read_codebook(text) {
        assert!(depth(&codes) <= MAX_CODE_DEPTH);
    }
    if let Ok(project) = read_project(text, |_| None) {
        assert!(depth(&project.codes) <= MAX_CODE_DEPTH);
    }
});
