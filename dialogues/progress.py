"""Progress of a long command on stderr: what is done, what is left, and about how long.

    "search index 45,000/100,000 [=========           ]  45% 3.2s, 55,000 left, about 3.9s more"

On a terminal the line is redrawn in place; elsewhere (a log, a pipe) a line is written at each
quarter. The estimate assumes the rest goes as fast as what is done. `for_command` gives a
command's reporter, silent under `--verbosity 0`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

Report = Callable[[str, int, int], None]


def silent(stage: str, done: int, total: int) -> None:
    """A reporter that says nothing."""


class ProgressBar:
    """Show each stage's progress on a stream: in place on a terminal, else now and then."""

    WIDTH = 20
    # A terminal is redrawn at most this often; elsewhere a line is written at each quarter.
    REDRAW_SECONDS = 0.1
    STEPS = 4

    def __init__(self, write, *, interactive: bool, clock=time.monotonic, unit: str = ""):
        self.write, self.interactive, self.clock = write, interactive, clock
        self.unit = unit
        self.stage = None
        self.started, self.drawn = 0.0, -math.inf
        self.step: int | None = None
        self.width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if stage != self.stage:
            # A new stage is drawn at once, so that a slow first batch shows what is running.
            self.stage, self.started, self.drawn, self.step = stage, now, -math.inf, None
        finished = done >= total
        if self.interactive:
            if finished or now - self.drawn >= self.REDRAW_SECONDS:
                self.drawn = now
                line = self.line(stage, done, total, now)
                # Spaces wipe the tail of a longer line drawn before.
                self.write("\r" + line.ljust(self.width) + ("\n" if finished else ""))
                self.width = 0 if finished else len(line)
            return
        # The stage's first line says it has begun; then a line at each quarter.
        step = self.STEPS if finished else done * self.STEPS // max(total, 1)
        if self.step is None or step > self.step:
            self.step = step
            self.write(self.line(stage, done, total, now) + "\n")

    def line(self, stage: str, done: int, total: int, now: float) -> str:
        share = done / total if total else 1.0
        filled = round(share * self.WIDTH)
        bar = "=" * filled + " " * (self.WIDTH - filled)
        elapsed = now - self.started
        text = f"{stage} {done:,}/{total:,} [{bar}] {share:4.0%} {elapsed:.1f}s"
        if done < total:
            text += f", {total - done:,}{self.unit} left"
            if done > 0:
                text += f", about {elapsed * (total - done) / done:.1f}s more"
        return text


def for_command(command, verbosity: int) -> Report:
    """The reporter of a management command: its stderr, or silent under --verbosity 0."""
    if verbosity <= 0:
        return silent

    def write(text: str) -> None:
        # stderr is styled as errors by default; progress is not an error.
        command.stderr.write(text, style_func=lambda message: message, ending="")
        command.stderr.flush()

    return ProgressBar(write, interactive=command.stderr.isatty())
