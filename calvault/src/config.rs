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
