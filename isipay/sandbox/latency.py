"""How long the sandbox takes to answer: a real supplier needs hundreds of milliseconds to
seconds per call, the in-process sandbox microseconds. Benchmarks and tests of throughput set
a latency so that they measure a shop waiting on the network, not on the CPU.

A spec is a comma-separated list of `[endpoint=]seconds[~jitter]`: `0.3` (every endpoint
300 ms), `1~0.2` (1 s ± 0.2 s, uniform), `order=1,status-order=0.5~0.1` (per endpoint; the
others answer at once), `300ms` for milliseconds. Endpoints: balance, product, variant, order,
status-order; a bare value sets the default for all of them.
"""

import random
import re
from dataclasses import dataclass

ENDPOINTS = ("balance", "product", "variant", "order", "status-order")
_VALUE = re.compile(
    r"^\s*(?P<seconds>[0-9.]+)(?P<ms>ms)?\s*(?:~\s*(?P<jitter>[0-9.]+)(?P<jms>ms)?)?\s*$"
)


@dataclass(frozen=True)
class Latency:
    seconds: float
    jitter: float = 0.0

    def sample(self, rng: random.Random) -> float:
        if not self.jitter:
            return self.seconds
        return max(0.0, self.seconds + rng.uniform(-self.jitter, self.jitter))


@dataclass(frozen=True)
class LatencyPlan:
    """The latency of each endpoint; `default` for those not named."""

    default: Latency | None = None
    per_endpoint: tuple[tuple[str, Latency], ...] = ()

    def for_endpoint(self, endpoint: str) -> Latency | None:
        for name, latency in self.per_endpoint:
            if name == endpoint:
                return latency
        return self.default

    def __bool__(self) -> bool:
        return self.default is not None or bool(self.per_endpoint)


def parse_latency(spec: str) -> LatencyPlan:
    """The plan a spec describes (module docstring); ValueError with the reason otherwise."""
    default: Latency | None = None
    per_endpoint: dict[str, Latency] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        endpoint, has_name, value = part.rpartition("=") if "=" in part else ("", False, part)
        latency = _latency(value, part)
        if has_name:
            endpoint = endpoint.strip()
            if endpoint not in ENDPOINTS:
                raise ValueError(f"{part!r}: unknown endpoint {endpoint!r}; use one of {ENDPOINTS}")
            per_endpoint[endpoint] = latency
        else:
            default = latency
    return LatencyPlan(default, tuple(per_endpoint.items()))


def _latency(value: str, part: str) -> Latency:
    match = _VALUE.match(value)
    if match is None:
        raise ValueError(f"{part!r}: expected seconds, e.g. 0.3, 300ms or 1~0.2")
    seconds = float(match["seconds"]) / (1000 if match["ms"] else 1)
    jitter = float(match["jitter"] or 0) / (1000 if match["jms"] else 1)
    return Latency(seconds, jitter)
