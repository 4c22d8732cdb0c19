// Why the model's value is what it is, in lines a verification engineer reads next to a mismatch: the
// walk trail (each PTE of each stage) behind an address, the trap the model took, the interrupt state,
// and the page-table A/D updates the model's walker made. Pure: re-walks on the state before the step.
import { isLeft } from '../bits/either.ts'
import { hex } from '../bits/bits.ts'
import { type VirtAddr } from '../bits/address.ts'
import { type Machine } from '../machine/machine.ts'
import { causeName } from '../machine/summary.ts'
import { type AccessMode, type Hart, PRV_M, PRV_S, accessMode } from '../cpu/hart.ts'
import { type HartAccel } from '../cpu/accel.ts'
import { effectiveDataMode, mipRead, midelegRead } from '../cpu/csr/access.ts'
import { HSTATUS_SPVP, MSTATUS_MIE, MSTATUS_SIE } from '../cpu/csr/fields.ts'
import { decodeInstruction, disassemble } from '../cpu/decode/index.ts'
import { pendingInterrupt } from '../cpu/step.ts'
import { type AccessType } from '../mmu/faults.ts'
import { translate, untranslated } from '../mmu/translate.ts'
import { explainText } from '../mmu/explain.ts'
import { type TrailStep } from '../mmu/walk.ts'
import { flagText } from '../mmu/explain.ts'
import { INTERRUPT_BIT } from '../cpu/trap.ts'

const PRIV_NAMES = ['U', 'S', 'S', 'M'] as const

/** The instruction in words: `ld a0, 8(s0)` (its bits when they do not decode). */
export const insnText = (bits: number, pc: bigint): string => {
  try {
    return disassemble(decodeInstruction(bits), pc).replace(/\t/g, ' ')
  } catch {
    return `0x${bits.toString(16)}`
  }
}

/** Is `bits` a hypervisor load or store (HLV, HLVX, HSV: opcode SYSTEM, funct3 4, funct7 0x30–0x37)? */
const isHlvHsv = (bits: number): boolean => (bits & 0x7f) === 0x73 && ((bits >>> 12) & 7) === 4 && (bits >>> 25) >= 0x30 && (bits >>> 25) <= 0x37
/** HLVX.HU / HLVX.WU: rs2 = 3 with funct7 0x32 or 0x34. */
const isHlvx = (bits: number): boolean => isHlvHsv(bits) && ((bits >>> 20) & 0x1f) === 3

/**
 * The mode a data access of `bits` is made in: HLV/HSV at hstatus.SPVP with V = 1 (H chapter), else the
 * effective data mode (MPRV, MPP, MPV).
 */
export const dataMode = (h: Hart, bits: number | undefined): AccessMode =>
  bits !== undefined && isHlvHsv(bits) ? accessMode((h.csr.hstatus & HSTATUS_SPVP) !== 0n ? PRV_S : 0, true) : effectiveDataMode(h)

/** The mode an access of kind `access` by instruction `bits` is made in, on hart h. */
export const accessModeOf = (h: Hart, access: AccessType, bits: number | undefined): AccessMode =>
  access === 'fetch' ? accessMode(h.priv, h.virt) : dataMode(h, bits)

/**
 * The walk the model's page tables give for `va` on the machine as it was (`before`), explained: one line
 * per PTE read or written (stage, level, address, value, flags, decision), then the result.
 */
export const walkLines = (before: Machine, accel: HartAccel, index: number, va: bigint, access: AccessType, bits: number | undefined): string[] => {
  const h = before.hart
  const mode = accessModeOf(h, access, bits)
  if (untranslated(PRIV_NAMES[mode.priv], mode.virt, h.csr.satp)) {
    return [`${access} VA ${hex(va)} in ${PRIV_NAMES[mode.priv]}-mode: ${mode.priv === PRV_M ? 'M-mode' : 'satp Bare'}, untranslated: PA = VA`]
  }
  const ctx = accel.context(h.csr, mode.priv * 2 + (mode.virt ? 1 : 0), before.isa).ctx
  const request = { va: va as VirtAddr, access, hlvx: bits !== undefined && isHlvx(bits) }
  const outcome = translate(before.memory, ctx, request)
  return explainText({ index, ctx, request, outcome }).trimEnd().split('\n')
}

/** The access type of a translation-related exception code, or undefined for any other cause. */
export const faultAccess = (cause: bigint): AccessType | undefined => {
  switch (cause) {
    case 1n: case 12n: case 20n: return 'fetch'
    case 5n: case 13n: case 21n: return 'load'
    case 7n: case 15n: case 23n: return 'store'
    default: return undefined
  }
}

/** A trap in words: `load page fault (cause 13), tval 0x…`. */
export const trapText = (cause: bigint, tval: bigint): string =>
  `${causeName(cause)} (cause ${(cause & INTERRUPT_BIT) !== 0n ? `interrupt ${cause & ~INTERRUPT_BIT}` : String(cause)}), tval ${hex(tval)}`

/** The interrupt state of a hart: what is pending, enabled and delegated, and what it would take now. */
export const interruptLines = (h: Hart, m: Machine): string[] => {
  const c = h.csr
  const next = pendingInterrupt(h, m.isa)
  return [
    `mip ${hex(mipRead(c))} · mie ${hex(c.mie)} · mideleg ${hex(midelegRead(c, m.isa))} · hideleg ${hex(c.hideleg)}`,
    `hart in ${h.virt ? 'V' : ''}${PRIV_NAMES[h.priv]}-mode · mstatus.MIE=${(c.mstatus & MSTATUS_MIE) !== 0n ? 1 : 0} SIE=${(c.mstatus & MSTATUS_SIE) !== 0n ? 1 : 0}`,
    next === undefined
      ? 'no interrupt is both pending and enabled here'
      : `the interrupt the model takes here: ${causeName(INTERRUPT_BIT | next)} (interrupt ${next})`,
  ]
}

/** A page-table write the model's walker made (a hardware A/D update): where, what it was and became, when. */
export interface AdWrite {
  readonly pteAddr: bigint
  readonly old: bigint
  readonly pte: bigint
  /** The event whose instruction's walk wrote it, and that instruction's pc. */
  readonly index: number
  readonly pc: bigint
}

/** The A/D writes of one walk trail (each write follows the read of the same PTE). */
export const adWritesOf = (trail: readonly TrailStep[], index: number, pc: bigint): AdWrite[] => {
  const out: AdWrite[] = []
  trail.forEach((t, i) => {
    if (t.op !== 'write') return
    const read = trail.slice(0, i).reverse().find((r) => r.op === 'read' && r.pteAddr === t.pteAddr)
    out.push({ pteAddr: t.pteAddr, old: read?.pte ?? 0n, pte: t.pte, index, pc })
  })
  return out
}

/** The lines about an A/D write covering the 8 bytes at pa, if the model's walker made one. */
export const adLines = (writes: readonly AdWrite[], pa: bigint): string[] => {
  const w = [...writes].reverse().find((x) => x.pteAddr === (pa & ~7n))
  if (w === undefined) return []
  return [
    `PA ${hex(w.pteAddr)} holds a PTE the model's walker updated in hardware at event ${w.index} (pc ${hex(w.pc)}):`,
    `  ${hex(w.old)} (${flagText(w.old)}) → ${hex(w.pte)} (${flagText(w.pte)})`,
  ]
}

/** Re-walks the accesses of a step on the machine before it, for the A/D writes its walks made. */
export const adWritesOfStep = (before: Machine, accel: HartAccel, index: number, pc: bigint, bits: number,
  accesses: readonly { readonly va: bigint; readonly access: AccessType }[]): AdWrite[] => {
  const h = before.hart
  let memory = before.memory
  const out: AdWrite[] = []
  for (const a of accesses) {
    const mode = accessModeOf(h, a.access, bits)
    if (untranslated(PRIV_NAMES[mode.priv], mode.virt, h.csr.satp)) continue
    const ctx = accel.context(h.csr, mode.priv * 2 + (mode.virt ? 1 : 0), before.isa).ctx
    const outcome = translate(memory, ctx, { va: a.va as VirtAddr, access: a.access, hlvx: isHlvx(bits) })
    memory = outcome.memory
    if (isLeft(outcome.result)) break
    out.push(...adWritesOf(outcome.trail, index, pc))
  }
  return out
}
