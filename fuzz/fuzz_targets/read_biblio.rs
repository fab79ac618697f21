#![no_main]

use libfuzzer_sys::fuzz_target;

// Any bytes must give records or an error naming a line of the file, never a panic.
fuzz_target!(|data: &[u8]| {
    match kizuki_biblio::read(data, "fuzz.ris") {
        Ok((records, _, _)) => assert!(!records.is_empty()),
        Err(error) => assert!(error.line >= 1),
    }
});
