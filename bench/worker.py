"""A web worker's peak memory: serve a fixed request mix with the test client in a
process of its own, then report ru_maxrss.

    .venv/bin/python -m bench.worker DATA_DIR REQUESTS_JSON

REQUESTS_JSON is a file holding a list of [path, params] pairs; the mix is served
three times. Prints one JSON object: peak_rss_mb, requests, failures.

Peak memory is the kernel's high-water mark of this process (VmHWM): on Linux
ru_maxrss carries over across exec from the process that forked it, so a worker
started by a large benchmark process would report its parent's size. ru_maxrss
is the fallback where /proc is absent.
"""

import json
import resource
import sys

from bench.common import setup_django

ROUNDS = 3


def peak_rss_kb():
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    # Linux and most BSDs report ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    data_dir, requests_file = sys.argv[1], sys.argv[2]
    setup_django(data_dir, migrate=False)
    from django.test import Client

    with open(requests_file, encoding="utf-8") as handle:
        mix = json.load(handle)
    client = Client()
    served = failures = 0
    for _round in range(ROUNDS):
        for path, params in mix:
            response = client.get(path, params)
            served += 1
            failures += response.status_code != 200
    print(json.dumps({"peak_rss_mb": round(peak_rss_kb() / 1024, 1), "requests": served, "failures": failures}))


if __name__ == "__main__":
    main()
