// How an instruction reaches memory (fetches, loads, stores, the store probe of AMOs and SC): debug
// triggers first, then the misalignment rule, address translation through the TLB with the context the
// CSRs give (MPRV/MPP/MPV resolved by the caller), PMP, and finally the physical bus: RAM directly, the
// rest through the platform's view (bus.ts).
// Order and trap values follow Spike's riscv/mmu.cc (load_slow_path, store_slow_path, fetch_slow_path).
import { type PhysAddr } from '../bits/address.ts'
import { u64 } from '../bits/bits.ts'
import { type AccessSize, low32, peek, peekWord, poke } from '../memory/memory.ts'
import { type AccessType } from '../mmu/faults.ts'
import { withGuest, withPteCache } from '../mmu/tlb.ts'
import { afterWrite, touchesTables } from '../mmu/pte-cache.ts'
import { accessMode, withCsrs, withReservation } from './hart.ts'
import { effectiveDataMode } from './csr/access.ts'
import { translateOnly } from './translation.ts'
import { CAUSE, type Trap, trap } from './trap.ts'
import { type Exec, type Mode, isTrap, logLoad, logStore } from './exec.ts'
import { inRam } from './bus.ts'
import { anyTriggerArmed, checkTriggers } from './triggers.ts'

// The translation context and the fault → trap mapping are the hart's adapter (translation.ts).
export { contextFor, faultTrap } from './translation.ts'

export const accessFault = (access: AccessType, va: bigint, virt: boolean): Trap =>
  trap(access === 'fetch' ? CAUSE.fetchAccess : access === 'load' ? CAUSE.loadAccess : CAUSE.storeAccess, va, virt)

/** Translates va for one access (TLB, walk, A/D updates) and applies PMP: the physical address or a trap. */
export const translateAccess = (e: Exec, va: bigint, access: AccessType, mode: Mode, len: number, hlvx = false): bigint | Trap => {
  const pa = translateOnly(e, va, access, mode, hlvx, e.accel.context)
  if (isTrap(pa)) return pa
  return e.accel.pmpAllows(e.h.csr, pa, len, access, mode.priv, hlvx) ? pa : accessFault(access, va, mode.virt)
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
  const pa = translateOnly(e, e.pc, 'fetch', mode, false, e.accel.context)
  if (isTrap(pa)) return pa
  // Where the second parcel lies in the same page, its translation is the first's, and it is in the same
  // bus region: one 4-byte bus read returns the bytes of both parcels (as two 2-byte reads would), and
  // PMP allowing all 4 bytes allows each parcel (the entry deciding the 4 bytes is the lowest one matching
  // either half, and covers it; properties/memory/pmp.prop.ts), so one test usually answers for both.
  // Elsewhere, or when that test fails, each parcel is checked and read alone, in Spike's order.
  const c = e.h.csr
  const samePage = (low32(e.pc) & 0xfff) !== 0xffe
  const allows = e.accel.pmpAllows
  const both = samePage && allows(c, pa, 4, 'fetch', mode.priv)
  if (!both && !allows(c, pa, 2, 'fetch', mode.priv)) return accessFault('fetch', e.pc, mode.virt)
  const word = samePage ? wordAt(e, pa) : undefined
  const lo = word !== undefined ? word & 0xffff : parcelAt(e, pa)
  if (lo === undefined) return accessFault('fetch', e.pc, mode.virt)
  if ((lo & 3) !== 3) return lo
  // (The second parcel's address is made only where a trigger could match it or a fault reports it.)
  const bp2 = anyTriggerArmed(e) ? checkTriggers(e, 'execute', u64(e.pc + 2n), 2) : undefined
  if (bp2 !== undefined) return bp2
  let hi: number | Trap
  if (samePage) {
    const allowed = both || allows(c, pa + 2n, 2, 'fetch', mode.priv)
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
  const v = busRead(e, pa, 2)
  return v === undefined ? undefined : Number(v)
}

/** The 32 bits the bus holds at pa as a number (instruction fetch: no bigint made for RAM), or undefined. */
const wordAt = (e: Exec, pa: bigint): number | undefined => {
  if (inRam(e.bus.ram, pa, 4)) return peekWord(e.memory, pa as PhysAddr)
  const v = busRead(e, pa, 4)
  return v === undefined ? undefined : Number(v)
}

// ---- the physical bus ------------------------------------------------------------------------------------
// Below, `pa as PhysAddr`: physical addresses made by translation, already 64-bit.

/** Reads `size` bytes at pa: RAM directly, anything else from the platform; undefined when nothing answers. */
const busRead = (e: Exec, pa: bigint, size: AccessSize): bigint | undefined => {
  if (inRam(e.bus.ram, pa, size)) return peek(e.memory, pa as PhysAddr, size)
  const r = e.bus.load(e.devices, pa, size)
  if (r === undefined) return undefined
  if (r.devices !== e.devices) deviceChanged(e, r.devices)
  return r.value
}

/** Writes the low `size` bytes of value at pa; false when nothing takes the store (an access fault). */
const busWrite = (e: Exec, pa: bigint, size: AccessSize, value: bigint): boolean => {
  if (inRam(e.bus.ram, pa, size)) {
    e.memory = poke(e.memory, pa as PhysAddr, size, value)
    // The model's VMM write-protects guest page tables (--guest-translation shadow): it sees every store.
    if (e.tlb.guest !== undefined) e.tlb = withGuest(e.tlb, e.tlb.guest.wrote(pa, size))
    // Spike's PTE cache keeps what it read: a store to a page table may leave a kept PTE stale (mmu/pte-cache.ts).
    const pc = e.tlb.pteCache
    if (pc !== undefined && pc.tables.size > 0 && touchesTables(pc, pa, size)) {
      const w = afterWrite(pc, pa, size, e.memory)
      e.tlb = withPteCache(e.tlb, w.cache, w.dropTlb)
    }
    return true
  }
  const d = e.bus.store(e.devices, pa, size, value)
  if (d === undefined) return false
  deviceChanged(e, d)
  return true
}

/**
 * The devices changed: the hart's CSRs follow the platform's wires (interrupt lines into mip, mtime into
 * time), as Spike ticks the CLINT by 0 after a store to synchronise time and recompute MTIP.
 */
const deviceChanged = (e: Exec, devices: unknown): void => {
  e.devices = devices
  const c = e.bus.wires(devices, e.h.csr)
  if (c !== e.h.csr) e.h = withCsrs(e.h, c)
}

/** Can pa hold an LR/SC reservation (Spike's sim_t::reservable: RAM only)? */
export const reservable = (e: Exec, pa: bigint, size: AccessSize): boolean => inRam(e.bus.ram, pa, size)


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
    if (!reservable(e, pa, len as AccessSize)) return trap(CAUSE.loadAccess, va, mode.virt)
    e.h = withReservation(e.h, pa)
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

const readPhys = (e: Exec, pa: bigint, size: AccessSize, va: bigint, mode: Mode): bigint | Trap => {
  const v = busRead(e, pa, size)
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
  return busWrite(e, pa, size, value) ? undefined : trap(CAUSE.storeAccess, va, mode.virt)
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
