// Trigger CSRs: the RISC-V Debug Specification's ch. "Sdtrig" (tselect, tdata1–3, tinfo, mcontext/
// hcontext, scontext), with the Priv. ISA reserving their numbers. Spike has 4 triggers and implements
// the mcontrol (type 2) fields that src/cpu/triggers.ts matches on; its choices are named where made.
import { TDATA1_DISABLED } from '../hart.ts'
import { type Isa } from '../isa.ts'
import { type CsrDef, always, define, done, set, withH, withS } from './define.ts'
import { CSR } from './numbers.ts'
import { getField, setField } from './fields.ts'

/** mcontrol (type 2) fields, as Spike's mcontrol_t keeps them. */
export const MCONTROL = {
  type: 0xfn << 60n, dmode: 1n << 59n, hit: 1n << 20n, select: 1n << 19n, timing: 1n << 18n, action: 0xfn << 12n,
  chain: 1n << 11n, match: 0xfn << 7n, m: 1n << 6n, s: 1n << 4n, u: 1n << 3n, execute: 1n << 2n, store: 1n << 1n, load: 1n,
} as const

/**
 * tdata1 WARL (Spike's module_t/mcontrol_t): type 2 (mcontrol) keeps its fields, with match values other
 * than equal/GE/LT/mask legalized to equal (maskmax = 0, so NAPOT too), an unsupported action to 0
 * (breakpoint exception), load-data triggers forced to timing = after; S and U bits need those modes.
 * Any other type is not modelled here and reads back as a disabled trigger (type 15).
 */
export const legalizeTdata1 = (value: bigint, isa: Isa): bigint => {
  if (value >> 60n !== 2n) return TDATA1_DISABLED
  const field = (m: bigint): bigint => getField(value, m)
  let match = field(MCONTROL.match)
  if (!(match === 0n || match === 2n || match === 3n || match === 4n || match === 5n)) match = 0n
  let action = field(MCONTROL.action)
  if (action > 1n || (action === 1n && field(MCONTROL.dmode) === 0n)) action = 0n
  const select = field(MCONTROL.select)
  const timing = select === 1n && field(MCONTROL.load) === 1n ? 1n : field(MCONTROL.timing)
  let v = 2n << 60n
  v = setField(v, MCONTROL.dmode, field(MCONTROL.dmode))
  v = setField(v, MCONTROL.hit, field(MCONTROL.hit))
  v = setField(v, MCONTROL.select, select)
  v = setField(v, MCONTROL.timing, timing)
  v = setField(v, MCONTROL.action, action)
  v = setField(v, MCONTROL.chain, field(MCONTROL.chain))
  v = setField(v, MCONTROL.match, match)
  v = setField(v, MCONTROL.m, field(MCONTROL.m))
  v = setField(v, MCONTROL.s, isa.s ? field(MCONTROL.s) : 0n)
  v = setField(v, MCONTROL.u, isa.u ? field(MCONTROL.u) : 0n)
  return v | (value & (MCONTROL.execute | MCONTROL.store | MCONTROL.load))
}

/** Spike's tinfo: types mcontrol (2), icount (3), itrigger (4), etrigger (5), mcontrol6 (6), disabled (15); version 1. */
const TINFO = (1n << 2n) | (1n << 3n) | (1n << 4n) | (1n << 5n) | (1n << 6n) | (1n << 15n) | (1n << 24n)

// ---- the definitions ------------------------------------------------------------------------------------------

/** The Sdtrig CSRs, for table.ts. */
export const DEBUG_CSRS: readonly CsrDef[] = [
  // tselect: Spike has 4 triggers; a value of 4 or more leaves tselect unchanged.
  define({
    number: CSR.tselect, exists: always,
    read: (h) => h.csr.tselect,
    write: (h, _isa, v) => set(h, { tselect: v < 4n ? v : h.csr.tselect }, [CSR.tselect]),
  }),
  // tdata1/tdata2: those of the trigger tselect names.
  define({
    number: CSR.tdata1, exists: always,
    read: (h) => h.csr.triggers[Number(h.csr.tselect)]![0],
    write: (h, isa, v) => {
      const i = Number(h.csr.tselect)
      return set(h, { triggers: h.csr.triggers.with(i, [legalizeTdata1(v, isa), h.csr.triggers[i]![1]]) }, [CSR.tdata1])
    },
  }),
  define({
    number: CSR.tdata2, exists: always,
    read: (h) => h.csr.triggers[Number(h.csr.tselect)]![1],
    write: (h, _isa, v) => {
      const i = Number(h.csr.tselect)
      return set(h, { triggers: h.csr.triggers.with(i, [h.csr.triggers[i]![0], v]) }, [CSR.tdata2])
    },
  }),
  // tdata3 (textra) is not modelled: it reads 0, and a write is logged but kept nowhere.
  define({ number: CSR.tdata3, exists: always, read: () => 0n, write: (h) => done(h, [CSR.tdata3]) }),
  define({ number: CSR.tinfo, exists: always, read: () => TINFO }),
  // hcontext and mcontext are one register (Spike): 14 bits with H, 13 without; scontext is 32 bits.
  define({
    number: CSR.mcontext, exists: always,
    read: (h) => h.csr.hcontext,
    write: (h, isa, v) => set(h, { hcontext: v & ((1n << (isa.h ? 14n : 13n)) - 1n) }, [CSR.hcontext]),
  }),
  define({
    number: CSR.hcontext, exists: withH,
    read: (h) => h.csr.hcontext,
    write: (h, isa, v) => set(h, { hcontext: v & ((1n << (isa.h ? 14n : 13n)) - 1n) }, [CSR.hcontext]),
  }),
  define({
    number: CSR.scontext, exists: withS,
    read: (h) => h.csr.scontext,
    write: (h, _isa, v) => set(h, { scontext: v & 0xffff_ffffn }, [CSR.scontext]),
  }),
]
