"""``make run`` refuses a second start instead of sharing .data/ with a running one."""

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from config import embedded

BASE_DIR = Path(__file__).resolve().parents[2]


def test_a_second_run_stops_at_once_with_a_clear_message(tmp_path):
    # Given a running instance holding the run lock
    with open(tmp_path / "run.lock", "a+") as running:
        fcntl.flock(running, fcntl.LOCK_EX | fcntl.LOCK_NB)
        running.write("4242")
        running.flush()

        # When a second one starts
        result = subprocess.run(
            [sys.executable, "-m", "config.run_local"],
            cwd=BASE_DIR,
            env={**os.environ, "E2C_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # Then it stops without touching the servers or the data
    assert result.returncode == 1
    assert "Orientations E2C tourne déjà (processus 4242)" in result.stderr
    assert "Already running" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.lock"]
    assert embedded.EMBEDDED_FLAG  # the module imported cleanly in the child
