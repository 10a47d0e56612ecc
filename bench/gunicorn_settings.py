"""Reads gunicorn.conf.py the way gunicorn does, to print what the benchmark ran with."""

from __future__ import annotations

import runpy

from common import ROOT


def describe() -> str:
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return f"{conf['workers']} {conf['worker_class']} workers x {conf['threads']} threads"
