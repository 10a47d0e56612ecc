"""PDFs rewritten in a child process with bounded memory and time, never in the web worker.

qpdf inflates a whole object stream to read one object in it: a 300 kB PDF holding a 300 MB
string takes 1.5 GB and 45 s. No header tells that beforehand, so the rewrite runs in a
child that may use MEMORY_BYTES and SECONDS at most; past either it dies, alone, and the
person is asked for a simpler file. A crash of qpdf on a hostile file ends there too.

Run as `python -m services.bounded MEMORY SECONDS` by rewritten_pdf(); the PDF comes on
standard input and the answer goes to standard output.
"""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
from pathlib import Path

from domain.messages import Invalid
from domain.pdfs import UNCHECKABLE_PDF

ROOT = Path(__file__).resolve().parent.parent
# The child's heap: Python and qpdf start in about 30 MB, a 10 MB scan of 10 pages peaks at 60.
MEMORY_BYTES = 192 * 1024 * 1024
SECONDS = 20  # of CPU; a 10 MB scan of 30 pages takes well under one
WALL_SECONDS = 40  # a busy machine may run it slower than its CPU time says
STORED, REFUSED = b"S", b"R"


def rewritten_pdf(data: bytes) -> tuple[bytes, int]:
    """domain.pdfs.rewritten(data), run in a bounded child; raises Invalid like it does."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "services.bounded", str(MEMORY_BYTES), str(SECONDS)],
            input=data,
            capture_output=True,
            cwd=ROOT,
            timeout=WALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise Invalid(UNCHECKABLE_PDF) from error
    answer = done.stdout
    if done.returncode == 0 and answer[:1] == STORED:
        (pages,) = struct.unpack(">I", answer[1:5])
        return answer[5:], pages
    if done.returncode == 0 and answer[:1] == REFUSED:
        raise Invalid(answer[1:].decode())
    raise Invalid(UNCHECKABLE_PDF)  # out of memory or time, or qpdf itself failed


def _child(memory: int, seconds: int) -> None:
    """In the child: set the bounds, rewrite standard input, answer on standard output."""
    resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    from domain import pdfs

    data = sys.stdin.buffer.read()
    try:
        rewritten, pages = pdfs.rewritten(data)
    except Invalid as refused:
        sys.stdout.buffer.write(REFUSED + refused.problem.message.encode())
        return
    sys.stdout.buffer.write(STORED + struct.pack(">I", pages) + rewritten)


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]))
