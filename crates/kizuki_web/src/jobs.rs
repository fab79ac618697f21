//! The work `kizuki serve` does on its own, on the clock: hourly housekeeping and the daily
//! purge of personal data. They live here, not in the binary, so that the tests run them
//! through the same code on the clock they set.

use kizuki_domain::Timestamp;
use kizuki_store::{Store, StoreError};

/// Seals closed questionnaires and removes expired sessions, old login failures, old
/// study-group messages, old rate counters and what imports that stopped halfway wrote. Every step runs even if one before it failed
/// (each is idempotent, and several processes may run them at once); the first failure is
/// returned.
pub async fn housekeeping(store: &Store, now: Timestamp) -> Result<(), StoreError> {
    let messages_before = now.minus_seconds(crate::MESSAGE_KEEP_DAYS * 24 * 60 * 60);
    let results = [
        store.seal_closed_questionnaires(now).await.map(drop),
        store.purge_expired_sessions(now).await.map(drop),
        store
            .purge_login_failures(kizuki_domain::throttle::window_start(now))
            .await
            .map(drop),
        store.purge_group_messages(messages_before).await.map(drop),
        store
            .purge_rate_counters(now.minus_seconds(24 * 60 * 60))
            .await
            .map(drop),
        store.remove_abandoned_imports(now).await.map(drop),
    ];
    results.into_iter().collect()
}

/// Purges the personal data of every training whose retention has run out by `now` (in
/// Japan). Answers the trainings purged and how many applications each lost.
pub async fn purge_due(store: &Store, now: Timestamp) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut purged = Vec::new();
    for training_id in store.trainings_due_for_purge(crate::today(now)).await? {
        let removed = store.purge_personal_data(training_id, now).await?;
        tracing::info!(
            training_id,
            removed,
            "purged personal data after the retention period"
        );
        purged.push((training_id, removed));
    }
    Ok(purged)
}
