"""A plain-text progress bar with an ETA on stderr.

On a terminal the bar is redrawn in place; elsewhere (a log file, a pipe) a line is written at every tenth
of the way, so that a log shows progress without a line per step.
"""

import sys
import time

WIDTH = 30


def _duration(seconds):
    seconds = int(round(seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60) if seconds >= 3600 \
        else "%d:%02d" % (seconds // 60, seconds % 60)


class Progress:
    def __init__(self, title, total, stream=None):
        self.title, self.total = title, max(1, total)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.next_tenth = 1

    def _line(self, done, note):
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (self.total - done) if done else 0.0
        filled = WIDTH * done // self.total
        return "%s [%s%s] %d/%d  %s elapsed, ETA %s  %s" % (
            self.title, "#" * filled, "." * (WIDTH - filled), done, self.total, _duration(elapsed),
            _duration(eta), note)

    def update(self, done, note=""):
        if self.tty:
            self.stream.write("\r\033[K" + self._line(done, note))
            self.stream.flush()
        elif done * 10 >= self.next_tenth * self.total and done < self.total:
            self.next_tenth = done * 10 // self.total + 1
            self.stream.write(self._line(done, note) + "\n")
            self.stream.flush()

    def finish(self, note=""):
        """The epoch's closing line: its time and the note (loss, accuracies)."""
        line = "%s done in %s  %s" % (self.title, _duration(time.monotonic() - self.start), note)
        self.stream.write(("\r\033[K" if self.tty else "") + line + "\n")
        self.stream.flush()
