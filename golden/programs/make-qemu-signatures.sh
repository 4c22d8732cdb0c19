#!/bin/sh
# Writes NAME.qemu.sig4 for every program in programs.json with 'signatures': the signature as QEMU's
# memory holds it when the program reaches write_tohost, read through QEMU's gdb stub, one 32-bit word per
# line in hex (what Spike's +signature-granularity=4 prints for a signature of whole words). An
# independent implementation's answer, beside the hand-worked files, while Spike is not built here.
# Needs qemu-system-riscv64 (Debian qemu-system-misc 1:7.2) and gdb-multiarch (13.1); runs the `virt`
# machine, which starts the -bios ELF at 0x8000_0000 (HTIF is not needed: the run stops at the breakpoint).
set -eu
cd "$(dirname "$0")"
port=12345
for name in $(node -e "const p = require('./programs.json').programs; console.log(Object.keys(p).filter((n) => p[n].signatures).join(' '))"); do
  qemu-system-riscv64 -M virt -bios "$name.elf" -nographic -S -gdb tcp::$port -monitor none -serial none &
  qemu=$!
  sleep 1
  begin=$(riscv64-unknown-elf-nm "$name.elf" | awk '$3 == "begin_signature" { print $1 }')
  end=$(riscv64-unknown-elf-nm "$name.elf" | awk '$3 == "end_signature" { print $1 }')
  words=$(( (0x$end - 0x$begin) / 4 ))
  timeout 60 gdb-multiarch -q -batch -ex "set architecture riscv:rv64" -ex "file $name.elf" -ex "target remote :$port" \
    -ex "break write_tohost" -ex "continue" -ex 'printf "exit %d\n", $t0' -ex "x/${words}wx 0x$begin" -ex "kill" \
    > "/tmp/memvirt-$name.gdb" 2>&1 || true
  kill $qemu 2>/dev/null || true
  wait $qemu 2>/dev/null || true
  grep -q '^exit 1$' "/tmp/memvirt-$name.gdb" || { echo "$name: did not reach write_tohost with t0 = 1 under QEMU" >&2; cat "/tmp/memvirt-$name.gdb" >&2; exit 1; }
  # gdb prints `0x80003000:\t0x89abcdef\t0x01234567 …`: the words after the address, without 0x.
  awk -F'\t' '/^0x[0-9a-f]+:/ { for (i = 2; i <= NF; i++) print substr($i, 3) }' "/tmp/memvirt-$name.gdb" > "$name.qemu.sig4"
  rm -f "/tmp/memvirt-$name.gdb"
  echo "$name: $(wc -l < "$name.qemu.sig4") words"
done
