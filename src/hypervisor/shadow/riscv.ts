// The shadow algorithm's RISC-V instance (Priv. ISA, "Sv39"/"Sv48"; H chapter, "Two-Stage Address
// Translation"): the guest's VS-stage Sv39/Sv48 table over the VMM's G-stage Sv39x4/Sv48x4 table as
// its guest-physical map, and shadow tables in the guest's own scheme that the hart walks with V=0.
// A shadow leaf holds R = R_vs ∧ R_g, W = W_vs ∧ W_g (while D_vs is set and no guest table is under
// it), X = X_vs ∧ X_g, U = U_vs, A = D = 1; under a Bare VS-stage, U follows the filling access.
import { left, right } from '../../bits/either.ts'
import type { PhysMemory } from '../../memory/memory.ts'
import type { FenceScope } from './shadow.ts'
import type { Composed, Geometry, NestedOutcome, ShadowFormat, ShadowLeaf, ShadowWalk } from './format.ts'
import { type RiscvAccess, type RiscvRegs, type TranslationFault, singleStage, twoStage } from './mmu-adapter.ts'

export type { RiscvAccess, RiscvRegs }

/** The rights a composed RISC-V translation grants (the shadow PTE's R, W, X, U). */
export interface RiscvGrant {
  readonly r: boolean
  readonly w: boolean
  readonly x: boolean
  readonly u: boolean
}

const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n
const has = (pte: bigint, f: bigint): boolean => (pte & f) !== 0n

/** Sv39, Sv48 or Sv57 tables (3, 4 or 5 levels of 512 eight-byte PTEs, a leaf at every level). */
export const riscvGeometry = (levels: 3 | 4 | 5): Geometry => ({
  entryBytes: 8,
  levels: Array.from({ length: levels }, (_, i) => {
    const shift = 12 + 9 * (levels - 1 - i)
    return { shift, indexBits: 9, tableBytes: 4096, leafBits: [shift] }
  }),
})

const composed = (host0: PhysMemory, regs: RiscvRegs, va: bigint, a: RiscvAccess): NestedOutcome<TranslationFault, RiscvGrant> => {
  const t = twoStage(host0, regs, va, a)
  if ('fault' in t.result) return { result: left(t.result.fault), host: t.host, refs: t.refs }
  const { pa, pageBits, vsPte, gPte, vsPteAddrs } = t.result.ok
  const { vs, grant } = riscvGrant(vsPte, gPte, a.priv)
  const bits = Math.min(pageBits, 63)
  const vaBase = va & ~((1n << BigInt(bits)) - 1n)
  const c: Composed<RiscvGrant> = {
    hpa: pa, vaBase, hpaBase: pa - (va - vaBase), pageBits: bits, grant,
    accessed: has(vs, A), dirty: has(vs, D), global: vsPte !== undefined && has(vsPte, G), deps: vsPteAddrs,
  }
  return { result: right(c), host: t.host, refs: t.refs }
}


/**
 * What a composed translation grants, from its two leaves (undefined for a Bare stage): R, W and X of
 * both stages, U of the VS-stage (under a Bare VS-stage, U follows the access's privilege). `vs` is the
 * VS-stage leaf as the grant reads it.
 */
export const riscvGrant = (vsPte: bigint | undefined, gPte: bigint | undefined, priv: 'S' | 'U'): { vs: bigint; grant: RiscvGrant } => {
  const vs = vsPte ?? (V | R | W | X | A | D | (priv === 'U' ? U : 0n))
  const g = gPte ?? (V | R | W | X | U)
  return { vs, grant: { r: has(vs, R) && has(g, R), w: has(vs, W) && has(g, W), x: has(vs, X) && has(g, X), u: has(vs, U) } }
}

/** The satp of a shadow root: Sv39, Sv48 or Sv57 by its number of levels. */
export const shadowSatp = (levels: 3 | 4 | 5, root: bigint): bigint => (BigInt(5 + levels) << 60n) | (root >> 12n)

/** A shadow leaf PTE: the composed region, its rights, A = D = 1 (the VMM emulates the guest's A/D). */
export const riscvEncodeLeaf = (_level: number, leaf: ShadowLeaf<RiscvGrant>): bigint | undefined => {
  const { r, w, x, u } = leaf.grant
  if (!r && !x) return undefined
  // W without R is reserved: such a grant is held read-less and write-less (the VMM emulates).
  const write = w && r && leaf.writable
  return ((leaf.hpaBase >> 12n) << 10n) | V | (r ? R : 0n) | (write ? W : 0n) | (x ? X : 0n) | (u ? U : 0n) | A | D
}

const tagOf = (regs: RiscvRegs, asid: bigint): string => `vmid ${(regs.hgatp >> 44n) & 0x3fffn} asid ${asid}`

/** The RISC-V shadow format for a guest whose vsatp uses Sv39 (3 levels) or Sv48 (4). */
export const riscvShadowFormat = (levels: 3 | 4): ShadowFormat<RiscvRegs, RiscvAccess, TranslationFault, RiscvGrant> => ({
  name: levels === 3 ? 'RISC-V Sv39 over Sv39x4' : 'RISC-V Sv48 over Sv48x4',
  geometry: riscvGeometry(levels),
  tag: (r) => tagOf(r, (r.vsatp >> 44n) & 0xffffn),
  tagOfAsid: (r, asid) => tagOf(r, BigInt(asid)),
  regimeKey: (r) => `vsatp.MODE=${r.vsatp >> 60n} hgatp=${r.hgatp.toString(16)} adue=${r.adue}`,
  isStore: (a) => a.kind === 'store',
  nested: composed,
  shadowWalk: (host, root, regs, va, a): ShadowWalk => singleStage(host, shadowSatp(levels, root), regs, va, a),
  encodeLeaf: riscvEncodeLeaf,
  encodeTable: riscvEncodeTable,
  nextTable: riscvNextTable,
})

/** A pointer to the next-level shadow table. */
export const riscvEncodeTable = (_level: number, table: bigint): bigint => ((table >> 12n) << 10n) | V

/** The table a pointer PTE points to (V = 1, R = W = X = 0), else undefined. */
export const riscvNextTable = (_level: number, d: bigint): bigint | undefined =>
  has(d, V) && !has(d, R) && !has(d, W) && !has(d, X) ? ((d >> 10n) & ((1n << 44n) - 1n)) << 12n : undefined

/**
 * The VMM's view of the guest's SFENCE.VMA rs1, rs2 (executed at V=1 it acts as HFENCE.VVMA for the
 * current VMID): rs1 = x0 and rs2 = x0 → everything; rs2 ≠ x0 → one ASID (global entries kept on
 * hardware, dropped here too: more than required is allowed); rs1 ≠ x0 → one address, in one ASID
 * (and global entries) or in all.
 */
export const sfenceScope = (regs: RiscvRegs, vaddr: bigint | undefined, asid: number | undefined): FenceScope => {
  if (vaddr === undefined) return asid === undefined ? { kind: 'all' } : { kind: 'asid', tag: tagOf(regs, BigInt(asid)) }
  return { kind: 'va', va: vaddr, tag: asid === undefined ? undefined : tagOf(regs, BigInt(asid)) }
}
