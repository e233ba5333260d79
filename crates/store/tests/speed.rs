//! Timings of the hot paths, on both backends. Ignored by default; run with
//! `cargo test -p calvault-store --test speed -- --ignored --nocapture --test-threads 1`.

#[path = "conformance/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "conformance/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use calvault_store::*;
use fixtures::*;
use harness::Backend;

/// An event of about 1 KB, as a real client sends it.
fn event(uid: &str, round: usize) -> String {
    let description = "Quarterly planning with the whole team; bring the figures. ".repeat(12);
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//speed//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20250101T000000Z\r\nDTSTART:20250301T090000Z\r\nDTEND:20250301T100000Z\r\n\
         SUMMARY:Meeting {uid} round {round}\r\nLOCATION:Room 4.12\r\nDESCRIPTION:{description}\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Puts of `count` events numbered from `from`.
fn puts(calendar: CalendarId, from: usize, count: usize, round: usize) -> Vec<Change> {
    (from..from + count)
        .map(|i| {
            let uid = format!("{i:08}@speed.example.org");
            let start = 1_700_000_000 + i as i64 * 3_600;
            Change {
                calendar_id: calendar,
                expect: Expect::Any,
                kind: ChangeKind::Put {
                    name: format!("{i:08}.ics"),
                    data: event(&uid, round),
                    facts: ObjectFacts {
                        component: "VEVENT".into(),
                        first_start: Some(start),
                        last_end: Some(start + 3_600),
                        fingerprint: format!("{i:016x}{round:016x}"),
                        summary: Some(format!("Meeting {i} round {round}")),
                    },
                },
                uid,
            }
        })
        .collect()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1_000.0)
}

async fn commit_1000(b: Arc<Backend>) {
    let store = &*b.store;
    let (_, cal) = user_with_calendar(store, "speed").await;
    let mut new_puts = Vec::new();
    for round in 0..30 {
        let batch = puts(cal.id, round * 1_000, 1_000, 0);
        let started = Instant::now();
        store.commit(batch, &origin(1)).await.unwrap();
        new_puts.push(started.elapsed());
    }
    let mut updates = Vec::new();
    for round in 0..10 {
        let batch = puts(cal.id, round * 1_000, 1_000, 1);
        let started = Instant::now();
        store.commit(batch, &origin(2)).await.unwrap();
        updates.push(started.elapsed());
    }
    let mean = new_puts.iter().sum::<Duration>() / new_puts.len() as u32;
    println!(
        "{}: commit of 1,000 new puts (~1 KB), 30 batches: median {}, mean {} (min {}, max {}); \
         of 1,000 updates, 10 batches: median {}",
        b.name(),
        ms(median(new_puts.clone())),
        ms(mean),
        ms(*new_puts.iter().min().unwrap()),
        ms(*new_puts.iter().max().unwrap()),
        ms(median(updates)),
    );
}

async fn changes_since_10(b: Arc<Backend>) {
    let store = &*b.store;
    for size in [1_000usize, 100_000] {
        let (_, cal) = user_with_calendar(store, &format!("size{size}")).await;
        let fill = Instant::now();
        for from in (0..size).step_by(1_000) {
            store
                .commit(puts(cal.id, from, 1_000, 0), &origin(1))
                .await
                .unwrap();
        }
        let fill = fill.elapsed();
        let before = store.position(cal.id).await.unwrap();
        store
            .commit(puts(cal.id, 0, 10, 1), &origin(2))
            .await
            .unwrap();
        let mut times = Vec::new();
        for _ in 0..200 {
            let started = Instant::now();
            let changes = store.changes_since(cal.id, before, 1_000).await.unwrap();
            times.push(started.elapsed());
            assert_eq!(changes.len(), 10);
        }
        println!(
            "{}: changes_since with 10 changes on a {size}-object calendar: median {} (p99 {}); filled in {:.1} s",
            b.name(),
            ms(median(times.clone())),
            ms({
                times.sort();
                times[times.len() * 99 / 100]
            }),
            fill.as_secs_f64()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn sqlite_commit_1000() {
    harness::run(harness::sqlite().await, commit_1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn postgres_commit_1000() {
    if let Some(backend) = harness::postgres("speed_commit").await {
        harness::run(backend, commit_1000).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn sqlite_changes_since_10() {
    harness::run(harness::sqlite().await, changes_since_10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn postgres_changes_since_10() {
    if let Some(backend) = harness::postgres("speed_changes").await {
        harness::run(backend, changes_since_10).await;
    }
}
