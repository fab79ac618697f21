//! The KJ board's changes, each one transaction that raises the project's revision: moving a
//! node under another group (or to the top), renaming and memos, placing on the canvas,
//! dissolving a group, removing a card, the A型 diagram's relations, the B型 write-up; and
//! storing a whole imported project at once.

use kizuki_domain::Timestamp;
use kizuki_domain::qda::{spread, tree};

use crate::qda::{
    QdaBundle, QdaMember, QdaNode, QdaRelation, bump, insert_transcript, new_guid, nodes_in,
};
use crate::{Result, Store, StoreError};

/// A change the tree's rules refuse, as the store says it: `loop` or `too_deep`.
pub(crate) fn refused(refusal: tree::Refusal) -> StoreError {
    StoreError::Refused(match refusal {
        tree::Refusal::Loop => "loop",
        tree::Refusal::TooDeep => "too_deep",
    })
}

/// The kinds of relation the A型 diagram draws.
pub const RELATION_KINDS: [&str; 4] = ["cause", "contrast", "similarity", "mutual"];

impl Store {
    /// The project's revision: it rises with every change to its cards, groups or diagram.
    pub async fn qda_revision(&self, project_id: i64) -> Result<i64> {
        let revision: Option<i64> =
            sqlx::query_scalar("SELECT revision FROM qda_projects WHERE id = $1")
                .bind(project_id)
                .fetch_optional(&self.pool)
                .await?;
        revision.ok_or(StoreError::NotFound)
    }

    /// Puts `nodes` under the group `parent`, or at the top: all of them, or none when one is
    /// not in the project, the parent is not a group of it, or the tree would loop or grow
    /// deeper than [`tree::MAX_DEPTH`]. Returns the new revision.
    pub async fn move_qda_nodes(
        &self,
        project_id: i64,
        nodes: &[i64],
        parent: Option<i64>,
        at: Option<(i64, i64)>,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let mut tree: Vec<tree::Node> = nodes_in(&mut transaction, project_id)
            .await?
            .iter()
            .map(QdaNode::as_tree_node)
            .collect();
        if let Some(parent) = parent
            && !tree.iter().any(|n| n.id == parent && n.is_group)
        {
            return Err(StoreError::Refused("not_a_group"));
        }
        for (n, node) in nodes.iter().enumerate() {
            tree::check_move(&tree, &[*node], parent).map_err(refused)?;
            // Later moves see the earlier ones, so two moves cannot make a loop between them.
            let moved = tree
                .iter_mut()
                .find(|n| n.id == *node)
                .ok_or(StoreError::NotFound)?;
            let leaves = moved.parent != parent;
            moved.parent = parent;
            // A place on the table is relative to the group that holds the node: one that
            // changes groups is laid out afresh there, unless it is put somewhere (several are
            // fanned out from that point, as cards dropped together would be).
            let place = at.map(|(x, y)| {
                let step = n as i64 * (spread::GAP + spread::CARD_HEIGHT / 2);
                (x + step, y + step)
            });
            if leaves || place.is_some() {
                sqlx::query(
                    "UPDATE qda_nodes SET parent_id = $1, spread_x = $2, spread_y = $3 \
                     WHERE id = $4 AND project_id = $5",
                )
                .bind(parent)
                .bind(place.map(|p| p.0))
                .bind(place.map(|p| p.1))
                .bind(node)
                .bind(project_id)
                .execute(&mut *transaction)
                .await?;
            }
        }
        let revision = bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(revision)
    }

    /// A node's label (a group's 表札, a card's own words) and memo.
    pub async fn edit_qda_node(
        &self,
        project_id: i64,
        node: i64,
        label: &str,
        memo: &str,
    ) -> Result<i64> {
        self.change_node(
            project_id,
            sqlx::query(
                "UPDATE qda_nodes SET label = $1, memo = $2 WHERE id = $3 AND project_id = $4",
            )
            .bind(label.to_owned())
            .bind(memo.to_owned())
            .bind(node)
            .bind(project_id),
        )
        .await
    }

    /// Where a node lies on the board's table, inside its group.
    pub async fn spread_qda_node(&self, project_id: i64, node: i64, x: i64, y: i64) -> Result<i64> {
        self.change_node(
            project_id,
            sqlx::query(
                "UPDATE qda_nodes SET spread_x = $1, spread_y = $2 WHERE id = $3 AND project_id = $4",
            )
            .bind(x)
            .bind(y)
            .bind(node)
            .bind(project_id),
        )
        .await
    }

    /// Where a group sits on the A型 diagram.
    pub async fn place_qda_node(&self, project_id: i64, node: i64, x: i64, y: i64) -> Result<i64> {
        self.change_node(
            project_id,
            sqlx::query(
                "UPDATE qda_nodes SET board_x = $1, board_y = $2 WHERE id = $3 AND project_id = $4",
            )
            .bind(x)
            .bind(y)
            .bind(node)
            .bind(project_id),
        )
        .await
    }

    async fn change_node<'q>(
        &self,
        project_id: i64,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let changed = query.execute(&mut *transaction).await?.rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let revision = bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(revision)
    }

    /// Undoes a group: its members go up to its parent, and it is removed (with its relations).
    /// Returns the members, so that the board can gather them again on undo, and the revision.
    pub async fn dissolve_qda_group(&self, project_id: i64, group: i64) -> Result<(Vec<i64>, i64)> {
        let mut transaction = self.begin_write().await?;
        let parent: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT parent_id FROM qda_nodes WHERE id = $1 AND project_id = $2 AND kind = 'group'",
        )
        .bind(group)
        .bind(project_id)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(parent) = parent else {
            return Err(StoreError::NotFound);
        };
        let members: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM qda_nodes WHERE parent_id = $1 ORDER BY id")
                .bind(group)
                .fetch_all(&mut *transaction)
                .await?;
        sqlx::query("UPDATE qda_nodes SET parent_id = $1 WHERE parent_id = $2 AND project_id = $3")
            .bind(parent)
            .bind(group)
            .bind(project_id)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM qda_relations WHERE from_id = $1 OR to_id = $1")
            .bind(group)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("DELETE FROM qda_nodes WHERE id = $1 AND project_id = $2")
            .bind(group)
            .bind(project_id)
            .execute(&mut *transaction)
            .await?;
        let revision = bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok((members, revision))
    }

    /// Removes a card (not a group: groups are dissolved).
    pub async fn delete_qda_card(&self, project_id: i64, card: i64) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        sqlx::query("DELETE FROM qda_relations WHERE from_id = $1 OR to_id = $1")
            .bind(card)
            .execute(&mut *transaction)
            .await?;
        let removed = sqlx::query(
            "DELETE FROM qda_nodes WHERE id = $1 AND project_id = $2 AND kind = 'card'",
        )
        .bind(card)
        .bind(project_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        let revision = bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(revision)
    }

    pub async fn qda_relations(&self, project_id: i64) -> Result<Vec<QdaRelation>> {
        let rows: Vec<(i64, i64, i64, String, String)> = sqlx::query_as(
            "SELECT id, from_id, to_id, kind, guid FROM qda_relations WHERE project_id = $1 \
             ORDER BY id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, from_id, to_id, kind, guid)| QdaRelation {
                id,
                from_id,
                to_id,
                kind,
                guid,
            })
            .collect())
    }

    /// A relation between two different nodes of the project: its id and the new revision.
    pub async fn add_qda_relation(
        &self,
        project_id: i64,
        from: i64,
        to: i64,
        kind: &str,
    ) -> Result<(i64, i64)> {
        if !RELATION_KINDS.contains(&kind) {
            return Err(StoreError::Refused("relation_kind"));
        }
        if from == to {
            return Err(StoreError::Refused("relation_self"));
        }
        let mut transaction = self.begin_write().await?;
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM qda_nodes WHERE project_id = $1 AND id IN ($2, $3)",
        )
        .bind(project_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *transaction)
        .await?;
        if found != 2 {
            return Err(StoreError::Refused("not_in_project"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO qda_relations (project_id, from_id, to_id, kind, guid) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(project_id)
        .bind(from)
        .bind(to)
        .bind(kind)
        .bind(new_guid())
        .fetch_one(&mut *transaction)
        .await?;
        let revision = bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok((id, revision))
    }

    /// Removes a relation; returns the new revision.
    pub async fn delete_qda_relation(&self, project_id: i64, relation: i64) -> Result<i64> {
        let mut transaction = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM qda_relations WHERE id = $1 AND project_id = $2")
            .bind(relation)
            .bind(project_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound);
        }
        let revision = bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(revision)
    }

    /// The B型 write-up (Markdown).
    pub async fn qda_writeup(&self, project_id: i64) -> Result<String> {
        let writeup: Option<String> =
            sqlx::query_scalar("SELECT writeup FROM qda_projects WHERE id = $1")
                .bind(project_id)
                .fetch_optional(&self.pool)
                .await?;
        writeup.ok_or(StoreError::NotFound)
    }

    pub async fn set_qda_writeup(&self, project_id: i64, writeup: &str) -> Result<()> {
        sqlx::query("UPDATE qda_projects SET writeup = $1 WHERE id = $2")
            .bind(writeup)
            .bind(project_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a whole project in one transaction: all of it, or (on any mistake) none of it.
    /// Into `into` when given (a project `user_id` belongs to), else a new project they keep.
    pub async fn import_qda(
        &self,
        bundle: &QdaBundle,
        into: Option<i64>,
        user_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let shape: Vec<tree::Node> = bundle
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| tree::Node {
                id: index as i64,
                parent: node.parent.map(|p| p as i64),
                is_group: node.is_group,
                label: String::new(),
            })
            .collect();
        if tree::depth(&shape) > tree::MAX_DEPTH {
            return Err(StoreError::Refused("too_deep"));
        }
        let mut transaction = self.begin_write().await?;
        let project_id = match into {
            Some(id) => id,
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO qda_projects (name, created_by, created_at, writeup) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&bundle.name)
                .bind(user_id)
                .bind(now.seconds())
                .bind(&bundle.writeup)
                .fetch_one(&mut *transaction)
                .await?;
                sqlx::query(
                    "INSERT INTO qda_members (project_id, user_id, role) \
                     VALUES ($1, $2, 'key_keeper')",
                )
                .bind(id)
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
                id
            }
        };
        if into.is_some() && !bundle.writeup.is_empty() {
            sqlx::query(
                "UPDATE qda_projects SET writeup = CASE WHEN writeup = '' THEN $1 \
                 ELSE writeup || $2 || $1 END WHERE id = $3",
            )
            .bind(&bundle.writeup)
            .bind("\n\n")
            .bind(project_id)
            .execute(&mut *transaction)
            .await?;
        }
        let mut transcript_ids = Vec::with_capacity(bundle.transcripts.len());
        for (guid, input) in &bundle.transcripts {
            transcript_ids
                .push(insert_transcript(&mut transaction, project_id, input, guid, now).await?);
        }
        let mut node_ids: Vec<i64> = Vec::with_capacity(bundle.nodes.len());
        for node in &bundle.nodes {
            let parent = match node.parent {
                Some(index) => Some(
                    *node_ids
                        .get(index)
                        .ok_or(StoreError::Refused("parent_after_child"))?,
                ),
                None => None,
            };
            let transcript = match node.transcript {
                Some(index) => Some(
                    *transcript_ids
                        .get(index)
                        .ok_or(StoreError::Refused("no_transcript"))?,
                ),
                None => None,
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO qda_nodes (project_id, kind, parent_id, label, transcript_id, \
                 start_at, end_at, quote, created_by, created_at, guid, memo, board_x, board_y) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(project_id)
            .bind(if node.is_group { "group" } else { "card" })
            .bind(parent)
            .bind(&node.label)
            .bind(transcript)
            .bind(node.start)
            .bind(node.end)
            .bind(&node.quote)
            .bind(user_id)
            .bind(now.seconds())
            .bind(&node.guid)
            .bind(&node.memo)
            .bind(node.board.map(|b| b.0))
            .bind(node.board.map(|b| b.1))
            .fetch_one(&mut *transaction)
            .await
            .map_err(|error| StoreError::conflict_on_unique(error, "guid"))?;
            node_ids.push(id);
        }
        for (from, to, kind, guid) in &bundle.relations {
            let (Some(from), Some(to)) = (node_ids.get(*from), node_ids.get(*to)) else {
                return Err(StoreError::Refused("relation_end"));
            };
            sqlx::query(
                "INSERT INTO qda_relations (project_id, from_id, to_id, kind, guid) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(project_id)
            .bind(from)
            .bind(to)
            .bind(kind)
            .bind(guid)
            .execute(&mut *transaction)
            .await
            .map_err(|error| StoreError::conflict_on_unique(error, "guid"))?;
        }
        bump(&mut transaction, project_id).await?;
        transaction.commit().await?;
        Ok(project_id)
    }

    /// The project's members, in the order they joined the site.
    pub async fn qda_members(&self, project_id: i64) -> Result<Vec<QdaMember>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.display_name, u.email, m.role FROM qda_members m JOIN users u \
             ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.id",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, name, email, role)| QdaMember {
                user_id,
                name,
                email,
                role,
            })
            .collect())
    }

    pub async fn qda_project_name(&self, project_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT name FROM qda_projects WHERE id = $1")
                .bind(project_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The project a member belongs to with this name, if any (the CLI imports into it).
    pub async fn qda_project_named(&self, name: &str, user_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT p.id FROM qda_projects p JOIN qda_members m ON m.project_id = p.id \
             WHERE p.name = $1 AND m.user_id = $2 ORDER BY p.id LIMIT 1",
        )
        .bind(name)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
