use crate::{Result, Store};

/// Where a public training was held or a public study group meets, for the map and statistics.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PlaceRow {
    /// "training" or "group".
    pub what: String,
    pub item_id: i64,
    /// The training's kind; empty for groups.
    pub kind: String,
    /// First day of the training, or first meeting of the group ('YYYY-MM-DD').
    pub first_on: Option<String>,
    pub status: String,
    pub attendance_count: Option<i64>,
    pub venue_kind: Option<String>,
    pub prefecture_code: Option<i64>,
    pub municipality: Option<String>,
    pub latitude_e6: Option<i64>,
    pub longitude_e6: Option<i64>,
}

impl Store {
    /// Every public training and study group with its place: what the map and the statistics
    /// page are drawn from.
    pub async fn public_places(&self) -> Result<Vec<PlaceRow>> {
        Ok(sqlx::query_as(
            "SELECT 'training' AS what, t.id AS item_id, t.kind, \
             (SELECT MIN(d.day_on) FROM training_days d WHERE d.training_id = t.id) AS first_on, \
             t.status, t.attendance_count, v.kind AS venue_kind, v.prefecture_code, v.municipality, \
             v.latitude_e6, v.longitude_e6 \
             FROM trainings t LEFT JOIN venues v ON v.id = t.venue_id WHERE t.status <> 'draft' AND t.import_id IS NULL \
             UNION ALL \
             SELECT 'group' AS what, g.id AS item_id, '' AS kind, g.first_meeting_on AS first_on, \
             g.status, NULL AS attendance_count, v.kind AS venue_kind, v.prefecture_code, v.municipality, \
             v.latitude_e6, v.longitude_e6 \
             FROM study_groups g LEFT JOIN venues v ON v.id = g.venue_id WHERE g.status <> 'pending_approval' \
             AND g.import_id IS NULL \
             ORDER BY what, item_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
