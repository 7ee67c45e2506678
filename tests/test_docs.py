"""Documentation stays true: every scenario field is in the ODD with its default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_field_is_documented_in_the_odd_with_its_default():
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "check_odd_fields.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
