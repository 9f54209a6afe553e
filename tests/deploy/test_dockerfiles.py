"""The three Dockerfiles: lint-clean, and consistent with the repository they are built from.

Consistent means: the requirement file an image installs exists and pins every distribution
with a hash; what it COPYs exists and is not dropped by .dockerignore; the module its CMD starts
exists; and every third-party package that module can import is in that image's requirements.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.deploy.dockerfile import (
    REPO,
    SERVICES,
    DockerIgnore,
    dockerfile,
    flag_value,
    parse,
    runtime_stage,
    sent_files,
)

HADOLINT = Path(sys.executable).parent / "hadolint"
FIRST_PARTY = ("libs", "services")


def _hadolint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HADOLINT), "--config", str(REPO / ".hadolint.yaml"), "--no-color", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_hadolint_passes_on_every_dockerfile() -> None:
    result = _hadolint(*(dockerfile(s) for s in SERVICES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_with_our_config_fails_on_a_bad_dockerfile(tmp_path: Path) -> None:
    # Guards the guard: an untagged base, `cd` in RUN and shell-form CMD must all be reported.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN cd /app && ls\nCMD python -m services.api\n")
    result = _hadolint(bad)
    assert result.returncode != 0
    for rule in ("DL3006", "DL3003", "DL3025"):
        assert rule in result.stdout


# ---- requirements ------------------------------------------------------------------------


def _requirement_file(service: str) -> Path:
    builder = parse(dockerfile(service))[0]
    (copy,) = [c for c in builder.all("COPY") if c.args[0].startswith("requirements/")]
    installs = [r.raw for r in builder.all("RUN") if "pip install" in r.raw]
    assert installs
    assert all("--require-hashes" in r for r in installs), installs
    return REPO / copy.args[0]


def _pins(path: Path) -> dict[str, str]:
    """``{canonical name: logical line}`` of a pip-compile output; asserts its shape."""
    text = re.sub(r"\\\n", " ", path.read_text())
    pins = {}
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#") or line.startswith("--"):
            assert not line.startswith(("-r", "-c", "-e", "--requirement", "--constraint")), line
            continue
        name, sep, _ = line.partition("==")
        assert sep, f"{path.name}: not pinned with ==: {line}"
        pins[_canonical(name.split("[")[0])] = line
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("service", SERVICES)
def test_image_installs_an_existing_fully_hashed_requirement_file(service: str) -> None:
    path = _requirement_file(service)
    assert path.name == f"{service}.txt"
    pins = _pins(path)
    assert pins, f"{path} pins nothing"
    unhashed = [line for line in pins.values() if "--hash=sha256:" not in line]
    assert not unhashed, f"{path.name}: pinned without a hash: {unhashed}"


# ---- COPY, CMD, runtime hygiene ----------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_copied_path_exists_and_reaches_the_build_context(service: str) -> None:
    ignore = DockerIgnore.load()
    for stage in parse(dockerfile(service)):
        for copy in stage.all("COPY"):
            if flag_value(copy, "from") is not None:
                continue
            for source in copy.args[:-1]:
                assert sent_files(source, ignore), (
                    f"Dockerfile.{service}:{copy.line}: {source} is missing or .dockerignored"
                )


@pytest.mark.parametrize("service", SERVICES)
def test_cmd_starts_the_services_own_module(service: str) -> None:
    stage = runtime_stage(service)
    assert stage.last("CMD").args == ("python", "-m", f"services.{service}")
    assert (REPO / "services" / service / "__main__.py").is_file()
    copied = [c.args[0].rstrip("/") for c in stage.all("COPY")]
    assert f"services/{service}" in copied
    assert "services/__init__.py" in copied
    others = [s for s in SERVICES if s != service]
    assert not any(f"services/{o}" in copied for o in others), copied


@pytest.mark.parametrize("service", SERVICES)
def test_runtime_stage_is_slim_non_root_and_health_checked(service: str) -> None:
    stages = parse(dockerfile(service))
    assert len(stages) >= 2, "multi-stage: builder + runtime"
    assert all(s.base == "python:3.12-slim" for s in stages)
    runtime = stages[-1]
    user = runtime.last("USER").args[0].split(":")[0]
    assert user.isdigit(), f"numeric USER (runAsNonRoot can verify it): {user}"
    assert int(user) >= 1000, user
    env = " ".join(" ".join(e.args) for e in runtime.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    probe = " ".join(runtime.last("HEALTHCHECK").args)
    assert "/readyz" in probe
    labels = " ".join(" ".join(label.args) for label in runtime.all("LABEL"))
    assert f"org.opencontainers.image.title=ss-{service}" in labels
    # Build tools and pip caches stay in the builder: the runtime only copies the venv.
    assert not [r for r in runtime.all("RUN") if "pip install" in r.raw]


# ---- third-party imports of each service vs its requirements -----------------------------


def _module_file(module: str) -> Path | None:
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> tuple[set[str], set[str]]:
    """Names a module imports: ``(must be modules, may be attributes)``.

    ``import a.b`` and the ``a`` of ``from a import b`` must be modules; the ``a.b`` of
    ``from a import b`` may be a module or a name defined in ``a``. ``if TYPE_CHECKING:``
    blocks are skipped: they never run.
    """
    tree = ast.parse(path.read_text())
    type_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for node in ast.walk(branch)
    }
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    modules: set[str] = set()
    maybe: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            modules.add(base)
            maybe |= {f"{base}.{alias.name}" for alias in node.names}
    return modules, maybe


def _closure(service: str) -> tuple[set[Path], dict[str, str], dict[str, str]]:
    """What the service can import: first-party files, ``{third-party top module: importer}``
    and ``{first-party module that does not exist: importer}``."""
    queue = [
        ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for p in (REPO / "services" / service).rglob("*.py")
    ]
    queue.append("services")
    seen: set[str] = set()
    files: set[Path] = set()
    third_party: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    while queue:
        module = queue.pop()
        path = _module_file(module)
        if module in seen or path is None:
            continue
        seen.add(module)
        files.add(path)
        modules, maybe = _imports(path, module)
        for name in modules | maybe:
            top = name.split(".")[0]
            if top in FIRST_PARTY:
                parts = name.split(".")
                queue += [".".join(parts[: n + 1]) for n in range(len(parts))]
                if name in modules and _module_file(name) is None:
                    unresolved.setdefault(name, module)
            elif top and top not in sys.stdlib_module_names:
                third_party.setdefault(top, module)
    return files, third_party, unresolved


@pytest.mark.parametrize("service", SERVICES)
def test_every_first_party_module_the_service_imports_is_in_the_image(service: str) -> None:
    ignore = DockerIgnore.load()
    runtime = runtime_stage(service)
    sent = {
        path
        for copy in runtime.all("COPY")
        if flag_value(copy, "from") is None
        for source in copy.args[:-1]
        for path in sent_files(source, ignore)
    }
    needed, _, unresolved = _closure(service)
    assert not unresolved, f"imports of first-party modules that do not exist: {unresolved}"
    missing = sorted(p.relative_to(REPO).as_posix() for p in needed - sent)
    assert not missing, f"Dockerfile.{service} does not COPY: {missing}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_third_party_import_is_in_the_images_requirements(service: str) -> None:
    assert list((REPO / "services" / service).glob("*.py")), f"services/{service} has no code"
    pinned = set(_pins(_requirement_file(service)))
    distributions = packages_distributions()
    missing = {}
    for top, importer in sorted(_closure(service)[1].items()):
        dists = {_canonical(d) for d in distributions.get(top, [])}
        if not dists & pinned:
            missing[top] = f"imported by {importer}, from {sorted(dists) or 'no installed dist'}"
    assert not missing, f"not in requirements/{service}.txt: {missing}"
