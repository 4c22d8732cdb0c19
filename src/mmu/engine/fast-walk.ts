// The fast path of `translate`: the same translation computed on plain numbers for the common case —
// every PTE valid and in RAM below 2^53, no attribute bits (N, PBMT, reserved) set, permissions
// granted, A (and D for a store) already set. Anything else falls back to the readable walker
// (translate.ts, the specification), which this engine wraps. properties/mmu/fast-walk.prop.ts proves
// that whenever this path answers, its outcome (result, trail, reference count) equals the readable one.
import { type GuestPhysAddr, type PhysAddr, phys } from '../../bits/address.ts'
import { right } from '../../bits/either.ts'
import { type PhysMemory } from '../../memory/memory.ts'
import { pageAtMemo } from '../../memory/engine/page-views.ts'
import { type MemoryMap } from '../../memory/memory-map.ts'
import { type Scheme, isCanonical } from '../atp.ts'
import { type FirstStagePermission, firstStageDenial, gStageDenial } from '../permissions.ts'
import { FLAG_A as F_A, FLAG_D as F_D, FLAG_R as F_R, FLAG_U as F_U, FLAG_V as F_V, FLAG_W as F_W, FLAG_X as F_X } from '../pte.ts'
import {
  type Translation, type TranslationContext, type TranslationRequest, type WalkOutcome,
  type ActiveStages, activeStages, firstStagePermission, translate as translateSpec,
} from '../translate.ts'
import { type DecisionKind, type Stage, type StageLeaf, type TrailPurpose, type TrailStep, LEAF, POINTER, describeDecision } from '../walk.ts'

const SAFE = 2 ** 53
const POW9 = [1, 2 ** 9, 2 ** 18, 2 ** 27, 2 ** 36] as const

/** A trail step holding its PTE as two 32-bit halves; the bigint views are built when read. */
class FastStep implements TrailStep {
  readonly op = 'read' as const
  constructor(
    readonly stage: Stage, readonly purpose: TrailPurpose, readonly level: number,
    private readonly addr: number, private readonly lo: number, private readonly hi: number,
    private readonly kind: DecisionKind, private readonly pageBits: number,
  ) {}
  get pteAddr(): PhysAddr { return BigInt(this.addr) as PhysAddr }
  get pte(): bigint { return (BigInt(this.hi) << 32n) | BigInt(this.lo) }
  get decision(): string { return describeDecision(this.kind, this.pte, '', this.pageBits) }
  toJSON(): object {
    return { stage: this.stage, purpose: this.purpose, op: this.op, level: this.level, pteAddr: this.pteAddr, pte: this.pte, decision: this.decision }
  }
}

const STAGES: readonly Stage[] = ['S', 'VS', 'G']
const PURPOSES: readonly TrailPurpose[] = ['translate', 'vs-pte', 'vs-pte-write', 'final']
const STEP_WORDS = 8

/** An outcome whose trail is materialised from the flat step record the first time it is read. */
class FastOutcome implements WalkOutcome {
  private built: readonly TrailStep[] | undefined
  constructor(
    readonly result: WalkOutcome['result'], readonly memory: PhysMemory, readonly refs: number,
    readonly steps: readonly number[],
  ) {}
  get trail(): readonly TrailStep[] {
    if (this.built === undefined) {
      const out: TrailStep[] = []
      const st = this.steps
      for (let k = 0; k < st.length; k += STEP_WORDS) {
        out.push(new FastStep(STAGES[st[k]!]!, PURPOSES[st[k + 1]!]!, st[k + 2]!, st[k + 3]!, st[k + 4]!, st[k + 5]!, st[k + 6] as DecisionKind, st[k + 7]!))
      }
      this.built = out
    }
    return this.built
  }
}

/** RAM regions of a memory map as number ranges (only those wholly below 2^53), memoised per map. */
const ramRanges = new WeakMap<MemoryMap, readonly number[]>()
const ramOf = (map: MemoryMap): readonly number[] => {
  let r = ramRanges.get(map)
  if (r === undefined) {
    r = map.filter((x) => x.kind === 'ram' && x.base + x.size <= BigInt(SAFE)).flatMap((x) => [Number(x.base), Number(x.base + x.size)])
    ramRanges.set(map, r)
  }
  return r
}

/**
 * Per-call state (never escapes): memory, the trail being built, the reference count, and what the
 * permission rules and the G-stage need. Hot-path functions take it as data instead of closing over
 * it: under tsx every closure creation costs a defineProperty (esbuild keepNames).
 */
interface Walk {
  readonly memory: PhysMemory
  /** Where PTEs are read from, when not from `memory` itself (a caller's newer view of its pages). */
  readonly pages: PageReader | undefined
  readonly ram: readonly number[]
  readonly ctx: TranslationContext
  /** The step-5 rules of the first stage and of the G-stage's final access (from the same functions the spec uses). */
  readonly firstRule: FirstStagePermission
  /** mstatus.MXR for the G-stage's final access. */
  readonly gMxr: boolean
  readonly access: TranslationRequest['access']
  readonly hlvx: boolean
  /** The trail as flat numbers, STEP_WORDS per step; TrailStep objects are built only if read. */
  readonly steps: number[]
  refs: number
  /** G-stage root, scheme and the first GPA beyond its width (V=1 only). */
  gRoot: number
  gScheme: Scheme | undefined
  gLimit: number
}

/** What a context decides for every walk made in it: the active stages and the step-5 rules. */
interface Prepared {
  readonly stages: ActiveStages
  readonly firstRule: FirstStagePermission
  readonly gMxr: boolean
}

// Memoised per (immutable) context object: the most recent in variables, the others in a WeakMap.
const prepared = new WeakMap<TranslationContext, Prepared>()
let lastCtx: TranslationContext | undefined
let lastPrepared: Prepared | undefined

const prepare = (ctx: TranslationContext): Prepared => {
  if (ctx === lastCtx) return lastPrepared!
  let p = prepared.get(ctx)
  if (p === undefined) {
    p = { stages: activeStages(ctx), firstRule: firstStagePermission(ctx), gMxr: ctx.mstatus.mxr }
    prepared.set(ctx, p)
  }
  lastCtx = ctx
  lastPrepared = p
  return p
}

/**
 * A view of memory's pages by page number (as `pageAtMemo` gives them; undefined reads as zeros): the block
 * engine's pages during one call, which may be newer than the memory version it started from.
 */
export type PageReader = (pn: number) => DataView | undefined

const newWalk = (memory: PhysMemory, ctx: TranslationContext, p: Prepared, req: TranslationRequest, pages: PageReader | undefined): Walk => ({
  memory, pages, ram: ramOf(memory.map), ctx, firstRule: p.firstRule, gMxr: p.gMxr, access: req.access, hlvx: req.hlvx === true, steps: [], refs: 0,
  gRoot: 0, gScheme: undefined, gLimit: 0,
})

// Which permission rule a stage applies (step 5).
const S_RULE = 0, VS_RULE = 1, G_IMPLICIT = 2, G_FINAL = 3
type RuleKind = typeof S_RULE | typeof VS_RULE | typeof G_IMPLICIT | typeof G_FINAL

const allowed = (w: Walk, rule: RuleKind, flags: number): boolean => {
  switch (rule) {
    case S_RULE: case VS_RULE: {
      const r = w.firstRule
      return firstStageDenial(r.priv, r.virt, r.sum, r.mxr, w.access, w.hlvx, flags) === undefined
    }
    // Implicit VS page-table reads are loads for the G-stage, without MXR.
    case G_IMPLICIT: return gStageDenial('load', false, false, flags) === undefined
    case G_FINAL: return gStageDenial(w.access, w.hlvx, w.gMxr, flags) === undefined
  }
}

/** A leaf found by the fast path: its level, raw halves, where it was read, and the output page base. */
interface Leaf {
  readonly level: number
  readonly lo: number
  readonly hi: number
  readonly pteAddr: number
  readonly outBase: number
}

const FAIL = undefined
// Per level count (3, 4, 5): the VPN mask of a first-stage input and the first GPA beyond a G-stage scheme.
const VPN_MASK = [0n, 0n, 0n, (1n << 27n) - 1n, (1n << 36n) - 1n, (1n << 45n) - 1n] as const
const G_LIMIT = [0, 0, 0, 2 ** 41, 2 ** 50, 2 ** 53] as const

/** The page holding the PTE at `pa` (undefined: never written, reads 0), or false if the read is not plain RAM allowed by PMP. */
const readPte = (w: Walk, pa: number): DataView | undefined | false => {
  if (pa + 8 > SAFE) return false
  let inRam = false
  const r = w.ram
  for (let k = 0; k < r.length; k += 2) if (pa >= r[k]! && pa + 8 <= r[k + 1]!) { inRam = true; break }
  if (!inRam) return false
  if (w.ctx.physCheck !== undefined && !w.ctx.physCheck(phys(BigInt(pa)), 8, 'read')) return false
  const pn = (pa - (pa & 0xfff)) / 4096
  return w.pages === undefined ? pageAtMemo(w.memory, pn) : w.pages(pn)
}

// Stage and purpose codes: indices into STAGES and PURPOSES.
const S = 0, VS = 1, G = 2
const TRANSLATE = 0, VS_PTE = 1, FINAL = 3

/**
 * One stage on numbers. `vpn` is the input's page number (input >> 12, below 2^53); for VS-stage each
 * table address is first G-stage translated (vsTable). Returns the leaf, or FAIL to defer to translateSpec.
 */
const walk = (
  w: Walk, stage: number, purpose: number, scheme: Scheme, root: number, vpn: number, rule: RuleKind, need: number,
): Leaf | undefined => {
  let a = root
  for (let i = scheme.levels - 1; i >= 0; i--) {
    const mask = i === scheme.levels - 1 ? (1 << (9 + scheme.widenBits)) - 1 : 511
    const idx = Math.floor(vpn / POW9[i]!) & mask
    // VS-stage tables sit at guest-physical addresses: each PTE address is G-stage translated first.
    const pa = stage === VS ? vsTable(w, a + idx * 8) : a + idx * 8
    if (pa === undefined) return FAIL
    const page = readPte(w, pa)
    if (page === false) return FAIL
    const off = (idx * 8) & 0xfff                                      // the x4 root spans 4 pages
    const lo = page === undefined ? 0 : page.getUint32(off, true)
    const hi = page === undefined ? 0 : page.getUint32(off + 4, true)
    w.refs++
    const flags = lo & 0x3ff
    if ((hi >>> 22) !== 0) return FAIL                                  // N, PBMT or reserved bits: the readable walker decides
    if ((flags & F_V) === 0 || ((flags & F_R) === 0 && (flags & F_W) !== 0)) return FAIL
    const ppn = (hi & 0x3f_ffff) * 2 ** 22 + (lo >>> 10)
    if ((flags & (F_R | F_W | F_X)) === 0) {
      if (i === 0 || (flags & (F_D | F_A | F_U)) !== 0) return FAIL
      a = ppn * 4096
      if (a >= SAFE) return FAIL
      w.steps.push(stage, purpose, i, pa, lo, hi, POINTER, 0)
      continue
    }
    if (!allowed(w, rule, flags & 0xff) || ppn % POW9[i]! !== 0 || (flags & need) !== need) return FAIL
    const outBase = ppn * 4096
    if (outBase >= SAFE) return FAIL
    w.steps.push(stage, purpose, i, pa, lo, hi, LEAF, 12 + 9 * i)
    return { level: i, lo, hi, pteAddr: pa, outBase }
  }
  return FAIL
}

/** G-stage walk of one GPA (none when it is wider than the scheme: the readable walker reports that). */
const gWalk = (w: Walk, gpa: number, purpose: number, rule: RuleKind, need: number): Leaf | undefined =>
  gpa >= w.gLimit ? FAIL : walk(w, G, purpose, w.gScheme!, w.gRoot, Math.floor(gpa / 4096), rule, need)

/** Where the VS-stage PTE at guest-physical `a` is: an implicit G-stage read (A must already be set). */
const vsTable = (w: Walk, a: number): number | undefined => {
  const g = gWalk(w, a, VS_PTE, G_IMPLICIT, F_A)
  return g === undefined ? undefined : g.outBase + within(Math.floor(a / 4096), a % 4096, g.level)
}

/**
 * A StageLeaf whose bigint fields are built when read (most callers only need the PA). Its fields are
 * getters, not own properties: `toJSON` lists them for serialisation.
 */
class LazyLeaf implements StageLeaf {
  readonly level: number
  readonly pageBits: number
  constructor(readonly stage: Stage, private readonly l: Leaf, private readonly input: bigint | number) {
    this.level = l.level
    this.pageBits = 12 + 9 * l.level
  }
  get inBase(): bigint { const b = BigInt(this.pageBits); return (BigInt(this.input) >> b) << b }
  get outBase(): bigint { return BigInt(this.l.outBase) }
  get pte(): bigint { return (BigInt(this.l.hi) << 32n) | BigInt(this.l.lo) }
  get pteAddr(): PhysAddr { return BigInt(this.l.pteAddr) as PhysAddr }
  toJSON(): object {
    return { stage: this.stage, inBase: this.inBase, outBase: this.outBase, level: this.level, pte: this.pte, pageBits: this.pageBits, pteAddr: this.pteAddr }
  }
}
const bigLeaf = (stage: Stage, l: Leaf, input: bigint | number): StageLeaf => new LazyLeaf(stage, l, input)

/** Offset of an input below its leaf's page: the low 12 + 9·level bits, from the page number and page offset. */
const within = (vpn: number, offset: number, level: number): number => (vpn % POW9[level]!) * 4096 + offset

/**
 * The fast translation, or undefined when this case is left to the readable walker (a fault, an A/D
 * update, Bare modes, attribute bits, addresses at or above 2^53). With `pages`, PTEs are read through
 * it instead of from `memory` (whose map still says where RAM is): whenever the fast path answers it
 * writes nothing, so the answer is the readable walker's on the memory those pages make up.
 */
export const translateFast = (memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest, pages?: PageReader): WalkOutcome | undefined => {
  const va = req.va as bigint
  const need = F_A | (req.access === 'store' ? F_D : 0)
  const p = prepare(ctx)
  const stages = p.stages
  if (!stages.virt) {
    const s1 = stages.first
    if (s1 === undefined) return FAIL
    const scheme = s1.scheme
    if (!isCanonical(va, scheme)) return FAIL
    const root = Number(s1.root)
    if (root >= SAFE) return FAIL
    const w = newWalk(memory, ctx, p, req, pages)
    const vpn = Number((va >> 12n) & VPN_MASK[scheme.levels])
    const leaf = walk(w, S, TRANSLATE, scheme, root, vpn, S_RULE, need)
    if (leaf === undefined) return FAIL
    const pageBits = 12 + 9 * leaf.level
    const pa = leaf.outBase + within(vpn, Number(va & 0xfffn), leaf.level)
    const first = bigLeaf('S', leaf, va)
    const result: Translation = { pa: BigInt(pa) as PhysAddr, gpa: undefined, first, gstage: undefined, pageBits }
    return new FastOutcome(right(result), memory, w.refs, w.steps)
  }
  // V=1: the G-stage must translate (hgatp Bare is left to the readable walker, which is cheap there).
  const g = stages.g
  if (g === undefined) return FAIL
  const gRoot = Number(g.root)
  if (gRoot >= SAFE) return FAIL
  const w = newWalk(memory, ctx, p, req, pages)
  w.gRoot = gRoot
  w.gScheme = g.scheme
  w.gLimit = G_LIMIT[g.scheme.levels]!
  let gpa: number
  let first: StageLeaf | undefined
  const vs = stages.first
  if (vs === undefined) {
    if (va >= BigInt(SAFE)) return FAIL
    gpa = Number(va)
  } else {
    const scheme = vs.scheme
    if (!isCanonical(va, scheme)) return FAIL
    const root = Number(vs.root)
    if (root >= SAFE) return FAIL
    const vpn = Number((va >> 12n) & VPN_MASK[scheme.levels])
    const leaf = walk(w, VS, TRANSLATE, scheme, root, vpn, VS_RULE, need)
    if (leaf === undefined) return FAIL
    gpa = leaf.outBase + within(vpn, Number(va & 0xfffn), leaf.level)
    if (gpa >= SAFE) return FAIL
    first = bigLeaf('VS', leaf, va)
  }
  const gLeaf = gWalk(w, gpa, FINAL, G_FINAL, need)
  if (gLeaf === undefined) return FAIL
  const gPageBits = 12 + 9 * gLeaf.level
  const gvpn = Math.floor(gpa / 4096)
  const pa = gLeaf.outBase + within(gvpn, gpa % 4096, gLeaf.level)
  const gstage = bigLeaf('G', gLeaf, gpa)
  const result: Translation = {
    pa: BigInt(pa) as PhysAddr, gpa: BigInt(gpa) as GuestPhysAddr, first, gstage,
    pageBits: Math.min(first?.pageBits ?? 64, gPageBits),
  }
  return new FastOutcome(right(result), memory, w.refs, w.steps)
}

/**
 * The PTE reads of an outcome of `translateFast`, flat: per read its physical address and the PTE's low
 * and high 32-bit halves (READ_WORDS numbers, in the order the walk made them).
 */
export const pteReads = (o: WalkOutcome): readonly number[] => {
  const st = (o as FastOutcome).steps
  const out: number[] = []
  for (let k = 0; k < st.length; k += STEP_WORDS) out.push(st[k + 3]!, st[k + 4]!, st[k + 5]!)
  return out
}
export const READ_WORDS = 3

/**
 * `translate` of translate.ts, fast: the number-only path where it answers, the readable walker
 * everywhere else. Same inputs, same outcome (properties/mmu/fast-walk.prop.ts).
 */
export const translate = (memory: PhysMemory, ctx: TranslationContext, req: TranslationRequest): WalkOutcome =>
  translateFast(memory, ctx, req) ?? translateSpec(memory, ctx, req)
