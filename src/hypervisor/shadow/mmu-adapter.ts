// The one place the shadow algorithm's RISC-V instance touches src/mmu (being reshaped: its failure
// type is changing), through the public translate API only: the two-stage walk the VMM composes
// (VS-stage over G-stage) and the single-stage walk the hardware makes over a shadow table.
import { isLeft } from '../../bits/either.ts'
import { guestVirt, virt } from '../../bits/address.ts'
import type { PhysMemory } from '../../memory/memory.ts'
import { type TranslationContext, type Privilege, translate } from '../../mmu/translate.ts'
import type { AccessType, TranslationFault } from '../../mmu/faults.ts'

export type { AccessType, TranslationFault }

/** The guest's translation registers, as the VMM keeps them (vsatp, hgatp, the status and envcfg bits). */
export interface RiscvRegs {
  readonly vsatp: bigint
  readonly hgatp: bigint
  readonly vsstatus: { readonly sum: boolean; readonly mxr: boolean }
  readonly mstatus: { readonly sum: boolean; readonly mxr: boolean }
  /** henvcfg.ADUE (and menvcfg.ADUE): hardware updates the guest's A/D bits (Svadu). */
  readonly adue: boolean
}

/** A guest access: its type and the guest's privilege (VS- or VU-mode). */
export interface RiscvAccess {
  readonly kind: AccessType
  readonly priv: 'S' | 'U'
}

const context = (r: RiscvRegs, priv: Privilege, over: Partial<TranslationContext>): TranslationContext => ({
  priv, virt: true, satp: 0n, vsatp: r.vsatp, hgatp: r.hgatp, mstatus: r.mstatus, vsstatus: r.vsstatus,
  menvcfg: { adue: r.adue, pbmte: false }, henvcfg: { adue: r.adue, pbmte: false }, svnapot: false, ...over,
})

/** What the two-stage walk found, in the terms the shadow needs. */
export interface TwoStage {
  readonly pa: bigint
  readonly pageBits: number
  /** The VS-stage leaf PTE after any A/D update (undefined when vsatp is Bare). */
  readonly vsPte: bigint | undefined
  /** The G-stage leaf PTE (undefined when hgatp is Bare). */
  readonly gPte: bigint | undefined
  /** Host-physical addresses of the VS-stage PTEs read. */
  readonly vsPteAddrs: readonly bigint[]
}

/** V=1 translation: VS-stage over G-stage, hardware A/D updates when ADUE is set. */
export const twoStage = (host: PhysMemory, r: RiscvRegs, va: bigint, a: RiscvAccess):
  { result: { fault: TranslationFault } | { ok: TwoStage }; host: PhysMemory; refs: number } => {
  const o = translate(host, context(r, a.priv, {}), { va: guestVirt(va), access: a.kind })
  if (isLeft(o.result)) return { result: { fault: o.result.left }, host: o.memory, refs: o.refs }
  const t = o.result.right
  const vsPteAddrs = o.trail.filter((s) => s.stage === 'VS' && s.op === 'read').map((s) => s.pteAddr as bigint)
  return { result: { ok: { pa: t.pa, pageBits: t.pageBits, vsPte: t.first?.pte, gPte: t.gstage?.pte, vsPteAddrs } }, host: o.memory, refs: o.refs }
}

/** V=0 translation through a shadow table (`satp`, Sv39 or Sv48), with the guest's SUM and HS's MXR, no A/D updates; and its memory references. */
export const singleStage = (host: PhysMemory, satp: bigint, r: RiscvRegs, va: bigint, a: RiscvAccess):
  { hit: { hpa: bigint; pageBits: number } | undefined; refs: number } => {
  const ctx = context(r, a.priv, {
    virt: false, satp, mstatus: { sum: r.vsstatus.sum, mxr: r.mstatus.mxr }, menvcfg: { adue: false, pbmte: false },
  })
  const o = translate(host, ctx, { va: virt(va), access: a.kind })
  return { hit: isLeft(o.result) ? undefined : { hpa: o.result.right.pa, pageBits: o.result.right.pageBits }, refs: o.refs }
}
