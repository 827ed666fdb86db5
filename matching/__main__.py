"""Command line: ``python -m matching solve INSTANCE.json`` prints the solution as JSON."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from matching.schema import Instance
from matching.solver import solve
from matching.validator import validate

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the command."""
    parser = argparse.ArgumentParser(prog="python -m matching", description="Vorschläge für Vermittlungen")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("solve", help="solve an instance JSON file ('-' for stdin)")
    run.add_argument("instance")
    run.add_argument("--time-limit", type=float, help="override settings.time_limit_s")
    run.add_argument("--workers", type=int, help="override settings.workers")
    run.add_argument("--validate", action="store_true", help="check the solution, exit 1 if it breaks a rule")
    run.add_argument("--indent", type=int, default=2)
    run.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    text = sys.stdin.read() if args.instance == "-" else Path(args.instance).read_text(encoding="utf-8")
    inst = Instance.from_json(text)
    if args.time_limit is not None:
        inst.settings.time_limit_s = args.time_limit
    if args.workers is not None:
        inst.settings.workers = args.workers
    solution = solve(inst)
    json.dump(solution.to_dict(), sys.stdout, ensure_ascii=False, indent=args.indent or None)
    sys.stdout.write("\n")
    if args.validate:
        errors = validate(inst, solution)
        for error in errors:
            logger.error("invalid: %s", error)
        return 1 if errors else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
