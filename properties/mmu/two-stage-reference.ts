// The two-stage reference: V=1, Sv39 over Sv39x4, written from the Priv. ISA text ("Virtual Address
// Translation Process"; H chapter, "Two-Stage Address Translation", "Guest-Page Faults", "Transformed
// Instruction or Pseudoinstruction for mtinst or htinst"), in the nested style of Spike's walk/s2xlate.
// It shares no code with src/mmu/: it reads memory with `peek` only and keeps its own PTE bit tests.
// Used by properties/mmu/two-stage.prop.ts (the walker) and properties/cpu/translation.prop.ts (the hart).
import { phys } from '../../src/bits/address.ts'
import { type PhysMemory, peek, poke } from '../../src/memory/memory.ts'
import type { AccessType } from '../../src/mmu/faults.ts'
import {
  type CtxBits, type Observed, A, D, N, R, U, V, W, X, RAM_BASE, RAM_END, ppnOf,
} from './configs.ts'

const CAUSE: Record<'page' | 'guest' | 'access', Record<AccessType, bigint>> = {
  page: { fetch: 12n, load: 13n, store: 15n },
  guest: { fetch: 20n, load: 21n, store: 23n },
  access: { fetch: 1n, load: 5n, store: 7n },
}

/** Which kind of outcome the reference reached, for the distribution report. */
export type Kind =
  | 'success' | 'success with A/D writes' | 'VS page fault' | 'VS non-canonical GVA'
  | 'guest-page fault: final GPA' | 'guest-page fault: GPA too wide'
  | 'guest-page fault: VS PTE read (0x3000)' | 'guest-page fault: VS PTE A/D write (0x3020)'
  | 'access fault: VS PTE' | 'access fault: G PTE'

/** One page-table access of the reference walk: what, where, and (for completed accesses) the value. */
interface RefAccess { readonly op: 'read' | 'write'; readonly pa: bigint; readonly value: bigint | undefined }

export interface RefOutcome {
  readonly observed: Observed
  readonly kind: Kind
  readonly memory: PhysMemory
  readonly refs: number
  /** Every PTE access in order; an access refused by the memory map ends it, with value undefined. */
  readonly accesses: readonly RefAccess[]
}

type Step<T> = { readonly ok: true; readonly v: T } | { readonly ok: false; readonly f: Observed; readonly kind: Kind }
const ok = <T>(v: T): Step<T> => ({ ok: true, v })
const stop = (f: Observed, kind: Kind): Step<never> => ({ ok: false, f, kind })

/** The G-stage permission a walk checks: what the access needs (HLVX needs execute in both stages). */
type Need = 'read' | 'write' | 'execute'
/** Why a G-stage lookup runs: a VS-stage PTE read, its A/D write, or the final GPA. */
type GPurpose = 'vs-pte-read' | 'vs-pte-write' | 'final'

/**
 * The reference: V=1, Sv39 over Sv39x4 (either may be Bare). `vsRoot` and `gRoot` are the table roots;
 * undefined means Bare.
 */
export const reference = (mem0: PhysMemory, c: CtxBits, gva: bigint, vsRoot: bigint | undefined, gRoot: bigint | undefined): RefOutcome => {
  let mem = mem0
  let refs = 0
  let wrote = false
  const access = c.access
  const inRam = (pa: bigint): boolean => pa >= RAM_BASE && pa + 8n <= RAM_END
  const accesses: RefAccess[] = []
  const read = (pa: bigint): bigint => {
    refs++
    const v = peek(mem, phys(pa), 8)
    accesses.push({ op: 'read', pa, value: v })
    return v
  }
  const write = (pa: bigint, v: bigint): void => {
    refs++
    wrote = true
    mem = poke(mem, phys(pa), 8, v)
    accesses.push({ op: 'write', pa, value: v })
  }
  const refused = (op: 'read' | 'write', pa: bigint): void => { accesses.push({ op, pa, value: undefined }) }
  const pageFault: Observed = { cause: CAUSE.page[access], tval: gva, htval: 0n, tinst: 0n }
  const accessFault: Observed = { cause: CAUSE.access[access], tval: gva, htval: 0n, tinst: 0n }

  // Step 3: V=0, W without R, reserved bits 60:54, N without Svnapot, PBMT without PBMTE or = 3, a
  // non-leaf with D/A/U/N/PBMT, and a NAPOT leaf other than level 0 with ppn[3:0] = 1000 (64 KiB).
  const reserved = (p: bigint, level: number, pbmte: boolean): boolean => {
    const pbmt = (p >> 61n) & 3n
    if ((p & V) === 0n || ((p & R) === 0n && (p & W) !== 0n)) return true
    if (((p >> 54n) & 0x7fn) !== 0n) return true
    if ((p & N) !== 0n && !c.svnapot) return true
    if (pbmt !== 0n && !pbmte) return true
    if (pbmt === 3n) return true
    const pointer = (p & (R | W | X)) === 0n
    if (pointer) return (p & (D | A | U | N)) !== 0n || pbmt !== 0n
    return (p & N) !== 0n && (level !== 0 || (ppnOf(p) & 0xfn) !== 8n)
  }
  // Step 5 (of the current text: misaligned superpage) and step 9 (the output address; NAPOT passes vpn[0][3:0]).
  const misaligned = (p: bigint, level: number): boolean => (ppnOf(p) & ((1n << BigInt(9 * level)) - 1n)) !== 0n
  const output = (p: bigint, level: number, input: bigint): bigint => {
    const keep = (p & N) !== 0n ? 16n : BigInt(12 + 9 * level)
    return (((ppnOf(p) << 12n) >> keep) << keep) | (input & ((1n << keep) - 1n))
  }
  // Steps 6–8: leaf permission for R/W/X (MXR makes X readable).
  const permits = (p: bigint, need: Need, mxr: boolean): boolean =>
    need === 'execute' ? (p & X) !== 0n : need === 'write' ? (p & W) !== 0n : (p & R) !== 0n || (mxr && (p & X) !== 0n)

  // G-stage: the Sv39 algorithm with hgatp, a 2-bit wider root index, every access taken as U-mode,
  // and guest-page faults reported for the original access type with htval = GPA >> 2.
  const gStage = (gpa: bigint, need: Need, purpose: GPurpose): Step<bigint> => {
    if (gRoot === undefined) return ok(gpa)
    const tinst = purpose === 'vs-pte-read' ? 0x3000n : purpose === 'vs-pte-write' ? 0x3020n : 0n
    const gpf: Observed = { cause: CAUSE.guest[access], tval: gva, htval: gpa >> 2n, tinst }
    const gpfKind: Kind = purpose === 'final' ? 'guest-page fault: final GPA'
      : purpose === 'vs-pte-read' ? 'guest-page fault: VS PTE read (0x3000)' : 'guest-page fault: VS PTE A/D write (0x3020)'
    if (gpa >> 41n !== 0n) return stop(gpf, purpose === 'final' ? 'guest-page fault: GPA too wide' : gpfKind)
    let a = gRoot
    for (let i = 2; i >= 0; i--) {
      const index = (gpa >> BigInt(12 + 9 * i)) & (i === 2 ? 0x7ffn : 0x1ffn)
      const pteAddr = a + index * 8n
      if (!inRam(pteAddr)) { refused('read', pteAddr); return stop(accessFault, 'access fault: G PTE') }
      const p = read(pteAddr)
      if (reserved(p, i, c.menvPbmte)) return stop(gpf, gpfKind)
      if ((p & (R | W | X)) === 0n) {
        if (i === 0) return stop(gpf, gpfKind)
        a = ppnOf(p) << 12n
        continue
      }
      // HS-level MXR opens execute-only G pages for explicit loads, not for VS page-table reads.
      if (misaligned(p, i) || (p & U) === 0n || !permits(p, need, c.hsMxr && purpose === 'final')) return stop(gpf, gpfKind)
      const ad = A | (need === 'write' ? D : 0n)
      if ((p & ad) !== ad) {
        if (!c.menvAdue) return stop(gpf, gpfKind)
        write(pteAddr, p | ad)
      }
      return ok(output(p, i, gpa))
    }
    return stop(gpf, gpfKind)
  }

  const finish = (s: Step<bigint>): RefOutcome =>
    s.ok ? { observed: { pa: s.v }, kind: wrote ? 'success with A/D writes' : 'success', memory: mem, refs, accesses }
      : { observed: s.f, kind: s.kind, memory: mem, refs, accesses }

  const finalNeed: Need = access === 'fetch' || c.hlvx ? 'execute' : access === 'store' ? 'write' : 'read'
  if (vsRoot === undefined) return finish(gStage(gva, finalNeed, 'final'))

  // VS-stage: Sv39 over the guest-physical view. Bits 63:39 must equal bit 38.
  const top = gva >> 38n
  if (top !== 0n && top !== (1n << 26n) - 1n) return finish(stop(pageFault, 'VS non-canonical GVA'))
  let a = vsRoot
  for (let i = 2; i >= 0; i--) {
    const gpteAddr = a + ((gva >> BigInt(12 + 9 * i)) & 0x1ffn) * 8n
    // Every VS PTE address is guest-physical: an implicit G-stage read first.
    const where = gStage(gpteAddr, 'read', 'vs-pte-read')
    if (!where.ok) return finish(where)
    if (!inRam(where.v)) { refused('read', where.v); return finish(stop(accessFault, 'access fault: VS PTE')) }
    const p = read(where.v)
    if (reserved(p, i, c.henvPbmte)) return finish(stop(pageFault, 'VS page fault'))
    if ((p & (R | W | X)) === 0n) {
      if (i === 0) return finish(stop(pageFault, 'VS page fault'))
      a = ppnOf(p) << 12n
      continue
    }
    if (misaligned(p, i)) return finish(stop(pageFault, 'VS page fault'))
    // U rule (vsstatus.SUM; S-mode never executes from U pages), then R/W/X with either MXR.
    const userPage = (p & U) !== 0n
    if (c.priv === 'U' ? !userPage : userPage && (access === 'fetch' || !c.vsSum)) return finish(stop(pageFault, 'VS page fault'))
    if (!permits(p, finalNeed, c.vsMxr || c.hsMxr)) return finish(stop(pageFault, 'VS page fault'))
    const ad = A | (access === 'store' ? D : 0n)
    if ((p & ad) !== ad) {
      if (!c.henvAdue) return finish(stop(pageFault, 'VS page fault'))
      // The A/D store is an implicit write: G-stage write permission (and its own A/D) first.
      const target = gStage(gpteAddr, 'write', 'vs-pte-write')
      if (!target.ok) return finish(target)
      if (!inRam(target.v)) { refused('write', target.v); return finish(stop(accessFault, 'access fault: VS PTE')) }
      write(target.v, p | ad)
    }
    return finish(gStage(output(p, i, gva), finalNeed, 'final'))
  }
  return finish(stop(pageFault, 'VS page fault'))
}

