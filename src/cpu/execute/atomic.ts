// The A extension: LR/SC with the reservation on the physical address, and the AMOs (store probe first,
// then load and store; load faults reported as store faults), as Spike's mmu.h amo/store_conditional.
import { sext } from '../../bits/bits.ts'
import { type AccessSize } from '../../memory/memory.ts'
import { withReservation } from '../hart.ts'
import { effectiveDataMode } from '../csr/access.ts'
import { CAUSE, type Trap, trap } from '../trap.ts'
import { type Exec, isTrap, writeRd } from '../exec.ts'
import { asStoreTrap, load, probeStore, reservable, store } from '../memory-access.ts'
import { amoOp } from './alu.ts'

export const executeAmo = (e: Exec, op: string, rd: number, addr: bigint, src: bigint): Trap | undefined => {
  const width = op.endsWith('.w') ? 32 : 64
  const size: AccessSize = width === 32 ? 4 : 8
  const mode = effectiveDataMode(e.h)
  const ext = (v: bigint): bigint => (width === 32 ? sext(v, 32) : v)
  if (op.startsWith('lr.')) {
    const v = load(e, addr, size, { lr: true })
    if (isTrap(v)) return v
    writeRd(e, rd, ext(v))
    return undefined
  }
  if (op.startsWith('sc.')) {
    const pa = probeStore(e, addr, size, mode)
    if (isTrap(pa)) return pa
    if (!reservable(e, pa, size)) return trap(CAUSE.storeAccess, addr, mode.virt)
    const have = e.h.reservation === pa
    if (have) {
      const t = store(e, addr, size, src, mode)
      if (t !== undefined) return t
    }
    e.h = withReservation(e.h, undefined)
    writeRd(e, rd, have ? 0n : 1n)
    return undefined
  }
  const probe = probeStore(e, addr, size, mode)
  if (isTrap(probe)) return probe
  const old = load(e, addr, size)
  if (isTrap(old)) return asStoreTrap(old)
  const t = store(e, addr, size, amoOp(op, old, src, width), mode)
  if (t !== undefined) return t
  writeRd(e, rd, ext(old))
  return undefined
}
