// The memoised accelerators the engines run the hart with: each equal to its specification in
// src/cpu/accel.ts (decoding and the ISA are pure functions of their keys; the PMP memo is proved equal
// by properties/memory/pmp.prop.ts), remembered by value or by the identity of immutable CSR arrays.
import { pmpAllowsCached } from '../../memory/engine/pmp.ts'
import { describeMemo } from '../decode/engine/memo.ts'
import { type HartAccel, triggersArmed } from '../accel.ts'
import { type Csrs } from '../hart.ts'
import { type Isa, effectiveIsa } from '../isa.ts'
import { hartContext } from '../translation-context.ts'

// The last (immutable) trigger array asked about: CSR files share it until a trigger CSR is written, so
// one identity test answers nearly every access (a keyed lookup here cost more than the rest of the check).
let lastTriggers: Csrs['triggers'] | undefined
let lastArmed = false
const armedMemo = (ts: Csrs['triggers']): boolean => {
  if (ts !== lastTriggers) { lastArmed = triggersArmed(ts); lastTriggers = ts }
  return lastArmed
}

/** effectiveIsa per (ISA string, misa). */
const effective = new Map<string, Map<bigint, Isa>>()
const effectiveIsaMemo = (isa: Isa, misa: bigint): Isa => {
  if (misa === isa.maxMisa) return isa
  let byMisa = effective.get(isa.name)
  if (byMisa === undefined) { byMisa = new Map(); effective.set(isa.name, byMisa) }
  let e = byMisa.get(misa)
  if (e === undefined) { e = effectiveIsa(isa, misa); byMisa.set(misa, e) }
  return e
}

export const memoAccel: HartAccel = {
  describe: describeMemo, pmpAllows: pmpAllowsCached, triggersArmed: armedMemo, effectiveIsa: effectiveIsaMemo,
  // One maker for the engines (the TLB's engine remembers contexts per maker): page-table reads are
  // checked by the PMP memo, as the hart's own accesses are.
  context: hartContext(pmpAllowsCached),
}
