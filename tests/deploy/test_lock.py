"""Reproducible builds: the image, `make` and CI install every package from a lock file with
hashes, and the lock holds every dependency pyproject.toml names, at its pinned version."""

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

LOCKS = {"app": ROOT / "requirements.lock", "test": ROOT / "requirements-test.lock"}


def locked(path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for each package of a pip-compile lock file."""
    text = path.read_text()
    entries = {}
    for block in re.split(r"\n(?=\S)", text):
        head = block.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", head)
        assert match, f"{path.name}: {head!r} is not pinned with =="
        entries[canonicalize_name(match[1])] = (
            match[2],
            re.findall(r"--hash=sha256:(\w{64})", block),
        )
    return entries


def pyproject_requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(name) for name in names]


def extra_requirements(requirement: Requirement) -> list[Requirement]:
    """What the requirement's extras add, from the installed package's own metadata."""
    needed = []
    for line in metadata.requires(requirement.name) or []:
        dependency = Requirement(line)
        marker = dependency.marker
        wanted = marker and any(marker.evaluate({"extra": e}) for e in requirement.extras)
        if wanted and not marker.evaluate({"extra": ""}):  # not needed without the extra
            needed.append(dependency)
    return needed


@pytest.mark.parametrize(("lock", "extra"), [("app", None), ("test", "test")])
def test_the_lock_pins_every_pyproject_dependency_with_hashes(lock, extra):
    entries = locked(LOCKS[lock])
    for requirement in pyproject_requirements(extra):
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{requirement.name} is missing from {LOCKS[lock].name}"
        version, _ = entries[name]
        assert requirement.specifier.contains(version), (requirement, version)
        for needed in extra_requirements(requirement):  # psycopg[binary] -> psycopg-binary
            assert canonicalize_name(needed.name) in entries, (requirement, needed)
    for name, (version, hashes) in entries.items():
        assert hashes, f"{name}=={version} in {LOCKS[lock].name} has no hash"


def test_the_test_lock_runs_the_apps_versions():
    app, test = locked(LOCKS["app"]), locked(LOCKS["test"])
    assert {name: app[name][0] for name in app} == {name: test[name][0] for name in app}


def test_the_image_installs_only_from_the_hashed_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install[^\n]*", dockerfile)
    assert installs == ["pip install --require-hashes -r requirements.lock"]
    assert "COPY requirements.lock" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert not any(line.startswith("requirements") for line in ignored)


def test_make_and_ci_install_only_from_the_hashed_locks():
    makefile = (ROOT / "Makefile").read_text()
    installs = re.findall(r"\$\(PY\) -m pip install ([^\n]*)", makefile)
    assert sorted(installs) == sorted(
        [
            "--quiet --upgrade pip",
            "--quiet --require-hashes -r requirements.lock",
            "--quiet --require-hashes -r requirements-test.lock",
            "--quiet --no-deps -e .",
            "--quiet --no-deps -e .",
        ]
    )
    assert re.search(r"^lock:", makefile, re.MULTILINE), "make lock updates the lock files"
    assert "--generate-hashes" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
