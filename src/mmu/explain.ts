// Explained translations: a WalkOutcome rendered for a reader learning the rules (text) and for a
// verification engineer diffing traces (JSON lines). Pure formatting, no I/O. The vocabulary is the
// Priv. ISA's: stages S / VS / G, PTE flags VRWXUGAD, causes by their mcause names, htval, htinst.
import { isLeft } from '../bits/either.ts'
import { hex } from '../bits/bits.ts'
import { decodeHgatp, decodeSatp } from './atp.ts'
import { CAUSE_NAMES, TINST_PTE_READ, TINST_PTE_WRITE, type TranslationFault } from './faults.ts'
import { PTE_G, PTE_R, PTE_U, PTE_W, PTE_X, pteFlags, type Pbmt, decodePte } from './pte.ts'
import type { Translation, TranslationContext, TranslationRequest, WalkOutcome } from './translate.ts'
import { type StageLeaf, type TrailStep, pageSizeName } from './walk.ts'

export { pageSizeName }

/** One translated access with everything needed to explain it. */
export interface ExplainedAccess {
  /** 1-based position in its scenario. */
  readonly index: number
  readonly note?: string | undefined
  /** The context the access was translated in (its effective privilege and V). */
  readonly ctx: TranslationContext
  readonly request: TranslationRequest
  readonly outcome: WalkOutcome
}

// ---- shared vocabulary ------------------------------------------------------------------------------

/** The hart mode an access runs in: U, S, M, VU or VS. */
export const modeName = (ctx: TranslationContext): string => `${ctx.virt ? 'V' : ''}${ctx.priv}-mode`

const accessVerb = (r: TranslationRequest): string => (r.hlvx === true ? 'HLVX load' : r.access)

/** What a G-stage walk was for, or '' for the S / VS walk of the access itself. */
const purposeName = (t: TrailStep): string => {
  switch (t.purpose) {
    case 'vs-pte': return 'G: VS PTE read'
    case 'vs-pte-write': return 'G: VS PTE write'
    case 'final': return 'G: final GPA'
    case 'translate': return `${t.stage}-stage`
  }
}

/** The PTE's flags as "VRWXUGAD" letters, then N (Svnapot) and a non-zero PBMT (Svpbmt) when set. */
export const flagText = (pte: bigint): string => {
  const p = decodePte(pte)
  return [pteFlags(pte), ...(p.n ? ['N'] : []), ...(p.pbmt === 'PMA' ? [] : [p.pbmt === 'reserved' ? 'PBMT=3' : p.pbmt])].join(' ')
}

/** Leaf permissions as a reader says them: "RW- user global". G-stage leaves are always U=1. */
const permissions = (leaf: StageLeaf): string => {
  const p = leaf.pte
  const rwx = `${p & PTE_R ? 'R' : '-'}${p & PTE_W ? 'W' : '-'}${p & PTE_X ? 'X' : '-'}`
  if (leaf.stage === 'G') return rwx
  return `${rwx} ${p & PTE_U ? 'user' : 'supervisor'}${p & PTE_G ? ' global' : ''}`
}

/**
 * The memory type of the access (Svpbmt; H chapter, "Two-Stage Address Translation"): a non-zero
 * G-stage PBMT overrides the PMA, then a non-zero VS-stage (or S-stage) PBMT overrides that.
 */
export const memoryType = (t: Translation): { type: Pbmt; from: string } => {
  let out: { type: Pbmt; from: string } = { type: 'PMA', from: 'PMA' }
  for (const leaf of [t.gstage, t.first]) {
    if (leaf === undefined) continue
    const pbmt = decodePte(leaf.pte).pbmt
    if (pbmt !== 'PMA') out = { type: pbmt, from: `${leaf.stage}-stage PBMT` }
  }
  return out
}

const schemeOf = (atp: 'satp' | 'vsatp' | 'hgatp', value: bigint): string => {
  const d = atp === 'hgatp' ? decodeHgatp(value) : decodeSatp(value)
  if (d === undefined) return `${atp} unsupported MODE`
  if (d.scheme === undefined) return `${atp} Bare`
  const id = 'asid' in d ? `ASID ${d.asid}` : `VMID ${d.vmid}`
  return `${atp} ${d.scheme.name} (root ${atp === 'vsatp' ? 'GPA ' : ''}${hex(d.ppn << 12n)}, ${id})`
}

const bit = (b: boolean): string => (b ? '1' : '0')

/** The scenario-level lines: the hart's translation registers, enables and what legalization changed. */
export const explainHart = (ctx: TranslationContext, extensions: readonly string[], notes: readonly string[]): string => {
  const lines = [
    `hart     ${modeName(ctx)}, V=${bit(ctx.virt)}`,
    `tables   ${schemeOf('satp', ctx.satp)} · ${schemeOf('vsatp', ctx.vsatp)} · ${schemeOf('hgatp', ctx.hgatp)}`,
    `status   mstatus SUM=${bit(ctx.mstatus.sum)} MXR=${bit(ctx.mstatus.mxr)} · vsstatus SUM=${bit(ctx.vsstatus.sum)} MXR=${bit(ctx.vsstatus.mxr)}`,
    `envcfg   menvcfg ADUE=${bit(ctx.menvcfg.adue)} PBMTE=${bit(ctx.menvcfg.pbmte)} · henvcfg ADUE=${bit(ctx.henvcfg.adue)} PBMTE=${bit(ctx.henvcfg.pbmte)} · extensions: ${extensions.length === 0 ? 'none' : extensions.join(', ')}`,
    ...notes.map((n) => `note     ${n}`),
    'Each walk step shows: the stage (for a G-stage walk, what it translates), the PTE level, read or write,',
    'the PTE\'s physical address = its value, its flags, and what the walker decided.',
  ]
  return lines.join('\n') + '\n'
}

// ---- text -------------------------------------------------------------------------------------------

const trailLine = (t: TrailStep, n: number): string =>
  `  ${String(n).padStart(2)}. ${purposeName(t).padEnd(16)} level ${t.level}  ${t.op.padEnd(5)} ${hex(t.pteAddr)} = ${hex(t.pte)}  ${flagText(t.pte).padEnd(8)}  ${t.decision}`

/** Where in the walk a fault arose, in words. */
const faultPlace = (f: TranslationFault): string => {
  const where = f.level < 0 ? `${f.stage}-stage, before any PTE was read` : `${f.stage}-stage level ${f.level}`
  if (f._tag === 'AccessFault') return `${where}, on the implicit PTE access`
  if (f.tinst === TINST_PTE_READ) return `${where}, on the implicit read of a VS-stage PTE`
  if (f.tinst === TINST_PTE_WRITE) return `${where}, on the implicit A/D write of a VS-stage PTE`
  return where
}

const tinstMeaning = (tinst: bigint): string =>
  tinst === TINST_PTE_READ ? ' (implicit VS PTE read, RV64)' : tinst === TINST_PTE_WRITE ? ' (implicit VS PTE write, RV64)' : ''

const causeName = (cause: bigint): string => CAUSE_NAMES[String(cause)] ?? `cause ${cause}`

const refsText = (refs: number): string => `${refs} memory reference${refs === 1 ? '' : 's'}`

/** The explanation of one access: heading, walk trail, then the result or the fault. Ends with '\n'. */
export const explainText = (e: ExplainedAccess): string => {
  const { ctx, request, outcome } = e
  const vaName = ctx.virt ? 'GVA' : 'VA'
  const lines = [`#${e.index} ${accessVerb(request)} ${vaName} ${hex(request.va as bigint)} in ${modeName(ctx)}${e.note === undefined ? '' : ` — ${e.note}`}`]
  outcome.trail.forEach((t, i) => lines.push(trailLine(t, i + 1)))
  if (outcome.trail.length === 0) lines.push('    (no PTE read)')
  const r = outcome.result
  if (isLeft(r)) {
    const f = r.left
    lines.push(`  ✗ ${causeName(f.cause)} (cause ${f.cause}), ${faultPlace(f)}`)
    lines.push(`    why: ${f.reason}`)
    const htval = f.htval === 0n ? '' : ' (faulting GPA >> 2)'
    lines.push(`    tval ${hex(f.tval)} · htval ${hex(f.htval)}${htval} · tinst ${hex(f.tinst)}${tinstMeaning(f.tinst)} · ${refsText(outcome.refs)}`)
  } else {
    const t = r.right
    const gpa = t.gpa === undefined ? '' : ` via GPA ${hex(t.gpa)}`
    if (t.first === undefined && t.gstage === undefined) {
      lines.push(`  → PA ${hex(t.pa)}${gpa} · untranslated (${ctx.priv === 'M' && !ctx.virt ? 'M-mode' : 'Bare'}: PA = ${ctx.virt ? 'GPA' : 'VA'}) · ${refsText(outcome.refs)}`)
    } else {
      lines.push(`  → PA ${hex(t.pa)}${gpa} · ${pageSizeName(t.pageBits)} page`)
      const leaves = [t.first, t.gstage]
        .filter((l): l is StageLeaf => l !== undefined)
        .map((l) => `${l.stage} leaf ${permissions(l)} (level ${l.level}, ${pageSizeName(l.pageBits)})`)
      const mt = memoryType(t)
      lines.push(`    ${leaves.join(' · ')} · memory type ${mt.type}${mt.type === 'PMA' ? '' : ` (${mt.from})`} · ${refsText(outcome.refs)}`)
    }
  }
  return lines.join('\n') + '\n'
}

/** One closing line over a scenario's accesses. */
export const explainSummary = (all: readonly ExplainedAccess[]): string => {
  const faults = all.filter((e) => isLeft(e.outcome.result)).length
  const refs = all.reduce((n, e) => n + e.outcome.refs, 0)
  const writes = all.reduce((n, e) => n + e.outcome.trail.filter((t) => t.op === 'write').length, 0)
  const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  return `${all.length} access${all.length === 1 ? '' : 'es'}: ${all.length - faults} translated, ${s(faults, 'fault')}, ${s(refs, 'memory reference')}, ${s(writes, 'A/D update')}\n`
}

// ---- JSON lines -------------------------------------------------------------------------------------

const leafJson = (l: StageLeaf | undefined): object | null => l === undefined ? null : ({
  stage: l.stage, level: l.level, pteAddr: hex(l.pteAddr), pte: hex(l.pte), flags: flagText(l.pte),
  pageSize: pageSizeName(l.pageBits),
})

/**
 * The same explanation as one JSON object on one line (ending with '\n'). Every 64-bit value
 * (addresses, PTEs, tval, htval, tinst) is a 16-digit hex string; cause, level and refs are numbers.
 */
export const explainJson = (e: ExplainedAccess): string => {
  const { ctx, request, outcome } = e
  const r = outcome.result
  const base = {
    index: e.index,
    ...(e.note === undefined ? {} : { note: e.note }),
    access: request.access,
    hlvx: request.hlvx === true,
    privilege: ctx.priv,
    V: ctx.virt,
    va: hex(request.va as bigint),
    trail: outcome.trail.map((t) => ({
      stage: t.stage, purpose: t.purpose, op: t.op, level: t.level,
      pteAddr: hex(t.pteAddr), pte: hex(t.pte), flags: flagText(t.pte), decision: t.decision,
    })),
  }
  const tail = isLeft(r)
    ? {
        result: 'fault',
        fault: {
          kind: r.left._tag, cause: Number(r.left.cause), name: causeName(r.left.cause),
          tval: hex(r.left.tval), htval: hex(r.left.htval), tinst: hex(r.left.tinst),
          implicit: r.left.implicit, stage: r.left.stage, level: r.left.level, reason: r.left.reason,
        },
      }
    : {
        result: 'translated',
        pa: hex(r.right.pa),
        gpa: r.right.gpa === undefined ? null : hex(r.right.gpa),
        pageSize: r.right.pageBits >= 64 ? null : pageSizeName(r.right.pageBits),
        leaf: leafJson(r.right.first),
        gLeaf: leafJson(r.right.gstage),
        memoryType: memoryType(r.right).type,
      }
  return JSON.stringify({ ...base, ...tail, refs: outcome.refs }) + '\n'
}
