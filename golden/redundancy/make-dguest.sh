#!/bin/sh
# Builds dguest.elf from dguest.S (binutils-riscv64-unknown-elf, as golden/programs/build.sh) and writes
# dguest.spike.commits: `spike --isa=rv64imah_zicsr_svadu --log-commits` truncated after the store of the
# exit command to tohost, as golden/programs/make-spike-logs.sh truncates. SPIKE names the binary.
set -eu
cd "$(dirname "$0")"
SPIKE=${SPIKE:-/work/ext/spike-install/bin/spike}
riscv64-unknown-elf-as -march=rv64imah_zicsr -mabi=lp64 -I ../programs dguest.S -o /tmp/memvirt-dguest.o
riscv64-unknown-elf-ld -T ../programs/link.ld --no-warn-rwx-segments /tmp/memvirt-dguest.o -o dguest.elf
rm -f /tmp/memvirt-dguest.o
tohost=$(riscv64-unknown-elf-nm dguest.elf | awk '$3 == "tohost" { print $1 }')
timeout 60 "$SPIKE" --isa=rv64imah_zicsr_svadu --log-commits --log=/tmp/memvirt-dguest.spike dguest.elf
awk -v pat=" mem 0x$tohost 0x" '{ print }
  { i = index($0, pat); if (i > 0) { v = substr($0, i + length(pat), 16); if (substr(v, 1, 4) == "0000" && substr(v, 16, 1) ~ /[13579bdf]/) exit } }' \
  /tmp/memvirt-dguest.spike > dguest.spike.commits
rm -f /tmp/memvirt-dguest.spike
echo "dguest: $(wc -l < dguest.spike.commits) lines"
