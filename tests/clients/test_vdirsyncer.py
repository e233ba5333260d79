"""vdirsyncer syncing a local folder two ways with the server, and the disaster the mass-deletion
guard exists for: the local folder emptied and the emptiness pushed to the server.

Uses its own user (CT_USER3) so that no other test's calendars are synced."""

import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

import icalendar
import pytest

from conftest import IS_CALVAULT

VDIRSYNCER = os.path.join(os.path.dirname(sys.executable), "vdirsyncer")


def ics(u, start, summary):
    end = start + timedelta(hours=1)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calvault//client-tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{u}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\nSUMMARY:{summary}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


class Sync:
    def __init__(self, server, root):
        self.server = server
        self.root = root
        self.local = root / "local"
        self.local.mkdir(parents=True)
        self.config = root / "config"
        self.config.write_text(
            f"""[general]
status_path = "{root / 'status'}/"

[pair ct]
a = "ct_local"
b = "ct_remote"
collections = ["from a", "from b"]
conflict_resolution = "b wins"

[storage ct_local]
type = "filesystem"
path = "{self.local}/"
fileext = ".ics"

[storage ct_remote]
type = "caldav"
url = "{server.home3}"
username = "{server.user3}"
password = "{server.password3}"
"""
        )

    def run(self, *args, answers="", check=True):
        proc = subprocess.run(
            [VDIRSYNCER, "-c", str(self.config), *args],
            input=answers,
            capture_output=True,
            text=True,
            timeout=180,
        )
        out = f"$ vdirsyncer {' '.join(args)}  (exit {proc.returncode})\n{proc.stdout}{proc.stderr}"
        print(out)
        if check and proc.returncode != 0:
            raise AssertionError(out)
        return proc.returncode, out

    def local_uids(self, collection):
        uids = {}
        for f in (self.local / collection).glob("*.ics"):
            for ev in icalendar.Calendar.from_ical(f.read_text()).walk("VEVENT"):
                uids[str(ev["UID"])] = str(ev["SUMMARY"])
        return uids


def server_events(server, cal_name):
    principal = server.client(server.user3, server.password3).principal()
    for cal in principal.calendars():
        if urlparse(str(cal.url)).path.rstrip("/").endswith("/" + cal_name):
            return {str(e.icalendar_component["UID"]): str(e.icalendar_component["SUMMARY"]) for e in cal.events()}
    raise AssertionError(f"calendar {cal_name} not found in {[str(c.url) for c in principal.calendars()]}")


def test_vdirsyncer_two_way_and_emptied_folder(server, tmp_path):
    start = datetime(2026, 11, 2, 8, tzinfo=timezone.utc)
    client = server.client(server.user3, server.password3)
    principal = client.principal()

    # On the server: calendar "work" with 15 events.
    work = principal.make_calendar(name="Work", cal_id="work")
    work_events = {}
    for i in range(15):
        u = f"work-{i}-{uuid.uuid4().hex[:8]}"
        work.add_event(ics(u, start + timedelta(days=i), f"Work {i}"))
        work_events[u] = f"Work {i}"

    # Locally: collection "personal" with 5 events, not yet on the server.
    sync = Sync(server, tmp_path)
    (sync.local / "personal").mkdir()
    personal_events = {}
    for i in range(5):
        u = f"personal-{i}-{uuid.uuid4().hex[:8]}"
        (sync.local / "personal" / f"{u}.ics").write_text(ics(u, start + timedelta(days=i, hours=3), f"Personal {i}"))
        personal_events[u] = f"Personal {i}"

    # Discovery asks whether to create each missing collection: answer yes.
    sync.run("discover", answers="y\n" * 10)
    sync.run("sync")
    assert sync.local_uids("work") == work_events
    assert server_events(server, "personal") == personal_events

    # Two ways after the first sync: one change on each side.
    u = f"local-new-{uuid.uuid4().hex[:8]}"
    (sync.local / "work" / f"{u}.ics").write_text(ics(u, start + timedelta(days=20), "Added locally"))
    work_events[u] = "Added locally"
    personal = [c for c in principal.calendars() if urlparse(str(c.url)).path.rstrip("/").endswith("/personal")][0]
    u2 = f"server-new-{uuid.uuid4().hex[:8]}"
    personal.add_event(ics(u2, start + timedelta(days=21), "Added on the server"))
    personal_events[u2] = "Added on the server"
    # An edit made locally reaches the server.
    edited = next(iter(personal_events))
    f = sync.local / "personal" / f"{edited}.ics"
    f.write_text(f.read_text().replace(f"SUMMARY:{personal_events[edited]}", "SUMMARY:Edited locally"))
    personal_events[edited] = "Edited locally"
    sync.run("sync")
    assert server_events(server, "work") == work_events
    assert server_events(server, "personal") == personal_events
    assert sync.local_uids("work") == work_events
    assert sync.local_uids("personal") == personal_events

    # The disaster: the local "work" folder is emptied (a reset device, a wrong setting).
    for f in (sync.local / "work").glob("*.ics"):
        f.unlink()
    # vdirsyncer's own guard refuses to push an emptied storage ...
    code, out = sync.run("sync", check=False)
    assert code != 0 and "completely emptied" in out, out
    assert server_events(server, "work") == work_events
    # ... until told to, which is the documented way: `vdirsyncer sync --force-delete`.
    sync.run("sync", "--force-delete")
    assert server_events(server, "work") == {}, "the deletions did not reach the server"
    assert server_events(server, "personal") == personal_events

    if not IS_CALVAULT:
        return

    # calvault's guard fired: an alert names the snapshot taken before the deletions.
    alerts = server.calvault("alerts", server.user3)
    print(alerts)
    m = re.search(r"calvault snapshot restore (\S+)", alerts)
    assert m, f"no alert with a restore command for the mass deletion:\n{alerts}"
    server.calvault("snapshot", "restore", m.group(1).strip("`'\".,;"))
    assert server_events(server, "work") == work_events, "the snapshot restore did not bring every event back"
    assert server_events(server, "personal") == personal_events

    # The next sync brings them back locally.
    sync.run("sync")
    assert sync.local_uids("work") == work_events
    assert sync.local_uids("personal") == personal_events
