//! Group commit: batches that arrive while the writer is busy share one transaction, so one
//! fsync acknowledges all of them. A lone batch commits at once and waits for nobody.
//!
//! Each batch runs inside its own SAVEPOINT: one that fails (a precondition, a name already
//! taken) rolls back alone and reports its error, and the others still commit.

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{read_commit_state, write_plan};
use crate::commit_plan;
use crate::{Change, Origin, Result, RevisionMeta, StoreError};

/// At most this many batches share one transaction, so that a flood of writers still gets
/// answers at a steady pace.
const MAX_GROUP: usize = 64;

/// The queue a connection-less waiter puts into; the task behind it owns the writes.
pub(super) type Queue = mpsc::UnboundedSender<Job>;

pub(super) struct Job {
    pub changes: Vec<Change>,
    pub origin: Origin,
    pub reply: oneshot::Sender<Result<Vec<RevisionMeta>>>,
}

/// Starts the committer on the current runtime. It stops when every sender is dropped.
pub(super) fn start(writer: SqlitePool) -> (Queue, tokio::task::JoinHandle<()>) {
    let (queue, jobs) = mpsc::unbounded_channel();
    let task = tokio::spawn(run(writer, jobs));
    (queue, task)
}

async fn run(writer: SqlitePool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        commit_group(&writer, group).await;
    }
}

async fn commit_group(writer: &SqlitePool, group: Vec<Job>) {
    let mut tx = match writer.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(error) => return fail_all(group, &error.to_string()),
    };
    let alone = group.len() == 1;
    let mut outcomes = Vec::with_capacity(group.len());
    for job in &group {
        let outcome = if alone {
            apply(&mut tx, &job.changes, &job.origin).await
        } else {
            apply_in_savepoint(&mut tx, &job.changes, &job.origin).await
        };
        outcomes.push(outcome);
    }
    let all_failed = outcomes.iter().all(|o| o.is_err());
    let committed = if all_failed {
        tx.rollback().await
    } else {
        tx.commit().await
    };
    match committed {
        Ok(()) => {
            for (job, outcome) in group.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
        Err(error) => {
            let message = error.to_string();
            for (job, outcome) in group.into_iter().zip(outcomes) {
                // A batch that failed on its own keeps its own error.
                let outcome = outcome.and(Err(StoreError::CommitFailed(message.clone())));
                let _ = job.reply.send(outcome);
            }
        }
    }
}

async fn apply_in_savepoint(
    conn: &mut SqliteConnection,
    changes: &[Change],
    origin: &Origin,
) -> Result<Vec<RevisionMeta>> {
    sqlx::query("SAVEPOINT batch").execute(&mut *conn).await?;
    let outcome = apply(conn, changes, origin).await;
    let end = if outcome.is_ok() {
        "RELEASE batch"
    } else {
        "ROLLBACK TO batch; RELEASE batch"
    };
    sqlx::raw_sql(end).execute(&mut *conn).await?;
    outcome
}

async fn apply(
    conn: &mut SqliteConnection,
    changes: &[Change],
    origin: &Origin,
) -> Result<Vec<RevisionMeta>> {
    let (positions, current) = read_commit_state(conn, changes).await?;
    let plan = commit_plan::plan(changes, &positions, &current)?;
    if plan.revisions.is_empty() {
        return Ok(Vec::new());
    }
    write_plan(conn, &plan, changes, origin).await?;
    Ok(plan.revision_metas(origin))
}

fn fail_all(group: Vec<Job>, message: &str) {
    for job in group {
        let _ = job
            .reply
            .send(Err(StoreError::CommitFailed(message.to_owned())));
    }
}
