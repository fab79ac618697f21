use kizuki_domain::{EmailAddress, Role, Timestamp};

use crate::{Result, Store, StoreError, parse_column};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub preferred_lang: String,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
    /// False for an invited account whose owner has not chosen a password yet.
    pub has_password: bool,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

pub struct NewUser<'a> {
    pub email: &'a EmailAddress,
    pub display_name: &'a str,
    pub role: Role,
    /// `None` for an invited account that will choose its own password.
    pub password_hash: Option<&'a str>,
    pub now: Timestamp,
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    preferred_lang: String,
    created_at: i64,
    disabled_at: Option<i64>,
    password_hash: Option<String>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        Ok(User {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: parse_column("role", &self.role)?,
            preferred_lang: self.preferred_lang,
            created_at: Timestamp(self.created_at),
            disabled_at: self.disabled_at.map(Timestamp),
            has_password: self.password_hash.is_some(),
        })
    }
}

pub(crate) const USER_COLUMNS: &str = "users.id, users.email, users.display_name, users.role, \
     users.preferred_lang, users.created_at, users.disabled_at, users.password_hash";

impl Store {
    pub async fn create_user(&self, new: NewUser<'_>) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, role, password_hash, created_at, \
             password_changed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.email.as_str())
        .bind(new.display_name)
        .bind(new.role.as_str())
        .bind(new.password_hash)
        .bind(new.now.seconds())
        .bind(new.password_hash.map(|_| new.now.seconds()))
        .fetch_one(&self.pool)
        .await
        .map_err(|error| StoreError::conflict_on_unique(error, "an account with this email"))?;
        Ok(id)
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.ok_or(StoreError::NotFound)?.into_user()
    }

    /// The account and its password hash, for signing in.
    pub async fn user_for_login(&self, email: &EmailAddress) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row: Option<UserRow> = sqlx::query_as(&sql)
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => {
                let hash = row.password_hash.clone().unwrap_or_default();
                Ok(Some((row.into_user()?, hash)))
            }
            None => Ok(None),
        }
    }

    pub async fn user_by_email(&self, email: &EmailAddress) -> Result<User> {
        Ok(self
            .user_for_login(email)
            .await?
            .ok_or(StoreError::NotFound)?
            .0)
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY disabled_at IS NOT NULL, display_name, id"
        );
        let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    pub async fn password_hash(&self, user_id: i64) -> Result<Option<String>> {
        let hash: Option<Option<String>> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        hash.ok_or(StoreError::NotFound)
    }

    /// Sets a new password and signs the account out everywhere except `keep_session`.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now.seconds())
        .bind(user_id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    pub async fn set_role(&self, user_id: i64, role: Role) -> Result<()> {
        let updated = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_display_name(&self, user_id: i64, display_name: &str) -> Result<()> {
        sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
            .bind(display_name)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_preferred_lang(&self, user_id: i64, lang: &str) -> Result<()> {
        sqlx::query("UPDATE users SET preferred_lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Disables an account: its sessions end and its API tokens stop working at once.
    pub async fn disable_user(&self, user_id: i64, now: Timestamp) -> Result<()> {
        let mut transaction = self.begin_write().await?;
        let updated =
            sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
                .bind(now.seconds())
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
        if updated.rows_affected() > 0 {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *transaction)
                .await?;
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now.seconds())
            .bind(user_id)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    pub async fn enable_user(&self, user_id: i64) -> Result<()> {
        sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many active administrators there are; the last one may not be demoted or disabled.
    pub async fn count_active_admins(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}
