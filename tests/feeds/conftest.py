"""Starts `kizuki serve --demo` on a fresh database for the feed tests."""

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


@pytest.fixture(scope="session")
def training_ids(fetch):
    def first_in_month(month):
        page = fetch(f"/trainings?month={month}")
        return int(re.search(r'href="/trainings/(\d+)"', page).group(1))

    return first_in_month


@pytest.fixture(scope="session")
def group_id(fetch):
    def find(name):
        page = fetch("/study-groups")
        match = re.search(r'href="/study-groups/(\d+)"[^>]*>' + re.escape(name) + "<", page)
        return int(match.group(1))

    return find
