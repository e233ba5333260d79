//! Alarms: vCalendar 1.0 AALARM, DALARM, PALARM and MALARM (§2.3.1, §2.3.5, §2.3.16,
//! §2.3.14: `run time;snooze time;repeat count;…`) against VALARM (RFC 5545 §3.6.6).
//!
//! vCalendar states when an alarm runs as an absolute time; iCalendar usually relative to
//! the start. An absolute run time becomes a TRIGGER relative to DTSTART (to DUE for a task
//! without start) so that it follows every occurrence of a series, as phones mean it.
//! Phones write an AALARM and a DALARM at the same time for one reminder with sound: that
//! pair becomes one DISPLAY alarm, and a DISPLAY alarm goes out as that pair again.

use super::VcalError;
use super::read::Property;
use super::text::{split_fields, unescape};
use super::time::{Stamp, duration_seconds, duration_text, parse_stamp, utc_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Audio,
    Display,
    Procedure,
    Email,
}

impl Action {
    pub(crate) fn from_vcal(name: &str) -> Option<Action> {
        match name {
            "AALARM" => Some(Action::Audio),
            "DALARM" => Some(Action::Display),
            "PALARM" => Some(Action::Procedure),
            "MALARM" => Some(Action::Email),
            _ => None,
        }
    }

    pub(crate) fn from_ical(name: &str) -> Option<Action> {
        match name.trim().to_ascii_uppercase().as_str() {
            "AUDIO" => Some(Action::Audio),
            "DISPLAY" => Some(Action::Display),
            "PROCEDURE" => Some(Action::Procedure),
            "EMAIL" => Some(Action::Email),
            _ => None,
        }
    }

    fn ical_name(self) -> &'static str {
        match self {
            Action::Audio => "AUDIO",
            Action::Display => "DISPLAY",
            Action::Procedure => "PROCEDURE",
            Action::Email => "EMAIL",
        }
    }

    pub(crate) fn vcal_name(self) -> &'static str {
        match self {
            Action::Audio => "AALARM",
            Action::Display => "DALARM",
            Action::Procedure => "PALARM",
            Action::Email => "MALARM",
        }
    }
}

/// When a vCalendar alarm runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunTime {
    Absolute(Stamp),
    /// A duration before or after the start: not vCalendar 1.0, but the SyncML engine of
    /// Synthesis/SyncEvolution writes `AALARM:-PT15M;;;Reminder`.
    Relative(i64),
}

/// One vCalendar alarm property, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VcalAlarm {
    pub(crate) action: Action,
    pub(crate) run: RunTime,
    /// Snooze time (DURATION) and repeat count (REPEAT).
    pub(crate) snooze: Option<String>,
    pub(crate) repeat: Option<u32>,
    /// Audio content, display string, procedure name or e-mail address.
    pub(crate) content: String,
    /// The note of an MALARM.
    pub(crate) note: String,
}

/// Reads an alarm property; `Ok(None)` for one without a run time (nothing to schedule).
pub(crate) fn read(property: &Property, action: Action) -> Result<Option<VcalAlarm>, VcalError> {
    let fields = split_fields(&property.value);
    let field = |i: usize| fields.get(i).map(|f| f.trim()).unwrap_or_default();
    let run = field(0);
    if run.is_empty() {
        return Ok(None);
    }
    let run = match parse_stamp(run) {
        Some(stamp) => RunTime::Absolute(stamp),
        None => RunTime::Relative(duration_seconds(run).ok_or_else(|| VcalError::BadValue {
            line: property.line,
            property: property.name.clone(),
            value: property.value.clone(),
        })?),
    };
    let snooze = Some(field(1))
        .filter(|s| duration_seconds(s).is_some_and(|d| d > 0))
        .map(str::to_string);
    let repeat = field(2).parse().ok().filter(|&n| n > 0);
    Ok(Some(VcalAlarm {
        action,
        run,
        snooze,
        repeat,
        content: unescape(field(3)),
        note: unescape(field(4)),
    }))
}

/// Where a VALARM's TRIGGER points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// Seconds from DTSTART, or from the end (DUE) with `end`.
    Relative { seconds: i64, end: bool },
    /// A UTC instant.
    Absolute(i64),
}

/// The VALARM lines (unfolded) of an alarm. `summary` is the text of the event, used where
/// RFC 5545 requires a text the vCalendar alarm does not have.
pub(crate) fn valarm(alarm: &VcalAlarm, trigger: Trigger, summary: &str) -> Vec<String> {
    let escape = |text: &str| crate::line::escape_text(text);
    let mut lines = vec![
        "BEGIN:VALARM".to_string(),
        format!("ACTION:{}", alarm.action.ical_name()),
    ];
    lines.push(match trigger {
        Trigger::Relative {
            seconds,
            end: false,
        } => format!("TRIGGER:{}", duration_text(seconds)),
        Trigger::Relative { seconds, end: true } => {
            format!("TRIGGER;RELATED=END:{}", duration_text(seconds))
        }
        Trigger::Absolute(at) => format!(
            "TRIGGER;VALUE=DATE-TIME:{}",
            utc_text(super::time::from_timestamp(at))
        ),
    });
    let fallback = if summary.is_empty() {
        "Reminder"
    } else {
        summary
    };
    let content = alarm.content.trim();
    match alarm.action {
        Action::Display => {
            let text = if content.is_empty() {
                fallback
            } else {
                content
            };
            lines.push(format!("DESCRIPTION:{}", escape(text)));
        }
        Action::Audio | Action::Procedure if content.contains(':') => {
            lines.push(format!("ATTACH:{content}"));
        }
        Action::Audio | Action::Procedure if !content.is_empty() => {
            lines.push(format!("DESCRIPTION:{}", escape(content)));
        }
        Action::Audio | Action::Procedure => {}
        Action::Email => {
            let note = if alarm.note.trim().is_empty() {
                fallback
            } else {
                alarm.note.trim()
            };
            lines.push(format!("SUMMARY:{}", escape(fallback)));
            lines.push(format!("DESCRIPTION:{}", escape(note)));
            if !content.is_empty() {
                let address = content
                    .trim_start_matches("mailto:")
                    .trim_start_matches("MAILTO:");
                lines.push(format!("ATTENDEE:mailto:{address}"));
            }
        }
    }
    // RFC 5545 §3.6.6: DURATION and REPEAT come together or not at all.
    if let (Some(snooze), Some(repeat)) = (&alarm.snooze, alarm.repeat) {
        lines.push(format!("DURATION:{snooze}"));
        lines.push(format!("REPEAT:{repeat}"));
    }
    lines.push("END:VALARM".to_string());
    lines
}

/// Whether an AALARM only duplicates a DALARM of the same time (no sound file of its own).
pub(crate) fn is_display_companion(audio: &VcalAlarm) -> bool {
    audio.action == Action::Audio && !audio.content.contains(':')
}

/// The vCalendar value `run;snooze;repeat;fields…` with `;` in the fields escaped.
pub(crate) fn vcal_value(run: &str, snooze: &str, repeat: &str, fields: &[&str]) -> String {
    let mut value = format!("{run};{snooze};{repeat}");
    for field in fields {
        value.push(';');
        value.push_str(&super::text::escape_field(field));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(name: &str, value: &str) -> Property {
        Property {
            line: 7,
            name: name.to_string(),
            params: Vec::new(),
            value: value.to_string(),
        }
    }

    #[test]
    fn reads_absolute_and_relative_run_times() {
        let alarm = read(
            &property("DALARM", "20080312T141000Z;PT5M;2;Call\\; now"),
            Action::Display,
        )
        .expect("valid")
        .expect("alarm");
        assert!(matches!(alarm.run, RunTime::Absolute(Stamp::Utc(_))));
        assert_eq!(alarm.snooze.as_deref(), Some("PT5M"));
        assert_eq!(alarm.repeat, Some(2));
        assert_eq!(alarm.content, "Call; now");
        let relative = read(&property("AALARM", "-PT15M;;;Reminder"), Action::Audio)
            .expect("valid")
            .expect("alarm");
        assert_eq!(relative.run, RunTime::Relative(-900));
        assert_eq!(read(&property("AALARM", ";;;"), Action::Audio), Ok(None));
        assert!(matches!(
            read(&property("AALARM", "soon"), Action::Audio),
            Err(VcalError::BadValue { line: 7, .. })
        ));
    }

    #[test]
    fn writes_valarms() {
        let alarm = VcalAlarm {
            action: Action::Display,
            run: RunTime::Relative(-900),
            snooze: Some("PT5M".to_string()),
            repeat: Some(3),
            content: String::new(),
            note: String::new(),
        };
        let lines = valarm(
            &alarm,
            Trigger::Relative {
                seconds: -900,
                end: false,
            },
            "Lunch, now",
        );
        assert_eq!(
            lines,
            vec![
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "TRIGGER:-PT15M",
                "DESCRIPTION:Lunch\\, now",
                "DURATION:PT5M",
                "REPEAT:3",
                "END:VALARM"
            ]
        );
        assert_eq!(
            vcal_value("20240101T090000Z", "", "", &["a;b"]),
            "20240101T090000Z;;;a\\;b"
        );
    }
}
