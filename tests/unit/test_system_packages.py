"""scripts/system-packages.sh: one clear sentence when it cannot install what is missing."""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-packages.sh"


def test_without_apt_get_it_fails_with_one_sentence_naming_what_is_missing():
    # An empty PATH: no make, no python3, no apt-get, as on a system that is not Debian.
    run = subprocess.run(
        ["/bin/bash", str(SCRIPT)], env={"PATH": "/nonexistent"}, capture_output=True, text=True
    )
    assert run.returncode == 1
    (sentence,) = run.stderr.strip().splitlines()
    assert sentence.startswith("Cannot install the system packages `make test` needs (")
    assert "make" in sentence and "apt-get" in sentence
