// PMP memoised for the engines: answers of src/memory/pmp.ts (Priv. ISA, "Physical Memory Protection")
// kept per page, keyed by the identity of the immutable pmpcfg and pmpaddr arrays (a hart's CSR files
// share them until a PMP CSR is written). Equal to the specification everywhere (properties/memory/pmp.prop.ts).
import { u64ToNumber } from '../memory.ts'
import { type Pmp, type PmpAccess, type PmpRanges, PMP_PAGE, pmpAllowsAt, pmpMatch, pmpPageFlags, pmpRanges } from '../pmp.ts'

// ---- pmpAllowsAt, decided once per 4 KiB page ---------------------------------------------------------
//
// pmpMatch picks the lowest entry that matches any 4-byte sector of an access. When that entry matches
// every sector of a whole page (or no entry matches any sector of it), then for any access inside the page
// the entries below match none of its sectors and that entry matches all of them: the access is decided
// exactly as the page is. A page some entry only partly covers is not cached; each access there is checked.

/** Per page: the 18 answers (3 accesses × 3 privileges × hlvx), or null for a page that must be checked per access. */
type PageAnswers = (boolean | undefined)[] | null
const pmpPages = new WeakMap<readonly number[], WeakMap<readonly bigint[], Map<number, PageAnswers>>>()
/** Where an access's 6 answers start (a comparison, not a keyed lookup: this runs for every access). */
const accessSlot = (access: PmpAccess): number => (access === 'fetch' ? 0 : access === 'load' ? 6 : 12)

// The PMP arrays of the last lookup and their pages: CSR files share the arrays until a PMP CSR is written.
let lastPmpcfg: readonly number[] | undefined
let lastPmpaddr: readonly bigint[] | undefined
let lastPages: Map<number, PageAnswers> = new Map()

const pagesFor = (c: Pmp): Map<number, PageAnswers> => {
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
const answersFor = (c: Pmp, pn: number): PageAnswers => {
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

/** pmpAllowsAt, answered per page where one entry decides the whole page (see above); equal to it everywhere. */
export const pmpAllowsCached = (c: Pmp, pa: bigint, len: number, access: PmpAccess, priv: number, hlvx = false): boolean => {
  // In number arithmetic, exact below 2^53 (larger addresses are not cached); floor-division, not %,
  // which V8 computes as a slow floating-point remainder for values above 2^31.
  const a = u64ToNumber(pa)
  const pn = Math.floor(a / PMP_PAGE)
  const within = a - pn * PMP_PAGE
  if (a > Number.MAX_SAFE_INTEGER || within + len > PMP_PAGE) return pmpAllowsAt(c, pa, len, access, priv, hlvx)
  const answers = answersFor(c, pn)
  if (answers === null) return pmpAllowsAt(c, pa, len, access, priv, hlvx)
  const slot = accessSlot(access) + (priv === 3 ? 2 : priv) * 2 + (hlvx ? 1 : 0)
  let ok = answers[slot]
  if (ok === undefined) { ok = pmpAllowsAt(c, BigInt(a - within), PMP_PAGE, access, priv, hlvx); answers[slot] = ok }
  return ok
}

// ---- pmpPageFlags, memoised -------------------------------------------------------------------------

/** PMP entry ranges per pair of PMP arrays (immutable, so a pure cache). */
const rangesOf = new WeakMap<readonly bigint[], WeakMap<readonly number[], PmpRanges>>()
const rangesFor = (c: Pmp): PmpRanges => {
  let byCfg = rangesOf.get(c.pmpaddr)
  if (byCfg === undefined) { byCfg = new WeakMap(); rangesOf.set(c.pmpaddr, byCfg) }
  let r = byCfg.get(c.pmpcfg)
  if (r === undefined) { r = pmpRanges(c); byCfg.set(c.pmpcfg, r) }
  return r
}
const flagsOf = new WeakMap<PmpRanges, Map<number, number>>()
const FLAGS_MEMO_LIMIT = 1 << 16

/**
 * pmpPageFlags memoised per PMP range table (one per pmpaddr/pmpcfg pair, the only CSRs PMP reads) and
 * (page, privilege), for pages below 2^52 (so the key is exact).
 */
export const pmpPageFlagsCached = (c: Pmp, priv: number, base: bigint): number => {
  const rs = rangesFor(c)
  if (base >= 1n << 52n) return pmpPageFlags(c, priv, base, rs)
  let known = flagsOf.get(rs)
  if (known === undefined || known.size >= FLAGS_MEMO_LIMIT) { known = new Map(); flagsOf.set(rs, known) }
  const key = Number(base >> 12n) * 4 + priv
  let flags = known.get(key)
  if (flags === undefined) { flags = pmpPageFlags(c, priv, base, rs); known.set(key, flags) }
  return flags
}
