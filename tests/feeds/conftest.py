"""Starts `kizuki serve --demo` on a fresh database for the feed tests."""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("KIZUKI_BIN", str(ROOT / "target" / "debug" / "kizuki"))
    data_dir = tempfile.mkdtemp(prefix="kizuki-feeds-")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["KIZUKI_LOG"] = "warn"
    args = [binary, "serve", "--demo", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{base}/healthz") as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(process.stderr.read().decode())
    yield base
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def fetch(server):
    def get(path):
        with urllib.request.urlopen(f"{server}{path}") as response:
            assert response.status == 200, path
            return response.read().decode("utf-8")

    return get


def clock_shift():
    """How far the server's clock runs from the real time: the debug build reads
    KIZUKI_TEST_CLOCK_SHIFT (`+730d`, `-3h`, `90s`), and the tests read the same."""
    text = os.environ.get("KIZUKI_TEST_CLOCK_SHIFT", "").strip()
    if not text:
        return datetime.timedelta(0)
    match = re.fullmatch(r"([+-]?)(\d+)([dhms]?)", text)
    assert match, f"KIZUKI_TEST_CLOCK_SHIFT={text} is not a shift such as +730d"
    unit = {"d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}[match.group(3)]
    seconds = int(match.group(2)) * unit
    return datetime.timedelta(seconds=-seconds if match.group(1) == "-" else seconds)


@pytest.fixture(scope="session")
def today():
    """The server's today in Japan."""
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    return (datetime.datetime.now(tokyo) + clock_shift()).date()


@pytest.fixture(scope="session")
def upcoming_training(fetch):
    """The first upcoming training whose title names `town`, with its days as the API gives them."""

    def find(town):
        page = fetch("/trainings")
        match = re.search(r'href="/trainings/(\d+)">[^<]*' + re.escape(town), page)
        assert match, f"no upcoming training in {town}"
        training_id = int(match.group(1))
        return training_id, json.loads(fetch(f"/api/v1/trainings/{training_id}"))["days"]

    return find


@pytest.fixture(scope="session")
def group_id(fetch):
    def find(name):
        page = fetch("/study-groups")
        match = re.search(r'href="/study-groups/(\d+)"[^>]*>' + re.escape(name) + "<", page)
        return int(match.group(1))

    return find
