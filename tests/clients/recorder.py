"""Records the HTTP exchanges of the python clients (caldav's HTTP library and `requests`), so that
a failure can be reported with the requests the server answered wrongly. Authorization headers are
never recorded."""

import functools

EXCHANGES = []
LIMIT_BODY = 2500


def _text(data):
    if data is None:
        return ""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    data = str(data)
    return data if len(data) <= LIMIT_BODY else data[:LIMIT_BODY] + "\n[... truncated]"


def _wrap(cls):
    if getattr(cls.request, "_ct_recorded", False):
        return
    original = cls.request

    @functools.wraps(original)
    def request(self, method, url, *args, **kwargs):
        response = original(self, method, url, *args, **kwargs)
        try:
            req = response.request
            headers = "\n".join(
                f"{k}: {v}" for k, v in req.headers.items() if k.lower() not in ("authorization", "cookie")
            )
            resp_headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            EXCHANGES.append(
                {
                    "status": response.status_code,
                    "text": f"{req.method} {req.url}\n{headers}\n\n{_text(req.body)}\n"
                    f"<== {response.status_code} {response.reason}\n{resp_headers}\n\n{_text(response.content)}",
                }
            )
        except Exception as e:  # recording must never break a client
            EXCHANGES.append({"status": 0, "text": f"{method} {url}: not recorded ({e})"})
        return response

    request._ct_recorded = True
    cls.request = request


def install():
    for module in ("requests", "niquests"):
        try:
            mod = __import__(module)
        except ImportError:
            continue
        _wrap(mod.Session)


def errors_since(start, limit=6):
    """The last exchanges after index `start` answered with a status of 400 or more."""
    bad = [e["text"] for e in EXCHANGES[start:] if e["status"] >= 400 or e["status"] == 0]
    return bad[-limit:]
