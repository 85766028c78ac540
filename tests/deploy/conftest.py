import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="session")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="session")
def env_example() -> dict[str, str]:
    """Every VAR=value line of .env.example (documented variables)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line) for line in lines)
    return {match[1]: match[2] for match in pairs if match}


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def seconds(duration: str | int) -> float:
    """A compose duration ("11m", "1m30s", "30s", 90) in seconds."""
    if isinstance(duration, int | float):
        return float(duration)
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", duration)
    assert "".join(n + u for n, u in parts) == duration, duration
    return sum(float(n) * units[u] for n, u in parts)
