#!/bin/sh
# Builds demo.elf (Debian's binutils-riscv64-unknown-elf 2.40) and records QEMU's log of it:
# qemu-system-riscv64 7.2 (Debian's qemu-system-misc 1:7.2+dfsg-7+deb12u18) on its `spike` machine, one
# instruction per translation block (-singlestep), no block chaining, in_asm and cpu state logged.
set -eu
cd "$(dirname "$0")"
riscv64-unknown-elf-as -march=rv64im_zicsr demo.S -o /tmp/memvirt-qemu-demo.o
riscv64-unknown-elf-ld -T ../../programs/link.ld --no-warn-rwx-segments /tmp/memvirt-qemu-demo.o -o demo.elf
rm -f /tmp/memvirt-qemu-demo.o
qemu-system-riscv64 -M spike -bios demo.elf -nographic -singlestep -d in_asm,cpu,nochain -D demo.qemu.txt
