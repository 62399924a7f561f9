"""Read client config files the way the clients themselves do, many at once (JSON on stdin → JSON on stdout).

Each case is {"id", "kind", "text", "url"?}; each answer {"id", "values"} or {"id", "error"}.
- pip.conf: pip 23's configuration loader (configparser.RawConfigParser, no interpolation);
- pypirc: twine 4's utils.get_config (configparser.RawConfigParser; index-servers split on whitespace);
- netrc: the netrc module requests' get_netrc_auth uses, looked up by the host requests 2.31 (pip 23's
  vendored copy) derives from the request URL `url`: netloc up to the first ":";
- uv: tomllib (uv's own parser is TOML 1.0 too).
URLs are split as pip splits them (urllib.parse; userinfo percent-decoded with unquote).
"""
import configparser
import json
import netrc
import os
import sys
import tempfile
import tomllib
from urllib.parse import unquote, urlsplit


def url_parts(url):
    u = urlsplit(url)
    user, _, password = u.netloc.rpartition("@")[0].partition(":")
    return {
        "hostname": u.hostname,
        "port": u.port,
        "path": u.path,
        "query": u.query,
        "fragment": u.fragment,
        "username": unquote(user) if "@" in u.netloc else None,
        "password": unquote(password) if "@" in u.netloc else None,
    }


def read_ini(text):
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def read(case):
    kind, text = case["kind"], case["text"]
    if kind == "pip.conf":
        p = read_ini(text)
        url = p.get("global", "index-url", fallback=None) or p.get("global", "index_url")
        return {"url": url, "parts": url_parts(url)}
    if kind == "pypirc":
        p = read_ini(text)
        servers = p.get("distutils", "index-servers").split()
        out = {"servers": servers, "repos": {}}
        for s in servers:
            if p.has_section(s):
                repo = p.get(s, "repository", fallback=None)
                out["repos"][s] = {
                    "repository": repo,
                    "parts": url_parts(repo) if repo else None,
                    "username": p.get(s, "username", fallback=None),
                    "password": p.get(s, "password", fallback=None),
                }
        return out
    if kind == "netrc":
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".netrc", delete=False) as f:
            f.write(text)
        try:
            parsed = netrc.netrc(f.name)
        finally:
            os.unlink(f.name)
        u = urlsplit(case["url"])
        # requests >= 2.32.4 (and curl) look up the lower-cased host name; older requests the netloc up to
        # the first ":" (which cannot work for an [IPv6] host): both must find the same entry.
        hosts = {u.hostname} if u.netloc.startswith("[") else {u.hostname, u.netloc.split(":")[0]}
        found = {h: parsed.authenticators(h) for h in hosts}
        auths = {(a[0], a[2]) if a else None for a in found.values()}
        if len(auths) != 1:
            raise ValueError(f"hosts {sorted(hosts)} find different entries: {found}")
        auth = auths.pop()
        return {"login": auth[0], "password": auth[1]} if auth else None
    if kind == "uv":
        doc = tomllib.loads(text)
        return {"index": [dict(i, parts=url_parts(i["url"]), publish=url_parts(i["publish-url"])) for i in doc.get("index", [])]}
    if kind == "url":
        return url_parts(text)
    raise ValueError(f"unknown kind {kind}")


def main():
    answers = []
    for case in json.load(sys.stdin):
        try:
            answers.append({"id": case["id"], "values": read(case)})
        except Exception as e:  # the file did not parse: the test says which and why
            answers.append({"id": case["id"], "error": f"{type(e).__name__}: {e}"})
    json.dump(answers, sys.stdout)


main()
