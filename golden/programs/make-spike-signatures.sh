#!/bin/sh
# Writes NAME.spike.sigN for every program in programs.json with 'signatures': the signature Spike dumps
# at exit, `spike --isa=ISA +signature=FILE +signature-granularity=N NAME.elf`, for each granularity N
# listed. SPIKE names the binary (default: /work/ext/spike-install/bin/spike).
set -eu
cd "$(dirname "$0")"
SPIKE=${SPIKE:-/work/ext/spike-install/bin/spike}
for name in $(node -e "const p = require('./programs.json').programs; console.log(Object.keys(p).filter((n) => p[n].signatures).join(' '))"); do
  isa=$(node -e "console.log(require('./programs.json').programs['$name'].isa)")
  for g in $(node -e "console.log(Object.keys(require('./programs.json').programs['$name'].signatures).join(' '))"); do
    timeout 60 "$SPIKE" --isa="$isa" +signature="$name.spike.sig$g" +signature-granularity="$g" "$name.elf" || { echo "$name: spike exit $?" >&2; exit 1; }
    echo "$name: granularity $g, $(wc -l < "$name.spike.sig$g") lines"
  done
done
