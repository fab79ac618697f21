//! KJ-method projects: members, the pseudonym key (a table of its own), transcripts, and the
//! tree of cards and groups. Every read of transcript content through the web is logged with
//! `log_qda_access`.

use kizuki_domain::Timestamp;
use kizuki_domain::qda::pseudonyms::Entry;
use kizuki_domain::qda::tree;

use crate::{Backend, Result, Store, StoreError};

/// A researcher in a project, as its members page lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// `member` or `key_keeper`.
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaProject {
    pub id: i64,
    pub name: String,
    /// The asking member's role: `member` or `key_keeper`.
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptInput {
    pub name: String,
    /// group, individual or other.
    pub kind: String,
    pub session_date: Option<String>,
    pub place: String,
    pub participants: Option<i64>,
    /// NFC, `\n`, pseudonymised.
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transcript {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub kind: String,
    pub session_date: Option<String>,
    pub place: String,
    pub participants: Option<i64>,
    pub body: String,
    pub guid: String,
}

/// A card or a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaNode {
    pub id: i64,
    pub is_group: bool,
    pub parent_id: Option<i64>,
    pub label: String,
    pub transcript_id: Option<i64>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub quote: Option<String>,
    pub guid: String,
    /// A group's memo (its reasons, doubts); empty for most.
    pub memo: String,
    /// Where the node sits on the board, once someone has placed it.
    pub board_x: Option<i64>,
    pub board_y: Option<i64>,
    /// Where the node lies on the board's table, inside its group, once someone has put it.
    pub spread_x: Option<i64>,
    pub spread_y: Option<i64>,
}

/// A relation of the A型 diagram between two nodes (mostly groups).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QdaRelation {
    pub id: i64,
    pub from_id: i64,
    pub to_id: i64,
    /// cause, contrast, similarity or mutual.
    pub kind: String,
    pub guid: String,
}

/// A whole project to store at once (an imported QDPX file): nodes refer to their parent and
/// transcript by place in these lists, parents before children.
#[derive(Clone, Debug, Default)]
pub struct QdaBundle {
    pub name: String,
    pub writeup: String,
    pub transcripts: Vec<(String, TranscriptInput)>,
    pub nodes: Vec<BundleNode>,
    /// (from, to, kind, guid) by place in `nodes`.
    pub relations: Vec<(usize, usize, String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct BundleNode {
    pub guid: String,
    pub is_group: bool,
    pub parent: Option<usize>,
    pub label: String,
    pub memo: String,
    pub transcript: Option<usize>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub quote: Option<String>,
    pub board: Option<(i64, i64)>,
}

/// A new GUID for anything REFI-QDA will name.
pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl QdaNode {
    pub fn as_tree_node(&self) -> tree::Node {
        tree::Node {
            id: self.id,
            parent: self.parent_id,
            is_group: self.is_group,
            label: self.label.clone(),
        }
    }
}

/// A new card: the passage and its exact text, and an optional label in the researcher's words.
#[derive(Clone, Debug)]
pub struct CardInput<'a> {
    pub transcript_id: i64,
    pub start: i64,
    pub end: i64,
    pub quote: &'a str,
    pub label: &'a str,
}

type TranscriptRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    String,
    Option<String>,
);

type NodeRow = (
    i64,
    String,
    Option<i64>,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

impl Store {
    /// A new project; its maker becomes its first member and keeps the pseudonym key.
    pub async fn create_qda_project(
        &self,
        name: &str,
        user_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO qda_projects (name, created_by, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(user_id)
        .bind(now.seconds())
        .fetch_one(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO qda_members (project_id, user_id, role) VALUES ($1, $2, 'key_keeper')",
        )
        .bind(id)
        .bind(user_id)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(id)
    }

    /// The projects `user_id` belongs to.
    pub async fn qda_projects_of(&self, user_id: i64) -> Result<Vec<QdaProject>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.name, m.role FROM qda_projects p JOIN qda_members m \
             ON m.project_id = p.id WHERE m.user_id = $1 ORDER BY p.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, role)| QdaProject { id, name, role })
            .collect())
    }

    /// The project as `user_id` may see it; `NotFound` for anyone who is not a member, so that
    /// outsiders cannot even tell it exists.
    pub async fn qda_project_for(&self, project_id: i64, user_id: i64) -> Result<QdaProject> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.name, m.role FROM qda_projects p JOIN qda_members m \
             ON m.project_id = p.id WHERE p.id = $1 AND m.user_id = $2",
        )
        .bind(project_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(id, name, role)| QdaProject { id, name, role })
            .ok_or(StoreError::NotFound)
    }

    /// Whether `user_id` is a member of the project (the route table's check, before any
    /// handler runs).
    pub async fn is_qda_member(&self, project_id: i64, user_id: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM qda_members WHERE project_id = $1 AND user_id = $2",
        )
        .bind(project_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Whether `user_id` is a member of the project that holds this transcript.
    pub async fn is_qda_transcript_member(&self, transcript_id: i64, user_id: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM qda_transcripts t JOIN qda_members m ON m.project_id = t.project_id \
             WHERE t.id = $1 AND m.user_id = $2",
        )
        .bind(transcript_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Adds a member, or makes a member a key keeper; adding someone again never takes the
    /// key from them.
    pub async fn add_qda_member(&self, project_id: i64, user_id: i64, role: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO qda_members (project_id, user_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (project_id, user_id) DO UPDATE SET role = CASE \
             WHEN excluded.role = 'key_keeper' THEN excluded.role ELSE qda_members.role END",
        )
        .bind(project_id)
        .bind(user_id)
        .bind(role)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes a member out of the project. Refused (`Refused("last_keeper")`) when they are its
    /// last key keeper, so that the key always has someone to keep it; `NotFound` when they
    /// are not a member. One change at a time per project, so two keepers cannot take each
    /// other out at once.
    pub async fn remove_qda_member(&self, project_id: i64, user_id: i64) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let lock = match self.backend {
            Backend::Sqlite => "SELECT id FROM qda_projects WHERE id = $1",
            Backend::Postgres => "SELECT id FROM qda_projects WHERE id = $1 FOR UPDATE",
        };
        sqlx::query_scalar::<_, i64>(lock)
            .bind(project_id)
            .fetch_optional(&mut *transaction)
            .await?
            .ok_or(StoreError::NotFound)?;
        let roles: Vec<(i64, String)> =
            sqlx::query_as("SELECT user_id, role FROM qda_members WHERE project_id = $1")
                .bind(project_id)
                .fetch_all(&mut *transaction)
                .await?;
        let role = roles
            .iter()
            .find(|(member, _)| *member == user_id)
            .map(|(_, role)| role.as_str())
            .ok_or(StoreError::NotFound)?;
        let keepers = roles.iter().filter(|(_, r)| r == "key_keeper").count();
        if role == "key_keeper" && keepers == 1 {
            return Err(StoreError::Refused("last_keeper"));
        }
        sqlx::query("DELETE FROM qda_members WHERE project_id = $1 AND user_id = $2")
            .bind(project_id)
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Replaces the pseudonym key.
    pub async fn set_pseudonyms(&self, project_id: i64, entries: &[Entry]) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        sqlx::query("DELETE FROM qda_pseudonyms WHERE project_id = $1")
            .bind(project_id)
            .execute(&mut *transaction)
            .await?;
        for entry in entries {
            sqlx::query(
                "INSERT INTO qda_pseudonyms (project_id, real_name, pseudonym) VALUES ($1, $2, $3)",
            )
            .bind(project_id)
            .bind(&entry.real)
            .bind(&entry.pseudonym)
            .execute(&mut *transaction)
            .await
            .map_err(|error| StoreError::conflict_on_unique(error, "pseudonym"))?;
        }
        transaction.commit().await?;
        Ok(())
    }

    pub async fn pseudonyms(&self, project_id: i64) -> Result<Vec<Entry>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT real_name, pseudonym FROM qda_pseudonyms WHERE project_id = $1 ORDER BY id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(real, pseudonym)| Entry { real, pseudonym })
            .collect())
    }

    pub async fn create_transcript(
        &self,
        project_id: i64,
        input: &TranscriptInput,
        now: Timestamp,
    ) -> Result<i64> {
        let mut connection = self.pool.acquire().await?;
        insert_transcript(&mut connection, project_id, input, &new_guid(), now).await
    }

    pub async fn transcript(&self, id: i64) -> Result<Transcript> {
        let row: Option<TranscriptRow> = sqlx::query_as(
            "SELECT id, project_id, name, kind, session_date, place, participants, body, guid \
             FROM qda_transcripts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(transcript_of).ok_or(StoreError::NotFound)
    }

    pub async fn transcripts(&self, project_id: i64) -> Result<Vec<Transcript>> {
        let rows: Vec<TranscriptRow> = sqlx::query_as(
            "SELECT id, project_id, name, kind, session_date, place, participants, body, guid \
             FROM qda_transcripts WHERE project_id = $1 ORDER BY id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(transcript_of).collect())
    }

    pub async fn create_card(
        &self,
        project_id: i64,
        card: &CardInput<'_>,
        user_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO qda_nodes (project_id, kind, label, transcript_id, start_at, end_at, \
             quote, created_by, created_at, guid) \
             VALUES ($1, 'card', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(project_id)
        .bind(card.label)
        .bind(card.transcript_id)
        .bind(card.start)
        .bind(card.end)
        .bind(card.quote)
        .bind(user_id)
        .bind(now.seconds())
        .bind(new_guid())
        .fetch_one(&mut *transaction)
        .await?;
        bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(id)
    }

    /// A new group with its label, under `parent` (a group of the project) or at the top,
    /// gathering `members` (cards or groups of the project). Refused when a member does not
    /// belong to the project, or the tree would loop or grow deeper than [`tree::MAX_DEPTH`].
    pub async fn create_group(
        &self,
        project_id: i64,
        label: &str,
        parent: Option<i64>,
        members: &[i64],
        user_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let nodes = nodes_in(&mut transaction, project_id).await?;
        let tree: Vec<tree::Node> = nodes.iter().map(QdaNode::as_tree_node).collect();
        if let Some(parent) = parent
            && !nodes.iter().any(|n| n.id == parent && n.is_group)
        {
            return Err(StoreError::Refused("not_a_group"));
        }
        if members.iter().any(|m| !nodes.iter().any(|n| n.id == *m)) {
            return Err(StoreError::Refused("not_in_project"));
        }
        // The new group as it will stand, so that the rules see the level it adds and a member
        // that is `parent` or above it loops through it.
        let mut planned = tree;
        let new_group = planned.iter().map(|n| n.id).max().unwrap_or(0) + 1;
        planned.push(tree::Node {
            id: new_group,
            parent,
            is_group: true,
            label: String::new(),
        });
        tree::check_move(&planned, members, Some(new_group)).map_err(crate::qda_board::refused)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO qda_nodes (project_id, kind, parent_id, label, created_by, created_at, \
             guid) VALUES ($1, 'group', $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(project_id)
        .bind(parent)
        .bind(label)
        .bind(user_id)
        .bind(now.seconds())
        .bind(new_guid())
        .fetch_one(&mut *transaction)
        .await?;
        for member in members {
            sqlx::query("UPDATE qda_nodes SET parent_id = $1 WHERE id = $2 AND project_id = $3")
                .bind(id)
                .bind(member)
                .bind(project_id)
                .execute(&mut *transaction)
                .await?;
        }
        bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(id)
    }

    /// Every card and group of a project.
    pub async fn qda_nodes(&self, project_id: i64) -> Result<Vec<QdaNode>> {
        let mut connection = self.pool.acquire().await?;
        nodes_in(&mut connection, project_id).await
    }

    /// The cards made from one transcript (what its page and the API show with it).
    pub async fn transcript_cards(&self, transcript_id: i64) -> Result<Vec<QdaNode>> {
        let mut connection = self.pool.acquire().await?;
        cards_of(&mut connection, transcript_id).await
    }

    /// Records that someone read or exported transcript content.
    /// `user_id` is `None` for the operator at the command line.
    pub async fn log_qda_access(
        &self,
        project_id: i64,
        user_id: impl Into<Option<i64>>,
        action: &str,
        subject: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO qda_access_log (project_id, user_id, action, subject, recorded_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(project_id)
        .bind(user_id.into())
        .bind(action)
        .bind(subject)
        .bind(now.seconds())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` lines of a project's access log, and how many it holds in all.
    pub async fn qda_access_log_recent(
        &self,
        project_id: i64,
        limit: i64,
    ) -> Result<(Vec<(Option<i64>, String, String, i64)>, i64)> {
        let recent = sqlx::query_as(
            "SELECT user_id, action, subject, recorded_at FROM qda_access_log \
             WHERE project_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT $2",
        )
        .bind(project_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM qda_access_log WHERE project_id = $1")
            .bind(project_id)
            .fetch_one(&self.pool)
            .await?;
        Ok((recent, total))
    }

    /// The access log of a project, newest first: (user id, action, subject, when).
    pub async fn qda_access_log(
        &self,
        project_id: i64,
    ) -> Result<Vec<(Option<i64>, String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT user_id, action, subject, recorded_at FROM qda_access_log \
             WHERE project_id = $1 ORDER BY recorded_at DESC, id DESC",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

fn transcript_of(row: TranscriptRow) -> Transcript {
    let (id, project_id, name, kind, session_date, place, participants, body, guid) = row;
    Transcript {
        id,
        project_id,
        name,
        kind,
        session_date,
        place,
        participants,
        body,
        guid: guid.unwrap_or_default(),
    }
}

const NODE_COLUMNS: &str = "SELECT id, kind, parent_id, label, transcript_id, start_at, end_at, \
     quote, guid, memo, board_x, board_y, spread_x, spread_y FROM qda_nodes";

pub(crate) async fn nodes_in(
    connection: &mut sqlx::AnyConnection,
    project_id: i64,
) -> Result<Vec<QdaNode>> {
    let rows: Vec<NodeRow> =
        sqlx::query_as(&format!("{NODE_COLUMNS} WHERE project_id = $1 ORDER BY id"))
            .bind(project_id)
            .fetch_all(&mut *connection)
            .await?;
    Ok(rows_to_nodes(rows))
}

/// The cards made from one transcript, in the order they were made.
pub(crate) async fn cards_of(
    connection: &mut sqlx::AnyConnection,
    transcript_id: i64,
) -> Result<Vec<QdaNode>> {
    let rows: Vec<NodeRow> = sqlx::query_as(&format!(
        "{NODE_COLUMNS} WHERE transcript_id = $1 ORDER BY id"
    ))
    .bind(transcript_id)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows_to_nodes(rows))
}

fn rows_to_nodes(rows: Vec<NodeRow>) -> Vec<QdaNode> {
    rows.into_iter()
        .map(
            |(
                id,
                kind,
                parent_id,
                label,
                transcript_id,
                start,
                end,
                quote,
                guid,
                memo,
                board_x,
                board_y,
                spread_x,
                spread_y,
            )| QdaNode {
                id,
                is_group: kind == "group",
                parent_id,
                label,
                transcript_id,
                start,
                end,
                quote,
                guid: guid.unwrap_or_default(),
                memo,
                board_x,
                board_y,
                spread_x,
                spread_y,
            },
        )
        .collect()
}

pub(crate) async fn insert_transcript(
    connection: &mut sqlx::AnyConnection,
    project_id: i64,
    input: &TranscriptInput,
    guid: &str,
    now: Timestamp,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO qda_transcripts (project_id, name, kind, session_date, place, \
         participants, body, created_at, guid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(project_id)
    .bind(&input.name)
    .bind(&input.kind)
    .bind(&input.session_date)
    .bind(&input.place)
    .bind(input.participants)
    .bind(&input.body)
    .bind(now.seconds())
    .bind(guid)
    .fetch_one(&mut *connection)
    .await
    .map_err(|error| StoreError::conflict_on_unique(error, "guid"))
}

/// Raises the project's revision: other researchers' boards see the number change and reload.
pub(crate) async fn bump(connection: &mut sqlx::AnyConnection, project_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "UPDATE qda_projects SET revision = revision + 1 WHERE id = $1 RETURNING revision",
    )
    .bind(project_id)
    .fetch_one(&mut *connection)
    .await?)
}
