//! The command line: global options and one subcommand per operation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// calvault: a calendar server for every device, with a journal that makes every change undoable.
#[derive(Debug, Parser)]
#[command(name = "calvault", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML); every setting has a default.
    #[arg(long, global = true, env = "CALVAULT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data folder for the embedded SQLite store [default: ./calvault-data].
    #[arg(long, global = true, env = "CALVAULT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://...); SQLite in the data folder when absent.
    #[arg(long, global = true, env = "CALVAULT_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage calendars.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Import an .ics file, skipping duplicates (an automatic snapshot is taken first).
    Import(ImportArgs),
    /// Export a calendar, or one of its snapshots, as an .ics file.
    Export(ExportArgs),
    /// Snapshots: named points in a calendar's journal, to diff and restore.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// The trash: deleted objects, restorable for the retention period.
    #[command(subcommand)]
    Trash(TrashCommand),
    /// Find duplicate events in a calendar and keep the richest copy of each.
    Dedupe(DedupeArgs),
    /// Move events that ended before a date into the user's archive calendar.
    Archive(ArchiveArgs),
    /// App passwords: one secret per device, revocable on its own.
    #[command(subcommand, name = "app-password")]
    AppPassword(AppPasswordCommand),
    /// Private subscription (webcal) addresses: a secret URL serving one calendar read-only.
    #[command(subcommand)]
    Webcal(WebcalCommand),
    /// List a user's devices (CalDAV clients and SyncML devices) with their last sync; decide
    /// about a SyncML device's held deletions, reset or revoke it.
    Devices(DevicesArgs),
    /// Show a user's alerts (mass deletions and the command that undoes them).
    Alerts {
        user: String,
        /// Include alerts already dealt with.
        #[arg(long)]
        all: bool,
        /// Mark this alert as dealt with.
        #[arg(long, value_name = "ID")]
        dismiss: Option<i64>,
    },
    /// Compact old revisions and expire old automatic snapshots now.
    Retention,
    /// Check the integrity of the store.
    Check,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DevicesArgs {
    /// List this user's devices.
    #[arg(required = true)]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Option<DevicesCommand>,
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Apply the deletions a SyncML device asked for and the server held: every undecided
    /// batch, or with --alert only that one.
    Approve {
        user: String,
        device: String,
        /// The alert of the one batch to apply (as `calvault devices USER` lists it).
        #[arg(long)]
        alert: Option<i64>,
    },
    /// Keep the held events: the device gets them back at its next sync. Every undecided
    /// batch, or with --alert only that one.
    Keep {
        user: String,
        device: String,
        /// The alert of the one batch to keep (as `calvault devices USER` lists it).
        #[arg(long)]
        alert: Option<i64>,
    },
    /// Make the device's next sync a slow sync (it sends and gets everything, without
    /// duplicates).
    Reset { user: String, device: String },
    /// Refuse the device from now on, whatever its credentials.
    Revoke { user: String, device: String },
    /// Set the device's sync window: events outside it are neither sent to it nor deleted
    /// when they leave it. Without --back and --ahead, the window is removed.
    Window {
        user: String,
        device: String,
        /// Days back from today.
        #[arg(long, requires = "ahead")]
        back: Option<u32>,
        /// Days ahead of today.
        #[arg(long, requires = "back")]
        ahead: Option<u32>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with a default calendar; prints a random password unless one is given.
    Add {
        name: String,
        #[arg(long, value_name = "ADDR")]
        email: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Change a user's password; prints a random one unless one is given.
    Passwd {
        name: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete a user and everything the user owns.
    Delete {
        name: String,
        /// Confirm: the user's calendars and their journal are removed for good.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// List a user's calendars.
    List { user: String },
    /// Create a calendar.
    Create {
        /// USER/CALENDAR
        path: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Colour as #RRGGBB.
        #[arg(long)]
        color: Option<String>,
    },
    /// Delete a calendar (to the trash: `calendar restore` brings it back).
    Delete {
        /// USER/CALENDAR
        path: String,
    },
    /// Bring a deleted calendar back.
    Restore {
        /// USER/CALENDAR
        path: String,
    },
    /// Share a calendar with another user: it appears in their home as OWNER_CALENDAR.
    Share {
        /// USER/CALENDAR
        path: String,
        /// The user to share with.
        other: String,
        /// `read` or `read-write`.
        access: String,
    },
    /// Stop sharing a calendar with a user.
    Unshare {
        /// USER/CALENDAR
        path: String,
        other: String,
    },
    /// Show, or choose, the calendar the user's SyncML devices sync when their datastore names
    /// none (`calendar`, `tasks`).
    Default {
        user: String,
        /// One of the user's calendars; without it, the one in effect is shown.
        calendar: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebcalCommand {
    /// Make a secret subscription address for a calendar the user can read, and print it once.
    Add {
        user: String,
        /// CALENDAR (the user's own) or OWNER/CALENDAR (one shared with the user).
        calendar: String,
        /// The server's public address, to print the whole URL (e.g. https://cal.example.org).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// List a user's subscription addresses (never their tokens).
    List { user: String },
    /// Revoke subscription addresses: answered 404 from then on.
    Revoke {
        user: String,
        /// An address id (as listed), or a calendar (CALENDAR or OWNER/CALENDAR): all of the
        /// user's addresses for it.
        target: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppPasswordCommand {
    /// Create an app password for a device and print it once.
    Add { user: String, name: String },
    /// List a user's app passwords (never their secrets).
    List { user: String },
    /// Revoke an app password: the device using it is refused from then on.
    Revoke { user: String, name: String },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// USER or USER/CALENDAR (USER alone means the calendar named `calendar`).
    pub target: String,
    /// The .ics file (`-` for standard input).
    pub file: PathBuf,
    /// Show what would happen and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// List every object with its outcome.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// USER or USER/CALENDAR.
    pub source: String,
    /// Export the calendar as this snapshot held it.
    #[arg(long, value_name = "ID")]
    pub snapshot: Option<i64>,
    /// Output file [default: standard output].
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// List a calendar's snapshots, newest first.
    List { calendar: String },
    /// Take a snapshot now.
    Create {
        calendar: String,
        #[arg(long, default_value = "manual snapshot")]
        label: String,
    },
    /// Show what restoring a snapshot would change.
    Diff { id: i64 },
    /// Restore a snapshot (undoable: a snapshot of the present is taken first).
    Restore {
        id: i64,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrashCommand {
    /// List deleted objects of a calendar.
    List { calendar: String },
    /// Restore deleted objects by UID, or all of them.
    Restore {
        calendar: String,
        uids: Vec<String>,
        #[arg(long, conflicts_with = "uids")]
        all: bool,
    },
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// USER or USER/CALENDAR.
    pub calendar: String,
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// USER or USER/CALENDAR.
    pub calendar: String,
    /// Events whose last occurrence ended before this date (YYYY-MM-DD, UTC) move.
    #[arg(long, value_name = "DATE")]
    pub before: chrono::NaiveDate,
    #[arg(long)]
    pub dry_run: bool,
}
