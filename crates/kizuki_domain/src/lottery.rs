//! The draw (抽選), made so that anyone can check it.
//!
//! Before applications open, a random seed is chosen and only its SHA-256 is published. At the
//! draw, every entry is ranked by `SHA-256("{seed}:{entry id}")` (lower-case hex, ascending);
//! within each frame the first entries up to its free seats win and the rest join the waitlist
//! in that order. The record of the draw holds the seed, the entries and the frames' seats, so
//! anyone can repeat it with any SHA-256 tool, and check the seed against the published hash.

use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "Rank each entry by the lower-case hex SHA-256 of \"{seed}:{entry_id}\", ascending. Within each frame, the first entries up to its free seats win; the others join its waitlist in the same order.";

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What is published before the draw.
pub fn commitment(seed: &str) -> String {
    hex_sha256(seed)
}

pub fn rank_key(seed: &str, entry_id: i64) -> String {
    hex_sha256(&format!("{seed}:{entry_id}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LotteryEntry {
    pub id: i64,
    /// The frame applied to; `None` when the training has no frames.
    pub frame: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Every entry, in drawn order.
    pub order: Vec<i64>,
    pub winners: Vec<i64>,
    /// The others, in drawn order; their waitlist positions follow this order within a frame.
    pub waitlist: Vec<i64>,
}

/// Draws. `seats` gives the free seats per frame; a frame not listed has none.
pub fn draw(seed: &str, entries: &[LotteryEntry], seats: &[(Option<i64>, i64)]) -> Outcome {
    let mut ranked: Vec<(String, LotteryEntry)> = entries
        .iter()
        .map(|entry| (rank_key(seed, entry.id), *entry))
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    let mut left: Vec<(Option<i64>, i64)> = seats.to_vec();
    let mut outcome = Outcome::default();
    for (_, entry) in ranked {
        outcome.order.push(entry.id);
        let free = left
            .iter_mut()
            .find(|(frame, _)| *frame == entry.frame)
            .filter(|(_, free)| *free > 0);
        match free {
            Some((_, free)) => {
                *free -= 1;
                outcome.winners.push(entry.id);
            }
            None => outcome.waitlist.push(entry.id),
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries(ids: impl IntoIterator<Item = i64>) -> Vec<LotteryEntry> {
        ids.into_iter()
            .map(|id| LotteryEntry { id, frame: None })
            .collect()
    }

    #[test]
    fn the_hash_is_plain_sha256() {
        assert_eq!(
            commitment("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_same_seed_draws_the_same_winners_whatever_the_input_order() {
        let forward = draw("seed-1", &entries(1..=20), &[(None, 5)]);
        let backward = draw("seed-1", &entries((1..=20).rev()), &[(None, 5)]);
        assert_eq!(forward, backward);
        assert_eq!(forward.winners.len(), 5);
        assert_ne!(
            forward.winners,
            draw("seed-2", &entries(1..=20), &[(None, 5)]).winners
        );
    }

    #[test]
    fn frames_fill_separately() {
        let mut list = entries(1..=4);
        list.extend((5..=8).map(|id| LotteryEntry { id, frame: Some(9) }));
        let outcome = draw("s", &list, &[(None, 1), (Some(9), 3)]);
        let in_frame = outcome.winners.iter().filter(|id| **id >= 5).count();
        assert_eq!((outcome.winners.len(), in_frame), (4, 3));
    }

    proptest! {
        #[test]
        fn winners_never_exceed_seats(count in 0i64..80, seats in 0i64..40, seed in "[a-z0-9]{1,16}") {
            let outcome = draw(&seed, &entries(1..=count), &[(None, seats)]);
            prop_assert_eq!(outcome.winners.len() as i64, count.min(seats));
            prop_assert_eq!(outcome.winners.len() + outcome.waitlist.len(), count as usize);
        }
    }
}
