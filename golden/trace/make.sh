#!/bin/sh
# Writes the golden JSONL trace of golden/programs/hyp.elf and the Spike log its test checks it against.
#   hyp.spike-l.txt  `spike -l --log-commits --isa=rv64imah_zicsr` (SPIKE, default
#                    /work/ext/spike-install/bin/spike: Spike 1.1.1-dev, riscv-isa-sim 55b4658), truncated
#                    right after the commit line of the store of the exit command to tohost, as
#                    golden/programs/make-spike-logs.sh truncates the plain commit logs.
#   hyp.jsonl        `memvirt run --trace` of the same program (the model's output: regenerate it only
#                    after trace.golden.ts's independent checks pass on the new file).
set -eu
cd "$(dirname "$0")"
SPIKE=${SPIKE:-/work/ext/spike-install/bin/spike}
ISA=rv64imah_zicsr
ELF=../programs/hyp.elf
if [ "${1:-}" != "--model-only" ]; then
  tohost=$(riscv64-unknown-elf-nm "$ELF" | awk '$3 == "tohost" { print $1 }')
  timeout 60 "$SPIKE" -l --log-commits --isa="$ISA" --log=/tmp/memvirt-hyp.spike-l "$ELF"
  awk -v pat=" mem 0x$tohost 0x" '{ print }
    { i = index($0, pat); if (i > 0) { v = substr($0, i + length(pat), 16); if (substr(v, 1, 4) == "0000" && substr(v, 16, 1) ~ /[13579bdf]/) exit } }' \
    /tmp/memvirt-hyp.spike-l > hyp.spike-l.txt
  rm -f /tmp/memvirt-hyp.spike-l
fi
node ../../src/cli/bin.mjs run "$ELF" --isa="$ISA" --trace hyp.jsonl
wc -l hyp.spike-l.txt hyp.jsonl
