// Counters: the Unpriv. ISA's ch. "Zicntr" (cycle, time, instret, read-only shadows) and the Priv. ISA's
// counter CSRs — ch. "Machine-Level ISA" §"Hardware Performance Monitor" (mcycle, minstret,
// mhpmcounter3–31, mhpmevent3–31), §"Machine Counter-Enable Register" and §"Machine Counter-Inhibit
// CSR"; the enables of the other levels, scounteren (Supervisor chapter) and hcounteren (H chapter),
// are here too because together they gate the same three counters.
import { type Hart, PRV_M, PRV_S, withCounters } from '../hart.ts'
import { type Isa } from '../isa.ts'
import { type CsrDef, type CsrDenial, always, define, done, set, withH, withS, withU, withZicntr } from './define.ts'
import { CSR } from './numbers.ts'

/** xcounteren WARL: CY, TM and IR with Zicntr; no hpmcounters are implemented. */
const counterenMask = (isa: Isa): bigint => (isa.zicntr ? 7n : 0n)

const counterEnabled = (reg: bigint, bit: number): boolean => ((reg >> BigInt(bit)) & 1n) === 1n

/**
 * Who may read user counter `bit` (0 cycle, 1 time, 2 instret): mcounteren gates S/U, hcounteren gates
 * VS/VU, scounteren gates U/VU. A refusal with V = 1 is a virtual-instruction exception when the
 * higher levels allow it.
 */
const counterDenial = (bit: number) => (h: Hart, isa: Isa): CsrDenial | undefined => {
  const c = h.csr
  if (h.priv < PRV_M && !counterEnabled(c.mcounteren, bit)) return 'illegal'
  if (h.virt && !counterEnabled(c.hcounteren, bit)) return 'virtual'
  if (isa.s && h.priv < PRV_S && !counterEnabled(c.scounteren, bit)) return h.virt ? 'virtual' : 'illegal'
  return undefined
}

/** mhpmcounter3–31 (hard-wired 0: a write is dropped and not logged) and mhpmevent3–31 (no events: logged as 0). */
const hpmCounters = (): CsrDef[] =>
  Array.from({ length: 29 }, (_, i) => define({ number: CSR.mhpmcounter3 + i, exists: always, read: () => 0n }))
const hpmEvents = (): CsrDef[] =>
  Array.from({ length: 29 }, (_, i) => {
    const number = CSR.mhpmevent3 + i
    return define({ number, exists: always, read: () => 0n, write: (h) => done(h, [number]) })
  })

// ---- the definitions ------------------------------------------------------------------------------------------

/** The counter CSRs and their enables, for table.ts. */
export const COUNTER_CSRS: readonly CsrDef[] = [
  // mcycle/minstret: an explicit write wins over the increment of the writing instruction (Spike).
  define({
    number: CSR.mcycle, exists: always,
    read: (h) => h.cycle,
    write: (h, _isa, v) => ({
      hart: withCounters(h, h.instret, v), logged: [CSR.mcycle], wroteInstret: false, wroteCycle: true,
    }),
  }),
  define({
    number: CSR.minstret, exists: always,
    read: (h) => h.instret,
    write: (h, _isa, v) => ({
      hart: withCounters(h, v, h.cycle), logged: [CSR.minstret], wroteInstret: true, wroteCycle: false,
    }),
  }),
  ...hpmCounters(),
  ...hpmEvents(),

  // The user-level read-only shadows.
  define({ number: CSR.cycle, exists: withZicntr, deny: counterDenial(0), read: (h) => h.cycle }),
  // time: the CLINT's mtime as last synchronised, plus htimedelta in VS/VU (as Spike adds).
  define({
    number: CSR.time, exists: withZicntr, deny: counterDenial(1),
    read: (h, _isa, virt) => (virt ? BigInt.asUintN(64, h.csr.time + h.csr.htimedelta) : h.csr.time),
  }),
  define({ number: CSR.instret, exists: withZicntr, deny: counterDenial(2), read: (h) => h.instret }),

  define({
    number: CSR.mcounteren, exists: withU,
    read: (h) => h.csr.mcounteren,
    write: (h, isa, v) => set(h, { mcounteren: v & counterenMask(isa) }, [CSR.mcounteren]),
  }),
  define({
    number: CSR.scounteren, exists: withS,
    read: (h) => h.csr.scounteren,
    write: (h, isa, v) => set(h, { scounteren: v & counterenMask(isa) }, [CSR.scounteren]),
  }),
  define({
    number: CSR.hcounteren, exists: withH,
    read: (h) => h.csr.hcounteren,
    write: (h, isa, v) => set(h, { hcounteren: v & counterenMask(isa) }, [CSR.hcounteren]),
  }),
  // mcountinhibit: bit 1 (TM) is read-only zero — time is not a hart counter.
  define({
    number: CSR.mcountinhibit, exists: always,
    read: (h) => h.csr.mcountinhibit,
    write: (h, isa, v) => set(h, { mcountinhibit: v & counterenMask(isa) & ~2n }, [CSR.mcountinhibit]),
  }),
]
