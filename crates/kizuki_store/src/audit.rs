use kizuki_domain::Timestamp;

use crate::{Result, Store};

/// One administrative action, kept so that changes to accounts can be traced.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub recorded_at: i64,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl Store {
    pub async fn record_audit(
        &self,
        actor_user_id: Option<i64>,
        action: &str,
        subject: &str,
        detail: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (recorded_at, actor_user_id, action, subject, detail) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now.seconds())
        .bind(actor_user_id)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT audit_log.id, audit_log.recorded_at, users.display_name AS actor_name, \
             audit_log.action, audit_log.subject, audit_log.detail \
             FROM audit_log LEFT JOIN users ON users.id = audit_log.actor_user_id \
             ORDER BY audit_log.recorded_at DESC, audit_log.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
