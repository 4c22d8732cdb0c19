// Shadow page tables: the VMM keeps, for each guest address space, a table in the guest's own format
// that maps guest-virtual addresses straight to host-physical ones, built from the guest's table
// (GVA → GPA) and the VMM's map (GPA → HPA); the hardware walks it with no second stage. Written once
// over `ShadowFormat`. The algorithm (after Adams and Agesen, "A Comparison of Software and Hardware
// Techniques for x86 Virtualization", ASPLOS 2006, and Linux KVM's shadow MMU):
//   1. a shadow miss exits to the VMM, which walks the guest's tables through its own map (the
//      composed walk) and fills one shadow leaf, lazily; `shadowPrefill` fills eagerly;
//   2. every guest page holding a descriptor the VMM read is write-protected: shadow leaves over it are
//      read-only, so a store to it exits, and the VMM performs the store and drops the shadow entries
//      derived from the descriptors it wrote;
//   3. the guest's TLB maintenance (ARM TLBI*, RISC-V SFENCE.VMA / HFENCE.VVMA) drops the entries in
//      its scope, and a change of translation registers the entries depend on drops them all;
//   4. A/D and access-flag emulation: no shadow leaf while the guest's A/AF is clear, a read-only one
//      while its D is clear; the composed walk sets the guest's bits exactly when two-stage hardware
//      would, so the guest sees the same bits;
//   5. one shadow root per (VMID, ASID), at most `maxRoots` of them, least recently used evicted.
import { type Either, left, right, isLeft } from '../../bits/either.ts'
import { phys } from '../../bits/address.ts'
import { type PhysMemory, type AccessSize, emptyMemory, peek, poke, pokeBytes } from '../../memory/memory.ts'
import type { Composed, Geometry, ShadowFormat, ShadowHit, ShadowLeaf } from './format.ts'

export interface ShadowOptions {
  /** Shadow roots kept at once; switching to an address space beyond them evicts the least recently used. */
  readonly maxRoots: number
  /** The host-physical region the VMM allocates shadow tables from (never mapped to a guest). */
  readonly poolBase: bigint
  readonly poolBytes: bigint
}

/** One shadow leaf the VMM installed, with what it was derived from. */
export interface ShadowEntry<A, G> {
  readonly tag: string
  readonly vaBase: bigint
  readonly level: number
  readonly leaf: ShadowLeaf<G>
  readonly global: boolean
  /** Host-physical addresses of the guest descriptors it was built from. */
  readonly deps: readonly bigint[]
  /** Where its descriptor(s) sit in the shadow table (several for a replicated supersection or large page). */
  readonly slots: readonly bigint[]
  /** The access that filled it (a format may encode by it, e.g. RISC-V's U bit under a Bare VS-stage). */
  readonly access: A
  /** The format's own record of the composed translation it was filled from (`Composed.detail`). */
  readonly detail?: unknown
}

interface Allocation {
  readonly addr: bigint
  readonly bytes: number
}

export interface ShadowRoot {
  readonly tag: string
  readonly table: bigint
  /** Every table of this root's tree (the root first). */
  readonly tables: readonly Allocation[]
}

/** The VMM's costs, counted: what the cost table is made of. */
export interface ShadowCounters {
  /** Accesses the hardware finished in the shadow table. */
  readonly hits: number
  /** Exits to the VMM (a shadow walk that did not allow the access). */
  readonly exits: number
  /** Exits that filled a shadow leaf (shadow misses). */
  readonly fills: number
  /** Exits for a store to a write-protected guest page (a guest table page). */
  readonly writeProtectTraps: number
  /** Exits that ended in a fault for the guest (the composed walk faulted too). */
  readonly guestFaults: number
  /** Exits the VMM finished itself without a usable fill (a leaf the format cannot express, or one kept read-only by write-protect). */
  readonly emulated: number
  /** Guest fences the VMM synchronised on. */
  readonly fenceSyncs: number
  /** Register changes that made every entry stale. */
  readonly regimeSyncs: number
  readonly rootEvictions: number
  /** Memory references of the VMM's composed walks, and of the hardware's shadow walks. */
  readonly nestedRefs: number
  readonly shadowRefs: number
  /** Shadow leaves dropped (by write-protect traps, fences, register changes). */
  readonly dropped: number
}

const ZERO_COUNTERS: ShadowCounters = {
  hits: 0, exits: 0, fills: 0, writeProtectTraps: 0, guestFaults: 0, emulated: 0, fenceSyncs: 0, regimeSyncs: 0, rootEvictions: 0,
  nestedRefs: 0, shadowRefs: 0, dropped: 0,
}

export interface ShadowState<R, A, G> {
  /** Host-physical memory as the guest and devices see it: guest RAM where the VMM's map puts it. */
  readonly host: PhysMemory
  /**
   * The VMM's own memory: its shadow tables, at pool addresses. Host-physical too, but kept apart so no
   * guest access, device or memory dump can reach it (a VMM never maps its pool to a guest).
   */
  readonly tables: PhysMemory
  /** The guest's current translation registers (as the VMM last saw them). */
  readonly regs: R
  readonly regimeKey: string
  /** Most recently used first; the first is the current address space's. */
  readonly roots: readonly ShadowRoot[]
  readonly entries: readonly ShadowEntry<A, G>[]
  /** Next free pool address, and tables given back by evicted roots. */
  readonly poolNext: bigint
  readonly poolFree: readonly Allocation[]
  readonly counters: ShadowCounters
  readonly options: ShadowOptions
}

/** A store's data: what a guest store writes once its address is translated. */
export interface StoreData {
  readonly size: AccessSize
  readonly value: bigint
}

/** How the access went: through the shadow, or by an exit and what the VMM did. */
export type AccessPath = 'hit' | 'fill' | 'write-protect trap' | 'guest fault' | 'emulated'

export interface AccessResult<R, A, F, G> {
  readonly state: ShadowState<R, A, G>
  /** What the guest sees: the host-physical address and the size of the region, or its fault. */
  readonly outcome: Either<F, ShadowHit>
  readonly path: AccessPath
  /** The VMM's composed walk, when the access exited to it. */
  readonly composed?: Composed<G>
  /** The shadow entry the hardware found ('hit') or the VMM installed ('fill'). */
  readonly entry?: ShadowEntry<A, G> | undefined
}

// ---- geometry helpers ---------------------------------------------------------------------------------

const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n
const alignDown = (a: bigint, bits: number): bigint => a & ~mask(bits)

/**
 * The largest leaf size the format has that fits a composed region of 2^`bits` bytes: where the guest
 * maps a superpage the VMM's map splits (or the other way round), the shadow holds smaller leaves.
 */
export const fitBits = (g: Geometry, bits: number): number =>
  Math.max(...g.levels.flatMap((l) => l.leafBits).filter((b) => b <= bits))

/** 4 KiB pages are the unit of write-protection. */
const PROTECT_BITS = 12

const pagesOf = (entries: readonly ShadowEntry<unknown, unknown>[]): ReadonlySet<bigint> =>
  new Set(entries.flatMap((e) => e.deps.map((d) => d >> BigInt(PROTECT_BITS))))

const regionHoldsPage = (base: bigint, bits: number, pages: ReadonlySet<bigint>): boolean => {
  for (const p of pages) {
    const a = p << BigInt(PROTECT_BITS)
    if (a >= base && a < base + (1n << BigInt(bits))) return true
  }
  return false
}

/** Does the geometry index `va` without aliasing: every bit above its top level a copy of the top bit (or zero)? */
const indexable = (g: Geometry, va: bigint): boolean => {
  const top = g.levels[0]!.shift + g.levels[0]!.indexBits
  const high = va >> BigInt(top - 1)
  return high === 0n || high === (1n << BigInt(65 - top)) - 1n
}

/** The entry of root `tag` that maps `va`, if any. */
const entryAt = <A, G>(s: ShadowState<unknown, A, G>, tag: string, va: bigint): ShadowEntry<A, G> | undefined =>
  s.entries.find((e) => e.tag === tag && entryCovers(e, va))

const entryCovers = (e: ShadowEntry<unknown, unknown>, va: bigint): boolean =>
  va >= e.vaBase && va < e.vaBase + (1n << BigInt(e.leaf.pageBits))

const entriesOverlap = (e: ShadowEntry<unknown, unknown>, base: bigint, bits: number): boolean =>
  e.vaBase < base + (1n << BigInt(bits)) && base < e.vaBase + (1n << BigInt(e.leaf.pageBits))

// ---- state -----------------------------------------------------------------------------------------

const withState = <R, A, G>(s: ShadowState<R, A, G>, over: Partial<ShadowState<R, A, G>>): ShadowState<R, A, G> => ({ ...s, ...over })

const count = (c: ShadowCounters, over: Partial<ShadowCounters>): ShadowCounters => ({ ...c, ...over })

/** Takes a zeroed table of `bytes` from the pool (aligned to its size), or undefined when the pool is spent. */
const allocate = <R, A, G>(s: ShadowState<R, A, G>, bytes: number): { state: ShadowState<R, A, G>; addr: bigint } | undefined => {
  const reuse = s.poolFree.findIndex((f) => f.bytes === bytes)
  let addr: bigint
  let poolNext = s.poolNext
  let poolFree = s.poolFree
  if (reuse >= 0) {
    addr = s.poolFree[reuse]!.addr
    poolFree = s.poolFree.filter((_, i) => i !== reuse)
  } else {
    addr = (s.poolNext + BigInt(bytes) - 1n) & ~BigInt(bytes - 1)
    if (addr + BigInt(bytes) > s.options.poolBase + s.options.poolBytes) return undefined
    poolNext = addr + BigInt(bytes)
  }
  const tables = pokeBytes(s.tables, phys(addr), new Uint8Array(bytes))
  return { state: withState(s, { tables, poolNext, poolFree }), addr }
}

/** Table memory the VMM holds for shadows now, in bytes. */
export const shadowTableBytes = (s: ShadowState<unknown, unknown, unknown>): number =>
  s.roots.reduce((n, r) => n + r.tables.reduce((m, t) => m + t.bytes, 0), 0)

/** The state of a VMM that has just taken over the guest: one empty root for its current address space. */
export const shadowInit = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, host: PhysMemory, regs: R, options: ShadowOptions): ShadowState<R, A, G> => {
  const s0: ShadowState<R, A, G> = {
    host, tables: emptyMemory([{ name: 'shadow table pool', base: options.poolBase, size: options.poolBytes, kind: 'ram' }]), regs, regimeKey: format.regimeKey(regs), roots: [], entries: [], poolNext: options.poolBase, poolFree: [],
    counters: ZERO_COUNTERS, options,
  }
  return selectRoot(format, s0, format.tag(regs))
}

/** Makes the root of `tag` current: found in the cache, or a new empty one (evicting the least recently used). */
const selectRoot = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, tag: string): ShadowState<R, A, G> => {
  const found = s.roots.find((r) => r.tag === tag)
  if (found !== undefined) return withState(s, { roots: [found, ...s.roots.filter((r) => r !== found)] })
  let s1 = s
  if (s.roots.length >= s.options.maxRoots) {
    // Evict the least recently used root: its entries go, its tables return to the pool.
    const victim = s.roots[s.roots.length - 1]!
    const gone = s.entries.filter((e) => e.tag === victim.tag).length
    s1 = withState(s, {
      roots: s.roots.slice(0, -1),
      entries: s.entries.filter((e) => e.tag !== victim.tag),
      poolFree: [...s.poolFree, ...victim.tables],
      counters: count(s.counters, { rootEvictions: s.counters.rootEvictions + 1, dropped: s.counters.dropped + gone }),
    })
  }
  const rootBytes = format.geometry.levels[0]!.tableBytes
  const a = allocate(s1, rootBytes)
  if (a === undefined) throw new Error(`shadow table pool of ${s.options.poolBytes} bytes cannot hold another root`)
  const root: ShadowRoot = { tag, table: a.addr, tables: [{ addr: a.addr, bytes: rootBytes }] }
  return withState(a.state, { roots: [root, ...a.state.roots] })
}

/** Writes invalid descriptors over the slots of `dropped` and forgets them. */
const dropEntries = <R, A, G>(s: ShadowState<R, A, G>, entryBytes: 4 | 8, drop: (e: ShadowEntry<A, G>) => boolean): ShadowState<R, A, G> => {
  const dropped = s.entries.filter(drop)
  if (dropped.length === 0) return s
  let tables = s.tables
  for (const e of dropped) for (const slot of e.slots) tables = poke(tables, phys(slot), entryBytes, 0n)
  return withState(s, {
    tables, entries: s.entries.filter((e) => !drop(e)), counters: count(s.counters, { dropped: s.counters.dropped + dropped.length }),
  })
}

/**
 * Step 2, write-protect: every writable leaf over a page now holding a guest descriptor is made
 * read-only, so the next store to it exits.
 */
const protect = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>): ShadowState<R, A, G> => {
  const pages = pagesOf(s.entries)
  let tables = s.tables
  const entries = s.entries.map((e) => {
    if (!e.leaf.writable || !regionHoldsPage(e.leaf.hpaBase, e.leaf.pageBits, pages)) return e
    const leaf: ShadowLeaf<G> = { ...e.leaf, writable: false }
    const d = format.encodeLeaf(e.level, leaf, e.access) ?? 0n
    for (const slot of e.slots) tables = poke(tables, phys(slot), format.geometry.entryBytes, d)
    return { ...e, leaf }
  })
  return withState(s, { tables, entries })
}

/**
 * Step 1, fill: installs the shadow leaf for a composed translation in the current root, making the
 * intermediate tables it needs. The leaf maps the largest region the format can express around the
 * access; write is withheld while the guest's D is clear or a guest table lies in the region.
 */
const fill = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, va: bigint, c: Composed<G>, access: A): ShadowState<R, A, G> => {
  const g = format.geometry
  // An address the shadow's root cannot index (above its top level, not sign-extended) would alias
  // another: it stays out of the shadow, and the VMM emulates its accesses.
  if (!indexable(g, va)) return s
  const root = s.roots[0]!
  // Split: the shadow leaf is the largest the format has inside the composed region.
  const bits = fitBits(g, c.pageBits)
  const vaBase = alignDown(va, bits)
  const hpaBase = c.hpaBase + (vaBase - c.vaBase)
  const pages = new Set([...pagesOf(s.entries), ...c.deps.map((d) => d >> BigInt(PROTECT_BITS))])
  const writable = c.dirty && !regionHoldsPage(hpaBase, bits, pages)
  const leaf: ShadowLeaf<G> = { hpaBase, pageBits: bits, grant: c.grant, writable }
  // An older entry of this root over the same addresses goes first.
  let s1 = dropEntries(s, g.entryBytes, (e) => e.tag === root.tag && entriesOverlap(e, vaBase, bits))
  let table = root.table
  let tables = root.tables
  for (let level = 0; level < g.levels.length; level++) {
    const l = g.levels[level]!
    const index = (vaBase >> BigInt(l.shift)) & mask(l.indexBits)
    const slot = table + index * BigInt(g.entryBytes)
    if (l.leafBits.includes(bits)) {
      const d = format.encodeLeaf(level, leaf, access)
      if (d === undefined) return s
      const slots = Array.from({ length: 1 << (bits - l.shift) }, (_, k) => slot + BigInt(k * g.entryBytes))
      let mem = s1.tables
      for (const a of slots) mem = poke(mem, phys(a), g.entryBytes, d)
      const entry: ShadowEntry<A, G> = { tag: root.tag, vaBase, level, leaf, global: c.global, deps: c.deps, slots, access, ...(c.detail === undefined ? {} : { detail: c.detail }) }
      const roots = [{ ...root, tables }, ...s1.roots.slice(1)]
      return protect(format, withState(s1, { tables: mem, roots, entries: [...s1.entries, entry] }))
    }
    const next = format.nextTable(level, peek(s1.tables, phys(slot), g.entryBytes))
    if (next !== undefined) { table = next; continue }
    const bytes = g.levels[level + 1]!.tableBytes
    const a = allocate(s1, bytes)
    if (a === undefined) return s
    s1 = withState(a.state, { tables: poke(a.state.tables, phys(slot), g.entryBytes, format.encodeTable(level, a.addr)) })
    tables = [...tables, { addr: a.addr, bytes }]
    table = a.addr
  }
  return s
}

/** Drops the entries built from a descriptor whose value differs between `before` and the state's host memory. */
const forgetChanged = <R, A, G>(s: ShadowState<R, A, G>, before: PhysMemory, entryBytes: 4 | 8): ShadowState<R, A, G> => {
  if (s.host === before) return s
  const changed = (d: bigint): boolean => peek(before, phys(d), entryBytes) !== peek(s.host, phys(d), entryBytes)
  return dropEntries(s, entryBytes, (e) => e.deps.some(changed))
}

const storeData = (host: PhysMemory, hpa: bigint, data: StoreData | undefined): PhysMemory =>
  data === undefined ? host : poke(host, phys(hpa), data.size, data.value)

/**
 * One guest access through the shadow. The hardware walks the current shadow root; when that does
 * not allow the access, the VMM takes the exit: it runs the composed walk (which sets the guest's A/D
 * as hardware would) and either delivers the guest's fault, performs a store to a write-protected
 * page and drops the entries derived from what it overwrote, or fills the shadow leaf and lets the
 * hardware retry. A store's data is written where the access lands.
 */
export const shadowAccess = <R, A, F, G>(
  format: ShadowFormat<R, A, F, G>, s0: ShadowState<R, A, G>, va: bigint, access: A, data?: StoreData,
): AccessResult<R, A, F, G> => {
  const root = s0.roots[0]!
  const w = format.shadowWalk(s0.tables, root.table, s0.regs, va, access)
  const c0 = count(s0.counters, { shadowRefs: s0.counters.shadowRefs + w.refs })
  if (w.hit !== undefined) {
    const s1 = withState(s0, { host: storeData(s0.host, w.hit.hpa, data), counters: count(c0, { hits: c0.hits + 1 }) })
    return { state: s1, outcome: right(w.hit), path: 'hit', entry: entryAt(s1, root.tag, va) }
  }
  // The exit: the VMM walks the guest's tables through its own map.
  const n = format.nested(s0.host, s0.regs, va, access)
  const c1 = count(c0, { exits: c0.exits + 1, nestedRefs: c0.nestedRefs + n.refs })
  // The composed walk's A/D updates are the VMM's own writes to guest descriptors: what was built from them goes.
  const s1 = forgetChanged(withState(s0, { host: n.host, counters: c1 }), s0.host, format.geometry.entryBytes)
  if (isLeft(n.result)) {
    return { state: withState(s1, { counters: count(c1, { guestFaults: c1.guestFaults + 1 }) }), outcome: n.result, path: 'guest fault' }
  }
  const c = n.result.right
  const hpaPage = c.hpa >> BigInt(PROTECT_BITS)
  if (format.isStore(access) && pagesOf(s1.entries).has(hpaPage)) {
    // Step 2: a store to a guest table page. The VMM performs it, then drops what it made stale.
    const size = BigInt(data?.size ?? 1)
    const s2 = withState(s1, { host: storeData(s1.host, c.hpa, data), counters: count(c1, { writeProtectTraps: c1.writeProtectTraps + 1 }) })
    const s3 = dropEntries(s2, format.geometry.entryBytes, (e) => e.deps.some((d) => d + BigInt(format.geometry.entryBytes) > c.hpa && d < c.hpa + size))
    return { state: s3, outcome: right({ hpa: c.hpa, pageBits: fitBits(format.geometry, c.pageBits) }), path: 'write-protect trap', composed: c }
  }
  // Step 1 (and 4): fill, unless the guest's access flag is still clear.
  const s2 = c.accessed ? fill(format, s1, va, c, access) : s1
  const retry = format.shadowWalk(s2.tables, s2.roots[0]!.table, s2.regs, va, access)
  if (retry.hit !== undefined) {
    const s3 = withState(s2, {
      host: storeData(s2.host, retry.hit.hpa, data),
      counters: count(s2.counters, { fills: s2.counters.fills + 1, shadowRefs: s2.counters.shadowRefs + retry.refs }),
    })
    return { state: s3, outcome: right(retry.hit), path: 'fill', composed: c, entry: entryAt(s3, s3.roots[0]!.tag, va) }
  }
  // The shadow cannot hold it (e.g. a permission the format cannot express): the VMM emulates the access.
  const s3 = withState(s2, { host: storeData(s2.host, c.hpa, data), counters: count(s2.counters, { emulated: s2.counters.emulated + 1 }) })
  return { state: s3, outcome: right({ hpa: c.hpa, pageBits: fitBits(format.geometry, c.pageBits) }), path: 'emulated', composed: c }
}

/**
 * A write to guest memory that does not come through the guest's shadow (the VMM's own, a device's
 * DMA): it passes the same write-protect check, so shadow entries derived from what it overwrites go.
 */
export const shadowHostWrite = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, hpa: bigint, data: StoreData): ShadowState<R, A, G> => {
  const s1 = withState(s, { host: poke(s.host, phys(hpa), data.size, data.value) })
  const hit = (d: bigint) => d + BigInt(format.geometry.entryBytes) > hpa && d < hpa + BigInt(data.size)
  if (!s.entries.some((e) => e.deps.some(hit))) return s1
  return dropEntries(withState(s1, { counters: count(s1.counters, { writeProtectTraps: s1.counters.writeProtectTraps + 1 }) }), format.geometry.entryBytes, (e) => e.deps.some(hit))
}

/**
 * The VMM learns that host memory [hpa, hpa + bytes) changed (its own A/D emulation, or a write it
 * took a trap for and counts itself): the shadow entries derived from descriptors there are dropped.
 */
export const shadowForget = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, hpa: bigint, bytes: number): ShadowState<R, A, G> => {
  const hit = (d: bigint) => d + BigInt(format.geometry.entryBytes) > hpa && d < hpa + BigInt(bytes)
  return s.entries.some((e) => e.deps.some(hit)) ? dropEntries(s, format.geometry.entryBytes, (e) => e.deps.some(hit)) : s
}

/** The 4 KiB pages (as page numbers) the VMM write-protects: every page holding a descriptor a shadow entry was built from. */
export const protectedPages = (s: ShadowState<unknown, unknown, unknown>): ReadonlySet<bigint> => pagesOf(s.entries)

/** The scope of a guest TLB maintenance operation, as the VMM sees it. */
export type FenceScope =
  | { readonly kind: 'all' }
  /** Every entry of one address space (ARM TLBIASID; SFENCE.VMA x0, asid). */
  | { readonly kind: 'asid'; readonly tag: string }
  /** One address: in one address space plus global entries (TLBIMVA; SFENCE.VMA va, asid), or in all (`tag` undefined: TLBIMVAA; SFENCE.VMA va, x0). */
  | { readonly kind: 'va'; readonly va: bigint; readonly tag: string | undefined }
  /** The entries of every root whose tag `tags` accepts, at one address (`va`) or all: a format whose tags say more than the ASID (the hart's: the root's table too). */
  | { readonly kind: 'tags'; readonly tags: (tag: string) => boolean; readonly va: bigint | undefined }

/** Step 3: the guest's fence drops the shadow entries in its scope. */
export const shadowFence = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, scope: FenceScope): ShadowState<R, A, G> => {
  const inScope = (e: ShadowEntry<A, G>): boolean => {
    switch (scope.kind) {
      case 'all': return true
      case 'asid': return e.tag === scope.tag
      case 'va': return entryCovers(e, scope.va) && (scope.tag === undefined || e.tag === scope.tag || e.global)
      case 'tags': return scope.tags(e.tag) && (scope.va === undefined || entryCovers(e, scope.va))
    }
  }
  const s1 = dropEntries(s, format.geometry.entryBytes, inScope)
  return withState(s1, { counters: count(s1.counters, { fenceSyncs: s1.counters.fenceSyncs + 1 }) })
}

/**
 * The guest changed its translation registers (a trapped write: TTBR/TTBCR/DACR/SCTLR/CONTEXTIDR, or
 * vsatp under hstatus.VTVM). A new address space selects its root; a change to what entries depend
 * on drops them all. A new table base under the same ASID needs the guest's own fence, as on hardware.
 */
export const shadowSetRegs = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, regs: R): ShadowState<R, A, G> => {
  const key = format.regimeKey(regs)
  let s1 = withState(s, { regs })
  if (key !== s.regimeKey) {
    s1 = dropEntries(s1, format.geometry.entryBytes, () => true)
    s1 = withState(s1, { regimeKey: key, counters: count(s1.counters, { regimeSyncs: s1.counters.regimeSyncs + 1 }) })
  }
  return selectRoot(format, s1, format.tag(regs))
}

/**
 * Eager fill: installs the shadow leaf for `va` without an access, when the composed walk allows
 * `access` and would change nothing in the guest's memory (its A/D already set); otherwise the state
 * is unchanged and the first access will fault in as usual.
 */
export const shadowPrefill = <R, A, F, G>(format: ShadowFormat<R, A, F, G>, s: ShadowState<R, A, G>, va: bigint, access: A): ShadowState<R, A, G> => {
  const n = format.nested(s.host, s.regs, va, access)
  if (isLeft(n.result) || n.host !== s.host || !n.result.right.accessed) return s
  return fill(format, s, va, n.result.right, access)
}

/**
 * The reference the shadow must equal: the same access by two-stage hardware, i.e. the composed
 * walk, then the store's data where it lands. Page size as the shadow would hold it (`fitBits`).
 */
export const nestedAccess = <R, A, F, G>(
  format: ShadowFormat<R, A, F, G>, host: PhysMemory, regs: R, va: bigint, access: A, data?: StoreData,
): { host: PhysMemory; outcome: Either<F, ShadowHit>; refs: number } => {
  const n = format.nested(host, regs, va, access)
  if (isLeft(n.result)) return { host: n.host, outcome: left(n.result.left), refs: n.refs }
  const c = n.result.right
  return { host: storeData(n.host, c.hpa, data), outcome: right({ hpa: c.hpa, pageBits: fitBits(format.geometry, c.pageBits) }), refs: n.refs }
}
