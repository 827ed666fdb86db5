"""Find lines of the app's own code that match a pattern: for tests that keep one home per concern."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_CODE = ("begleitservice", "matching", "scheduling", "billing")


def lines_matching(pattern: re.Pattern, *, home: str) -> list[str]:
    """``path:line: text`` for every line of the app's packages that matches, except in ``home`` (a path)."""
    found = []
    for package in APP_CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / home:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found
