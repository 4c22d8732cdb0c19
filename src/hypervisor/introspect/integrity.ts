// An integrity monitor over a running machine, in the manner of hypervisor-based kernel-integrity
// monitors: baselines of chosen physical memory regions (trap vectors, dispatch tables, page-table roots,
// code — by symbol or address range) and of chosen CSRs (the RISC-V counterparts of the x86 descriptor-
// table registers: mtvec/stvec/vstvec, the delegation registers, satp/vsatp/hgatp), and a report of each
// change: which one, at which step, by which pc, in which mode, old and new hash or value. Pure.
import { type Either, left, right } from '../../bits/either.ts'
import { hex } from '../../bits/bits.ts'
import { type Elf } from '../../elf/elf.ts'
import { type Isa } from '../../cpu/isa.ts'
import { type StepEvent } from '../../cpu/event.ts'
import { csrExists } from '../../cpu/csr/access.ts'
import { type Machine } from '../../machine/machine.ts'
import { type IntrospectError, introspectError, readMemory } from './memory.ts'
import { csrNumber, modeName, modeText, readCsr } from './registers.ts'
import { resolveAddress, parseNumber, symbolNamed } from './symbols.ts'

/** What is watched: a physical memory region, or a CSR. */
export type Watched =
  | { readonly _tag: 'Region'; readonly label: string; readonly address: bigint; readonly length: number }
  | { readonly _tag: 'Csr'; readonly label: string; readonly csr: number }

/** The largest watched region (a hash of it is taken at every check). */
export const MAX_REGION = 1 << 20

/**
 * A watch argument: `csr:NAME`, `ADDR:LEN`, `SYMBOL:LEN` or `SYMBOL` (its st_size bytes). Addresses are
 * physical (the ELF's symbols are, for the bare-metal programs this model loads).
 */
export const parseWatch = (elf: Elf | undefined, isa: Isa, text: string): Either<IntrospectError, Watched> => {
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

/** The watched thing's fingerprint now: the region's hash or the CSR's value. */
export const fingerprint = (m: Machine, w: Watched): Either<IntrospectError, bigint> => {
  if (w._tag === 'Csr') return readCsr(m, w.csr)
  const bytes = readMemory(m, 'physical', w.address, w.length)
  return bytes._tag === 'Left' ? bytes : right(fnv1a64(bytes.right))
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

const change = (b: Baseline, step: number, pc: bigint, mode: string, now: bigint): Change =>
  ({ label: b.watched.label, step, pc, mode, kind: b.watched._tag === 'Csr' ? 'value' : 'hash', old: b.value, new: now })

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

/** Does the step's event store into the region (any byte of any store, by physical address)? */
export const writesInto = (w: Watched, ev: StepEvent): boolean => {
  if (w._tag !== 'Region' || ev._tag !== 'Retired') return false
  const end = w.address + BigInt(w.length)
  return ev.stores.some((s) => s.pa < end && w.address < s.pa + BigInt(s.size))
}

/**
 * The on-write check after one step (`ev`, leading to `m`): every store into a watched region is reported
 * at once, by the storing instruction's pc and mode, even when it leaves the bytes as they were; a watched
 * CSR is reported when its value changed in the step (by an instruction or a trap). Writes by other bus
 * masters (HTIF) into a region are not stores of the hart: periodic checks see those.
 */
export const onWrite = (bs: readonly Baseline[], ev: StepEvent, m: Machine, step: number): { baselines: readonly Baseline[]; changes: readonly Change[] } => {
  const changes: Change[] = []
  const mode = ev._tag === 'Waiting' ? modeText(m.hart, m.isa) : modeName(ev.priv, ev.virt, m.isa)
  const next = bs.map((b) => {
    const w = b.watched
    if (w._tag === 'Region' && !writesInto(w, ev)) return b
    const now = fingerprint(m, w)
    if (now._tag === 'Left') return b
    if (w._tag === 'Csr' && now.right === b.value) return b
    changes.push(change(b, step, ev.pc, mode, now.right))
    return { watched: w, value: now.right }
  })
  return { baselines: changes.length === 0 ? bs : next, changes }
}

/** A report line: `step 128 pc 0x… S-mode page0:16 hash 0x… → 0x…`. */
export const changeText = (c: Change): string =>
  `step ${c.step} pc ${hex(c.pc)} ${c.mode}-mode ${c.label} ${c.kind} ${hex(c.old)} → ${hex(c.new)}`
