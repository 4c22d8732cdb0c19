// An integrity monitor over a running machine, in the manner of hypervisor-based kernel-integrity
// monitors: baselines of chosen physical memory regions (trap vectors, dispatch tables, page-table roots,
// code — by symbol or address range) and of chosen CSRs (the RISC-V counterparts of the x86 descriptor-
// table registers: mtvec/stvec/vstvec, the delegation registers, satp/vsatp/hgatp), and a report of each
// change: which one, at which step, by which pc, in which mode, old and new hash or value. Regions may be
// guest-virtual (read through the guest's own tables at each check, side-effect free: memory.ts), and
// writes by other bus masters (HTIF's and the added devices' DMA at a chunk end) are seen too. Pure.
import { type Either, left, right } from '../../bits/either.ts'
import { hex } from '../../bits/bits.ts'
import { type Elf } from '../../elf/elf.ts'
import { type Isa } from '../../cpu/isa.ts'
import { type StepEvent } from '../../cpu/event.ts'
import { csrExists } from '../../cpu/csr/access.ts'
import { type Machine } from '../../machine/machine.ts'
import { changedPages } from '../../memory/memory.ts'
import { type IntrospectError, introspectError, physicalAddress, readMemory } from './memory.ts'
import { csrNumber, modeName, modeText, readCsr } from './registers.ts'
import { resolveAddress, parseNumber, symbolNamed } from './symbols.ts'

/**
 * What is watched: a memory region, or a CSR. A region's address is physical, or with `space` virtual:
 * `guest` (VS-stage over G-stage) or `host` (satp), translated at every check through the tables then.
 */
export type Watched =
  | { readonly _tag: 'Region'; readonly label: string; readonly address: bigint; readonly length: number; readonly space?: VirtualSpace }
  | { readonly _tag: 'Csr'; readonly label: string; readonly csr: number }

export type VirtualSpace = 'guest' | 'host'

/** The fingerprint of a virtual region some byte of which does not translate (never a 64-bit hash: it is negative). */
export const UNMAPPED = -1n

/** The largest watched region (a hash of it is taken at every check). */
export const MAX_REGION = 1 << 20

/**
 * A watch argument: `csr:NAME`, `ADDR:LEN`, `SYMBOL:LEN` or `SYMBOL` (its st_size bytes), physical (the
 * ELF's symbols are, for the bare-metal programs this model loads); `va:WHERE:LEN` a guest-virtual region
 * (VS-stage over G-stage with H, else through satp), `hva:WHERE:LEN` one through satp alone.
 */
export const parseWatch = (elf: Elf | undefined, isa: Isa, text: string): Either<IntrospectError, Watched> => {
  const virtual = /^(va|hva):(.*)$/.exec(text)
  if (virtual !== null) {
    if (virtual[1] === 'hva' && !isa.h) return left(introspectError(`"${text}": hva: is for a hypervisor's own addresses (needs H; use va:)`))
    const space: VirtualSpace = virtual[1] === 'va' && isa.h ? 'guest' : 'host'
    const region = parseWatch(elf, isa, virtual[2]!)
    if (region._tag === 'Left' || region.right._tag !== 'Region') return region._tag === 'Left' ? region : left(introspectError(`"${text}": expected ${virtual[1]}:ADDR:LEN`))
    return right({ ...region.right, label: text, space })
  }
  if (text.startsWith('csr:')) {
    const name = text.slice(4)
    const n = csrNumber(name)
    if (n === undefined || !csrExists(n, isa)) return left(introspectError(`unknown CSR "${name}" on ${isa.name}`))
    return right({ _tag: 'Csr', label: `csr:${name}`, csr: n })
  }
  const colon = text.lastIndexOf(':')
  const where = colon < 0 ? text : text.slice(0, colon)
  const address = resolveAddress(elf, where)
  if (address._tag === 'Left') return address
  let length: bigint | undefined
  if (colon >= 0) {
    length = parseNumber(text.slice(colon + 1))
    if (length === undefined) return left(introspectError(`bad length in "${text}"`))
  } else {
    if (elf === undefined || parseNumber(where) !== undefined) return left(introspectError(`"${text}" needs a length (ADDR:LEN)`))
    const s = symbolNamed(elf, where)
    if (s._tag === 'Left') return s
    length = s.right.size
    if (length === 0n) return left(introspectError(`symbol "${where}" has size 0: give a length (${where}:LEN)`))
  }
  if (length <= 0n || length > BigInt(MAX_REGION)) return left(introspectError(`length of "${text}" must be 1 to ${MAX_REGION} bytes`))
  return right({ _tag: 'Region', label: text, address: address.right, length: Number(length) })
}

/** FNV-1a, 64-bit: a fingerprint of a region's bytes (not cryptographic; a monitor of a model, not of an adversary). */
export const fnv1a64 = (bytes: Uint8Array): bigint => {
  let h = 0xcbf29ce484222325n
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n)
  return h
}

/**
 * The watched thing's fingerprint now: the region's hash or the CSR's value; a virtual region that does not
 * wholly translate now is `UNMAPPED` (its mapping may appear later).
 */
export const fingerprint = (m: Machine, w: Watched): Either<IntrospectError, bigint> => {
  if (w._tag === 'Csr') return readCsr(m, w.csr)
  const bytes = readMemory(m, w.space ?? 'physical', w.address, w.length)
  if (bytes._tag === 'Left') return w.space === undefined ? bytes : right(UNMAPPED)
  return right(fnv1a64(bytes.right))
}

const PAGE = 4096n

/** The physical byte ranges [start, end) a region covers in `m` (a virtual one page by page, untranslated pages left out). */
export const physicalRanges = (m: Machine, w: Watched & { _tag: 'Region' }): readonly (readonly [bigint, bigint])[] => {
  const end = w.address + BigInt(w.length)
  if (w.space === undefined) return [[w.address, end]]
  const out: (readonly [bigint, bigint])[] = []
  for (let a = w.address; a < end; a = (a / PAGE + 1n) * PAGE) {
    const pa = physicalAddress(m, w.space, a)
    const inPage = ((a / PAGE + 1n) * PAGE < end ? (a / PAGE + 1n) * PAGE : end) - a
    if (pa._tag === 'Right') out.push([pa.right, pa.right + inPage])
  }
  return out
}

export interface Baseline { readonly watched: Watched; readonly value: bigint }

/** One reported change. */
export interface Change {
  readonly label: string
  /** The step (1-based count of steps since the baselines) after which it was seen. */
  readonly step: number
  /** The pc and mode of the instruction that made it (with --on-write), else where the hart was at the check. */
  readonly pc: bigint
  readonly mode: string
  readonly kind: 'hash' | 'value'
  readonly old: bigint
  readonly new: bigint
  /**
   * With --on-write, a region's change not made by a store of the hart: `dma` (another bus master wrote
   * its bytes: HTIF or an added device at the chunk end) or `remap` (a virtual region now translates
   * elsewhere, or no longer or newly does).
   */
  readonly by?: 'dma' | 'remap'
}

/** Baselines of every watched thing in machine `m`. */
export const baselines = (m: Machine, watched: readonly Watched[]): Either<IntrospectError, readonly Baseline[]> => {
  const out: Baseline[] = []
  for (const w of watched) {
    const v = fingerprint(m, w)
    if (v._tag === 'Left') return left(introspectError(`${w.label}: ${v.left.message}`))
    out.push({ watched: w, value: v.right })
  }
  return right(out)
}

const change = (b: Baseline, step: number, pc: bigint, mode: string, now: bigint, by?: 'dma' | 'remap'): Change => {
  const c: Change = { label: b.watched.label, step, pc, mode, kind: b.watched._tag === 'Csr' ? 'value' : 'hash', old: b.value, new: now }
  return by === undefined ? c : { ...c, by }
}

/**
 * A periodic check: every baseline whose fingerprint differs in `m` is reported (with where the hart is),
 * and the baselines move on to the new values.
 */
export const check = (bs: readonly Baseline[], m: Machine, step: number): { baselines: readonly Baseline[]; changes: readonly Change[] } => {
  const changes: Change[] = []
  const next = bs.map((b) => {
    const now = fingerprint(m, b.watched)
    if (now._tag === 'Left' || now.right === b.value) return b
    changes.push(change(b, step, m.hart.pc, modeText(m.hart, m.isa), now.right))
    return { watched: b.watched, value: now.right }
  })
  return { baselines: changes.length === 0 ? bs : next, changes }
}

/**
 * Does the step's event store into the region (any byte of any store, by physical address)? A virtual
 * region is placed by `m`'s tables, the machine the step started from (the translation its stores used).
 */
export const writesInto = (w: Watched, ev: StepEvent, m?: Machine): boolean => {
  if (w._tag !== 'Region' || ev._tag !== 'Retired' || ev.stores.length === 0) return false
  const ranges = w.space === undefined || m === undefined ? [[w.address, w.address + BigInt(w.length)] as const] : physicalRanges(m, w)
  return ev.stores.some((s) => ranges.some(([start, end]) => s.pa < end && start < s.pa + BigInt(s.size)))
}

/** Might the region's fingerprint differ between `before` and `after` other than by the step's stores? */
const mayHaveChanged = (w: Watched & { _tag: 'Region' }, before: Machine, after: Machine): boolean => {
  if (w.space !== undefined) return before.memory !== after.memory || before.hart.csr !== after.hart.csr || before.hart.priv !== after.hart.priv || before.hart.virt !== after.hart.virt
  if (before.memory === after.memory) return false
  const first = Number(w.address / PAGE), last = Number((w.address + BigInt(w.length) - 1n) / PAGE)
  return changedPages(before.memory, after.memory).some((pn) => pn >= first && pn <= last)
}

const sameRanges = (a: readonly (readonly [bigint, bigint])[], b: readonly (readonly [bigint, bigint])[]): boolean =>
  a.length === b.length && a.every(([s, e], i) => b[i]![0] === s && b[i]![1] === e)

/**
 * The on-write check after one step (`ev`, from `before` to `after`): every store of the hart into a
 * watched region is reported at once, by the storing instruction's pc and mode, even when it leaves the
 * bytes as they were; a change of a region's bytes by another bus master in the step (HTIF's or an added
 * device's DMA at the chunk end) is reported `by: 'dma'` when it changes them (a DMA write of the bytes
 * already there cannot be told from none: the platform's memory is compared); a virtual region whose
 * translation changed is reported `by: 'remap'` when what it shows changed. A watched CSR is reported when
 * its value changed in the step (by an instruction or a trap).
 */
export const onWrite = (bs: readonly Baseline[], ev: StepEvent, before: Machine, after: Machine, step: number): { baselines: readonly Baseline[]; changes: readonly Change[] } => {
  const changes: Change[] = []
  const mode = ev._tag === 'Waiting' ? modeText(after.hart, after.isa) : modeName(ev.priv, ev.virt, after.isa)
  const next = bs.map((b) => {
    const w = b.watched
    const stored = w._tag === 'Region' && writesInto(w, ev, before)
    if (w._tag === 'Region' && !stored && !mayHaveChanged(w, before, after)) return b
    const now = fingerprint(after, w)
    if (now._tag === 'Left') return b
    if (!stored && now.right === b.value) return b
    const by = w._tag === 'Csr' || stored ? undefined
      : w.space !== undefined && !sameRanges(physicalRanges(before, w), physicalRanges(after, w)) ? 'remap' : 'dma'
    changes.push(change(b, step, ev.pc, mode, now.right, by))
    return { watched: w, value: now.right }
  })
  return { baselines: changes.length === 0 ? bs : next, changes }
}

const fingerprintText = (v: bigint): string => (v === UNMAPPED ? 'unmapped' : hex(v))

/** A report line: `step 128 pc 0x… S-mode page0:16 hash 0x… → 0x…`, with ` by DMA` or ` remapped` when so. */
export const changeText = (c: Change): string =>
  `step ${c.step} pc ${hex(c.pc)} ${c.mode}-mode ${c.label} ${c.kind} ${fingerprintText(c.old)} → ${fingerprintText(c.new)}` +
  (c.by === 'dma' ? ' by DMA' : c.by === 'remap' ? ' remapped' : '')
