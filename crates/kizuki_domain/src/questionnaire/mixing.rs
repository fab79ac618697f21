//! How many held answers a mixer writes at once. Answers wait in memory until enough have come
//! that the batch written, drawn at random from all that wait, is at least k strong, and k stay
//! behind to mix with the next ones; so even the last batch, written at close, holds at least k
//! whenever k people answered. Who reads the database, a backup or the write-ahead log learns
//! at most that an answer is one of a batch's, never which code brought it.

/// How many of `waiting` answers to write now for a questionnaire whose smallest shown count is
/// `k` (at least 1): none until `2k` wait, then all but `k`.
pub fn batch_to_write(waiting: usize, k: usize) -> usize {
    let k = k.max(1);
    if waiting >= 2 * k { waiting - k } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nothing_is_written_until_twice_k_wait() {
        assert_eq!(batch_to_write(0, 5), 0);
        assert_eq!(batch_to_write(9, 5), 0);
        assert_eq!(batch_to_write(10, 5), 5);
        assert_eq!(batch_to_write(11, 5), 6);
        assert_eq!(batch_to_write(2, 0), 1, "k is at least 1");
    }

    proptest! {
        /// Answers arriving one at a time: every batch written is at least k, k always stay
        /// behind after a write, and what is left at close is at least k once 2k have come.
        #[test]
        fn every_batch_holds_at_least_k(k in 1usize..20, arrivals in 0usize..200) {
            let mut waiting = 0;
            let mut batches = Vec::new();
            for _ in 0..arrivals {
                waiting += 1;
                let batch = batch_to_write(waiting, k);
                if batch > 0 {
                    batches.push(batch);
                    waiting -= batch;
                    prop_assert_eq!(waiting, k);
                }
            }
            prop_assert!(batches.iter().all(|&batch| batch >= k));
            if arrivals >= 2 * k {
                prop_assert!(waiting >= k);
            } else {
                prop_assert_eq!(waiting, arrivals);
            }
            prop_assert_eq!(batches.iter().sum::<usize>() + waiting, arrivals);
        }
    }
}
