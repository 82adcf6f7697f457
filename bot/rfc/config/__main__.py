"""``python3 -m bot.rfc.config schema|keys``: print docs/rfc-bot.schema.json or the key table
of docs/config.md (a test fails when either published file drifts from the field table)."""

from __future__ import annotations

import sys

from bot.rfc.config.public import json_schema_text, keys_table


def main(argv: list[str]) -> int:
    outputs = {"schema": json_schema_text, "keys": keys_table}
    if len(argv) != 1 or argv[0] not in outputs:
        print("usage: python3 -m bot.rfc.config schema|keys", file=sys.stderr)
        return 2
    sys.stdout.write(outputs[argv[0]]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
