"""Progress bars for the long commands (import, rebuild, re-extraction), drawn with tqdm
on the command's error stream. Only a person at a terminal sees one: output that goes to
a file, a pipe or a test, or that a program reads (--json), stays free of them."""

from tqdm import tqdm

BAR_FORMAT = "{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} [已用 {elapsed}，约剩 {remaining}]"
# Without a known total: a count and the time, no bar.
COUNT_FORMAT = "{desc} {n_fmt} {unit} [已用 {elapsed}]"


def on_terminal(command, quiet=False):
    """Whether the command talks to a person: its output and its error stream are a
    terminal and it was not asked for machine-read output (quiet, e.g. --json)."""
    return not quiet and command.stdout.isatty() and command.stderr.isatty()


class Progress:
    """A bar for `total` items of `unit` (None when unknown). update(n) counts n more,
    reach(count) sets the count, write(text) prints a line on the command's output
    without breaking the bar. Used as a context manager, the bar is removed at the end."""

    def __init__(self, command, total, unit, desc, quiet=False):
        self.command = command
        self.shown = on_terminal(command, quiet)
        self.bar = tqdm(
            total=total,
            unit=unit,
            desc=desc,
            file=command.stderr._out,
            disable=not self.shown,
            bar_format=BAR_FORMAT if total else COUNT_FORMAT,
            dynamic_ncols=True,
            leave=False,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.bar.close()

    def update(self, n=1):
        self.bar.update(n)

    def reach(self, count):
        self.bar.update(count - self.bar.n)

    def describe(self, text):
        self.bar.set_description_str(text)

    def write(self, text, style=None, stream=None):
        """Print a line on the command's output (or `stream`, e.g. command.stderr), the
        bar cleared first and drawn again after."""
        text = style(text) if style else text
        if not self.shown:
            (stream or self.command.stdout).write(text)
            return
        with tqdm.external_write_mode(file=self.bar.fp):
            (stream or self.command.stdout).write(text)
