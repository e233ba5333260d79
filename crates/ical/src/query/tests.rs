//! The query side against RFC 4791 Appendix B and the rules of §9.6, §9.7, §9.9 and §7.10.

use chrono::NaiveDateTime;

use crate::CalendarObject;
use crate::query::*;

const ABCD: [(&str, &str); 7] = [
    (
        "abcd1",
        include_str!("../../tests/fixtures/rfc4791/abcd1.ics"),
    ),
    (
        "abcd2",
        include_str!("../../tests/fixtures/rfc4791/abcd2.ics"),
    ),
    (
        "abcd3",
        include_str!("../../tests/fixtures/rfc4791/abcd3.ics"),
    ),
    (
        "abcd4",
        include_str!("../../tests/fixtures/rfc4791/abcd4.ics"),
    ),
    (
        "abcd5",
        include_str!("../../tests/fixtures/rfc4791/abcd5.ics"),
    ),
    (
        "abcd6",
        include_str!("../../tests/fixtures/rfc4791/abcd6.ics"),
    ),
    (
        "abcd7",
        include_str!("../../tests/fixtures/rfc4791/abcd7.ics"),
    ),
];

/// `20060104T000000Z` as unix seconds.
fn t(text: &str) -> i64 {
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .expect("timestamp")
        .and_utc()
        .timestamp()
}

fn range(start: &str, end: &str) -> TimeRange {
    TimeRange {
        start: Some(t(start)),
        end: Some(t(end)),
    }
}

fn object(text: &str) -> CalendarObject {
    CalendarObject::parse(text).expect("parses")
}

fn calendar(comps: Vec<CompFilter>) -> CompFilter {
    CompFilter {
        name: "VCALENDAR".to_string(),
        test: CompTest::Matches {
            time_range: None,
            props: Vec::new(),
            comps,
        },
    }
}

fn comp(name: &str, time_range: Option<TimeRange>, props: Vec<PropFilter>) -> CompFilter {
    comp_with(name, time_range, props, Vec::new())
}

fn comp_with(
    name: &str,
    time_range: Option<TimeRange>,
    props: Vec<PropFilter>,
    comps: Vec<CompFilter>,
) -> CompFilter {
    CompFilter {
        name: name.to_string(),
        test: CompTest::Matches {
            time_range,
            props,
            comps,
        },
    }
}

fn text(value: &str, collation: Collation, negate: bool) -> TextMatch {
    TextMatch {
        value: value.to_string(),
        collation,
        negate,
    }
}

fn prop(name: &str, text: Option<TextMatch>, params: Vec<ParamFilter>) -> PropFilter {
    PropFilter {
        name: name.to_string(),
        test: PropTest::Matches {
            time_range: None,
            text,
            params,
        },
    }
}

fn not_defined(name: &str) -> PropFilter {
    PropFilter {
        name: name.to_string(),
        test: PropTest::IsNotDefined,
    }
}

/// The Appendix B resources that match `filter`.
fn matching(filter: &CompFilter) -> Vec<&'static str> {
    ABCD.iter()
        .filter(|(_, text)| object(text).matches(filter))
        .map(|(name, _)| *name)
        .collect()
}

fn event_series(extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[test]
fn rfc4791_7_8_1_events_by_time_range() {
    let filter = calendar(vec![comp(
        "VEVENT",
        Some(range("20060104T000000Z", "20060105T000000Z")),
        vec![],
    )]);
    assert_eq!(matching(&filter), ["abcd2", "abcd3"]);
}

#[test]
fn rfc4791_7_8_2_limit_recurrence_set() {
    let r = range("20060103T000000Z", "20060105T000000Z");
    let filter = calendar(vec![comp("VEVENT", Some(r), vec![])]);
    assert_eq!(matching(&filter), ["abcd2", "abcd3"]);
    let limited = object(ABCD[1].1).limit_recurrence_set(&r);
    assert!(limited.contains("SUMMARY:Event #2\r\n"));
    assert!(limited.contains("RRULE:FREQ=DAILY;COUNT=5\r\n"));
    assert!(limited.contains("SUMMARY:Event #2 bis\r\n"));
    assert!(!limited.contains("Event #2 bis bis"));
    assert!(limited.contains("BEGIN:VTIMEZONE\r\n"));
}

#[test]
fn rfc4791_7_8_3_expand() {
    let r = range("20060103T000000Z", "20060105T000000Z");
    let expanded = object(ABCD[1].1).expand(&r);
    assert!(!expanded.contains("VTIMEZONE") && !expanded.contains("RRULE"));
    let events: Vec<&str> = expanded.split("BEGIN:VEVENT\r\n").skip(1).collect();
    assert_eq!(events.len(), 2, "{expanded}");
    assert!(
        events[0].contains("DTSTART:20060103T170000Z\r\n"),
        "{expanded}"
    );
    assert!(events[0].contains("RECURRENCE-ID:20060103T170000Z\r\n"));
    assert!(events[0].contains("SUMMARY:Event #2\r\n"));
    assert!(
        events[1].contains("DTSTART:20060104T190000Z\r\n"),
        "{expanded}"
    );
    assert!(events[1].contains("RECURRENCE-ID:20060104T170000Z\r\n"));
    assert!(events[1].contains("SUMMARY:Event #2 bis\r\n"));
    let single = object(ABCD[2].1).expand(&r);
    assert!(single.contains("DTSTART:20060104T150000Z\r\n"), "{single}");
    assert!(!single.contains("RECURRENCE-ID") && !single.contains("TZID"));
    let parsed = object(&expanded);
    assert_eq!(parsed.components().len(), 2);
}

#[test]
fn rfc4791_7_8_5_todos_with_alarms_in_range() {
    let alarm = comp(
        "VALARM",
        Some(range("20060106T100000Z", "20060107T100000Z")),
        vec![],
    );
    let filter = calendar(vec![comp_with("VTODO", None, vec![], vec![alarm])]);
    assert_eq!(matching(&filter), ["abcd5"]);
}

#[test]
fn rfc4791_7_8_6_uid_octet() {
    let uid = text(
        "DC6C50A017428C5216A2F1CD@example.com",
        Collation::Octet,
        false,
    );
    let filter = calendar(vec![comp(
        "VEVENT",
        None,
        vec![prop("UID", Some(uid), vec![])],
    )]);
    assert_eq!(matching(&filter), ["abcd3"]);
}

#[test]
fn rfc4791_7_8_7_attendee_with_partstat() {
    let partstat = ParamFilter {
        name: "PARTSTAT".to_string(),
        test: ParamTest::Matches(Some(text("NEEDS-ACTION", Collation::AsciiCasemap, false))),
    };
    let attendee = prop(
        "ATTENDEE",
        Some(text(
            "mailto:lisa@example.com",
            Collation::AsciiCasemap,
            false,
        )),
        vec![partstat],
    );
    let filter = calendar(vec![comp("VEVENT", None, vec![attendee])]);
    assert_eq!(matching(&filter), ["abcd3"]);
}

#[test]
fn rfc4791_7_8_8_all_events() {
    let filter = calendar(vec![comp("VEVENT", None, vec![])]);
    assert_eq!(matching(&filter), ["abcd1", "abcd2", "abcd3"]);
}

#[test]
fn rfc4791_7_8_9_open_todos() {
    let status = prop(
        "STATUS",
        Some(text("CANCELLED", Collation::AsciiCasemap, true)),
        vec![],
    );
    let filter = calendar(vec![comp(
        "VTODO",
        None,
        vec![not_defined("COMPLETED"), status],
    )]);
    assert_eq!(matching(&filter), ["abcd4", "abcd5"]);
}

#[test]
fn rfc4791_7_10_1_free_busy() {
    let r = range("20060104T140000Z", "20060104T220000Z");
    let periods: Vec<BusyPeriod> = ABCD
        .iter()
        .flat_map(|(_, text)| object(text).busy_periods(&r))
        .collect();
    assert_eq!(
        periods,
        [
            BusyPeriod {
                start: t("20060104T190000Z"),
                end: t("20060104T200000Z"),
                kind: BusyKind::Busy
            },
            BusyPeriod {
                start: t("20060104T150000Z"),
                end: t("20060104T160000Z"),
                kind: BusyKind::BusyTentative
            },
        ]
    );
}

#[test]
fn is_not_defined_on_components() {
    let no_todo = calendar(vec![CompFilter {
        name: "VTODO".to_string(),
        test: CompTest::IsNotDefined,
    }]);
    assert_eq!(matching(&no_todo), ["abcd1", "abcd2", "abcd3"]);
    let with_timezone = calendar(vec![comp("VTIMEZONE", None, vec![])]);
    assert_eq!(matching(&with_timezone), ["abcd1", "abcd2", "abcd3"]);
    let no_alarm = calendar(vec![comp_with(
        "VTODO",
        None,
        vec![],
        vec![CompFilter {
            name: "VALARM".to_string(),
            test: CompTest::IsNotDefined,
        }],
    )]);
    assert_eq!(matching(&no_alarm), ["abcd6", "abcd7"]);
    let wrong_root = comp("VEVENT", None, vec![]);
    assert!(!object(ABCD[0].1).matches(&wrong_root));
}

#[test]
fn text_is_compared_unescaped_and_x_properties_match() {
    let o = object(&event_series(
        "DTSTART:20240101T090000Z\r\nSUMMARY:Lunch\\, with Bob\\nand Al\r\nX-ROOM;X-WING=\"North, 2\":B12\r\n",
    ));
    let summary = |value: &str| {
        calendar(vec![comp(
            "VEVENT",
            None,
            vec![prop(
                "SUMMARY",
                Some(text(value, Collation::Octet, false)),
                vec![],
            )],
        )])
    };
    assert!(o.matches(&summary("Lunch, with Bob\nand")));
    assert!(!o.matches(&summary("Lunch\\,")));
    let wing = ParamFilter {
        name: "x-wing".to_string(),
        test: ParamTest::Matches(Some(text("north, 2", Collation::AsciiCasemap, false))),
    };
    let room = calendar(vec![comp(
        "VEVENT",
        None,
        vec![prop(
            "X-ROOM",
            Some(text("b12", Collation::AsciiCasemap, false)),
            vec![wing],
        )],
    )]);
    assert!(o.matches(&room));
    let no_param = ParamFilter {
        name: "X-WING".to_string(),
        test: ParamTest::IsNotDefined,
    };
    let room = calendar(vec![comp(
        "VEVENT",
        None,
        vec![prop("X-ROOM", None, vec![no_param])],
    )]);
    assert!(!o.matches(&room));
}

#[test]
fn prop_time_range_on_dtstamp() {
    let stamp = |r: TimeRange| {
        calendar(vec![comp(
            "VEVENT",
            None,
            vec![PropFilter {
                name: "DTSTAMP".to_string(),
                test: PropTest::Matches {
                    time_range: Some(r),
                    text: None,
                    params: Vec::new(),
                },
            }],
        )])
    };
    let o = object(ABCD[0].1);
    assert!(o.matches(&stamp(range("20060206T000000Z", "20060207T000000Z"))));
    assert!(!o.matches(&stamp(range("20060207T000000Z", "20060208T000000Z"))));
}

fn event_filter(r: TimeRange) -> CompFilter {
    calendar(vec![comp("VEVENT", Some(r), vec![])])
}

#[test]
fn overrides_and_exdate_in_matches_and_expand() {
    // Daily at 09:00Z for 5 days; day 2 excluded, day 3 moved to day 10, day 4 cancelled
    // in its override.
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20240102T090000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20240103T090000Z\r\nDTSTART:20240110T090000Z\r\nDURATION:PT1H\r\nSUMMARY:moved\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20240104T090000Z\r\nDTSTART:20240104T090000Z\r\nDURATION:PT1H\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let o = object(text);
    let day = |d: &str| {
        range(
            &format!("2024010{d}T000000Z"),
            &format!("2024010{d}T235959Z"),
        )
    };
    assert!(o.matches(&event_filter(day("1"))));
    assert!(!o.matches(&event_filter(day("2"))));
    assert!(!o.matches(&event_filter(day("3"))));
    assert!(o.matches(&event_filter(range("20240110T000000Z", "20240111T000000Z"))));
    let week = range("20240101T000000Z", "20240111T000000Z");
    let expanded = o.expand(&week);
    let starts: Vec<&str> = expanded
        .lines()
        .filter(|l| l.starts_with("DTSTART"))
        .collect();
    assert_eq!(
        starts,
        [
            "DTSTART:20240101T090000Z",
            "DTSTART:20240104T090000Z",
            "DTSTART:20240105T090000Z",
            "DTSTART:20240110T090000Z",
        ]
    );
    assert!(
        expanded.contains("RECURRENCE-ID:20240103T090000Z\r\nDTSTART:20240110T090000Z")
            || expanded.contains("DTSTART:20240110T090000Z\r\nRECURRENCE-ID:20240103T090000Z")
    );
    assert!(!expanded.contains("EXDATE"));
    // The cancelled instance is no busy time.
    let busy = o.busy_periods(&week);
    assert_eq!(busy.len(), 3);
    assert!(busy.iter().all(|p| p.start != t("20240104T090000Z")));
}

#[test]
fn open_ended_series_against_far_ranges_is_fast() {
    let started = std::time::Instant::now();
    let o = object(&event_series(
        "DTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=SECONDLY;INTERVAL=7\r\n",
    ));
    let far = range("21000101T000000Z", "21000101T000100Z");
    assert!(o.matches(&event_filter(far)));
    // Every instance of the last hour still runs.
    assert_eq!(o.busy_periods(&far).len(), 3600 / 7 + 60 / 7 + 1);
    let weekly = object(&event_series(
        "DTSTART;TZID=Europe/Berlin:20240102T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYDAY=TU,TH\r\n",
    ));
    // 2999-01-01 is a Tuesday: 10:00 Berlin is 09:00Z.
    assert!(weekly.matches(&event_filter(range("29990101T085959Z", "29990101T090001Z"))));
    assert!(!weekly.matches(&event_filter(range("29990102T000000Z", "29990103T000000Z"))));
    let expanded = weekly.expand(&range("29990101T000000Z", "29990108T000000Z"));
    assert_eq!(expanded.matches("BEGIN:VEVENT").count(), 2, "{expanded}");
    assert!(expanded.contains("DTSTART:29990101T090000Z"));
    let monthly = object(&event_series(
        "DTSTART:20240131T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1\r\n",
    ));
    assert!(monthly.matches(&event_filter(range("28000229T000000Z", "28000301T000000Z"))));
    let open_start = TimeRange {
        start: Some(t("25000101T000000Z")),
        end: None,
    };
    assert!(o.matches(&event_filter(open_start)));
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[test]
fn every_second_far_away_and_all_day_series() {
    let o = object(&event_series(
        "DTSTART;TZID=Europe/Berlin:20240101T090000\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\n",
    ));
    let r = range("30000101T000000Z", "30000101T000010Z");
    assert!(o.matches(&event_filter(r)));
    assert_eq!(o.expand(&r).matches("BEGIN:VEVENT").count(), 10);
    let all_day = object(&event_series(
        "DTSTART;VALUE=DATE:20240101\r\nRRULE:FREQ=YEARLY\r\nEXDATE;VALUE=DATE:20250101\r\n",
    ));
    let expanded = all_day.expand(&range("20240101T000000Z", "20270101T000000Z"));
    let starts: Vec<&str> = expanded
        .lines()
        .filter(|l| l.starts_with("DTSTART") || l.starts_with("RECURRENCE-ID"))
        .collect();
    assert_eq!(
        starts,
        [
            "DTSTART;VALUE=DATE:20240101",
            "RECURRENCE-ID;VALUE=DATE:20240101",
            "DTSTART;VALUE=DATE:20260101",
            "RECURRENCE-ID;VALUE=DATE:20260101",
        ]
    );
}

#[test]
fn valarm_triggers_per_instance() {
    let o = object(&event_series(
        "DTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\nRRULE:FREQ=WEEKLY\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P1D\r\nEND:VALARM\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=END:PT30M\r\nREPEAT:2\r\nDURATION:PT1H\r\nEND:VALARM\r\n",
    ));
    let alarm = |r: TimeRange| {
        calendar(vec![comp_with(
            "VEVENT",
            None,
            vec![],
            vec![comp("VALARM", Some(r), vec![])],
        )])
    };
    // A day before the instance of 2025-01-06 (a Monday like 2024-01-01).
    assert!(o.matches(&alarm(range("20250105T085959Z", "20250105T090001Z"))));
    // RELATED=END plus 30 minutes, then two repetitions an hour apart.
    assert!(o.matches(&alarm(range("20250106T123000Z", "20250106T123001Z"))));
    assert!(!o.matches(&alarm(range("20250106T133000Z", "20250106T133001Z"))));
    assert!(!o.matches(&alarm(range("20250107T000000Z", "20250108T000000Z"))));
}

#[test]
fn vevent_rules_for_all_day_zero_duration_and_no_end() {
    let all_day = object(&event_series("DTSTART;VALUE=DATE:20240101\r\n"));
    assert!(all_day.matches(&event_filter(range("20240101T230000Z", "20240102T000000Z"))));
    assert!(!all_day.matches(&event_filter(range("20240102T000000Z", "20240103T000000Z"))));
    let point = object(&event_series("DTSTART:20240101T090000Z\r\n"));
    assert!(point.matches(&event_filter(range("20240101T090000Z", "20240101T090001Z"))));
    assert!(!point.matches(&event_filter(range("20240101T080000Z", "20240101T090000Z"))));
    let zero = object(&event_series(
        "DTSTART:20240101T090000Z\r\nDURATION:PT0S\r\n",
    ));
    assert!(zero.matches(&event_filter(range("20240101T090000Z", "20240101T100000Z"))));
    assert!(
        zero.busy_periods(&range("20240101T000000Z", "20240102T000000Z"))
            .is_empty()
    );
    // Floating time is read as UTC.
    let floating = object(&event_series(
        "DTSTART:20240101T090000\r\nDTEND:20240101T100000\r\n",
    ));
    assert!(floating.matches(&event_filter(range("20240101T093000Z", "20240101T093001Z"))));
    let expanded = floating.expand(&range("20240101T000000Z", "20240102T000000Z"));
    assert!(expanded.contains("DTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\n"));
}

#[test]
fn vtodo_table() {
    let todo = |props: &str| {
        object(&format!(
            "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\n{props}END:VTODO\r\nEND:VCALENDAR\r\n"
        ))
    };
    let f = |r: TimeRange| calendar(vec![comp("VTODO", Some(r), vec![])]);
    let jan = range("20240101T000000Z", "20240201T000000Z");
    let feb = range("20240201T000000Z", "20240301T000000Z");
    let start_due = todo("DTSTART:20240115T000000Z\r\nDUE:20240215T000000Z\r\n");
    assert!(start_due.matches(&f(jan)) && start_due.matches(&f(feb)));
    let duration = todo("DTSTART:20240131T000000Z\r\nDURATION:P1D\r\n");
    assert!(duration.matches(&f(jan)) && duration.matches(&f(feb)));
    let due = todo("DUE:20240201T000000Z\r\n");
    assert!(due.matches(&f(jan)) && !due.matches(&f(feb)));
    let completed = todo("COMPLETED:20240110T000000Z\r\nCREATED:20231201T000000Z\r\n");
    assert!(completed.matches(&f(jan)) && !completed.matches(&f(feb)));
    let created = todo("CREATED:20240110T000000Z\r\n");
    assert!(created.matches(&f(jan)) && created.matches(&f(feb)));
    assert!(!created.matches(&f(range("20231201T000000Z", "20240101T000000Z"))));
    let bare = todo("SUMMARY:x\r\n");
    assert!(bare.matches(&f(feb)));
    let expanded = start_due.expand(&jan);
    assert!(expanded.contains("DUE:20240215T000000Z"), "{expanded}");
}

#[test]
fn vjournal_rules() {
    let journal = object(
        "BEGIN:VCALENDAR\r\nBEGIN:VJOURNAL\r\nUID:j\r\nDTSTART;VALUE=DATE:20240101\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n",
    );
    let f = |r: TimeRange| calendar(vec![comp("VJOURNAL", Some(r), vec![])]);
    assert!(journal.matches(&f(range("20240101T120000Z", "20240101T130000Z"))));
    assert!(!journal.matches(&f(range("20240102T000000Z", "20240103T000000Z"))));
    let undated =
        object("BEGIN:VCALENDAR\r\nBEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n");
    assert!(!undated.matches(&f(range("20240101T000000Z", "20240102T000000Z"))));
}

#[test]
fn busy_periods_follow_transp_and_status_and_are_clipped() {
    let r = range("20240101T093000Z", "20240101T120000Z");
    let busy = |props: &str| {
        object(&event_series(&format!(
            "DTSTART:20240101T090000Z\r\nDTEND:20240101T100000Z\r\n{props}"
        )))
        .busy_periods(&r)
    };
    assert_eq!(
        busy(""),
        [BusyPeriod {
            start: t("20240101T093000Z"),
            end: t("20240101T100000Z"),
            kind: BusyKind::Busy
        }]
    );
    assert!(busy("TRANSP:TRANSPARENT\r\n").is_empty());
    assert!(busy("STATUS:CANCELLED\r\n").is_empty());
    assert_eq!(
        busy("STATUS:TENTATIVE\r\n")[0].kind,
        BusyKind::BusyTentative
    );
    assert_eq!(busy("TRANSP:OPAQUE\r\nSTATUS:CONFIRMED\r\n").len(), 1);
}

#[test]
fn select_with_nested_selectors_and_novalue() {
    let o = object(ABCD[2].1);
    let selector = CompSelector {
        name: "VCALENDAR".to_string(),
        props: Some(vec![PropSelector {
            name: "VERSION".to_string(),
            novalue: false,
        }]),
        comps: Some(vec![
            CompSelector {
                name: "VEVENT".to_string(),
                props: Some(vec![
                    PropSelector {
                        name: "SUMMARY".to_string(),
                        novalue: false,
                    },
                    PropSelector {
                        name: "UID".to_string(),
                        novalue: false,
                    },
                    PropSelector {
                        name: "DTSTART".to_string(),
                        novalue: false,
                    },
                    PropSelector {
                        name: "ATTENDEE".to_string(),
                        novalue: true,
                    },
                ]),
                comps: Some(Vec::new()),
            },
            CompSelector {
                name: "VTIMEZONE".to_string(),
                props: None,
                comps: None,
            },
        ]),
    };
    let selected = o.select(&selector);
    assert!(selected.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\n"));
    assert!(!selected.contains("PRODID"));
    assert!(selected.contains(
        "BEGIN:VEVENT\r\nATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:\r\nDTSTART;TZID=US/Eastern:20060104T100000\r\nSUMMARY:Event #3\r\nUID:DC6C50A017428C5216A2F1CD@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ), "{selected}");
    assert!(selected.contains("TZOFFSETTO:-0500"));
    // Still iCalendar: it parses back.
    assert_eq!(
        object(&selected).uid(),
        "DC6C50A017428C5216A2F1CD@example.com"
    );
    let all = CompSelector {
        name: "VCALENDAR".to_string(),
        props: None,
        comps: None,
    };
    assert_eq!(o.select(&all), o.to_ics());
}

#[test]
fn caldav_resource_rules() {
    assert_eq!(object(ABCD[1].1).check_caldav_resource(), Ok(()));
    let method = ABCD[0]
        .1
        .replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:REQUEST\r\n");
    assert_eq!(
        object(&method).check_caldav_resource(),
        Err(ResourceViolation::HasMethod)
    );
    let mixed = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T090000Z\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nUID:a\r\nRECURRENCE-ID:20240101T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        object(mixed).check_caldav_resource(),
        Err(ResourceViolation::MixedComponents)
    );
    let no_uid = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20240101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let mut o = object(no_uid);
    assert!(matches!(
        o.check_caldav_resource(),
        Err(ResourceViolation::UidProblem(_))
    ));
    o.set_uid("given");
    assert_eq!(o.check_caldav_resource(), Ok(()));
}

#[test]
fn this_and_future_moves_later_instances() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:20240101T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:old\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240103T090000Z\r\nDTSTART:20240103T140000Z\r\nDURATION:PT2H\r\nSUMMARY:new\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let o = object(text);
    assert!(!o.matches(&event_filter(range("20240104T085959Z", "20240104T100000Z"))));
    assert!(o.matches(&event_filter(range("20240104T150000Z", "20240104T150001Z"))));
    let expanded = o.expand(&range("20240104T000000Z", "20240105T000000Z"));
    assert!(expanded.contains("DTSTART:20240104T140000Z"), "{expanded}");
    assert!(expanded.contains("SUMMARY:new"));
    let limited = o.limit_recurrence_set(&range("20240104T000000Z", "20240105T000000Z"));
    assert!(limited.contains("SUMMARY:new"));
}

mod props {
    use proptest::prelude::*;

    use super::*;

    const RULES: [&str; 8] = [
        "FREQ=DAILY",
        "FREQ=HOURLY;INTERVAL=5",
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=40",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=YEARLY;UNTIL=20300101T000000Z",
        "FREQ=MINUTELY;INTERVAL=37",
        "FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=1",
        "FREQ=DAILY;BYHOUR=8,20;EXDATE",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn expand_never_panics_and_instances_overlap(
            rule in 0..RULES.len(),
            start_day in 0i64..20_000,
            length in 0i64..200_000,
            from in -1_000_000_000i64..5_000_000_000,
            span in 1i64..20_000_000,
            zoned in any::<bool>(),
        ) {
            let start = chrono::DateTime::from_timestamp(start_day * 86_400 + 32_400, 0)
                .expect("time")
                .naive_utc()
                .format("%Y%m%dT%H%M%S")
                .to_string();
            let dtstart = if zoned {
                format!("DTSTART;TZID=America/New_York:{start}")
            } else {
                format!("DTSTART:{start}Z")
            };
            let text = event_series(&format!(
                "{dtstart}\r\nDURATION:PT{length}S\r\nRRULE:{}\r\nEXDATE:{start}Z\r\n",
                RULES[rule]
            ));
            let Ok(o) = CalendarObject::parse(&text) else {
                return Ok(());
            };
            let r = TimeRange { start: Some(from), end: Some(from + span) };
            let expanded = o.expand(&r);
            let Ok(back) = CalendarObject::parse(&expanded) else {
                prop_assert!(!expanded.contains("BEGIN:VEVENT"));
                return Ok(());
            };
            for component in back.components() {
                let start = component.value("DTSTART").and_then(crate::value::parse_date_time);
                let start = start.expect("a DTSTART").local.and_utc().timestamp();
                let end = if length > 0 { start + length } else { start };
                let overlaps = if end > start {
                    start < from + span && end > from
                } else {
                    start >= from && start < from + span
                };
                prop_assert!(overlaps, "{start}..{end} outside {from}+{span}");
            }
        }

    }

    proptest! {
        // Odd rules can be dense (every second); fewer cases keep the suite quick.
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn queries_never_panic_on_odd_rules(
            rule in "FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;(INTERVAL|COUNT|BYDAY|BYMONTHDAY|BYSETPOS|BYMONTH|UNTIL|WKST)=[0-9A-Z,+-]{0,10}){0,3}",
            from in -100_000_000_000i64..300_000_000_000,
            span in 0i64..5_000_000,
            open_end in any::<bool>(),
        ) {
            let text = event_series(&format!(
                "DTSTART;TZID=Europe/Berlin:20240331T023000\r\nDTEND;TZID=Europe/Berlin:20240331T033000\r\nRRULE:{rule}\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nEND:VALARM\r\n"
            ));
            let Ok(o) = CalendarObject::parse(&text) else {
                return Ok(());
            };
            let r = TimeRange { start: Some(from), end: (!open_end).then_some(from + span) };
            let _ = o.expand(&r);
            let _ = o.limit_recurrence_set(&r);
            let _ = o.busy_periods(&r);
            let alarm = comp("VALARM", Some(r), vec![]);
            let _ = o.matches(&calendar(vec![comp_with("VEVENT", Some(r), vec![], vec![alarm])]));
        }
    }
}
