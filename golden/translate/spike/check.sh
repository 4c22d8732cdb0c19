#!/bin/bash
# Cross-checks golden scenarios against Spike: builds check.mjs's program for each and runs it.
# Usage: golden/translate/spike/check.sh [SCENARIO.json ...]   (default: every golden scenario + the demo)
# Needs SPIKE (default: spike on PATH) and riscv64-unknown-elf-gcc; builds in a temporary directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
spike=${SPIKE:-spike}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ $# -gt 0 ] || set -- "$repo"/golden/translate/*.json "$repo"/src/cli/demo-translate.json
status=0
for f in "$@"; do
  b=$(basename "$f" .json)
  (cd "$repo" && node --import tsx "$here/check.mjs" "$f") > "$work/$b.S" || { status=1; continue; }
  exts=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log((j.extensions ?? []).map((x) => "_" + x.toLowerCase()).join(""))' "$f")
  riscv64-unknown-elf-gcc -march=rv64gc -Wa,-march=rv64gch -mabi=lp64 -nostdlib -nostartfiles -T "$here/link.ld" -o "$work/$b.elf" "$work/$b.S" || { status=1; continue; }
  if timeout 120 "$spike" --isa=rv64gch$exts "$work/$b.elf"; then echo "$b: Spike agrees"; else echo "$b: Spike DISAGREES"; status=1; fi
done
exit $status
