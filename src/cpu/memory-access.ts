// How an instruction reaches memory (fetches, loads, stores, the store probe of AMOs and SC): debug
// triggers first, then the misalignment rule, address translation through the TLB with the context the
// CSRs give (MPRV/MPP/MPV resolved by the caller), PMP, and finally the physical bus or the CLINT.
// Order and trap values follow Spike's riscv/mmu.cc (load_slow_path, store_slow_path, fetch_slow_path).
import { u64 } from '../bits/bits.ts'
import { type AccessSize, low32, u64ToNumber } from '../memory/memory.ts'
import { type AccessType } from '../mmu/faults.ts'
import { type Csrs, type Priv, PRV_M, accessMode, hart } from './hart.ts'
import { pmpMatch } from '../memory/pmp.ts'
import { effectiveDataMode } from './csr/access.ts'
import { type ContextMaker, hartContext, translateOnly } from './translation.ts'
import { type PmpAccess, pmpAllows } from './pmp.ts'
import { CAUSE, type Trap, trap } from './trap.ts'
import { type Exec, type Mode, isTrap, logLoad, logStore } from './exec.ts'
import { CLINT_BASE, CLINT_SIZE } from '../machine/machine.ts'
import { busRead, busReadWord, busWrite, reservable } from '../machine/bus.ts'
import { clintLoad, clintStore } from './clint.ts'
import { anyTriggerArmed, checkTriggers } from './triggers.ts'

// The translation context and the fault → trap mapping are the hart's adapter (translation.ts).
export { contextFor, faultTrap } from './translation.ts'

// ---- PMP, decided once per 4 KiB page: a pure cache keyed by the (immutable) pmpcfg and pmpaddr arrays ----
//
// pmpMatch picks the lowest entry that matches any 4-byte sector of an access. When that entry matches
// every sector of a whole page (or no entry matches any sector of it), then for any access inside the page
// the entries below match none of its sectors and that entry matches all of them: the access is decided
// exactly as the page is. A page some entry only partly covers is not cached; each access there is checked.

const PMP_PAGE = 4096
/** Per page: the 18 answers (3 accesses × 3 privileges × hlvx), or null for a page that must be checked per access. */
type PageAnswers = (boolean | undefined)[] | null
const pmpPages = new WeakMap<readonly number[], WeakMap<readonly bigint[], Map<number, PageAnswers>>>()
/** Where an access's 6 answers start (a comparison, not a keyed lookup: this runs for every access). */
const accessSlot = (access: PmpAccess): number => (access === 'fetch' ? 0 : access === 'load' ? 6 : 12)

// The PMP arrays of the last lookup and their pages: CSR files share the arrays until a PMP CSR is written.
let lastPmpcfg: readonly number[] | undefined
let lastPmpaddr: readonly bigint[] | undefined
let lastPages: Map<number, PageAnswers> = new Map()

const pagesFor = (c: Csrs): Map<number, PageAnswers> => {
  if (c.pmpcfg === lastPmpcfg && c.pmpaddr === lastPmpaddr) return lastPages
  let byAddr = pmpPages.get(c.pmpcfg)
  if (byAddr === undefined) { byAddr = new WeakMap(); pmpPages.set(c.pmpcfg, byAddr) }
  let pages = byAddr.get(c.pmpaddr)
  if (pages === undefined) { pages = new Map(); byAddr.set(c.pmpaddr, pages) }
  lastPmpcfg = c.pmpcfg
  lastPmpaddr = c.pmpaddr
  lastPages = pages
  return pages
}

// The page of the last lookup and its answers: the two parcels of a fetch, and most accesses after them, fall in it.
let lastPagesOfPn: Map<number, PageAnswers> | undefined
let lastPn = -1
let lastAnswers: PageAnswers = null

/** The answers of page pn (classified on first use: null where an entry covers only part of it). */
const answersFor = (c: Csrs, pn: number): PageAnswers => {
  const pages = pagesFor(c)
  if (pages === lastPagesOfPn && pn === lastPn) return lastAnswers
  let answers = pages.get(pn)
  if (answers === undefined) {
    answers = pmpMatch(c, BigInt(pn * PMP_PAGE), PMP_PAGE) === 'partial' ? null : []
    pages.set(pn, answers)
  }
  lastPagesOfPn = pages
  lastPn = pn
  lastAnswers = answers
  return answers
}

/** pmpAllows, answered per page where one entry decides the whole page (see above); equal to it everywhere. */
export const pmpAllowsCached = (c: Csrs, pa: bigint, len: number, access: PmpAccess, priv: Priv, hlvx = false): boolean => {
  // In number arithmetic, exact below 2^53 (larger addresses are not cached); floor-division, not %,
  // which V8 computes as a slow floating-point remainder for values above 2^31.
  const a = u64ToNumber(pa)
  const pn = Math.floor(a / PMP_PAGE)
  const within = a - pn * PMP_PAGE
  if (a > Number.MAX_SAFE_INTEGER || within + len > PMP_PAGE) return pmpAllows(c, pa, len, access, priv, hlvx)
  const answers = answersFor(c, pn)
  if (answers === null) return pmpAllows(c, pa, len, access, priv, hlvx)
  const slot = accessSlot(access) + (priv === PRV_M ? 2 : priv) * 2 + (hlvx ? 1 : 0)
  let ok = answers[slot]
  if (ok === undefined) { ok = pmpAllows(c, BigInt(a - within), PMP_PAGE, access, priv, hlvx); answers[slot] = ok }
  return ok
}

/** The hart's translation context, its implicit page-table accesses checked by the PMP check below. */
const CONTEXT: ContextMaker = hartContext(pmpAllowsCached)

export const accessFault = (access: AccessType, va: bigint, virt: boolean): Trap =>
  trap(access === 'fetch' ? CAUSE.fetchAccess : access === 'load' ? CAUSE.loadAccess : CAUSE.storeAccess, va, virt)

/** Translates va for one access (TLB, walk, A/D updates) and applies PMP: the physical address or a trap. */
export const translateAccess = (e: Exec, va: bigint, access: AccessType, mode: Mode, len: number, hlvx = false): bigint | Trap => {
  const pa = translateOnly(e, va, access, mode, hlvx, CONTEXT)
  if (isTrap(pa)) return pa
  return pmpAllowsCached(e.h.csr, pa, len, access, mode.priv, hlvx) ? pa : accessFault(access, va, mode.virt)
}

// ---- fetch ---------------------------------------------------------------------------------------------

/** Fetches one 16-bit parcel (Spike fetches 32-bit instructions as two parcels, each translated). */
export const fetchParcel = (e: Exec, va: bigint): number | Trap => {
  const mode = accessMode(e.h.priv, e.h.virt)
  const pa = translateAccess(e, va, 'fetch', mode, 2)
  if (isTrap(pa)) return pa
  const v = parcelAt(e, pa)
  return v === undefined ? accessFault('fetch', va, mode.virt) : v
}

export const fetch = (e: Exec): number | Trap => {
  const mode = accessMode(e.h.priv, e.h.virt)
  const bp = checkTriggers(e, 'execute', e.pc, 2)
  if (bp !== undefined) return bp
  const pa = translateOnly(e, e.pc, 'fetch', mode, false, CONTEXT)
  if (isTrap(pa)) return pa
  // Where the second parcel lies in the same page, its translation is the first's, and it is in the same
  // bus region: one 4-byte bus read returns the bytes of both parcels (as two 2-byte reads would), and
  // PMP allowing all 4 bytes allows each parcel (the entry deciding the 4 bytes is the lowest one matching
  // either half, and covers it; properties/memory/pmp.prop.ts), so one test usually answers for both.
  // Elsewhere, or when that test fails, each parcel is checked and read alone, in Spike's order.
  const c = e.h.csr
  const samePage = (low32(e.pc) & 0xfff) !== 0xffe
  const both = samePage && pmpAllowsCached(c, pa, 4, 'fetch', mode.priv)
  if (!both && !pmpAllowsCached(c, pa, 2, 'fetch', mode.priv)) return accessFault('fetch', e.pc, mode.virt)
  const word = samePage ? busReadWord(e.memory, pa) : undefined
  const lo = word !== undefined ? word & 0xffff : parcelAt(e, pa)
  if (lo === undefined) return accessFault('fetch', e.pc, mode.virt)
  if ((lo & 3) !== 3) return lo
  // (The second parcel's address is made only where a trigger could match it or a fault reports it.)
  const bp2 = anyTriggerArmed(e) ? checkTriggers(e, 'execute', u64(e.pc + 2n), 2) : undefined
  if (bp2 !== undefined) return bp2
  let hi: number | Trap
  if (samePage) {
    const allowed = both || pmpAllowsCached(c, pa + 2n, 2, 'fetch', mode.priv)
    const v = !allowed ? undefined : word !== undefined ? word >>> 16 : parcelAt(e, pa + 2n)
    hi = v === undefined ? accessFault('fetch', u64(e.pc + 2n), mode.virt) : v
  } else {
    hi = fetchParcel(e, u64(e.pc + 2n))
  }
  if (isTrap(hi)) return hi
  return (lo | (hi << 16)) >>> 0
}

/** The 16-bit parcel the bus holds at pa, or undefined when nothing answers there. */
const parcelAt = (e: Exec, pa: bigint): number | undefined => {
  const v = busRead(e.memory, pa, 2)
  return v === undefined ? undefined : u64ToNumber(v)
}


// ---- data accesses ---------------------------------------------------------------------------------------

export interface LoadOpts { readonly mode?: Mode; readonly hlvx?: boolean; readonly lr?: boolean }

/** Reads `size` bytes at va for a load (Spike's load_slow_path), logging it; the zero-extended value or a trap. */
export const load = (e: Exec, va: bigint, size: AccessSize, opts: LoadOpts = {}): bigint | Trap => {
  const mode = opts.mode ?? effectiveDataMode(e.h)
  const bp = checkTriggers(e, 'load', va, size)
  if (bp !== undefined) return bp
  let value: bigint
  let gpa: bigint | undefined, pa: bigint
  if ((low32(va) & (size - 1)) !== 0) {
    if (!e.isa.misalignedInHardware) return trap(CAUSE.misalignedLoad, va, mode.virt)
    if (opts.lr === true) return trap(CAUSE.loadAccess, va, mode.virt)
    // Performed in hardware as Spike does: the part in the first page, then the rest in the next page,
    // each translated on its own (so a fault in the second page reports that part's address).
    const len0 = Math.min(size, 4096 - Number(va & 0xfffn))
    const v0 = loadPart(e, va, len0, mode, opts)
    if (isTrap(v0)) return v0
    value = v0
    gpa = e.lastGpa
    pa = e.lastPa
    if (len0 < size) {
      const v1 = loadPart(e, u64(va + BigInt(len0)), size - len0, mode, opts)
      if (isTrap(v1)) return v1
      value |= v1 << BigInt(8 * len0)
    }
  } else {
    const v = loadPart(e, va, size, mode, opts)
    if (isTrap(v)) return v
    value = v
    gpa = e.lastGpa
    pa = e.lastPa
  }
  logLoad(e, { va, gpa, pa, size, value })
  return value
}

export const isAccessSize = (n: number): n is AccessSize => n === 1 || n === 2 || n === 4 || n === 8

/** One translated piece of a load: `len` bytes at va, all in one page. */
const loadPart = (e: Exec, va: bigint, len: number, mode: Mode, opts: LoadOpts): bigint | Trap => {
  const pa = translateAccess(e, va, 'load', mode, len, opts.hlvx === true)
  if (isTrap(pa)) return pa
  if (opts.lr === true) {
    if (!reservable(e.memory, pa, len as AccessSize)) return trap(CAUSE.loadAccess, va, mode.virt)
    e.h = hart(e.h.pc, e.h.x, e.h.priv, e.h.virt, e.h.csr, pa, e.h.instret, e.h.cycle)
  }
  if (isAccessSize(len) && (low32(pa) & (len - 1)) === 0) return readPhys(e, pa, len, va, mode)
  let v = 0n
  for (let i = len - 1; i >= 0; i--) {
    const b = readPhys(e, pa + BigInt(i), 1, va, mode)
    if (isTrap(b)) return b
    v = (v << 8n) | b
  }
  return v
}

/** For each access size n, the last address an n-byte CLINT access may start at (no bigint addition per access). */
const CLINT_LAST_START: readonly bigint[] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => CLINT_BASE + CLINT_SIZE - BigInt(n))
const inClint = (pa: bigint, size: AccessSize): boolean => pa >= CLINT_BASE && pa <= CLINT_LAST_START[size]!

const readPhys = (e: Exec, pa: bigint, size: AccessSize, va: bigint, mode: Mode): bigint | Trap => {
  if (inClint(pa, size)) return clintLoad(e, pa - CLINT_BASE, size)
  const v = busRead(e.memory, pa, size)
  return v === undefined ? trap(CAUSE.loadAccess, va, mode.virt) : v
}

/** The bytes a store of each size writes (`BigInt.asUintN` with a varying width is a runtime call). */
const STORE_MASK: readonly bigint[] = [0n, 0xffn, 0xffffn, 0n, 0xffff_ffffn]

/** Writes the low `size` bytes of value at va (Spike's store_slow_path), logging it; undefined or a trap. */
export const store = (e: Exec, va: bigint, size: AccessSize, value: bigint, mode: Mode = effectiveDataMode(e.h)): Trap | undefined => {
  const bp = checkTriggers(e, 'store', va, size)
  if (bp !== undefined) return bp
  let gpa: bigint | undefined, pa: bigint
  if ((low32(va) & (size - 1)) !== 0) {
    if (!e.isa.misalignedInHardware) return trap(CAUSE.misalignedStore, va, mode.virt)
    const len0 = Math.min(size, 4096 - Number(va & 0xfffn))
    const t0 = storePart(e, va, len0, value, mode)
    if (t0 !== undefined) return t0
    gpa = e.lastGpa
    pa = e.lastPa
    if (len0 < size) {
      const t1 = storePart(e, u64(va + BigInt(len0)), size - len0, value >> BigInt(8 * len0), mode)
      if (t1 !== undefined) return t1
    }
  } else {
    const t = storePart(e, va, size, value, mode)
    if (t !== undefined) return t
    gpa = e.lastGpa
    pa = e.lastPa
  }
  logStore(e, { va, gpa, pa, value: size === 8 ? BigInt.asUintN(64, value) : value & STORE_MASK[size]!, size })
  return undefined
}

/** One translated piece of a store: `len` bytes at va, all in one page. */
const storePart = (e: Exec, va: bigint, len: number, value: bigint, mode: Mode): Trap | undefined => {
  const pa = translateAccess(e, va, 'store', mode, len)
  if (isTrap(pa)) return pa
  if (isAccessSize(len) && (low32(pa) & (len - 1)) === 0) return writePhys(e, pa, len, value, va, mode)
  for (let i = 0; i < len; i++) {
    const t = writePhys(e, pa + BigInt(i), 1, value >> BigInt(8 * i), va, mode)
    if (t !== undefined) return t
  }
  return undefined
}

const writePhys = (e: Exec, pa: bigint, size: AccessSize, value: bigint, va: bigint, mode: Mode): Trap | undefined => {
  if (inClint(pa, size)) {
    clintStore(e, pa - CLINT_BASE, size, value)
    return undefined
  }
  const m = busWrite(e.memory, pa, size, value)
  if (m === undefined) return trap(CAUSE.storeAccess, va, mode.virt)
  e.memory = m
  return undefined
}

/** Store-permission probe of an AMO/SC (Spike: store_slow_path with actually_store = false, alignment required). */
export const probeStore = (e: Exec, va: bigint, size: AccessSize, mode: Mode): bigint | Trap => {
  const bp = checkTriggers(e, 'store', va, size)
  if (bp !== undefined) return bp
  if ((low32(va) & (size - 1)) !== 0) {
    return trap(e.isa.misalignedInHardware ? CAUSE.storeAccess : CAUSE.misalignedStore, va, mode.virt)
  }
  return translateAccess(e, va, 'store', mode, size)
}

/** AMO and SC report load faults as store faults (Spike's convert_load_traps_to_store_traps). */
export const asStoreTrap = (t: Trap): Trap => {
  const c = t.cause === CAUSE.misalignedLoad ? CAUSE.misalignedStore
    : t.cause === CAUSE.loadPageFault ? CAUSE.storePageFault
    : t.cause === CAUSE.loadAccess ? CAUSE.storeAccess
    : t.cause === CAUSE.loadGuestPageFault ? CAUSE.storeGuestPageFault : t.cause
  return trap(c, t.tval, t.gva, t.tval2, t.tinst)
}
