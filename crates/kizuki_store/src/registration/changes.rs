//! Changes to applications after they are made: by the applicant (confirm, take a free seat,
//! cancel), by organisers (approve, decline, move, reorder the waitlist, draw the lottery) and by
//! the clock (holds and offers that run out). Each runs under the training's lock and settles
//! the training before it commits, so a freed seat goes to the waitlist at once.

use jiff::civil::Date;
use kizuki_domain::Timestamp;
use kizuki_domain::allocation::{Allocation, Status};
use kizuki_domain::lottery::{self, LotteryEntry};
use serde::Serialize;
use sqlx::{Any, Transaction};

use super::{FrameSeats, Locked, Notice, NoticeKind, frame_key, log, seats_of, settle, status_of};
use crate::{Result, Store, StoreError};

/// Who asked for a change: the applicant through their private link, or an organiser (with the
/// reason the log keeps).
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    Applicant,
    Organiser { user_id: i64, reason: &'a str },
    Clock,
}

impl Actor<'_> {
    fn user(&self) -> Option<i64> {
        match self {
            Actor::Organiser { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }

    fn reason(&self) -> &str {
        match self {
            Actor::Organiser { reason, .. } => reason,
            _ => "",
        }
    }
}

/// The record of a draw, as exported: enough to repeat it.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct LotteryRecord {
    pub training_id: i64,
    pub seed: String,
    pub seed_sha256: String,
    pub algorithm: String,
    pub drawn_at: i64,
    /// Free seats per frame at the draw (frame `null` for a training without frames).
    pub seats: Vec<LotterySeats>,
    /// The entries drawn from: application ids with their frames, in id order.
    pub entries: Vec<LotteryEntryRecord>,
    /// Entries left out because their email address was never confirmed.
    pub excluded_unconfirmed: Vec<i64>,
    pub order: Vec<i64>,
    pub winners: Vec<i64>,
    pub waitlist: Vec<i64>,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct LotterySeats {
    pub frame: Option<i64>,
    pub seats: i64,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct LotteryEntryRecord {
    pub id: i64,
    pub frame: Option<i64>,
}

impl LotteryRecord {
    /// Repeats the draw from the record alone.
    pub fn redraw(&self) -> lottery::Outcome {
        let entries: Vec<LotteryEntry> = self
            .entries
            .iter()
            .map(|entry| LotteryEntry {
                id: entry.id,
                frame: entry.frame,
            })
            .collect();
        let seats: Vec<(Option<i64>, i64)> =
            self.seats.iter().map(|s| (s.frame, s.seats)).collect();
        lottery::draw(&self.seed, &entries, &seats)
    }
}

async fn current(
    transaction: &mut Transaction<'static, Any>,
    application_id: i64,
    training_id: i64,
) -> Result<(Status, Option<i64>, Option<i64>)> {
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT status, frame_id, email_verified_at FROM applications WHERE id = $1 AND training_id = $2",
    )
    .bind(application_id)
    .bind(training_id)
    .fetch_optional(&mut **transaction)
    .await?;
    let (status, frame, verified) = row.ok_or(StoreError::NotFound)?;
    Ok((status_of(&status)?, frame, verified))
}

async fn set_status(
    transaction: &mut Transaction<'static, Any>,
    application_id: i64,
    status: Status,
    position: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE applications SET status = $1, waitlist_position = $2, hold_expires_at = NULL, \
         updated_at = $3 WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(position)
    .bind(now.seconds())
    .bind(application_id)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

fn free_in(seats: &[FrameSeats], frame: Option<i64>) -> i64 {
    seats_of(seats, frame).map_or(0, |s| s.state.capacity - s.state.taken)
}

fn last_position(seats: &[FrameSeats], frame: Option<i64>) -> i64 {
    seats_of(seats, frame).map_or(0, |s| s.state.last_position)
}

fn notice(locked: &Locked, application_id: i64, kind: NoticeKind) -> Notice {
    Notice {
        application_id,
        training_id: locked.id,
        kind,
    }
}

impl Store {
    /// The applicant confirms: their email address is theirs, and a held seat (or an offer)
    /// becomes theirs.
    pub async fn confirm_application(
        &self,
        training_id: i64,
        application_id: i64,
        now: Timestamp,
        today: Date,
    ) -> Result<(Status, Vec<Notice>)> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        let mut notices = Vec::new();
        settle(&mut transaction, &locked, now, today, &mut notices).await?;
        let (status, _, _) = current(&mut transaction, application_id, training_id).await?;
        sqlx::query(
            "UPDATE applications SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1 \
             WHERE id = $2",
        )
        .bind(now.seconds())
        .bind(application_id)
        .execute(&mut *transaction)
        .await?;
        let status = match status {
            Status::Held => {
                set_status(
                    &mut transaction,
                    application_id,
                    Status::Confirmed,
                    None,
                    now,
                )
                .await?;
                log(&mut transaction, application_id, now, None, "confirmed", "").await?;
                notices.push(notice(&locked, application_id, NoticeKind::Confirmed));
                Status::Confirmed
            }
            Status::Expired => return Err(StoreError::Refused("expired")),
            other => other,
        };
        transaction.commit().await?;
        Ok((status, notices))
    }

    /// Someone on the waitlist takes a seat that is free (in the last days, when seats are not
    /// offered one by one).
    pub async fn take_free_seat(
        &self,
        training_id: i64,
        application_id: i64,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        let mut notices = Vec::new();
        let seats = settle(&mut transaction, &locked, now, today, &mut notices).await?;
        let (status, frame, _) = current(&mut transaction, application_id, training_id).await?;
        if status != Status::Waitlisted {
            return Err(StoreError::Refused("not_waitlisted"));
        }
        if free_in(&seats, frame) <= 0 {
            return Err(StoreError::Refused("full"));
        }
        set_status(
            &mut transaction,
            application_id,
            Status::Confirmed,
            None,
            now,
        )
        .await?;
        sqlx::query("UPDATE applications SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2")
            .bind(now.seconds())
            .bind(application_id)
            .execute(&mut *transaction)
            .await?;
        log(
            &mut transaction,
            application_id,
            now,
            None,
            "took_free_seat",
            "",
        )
        .await?;
        notices.push(notice(&locked, application_id, NoticeKind::Confirmed));
        transaction.commit().await?;
        Ok(notices)
    }

    /// Cancels an application (or takes it off the waitlist); a seat it held goes to the next
    /// person waiting.
    pub async fn cancel_application(
        &self,
        training_id: i64,
        application_id: i64,
        actor: Actor<'_>,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        self.finish(
            training_id,
            application_id,
            Status::Cancelled,
            actor,
            now,
            today,
        )
        .await
    }

    pub async fn decline_application(
        &self,
        training_id: i64,
        application_id: i64,
        actor: Actor<'_>,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        self.finish(
            training_id,
            application_id,
            Status::Declined,
            actor,
            now,
            today,
        )
        .await
    }

    async fn finish(
        &self,
        training_id: i64,
        application_id: i64,
        end: Status,
        actor: Actor<'_>,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        let mut notices = Vec::new();
        let (status, _, _) = current(&mut transaction, application_id, training_id).await?;
        if !status.is_active() {
            return Err(StoreError::Refused("not_active"));
        }
        set_status(&mut transaction, application_id, end, None, now).await?;
        log(
            &mut transaction,
            application_id,
            now,
            actor.user(),
            end.as_str(),
            actor.reason(),
        )
        .await?;
        notices.push(notice(
            &locked,
            application_id,
            if end == Status::Declined {
                NoticeKind::Declined
            } else {
                NoticeKind::Cancelled
            },
        ));
        settle(&mut transaction, &locked, now, today, &mut notices).await?;
        transaction.commit().await?;
        Ok(notices)
    }

    /// An organiser gives an application a seat (approval, or a move from the waitlist), if one
    /// is free in its frame: capacity is never exceeded, not even by hand.
    pub async fn give_seat(
        &self,
        training_id: i64,
        application_id: i64,
        actor: Actor<'_>,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        let mut notices = Vec::new();
        let (status, frame, _) = current(&mut transaction, application_id, training_id).await?;
        if !matches!(
            status,
            Status::PendingApproval | Status::Waitlisted | Status::Lottery | Status::Held
        ) {
            return Err(StoreError::Refused("not_movable"));
        }
        // The organiser chose this person: the seats are counted before any offer is made.
        let seats = super::frame_seats(&mut transaction, &locked, now).await?;
        if status != Status::Held && free_in(&seats, frame) <= 0 {
            return Err(StoreError::Refused("full"));
        }
        set_status(
            &mut transaction,
            application_id,
            Status::Confirmed,
            None,
            now,
        )
        .await?;
        let action = if status == Status::PendingApproval {
            "approved"
        } else {
            "moved_to_confirmed"
        };
        log(
            &mut transaction,
            application_id,
            now,
            actor.user(),
            action,
            actor.reason(),
        )
        .await?;
        notices.push(notice(&locked, application_id, NoticeKind::Confirmed));
        settle(&mut transaction, &locked, now, today, &mut notices).await?;
        transaction.commit().await?;
        Ok(notices)
    }

    /// An organiser moves an application to the end of its frame's waitlist.
    pub async fn move_to_waitlist(
        &self,
        training_id: i64,
        application_id: i64,
        actor: Actor<'_>,
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<Notice>> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        let mut notices = Vec::new();
        let (status, frame, _) = current(&mut transaction, application_id, training_id).await?;
        if !matches!(
            status,
            Status::PendingApproval | Status::Confirmed | Status::Held | Status::Lottery
        ) {
            return Err(StoreError::Refused("not_movable"));
        }
        let seats = super::frame_seats(&mut transaction, &locked, now).await?;
        let position = last_position(&seats, frame) + 1;
        set_status(
            &mut transaction,
            application_id,
            Status::Waitlisted,
            Some(position),
            now,
        )
        .await?;
        sqlx::query("UPDATE applications SET offered_at = NULL WHERE id = $1")
            .bind(application_id)
            .execute(&mut *transaction)
            .await?;
        log(
            &mut transaction,
            application_id,
            now,
            actor.user(),
            "moved_to_waitlist",
            actor.reason(),
        )
        .await?;
        let rank = waitlist_rank(&mut transaction, training_id, frame, position).await?;
        notices.push(notice(
            &locked,
            application_id,
            NoticeKind::Waitlisted { position: rank },
        ));
        settle(&mut transaction, &locked, now, today, &mut notices).await?;
        transaction.commit().await?;
        Ok(notices)
    }

    /// Puts a waitlisted application at `rank` (1 first) in its frame's waitlist.
    pub async fn reorder_waitlist(
        &self,
        training_id: i64,
        application_id: i64,
        rank: i64,
        actor: Actor<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let (mut transaction, _) = self.lock_training(training_id).await?;
        let (status, frame, _) = current(&mut transaction, application_id, training_id).await?;
        if status != Status::Waitlisted {
            return Err(StoreError::Refused("not_waitlisted"));
        }
        let mut order: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM applications WHERE training_id = $1 AND COALESCE(frame_id, 0) = $2 \
             AND status = 'waitlisted' ORDER BY waitlist_position, id",
        )
        .bind(training_id)
        .bind(frame_key(frame))
        .fetch_all(&mut *transaction)
        .await?;
        let from = order
            .iter()
            .position(|id| *id == application_id)
            .ok_or(StoreError::NotFound)?;
        order.remove(from);
        let to = usize::try_from(rank.max(1) - 1)
            .unwrap_or(0)
            .min(order.len());
        order.insert(to, application_id);
        for (index, id) in order.iter().enumerate() {
            sqlx::query("UPDATE applications SET waitlist_position = $1 WHERE id = $2")
                .bind(i64::try_from(index).unwrap_or(i64::MAX) + 1)
                .bind(id)
                .execute(&mut *transaction)
                .await?;
        }
        let reason = format!("{} → {}: {}", from + 1, to + 1, actor.reason());
        log(
            &mut transaction,
            application_id,
            now,
            actor.user(),
            "reordered",
            &reason,
        )
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Draws the lottery: winners get a seat, the others join the waitlist in drawn order.
    /// Entries whose email address was never confirmed are left out.
    pub async fn draw_lottery(
        &self,
        training_id: i64,
        actor: Actor<'_>,
        now: Timestamp,
        today: Date,
    ) -> Result<(LotteryRecord, Vec<Notice>)> {
        let (mut transaction, locked) = self.lock_training(training_id).await?;
        if locked.allocation != Allocation::Lottery {
            return Err(StoreError::Refused("not_lottery"));
        }
        if locked.lottery_drawn {
            return Err(StoreError::Refused("already_drawn"));
        }
        // The draw is at the close of the window: everyone who applied in time is in it.
        if locked.close_on.is_none_or(|close| close >= today) {
            return Err(StoreError::Refused("not_closed"));
        }
        let seed: Option<(String, String)> =
            sqlx::query_as("SELECT seed, seed_hash FROM lotteries WHERE training_id = $1")
                .bind(training_id)
                .fetch_optional(&mut *transaction)
                .await?;
        let (seed, seed_hash) = seed.ok_or(StoreError::Refused("no_seed"))?;
        let rows: Vec<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT id, frame_id, email_verified_at FROM applications \
             WHERE training_id = $1 AND status = 'lottery' ORDER BY id",
        )
        .bind(training_id)
        .fetch_all(&mut *transaction)
        .await?;
        let mut notices = Vec::new();
        let seats = settle(&mut transaction, &locked, now, today, &mut notices).await?;
        let framed = seats.iter().any(|s| s.frame.is_some());
        let entries: Vec<LotteryEntry> = rows
            .iter()
            .filter(|(_, _, verified)| verified.is_some())
            .map(|(id, frame, _)| LotteryEntry {
                id: *id,
                frame: if framed { *frame } else { None },
            })
            .collect();
        let excluded: Vec<i64> = rows
            .iter()
            .filter(|(_, _, verified)| verified.is_none())
            .map(|(id, _, _)| *id)
            .collect();
        let free: Vec<(Option<i64>, i64)> = seats
            .iter()
            .map(|s| (s.frame, (s.state.capacity - s.state.taken).max(0)))
            .collect();
        let outcome = lottery::draw(&seed, &entries, &free);
        for id in &excluded {
            set_status(&mut transaction, *id, Status::Expired, None, now).await?;
            log(
                &mut transaction,
                *id,
                now,
                actor.user(),
                "lottery_unconfirmed",
                "",
            )
            .await?;
        }
        for id in &outcome.winners {
            set_status(&mut transaction, *id, Status::Confirmed, None, now).await?;
            log(&mut transaction, *id, now, actor.user(), "lottery_won", "").await?;
            notices.push(notice(&locked, *id, NoticeKind::Confirmed));
        }
        let mut next_position: Vec<(Option<i64>, i64)> = seats
            .iter()
            .map(|s| (s.frame, s.state.last_position))
            .collect();
        let mut rank_in_frame: Vec<(Option<i64>, i64)> =
            seats.iter().map(|s| (s.frame, s.state.waiting)).collect();
        for id in &outcome.waitlist {
            let frame = entries.iter().find(|e| e.id == *id).and_then(|e| e.frame);
            let slot = next_position.iter_mut().find(|(f, _)| *f == frame);
            let position = match slot {
                Some((_, last)) => {
                    *last += 1;
                    *last
                }
                None => 1,
            };
            let rank = match rank_in_frame.iter_mut().find(|(f, _)| *f == frame) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => position,
            };
            set_status(
                &mut transaction,
                *id,
                Status::Waitlisted,
                Some(position),
                now,
            )
            .await?;
            log(
                &mut transaction,
                *id,
                now,
                actor.user(),
                "lottery_waitlisted",
                "",
            )
            .await?;
            notices.push(notice(
                &locked,
                *id,
                NoticeKind::Waitlisted { position: rank },
            ));
        }
        let record = LotteryRecord {
            training_id,
            seed,
            seed_sha256: seed_hash,
            algorithm: lottery::ALGORITHM.to_owned(),
            drawn_at: now.seconds(),
            seats: free
                .iter()
                .map(|(frame, seats)| LotterySeats {
                    frame: *frame,
                    seats: *seats,
                })
                .collect(),
            entries: entries
                .iter()
                .map(|e| LotteryEntryRecord {
                    id: e.id,
                    frame: e.frame,
                })
                .collect(),
            excluded_unconfirmed: excluded,
            order: outcome.order,
            winners: outcome.winners,
            waitlist: outcome.waitlist,
        };
        let text = serde_json::to_string(&record)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query("UPDATE lotteries SET drawn_at = $1, record = $2 WHERE training_id = $3")
            .bind(now.seconds())
            .bind(text)
            .bind(training_id)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok((record, notices))
    }

    /// The record of a drawn lottery.
    pub async fn lottery_record(&self, training_id: i64) -> Result<Option<LotteryRecord>> {
        let text: Option<Option<String>> =
            sqlx::query_scalar("SELECT record FROM lotteries WHERE training_id = $1")
                .bind(training_id)
                .fetch_optional(&self.pool)
                .await?;
        text.flatten()
            .map(|text| {
                serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(error.to_string()))
            })
            .transpose()
    }

    /// What the clock changes: lapsed holds and offers (and the offers that follow), and draws
    /// due because a lottery's window has closed. Safe to run from several processes at once.
    pub async fn sweep_registrations(&self, now: Timestamp, today: Date) -> Result<Vec<Notice>> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT training_id FROM applications WHERE status = 'held' AND hold_expires_at <= $1",
        )
        .bind(now.seconds())
        .fetch_all(&self.pool)
        .await?;
        let mut notices = Vec::new();
        for training_id in due {
            let (mut transaction, locked) = self.lock_training(training_id).await?;
            settle(&mut transaction, &locked, now, today, &mut notices).await?;
            transaction.commit().await?;
        }
        let draws: Vec<i64> = sqlx::query_scalar(
            "SELECT t.id FROM trainings t JOIN lotteries l ON l.training_id = t.id \
             WHERE t.allocation = 'lottery' AND l.drawn_at IS NULL \
             AND t.applications_close_on IS NOT NULL AND t.applications_close_on < $1",
        )
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        for training_id in draws {
            match self
                .draw_lottery(training_id, Actor::Clock, now, today)
                .await
            {
                Ok((_, drawn)) => notices.extend(drawn),
                // Another process drew it first.
                Err(StoreError::Refused(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(notices)
    }
}

async fn waitlist_rank(
    transaction: &mut Transaction<'static, Any>,
    training_id: i64,
    frame: Option<i64>,
    position: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE training_id = $1 AND COALESCE(frame_id, 0) = $2 \
         AND status = 'waitlisted' AND waitlist_position <= $3",
    )
    .bind(training_id)
    .bind(frame_key(frame))
    .bind(position)
    .fetch_one(&mut **transaction)
    .await?)
}
