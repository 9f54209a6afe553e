"""The console over plain HTTP: its security headers and markup, sessions and CSRF, and
tenant scoping in every page and fragment."""

from __future__ import annotations

import html
import re
import time
from html.parser import HTMLParser

import httpx
import pytest

from tests.api.catalogue import assert_catalogued
from tests.console.jobs import failed_job, start_job, wait_state
from tests.console.stack import Console, Session


class _Markup(HTMLParser):
    """What a page's markup would run: inline scripts, handlers, javascript: URLs, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.found.append("a <script> without src")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"an inline handler {name}= on <{tag}>")
            if name == "style":
                self.found.append(f"an inline style on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"a javascript: URL in {name}= on <{tag}>")
        if tag == "style":
            self.found.append("a <style> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("script text inside <script>")


def inline_code(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.found


def _directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_the_markup_checker_sees_inline_code() -> None:
    assert inline_code('<p onclick="x()">a</p><script>alert(1)</script>'
                       '<a href="javascript:x()">b</a><div style="color:red"></div>') == [
        "an inline handler onclick= on <p>", "a <script> without src",
        "script text inside <script>", "a javascript: URL in href= on <a>",
        "an inline style on <div>"]
    assert inline_code('<script type="module" src="/console/static/js/x.js"></script>') == []


def test_every_page_forbids_inline_script_and_has_none(console: Console) -> None:
    admin, op = console.session("alpha_admin"), console.session("operator")
    with console.api("alpha_client") as api:
        job = failed_job(api)
    made_up = job[:-1] + ("1" if job.endswith("0") else "0")
    pages = [(admin, ["/console/overview", "/console/jobs", f"/console/jobs/{job}",
                     "/console/failures", "/console/templates", "/console/templates/ols_robust",
                     "/console/templates/did_2x2", "/console/dofile",
                     f"/console/jobs/{made_up}"]),
             (op, ["/console/overview", f"/console/jobs/{job}?tenant=alpha", "/console/jobs"])]
    login = httpx.get(f"{console.url}/console/login")
    answers = [login] + [s.page(path) for s, paths in pages for path in paths]
    for answer in answers:
        where = answer.request.url
        assert answer.headers["content-type"].startswith("text/html"), where
        policy = _directives(answer.headers["content-security-policy"])
        assert policy["default-src"] == ["'none'"], where
        assert policy["script-src"] == ["'self'"], where
        assert policy["style-src"] == ["'self'"], where
        assert policy["frame-ancestors"] == ["'none'"], where
        assert policy["base-uri"] == ["'none'"], where
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert inline_code(answer.text) == [], where
    assert answers[-4].status_code == 404  # a made-up job id: an error page, same rules


def test_report_is_sandboxed(console: Console) -> None:
    with console.api("alpha_client") as api:
        job = start_job(api, "sleepy", {"var": "x", "ms": 0}, ["html", "csv"])
        assert wait_state(api, job, {"succeeded"})
    answer = console.session("alpha_client").page(f"/console/jobs/{job}/report")
    assert answer.status_code == 200
    policy = _directives(answer.headers["content-security-policy"])
    assert "sandbox" in policy
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy  # falls back to default-src 'none'
    assert policy["frame-ancestors"] == ["'self'"]
    assert "<html" in answer.text.lower()


def test_login_sets_a_session_cookie_and_logout_drops_it(console: Console) -> None:
    http = console.client()
    refused = http.post("/console/login", data={"key": "ss_0123456789abcdef_nope"})
    assert refused.status_code == 401
    assert "UNAUTHORIZED" in refused.text
    assert "ss_session" not in refused.headers.get(
        "set-cookie", "")
    answer = http.post("/console/login", data={"key": console.keys["alpha_client"],
                                               "next": "/console/jobs"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/jobs"
    cookie = answer.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute in cookie
    assert console.keys["alpha_client"] not in cookie  # names the key, never holds it
    assert http.get("/console/jobs", headers={"accept": "text/html"}).status_code == 200
    # Another site's address is never a place to go after logging in.
    away = http.post("/console/login", data={"key": console.keys["alpha_client"],
                                             "next": "//evil.example/x"})
    assert away.headers["location"] == "/console/templates"
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      http.get("/console/jobs", headers={"accept": "text/html"}).text)
    assert token
    refused_logout = http.post("/console/logout", data={"csrf": "wrong"})
    assert refused_logout.status_code == 403
    out = http.post("/console/logout", data={"csrf": token.group(1)})
    assert out.status_code == 303
    assert 'ss_session=""' in out.headers["set-cookie"]
    http.cookies.clear()
    again = http.get("/console/jobs", headers={"accept": "text/html"})
    assert again.status_code == 303
    assert again.headers["location"].startswith("/console/login")


def test_changes_need_the_csrf_token_and_the_same_site(console: Console) -> None:
    session = console.session("alpha_client")
    with console.api("alpha_client") as api:
        job = failed_job(api)
    bare = session.http.post(f"/v1/jobs/{job}/retry")
    assert_catalogued(bare, "CSRF_REJECTED")
    wrong = session.http.post(f"/v1/jobs/{job}/retry", headers={"x-csrf-token": "x" * 43})
    assert_catalogued(wrong, "CSRF_REJECTED")
    cross = session.http.post(f"/v1/jobs/{job}/retry", headers={
        "x-csrf-token": session.csrf, "sec-fetch-site": "cross-site"})
    assert_catalogued(cross, "CSRF_REJECTED")
    forged_login = httpx.post(f"{console.url}/console/login", headers={
        "sec-fetch-site": "cross-site"}, data={"key": console.keys["alpha_client"]})
    assert forged_login.status_code == 403
    assert "ss_session" not in forged_login.headers.get(
        "set-cookie", "")
    # Reads need no token; the JSON API accepts the session like a Bearer key.
    assert session.http.get(f"/v1/jobs/{job}").json()["state"] == "failed"
    retried = session.post(f"/v1/jobs/{job}/retry")
    assert retried.status_code == 202, retried.text


def test_a_tampered_or_foreign_cookie_is_no_session(console: Console) -> None:
    session = console.session("alpha_client")
    value = session.http.cookies["ss_session"]
    body, _, mac = value.partition(".")
    for forged in (f"{body}.{mac[:-2]}AA", f"{body[:-2]}xx.{mac}", "garbage", ""):
        http = console.client(cookies={"ss_session": forged})
        assert_catalogued(http.get("/v1/jobs"), "UNAUTHORIZED")


def test_revoking_the_key_ends_its_sessions(console: Console) -> None:
    with console.api("operator") as op:
        made = op.post("/v1/admin/keys", json={"tenant": "alpha", "role": "client"}).json()
        console.keys["doomed"] = made["token"]
        session = console.session("doomed")
        assert session.http.get("/v1/jobs").status_code == 200
        assert op.delete(f"/v1/admin/keys/{made['key']['key_id']}").status_code == 200
    # The key store caches a lookup for 2 s.
    for _ in range(60):
        answer = session.http.get("/v1/jobs")
        if answer.status_code == 401:
            break
        time.sleep(0.1)
    assert_catalogued(answer, "UNAUTHORIZED")


def _first_event(session: Session, path: str, event: str) -> str:
    """The data of the first ``event`` a console SSE stream sends."""
    data: list[str] = []
    kind = ""
    with session.http.stream("GET", path, timeout=30) as answer:
        assert answer.status_code == 200, path
        for line in answer.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
            elif not line and data:
                if kind == event:
                    return "\n".join(data)
                data, kind = [], ""
    raise AssertionError(f"{path} ended without a {event} event")


@pytest.mark.parametrize("viewer", ["beta_client", "beta_admin"])
def test_another_tenant_never_sees_a_job(console: Console, viewer: str) -> None:
    with console.api("alpha_client") as api:
        failed = failed_job(api)
        running = start_job(api, "sleepy", {"var": "x", "ms": 8000})
        wait_state(api, running, {"running"})
    beta = console.session(viewer)
    op = console.session("operator")
    own = console.session("alpha_client")
    for job in (failed, running):
        assert job in own.page("/console/jobs").text
        assert job not in beta.page("/console/jobs").text
        for path in (f"/console/jobs/{job}", f"/console/jobs/{job}?tenant=alpha",
                     f"/console/jobs/{job}/live", f"/console/jobs/{job}/live?tenant=alpha",
                     f"/console/jobs/{job}/report", f"/console/jobs/{job}/files/main.log",
                     f"/console/jobs/{job}/files/main.do?tenant=alpha&attempt=1"):
            answer = beta.page(path)
            assert answer.status_code == 404, path
            # The refusal repeats the id that was asked for, and nothing else of the job.
            assert job not in html.unescape(answer.text).replace(f"no job {job!r}", ""), path
            assert_catalogued(beta.http.get(path), "JOB_NOT_FOUND")
        for action in ("cancel", "retry"):
            assert_catalogued(beta.post(f"/console/jobs/{job}/{action}?tenant=alpha"),
                              "JOB_NOT_FOUND")
            assert_catalogued(beta.post(f"/v1/jobs/{job}/{action}"), "JOB_NOT_FOUND")
    assert_catalogued(beta.http.get("/console/jobs?tenant=alpha"), "FORBIDDEN")
    if viewer == "beta_admin":
        # The operator's overview names the running job (once its worker's next heartbeat
        # is heard); the other tenant's admin sees the same workers busy, without the name.
        for _ in range(100):
            if running in op.page("/console/overview").text:
                break
            time.sleep(0.1)
        assert running in op.page("/console/overview").text
        assert running in _first_event(op, "/console/overview/live", "overview")
        overview = beta.page("/console/overview")
        assert overview.status_code == 200
        assert "busy" in overview.text
        assert running not in overview.text
        assert failed not in overview.text
        live = _first_event(beta, "/console/overview/live", "overview")
        assert running not in live
        assert failed not in live
        assert failed in op.page("/console/failures?tenant=alpha").text
        assert failed not in beta.page("/console/failures").text
        assert_catalogued(beta.http.get("/console/failures?tenant=alpha"), "FORBIDDEN")
        outcome = beta.post("/console/failures/retry", json={"jobs": [["alpha", failed]]})
        assert outcome.json() == [{"tenant": "alpha", "job_id": failed, "state": None,
                                   "error_code": "JOB_NOT_FOUND",
                                   "message": f"no job {failed!r}"}]
    else:
        assert_catalogued(beta.http.get("/console/overview"), "FORBIDDEN")
        assert_catalogued(beta.http.get("/console/failures"), "FORBIDDEN")


def test_the_operator_works_on_any_tenant(console: Console) -> None:
    with console.api("beta_client") as api:
        job = failed_job(api)
    op = console.session("operator")
    assert job in op.page("/console/jobs?tenant=beta&state=failed").text
    assert job in op.page("/console/jobs").text  # every tenant
    assert "DOFILE_ERROR" in op.page(f"/console/jobs/{job}?tenant=beta").text
    retried = op.post(f"/console/jobs/{job}/retry?tenant=beta")
    assert retried.status_code == 202
    assert retried.json()["state"] == "queued"


_ROW = re.compile(r'<tr data-job="([0-9a-f]{28})">')
_NEXT = re.compile(r'<a rel="next" href="([^"]+)">')


def _listed(session: Session, path: str) -> tuple[list[str], str | None]:
    """The job ids a list page shows, and its link to older jobs."""
    answer = session.page(path)
    assert answer.status_code == 200, path
    following = _NEXT.search(answer.text)
    return _ROW.findall(answer.text), html.unescape(following.group(1)) if following else None


def test_the_jobs_list_filters_and_pages(console: Console) -> None:
    """Filters by state, template and time; pages of 50 newest first, merged across tenants
    for the operator; the next page starts after the last one shown."""
    made: dict[str, list[str]] = {"gamma": [], "delta": []}
    failing: list[str] = []
    with console.api("operator") as op:
        for tenant in made:
            console.keys[f"{tenant}_client"] = op.post(
                "/v1/admin/keys", json={"tenant": tenant, "role": "client"}).json()["token"]
    with console.api("gamma_client") as gamma, console.api("delta_client") as delta:
        for i in range(64):
            api, tenant = (delta, "delta") if i % 8 == 0 else (gamma, "gamma")
            body = ({"template_id": "failing", "params": {"var": "x"}} if i % 4 == 1 else
                    {"template_id": "sleepy", "params": {"var": "x", "ms": 0}})
            created = api.post("/v1/jobs", json=body)
            assert created.status_code == 201, created.text
            made[tenant].append(created.json()["id"])
            if body["template_id"] == "failing":
                failing.append(created.json()["id"])
    gamma_ids, delta_ids = made["gamma"], made["delta"]
    op_session = console.session("operator")
    first, following = _listed(op_session, "/console/jobs?tenant=gamma&state=created")
    assert len(first) == 50
    assert following is not None
    rest, last = _listed(op_session, following)
    assert last is None
    assert first + rest == sorted(gamma_ids, reverse=True)
    # Every tenant at once: one list, newest first, both tenants' jobs in it.
    merged, _ = _listed(op_session, "/console/jobs?age=1h")
    assert merged == sorted(merged, reverse=True)
    everyone = sorted(gamma_ids + delta_ids, reverse=True)
    assert merged[:10] == everyone[:10]
    own = console.session("gamma_client")
    assert _listed(own, "/console/jobs?template=failing")[0] == sorted(failing, reverse=True)
    assert _listed(own, "/console/jobs?state=succeeded")[0] == []
    assert _listed(own, "/console/jobs?age=1h&state=created")[0][:50] == first
    assert_catalogued(own.http.get("/console/jobs?state=nonsense"), "VALIDATION_FAILED")
    assert_catalogued(own.http.get("/console/jobs?age=2y"), "VALIDATION_FAILED")


def test_the_catalogue_filters_by_family_and_words(console: Console) -> None:
    session = console.session("alpha_client")
    every = session.page("/console/templates").text
    families = re.findall(r"</code> · (\w+)</p>", every)
    panel = session.page("/console/templates?family=panel").text
    shown = re.findall(r"</code> · (\w+)</p>", panel)
    assert shown == ["panel"] * families.count("panel")
    assert 0 < len(shown) < len(families)
    found = session.page("/console/templates?q=robust+standard+errors").text
    assert 'href="/console/templates/ols_robust"' in found
    assert len(re.findall(r"</code> · ", found)) < len(families)
    assert "No template matches." in session.page("/console/templates?q=zzqqxx").text
