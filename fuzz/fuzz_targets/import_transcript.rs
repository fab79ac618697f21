#![no_main]

use kizuki_domain::qda::{self, pseudonyms, transcript, webvtt};
use libfuzzer_sys::fuzz_target;

// Any text, read as WebVTT or as plain text, must give a transcript or a line-numbered error,
// never a panic; its speaker turns must lie within it, and pseudonyms must replace every name.
fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = webvtt::to_text(raw) {
        assert!(error.line >= 1);
    }
    let text = transcript::normalize(raw);
    for turn in transcript::turns(&text) {
        assert!(qda::slice(&text, turn.start, turn.end).is_some());
    }
    let key = [pseudonyms::Entry {
        real: "田中".to_owned(),
        pseudonym: "P03".to_owned(),
    }];
    assert!(!pseudonyms::apply(&text, &key).0.contains("田中"));
});
