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

# tiny.elf (ELF64) and tiny32.elf (ELF32, for the loader's rejection test) from tiny.S, and
# readelf's view of tiny.elf as the loader tests' expected values.
LD=${LD:-riscv64-unknown-elf-ld}
READELF=${READELF:-riscv64-unknown-elf-readelf}
"$AS" -march=rv64imac_zicsr -mabi=lp64 -o "$tmp/tiny.o" tiny.S
"$LD" -T tiny.ld --build-id=none -z max-page-size=0x10 -o tiny.elf "$tmp/tiny.o"
"$AS" -march=rv32imac_zicsr -mabi=ilp32 -o "$tmp/tiny32.o" tiny.S
"$LD" -m elf32lriscv -T tiny.ld --build-id=none -z max-page-size=0x10 -o tiny32.elf "$tmp/tiny32.o"
{
  echo "# readelf -h -l -s -W tiny.elf ($("$READELF" --version | head -n 1)); regenerate with: sh golden/isa/build.sh"
  "$READELF" -h -l -s -W tiny.elf
} > tiny.readelf.txt
