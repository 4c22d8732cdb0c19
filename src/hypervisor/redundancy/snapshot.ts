// A whole machine as bytes, for snapshots on disk (`memvirt run --save-at N FILE`, `--restore FILE`): the
// hart and its CSRs, the TLB, the devices, HTIF, Spike's chunk position, every written memory page, and
// how many steps the execution had made. Format version 4 (little-endian), documented in the README
// ("Snapshots on disk"):
//   header  "MVSNAP\r\n" (8 bytes) · version u32 · section count u32
//   section tag (4 ASCII bytes) · payload length u32 · CRC-32 of the payload u32 · payload
//     "STAT": UTF-8 JSON of { isa, ram, interleave, position, hart, tlb, htif, devices, platform }, where a
//             bigint is {"$n":"<hex>"}, a byte array {"$b":"<hex>"}, an absent value {"$u":0}; tlb is
//             { config: { sets, ways, replacement, flushAll, exact, pteCache }, sets: entries set by set,
//             pteCache: { kept: [[pa, pte], …], tables: [pn, …], stale: [pa, …] } when config.pteCache }
//             (Spike's PTE cache, mmu/pte-cache.ts; version 2 had no `pteCache`: a version-2 file is read with
//             the cache on and empty for Spike's TLB; version 1 had no `exact` either: its TLB is not exact.
//             Version 3 is taken: the CLI's compressed file of version 2, cli/redundancy.ts, as 5 is of 4.)
//     "PAGE": page number u64 · its 4096 bytes (one section per written page)
//     "END ": empty (the last section: a file cut after a whole section is still seen as truncated)
// Decoding checks every length and checksum and the record's form against a machine out of reset, and names
// the byte offset of the first thing wrong.
import { type Either, left, right } from '../../bits/either.ts'
import { none } from 'fp-ts/lib/Option.js'
import { type PhysMemory, PAGE_BYTES, emptyMemory, pageAt, withPages, writtenPages } from '../../memory/memory.ts'
import { parseIsa } from '../../cpu/isa.ts'
import { type Hart } from '../../cpu/hart.ts'
import { type Tlb, type TlbConfig, type TlbEntry, emptyTlb, withPteCache } from '../../mmu/tlb.ts'
import { type PteCache, PTE_CACHE_SLOTS, emptyPteCache } from '../../mmu/pte-cache.ts'
import { type StageLeaf } from '../../mmu/walk.ts'
import { describeSyntaxError, parseJson } from '../../codec/json.ts'
import { type RamRegion } from '../../machine/machine.ts'
import { type Devices, type Htif, type Machine, type Platform, loadMachine, platformMap, withDevices, withHart, withHtif, withMemory, withPlatform, withTlb } from '../../machine/machine.ts'

export const SNAPSHOT_MAGIC = 'MVSNAP\r\n'
/**
 * The version written. 2 added `exact` to the TLB's configuration (`--tlb exact`: its entries outlive Spike's
 * flush points); 4 added Spike's PTE cache (`pteCache`); 3 is the CLI's compressed version 2.
 */
export const SNAPSHOT_VERSION = 4
/** The versions read: version 2 is version 4 with Spike's TLB's PTE cache empty; version 1 also has every TLB not exact. */
const READABLE = [1, 2, 4]

/** Why bytes are not a snapshot this version reads: where, and what. */
export interface SnapshotError { readonly offset: number; readonly message: string }

/**
 * The largest STAT record read (256 MiB): the hart, the devices, the TLB's entries (about 0.5 KiB each; the
 * default exact TLB has 64) and the console output so far. A larger one is refused before it is read, so a
 * compressed file cannot make a reader inflate gigabytes of a record it would refuse anyway.
 */
export const MAX_STAT_BYTES = 256 * 1024 * 1024
/** The bytes of one PAGE section: tag, length, CRC, page number and the page. */
const PAGE_SECTION_BYTES = 12 + 8 + PAGE_BYTES

/** A machine and the steps its execution had made when it was saved. */
export interface Snapshot { readonly machine: Machine; readonly position: number }

// ---- CRC-32 (IEEE 802.3, reflected, as zlib's crc32) ----------------------------------------------------

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
/** CRC-32 of `bytes`. @example crc32(new TextEncoder().encode('123456789')) === 0xcbf43926 */
export const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

// ---- values as tagged JSON ---------------------------------------------------------------------------

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

const toJson = (v: unknown): unknown => {
  if (typeof v === 'bigint') return { $n: v.toString(16) }
  if (v === undefined) return { $u: 0 }
  if (v instanceof Uint8Array) return { $b: hex(v) }
  if (Array.isArray(v)) return v.map(toJson)
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]))
  return v
}

/** The value `j` (parsed JSON) stands for, or a message naming the path where it is malformed. */
const fromJson = (j: unknown, path: string): Either<string, unknown> => {
  if (Array.isArray(j)) {
    const out: unknown[] = []
    for (let i = 0; i < j.length; i++) { const x = fromJson(j[i], `${path}[${i}]`); if (x._tag === 'Left') return x; out.push(x.right) }
    return right(out)
  }
  if (typeof j !== 'object' || j === null) return right(j)
  const o = j as Record<string, unknown>
  const keys = Object.keys(o)
  if (keys.length === 1 && keys[0] === '$n') return typeof o.$n === 'string' && /^-?[0-9a-f]+$/.test(o.$n) ? right(BigInt(o.$n.startsWith('-') ? `-0x${o.$n.slice(1)}` : `0x${o.$n}`)) : left(`${path}: malformed bigint`)
  if (keys.length === 1 && keys[0] === '$u') return right(undefined)
  if (keys.length === 1 && keys[0] === '$b') {
    if (typeof o.$b !== 'string' || !/^([0-9a-f]{2})*$/.test(o.$b)) return left(`${path}: malformed bytes`)
    return right(Uint8Array.from(o.$b.match(/../g) ?? [], (x) => parseInt(x, 16)))
  }
  const out: Record<string, unknown> = {}
  for (const k of keys) { const x = fromJson(o[k], `${path}.${k}`); if (x._tag === 'Left') return x; out[k] = x.right }
  return right(out)
}

/**
 * Does `v` have the form of `template` (a value of the same record out of reset)? Records: the same keys,
 * each of the same form; arrays: the same length and form where the template has elements (registers,
 * CSR arrays, TLB sets), any elements where it has none (HTIF output, TLB entries); a field absent in the
 * template (a reservation, an exit code) takes a value or none. A message names the first path that differs.
 */
const sameForm = (v: unknown, template: unknown, path: string): string | undefined => {
  if (template === undefined) return undefined
  if (template instanceof Uint8Array) return v instanceof Uint8Array ? undefined : `${path}: expected bytes`
  if (Array.isArray(template)) {
    if (!Array.isArray(v)) return `${path}: expected an array`
    if (template.length === 0) return undefined
    if (v.length !== template.length) return `${path}: expected ${template.length} elements, found ${v.length}`
    for (let i = 0; i < v.length; i++) { const e = sameForm(v[i], template[i], `${path}[${i}]`); if (e !== undefined) return e }
    return undefined
  }
  if (typeof template === 'object' && template !== null) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${path}: expected a record`
    const tk = Object.keys(template), vk = Object.keys(v)
    const missing = tk.find((k) => !vk.includes(k)), extra = vk.find((k) => !tk.includes(k))
    if (missing !== undefined) return `${path}.${missing}: missing`
    if (extra !== undefined) return `${path}.${extra}: not a field of this version`
    for (const k of tk) { const e = sameForm((v as Record<string, unknown>)[k], (template as Record<string, unknown>)[k], `${path}.${k}`); if (e !== undefined) return e }
    return undefined
  }
  return typeof v === typeof template ? undefined : `${path}: expected a ${typeof template}`
}

// ---- encode ----------------------------------------------------------------------------------------

const u32 = (n: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b }

const section = (tag: string, payload: Uint8Array): Uint8Array[] => [new TextEncoder().encode(tag), u32(payload.length), u32(crc32(payload)), payload]

/**
 * The TLB configuration as saved: its shape and kind (`exact` always written). `reportStale` is not state
 * but how a run observes it, like the engine: a restored run reports stale answers when its flags ask.
 */
const savedTlbConfig = (c: TlbConfig, version = SNAPSHOT_VERSION): Record<string, unknown> =>
  version < 4 ? { sets: c.sets, ways: c.ways, replacement: c.replacement, flushAll: c.flushAll, exact: c.exact === true }
    : { sets: c.sets, ways: c.ways, replacement: c.replacement, flushAll: c.flushAll, exact: c.exact === true, pteCache: c.pteCache === true }

/** The form of a version-1 TLB configuration (no `exact`, no `pteCache`): the fields' types. */
const V1_TLB_CONFIG = { sets: 1, ways: 1, replacement: 'lru', flushAll: true }

/** Spike's PTE cache as saved: the kept PTEs (address, value) by slot, the table pages, the stale addresses. */
const savedPteCache = (c: PteCache): Record<string, unknown> => {
  const kept: [number, bigint][] = []
  c.pas.forEach((pa, slot) => { if (pa >= 0) kept.push([pa, c.ptes[slot]!]) })
  return { kept, tables: [...c.tables].sort((a, b) => a - b), stale: [...c.stale].sort((a, b) => a - b) }
}

/** A leaf as the readable walker gives it (the fast walker's leaves compute their fields on demand: a record of them is saved). */
const plainLeaf = (l: StageLeaf | undefined): StageLeaf | undefined =>
  l === undefined ? undefined : { stage: l.stage, inBase: l.inBase, outBase: l.outBase, level: l.level, pte: l.pte, pageBits: l.pageBits, pteAddr: l.pteAddr }

/** The TLB's entries as saved: every field a value, whichever walker filled them. */
const savedTlbSets = (t: Tlb): readonly (readonly TlbEntry[])[] =>
  t.sets.map((set) => set.map((e) => ({ ...e, first: plainLeaf(e.first), gstage: plainLeaf(e.gstage) })))

/** The snapshot of `m` after `position` steps, in format version 4. */
export const encodeSnapshot = (m: Machine, position: number): Uint8Array => {
  const state = {
    isa: m.isa.name, ram: m.options.ram, interleave: m.options.interleave, position,
    // The TLB's entries, not its engine: which walker refills it is the runner's choice, not state.
    hart: m.hart,
    tlb: m.tlb.pteCache === undefined ? { config: savedTlbConfig(m.tlb.config), sets: savedTlbSets(m.tlb) }
      : { config: savedTlbConfig(m.tlb.config), sets: savedTlbSets(m.tlb), pteCache: savedPteCache(m.tlb.pteCache) },
    htif: m.htif, devices: m.devices, platform: m.platform,
  }
  const pages = writtenPages(m.memory)
  const parts: Uint8Array[] = [new TextEncoder().encode(SNAPSHOT_MAGIC), u32(SNAPSHOT_VERSION), u32(pages.length + 2)]
  parts.push(...section('STAT', new TextEncoder().encode(JSON.stringify(toJson(state)))))
  for (const pn of pages) {
    const payload = new Uint8Array(8 + PAGE_BYTES)
    new DataView(payload.buffer).setBigUint64(0, BigInt(pn), true)
    const v = pageAt(m.memory, pn)!
    payload.set(new Uint8Array(v.buffer, v.byteOffset, PAGE_BYTES), 8)
    parts.push(...section('PAGE', payload))
  }
  parts.push(...section('END ', new Uint8Array(0)))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

// ---- decode ----------------------------------------------------------------------------------------

interface State {
  readonly isa: string; readonly ram: readonly RamRegion[]; readonly interleave: number; readonly position: number
  readonly hart: Hart; readonly tlb: Pick<Tlb, 'config' | 'sets' | 'pteCache'>; readonly htif: Htif; readonly devices: Devices; readonly platform: Platform
}

const fail = (offset: number, message: string): Either<SnapshotError, never> => left({ offset, message })

/** The RAM's pages, and whether page `pn` lies in it. */
const ramPages = (ram: readonly RamRegion[]): { readonly count: bigint; readonly holds: (pn: bigint) => boolean } => ({
  count: ram.reduce((n, r) => n + r.size / BigInt(PAGE_BYTES), 0n),
  holds: (pn) => ram.some((r) => pn * BigInt(PAGE_BYTES) >= r.base && pn * BigInt(PAGE_BYTES) < r.base + r.size),
})

/** The header's version and section count, or why the header is not one this version reads. */
const header = (bytes: Uint8Array): Either<SnapshotError, { readonly version: number; readonly count: number }> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 16) return fail(bytes.length, `truncated header (16 bytes, found ${bytes.length})`)
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 8)) !== SNAPSHOT_MAGIC) return fail(0, 'not a memvirt snapshot (magic "MVSNAP\\r\\n")')
  const version = view.getUint32(8, true)
  if (!READABLE.includes(version)) return fail(8, `format version ${version}, this memvirt reads versions ${READABLE.join(', ')}`)
  return right({ version, count: view.getUint32(12, true) })
}

/** More sections than a STAT and an END around one PAGE per RAM page: the count is wrong (no page is written twice). */
const tooManySections = (count: number, ram: readonly RamRegion[]): Either<SnapshotError, never> | undefined =>
  BigInt(count) - 2n > ramPages(ram).count ? fail(12, `${count} sections: more pages than the RAM's ${ramPages(ram).count} (a STAT, a PAGE per written page, an END)`) : undefined

/** How far a reader of a snapshot is: it needs `bytes` bytes before it can say more, or the file's whole size is known. */
export type SnapshotHead = { readonly _tag: 'Needs'; readonly bytes: number } | { readonly _tag: 'Size'; readonly bytes: number }

/**
 * From the first bytes of a version-1/2 snapshot, the size the whole file must have: its header and its STAT
 * section (checked as `decodeSnapshot` checks them) fix it, as every other section's size is fixed — the
 * count's PAGEs, no more than the RAM's pages, and an empty END. A reader of a compressed file inflates no
 * further than this (`Needs` says how many bytes to get first). Errors are those `decodeSnapshot` reports.
 */
export const snapshotHead = (prefix: Uint8Array): Either<SnapshotError, SnapshotHead> => {
  if (prefix.length < 28) return right({ _tag: 'Needs', bytes: 28 })
  const h = header(prefix)
  if (h._tag === 'Left') return h
  const { version, count } = h.right
  if (count < 2) return fail(16, `${count} sections: a snapshot has at least "STAT" and "END "`)
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  const tag = new TextDecoder('latin1').decode(prefix.subarray(16, 20))
  if (tag !== 'STAT') return fail(16, `section 1 of ${count}: expected "STAT", found ${JSON.stringify(tag)}`)
  const length = view.getUint32(20, true)
  if (length > MAX_STAT_BYTES) return fail(16, `section "STAT": ${length} bytes, more than the ${MAX_STAT_BYTES} a snapshot's record may have`)
  if (prefix.length < 28 + length) return right({ _tag: 'Needs', bytes: 28 + length })
  const payload = prefix.subarray(28, 28 + length)
  if (crc32(payload) !== view.getUint32(24, true)) return fail(16, `section "STAT" (bytes 28..${28 + length - 1}): checksum mismatch`)
  const s = decodeState(payload, version)
  if (s._tag === 'Left') return fail(16, `section "STAT": ${s.left}`)
  const many = tooManySections(count, s.right.state.ram)
  if (many !== undefined) return many
  return right({ _tag: 'Size', bytes: 28 + length + (count - 2) * PAGE_SECTION_BYTES + 12 })
}

/** The machine and position `bytes` hold, or the byte offset and nature of the first thing wrong. */
export const decodeSnapshot = (bytes: Uint8Array): Either<SnapshotError, Snapshot> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const h = header(bytes)
  if (h._tag === 'Left') return h
  const { version, count } = h.right
  let at = 16
  let state: State | undefined
  let base: Machine | undefined
  const pages: [number, DataView][] = []
  const seen = new Set<number>()
  for (let i = 0; i < count; i++) {
    if (at + 12 > bytes.length) return fail(bytes.length, `truncated: section ${i + 1} of ${count} has no whole header (needs 12 bytes at ${at})`)
    const tag = new TextDecoder('latin1').decode(bytes.subarray(at, at + 4))
    const length = view.getUint32(at + 4, true), crc = view.getUint32(at + 8, true)
    const start = at + 12
    if (start + length > bytes.length) return fail(bytes.length, `truncated: section ${JSON.stringify(tag)} at ${at} needs ${length} bytes, ${bytes.length - start} remain`)
    const payload = bytes.subarray(start, start + length)
    if (crc32(payload) !== crc) return fail(at, `section ${JSON.stringify(tag)} (bytes ${start}..${start + length - 1}): checksum mismatch`)
    const expected = i === 0 ? 'STAT' : i === count - 1 ? 'END ' : 'PAGE'
    if (tag !== expected) return fail(at, `section ${i + 1} of ${count}: expected "${expected}", found ${JSON.stringify(tag)}`)
    if (tag === 'STAT') {
      if (length > MAX_STAT_BYTES) return fail(at, `section "STAT": ${length} bytes, more than the ${MAX_STAT_BYTES} a snapshot's record may have`)
      const s = decodeState(payload, version)
      if (s._tag === 'Left') return fail(at, `section "STAT": ${s.left}`)
      const many = tooManySections(count, s.right.state.ram)
      if (many !== undefined) return many
      state = s.right.state
      base = s.right.base
    } else if (tag === 'PAGE') {
      if (length !== 8 + PAGE_BYTES) return fail(at, `section "PAGE": ${length} bytes, expected ${8 + PAGE_BYTES}`)
      const big = view.getBigUint64(start, true)
      if (!ramPages(state!.ram).holds(big)) return fail(at, `section "PAGE": page 0x${big.toString(16)} lies outside the RAM`)
      const pn = Number(big)
      if (seen.has(pn)) return fail(at, `section "PAGE": page 0x${pn.toString(16)} given twice`)
      seen.add(pn)
      pages.push([pn, new DataView(payload.slice(8).buffer)])
    } else if (length !== 0) return fail(at, `section "END ": ${length} bytes, expected none`)
    at = start + length
  }
  if (count < 2 || state === undefined || base === undefined) return fail(16, `${count} sections: a snapshot has at least "STAT" and "END "`)
  if (at !== bytes.length) return fail(at, `${bytes.length - at} bytes after the last section`)
  const memory: PhysMemory = withPages(emptyMemory(platformMap(base.options)), pages)
  const tlb = withPteCache(emptyTlb(state.tlb.config, base.tlb.engine), state.tlb.pteCache ?? emptyPteCache(), false)
  const m = withPlatform(withDevices(withHtif(withTlb(withHart(withMemory(base, memory), state.hart), state.tlb.config.pteCache === true
    ? { ...tlb, sets: state.tlb.sets } : { config: state.tlb.config, sets: state.tlb.sets, engine: base.tlb.engine }), state.htif), state.devices), state.platform)
  return right({ machine: m, position: state.position })
}

/**
 * The saved TLB configuration if it is one a TLB can have (sets a power of two, ways ≥ 1, LRU or FIFO, an
 * exact TLB never flushing everything), with `exact` present only when true, as `exactTlbConfig` makes it.
 */
const tlbConfigOf = (c: Record<string, unknown>, version: number): Either<string, TlbConfig> => {
  const { sets, ways, replacement, flushAll, exact, pteCache } = c
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= 1 << 20
  if (!count(sets) || (sets & (sets - 1)) !== 0) return left('state.tlb.config.sets: expected a power of two from 1 to 2^20')
  if (!count(ways)) return left('state.tlb.config.ways: expected an integer from 1 to 2^20')
  if (replacement !== 'lru' && replacement !== 'fifo') return left('state.tlb.config.replacement: expected "lru" or "fifo"')
  if (exact === true && flushAll === true) return left('state.tlb.config: an exact TLB cannot flush everything at every fence (flushAll)')
  if (exact === true && pteCache === true) return left('state.tlb.config: an exact TLB has no PTE cache (Spike\'s: pteCache)')
  const base: TlbConfig = { sets, ways, replacement, flushAll: flushAll === true }
  // Before version 4, Spike's TLB (flushAll, not exact) is read with its PTE cache on (and empty).
  const cached = version < 4 ? flushAll === true && exact !== true : pteCache === true
  return right(exact === true ? { ...base, exact: true } : cached ? { ...base, pteCache: true } : base)
}

/**
 * A saved PTE cache (`savedPteCache`) as a cache version, or what is wrong: each kept PTE valid, at an
 * 8-byte-aligned address below 2^53 in a slot of its own; table pages below 2^41, each once; stale
 * addresses among the kept ones.
 */
const pteCacheOf = (c: Record<string, unknown>): Either<string, PteCache> => {
  const { kept, tables, stale } = c as { kept: unknown[]; tables: unknown[]; stale: unknown[] }
  const { pas, ptes } = emptyPteCache()
  const address = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n % 8 === 0
  for (let i = 0; i < kept.length; i++) {
    const k = kept[i]
    if (!Array.isArray(k) || k.length !== 2 || !address(k[0]) || typeof k[1] !== 'bigint' || k[1] < 0n || k[1] >= 1n << 64n || (k[1] & 1n) === 0n) {
      return left(`state.tlb.pteCache.kept[${i}]: expected [address, valid PTE] (an 8-byte-aligned address below 2^53, a 64-bit PTE with V set)`)
    }
    const slot = k[0] % PTE_CACHE_SLOTS
    if (pas[slot]! >= 0) return left(`state.tlb.pteCache.kept[${i}]: slot ${slot} (address mod ${PTE_CACHE_SLOTS}) already holds a PTE`)
    pas[slot] = k[0]
    ptes[slot] = k[1]
  }
  const pages = new Set<number>()
  for (let i = 0; i < tables.length; i++) {
    const pn = tables[i]
    if (typeof pn !== 'number' || !Number.isSafeInteger(pn) || pn < 0 || pn >= 2 ** 41 || pages.has(pn)) return left(`state.tlb.pteCache.tables[${i}]: expected a page number below 2^41, each once`)
    pages.add(pn)
  }
  const old = new Set<number>()
  for (let i = 0; i < stale.length; i++) {
    const pa = stale[i]
    if (!address(pa) || pas[pa % PTE_CACHE_SLOTS] !== pa || old.has(pa)) return left(`state.tlb.pteCache.stale[${i}]: expected the address of a kept PTE, each once`)
    old.add(pa)
  }
  return right({ pas, ptes, tables: pages, stale: old })
}

/** The STAT record of a version-`version` file, checked against a machine out of reset on the ISA and options it names. */
const decodeState = (payload: Uint8Array, version: number): Either<string, { state: State; base: Machine }> => {
  let text: string
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(payload) } catch { return left('not UTF-8') }
  // The codec kit's parser: nesting is bounded (a crafted file cannot overflow the stack of fromJson), errors are values.
  const parsed = parseJson(text)
  if (parsed._tag === 'Left') return left(`${describeSyntaxError(parsed.left)} at offset ${parsed.left.offset} of the record`)
  const value = fromJson(parsed.right, 'state')
  if (value._tag === 'Left') return value
  const s = value.right as Record<string, unknown>
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return left('state: expected a record')
  if (typeof s.isa !== 'string') return left('state.isa: expected a string')
  const isa = parseIsa(s.isa)
  if (isa._tag === 'Left') return left(`state.isa: ${isa.left}`)
  const ramRegion = (r: unknown): r is RamRegion => typeof r === 'object' && r !== null && !Array.isArray(r) && Object.keys(r).length === 2 &&
    typeof (r as RamRegion).base === 'bigint' && typeof (r as RamRegion).size === 'bigint' && (r as RamRegion).size > 0n &&
    (r as RamRegion).base % BigInt(PAGE_BYTES) === 0n && (r as RamRegion).size % BigInt(PAGE_BYTES) === 0n && (r as RamRegion).base + (r as RamRegion).size <= 1n << 56n
  if (!Array.isArray(s.ram) || s.ram.length === 0 || s.ram.length > 64 || !s.ram.every(ramRegion)) {
    return left('state.ram: expected 1 to 64 regions {base, size}, whole pages, ending at or below 2^56')
  }
  if (typeof s.interleave !== 'number' || !Number.isSafeInteger(s.interleave) || s.interleave < 1) return left('state.interleave: expected a positive integer')
  if (typeof s.position !== 'number' || !Number.isSafeInteger(s.position) || s.position < 0) return left('state.position: expected a step count')
  // A machine out of reset with no program: the vessel the saved state is poured into, and the template of its form.
  const base = loadMachine(isa.right, { entry: 0n, flags: 0, segments: [], symbols: new Map(), tohost: none, fromhost: none }, { ram: s.ram, interleave: s.interleave })
  if (base._tag === 'Left') return left(base.left.message)
  // The TLB's shape is the file's own (an exact TLB's is the run's choice): its configuration is checked first, then its sets against it.
  const tlb = s.tlb as { config?: unknown; sets?: unknown } | undefined
  if (typeof tlb !== 'object' || tlb === null || Array.isArray(tlb)) return left('state.tlb: expected a record')
  const configForm = sameForm(tlb.config, version === 1 ? V1_TLB_CONFIG : savedTlbConfig(base.right.tlb.config, version), 'state.tlb.config')
  if (configForm !== undefined) return left(configForm)
  const config = tlbConfigOf(tlb.config as Record<string, unknown>, version)
  if (config._tag === 'Left') return config
  const saved = version >= 4 && config.right.pteCache === true
  const sets = Array.from({ length: config.right.sets }, () => [])
  const template = { isa: s.isa, ram: [], interleave: 0, position: 0, hart: base.right.hart,
    tlb: saved ? { config: tlb.config, sets, pteCache: { kept: [], tables: [], stale: [] } } : { config: tlb.config, sets },
    htif: base.right.htif, devices: base.right.devices, platform: base.right.platform }
  const wrong = sameForm(s, template, 'state')
  if (wrong !== undefined) return left(wrong)
  const crowded = (tlb.sets as unknown[][]).findIndex((set) => set.length > config.right.ways)
  if (crowded >= 0) return left(`state.tlb.sets[${crowded}]: more than ${config.right.ways} entries (the configuration's ways)`)
  const cache = saved ? pteCacheOf((tlb as { pteCache: Record<string, unknown> }).pteCache) : right(undefined)
  if (cache._tag === 'Left') return cache
  return right({ state: { ...s, tlb: { config: config.right, sets: tlb.sets, pteCache: cache.right } } as unknown as State, base: base.right })
}
