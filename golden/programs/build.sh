#!/bin/sh
# Builds golden/programs/*.S into *.elf with Debian's binutils-riscv64-unknown-elf (2.40), installing
# it with apt-get when missing. Deterministic: building twice gives byte-identical ELFs.
set -eu
cd "$(dirname "$0")"
if ! command -v riscv64-unknown-elf-as >/dev/null 2>&1; then
  apt-get update && apt-get install -y binutils-riscv64-unknown-elf
fi
build() { # NAME MARCH [SOURCE [AS-OPTIONS…]]: NAME.elf from SOURCE.S (default NAME.S)
  name=$1 march=$2 src=${3:-$1}
  shift 2; [ $# -gt 0 ] && shift
  riscv64-unknown-elf-as -march="$march" -mabi=lp64 -I . "$@" "$src.S" -o "/tmp/memvirt-$name.o"
  riscv64-unknown-elf-ld -T link.ld --no-warn-rwx-segments "/tmp/memvirt-$name.o" -o "$name.elf"
  rm -f "/tmp/memvirt-$name.o"
}
# program         assembler -march        (the --isa string each runs under is in programs.json)
build basics      rv64imac_zicsr_zifencei
build traps       rv64ima_zicsr
build sv39        rv64ima_zicsr
build hyp         rv64imah_zicsr
build htif        rv64ima_zicsr
build htif_paged  rv64ima_zicsr
build interrupts  rv64ima_zicsr
build svadu       rv64ima_zicsr
build spike_tlb   rv64ima_zicsr
build forgot_fence rv64ima_zicsr
build pte_cache   rv64ima_zicsr
build misaligned  rv64ima_zicsr
build hvdemo      rv64imah_zicsr
build iommu_dma   rv64ima_zicsr           # runs with --iommu (golden/iommu-program.golden.ts)
build loop        rv64i_zicsr
build loop_short  rv64i_zicsr             loop --defsym SHORT=1
build pageloop_m  rv64i_zicsr             pageloop --defsym MODE=0   # bench/cpu.ts: the paged loop, M-mode
build pageloop_s  rv64i_zicsr             pageloop --defsym MODE=1   # … S-mode under Sv39
build pageloop_vs rv64ih_zicsr            pageloop --defsym MODE=2   # … VS-mode under Sv39 over Sv39x4
build pageloop52_m  rv64i_zicsr           pageloop --defsym MODE=0 --defsym ITERATIONS=3250000   # README Performance: ten times longer (52 M instructions)
build pageloop52_s  rv64i_zicsr           pageloop --defsym MODE=1 --defsym ITERATIONS=3250000
build pageloop52_vs rv64ih_zicsr          pageloop --defsym MODE=2 --defsym ITERATIONS=3250000
build sigbasic    rv64ima_zicsr
build sigvm       rv64ima_zicsr
build calls       rv64ima_zicsr
build remap_often rv64imah_zicsr          remap --defsym PAGES=2 --defsym ROUNDS=128    # bench/shadow.ts: remaps often
build remap_rare  rv64imah_zicsr          remap --defsym PAGES=128 --defsym ROUNDS=12   # … TLB misses dominate, remaps rare
