#!/bin/sh
# Writes NAME.spike.commits for every program in programs.json: `spike --isa=ISA --log-commits` truncated
# right after the commit line of the store of the exit command to tohost (device 0, command 0, payload
# bit 0 set; Spike keeps spinning until its HTIF poll, and those lines are not part of the reference).
# A program whose entry names 'spikeTraps' also gets that file: the `exception` and `tval` lines of
# `spike -l`, up to the instruction whose commit line ends the commit log (the store to tohost).
# SPIKE names the binary (default: /work/ext/spike-install/bin/spike).
set -eu
cd "$(dirname "$0")"
SPIKE=${SPIKE:-/work/ext/spike-install/bin/spike}
for name in $(node -e "console.log(Object.keys(require('./programs.json').programs).join(' '))"); do
  isa=$(node -e "console.log(require('./programs.json').programs['$name'].isa)")
  tohost=$(riscv64-unknown-elf-nm "$name.elf" | awk '$3 == "tohost" { print $1 }')
  timeout 60 "$SPIKE" --isa="$isa" --log-commits --log="/tmp/memvirt-$name.spike" "$name.elf" || { echo "$name: spike exit $?" >&2; exit 1; }
  awk -v pat=" mem 0x$tohost 0x" '{ print }
    { i = index($0, pat); if (i > 0) { v = substr($0, i + length(pat), 16); if (substr(v, 1, 4) == "0000" && substr(v, 16, 1) ~ /[13579bdf]/) exit } }' \
    "/tmp/memvirt-$name.spike" > "$name.spike.commits"
  rm -f "/tmp/memvirt-$name.spike"
  traps=$(node -e "console.log(require('./programs.json').programs['$name'].spikeTraps ?? '')")
  if [ -n "$traps" ]; then
    lastpc=$(tail -n 1 "$name.spike.commits" | awk '{ print $4 }')
    timeout 60 "$SPIKE" --isa="$isa" -l --log="/tmp/memvirt-$name.spike-l" "$name.elf" || { echo "$name: spike -l exit $?" >&2; exit 1; }
    awk -v pc="$lastpc" '/^core +0: (exception|  +tval) / { print } $3 == pc { exit }' "/tmp/memvirt-$name.spike-l" > "$traps"
    rm -f "/tmp/memvirt-$name.spike-l"
  fi
  echo "$name: $(wc -l < "$name.spike.commits") lines"
done
