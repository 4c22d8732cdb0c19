#!/bin/sh
# Writes NAME.spike.jsonl for the programs below: Spike's retirement stream of golden/programs/NAME.elf as
# DUT events (src/cosim/spike-trace.ts says where each value comes from). Spike runs with its commit log
# and -l trace (`-l --log-commits`) and a one-line data cache whose misses it logs (`--dc=1:1:8
# --log-cache-miss`: the physical address of every access), all on stderr, in execution order; a second
# run without the commit log, `-l --ic=1:1:8 --log-cache-miss`, gives the fetches' physical addresses (Spike
# traces fetches only while it does not log commits).
# SPIKE names the binary (default: /work/ext/spike-install/bin/spike, riscv-isa-sim 55b4658).
set -eu
cd "$(dirname "$0")"
SPIKE=${SPIKE:-/work/ext/spike-install/bin/spike}
P=../programs
for name in basics traps sv39 hyp svadu interrupts misaligned spike_tlb forgot_fence; do
  isa=$(node -e "console.log(require('$P/programs.json').programs['$name'].isa)")
  tohost=$(riscv64-unknown-elf-nm "$P/$name.elf" | awk '$3 == "tohost" { print $1 }')
  timeout 60 "$SPIKE" --isa="$isa" -l --log-commits --dc=1:1:8 --log-cache-miss "$P/$name.elf" 2> "/tmp/memvirt-cosim-$name.spike" > /dev/null \
    || { echo "$name: spike exit $?" >&2; exit 1; }
  timeout 60 "$SPIKE" --isa="$isa" -l --ic=1:1:8 --log-cache-miss "$P/$name.elf" 2> "/tmp/memvirt-cosim-$name.fetch" > /dev/null \
    || { echo "$name: spike exit $?" >&2; exit 1; }
  node --import tsx convert.ts "/tmp/memvirt-cosim-$name.spike" "$tohost" "/tmp/memvirt-cosim-$name.fetch" > "$name.spike.jsonl.tmp"
  mv "$name.spike.jsonl.tmp" "$name.spike.jsonl"
  rm -f "/tmp/memvirt-cosim-$name.spike" "/tmp/memvirt-cosim-$name.fetch"
  echo "$name: $(wc -l < "$name.spike.jsonl") events"
done
