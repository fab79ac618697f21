#![no_main]

use libfuzzer_sys::fuzz_target;

// Any bytes at all must give rows or line-numbered errors, never a panic.
fuzz_target!(|data: &[u8]| {
    if let Err(errors) = kizuki_import::parse_events_csv(data) {
        assert!(!errors.is_empty());
    }
});
