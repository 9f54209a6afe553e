"""``/v1/templates``: filters, the example request with its commands, the example files."""

from __future__ import annotations

import tomllib

import httpx

from dev.stack import Stack
from tests.api.conftest import REPO, client_for

EXAMPLES = REPO / "do_library" / "examples"


def _tagged(tag: str) -> set[str]:
    """The templates whose metadata file lists ``tag``, read straight from the library."""
    found = set()
    for path in (REPO / "do_library" / "templates").glob("*/template.toml"):
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
        if tag in meta.get("tags", []):
            found.add(meta["id"])
    return found


async def test_list_filters_by_tag_family_and_text(api: Stack) -> None:
    async with client_for(api, "ss-dev-key") as c:
        did = (await c.get("/v1/templates", params={"tag": "did"})).json()
        assert {t["id"] for t in did} == _tagged("did")
        assert {"did_2x2", "did_twoway_fe"} <= _tagged("did")
        assert all("did" in t["tags"] for t in did)
        both = (await c.get("/v1/templates", params={"tag": "did", "family": "panel"})).json()
        assert both == []
        # Free text looks at id, title, description, tags and when to use a template.
        found = (await c.get("/v1/templates", params={"q": "LOTTERIES"})).json()
        assert [t["id"] for t in found] == ["iv_2sls"]


async def test_template_carries_its_runnable_example_and_commands(api: Stack) -> None:
    async with client_for(api, "ss-dev-key") as c:
        body = (await c.get("/v1/templates/merge_datasets")).json()
    assert body["example_request"]["inputs"] == {"main": "grunfeld.csv",
                                                 "using": "grunfeld_firms.csv"}
    assert body["template"]["example_inputs"] == body["example_request"]["inputs"]
    assert body["template"]["use_when"]
    assert body["template"]["assumptions"]
    assert "merge" in body["stata_commands"]
    assert body["ado_helpers"] == ["ss_export_table"]


async def test_example_files_download_byte_for_byte(api: Stack) -> None:
    async with client_for(api, "ss-dev-key") as c:
        for name in ("grunfeld.csv", "grunfeld_firms.csv"):
            got = await c.get(f"/v1/templates/merge_datasets/examples/{name}")
            assert got.status_code == 200, got.text
            assert got.content == (EXAMPLES / name).read_bytes()
            assert got.headers["content-type"].startswith("text/csv")


async def test_only_the_template_s_example_files_are_served(api: Stack) -> None:
    async with client_for(api, "ss-dev-key") as c:
        for path in ("/v1/templates/ols_robust/examples/grunfeld.csv",
                     "/v1/templates/ols_robust/examples/..%2Ftemplate.schema.json",
                     "/v1/templates/ols_robust/examples/CAPABILITY_MANIFEST.json"):
            refused = await c.get(path)
            assert refused.status_code == 404, path
            assert refused.json()["error_code"] in ("EXAMPLE_NOT_FOUND", "ROUTE_NOT_FOUND")
        refused = await c.get("/v1/templates/ols_robust/examples/grunfeld.csv")
        assert refused.json()["error_code"] == "EXAMPLE_NOT_FOUND"
        assert refused.json()["details"] == {"template_id": "ols_robust", "name": "grunfeld.csv"}
        missing = await c.get("/v1/templates/nope/examples/auto.csv")
        assert missing.json()["error_code"] == "TEMPLATE_NOT_FOUND"
    async with httpx.AsyncClient(base_url=api.api_url) as anonymous:
        assert (await anonymous.get("/v1/templates/ols/examples/auto.csv")).status_code == 401
