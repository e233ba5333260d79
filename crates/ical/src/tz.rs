//! Windows and legacy time-zone names mapped to IANA names.
//!
//! Clients write TZIDs that are not IANA names: Exchange and Outlook use Windows zone names
//! ("W. Europe Standard Time") or their display names ("(UTC+01:00) Amsterdam, Berlin, …"),
//! libical-based clients prefix a vendor path ("/mozilla.org/20050126_1/America/Chicago").
//! These names are only used to compute times; stored data keeps the TZID as written.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

/// Windows zone names to the IANA zone CLDR's windowsZones table gives for territory "001".
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Aleutian Standard Time", "America/Adak"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Marquesas Standard Time", "Pacific/Marquesas"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("UTC-09", "Etc/GMT+9"),
    ("Pacific Standard Time (Mexico)", "America/Tijuana"),
    ("UTC-08", "Etc/GMT+8"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time (Mexico)", "America/Mazatlan"),
    ("Mountain Standard Time", "America/Denver"),
    ("Yukon Standard Time", "America/Whitehorse"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Easter Island Standard Time", "Pacific/Easter"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Mexico Standard Time", "America/Mexico_City"),
    ("Mexico Standard Time 2", "America/Chihuahua"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time (Mexico)", "America/Cancun"),
    ("Eastern Standard Time", "America/New_York"),
    ("Haiti Standard Time", "America/Port-au-Prince"),
    ("Cuba Standard Time", "America/Havana"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Turks And Caicos Standard Time", "America/Grand_Turk"),
    ("Paraguay Standard Time", "America/Asuncion"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Venezuela Standard Time", "America/Caracas"),
    ("Central Brazilian Standard Time", "America/Cuiaba"),
    ("SA Western Standard Time", "America/La_Paz"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("Tocantins Standard Time", "America/Araguaina"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("SA Eastern Standard Time", "America/Cayenne"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("Greenland Standard Time", "America/Nuuk"),
    ("Montevideo Standard Time", "America/Montevideo"),
    ("Magallanes Standard Time", "America/Punta_Arenas"),
    ("Saint Pierre Standard Time", "America/Miquelon"),
    ("Bahia Standard Time", "America/Bahia"),
    ("UTC-02", "Etc/GMT+2"),
    ("Mid-Atlantic Standard Time", "Etc/GMT+2"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("Cape Verde Standard Time", "Atlantic/Cape_Verde"),
    ("UTC", "Etc/UTC"),
    ("Coordinated Universal Time", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Sao Tome Standard Time", "Africa/Sao_Tome"),
    ("Morocco Standard Time", "Africa/Casablanca"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("Jordan Standard Time", "Asia/Amman"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Middle East Standard Time", "Asia/Beirut"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Syria Standard Time", "Asia/Damascus"),
    ("West Bank Standard Time", "Asia/Hebron"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("FLE Standard Time", "Europe/Kyiv"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Sudan Standard Time", "Africa/Juba"),
    ("Kaliningrad Standard Time", "Europe/Kaliningrad"),
    ("Sudan Standard Time", "Africa/Khartoum"),
    ("Libya Standard Time", "Africa/Tripoli"),
    ("Namibia Standard Time", "Africa/Windhoek"),
    ("Arabic Standard Time", "Asia/Baghdad"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Belarus Standard Time", "Europe/Minsk"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Volgograd Standard Time", "Europe/Volgograd"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Astrakhan Standard Time", "Europe/Astrakhan"),
    ("Azerbaijan Standard Time", "Asia/Baku"),
    ("Russia Time Zone 3", "Europe/Samara"),
    ("Mauritius Standard Time", "Indian/Mauritius"),
    ("Saratov Standard Time", "Europe/Saratov"),
    ("Georgian Standard Time", "Asia/Tbilisi"),
    ("Caucasus Standard Time", "Asia/Yerevan"),
    ("Armenian Standard Time", "Asia/Yerevan"),
    ("Afghanistan Standard Time", "Asia/Kabul"),
    ("West Asia Standard Time", "Asia/Tashkent"),
    ("Qyzylorda Standard Time", "Asia/Qyzylorda"),
    ("Ekaterinburg Standard Time", "Asia/Yekaterinburg"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Central Asia Standard Time", "Asia/Almaty"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("Omsk Standard Time", "Asia/Omsk"),
    ("Myanmar Standard Time", "Asia/Yangon"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("Altai Standard Time", "Asia/Barnaul"),
    ("W. Mongolia Standard Time", "Asia/Hovd"),
    ("North Asia Standard Time", "Asia/Krasnoyarsk"),
    ("N. Central Asia Standard Time", "Asia/Novosibirsk"),
    ("Tomsk Standard Time", "Asia/Tomsk"),
    ("China Standard Time", "Asia/Shanghai"),
    ("North Asia East Standard Time", "Asia/Irkutsk"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Malay Peninsula Standard Time", "Asia/Singapore"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Ulaanbaatar Standard Time", "Asia/Ulaanbaatar"),
    ("Aus Central W. Standard Time", "Australia/Eucla"),
    ("Transbaikal Standard Time", "Asia/Chita"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("North Korea Standard Time", "Asia/Pyongyang"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Yakutsk Standard Time", "Asia/Yakutsk"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("West Pacific Standard Time", "Pacific/Port_Moresby"),
    ("Tasmania Standard Time", "Australia/Hobart"),
    ("Vladivostok Standard Time", "Asia/Vladivostok"),
    ("Lord Howe Standard Time", "Australia/Lord_Howe"),
    ("Bougainville Standard Time", "Pacific/Bougainville"),
    ("Russia Time Zone 10", "Asia/Srednekolymsk"),
    ("Magadan Standard Time", "Asia/Magadan"),
    ("Norfolk Standard Time", "Pacific/Norfolk"),
    ("Sakhalin Standard Time", "Asia/Sakhalin"),
    ("Central Pacific Standard Time", "Pacific/Guadalcanal"),
    ("Russia Time Zone 11", "Asia/Kamchatka"),
    ("Kamchatka Standard Time", "Asia/Kamchatka"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("UTC+12", "Etc/GMT-12"),
    ("Fiji Standard Time", "Pacific/Fiji"),
    ("Chatham Islands Standard Time", "Pacific/Chatham"),
    ("UTC+13", "Etc/GMT-13"),
    ("Tonga Standard Time", "Pacific/Tongatapu"),
    ("Samoa Standard Time", "Pacific/Apia"),
    ("Line Islands Standard Time", "Pacific/Kiritimati"),
];

/// Windows display names (as Outlook writes them after the "(UTC+hh:mm)" prefix) that name no
/// city an IANA zone is called after.
const DISPLAY_NAMES: &[(&str, &str)] = &[
    ("eastern time (us & canada)", "America/New_York"),
    ("central time (us & canada)", "America/Chicago"),
    ("mountain time (us & canada)", "America/Denver"),
    ("pacific time (us & canada)", "America/Los_Angeles"),
    ("atlantic time (canada)", "America/Halifax"),
    ("indiana (east)", "America/Indiana/Indianapolis"),
    ("alaska", "America/Anchorage"),
    ("hawaii", "Pacific/Honolulu"),
    ("arizona", "America/Phoenix"),
    ("saskatchewan", "America/Regina"),
    ("newfoundland", "America/St_Johns"),
    ("central america", "America/Guatemala"),
    ("brasilia", "America/Sao_Paulo"),
    ("greenland", "America/Nuuk"),
    ("mid-atlantic", "Etc/GMT+2"),
    ("international date line west", "Etc/GMT+12"),
    ("coordinated universal time", "Etc/UTC"),
    ("greenwich mean time", "Europe/London"),
    ("west central africa", "Africa/Lagos"),
];

/// Last path segments of IANA names that are words rather than places.
const NOT_CITIES: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "central",
    "eastern",
    "western",
    "pacific",
    "mountain",
    "atlantic",
    "general",
    "continental",
    "universal",
    "zulu",
];

struct Tables {
    /// Lower-case Windows names (also without " standard time") to IANA names.
    windows: HashMap<String, &'static str>,
    /// Lower-case IANA names to zones.
    iana: HashMap<String, chrono_tz::Tz>,
    /// Lower-case city (last segment, `_` as space) to zones.
    cities: HashMap<String, chrono_tz::Tz>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut windows = HashMap::new();
        for &(name, iana) in WINDOWS_ZONES {
            let lower = name.to_ascii_lowercase();
            // Outlook 2003 and older write the name without " Standard Time".
            if let Some(short) = lower.strip_suffix(" standard time") {
                windows.entry(short.to_string()).or_insert(iana);
            }
            windows.insert(lower, iana);
        }
        let mut iana = HashMap::new();
        let mut cities = HashMap::new();
        for tz in chrono_tz::TZ_VARIANTS {
            let name = tz.name();
            iana.insert(name.to_ascii_lowercase(), tz);
            let Some((area, city)) = name.rsplit_once('/') else {
                continue;
            };
            let legacy_area = ["Etc", "US", "Canada", "Mexico", "Brazil", "Chile"]
                .iter()
                .any(|a| area.eq_ignore_ascii_case(a));
            // "Australia/ACT", "Australia/NSW": abbreviations, not places.
            let abbreviation = city.bytes().all(|b| b.is_ascii_uppercase());
            let city = city.replace('_', " ").to_ascii_lowercase();
            if legacy_area || abbreviation || NOT_CITIES.contains(&city.as_str()) {
                continue;
            }
            cities.entry(city).or_insert(tz);
        }
        Tables {
            windows,
            iana,
            cities,
        }
    })
}

/// An IANA zone by its exact name, or its name in another case.
pub(crate) fn iana_zone(name: &str) -> Option<chrono_tz::Tz> {
    chrono_tz::Tz::from_str(name)
        .ok()
        .or_else(|| tables().iana.get(&name.to_ascii_lowercase()).copied())
}

/// The IANA zone for a Windows zone name ("W. Europe Standard Time") or a legacy or
/// vendor-prefixed TZID ("/mozilla.org/20050126_1/America/Chicago", "US/Eastern").
pub fn windows_to_iana(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_matches('"').trim();
    if name.is_empty() {
        return None;
    }
    if let Some(&iana) = tables().windows.get(&name.to_ascii_lowercase()) {
        return Some(iana);
    }
    if let Some(tz) = iana_zone(name) {
        return Some(tz.name());
    }
    if name.contains('/')
        && let Some(tz) = vendor_suffix(name)
    {
        return Some(tz.name());
    }
    display_name(name)
}

/// RFC 5545 §3.2.19: a TZID starting with "/" names a zone in some global registry; libical,
/// Mozilla and others put a path before the IANA name. The longest tail that is an IANA
/// name wins ("posix/Europe/Vaduz" too).
fn vendor_suffix(name: &str) -> Option<chrono_tz::Tz> {
    let mut rest = name;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Some(tz) = iana_zone(tail) {
            return Some(tz);
        }
        rest = tail;
    }
    None
}

/// Outlook display names: "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
/// "(GMT+05.30) Calcutta/Chennai/Mumbai/New Delhi", "Canberra, Melbourne, Sydney".
fn display_name(name: &str) -> Option<&'static str> {
    let rest = strip_offset_prefix(name).trim();
    let lower = rest.to_ascii_lowercase();
    if let Some(&iana) = tables().windows.get(&lower) {
        return Some(iana);
    }
    if let Some((_, iana)) = DISPLAY_NAMES.iter().find(|(d, _)| lower.starts_with(d)) {
        return Some(iana);
    }
    lower
        .split([',', '/', ';', ':', '&', '(', ')'])
        .map(|token| token.trim().trim_end_matches('.'))
        .filter(|token| !token.is_empty())
        .find_map(|token| tables().cities.get(token))
        .map(|tz| tz.name())
}

/// Removes a leading "(GMT+01:00)" or "(UTC-05:00)".
fn strip_offset_prefix(name: &str) -> &str {
    let Some(inner) = name.strip_prefix('(') else {
        return name;
    };
    match inner.split_once(')') {
        Some((offset, rest)) if offset.starts_with("GMT") || offset.starts_with("UTC") => rest,
        _ => name,
    }
}

/// The fixed offset in seconds a name such as "(GMT+05.30) …" or "GMT-0300" states, for
/// TZIDs nothing else resolves.
pub(crate) fn stated_offset(name: &str) -> Option<i32> {
    let name = name.trim().trim_start_matches('(');
    let rest = name
        .strip_prefix("GMT")
        .or_else(|| name.strip_prefix("UTC"))?;
    let sign = match rest.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = rest[1..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, ':' | '.'))
        .filter(char::is_ascii_digit)
        .collect();
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 | 4 => {
            let (h, m) = digits.split_at(digits.len() - 2);
            (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?)
        }
        _ => return None,
    };
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_is_a_zone() {
        for (windows, iana) in WINDOWS_ZONES.iter().chain(DISPLAY_NAMES) {
            assert!(
                chrono_tz::Tz::from_str(iana).is_ok(),
                "{windows} maps to unknown {iana}"
            );
        }
        assert!(WINDOWS_ZONES.len() >= 100);
    }

    #[test]
    fn windows_names() {
        assert_eq!(
            windows_to_iana("W. Europe Standard Time"),
            Some("Europe/Berlin")
        );
        assert_eq!(
            windows_to_iana("Eastern Standard Time"),
            Some("America/New_York")
        );
        assert_eq!(
            windows_to_iana("Pacific Standard Time"),
            Some("America/Los_Angeles")
        );
        assert_eq!(windows_to_iana("GMT Standard Time"), Some("Europe/London"));
        assert_eq!(windows_to_iana("India Standard Time"), Some("Asia/Kolkata"));
        assert_eq!(
            windows_to_iana("New Zealand Standard Time"),
            Some("Pacific/Auckland")
        );
        assert_eq!(
            windows_to_iana("E. South America Standard Time"),
            Some("America/Sao_Paulo")
        );
        assert_eq!(
            windows_to_iana("\"eastern standard time\""),
            Some("America/New_York")
        );
        assert_eq!(windows_to_iana("Eastern"), Some("America/New_York"));
    }

    #[test]
    fn legacy_and_vendor_names() {
        assert_eq!(windows_to_iana("US/Eastern"), Some("US/Eastern"));
        assert_eq!(windows_to_iana("Europe/Berlin"), Some("Europe/Berlin"));
        assert_eq!(windows_to_iana("europe/berlin"), Some("Europe/Berlin"));
        assert_eq!(
            windows_to_iana("/mozilla.org/20050126_1/America/Chicago"),
            Some("America/Chicago")
        );
        assert_eq!(
            windows_to_iana("/freeassociation.sourceforge.net/Tzfile/Europe/Vienna"),
            Some("Europe/Vienna")
        );
        assert_eq!(
            windows_to_iana("/softwarestudio.org/Olson_20011030_5/America/New_York"),
            Some("America/New_York")
        );
        assert_eq!(windows_to_iana("posix/Europe/Vaduz"), Some("Europe/Vaduz"));
    }

    #[test]
    fn outlook_display_names() {
        assert_eq!(
            windows_to_iana("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"),
            Some("Europe/Amsterdam")
        );
        assert_eq!(
            windows_to_iana("(GMT+05.30) Calcutta/Chennai/Mumbai/New Delhi/India StandarTime"),
            Some("Asia/Calcutta")
        );
        assert_eq!(
            windows_to_iana("(UTC-05:00) Eastern Time (US & Canada)"),
            Some("America/New_York")
        );
        assert_eq!(
            windows_to_iana("Greenwich Mean Time:Dublin; Edinburgh; Lisbon; London"),
            Some("Europe/London")
        );
        assert_eq!(
            windows_to_iana("Canberra, Melbourne, Sydney"),
            Some("Australia/Canberra")
        );
        assert_eq!(windows_to_iana("Western/Central Europe"), None);
        assert_eq!(windows_to_iana(""), None);
        assert_eq!(windows_to_iana("Not A Zone"), None);
    }

    #[test]
    fn stated_offsets() {
        assert_eq!(stated_offset("(GMT+05.30) Somewhere"), Some(19_800));
        assert_eq!(stated_offset("GMT-0300"), Some(-10_800));
        assert_eq!(stated_offset("UTC+1"), Some(3600));
        assert_eq!(stated_offset("Europe/Paris"), None);
    }
}
