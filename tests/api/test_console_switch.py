"""A deployment without ``SS_CONSOLE_SECRET`` has no console login: the catalogue's
``CONSOLE_DISABLED``, as a page for a browser and as the JSON error body otherwise."""

from __future__ import annotations

import httpx

from dev.stack import Stack
from tests.api.catalogue import assert_catalogued
from tests.api.conftest import client_for


async def test_without_its_secret_the_console_cannot_be_logged_into(api: Stack) -> None:
    async with httpx.AsyncClient(base_url=api.api_url, timeout=30) as browser:
        page = await browser.get("/console/login", headers={"accept": "text/html"})
    assert page.status_code == 501
    assert "CONSOLE_DISABLED" in page.text
    async with client_for(api, None) as http:
        assert_catalogued(await http.get("/console/login"), "CONSOLE_DISABLED")
        login = await http.post("/console/login", data={"key": "ss-dev-key"},
                                headers={"accept": "application/json"})
        assert_catalogued(login, "CONSOLE_DISABLED")
        assert "ss_session" not in login.headers.get("set-cookie", "")
