#!/bin/sh
# Rebuilds encodings.txt from encodings.S with Debian's binutils-riscv64-unknown-elf.
# The assembler and objdump are the reference: encodings.txt records, for each instruction, its
# address, the encoding word (or 16-bit parcel) and objdump's text, and names the tool version.
set -eu
cd "$(dirname "$0")"
AS=${AS:-riscv64-unknown-elf-as}
OBJDUMP=${OBJDUMP:-riscv64-unknown-elf-objdump}
MARCH=rv64imach_zicsr_zifencei
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$AS" -march="$MARCH" -mabi=lp64 -o "$tmp/encodings.o" encodings.S
{
  echo "# memvirt golden ISA encodings: address, encoding (hex, 4 digits = 16-bit parcel), objdump text."
  echo "# source: golden/isa/encodings.S, assembled with -march=$MARCH"
  echo "# assembler: $("$AS" --version | head -n 1)"
  echo "# disassembler: $("$OBJDUMP" --version | head -n 1)"
  echo "# regenerate with: sh golden/isa/build.sh"
  # objdump -d lines look like "  1c:\t00b50533          \tadd\ta0,a0,a1"; keep address, word, text.
  "$OBJDUMP" -d --no-show-raw-insn "$tmp/encodings.o" >/dev/null
  "$OBJDUMP" -d "$tmp/encodings.o" |
    awk -F '\t' '/^ *[0-9a-f]+:\t/ {
      addr = $1; sub(/^ */, "", addr); sub(/:$/, "", addr)
      word = $2; gsub(/ /, "", word)
      text = $3; for (i = 4; i <= NF; i++) text = text "\t" $i
      print addr "\t" word "\t" text
    }'
} > encodings.txt
