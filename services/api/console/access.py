"""Who sees what in the console: the JSON API's tenant scoping, plus the operator's view of
every tenant.

A client or tenant admin sees only its own tenant, whatever a URL says: another tenant's job
is ``JOB_NOT_FOUND``, exactly as in the JSON API. The platform operator may name any tenant.
Operator pages (overview, failures) need an admin or operator key.
"""

from __future__ import annotations

from libs import names
from libs.auth.keys import Principal, Role
from libs.contracts.errors import ErrorCode, SSError
from services.api.state import Services


def job_tenant(principal: Principal, tenant: str | None, job_id: str) -> str:
    """The tenant whose job ``job_id`` a page is about: the caller's own, or for the operator
    the one the URL names; a job of a tenant the caller may not see does not exist for it."""
    if tenant is None or tenant == principal.tenant:
        return principal.tenant
    if principal.role is not Role.OPERATOR:
        raise SSError(ErrorCode.JOB_NOT_FOUND, f"no job {job_id!r}", job_id=job_id)
    try:
        return names.tenant_id(tenant)
    except ValueError as exc:
        raise SSError(ErrorCode.JOB_NOT_FOUND, f"no job {job_id!r}", job_id=job_id) from exc


def listed_tenants(principal: Principal, tenant: str | None) -> list[str] | None:
    """The tenants a list shows: the caller's own; for the operator the one asked for, or
    every tenant (None)."""
    if principal.role is not Role.OPERATOR:
        if tenant not in (None, "", principal.tenant):
            raise SSError(ErrorCode.FORBIDDEN, "only the platform operator filters by tenant")
        return [principal.tenant]
    if not tenant:
        return None
    try:
        return [names.tenant_id(tenant)]
    except ValueError as exc:
        raise SSError(ErrorCode.VALIDATION_FAILED, str(exc), field="tenant") from exc


def require_operator_view(principal: Principal) -> None:
    """Operator pages: an admin key (its own tenant) or the platform operator (all)."""
    if principal.role is Role.CLIENT:
        raise SSError(ErrorCode.FORBIDDEN,
                      "this page is for operators: it needs an admin or operator API key")


def sees_tenant(principal: Principal, tenant: str) -> bool:
    """Whether jobs of ``tenant`` may be named to ``principal`` (shared views: workers)."""
    return principal.role is Role.OPERATOR or tenant == principal.tenant


async def known_tenants(services: Services) -> list[str]:
    """Every tenant that can have jobs: each API key's, and the development key's."""
    tenants = {key.tenant for key in await services.keys.list()}
    tenants.add(services.settings.dev_tenant)
    return sorted(tenants)
