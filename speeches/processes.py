"""Who holds a piece of queued work: a worker process is named host:pid, and a claim whose
process on this host is gone may be taken again (the job queue, speeches.jobs; the
extraction queue, speeches.extract.queue)."""

import os
import socket
from pathlib import Path


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed worker its parent has not reaped yet is a zombie: gone
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def gone(worker):
    """Whether the worker named `worker` (host:pid) ran on this host and has ended (a
    worker on another host cannot be checked from here: never gone)."""
    name, _, pid = worker.rpartition(":")
    return name == socket.gethostname() and pid.isdigit() and not alive(int(pid))
