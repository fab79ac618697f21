#![no_main]

use kizuki_refi::{ExchangeError, MAX_CODE_DEPTH, read_qdpx};
use libfuzzer_sys::fuzz_target;

// Any bytes read as a QDPX archive give a project or an error, never a panic, a stack overflow
// or memory beyond the reader's limits; every code read is within the depth limit and every
// selection lies within its source.
fuzz_target!(|data: &[u8]| {
    match read_qdpx(data) {
        Ok(project) => {
            for source in &project.sources {
                let length = source.text.chars().count();
                assert!(source.selections.iter().all(|s| s.start <= s.end && s.end <= length));
            }
            fn depth(codes: &[kizuki_refi::Code]) -> usize {
                codes.iter().map(|c| 1 + depth(&c.children)).max().unwrap_or(0)
            }
            assert!(depth(&project.codes) <= MAX_CODE_DEPTH);
        }
        Err(ExchangeError::TooDeep { limit, .. }) => assert_eq!(limit, MAX_CODE_DEPTH),
        Err(_) => {}
    }
});
