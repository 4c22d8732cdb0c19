// Debug triggers (Sdtrig) as Spike implements them (riscv/triggers.cc): mcontrol address triggers,
// checked before each access, firing a breakpoint exception (cause 3, tval = the address) and setting hit.
import { u64 } from '../bits/bits.ts'
import { type Hart, PRV_M, PRV_S } from './hart.ts'
import { MCONTROL } from './csr/access.ts'
import { MSTATUS_MIE, MSTATUS_SIE, getField } from './csr/fields.ts'
import { CAUSE, type Trap, trap } from './trap.ts'
import { type Exec } from './exec.ts'

const M32 = 0xffff_ffffn


export type TriggerOp = 'execute' | 'load' | 'store'
const OP_BIT: Record<TriggerOp, bigint> = { execute: MCONTROL.execute, load: MCONTROL.load, store: MCONTROL.store }

/** Does mcontrol trigger `t` match this access (address triggers, timing before; Spike's common_match too)? */
export const triggerMatches = (h: Hart, tdata1: bigint, tdata2: bigint, op: TriggerOp, addr: bigint, len: number): boolean => {
  if (tdata1 >> 60n !== 2n || (tdata1 & OP_BIT[op]) === 0n) return false
  if ((tdata1 & (MCONTROL.select | MCONTROL.timing)) !== 0n) return false      // data and after-timing triggers: not modelled
  const modeOk = h.priv === PRV_M ? (tdata1 & MCONTROL.m) !== 0n
    : h.virt ? false                                                             // mcontrol has no VS/VU bits
    : h.priv === PRV_S ? (tdata1 & MCONTROL.s) !== 0n : (tdata1 & MCONTROL.u) !== 0n
  if (!modeOk) return false
  if (getField(tdata1, MCONTROL.action) === 0n) {
    // A breakpoint-exception trigger does not fire where the handler would be re-entered with interrupts off.
    const c = h.csr
    const bp = ((c.medeleg >> 3n) & 1n) === 1n
    if (h.priv === PRV_M && (c.mstatus & MSTATUS_MIE) === 0n) return false
    if (h.priv === PRV_S && !h.virt && bp && (c.mstatus & MSTATUS_SIE) === 0n) return false
    if (h.priv === PRV_S && h.virt && bp && ((c.hedeleg >> 3n) & 1n) === 1n && (c.vsstatus & MSTATUS_SIE) === 0n) return false
  } else {
    return false                                                                 // debug-mode entry: not modelled
  }
  const match = getField(tdata1, MCONTROL.match)
  for (let i = 0; i < len; i++) {
    const a = u64(addr + BigInt(i))
    const lo = tdata2 & M32, hi = tdata2 >> 32n
    if (match === 0n ? a === tdata2 : match === 2n ? a >= tdata2 : match === 3n ? a < tdata2
      : match === 4n ? ((a & M32) & hi) === lo : ((a >> 32n) & hi) === lo) return true
  }
  return false
}

/** Could any trigger fire (is one an address trigger)? When not, checkTriggers answers undefined. */
export const anyTriggerArmed = (e: Exec): boolean => e.accel.triggersArmed(e.h.csr.triggers)

/**
 * Checks the triggers for an access before it happens (Spike's module_t::detect_memory_access_match,
 * with chains): a breakpoint exception (cause 3, tval = the address) when one fires; `hit` is set on
 * every trigger that matched.
 */
export const checkTriggers = (e: Exec, op: TriggerOp, addr: bigint, len: number): Trap | undefined =>
  // Nothing armed (the common case) is decided without entering the matcher, whose closure V8 would
  // otherwise allocate on every access.
  e.accel.triggersArmed(e.h.csr.triggers) ? fireTriggers(e, op, addr, len) : undefined

/** The matching of armed triggers, in order, with chains (a chained trigger fires only with the next). */
const fireTriggers = (e: Exec, op: TriggerOp, addr: bigint, len: number): Trap | undefined => {
  const ts = e.h.csr.triggers
  let chainOk = true
  let fires = false
  let updated = ts
  ts.forEach(([t1, t2], i) => {
    const chain = (t1 & MCONTROL.chain) !== 0n
    if (!chainOk) { chainOk = !chain; return }
    const hit = triggerMatches(e.h, t1, t2, op, addr, len)
    if (hit) updated = updated.with(i, [t1 | MCONTROL.hit, t2])
    if (hit && !chain) fires = true
    chainOk = hit || !chain
  })
  if (!fires) return undefined
  e.firedTriggers = updated
  return trap(CAUSE.breakpoint, addr, e.h.virt)
}
