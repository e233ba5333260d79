//! The command line as an administrator uses it: the real binary on a real SQLite store.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
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

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_calvault"));
        command.arg("--data-dir").arg(self.data_dir()).args(args);
        command
            .env_remove("CALVAULT_DATABASE_URL")
            .env_remove("CALVAULT_CONFIG");
        command
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start calvault");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("calvault runs")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("calvault runs")
    }

    /// Runs a command that must succeed and returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "calvault {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// Runs a command that must fail and returns its standard error.
    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            !output.status.success(),
            "calvault {args:?} should have failed"
        );
        String::from_utf8(output.stderr).expect("UTF-8 errors")
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path.to_string_lossy().into_owned()
    }

    fn add_alice(&self) {
        let output = self.run_with_input(
            &[
                "user",
                "add",
                "alice",
                "--email",
                "alice@example.org",
                "--password-stdin",
            ],
            "correct horse\n",
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn event(uid: &str, summary: &str, start: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:{start}\r\nDTEND:{start}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )
}

fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

fn fixtures() -> PathBuf {
    match std::env::var("CALVAULT_FIXTURES") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/ics"),
    }
}

#[test]
fn help_everywhere() {
    let cli = Cli::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["calendar", "--help"],
        vec!["import", "--help"],
        vec!["export", "--help"],
        vec!["snapshot", "restore", "--help"],
        vec!["trash", "--help"],
        vec!["dedupe", "--help"],
        vec!["archive", "--help"],
        vec!["check", "--help"],
    ] {
        let out = cli.ok(&args);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
    assert!(
        cli.fails(&["no-such-command"])
            .contains("unrecognized subcommand")
    );
}

#[test]
fn users_and_calendars() {
    let cli = Cli::new();
    cli.add_alice();
    let out = cli.ok(&["user", "add", "bob"]);
    assert!(
        out.contains("created user bob with calendar bob/calendar"),
        "{out}"
    );
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a generated password");
    assert_eq!(password.len(), 20);
    let users = cli.ok(&["user", "list"]);
    assert!(
        users.contains("alice\talice@example.org") && users.contains("bob"),
        "{users}"
    );
    assert!(
        cli.fails(&["user", "add", "alice"])
            .contains("already exists")
    );
    assert!(
        cli.fails(&["user", "add", "../evil"])
            .contains("invalid user name")
    );

    cli.ok(&[
        "calendar",
        "create",
        "alice/work",
        "--display-name",
        "Work",
        "--color",
        "#3366cc",
    ]);
    let list = cli.ok(&["calendar", "list", "alice"]);
    assert!(
        list.contains("alice/calendar") && list.contains("alice/work\tWork"),
        "{list}"
    );
    assert!(
        cli.fails(&["calendar", "create", "alice/work"])
            .contains("already exists")
    );
    assert!(
        cli.fails(&["calendar", "create", "alice/x", "--color", "red"])
            .contains("invalid colour")
    );
    cli.ok(&["calendar", "delete", "alice/work"]);
    assert!(
        !cli.ok(&["calendar", "list", "alice"])
            .contains("alice/work")
    );
    cli.ok(&["calendar", "restore", "alice/work"]);
    assert!(
        cli.ok(&["calendar", "list", "alice"])
            .contains("alice/work")
    );
    assert!(
        cli.fails(&["calendar", "list", "nobody"])
            .contains("user nobody not found")
    );

    assert!(cli.fails(&["user", "delete", "bob"]).contains("--yes"));
    cli.ok(&["user", "delete", "bob", "--yes"]);
    assert!(!cli.ok(&["user", "list"]).contains("bob"));
}

#[test]
fn import_export_snapshot_trash_dedupe_archive() {
    let cli = Cli::new();
    cli.add_alice();
    let events: Vec<String> = (0..30)
        .map(|i| {
            event(
                &format!("e{i}"),
                &format!("Event {i}"),
                &format!("202401{:02}T090000Z", i % 28 + 1),
            )
        })
        .collect();
    let file = cli.write("events.ics", &calendar(&events));

    let dry = cli.ok(&["import", "alice", &file, "--dry-run"]);
    assert!(
        dry.contains("dry run: would have created 30, updated 0, duplicates skipped 0, failed 0"),
        "{dry}"
    );
    let first = cli.ok(&["import", "alice", &file]);
    assert!(
        first.contains("created 30, updated 0, duplicates skipped 0, failed 0"),
        "{first}"
    );
    let again = cli.ok(&["import", "alice/calendar", &file]);
    assert!(
        again.contains("created 0, updated 0, duplicates skipped 30, failed 0"),
        "{again}"
    );

    // One bad object among good ones: the good ones go in, the bad one is named with its line.
    let mixed = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{}BEGIN:VEVENT\r\nUID:bad\r\nDTSTART:garbage\r\nBEGIN:VALARM\r\nEND:VEVENT\r\n{}END:VCALENDAR\r\n",
        event("new1", "New one", "20250101T090000Z"),
        event("new2", "New two", "20250102T090000Z")
    );
    let output = cli.run(&["import", "alice", &cli.write("mixed.ics", &mixed)]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("created 2, updated 0, duplicates skipped 0, failed 1"),
        "{stdout}"
    );
    assert!(stderr.contains("failed: line"), "{stderr}");

    // Nothing at all to import is an error.
    let garbage = cli.write("garbage.ics", "this is not a calendar\n");
    assert!(!cli.run(&["import", "alice", &garbage]).status.success());
    assert!(
        cli.fails(&["import", "alice", "/no/such/file.ics"])
            .contains("cannot read")
    );

    let exported = cli.dir.path().join("out.ics");
    cli.ok(&["export", "alice", "-o", exported.to_str().unwrap()]);
    let text = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 32);

    // Snapshots: take one, delete through a restore of an older one, then undo.
    let snapshot = cli.ok(&["snapshot", "create", "alice", "--label", "thirty-two"]);
    let id = snapshot
        .split_whitespace()
        .nth(1)
        .expect("snapshot id")
        .to_string();
    let list = cli.ok(&["snapshot", "list", "alice"]);
    assert!(
        list.contains("thirty-two") && list.contains("32 objects") && list.contains("automatic"),
        "{list}"
    );
    let first_import = list
        .lines()
        .rfind(|l| l.contains("before import"))
        .expect("automatic snapshot before the first import");
    let first_id = first_import.split('\t').next().unwrap().to_string();
    let diff = cli.ok(&["snapshot", "diff", &first_id]);
    assert!(
        diff.contains("0 to bring back, 32 to remove, 0 to change"),
        "{diff}"
    );
    let restore = cli.ok(&["snapshot", "restore", &first_id]);
    let undo = restore
        .lines()
        .find_map(|l| l.split("undo with: calvault snapshot restore ").nth(1))
        .expect("undo command")
        .to_string();
    assert!(cli.ok(&["export", "alice"]).matches("BEGIN:VEVENT").count() == 0);
    assert_eq!(cli.ok(&["trash", "list", "alice"]).lines().count(), 32);
    cli.ok(&["snapshot", "restore", &undo]);
    assert_eq!(
        cli.ok(&["export", "alice"]).matches("BEGIN:VEVENT").count(),
        32
    );
    let old = cli.ok(&["export", "alice", "--snapshot", &id]);
    assert_eq!(old.matches("BEGIN:VEVENT").count(), 32);

    // Trash: a restore by UID.
    cli.ok(&["snapshot", "restore", &first_id]);
    assert!(cli.fails(&["trash", "restore", "alice"]).contains("--all"));
    cli.ok(&["trash", "restore", "alice", "e3"]);
    assert_eq!(
        cli.ok(&["export", "alice"]).matches("BEGIN:VEVENT").count(),
        1
    );
    cli.ok(&["trash", "restore", "alice", "--all"]);
    assert_eq!(
        cli.ok(&["export", "alice"]).matches("BEGIN:VEVENT").count(),
        32
    );

    // Dedupe: copies under other UIDs, as a second client would have made them.
    let copies: Vec<String> = (0..5)
        .map(|i| {
            event(
                &format!("copy{i}"),
                &format!("Event {i}"),
                &format!("202401{:02}T090000Z", i % 28 + 1),
            )
        })
        .collect();
    let copies = calendar(&copies);
    cli.ok(&["calendar", "create", "alice/other"]);
    cli.ok(&["import", "alice/other", &file]);
    cli.ok(&["import", "alice/other", &cli.write("dup.ics", &copies)]);
    // The import refused those twins, so dedupe finds nothing left to merge.
    let dry = cli.ok(&["dedupe", "alice/other", "--dry-run"]);
    assert!(
        dry.contains("0 groups of duplicates, would remove 0 copies"),
        "{dry}"
    );
    assert_eq!(
        cli.ok(&["export", "alice/other"])
            .matches("BEGIN:VEVENT")
            .count(),
        30
    );

    // Archive: the January 2024 events ended before 2024-06-01; 2025 ones stay.
    let dry = cli.ok(&["archive", "alice", "--before", "2024-06-01", "--dry-run"]);
    assert!(dry.contains("would move 30 events"), "{dry}");
    let done = cli.ok(&["archive", "alice", "--before", "2024-06-01"]);
    assert!(done.contains("moved 30 events"), "{done}");
    assert_eq!(
        cli.ok(&["export", "alice/archive"])
            .matches("BEGIN:VEVENT")
            .count(),
        30
    );
    assert_eq!(
        cli.ok(&["export", "alice"]).matches("BEGIN:VEVENT").count(),
        2
    );
    assert!(
        cli.fails(&["archive", "alice", "--before", "yesterday"])
            .contains("invalid value")
    );

    let check = cli.ok(&["check"]);
    assert!(check.contains("store is consistent (sqlite)"), "{check}");
    let retention = cli.ok(&["retention"]);
    assert!(retention.starts_with("calendars "), "{retention}");
}

#[test]
fn every_valid_fixture_imports_once() {
    let dir = fixtures();
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).expect("fixtures/ics/SOURCES.md");
    let valid: Vec<&str> = sources
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains("| valid |"))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    assert!(
        valid.len() >= 40,
        "expected the valid fixtures, found {}",
        valid.len()
    );
    let cli = Cli::new();
    cli.add_alice();
    let mut total = 0;
    for (index, name) in valid.iter().enumerate() {
        let path = dir.join(name);
        let target = format!("alice/f{index}");
        cli.ok(&["calendar", "create", &target]);
        let first = cli.ok(&["import", &target, path.to_str().unwrap()]);
        let created = number_after(&first, "created ");
        let twins = number_after(&first, "duplicates skipped ");
        assert!(first.contains("failed 0"), "{name}: {first}");
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_uppercase();
        if !["BEGIN:VEVENT", "BEGIN:VTODO", "BEGIN:VJOURNAL"]
            .iter()
            .any(|c| text.contains(c))
        {
            // Free/busy only: nothing to store.
            assert_eq!(created, 0, "{name}: {first}");
            continue;
        }
        assert!(created > 0, "{name}: {first}");
        // The same file again doubles nothing.
        let again = cli.ok(&["import", &target, path.to_str().unwrap()]);
        let expected = format!(
            "created 0, updated 0, duplicates skipped {}, failed 0",
            created + twins
        );
        assert!(again.contains(&expected), "{name}: {again}");
        // What was exported imports into a fresh calendar with the same number of objects
        // (vCalendar 1.0 files included: they are stored as iCalendar 2.0).
        let exported = cli.ok(&["export", &target]);
        assert!(!exported.contains("VERSION:1.0"), "{name}: {exported}");
        let copy = format!("alice/c{index}");
        cli.ok(&["calendar", "create", &copy]);
        let round = cli.ok(&["import", &copy, &cli.write("round.ics", &exported)]);
        assert_eq!(number_after(&round, "created "), created, "{name}: {round}");
        total += created;
    }
    assert!(
        total > 1000,
        "only {total} objects imported from the valid fixtures"
    );
    assert!(cli.ok(&["check"]).contains("consistent"));
}

fn number_after(text: &str, label: &str) -> usize {
    text.split(label)
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn serve_answers_health_and_creates_the_first_user() {
    let cli = Cli::new();
    let mut child = cli
        .command(&["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start calvault serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = String::new();
    let address = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("read serve output") == 0 {
            let _ = child.kill();
            panic!("serve stopped before listening: {printed}");
        }
        printed.push_str(&line);
        if let Some(address) = line.trim().strip_prefix("calvault listening on http://") {
            break address.to_string();
        }
    };
    assert!(
        printed.contains("first start: created user admin with password "),
        "{printed}"
    );
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("\"status\":\"ok\"") && response.contains("\"store\":\"sqlite\""),
        "{response}"
    );
    // The first user can sign in with the printed password.
    let password = printed
        .split("with password ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    assert_eq!(password.len(), 20);
    let users = cli.ok(&["user", "list"]);
    assert!(users.starts_with("admin"), "{users}");
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let cli = Cli::new();
    let config = cli.write("calvault.toml", "lisen = \"127.0.0.1:1\"\n");
    let error = cli.fails(&["--config", &config, "check"]);
    assert!(
        error.contains("invalid configuration") && error.contains("lisen"),
        "{error}"
    );
    let error = cli.fails(&["--config", "/no/such.toml", "check"]);
    assert!(error.contains("cannot read /no/such.toml"), "{error}");
}

#[test]
fn sharing_app_passwords_devices_and_alerts() {
    let cli = Cli::new();
    cli.add_alice();
    cli.ok(&["user", "add", "bob"]);
    let shared = cli.ok(&["calendar", "share", "alice", "bob", "read"]);
    assert!(
        shared.contains("shared with bob (read); it appears in their home as alice_calendar"),
        "{shared}"
    );
    assert!(
        cli.fails(&["calendar", "share", "alice", "bob", "everything"])
            .contains("use read or read-write")
    );
    assert!(
        cli.fails(&["calendar", "share", "alice", "alice", "read"])
            .contains("owner")
    );
    cli.ok(&["calendar", "unshare", "alice", "bob"]);
    assert!(
        cli.fails(&["calendar", "unshare", "alice", "bob"])
            .contains("not found")
    );

    let added = cli.ok(&["app-password", "add", "alice", "iphone"]);
    let secret = added
        .split(": ")
        .nth(1)
        .and_then(|r| r.lines().next())
        .expect("the secret is printed");
    assert_eq!(
        secret.len(),
        29,
        "24 characters in groups of four: {secret}"
    );
    assert!(
        cli.fails(&["app-password", "add", "alice", "iphone"])
            .contains("already exists")
    );
    let list = cli.ok(&["app-password", "list", "alice"]);
    assert!(
        list.starts_with("iphone\tcreated ")
            && list.contains("never used")
            && !list.contains(secret),
        "{list}"
    );
    cli.ok(&["app-password", "revoke", "alice", "iphone"]);
    assert!(cli.ok(&["app-password", "list", "alice"]).is_empty());
    assert!(
        cli.fails(&["app-password", "revoke", "alice", "iphone"])
            .contains("not found")
    );

    assert!(
        cli.ok(&["devices", "alice"])
            .contains("no device has connected as alice yet")
    );
    assert!(cli.ok(&["alerts", "alice"]).contains("no alerts for alice"));
    assert!(
        cli.fails(&["alerts", "alice", "--dismiss", "999"])
            .contains("alert 999 not found")
    );
}
