// PMP CSRs: Priv. ISA ch. "Machine-Level ISA" §"Physical Memory Protection CSRs" — on RV64 the even
// pmpcfg0–14 (eight pmpNcfg bytes each) and pmpaddr0–63. Spike implements 16 entries; the CSRs of the
// others exist and read 0. The legalization of one entry (lock, R = 0 with W = 1, TOR lock of the entry
// below) is the PMP model's own (src/memory/pmp.ts).
import { PMP_ENTRIES, PMP_CSRS } from '../hart.ts'
import { legalizePmpcfg, pmpaddrWritable } from '../../memory/pmp.ts'
import { type CsrDef, always, define, done, set } from './define.ts'
import { CSR } from './numbers.ts'

/** pmpcfgK (K even): entries 4K … 4K + 7, one byte each, entry 4K in the low byte. */
const pmpcfg = (k: number): CsrDef => {
  const number = CSR.pmpcfg0 + k
  const first = k * 4
  return define({
    number, exists: always,
    read: (h) => {
      let v = 0n
      for (let i = 0; i < 8; i++) v |= BigInt(h.csr.pmpcfg[first + i] ?? 0) << BigInt(8 * i)
      return v
    },
    write: (h, _isa, value) => {
      if (first >= PMP_ENTRIES) return done(h, [])    // no implemented entry: Spike reports no write
      const cfg = h.csr.pmpcfg.slice()
      for (let i = first; i < first + 8 && i < PMP_ENTRIES; i++) {
        cfg[i] = legalizePmpcfg(h.csr.pmpcfg[i]!, Number((value >> BigInt(8 * (i - first))) & 0xffn))
      }
      return set(h, { pmpcfg: cfg }, [number])
    },
  })
}

/** pmpaddrI: physical address bits 55:2. */
const pmpaddr = (i: number): CsrDef => {
  const number = CSR.pmpaddr0 + i
  return define({
    number, exists: always,
    read: (h) => h.csr.pmpaddr[i] ?? 0n,
    write: (h, _isa, value) => {
      if (i >= PMP_ENTRIES) return done(h, [number])   // unimplemented entries: the write "succeeds", reads 0
      // Locked, or the pmpaddr below a locked TOR entry: the write is ignored (src/memory/pmp.ts).
      if (!pmpaddrWritable(h.csr, i)) return done(h, [])
      return set(h, { pmpaddr: h.csr.pmpaddr.with(i, value & ((1n << 54n) - 1n)) }, [number])
    },
  })
}

// ---- the definitions ------------------------------------------------------------------------------------------

/** The PMP CSRs, for table.ts. RV64: only the even pmpcfg numbers exist (pmpcfg1, 3, … are RV32-only). */
export const PMP_CSR_DEFS: readonly CsrDef[] = [
  ...Array.from({ length: PMP_CSRS / 8 }, (_, j) => pmpcfg(2 * j)),
  ...Array.from({ length: PMP_CSRS }, (_, i) => pmpaddr(i)),
]
