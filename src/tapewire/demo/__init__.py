"""The offline demo: a simulated market (world), a loopback server for it, and the demo run."""

from __future__ import annotations

from tapewire.demo.server import LoopbackServer
from tapewire.demo.world import DemoInstrument, DemoOutlet, DemoWorld, build_world

__all__ = ["DemoInstrument", "DemoOutlet", "DemoWorld", "LoopbackServer", "build_world"]
