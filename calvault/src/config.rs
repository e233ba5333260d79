//! The configuration file: TOML, every setting with a default.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: String,
    /// Folder for the SQLite database and other local state.
    pub data_dir: PathBuf,
    /// PostgreSQL URL; when absent, SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub retention: Retention,
    pub log: Log,
    pub caldav: Caldav,
    pub syncml: Syncml,
}

/// The CalDAV server (`/dav/`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Caldav {
    /// CALDAV:max-resource-size: the largest calendar object a PUT may store, in bytes.
    pub max_resource_size: u64,
    /// The largest request body accepted, in bytes; larger ones get 413.
    pub max_request_body: usize,
    /// The realm of the HTTP Basic challenge.
    pub realm: String,
}

impl Default for Caldav {
    fn default() -> Self {
        let defaults = calvault_caldav::CaldavConfig::default();
        Caldav {
            max_resource_size: defaults.max_resource_size,
            max_request_body: defaults.max_request_body,
            realm: defaults.realm,
        }
    }
}

impl Caldav {
    pub fn server_config(&self) -> calvault_caldav::CaldavConfig {
        calvault_caldav::CaldavConfig {
            max_resource_size: self.max_resource_size,
            max_request_body: self.max_request_body,
            realm: self.realm.clone(),
        }
    }
}

/// The SyncML / OMA DS server (`/syncml`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Syncml {
    /// Who wins when a device and the server both changed an event since the device's last
    /// sync: `newest-wins` (the later change), `server-wins`, `client-wins`, or `keep-both`
    /// (two events). The losing version always stays in the event's history.
    pub conflict_policy: calvault_syncml::ConflictPolicy,
    /// Deletions from one sync are held for the owner's decision when they are more than
    /// `mass_deletion_count` events and more than `mass_deletion_percent` percent of the
    /// calendar.
    pub mass_deletion_count: u64,
    pub mass_deletion_percent: u64,
    /// The MaxMsgSize the server announces, in bytes: devices split their messages (and larger
    /// items) to fit.
    pub max_msg_size: u64,
    /// The MaxObjSize the server announces, in bytes: the largest item it accepts.
    pub max_obj_size: u64,
    /// A session (or an interrupted one, for a resume) not continued within this many
    /// seconds is forgotten.
    pub session_ttl_secs: i64,
    /// The sync window of devices that have none of their own (`calvault devices window`);
    /// absent: devices get every event.
    pub default_window: Option<SyncmlWindow>,
}

/// From `back_days` before today to `ahead_days` after.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SyncmlWindow {
    pub back_days: u32,
    pub ahead_days: u32,
}

impl Default for Syncml {
    fn default() -> Self {
        let defaults = calvault_syncml::SyncmlConfig::default();
        Syncml {
            conflict_policy: defaults.conflict_policy,
            mass_deletion_count: defaults.mass_deletion_count,
            mass_deletion_percent: defaults.mass_deletion_percent,
            max_msg_size: defaults.max_msg_size,
            max_obj_size: defaults.max_obj_size,
            session_ttl_secs: defaults.session_ttl_secs,
            default_window: None,
        }
    }
}

impl Syncml {
    pub fn server_config(&self) -> calvault_syncml::SyncmlConfig {
        calvault_syncml::SyncmlConfig {
            max_msg_size: self.max_msg_size,
            max_obj_size: self.max_obj_size,
            session_ttl_secs: self.session_ttl_secs,
            conflict_policy: self.conflict_policy,
            window: self.default_window.map(|w| calvault_syncml::SyncWindow {
                back_days: w.back_days,
                ahead_days: w.ahead_days,
            }),
            mass_deletion_count: self.mass_deletion_count,
            mass_deletion_percent: self.mass_deletion_percent,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    pub trash_days: u32,
    pub revision_days: u32,
    pub automatic_snapshot_days: u32,
    /// How often `serve` runs retention, in hours.
    pub interval_hours: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    /// A tracing filter such as `info` or `calvault=debug,sqlx=warn`.
    pub level: String,
    /// `text` or `json`.
    pub format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".to_string(),
            data_dir: PathBuf::from("./calvault-data"),
            database_url: None,
            retention: Retention::default(),
            log: Log::default(),
            caldav: Caldav::default(),
            syncml: Syncml::default(),
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        let policy = calvault_core::Policy::default();
        Retention {
            trash_days: policy.trash_days,
            revision_days: policy.revision_days,
            automatic_snapshot_days: policy.automatic_snapshot_days,
            interval_hours: 6,
        }
    }
}

impl Default for Log {
    fn default() -> Self {
        Log {
            level: "info,sqlx=warn".to_string(),
            format: "text".to_string(),
        }
    }
}

impl Config {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("invalid configuration in {}", path.display()))
    }

    pub fn policy(&self) -> calvault_core::Policy {
        calvault_core::Policy {
            trash_days: self.retention.trash_days,
            revision_days: self.retention.revision_days,
            automatic_snapshot_days: self.retention.automatic_snapshot_days,
            ..calvault_core::Policy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(toml::from_str::<Config>("").unwrap(), Config::default());
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let config: Config =
            toml::from_str("listen = \"0.0.0.0:9000\"\n[retention]\ntrash_days = 7\n").unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000");
        assert_eq!(config.retention.trash_days, 7);
        assert_eq!(config.retention.revision_days, 60);
    }

    #[test]
    fn caldav_section_is_read() {
        let config: Config = toml::from_str("[caldav]\nmax_resource_size = 1000\n").unwrap();
        assert_eq!(config.caldav.max_resource_size, 1000);
        assert_eq!(config.caldav.realm, "calvault");
    }

    #[test]
    fn syncml_defaults_are_the_servers() {
        let config: Config = toml::from_str("[syncml]\n").unwrap();
        assert_eq!(
            config.syncml.server_config(),
            calvault_syncml::SyncmlConfig::default()
        );
        assert_eq!(config.syncml.mass_deletion_count, 10);
        assert_eq!(config.syncml.mass_deletion_percent, 25);
        assert_eq!(config.syncml.max_msg_size, 150_000);
        assert_eq!(config.syncml.default_window, None);
    }

    #[test]
    fn syncml_section_is_read_and_wired() {
        let config: Config = toml::from_str(
            "[syncml]\nconflict_policy = \"client-wins\"\nmass_deletion_count = 50\n\
             mass_deletion_percent = 40\nmax_msg_size = 20000\nmax_obj_size = 1000000\n\
             session_ttl_secs = 600\n[syncml.default_window]\nback_days = 90\nahead_days = 540\n",
        )
        .unwrap();
        let server = config.syncml.server_config();
        assert_eq!(
            server.conflict_policy,
            calvault_syncml::ConflictPolicy::DeviceWins
        );
        assert_eq!(server.mass_deletion_count, 50);
        assert_eq!(server.mass_deletion_percent, 40);
        assert_eq!(server.max_msg_size, 20_000);
        assert_eq!(server.max_obj_size, 1_000_000);
        assert_eq!(server.session_ttl_secs, 600);
        assert_eq!(
            server.window,
            Some(calvault_syncml::SyncWindow {
                back_days: 90,
                ahead_days: 540
            })
        );
        for (name, policy) in [
            ("newest-wins", calvault_syncml::ConflictPolicy::NewestWins),
            ("server-wins", calvault_syncml::ConflictPolicy::ServerWins),
            ("device-wins", calvault_syncml::ConflictPolicy::DeviceWins),
            ("keep-both", calvault_syncml::ConflictPolicy::KeepBoth),
        ] {
            let config: Config =
                toml::from_str(&format!("[syncml]\nconflict_policy = \"{name}\"\n")).unwrap();
            assert_eq!(config.syncml.conflict_policy, policy, "{name}");
        }
    }

    #[test]
    fn syncml_mistakes_are_refused() {
        for text in [
            "[syncml]\nmax_msg_sise = 1\n",
            "[syncml]\nconflict_policy = \"last-wins\"\n",
            "[syncml.default_window]\nback_days = 1\n",
            "[syncml.default_window]\nback_days = 1\nahead_days = 2\nsideways = 3\n",
        ] {
            assert!(toml::from_str::<Config>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("lisen = \"x\"").is_err());
    }

    #[test]
    fn the_readme_example_is_a_valid_configuration() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```toml\n")
            .expect("a toml block in the README")
            + "```toml\n".len();
        let end = start
            + readme[start..]
                .find("```")
                .expect("the end of the toml block");
        let config: Config =
            toml::from_str(&readme[start..end]).expect("the README's configuration parses");
        assert_eq!(config, Config::default(), "the README shows the defaults");
    }
}
