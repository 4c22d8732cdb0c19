#!/bin/sh
# Rebuilds spike-dasm.txt: Spike's disassembler (spike-dasm, built outside this repository) run on
# memvirt's own input words, as a second reference for which encodings are legal. The words are
# every 16-bit parcel (bits [1:0] != 11), every word of encodings.txt, and 20000 pseudo-random
# words (fixed seed; half uniform, half with an opcode RV64IMAC/H defines).
# Usage: SPIKE_DASM=/path/to/spike-dasm SPIKE_COMMIT=<commit> sh golden/isa/spike-dasm.sh
set -eu
cd "$(dirname "$0")"
SPIKE_DASM=${SPIKE_DASM:-spike-dasm}
ISA=rv64imac_zicsr_zifencei_h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node -e '
  const fs = require("fs")
  const out = []
  for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) out.push(h.toString(16).padStart(4, "0"))
  for (const l of fs.readFileSync("encodings.txt", "utf8").split("\n")) {
    const w = l.split("\t")[1]
    if (!l.startsWith("#") && w !== undefined && w.length === 8) out.push(w)
  }
  let s = 0x6d656d76 >>> 0                       // xorshift32, seed "memv"
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s }
  const opcodes = [0x03, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x2f, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73]
  for (let i = 0; i < 20000; i++) {
    const r = next()
    const w = i % 2 === 0 ? r : ((r & ~0x7f) | opcodes[next() % opcodes.length]) >>> 0
    if ((w & 3) === 3) out.push(w.toString(16).padStart(8, "0"))
  }
  fs.writeFileSync(process.argv[1], out.join("\n") + "\n")
' "$tmp/words"
sed 's/.*/DASM(0x&)/' "$tmp/words" | "$SPIKE_DASM" --isa="$ISA" > "$tmp/dasm"
{
  echo "# spike-dasm --isa=$ISA on memvirt's input words: encoding (hex, 4 digits = 16-bit parcel), Spike's text."
  echo "# Spike: riscv-isa-sim ${SPIKE_COMMIT:-unknown commit}, built outside this repository. Regenerate with golden/isa/spike-dasm.sh."
  paste "$tmp/words" "$tmp/dasm"
} > spike-dasm.txt
