"""Scripted CalDAV scenarios with the python `caldav` library (and raw requests where the library
would hide what the server answered). Run by scripts/client-tests against a live server."""

import re
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urljoin, urlparse

import caldav
import icalendar
import pytest
from caldav.lib import error
from lxml import etree

from conftest import IS_CALVAULT, calvault_only, dump

NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}


def uid():
    return "ct-" + uuid.uuid4().hex


def vevent(u, start, summary, extra="", end=None):
    end = end or start + timedelta(hours=1)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//client-tests//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{u}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
        f"SUMMARY:{summary}\r\n{extra}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def path(url):
    return urlparse(str(url)).path


def events_of(text):
    cal = icalendar.Calendar.from_ical(text)
    return [c for c in cal.walk("VEVENT")]


def hrefs(response):
    tree = etree.fromstring(response.content)
    return [h.text for h in tree.findall("D:response/D:href", NS)]


# ---------------------------------------------------------------- discovery


def test_well_known_redirects(server):
    s = server.session()
    for method in ("GET", "PROPFIND"):
        r = s.request(method, urljoin(server.root, "/.well-known/caldav"), allow_redirects=False,
                      headers={"Depth": "0"})
        assert r.status_code in (301, 302, 303, 307, 308), dump(r)
        if IS_CALVAULT:
            assert path(urljoin(r.url, r.headers["Location"])) == "/dav/", dump(r)


def check_principal(server, principal):
    home = principal.calendar_home_set
    assert path(home.url).rstrip("/") == path(server.home).rstrip("/")
    if IS_CALVAULT:
        assert path(principal.url) == f"/dav/principals/{server.user}/"
        addresses = [str(a) for a in principal.calendar_user_address_set()]
        assert f"mailto:{server.user}@example.org" in [a.lower() for a in addresses], addresses


def test_discovery_from_dav_root(server):
    """A client given the DAV root (calvault: /dav/) finds the principal and the calendar home."""
    check_principal(server, server.client(url=server.dav_root).principal())


def test_discovery_from_server_address(server):
    """A client given only the server's address follows /.well-known/caldav (RFC 6764)."""
    r = server.session().request("PROPFIND", urljoin(server.root, "/.well-known/caldav"),
                                 headers={"Depth": "0"}, allow_redirects=False)
    assert r.status_code in (301, 302, 303, 307, 308), dump(r)
    context = urljoin(r.url, r.headers["Location"])
    check_principal(server, server.client(url=context).principal())


def test_unauthenticated_gets_401_with_basic_challenge(server):
    import requests

    r = requests.request("PROPFIND", server.home, headers={"Depth": "0"})
    assert r.status_code == 401, dump(r)
    assert "basic" in r.headers.get("WWW-Authenticate", "").lower(), dump(r)
    r = requests.request("PROPFIND", server.home, headers={"Depth": "0"}, auth=(server.user, "wrong-password"))
    assert r.status_code == 401, dump(r)


# ---------------------------------------------------------------- calendars and objects


def test_create_calendar(server):
    principal = server.client().principal()
    cal_id = "ct-mk-" + uuid.uuid4().hex[:8]
    cal = principal.make_calendar(name="Made by the client tests", cal_id=cal_id)
    assert path(cal.url).rstrip("/").endswith(cal_id)
    listed = {path(c.url).rstrip("/"): c for c in server.client().principal().calendars()}
    assert path(cal.url).rstrip("/") in listed, list(listed)
    assert listed[path(cal.url).rstrip("/")].get_display_name() == "Made by the client tests"


def test_add_modify_delete(server, calendar):
    u = uid()
    start = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    event = calendar.add_event(vevent(u, start, "Dentist"))
    url = str(event.url)

    # Read back through a fresh connection.
    fresh = server.client().calendar(url=str(calendar.url))
    got = fresh.event_by_uid(u)
    assert str(got.icalendar_component["SUMMARY"]) == "Dentist"

    got.icalendar_component["SUMMARY"] = "Dentist (moved)"
    got.icalendar_component["LOCATION"] = "Main street 1"
    got.save()
    again = server.client().calendar(url=str(calendar.url)).event_by_uid(u)
    assert str(again.icalendar_component["SUMMARY"]) == "Dentist (moved)"
    assert str(again.icalendar_component["LOCATION"]) == "Main street 1"
    assert len(calendar.events()) == 1

    again.delete()
    with pytest.raises(error.NotFoundError):
        server.client().calendar(url=str(calendar.url)).event_by_uid(u)
    r = server.session().get(url)
    assert r.status_code == 404, dump(r)
    assert calendar.events() == []


def test_get_calendar_as_one_ics(server, calendar):
    u1, u2 = uid(), uid()
    calendar.add_event(vevent(u1, datetime(2026, 3, 12, 9, tzinfo=timezone.utc), "One"))
    calendar.add_event(vevent(u2, datetime(2026, 3, 13, 9, tzinfo=timezone.utc), "Two"))
    r = server.session().get(str(calendar.url))
    assert r.status_code == 200, dump(r)
    assert r.headers.get("Content-Type", "").startswith("text/calendar"), dump(r)
    assert r.text.count("BEGIN:VCALENDAR") == 1, dump(r)
    assert {str(e["UID"]) for e in events_of(r.text)} == {u1, u2}, dump(r)


def test_no_uid_conflict(server, calendar):
    u = uid()
    start = datetime(2026, 3, 11, 9, 0, tzinfo=timezone.utc)
    s = server.session()
    first = str(calendar.url).rstrip("/") + "/first.ics"
    second = str(calendar.url).rstrip("/") + "/second.ics"
    r = s.put(first, data=vevent(u, start, "One"), headers={"Content-Type": "text/calendar"})
    assert r.status_code in (200, 201, 204), dump(r)
    r = s.put(second, data=vevent(u, start, "Two"), headers={"Content-Type": "text/calendar"})
    assert r.status_code in (403, 409), dump(r)
    assert "no-uid-conflict" in r.text, dump(r)
    assert s.get(second).status_code == 404
    assert len(calendar.events()) == 1


SERIES = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//calvault//client-tests//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Berlin:20260504T100000\r
DTEND;TZID=Europe/Berlin:20260504T110000\r
RRULE:FREQ=DAILY;COUNT=5\r
EXDATE;TZID=Europe/Berlin:20260506T100000\r
SUMMARY:Standup\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:{uid}\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20260505T100000\r
DTSTART;TZID=Europe/Berlin:20260505T143000\r
DTEND;TZID=Europe/Berlin:20260505T153000\r
SUMMARY:Standup (afternoon)\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_recurring_series_with_override_and_exdate(server, calendar):
    u = uid()
    s = server.session()
    url = str(calendar.url).rstrip("/") + f"/{u}.ics"
    r = s.put(url, data=SERIES.format(uid=u), headers={"Content-Type": "text/calendar", "If-None-Match": "*"})
    assert r.status_code in (201, 204), dump(r)

    # Round trip: the series comes back whole, with its override and its EXDATE.
    r = s.get(url)
    assert r.status_code == 200, dump(r)
    comps = events_of(r.text)
    assert len(comps) == 2, dump(r)
    master = [c for c in comps if "RECURRENCE-ID" not in c][0]
    override = [c for c in comps if "RECURRENCE-ID" in c][0]
    assert "FREQ=DAILY" in master["RRULE"].to_ical().decode() and "COUNT=5" in master["RRULE"].to_ical().decode()
    exdates = master["EXDATE"] if isinstance(master["EXDATE"], list) else [master["EXDATE"]]
    exdate_values = [d.dt for e in exdates for d in e.dts]
    assert [d.strftime("%Y%m%dT%H%M%S") for d in exdate_values] == ["20260506T100000"], exdate_values
    assert str(exdate_values[0].tzinfo) in ("Europe/Berlin",) or exdate_values[0].utcoffset() == timedelta(hours=2)
    assert override["RECURRENCE-ID"].dt.strftime("%Y%m%dT%H%M%S") == "20260505T100000"
    assert override["DTSTART"].dt.strftime("%H%M") == "1430"
    assert str(override["SUMMARY"]) == "Standup (afternoon)"
    assert str(master["SUMMARY"]) == "Standup"

    # Expanded search over the week: 4 occurrences, the edited one moved, the deleted one absent.
    start = datetime(2026, 5, 1, tzinfo=timezone.utc)
    end = datetime(2026, 5, 31, tzinfo=timezone.utc)
    for kwargs in ({"expand": True}, {"expand": True, "server_expand": True}):
        found = calendar.search(start=start, end=end, event=True, **kwargs)
        occurrences = sorted(
            (e.icalendar_component["DTSTART"].dt.astimezone(timezone.utc), str(e.icalendar_component["SUMMARY"]))
            for e in found
        )
        assert occurrences == [
            (datetime(2026, 5, 4, 8, 0, tzinfo=timezone.utc), "Standup"),
            (datetime(2026, 5, 5, 12, 30, tzinfo=timezone.utc), "Standup (afternoon)"),
            (datetime(2026, 5, 7, 8, 0, tzinfo=timezone.utc), "Standup"),
            (datetime(2026, 5, 8, 8, 0, tzinfo=timezone.utc), "Standup"),
        ], (kwargs, occurrences)

    # A time range that covers only the deleted occurrence finds nothing; one that covers only the
    # override's new time finds the series.
    assert calendar.search(start=datetime(2026, 5, 6, 7, tzinfo=timezone.utc),
                           end=datetime(2026, 5, 6, 10, tzinfo=timezone.utc), event=True, expand=False) == []
    hit = calendar.search(start=datetime(2026, 5, 5, 12, tzinfo=timezone.utc),
                          end=datetime(2026, 5, 5, 13, tzinfo=timezone.utc), event=True, expand=False)
    assert len(hit) == 1


def calendar_query(server, calendar, start, end, expand=False):
    exp = (f'<C:expand start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>' if expand else "")
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data>{exp}</C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
    r = server.session().request("REPORT", str(calendar.url), data=body,
                                 headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
    assert r.status_code == 207, dump(r)
    return r


def test_time_range_search(server, calendar):
    base = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
    uids = {}
    for name, day in (("before", -10), ("first", 1), ("second", 5), ("after", 40)):
        uids[name] = uid()
        calendar.add_event(vevent(uids[name], base + timedelta(days=day), name))
    # A weekly series that starts long before the window and has occurrences inside it.
    uids["weekly"] = uid()
    calendar.add_event(vevent(uids["weekly"], datetime(2026, 1, 5, 7, tzinfo=timezone.utc), "weekly",
                              extra="RRULE:FREQ=WEEKLY;COUNT=30\r\n"))
    # A series that ended before the window.
    uids["ended"] = uid()
    calendar.add_event(vevent(uids["ended"], datetime(2026, 1, 5, 7, tzinfo=timezone.utc), "ended",
                              extra="RRULE:FREQ=DAILY;COUNT=3\r\n"))
    start, end = base, base + timedelta(days=14)
    wanted = {uids["first"], uids["second"], uids["weekly"]}

    found = calendar.search(start=start, end=end, event=True, expand=False)
    assert {str(e.icalendar_component["UID"]) for e in found} == wanted

    found = calendar.search(start=start, end=end, event=True, expand=True)
    summaries = sorted(str(e.icalendar_component["SUMMARY"]) for e in found)
    assert summaries == ["first", "second", "weekly", "weekly"], summaries

    # The same query raw, so that the library's client-side filtering cannot hide a server error.
    r = calendar_query(server, calendar, start, end)
    got = {path(h).rsplit("/", 1)[-1] for h in hrefs(r)}
    assert len(got) == 3, dump(r)
    for name in ("before", "after", "ended"):
        assert uids[name] not in r.text, dump(r)
    r = calendar_query(server, calendar, start, end, expand=True)
    tree = etree.fromstring(r.content)
    occurrences = []
    for data in tree.iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
        for ev in events_of(data.text):
            assert "RRULE" not in ev, dump(r)
            occurrences.append(str(ev["SUMMARY"]))
    assert sorted(occurrences) == ["first", "second", "weekly", "weekly"], dump(r)


def test_sync_tokens(server, calendar):
    start = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
    keep = calendar.add_event(vevent(uid(), start, "keep"))
    change = calendar.add_event(vevent(uid(), start + timedelta(days=1), "change"))
    gone = calendar.add_event(vevent(uid(), start + timedelta(days=2), "gone"))

    initial = calendar.get_objects_by_sync_token(load_objects=True, disable_fallback=True)
    token = initial.sync_token
    assert token and not str(token).startswith("fake-"), token
    assert {path(o.url) for o in initial} == {path(keep.url), path(change.url), path(gone.url)}

    # Nothing changed: an empty delta.
    same = calendar.get_objects_by_sync_token(sync_token=token, load_objects=False, disable_fallback=True)
    assert list(same) == [] and not same.deleted_urls

    new = calendar.add_event(vevent(uid(), start + timedelta(days=3), "new"))
    change.icalendar_component["SUMMARY"] = "changed"
    change.save()
    gone.delete()

    delta = calendar.get_objects_by_sync_token(sync_token=token, load_objects=True, disable_fallback=True)
    deleted = {path(u) for u in delta.deleted_urls}
    changed = {path(o.url) for o in delta} - deleted
    assert changed == {path(new.url), path(change.url)}, (changed, deleted)
    assert deleted == {path(gone.url)}, deleted
    assert delta.sync_token != token
    for o in delta:
        if path(o.url) == path(change.url):
            assert str(o.icalendar_component["SUMMARY"]) == "changed"

    # A token the server never issued is refused with DAV:valid-sync-token.
    body = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>http://example.com/ns/sync/bogus-1</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""
    r = server.session().request("REPORT", str(calendar.url), data=body,
                                 headers={"Content-Type": "application/xml; charset=utf-8"})
    assert r.status_code in (403, 409), dump(r)
    assert "valid-sync-token" in r.text, dump(r)


def test_stale_etag_gets_412_and_no_update_is_lost(server, calendar):
    u = uid()
    start = datetime(2026, 8, 3, 9, 0, tzinfo=timezone.utc)
    url = str(calendar.url).rstrip("/") + f"/{u}.ics"
    phone, laptop = server.session(), server.session()
    ct = {"Content-Type": "text/calendar; charset=utf-8"}

    r = phone.put(url, data=vevent(u, start, "v1"), headers={**ct, "If-None-Match": "*"})
    assert r.status_code == 201, dump(r)
    r = phone.get(url)
    assert r.status_code == 200, dump(r)
    etag1 = r.headers.get("ETag")
    assert etag1 and etag1.startswith('"'), dump(r)  # a strong ETag

    # Creating again with If-None-Match: * must not overwrite.
    r = laptop.put(url, data=vevent(u, start, "clobber"), headers={**ct, "If-None-Match": "*"})
    assert r.status_code == 412, dump(r)

    # The phone updates with the current ETag.
    r = phone.put(url, data=vevent(u, start, "phone edit"), headers={**ct, "If-Match": etag1})
    assert r.status_code in (200, 204), dump(r)
    etag2 = r.headers.get("ETag") or phone.get(url).headers.get("ETag")
    assert etag2 and etag2 != etag1

    # The laptop still holds the first ETag: its update must be refused ...
    r = laptop.put(url, data=vevent(u, start, "laptop edit"), headers={**ct, "If-Match": etag1})
    assert r.status_code == 412, dump(r)
    # ... and so must a delete with the stale ETag.
    r = laptop.delete(url, headers={"If-Match": etag1})
    assert r.status_code == 412, dump(r)

    # ... and the phone's edit is what the server holds.
    r = laptop.get(url)
    assert r.status_code == 200 and r.headers.get("ETag") == etag2, dump(r)
    assert str(events_of(r.text)[0]["SUMMARY"]) == "phone edit", dump(r)

    # With the fresh ETag the laptop's update passes.
    r = laptop.put(url, data=vevent(u, start, "laptop edit"), headers={**ct, "If-Match": etag2})
    assert r.status_code in (200, 204), dump(r)
    assert str(events_of(phone.get(url).text)[0]["SUMMARY"]) == "laptop edit"


# ---------------------------------------------------------------- access


def test_second_user_cannot_see_first_users_calendars(server, calendar):
    u = uid()
    event = calendar.add_event(vevent(u, datetime(2026, 9, 1, 9, tzinfo=timezone.utc), "private"))
    bob = server.session(server.user2, server.password2)
    denied = (404,) if IS_CALVAULT else (403, 404)

    for url in (server.home, str(calendar.url), str(event.url)):
        r = bob.request("PROPFIND", url, headers={"Depth": "1"})
        assert r.status_code in denied, dump(r)
        r = bob.get(url)
        assert r.status_code in denied, dump(r)
    r = bob.put(str(calendar.url).rstrip("/") + "/intruder.ics",
                data=vevent(uid(), datetime(2026, 9, 2, tzinfo=timezone.utc), "intruder"),
                headers={"Content-Type": "text/calendar"})
    assert r.status_code in denied, dump(r)
    r = bob.delete(str(event.url))
    assert r.status_code in denied, dump(r)
    r = bob.request("REPORT", str(calendar.url), headers={"Depth": "1", "Content-Type": "application/xml"},
                    data='<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                         '<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
                         '</C:calendar-query>')
    assert r.status_code in denied, dump(r)

    # Listing above the homes must not reveal the calendar either.
    cal_name = path(calendar.url).rstrip("/").rsplit("/", 1)[-1]
    parent = server.home.rstrip("/").rsplit("/", 1)[0] + "/"
    for url in (parent, server.home2):
        r = bob.request("PROPFIND", url, headers={"Depth": "1"})
        assert r.status_code in (207, 403, 404), dump(r)
        assert cal_name not in r.text, dump(r)

    bob_principal = server.client(server.user2, server.password2).principal()
    assert path(bob_principal.calendar_home_set.url).rstrip("/") == path(server.home2).rstrip("/")
    for cal in bob_principal.calendars():
        assert not path(cal.url).startswith(path(server.home)), cal.url
    # Alice's data is intact.
    assert [str(e.icalendar_component["SUMMARY"]) for e in calendar.events()] == ["private"]


# ---------------------------------------------------------------- calvault safety features


@calvault_only
def test_deleted_event_restored_from_trash(server, calendar):
    u = uid()
    event = calendar.add_event(vevent(u, datetime(2026, 10, 1, 9, tzinfo=timezone.utc), "Trash me"))
    url = str(event.url)
    event.delete()
    assert server.session().get(url).status_code == 404

    # The CLI names a calendar USER/CALENDAR.
    name = f"{server.user}/{path(calendar.url).rstrip('/').rsplit('/', 1)[-1]}"
    listing = server.calvault("trash", "list", name)
    assert u in listing and "Trash me" in listing, listing
    server.calvault("trash", "restore", name, "--all")

    r = server.session().get(url)
    assert r.status_code == 200, dump(r)
    assert str(events_of(r.text)[0]["UID"]) == u
    assert u in {str(e.icalendar_component["UID"]) for e in calendar.events()}


@calvault_only
def test_app_password_works_until_revoked(server):
    out = server.calvault("app-password", "add", server.user, "ct-phone")
    m = re.search(r"app password ct-phone of %s: (\S+)" % re.escape(server.user), out)
    assert m, out
    secret = m.group(1)

    client = server.client(server.user, secret)
    assert path(client.principal().calendar_home_set.url).rstrip("/") == path(server.home).rstrip("/")
    s = server.session(server.user, secret)
    r = s.request("PROPFIND", server.home, headers={"Depth": "0"})
    assert r.status_code == 207, dump(r)
    # An app password belongs to its user only.
    r = server.session(server.user2, secret).request("PROPFIND", server.home2, headers={"Depth": "0"})
    assert r.status_code == 401, dump(r)

    listing = server.calvault("app-password", "list", server.user)
    assert "ct-phone" in listing and secret not in listing, listing
    server.calvault("app-password", "revoke", server.user, "ct-phone")
    r = server.session(server.user, secret).request("PROPFIND", server.home, headers={"Depth": "0"})
    assert r.status_code == 401, "revoked app password still accepted" + dump(r)
    # The account password is unaffected.
    r = server.session().request("PROPFIND", server.home, headers={"Depth": "0"})
    assert r.status_code == 207, dump(r)
