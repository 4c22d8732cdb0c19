#!/bin/sh
# Builds golden/programs/*.S into *.elf with Debian's binutils-riscv64-unknown-elf (2.40), installing
# it with apt-get when missing. Deterministic: building twice gives byte-identical ELFs.
set -eu
cd "$(dirname "$0")"
if ! command -v riscv64-unknown-elf-as >/dev/null 2>&1; then
  apt-get update && apt-get install -y binutils-riscv64-unknown-elf
fi
build() { # NAME MARCH
  riscv64-unknown-elf-as -march="$2" -mabi=lp64 -I . "$1.S" -o "/tmp/memvirt-$1.o"
  riscv64-unknown-elf-ld -T link.ld --no-warn-rwx-segments "/tmp/memvirt-$1.o" -o "$1.elf"
  rm -f "/tmp/memvirt-$1.o"
}
# program         assembler -march        (the --isa string each runs under is in programs.json)
build basics      rv64imac_zicsr_zifencei
build traps       rv64ima_zicsr
build sv39        rv64ima_zicsr
build hyp         rv64imah_zicsr
build htif        rv64ima_zicsr
build interrupts  rv64ima_zicsr
build svadu       rv64ima_zicsr
build spike_tlb   rv64ima_zicsr
build misaligned  rv64ima_zicsr
