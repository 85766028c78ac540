"""The isipay sandbox: a faithful fake isipay.top server for the demo shop and the tests.

See `server` for the protocol, the demo conventions of the order `data` string and the faults.
"""

from .catalog import (
    HTML_VARIANT_NAME,
    Catalog,
    SandboxProduct,
    SandboxVariant,
    demo_catalog,
    generated_catalog,
)
from .latency import Latency, LatencyPlan, parse_latency
from .server import Fault, SandboxOrder, SandboxServer

__all__ = [
    "HTML_VARIANT_NAME",
    "Catalog",
    "Fault",
    "Latency",
    "LatencyPlan",
    "SandboxOrder",
    "SandboxProduct",
    "SandboxServer",
    "SandboxVariant",
    "demo_catalog",
    "generated_catalog",
    "parse_latency",
]
