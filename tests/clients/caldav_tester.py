"""Runs caldav-server-tester against the server and judges its findings.

Rule (issue 3, item 7): no failure on any feature whose default expectation is full support,
scheduling excepted. The tester reports every feature it observed (`--format hints`, the
un-collapsed list); a feature fails when
  - it is a server feature (not an observation or a client feature),
  - caldav's default expectation for it (FeatureSet defaults) is "full",
  - it is not scheduling (RFC 6638) or below it,
  - and the observed support is anything but "full": unsupported, ungraceful, broken.
Observed "unknown" and "fragile" are what the tester itself does not hold against a server (the
check could not decide); they are printed as notes, not failures.

Usage: caldav_tester.py URL USER PASSWORD OUTDIR
Exit status 0 when nothing failed. Prints "caldav-server-tester: N checked, M failed".
"""

import ast
import json
import os
import subprocess
import sys

from caldav.compatibility_hints import FeatureSet

EXCEPTED_PREFIXES = ("scheduling", "schedule-tag", "freebusy-query.rfc6638", "auto-schedule")


def excepted(feature):
    return any(feature == p or feature.startswith(p + ".") for p in EXCEPTED_PREFIXES)


def print_exchanges(exchanges_file, limit=8):
    """The last exchanges answered with an error status. Some are expected (the tester probes
    what a server refuses); they show what the server said around a failure."""
    try:
        with open(exchanges_file) as f:
            exchanges = json.load(f)
    except (OSError, ValueError):
        return
    bad = [e["text"] for e in exchanges if e["status"] >= 400 or e["status"] == 0][-limit:]
    if bad:
        print(f"caldav-server-tester: the last {len(bad)} of its requests answered with an error status:")
        for text in bad:
            print("----\n" + text)


def main():
    url, user, password, outdir = sys.argv[1:5]
    os.makedirs(outdir, exist_ok=True)
    # The tester runs in a child python that records its exchanges (recorder.py) before starting.
    runner = (
        "import sys, json, atexit, recorder; recorder.install()\n"
        "out = sys.argv.pop(1)\n"
        "def _save():\n"
        "    json.dump(recorder.EXCHANGES, open(out, 'w'))\n"
        "atexit.register(_save)\n"
        "from caldav_server_tester.caldav_server_tester import check_server_compatibility\n"
        "sys.argv[0] = 'caldav-server-tester'\n"
        "check_server_compatibility()\n"
    )
    exchanges_file = os.path.join(outdir, "exchanges.json")
    cmd = [sys.executable, "-c", runner, exchanges_file, "--caldav-url", url, "--caldav-user", user, "--caldav-pass", password, "--format", "hints"]
    child_env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=280, env=child_env)
    except subprocess.TimeoutExpired as e:
        print(f"caldav-server-tester did not finish within {e.timeout} s")
        print("caldav-server-tester: 1 checked, 1 failed")
        return 1
    with open(os.path.join(outdir, "tester.stdout"), "w") as f:
        f.write(proc.stdout)
    with open(os.path.join(outdir, "tester.stderr"), "w") as f:
        f.write(proc.stderr)
    start = proc.stdout.find("{")
    try:
        observed = ast.literal_eval(proc.stdout[start:]) if start >= 0 else None
    except (ValueError, SyntaxError):
        observed = None
    if proc.returncode != 0 or not isinstance(observed, dict):
        print(f"caldav-server-tester did not complete (exit {proc.returncode}); its output:")
        print(proc.stdout[-4000:])
        print(proc.stderr[-6000:])
        print_exchanges(exchanges_file)
        print("caldav-server-tester: 1 checked, 1 failed")
        return 1

    defaults = FeatureSet()
    seen = FeatureSet(observed)
    failures, notes, checked = [], [], 0
    for feature, info in sorted(observed.items()):
        kind = FeatureSet.find_feature(feature).get("type", "server-feature")
        if kind not in ("server-feature", "server-peculiarity"):
            continue
        if defaults.is_supported(feature, str) != "full" or excepted(feature):
            continue
        checked += 1
        support = info.get("support") if isinstance(info, dict) else None
        if support is None:
            support = seen.is_supported(feature, str)
        detail = ", ".join(f"{k}={v}" for k, v in info.items() if k != "support") if isinstance(info, dict) else ""
        line = f"  {feature}: {support}" + (f" ({detail})" if detail else "")
        if support == "full":
            continue
        if support in ("unknown", "fragile"):
            notes.append(line)
        else:
            failures.append(line)

    if notes:
        print("caldav-server-tester: undecided (not counted as failures):")
        print("\n".join(notes))
    if failures:
        print("caldav-server-tester: FAILED features (default expectation: full support):")
        print("\n".join(failures))
        print_exchanges(exchanges_file)
    print(f"caldav-server-tester: {checked} checked, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
