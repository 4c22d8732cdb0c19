#!/usr/bin/env bash
# bench/shadow/riscv-tests.sh [CHECKOUT] [OUTDIR] [BASE]: runs riscv-tests' hypervisor tests (those that
# enter V=1: hypervisor-p-*, hypervisor-svadu-p-*) with `--guest-translation shadow` and compares each
# commit log byte for byte with the Spike-checked baseline written by /work/ext/rt/run.sh (BASE, default
# /work/ext/rt/base). Outside npm test: it needs the riscv-tests build in /work/ext/riscv-tests.
set -u
co=${1:-$(cd "$(dirname "$0")/../.." && pwd)}; out=${2:-/tmp/memvirt-shadow-rt}; base=${3:-/work/ext/rt/base}
T=/work/ext/riscv-tests/isa
mkdir -p "$out"; same=0; differ=0
for f in $(cd $T && ls | grep -E '^hypervisor(-svadu)?-p-[a-z_0-9-]+$' | sort); do
  isa=rv64imac_zicsr_zifencei_zicntr_h
  case $f in hypervisor-svadu-*) isa=${isa}_svadu ;; esac
  node "$co/src/cli/bin.mjs" run "$T/$f" --isa "$isa" --guest-translation shadow --stats --log-commits "$out/$f.log" > "$out/$f.out" 2>&1
  rc=$?
  want=$(grep "^$f " "$base/summary.txt" | cut -d' ' -f2)
  if [ "$rc" = "$want" ] && cmp -s "$out/$f.log" "$base/$f.log"; then same=$((same+1)); echo "same    $f (exit $rc)"
  else differ=$((differ+1)); echo "DIFFERS $f (exit $rc, baseline $want)"; fi
done
echo "$same identical to the baseline, $differ differ"
[ $differ -eq 0 ]
