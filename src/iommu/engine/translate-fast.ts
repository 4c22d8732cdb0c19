// The fast path of the IOMMU's "Process to translate an IOVA" (RISC-V IOMMU spec v1.0, steps 1–20) for
// the request a DMA engine makes most: untranslated, without a process_id, through a device context
// with no PDT and no MSI page table. It answers on plain numbers when the answer is a success that
// changes no memory — every directory entry and PTE valid, in RAM, below 2^53, with no reserved or
// attribute bit (N, PBMT) set, permissions granted and A (and D for a write) already set — or an IOTLB
// hit the cached bits allow. Anything else (a fault and its record, an A/D update, MSI, ATS, PDT, an
// address at or above 2^53, a cached denial) is answered by the readable translate.ts, the
// specification this engine wraps. properties/iommu/engine.prop.ts proves the two equal: response,
// stores, fault records, the IOMMU (registers and all three caches, in LRU order) and memory.
import { type PhysMemory } from '../../memory/memory.ts'
import { type MemoryMap } from '../../memory/memory-map.ts'
import { pageAtMemo } from '../../memory/engine/page-views.ts'
import { type Capabilities, decodeCapabilities } from '../capabilities.ts'
import { type Caches, type IotlbEntry, type LeafGrant } from '../caches.ts'
import { type DeviceContext, MSIPTP_OFF, decodeDeviceContext, deviceContextProblem } from '../device-context.ts'
import type { Iommu } from '../iommu.ts'
import { type IoRequest, type IoResponse, type TranslateOutcome, translate } from '../translate.ts'

/** What the engine returns: the readable outcome without the explanation (which only the text output reads). */
export type FastOutcome = Omit<TranslateOutcome, 'explanation'>

const SAFE = 2 ** 53
const SAFE_BIG = 1n << 53n
const NONE: readonly never[] = []

// PTE and directory-entry bits (low word).
const V = 1, R = 2, W = 4, X = 8, U = 16, G = 32, A = 64, D = 128

// ---- numbers from 64-bit values without bigint arithmetic -------------------------------------------

const scratch = new BigUint64Array(1)
const halves = new Uint32Array(scratch.buffer)
const LO = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1
const HI = 1 - LO
/** The low and the high 32 bits of a 64-bit x as numbers. */
const lowWord = (x: bigint): number => { scratch[0] = x; return halves[LO]! }
const highWord = (x: bigint): number => { scratch[0] = x; return halves[HI]! }
/** The bigint of a number below 2^53 built from its halves (one allocation). */
const big = (n: number): bigint => {
  halves[LO] = n >>> 0
  halves[HI] = Math.floor(n / 0x1_0000_0000)
  return scratch[0]!
}

// ---- memoised decodes (pure functions of their inputs) ---------------------------------------------

let lastCapsRaw: bigint | undefined
let lastCaps: Capabilities | undefined
const capsOf = (raw: bigint): Capabilities => {
  if (raw !== lastCapsRaw || lastCaps === undefined) { lastCaps = decodeCapabilities(raw); lastCapsRaw = raw }
  return lastCaps
}

/** RAM regions wholly below 2^53 as [base, end) number pairs, per memory map. */
const ramRanges = new WeakMap<MemoryMap, readonly number[]>()
const ramOf = (map: MemoryMap): readonly number[] => {
  let r = ramRanges.get(map)
  if (r === undefined) {
    r = map.filter((x) => x.kind === 'ram' && x.base + x.size <= SAFE_BIG).flatMap((x) => [Number(x.base), Number(x.base + x.size)])
    ramRanges.set(map, r)
  }
  return r
}

/**
 * A decoded device context by its raw words and what its configuration checks consult: undefined
 * when tc.V = 0 or a check fails (cause 258/259, the readable walk's to report). A few recent ones.
 */
interface DcMemo { readonly words: readonly number[], readonly caps: bigint, readonly fctl: bigint, readonly gxlWritable: boolean, readonly dc: DeviceContext | undefined }
const DC_MEMO_SIZE = 16
const dcMemo: DcMemo[] = []
const sameWords = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
const decodeDcMemo = (words: readonly number[], caps: Capabilities, fctlRaw: bigint, gxlWritable: boolean): DeviceContext | undefined => {
  for (const m of dcMemo) if (m.caps === caps.raw && m.fctl === fctlRaw && m.gxlWritable === gxlWritable && sameWords(m.words, words)) return m.dc
  const dws: bigint[] = []
  for (let k = 0; k < words.length; k += 2) { halves[LO] = words[k]!; halves[HI] = words[k + 1]!; dws.push(scratch[0]!) }
  const dc0 = decodeDeviceContext(dws)
  const fctl = { be: (fctlRaw & 1n) !== 0n, wsi: (fctlRaw & 2n) !== 0n, gxl: (fctlRaw & 4n) !== 0n }
  const dc = dc0.tc.v && deviceContextProblem(dc0, caps, fctl, { gxlWritable }) === undefined ? dc0 : undefined
  if (dcMemo.length >= DC_MEMO_SIZE) dcMemo.pop()
  dcMemo.unshift({ words, caps: caps.raw, fctl: fctlRaw, gxlWritable, dc })
  return dc
}

// ---- one request's state (never escapes a call) -----------------------------------------------------

let memory: PhysMemory
let ram: readonly number[] = []
let pasLimit = 0
/**
 * The doubleword last read (RD_LO, RD_HI) and the leaf of the last stage walked (LEAF_LO, LEAF_HI), as
 * 32-bit halves in a typed array: a module variable holding a number above 2^31 would be boxed on every store.
 */
const words32 = new Uint32Array(4)
const RD_LO = 0, RD_HI = 1, LEAF_LO = 2, LEAF_HI = 3

/** x mod 2^k for 0 ≤ x < 2^53, given p = 2^k (a floating-point `%` is a slow call). */
const mod = (x: number, p: number): number => x - Math.floor(x / p) * p

// The pages of one memory version, by page number, as the walks met them (a version never changes).
let pagesOf: PhysMemory | undefined
const pageNumbers: number[] = []
const pageViews: (DataView | undefined)[] = []
const PAGES_KEPT = 16
const pageOf = (pn: number): DataView | undefined => {
  if (pagesOf !== memory) { pagesOf = memory; pageNumbers.length = 0; pageViews.length = 0 }
  for (let k = 0; k < pageNumbers.length; k++) if (pageNumbers[k] === pn) return pageViews[k]
  const v = pageAtMemo(memory, pn)
  if (pageNumbers.length >= PAGES_KEPT) { pageNumbers.length = 0; pageViews.length = 0 }
  pageNumbers.push(pn)
  pageViews.push(v)
  return v
}

/** Reads the doubleword at pa into words32[RD_LO], words32[RD_HI]; false when the readable walk would fault (beyond PAS, not RAM). */
const read64 = (pa: number): boolean => {
  if (pa >= pasLimit || pa + 8 > SAFE) return false
  let inRam = false
  for (let k = 0; k < ram.length; k += 2) if (pa >= ram[k]! && pa + 8 <= ram[k + 1]!) { inRam = true; break }
  if (!inRam) return false
  const pn = Math.floor(pa / 4096)
  const page = pageOf(pn)
  const off = pa - pn * 4096
  words32[RD_LO] = page === undefined ? 0 : page.getUint32(off, true)
  words32[RD_HI] = page === undefined ? 0 : page.getUint32(off + 4, true)
  return true
}

/** PPN (bits 53:10) × 4096 of the doubleword last read. */
const readTarget = (): number => ((words32[RD_HI]! & 0x3f_ffff) * 0x40_0000 + (words32[RD_LO]! >>> 10)) * 4096

// ---- the walks (clean case only; FAIL means "ask the readable walk") ---------------------------------

const FAIL = -1
/** 2^n for 0 ≤ n ≤ 64, from a table (`2 ** n` with a variable n is a slow call in V8). */
const POWERS: readonly number[] = Array.from({ length: 65 }, (_, n) => 2 ** n)
const POW2 = (n: number): number => POWERS[n]!
/** The mapping size of the last successful stage walk (its PTE is at LEAF_LO, LEAF_HI). */
let leafBits = 0

// Which step-5 rule a walk applies: the first stage's (a user request), the G-stage's for an implicit
// read of a first-stage PTE, or the G-stage's for the final access.
const FIRST = 0, G_IMPLICIT = 1, G_FINAL = 2

/**
 * Walks one stage (steps 1–8 of the Priv. ISA's walk) for `input` (a number below 2^53) from `root`:
 * returns the output address, or FAIL. First-stage table addresses are GPAs when `gLevels` > 0, each
 * translated by the G-stage as an implicit read first.
 */
const walkStage = (
  levels: number, widen: number, root: number, input: number, rule: number, access: number,
  gLevels: number, gRoot: number, implicitDirty: boolean,
): number => {
  let a = root
  const vpn = Math.floor(input / 4096)
  for (let i = levels - 1; i >= 0; i--) {
    const mask = i === levels - 1 ? (1 << (9 + widen)) - 1 : 511
    const idx = Math.floor(vpn / POW2(9 * i)) & mask
    let pa = a + idx * 8
    if (gLevels > 0) {
      if (pa >= POW2(12 + 9 * gLevels + 2)) return FAIL                 // beyond the G-stage's width
      pa = walkStage(gLevels, 2, gRoot, pa, G_IMPLICIT, R, 0, 0, implicitDirty)
      if (pa === FAIL) return FAIL
    }
    if (!read64(pa)) return FAIL
    const flags = words32[RD_LO]! & 0x3ff
    // Step 3: V = 0, W without R, any bit of 63:54 (reserved, PBMT, N): the readable walk decides.
    if ((flags & V) === 0 || ((flags & R) === 0 && (flags & W) !== 0) || (words32[RD_HI]! >>> 22) !== 0) return FAIL
    const target = readTarget()
    // Step 4: a pointer (D, A, U reserved in it).
    if ((flags & (R | W | X)) === 0) {
      if (i === 0 || (flags & (D | A | U)) !== 0) return FAIL
      a = target
      continue
    }
    // Step 5: permissions. Every rule here needs U = 1: a user request's first stage, and the G-stage
    // ("treated as not requesting supervisor privilege").
    if ((flags & U) === 0 || (flags & access) === 0) return FAIL
    // Step 6: a misaligned superpage.
    const pageBits = 12 + 9 * i
    if (mod(target, POW2(pageBits)) !== 0 || target >= SAFE) return FAIL
    // Step 7: A = 0, or a write with D = 0, needs an update (or a fault): the readable walk makes it.
    // The C model's implicit-dirty rule (option implicitGStageDirty) also wants D on a writable G-stage leaf.
    if ((flags & A) === 0) return FAIL
    if ((access === W || (rule === G_IMPLICIT && implicitDirty && (flags & W) !== 0)) && (flags & D) === 0) return FAIL
    if (rule !== G_IMPLICIT) { words32[LEAF_LO] = words32[RD_LO]!; words32[LEAF_HI] = words32[RD_HI]!; leafBits = pageBits }
    return target + mod(input, POW2(pageBits))
  }
  return FAIL
}

/** What a leaf grants, as translate.ts's grantOf: from the leaf's low word; a Bare stage grants everything. */
const grant = (lo: number, pbmt: number): LeafGrant =>
  ({ r: (lo & R) !== 0, w: (lo & W) !== 0, x: (lo & X) !== 0, u: (lo & U) !== 0, global: (lo & G) !== 0, d: (lo & D) !== 0, pbmt })
const ALL: LeafGrant = { r: true, w: true, x: true, u: true, global: false, d: true, pbmt: 0 }

// ---- the caches, as caches.ts keeps them (most recently used first) ------------------------------

const touch = <T>(list: readonly T[], i: number): readonly T[] => (i === 0 ? list : [list[i]!, ...list.slice(0, i), ...list.slice(i + 1)])
const capacity = (c: Caches): number => (c.policy === 'none' ? 0 : c.policy === 'refmodel' ? 2 : Infinity)

/** The success response of an untranslated request (key order as translate.ts builds it). */
const success = (pa: number, pageBits: number): IoResponse => {
  const paBig = big(pa)
  return { status: 'success', pa: paBig, pageBits, fault: undefined, ppn: big(Math.floor(pa / 4096)), ats: undefined }
}

const ACCESS_BIT = { read: R, write: W, execute: X } as const

/**
 * translate.ts's `translate`, fast where it can be: the same outcome (without the explanation) for
 * every input. Pure from outside: it changes neither argument.
 */
export const translateFast = (iommu: Iommu, mem: PhysMemory, req: IoRequest): FastOutcome =>
  fastAnswer(iommu, mem, req) ?? translate(iommu, mem, req)

/**
 * The fast path alone: the outcome when the request is one it answers (a success that stores nothing,
 * from the IOTLB or a clean walk), else undefined (the readable translate must answer).
 */
export const fastAnswer = (iommu: Iommu, mem: PhysMemory, req: IoRequest): FastOutcome | undefined => {
  if (req.type !== 'untranslated' || req.processId !== undefined || req.iova >= SAFE_BIG || req.iova < 0n) return undefined
  const regs = iommu.regs
  // Steps 1–2: Off and Bare are the readable path's (a fault, or no translation to speak of).
  const mode = lowWord(regs.ddtp) & 0xf
  if (mode < 2 || mode > 4) return undefined
  const caps = capsOf(regs.capabilities)
  // Steps 3–5: the device_id split; too wide is a fault.
  const id = req.deviceId
  if (!Number.isInteger(id) || id < 0 || id >= 2 ** 24) return undefined
  const ext = caps.msiFlat
  const ddi0 = ext ? id & 0x3f : id & 0x7f
  const ddi1 = ext ? (id >>> 6) & 0x1ff : (id >>> 7) & 0x1ff
  const ddi2 = ext ? id >>> 15 : id >>> 16
  if ((mode === 3 && ddi2 !== 0) || (mode === 2 && (ddi2 !== 0 || ddi1 !== 0))) return undefined
  memory = mem
  ram = ramOf(mem.map)
  pasLimit = POW2(caps.pas)
  const access = ACCESS_BIT[req.access]
  const iova = Number(req.iova)
  // Step 6: the DC, from the device-context cache or the DDT.
  const caches0 = iommu.caches
  let ddt = caches0.ddt
  let dc: DeviceContext | undefined
  let at = -1
  for (let i = 0; i < ddt.length; i++) if (ddt[i]!.key === id) { at = i; break }
  if (at >= 0) {
    dc = ddt[at]!.value
    ddt = touch(ddt, at)
  } else {
    let a = ((highWord(regs.ddtp) & 0x3f_ffff) * 0x40_0000 + (lowWord(regs.ddtp) >>> 10)) * 4096
    for (let i = mode - 2; i > 0; i--) {
      if (!read64(a + (i === 2 ? ddi2 : ddi1) * 8)) return undefined
      // A non-leaf DDT entry: V = 1 and no reserved bit (9:1, 63:54), else 258/259.
      if ((words32[RD_LO]! & 1) === 0 || (words32[RD_LO]! & 0x3fe) !== 0 || (words32[RD_HI]! >>> 22) !== 0) return undefined
      a = readTarget()
    }
    const size = ext ? 64 : 32
    const base = a + ddi0 * size
    const words: number[] = []
    for (let k = 0; k < size; k += 8) {
      if (!read64(base + k)) return undefined
      words.push(words32[RD_LO]!, words32[RD_HI]!)
    }
    dc = decodeDcMemo(words, caps, regs.fctl, iommu.options.gxlWritable)
    if (dc === undefined) return undefined
    const cap = capacity(caches0)
    ddt = cap === 0 ? NONE : [{ key: id, value: dc }, ...ddt.filter((s) => s.key !== id)].slice(0, cap)
  }
  // Step 7 and 10: only a DC without a PDT, and (step 18) without an MSI page table.
  if (dc.tc.pdtv || dc.msiptp.mode !== MSIPTP_OFF) return undefined
  const fMode = dc.fsc.mode, gMode = dc.iohgatp.mode
  if ((fMode !== 0 && (fMode < 8 || fMode > 10)) || (gMode !== 0 && (gMode < 8 || gMode > 10))) return undefined
  const fLevels = fMode === 0 ? 0 : fMode - 5, gLevels = gMode === 0 ? 0 : gMode - 5
  const gv = gLevels > 0, pscv = fLevels > 0
  const gscid = gv ? dc.iohgatp.mid : 0, pscid = pscv ? dc.ta.pscid : 0
  // Steps 17–20 from the IOTLB: an entry of this address space covering the IOVA.
  let iotlb = caches0.iotlb
  for (let i = 0; i < iotlb.length; i++) {
    const e = iotlb[i]!
    if (e.gv !== gv || e.gscid !== gscid || e.pscv !== pscv || e.pscid !== pscid) continue
    const lo = Number(e.iovaBase)
    const span = POW2(e.pageBits)
    if (iova < lo || iova - lo >= span) continue
    // The cached bits must allow the access as they stand (else a fault or a refill: the readable path's).
    const f = e.first, g = e.g
    if (!(req.access === 'read' ? f.r && g.r : req.access === 'write' ? f.w && g.w && f.d && g.d : f.x && g.x)) return undefined
    if (pscv && !f.u) return undefined
    const pa = Number(e.paBase) + (iova - lo)
    if (pa >= SAFE) return undefined
    iotlb = touch(iotlb, i)
    return outcome(iommu, caches0, ddt, iotlb, dc, success(pa, e.pageBits))
  }
  // The walk: the first stage (its table addresses through the G-stage), then the G-stage.
  const implicitDirty = iommu.options.implicitGStageDirty === 'refmodel' && dc.tc.sade
  const gRoot = gv ? Number(dc.iohgatp.ppn) * 4096 : 0
  let gpa = iova, s1Bits = iommu.options.barePageBits, first = ALL
  if (pscv) {
    if (iova >= POW2(12 + 9 * fLevels - 1)) return undefined        // not canonical (or the upper half)
    gpa = walkStage(fLevels, 0, Number(dc.fsc.ppn) * 4096, iova, FIRST, access, gLevels, gRoot, implicitDirty)
    if (gpa === FAIL) return undefined
    s1Bits = leafBits
    first = grant(words32[LEAF_LO]!, 0)
  }
  let pa = gpa, gBits = iommu.options.barePageBits, gGrant = ALL
  if (gv) {
    if (gpa >= POW2(12 + 9 * gLevels + 2)) return undefined            // beyond the G-stage's width: a guest-page fault
    pa = walkStage(gLevels, 2, gRoot, gpa, G_FINAL, access, 0, 0, false)
    if (pa === FAIL) return undefined
    gBits = leafBits
    gGrant = grant(words32[LEAF_LO]!, 0)
  }
  if (pa >= SAFE) return undefined
  const pageBits = Math.min(s1Bits, gBits)
  const cap = capacity(caches0)
  if (cap !== 0) {
    const span = POW2(pageBits)
    const gLeafBits = gv ? gBits : 64
    const entry: IotlbEntry = {
      gv, gscid, pscv, pscid, iovaBase: big(iova - mod(iova, span)), pageBits, paBase: big(pa - mod(pa, span)), first, g: gGrant,
      gpaBase: gLeafBits >= 64 ? 0n : big(gpa - mod(gpa, POW2(gLeafBits))), gLeafBits,
    }
    iotlb = [entry, ...iotlb].slice(0, cap)
  } else {
    iotlb = NONE
  }
  return outcome(iommu, caches0, ddt, iotlb, dc, success(pa, pageBits))
}

const outcome = (
  iommu: Iommu, c: Caches, ddt: Caches['ddt'], iotlb: Caches['iotlb'], dc: DeviceContext, response: IoResponse,
): FastOutcome => {
  const next = ddt === c.ddt && iotlb === c.iotlb ? iommu : { ...iommu, caches: { ...c, ddt, iotlb } }
  return { iommu: next, memory, response, writes: NONE, records: NONE, dtf: dc.tc.dtf }
}
