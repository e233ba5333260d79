"""Shared fixtures for the real-client tests (started by scripts/client-tests).

The server under test is described by environment variables set by scripts/client-tests:

  CT_TARGET       calvault | radicale   (radicale: only the protocol checks, no calvault CLI steps)
  CT_ROOT_URL     http://127.0.0.1:PORT/           where discovery starts
  CT_DAV_ROOT     the DAV root a user would type into a client (calvault: http://127.0.0.1:PORT/dav/)
  CT_HOME_URL     calendar home of CT_USER (e.g. http://127.0.0.1:PORT/dav/calendars/alice/)
  CT_HOME_URL2    calendar home of CT_USER2
  CT_HOME_URL3    calendar home of CT_USER3 (the vdirsyncer user)
  CT_USER / CT_PASSWORD, CT_USER2 / CT_PASSWORD2, CT_USER3 / CT_PASSWORD3
  CT_CALVAULT     the calvault command with its store options (shell words), for the CLI steps
  CT_WORK         a scratch folder for this run
"""

import os
import shlex
import subprocess
import uuid

import caldav
import pytest
import requests

import recorder

recorder.install()

TARGET = os.environ.get("CT_TARGET", "calvault")
IS_CALVAULT = TARGET == "calvault"

calvault_only = pytest.mark.skipif(not IS_CALVAULT, reason="calvault-specific step (CT_TARGET=%s)" % TARGET)


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the tests through scripts/client-tests", returncode=2)
    return value


class Server:
    def __init__(self):
        self.root = env("CT_ROOT_URL")
        self.dav_root = env("CT_DAV_ROOT")
        self.home = env("CT_HOME_URL")
        self.home2 = env("CT_HOME_URL2")
        self.user = env("CT_USER")
        self.password = env("CT_PASSWORD")
        self.user2 = env("CT_USER2")
        self.password2 = env("CT_PASSWORD2")
        self.user3 = env("CT_USER3")
        self.password3 = env("CT_PASSWORD3")
        self.home3 = env("CT_HOME_URL3")
        self.work = env("CT_WORK")

    def client(self, user=None, password=None, url=None):
        return caldav.DAVClient(
            url=url or self.dav_root,
            username=user or self.user,
            password=password or self.password,
            timeout=30,
        )

    def session(self, user=None, password=None):
        s = requests.Session()
        s.auth = (user or self.user, password or self.password)
        s.headers["User-Agent"] = "calvault-client-tests"
        return s

    def calvault(self, *args, stdin=None, check=True):
        """Runs the calvault CLI on the server's store; returns stdout."""
        cmd = shlex.split(env("CT_CALVAULT")) + list(args)
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"`{shlex.join(cmd)}` exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def server():
    return Server()


@pytest.fixture
def calendar(server):
    """A fresh calendar of the first user, made with MKCALENDAR through the library."""
    principal = server.client().principal()
    cal_id = "ct-" + uuid.uuid4().hex[:10]
    cal = principal.make_calendar(name="Client test " + cal_id, cal_id=cal_id)
    yield cal
    # Calendars are left in place: a failed run keeps its evidence, and the store is temporary.


def dump(response):
    """A request/response exchange, for assertion messages."""
    req = response.request
    body = req.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = response.text
    if len(text) > 3000:
        text = text[:3000] + "\n[... truncated]"
    req_headers = "\n".join(f"{k}: {v}" for k, v in req.headers.items() if k.lower() != "authorization")
    resp_headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return (
        f"\n--- request\n{req.method} {req.url}\n{req_headers}\n\n{body or ''}"
        f"\n--- response\n{response.status_code} {response.reason}\n{resp_headers}\n\n{text}\n---"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test shows the requests the server answered with an error status."""
    if call.when == "setup":
        item._ct_start = len(recorder.EXCHANGES)
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        bad = recorder.errors_since(getattr(item, "_ct_start", 0))
        if bad:
            report.sections.append(
                ("HTTP exchanges answered with an error status (last %d)" % len(bad), "\n\n".join(bad))
            )
