//! `calvault calendar default` and `calvault webcal add|list|revoke`: the real binary on a
//! real SQLite store, checked against what the store then holds.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Cli {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_calvault"))
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .env_remove("CALVAULT_DATABASE_URL")
            .env_remove("CALVAULT_CONFIG")
            .stdin(Stdio::null())
            .output()
            .expect("calvault runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "calvault {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            !output.status.success(),
            "calvault {args:?} should have failed"
        );
        String::from_utf8(output.stderr).expect("UTF-8 errors")
    }
}

/// The calendar line of `calendar list` that names `name`.
fn listed<'a>(list: &'a str, name: &str) -> &'a str {
    list.lines()
        .find(|l| l.starts_with(&format!("{name}\t")))
        .unwrap_or_else(|| panic!("{name} listed in {list}"))
}

#[test]
fn the_syncml_default_calendar_is_shown_and_chosen() {
    let cli = Cli::new();
    cli.ok(&["user", "add", "alice"]);
    cli.ok(&["calendar", "create", "alice/work"]);
    assert_eq!(
        cli.ok(&["calendar", "default", "alice"]).trim(),
        "alice/calendar"
    );
    let list = cli.ok(&["calendar", "list", "alice"]);
    assert!(listed(&list, "alice/calendar").ends_with("SyncML default"));
    assert!(!listed(&list, "alice/work").contains("SyncML default"));

    cli.ok(&["calendar", "default", "alice", "work"]);
    assert_eq!(
        cli.ok(&["calendar", "default", "alice"]).trim(),
        "alice/work"
    );
    let list = cli.ok(&["calendar", "list", "alice"]);
    assert!(listed(&list, "alice/work").ends_with("SyncML default"));
    assert!(!listed(&list, "alice/calendar").contains("SyncML default"));

    let error = cli.fails(&["calendar", "default", "alice", "nope"]);
    assert!(error.contains("not found"), "{error}");
    assert_eq!(
        cli.ok(&["calendar", "default", "alice"]).trim(),
        "alice/work"
    );
}

#[test]
fn webcal_addresses_are_added_listed_and_revoked() {
    let cli = Cli::new();
    cli.ok(&["user", "add", "alice"]);
    cli.ok(&["user", "add", "bob"]);
    cli.ok(&["calendar", "create", "alice/work"]);

    let added = cli.ok(&[
        "webcal",
        "add",
        "alice",
        "work",
        "--base-url",
        "https://cal.example.org/",
    ]);
    let url = added
        .lines()
        .find(|l| l.starts_with("https://cal.example.org/webcal/"))
        .expect("the address printed");
    let token = url
        .trim_start_matches("https://cal.example.org/webcal/")
        .trim_end_matches(".ics");
    assert_eq!(token.len(), 64, "{token}");

    // Bob reads Alice's work calendar only once it is shared with him.
    let error = cli.fails(&["webcal", "add", "bob", "alice/work"]);
    assert!(error.contains("not found"), "{error}");
    cli.ok(&["calendar", "share", "alice/work", "bob", "read"]);
    cli.ok(&["webcal", "add", "bob", "alice/work"]);

    let list = cli.ok(&["webcal", "list", "alice"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains("alice/work"));
    assert!(!list.contains(token), "tokens are never listed");
    let alices = list.split('\t').next().unwrap().to_string();
    assert_eq!(cli.ok(&["webcal", "list", "bob"]).lines().count(), 1);

    // Bob cannot revoke Alice's address by its id; Alice can, once.
    cli.fails(&["webcal", "revoke", "bob", &alices]);
    cli.ok(&["webcal", "revoke", "alice", &alices]);
    assert_eq!(cli.ok(&["webcal", "list", "alice"]), "");
    cli.fails(&["webcal", "revoke", "alice", &alices]);
    // By calendar: all of the user's addresses to it.
    cli.ok(&["webcal", "revoke", "bob", "alice/work"]);
    assert_eq!(cli.ok(&["webcal", "list", "bob"]), "");
}
