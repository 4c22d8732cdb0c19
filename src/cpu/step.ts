// One instruction, or one trap, as a pure function of the machine: `step(machine) → { machine', event }`.
// This is the readable specification of the hart (unprivileged ISA for RV64IMAC, Zicsr, Zifencei,
// Zicntr; Priv. ISA for M/S/U and the H extension). Check order and trap values follow Spike
// (riscv/insns/*.h, riscv/mmu.cc, riscv/processor.cc at 55b4658) wherever the spec leaves a choice.
//
// Inside one call the effects of the instruction are gathered in a local record (`Exec`) that never
// escapes: the machine passed in is never modified, and the result is a new Machine built with
// constructor functions. A trap discards every effect of the instruction except TLB refills.
import { type Either, isLeft } from '../bits/either.ts'
import { type VirtAddr } from '../bits/address.ts'
import { sext, u64, s64, MASK64 } from '../bits/bits.ts'
import { type AccessSize, type PhysMemory, peek } from '../memory/memory.ts'
import { phys } from '../bits/address.ts'
import { type AccessType, type TranslationFault } from '../mmu/faults.ts'
import { type Translation, type TranslationContext, type Privilege } from '../mmu/translate.ts'
import { type Tlb, translateCached, sfenceVma, hfenceVvma, hfenceGvma } from '../mmu/tlb.ts'
import { type Insn, decodeInstruction } from './decode/index.ts'
import { type Csrs, type Hart, type Priv, PRV_M, PRV_S, PRV_U, hart } from './hart.ts'
import { type Isa, effectiveIsa } from './isa.ts'
import {
  CSR, MCONTROL, csrDenial, csrRead, csrWrite, effectiveDataMode, henvcfgRead, hypervisorAccessMode, legalizeMstatus, midelegRead, mipRead,
} from './csr/access.ts'
import {
  ENVCFG_ADUE, ENVCFG_PBMTE, HSTATUS_HU, MIP_MSIP, MIP_MTIP, HSTATUS_SPV, HSTATUS_VTSR, HSTATUS_VTVM, HSTATUS_VTW, MSTATUS_MIE, MSTATUS_MPIE,
  MSTATUS_MPP, MSTATUS_MPRV, MSTATUS_MPV, MSTATUS_MXR, MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP, MSTATUS_SUM, MSTATUS_TSR,
  MSTATUS_TVM, MSTATUS_TW, getField, setField,
} from './csr/fields.ts'
import { pmpAllows } from './pmp.ts'
import { CAUSE, INTERRUPT_BIT, type Trap, illegalInstruction, takeTrap, trap, virtualInstruction } from './trap.ts'
import { type MemRead, type MemWrite, type StepEvent } from './event.ts'
import { type Machine, type Platform, CLINT_BASE, CLINT_SIZE, SPIKE_INSNS_PER_RTC_TICK, machine, platform } from '../machine/machine.ts'
import { busRead, busWrite, reservable } from '../machine/bus.ts'
import { exitCommand, htif as htifOf, serviceHtif } from '../machine/htif.ts'

export interface StepResult {
  readonly machine: Machine
  readonly event: StepEvent
}

// ---- the per-instruction effect record -------------------------------------------------------------

interface Exec {
  readonly isa: Isa
  readonly pc: bigint
  /** The fetched bits (16 for compressed, 32 otherwise): illegal/virtual-instruction tval. */
  bits: number
  h: Hart
  memory: PhysMemory
  tlb: Tlb
  rd: number
  rdValue: bigint
  logged: number[]
  loads: MemRead[]
  stores: MemWrite[]
  wroteInstret: boolean
  wroteCycle: boolean
  /** Logged CSR values fixed at write time (see CsrWrite.values). */
  loggedValues: Map<number, bigint> | undefined
  /** The CLINT registers (a CLINT store changes them). */
  mtime: bigint
  mtimecmp: bigint
  /** Triggers with `hit` set by a trigger that fired (kept although the instruction traps, as in Spike). */
  firedTriggers: Csrs['triggers'] | undefined
}

const isTrap = (r: unknown): r is Trap => typeof r === 'object'

const writeRd = (e: Exec, rd: number, value: bigint): void => {
  if (rd === 0) return
  e.h = hart(e.h.pc, e.h.x.with(rd, value), e.h.priv, e.h.virt, e.h.csr, e.h.reservation, e.h.instret, e.h.cycle)
  e.rd = rd
  e.rdValue = value
}

const setCsrs = (e: Exec, csr: Csrs, logged: readonly number[]): void => {
  e.h = hart(e.h.pc, e.h.x, e.h.priv, e.h.virt, csr, e.h.reservation, e.h.instret, e.h.cycle)
  for (const n of logged) e.logged.push(n)
}

// ---- translation context, memoised per (immutable) CSR file and mode: a pure cache ------------------

const PRIV_NAMES: readonly Privilege[] = ['U', 'S', 'S', 'M']
const contexts = new WeakMap<Csrs, (TranslationContext | undefined)[]>()

const contextFor = (c: Csrs, isa: Isa, priv: Priv, virt: boolean): TranslationContext => {
  let slots = contexts.get(c)
  if (slots === undefined) { slots = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]; contexts.set(c, slots) }
  const i = priv * 2 + (virt ? 1 : 0)
  const known = slots[i]
  if (known !== undefined) return known
  const henv = henvcfgRead(c)
  const ctx: TranslationContext = {
    priv: PRIV_NAMES[priv]!, virt,
    satp: c.satp, vsatp: c.vsatp, hgatp: c.hgatp,
    mstatus: { sum: (c.mstatus & MSTATUS_SUM) !== 0n, mxr: (c.mstatus & MSTATUS_MXR) !== 0n },
    vsstatus: { sum: (c.vsstatus & MSTATUS_SUM) !== 0n, mxr: (c.vsstatus & MSTATUS_MXR) !== 0n },
    menvcfg: { adue: (c.menvcfg & ENVCFG_ADUE) !== 0n, pbmte: (c.menvcfg & ENVCFG_PBMTE) !== 0n },
    henvcfg: { adue: (henv & ENVCFG_ADUE) !== 0n, pbmte: (henv & ENVCFG_PBMTE) !== 0n },
    svnapot: isa.svnapot,
    // Implicit page-table accesses are checked by PMP as S-mode accesses.
    physCheck: (pa, size, op) => pmpAllows(c, pa as bigint, size, op === 'read' ? 'load' : 'store', PRV_S),
  }
  slots[i] = ctx
  return ctx
}

interface Mode { readonly priv: Priv; readonly virt: boolean }

const faultTrap = (f: TranslationFault, virt: boolean): Trap =>
  trap(f.cause, f.tval, f._tag === 'GuestPageFault' ? true : virt, f.htval, f.tinst)

const accessFault = (access: AccessType, va: bigint, virt: boolean): Trap =>
  trap(access === 'fetch' ? CAUSE.fetchAccess : access === 'load' ? CAUSE.loadAccess : CAUSE.storeAccess, va, virt)

/** Translates va for one access (TLB, walk, A/D updates) and applies PMP: the physical address or a trap. */
const translateAccess = (e: Exec, va: bigint, access: AccessType, mode: Mode, len: number, hlvx = false): bigint | Trap => {
  if (!mode.virt && (mode.priv === PRV_M || e.h.csr.satp >> 60n === 0n)) {
    // No translation (M-mode, or satp = Bare): the address is physical, exactly as `translate` decides.
    return pmpAllows(e.h.csr, va, len, access, mode.priv, hlvx) ? va : accessFault(access, va, mode.virt)
  }
  const ctx = contextFor(e.h.csr, e.isa, mode.priv, mode.virt)
  const out = translateCached(e.tlb, e.memory, ctx, { va: va as VirtAddr, access, hlvx })
  e.tlb = out.tlb
  e.memory = out.memory
  const r: Either<TranslationFault, Translation> = out.result
  if (isLeft(r)) return faultTrap(r.left, mode.virt)
  const pa = r.right.pa as bigint
  if (!pmpAllows(e.h.csr, pa, len, access, mode.priv, hlvx)) return accessFault(access, va, mode.virt)
  return pa
}

// ---- fetch ---------------------------------------------------------------------------------------------

/** Fetches one 16-bit parcel (Spike fetches 32-bit instructions as two parcels, each translated). */
const fetchParcel = (e: Exec, va: bigint): number | Trap => {
  const mode: Mode = { priv: e.h.priv, virt: e.h.virt }
  const pa = translateAccess(e, va, 'fetch', mode, 2)
  if (isTrap(pa)) return pa
  const v = busRead(e.memory, pa, 2)
  if (v === undefined) return accessFault('fetch', va, mode.virt)
  return Number(v)
}

const fetch = (e: Exec): number | Trap => {
  const mode: Mode = { priv: e.h.priv, virt: e.h.virt }
  const bp = checkTriggers(e, 'execute', e.pc, 2)
  if (bp !== undefined) return bp
  const pa = translateAccess(e, e.pc, 'fetch', mode, 2)
  if (isTrap(pa)) return pa
  const lo = busRead(e.memory, pa, 2)
  if (lo === undefined) return accessFault('fetch', e.pc, mode.virt)
  if ((lo & 3n) !== 3n) return Number(lo)
  let hi: number | Trap
  const bp2 = checkTriggers(e, 'execute', u64(e.pc + 2n), 2)
  if (bp2 !== undefined) return bp2
  if ((e.pc & 0xfffn) !== 0xffen) {
    // Same page: the second parcel's translation is the first's; PMP and the bus are still checked for it.
    const v = pmpAllows(e.h.csr, pa + 2n, 2, 'fetch', mode.priv) ? busRead(e.memory, pa + 2n, 2) : undefined
    hi = v === undefined ? accessFault('fetch', u64(e.pc + 2n), mode.virt) : Number(v)
  } else {
    hi = fetchParcel(e, u64(e.pc + 2n))
  }
  if (isTrap(hi)) return hi
  return (Number(lo) | (hi << 16)) >>> 0
}

// ---- decode (memoised by instruction word: a pure memo) --------------------------------------------------

const decoded = new Map<number, Insn>()
export const decodeMemo = (bits: number): Insn => {
  let insn = decoded.get(bits)
  if (insn === undefined) {
    insn = decodeInstruction(bits)
    if (decoded.size > 1 << 16) decoded.clear()
    decoded.set(bits, insn)
  }
  return insn
}

/** Is the decoded instruction part of the configured ISA? Otherwise it is an illegal instruction. */
export const implemented = (insn: Insn, isa: Isa): boolean => {
  if (insn.length === 2 && !isa.c) return false
  switch (insn._tag) {
    case 'R': return isa.m || !MUL_DIV.has(insn.op)
    case 'Amo': return isa.a
    case 'Hlv': case 'Hsv': return isa.h
    case 'FenceVma': return insn.op === 'sfence.vma' ? isa.s : isa.h
    case 'System': return insn.op === 'fence.i' ? isa.zifencei : insn.op === 'sret' ? isa.s : true
    default: return true
  }
}
const MUL_DIV = new Set(['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw'])

// ---- data accesses ---------------------------------------------------------------------------------------

interface LoadOpts { readonly mode?: Mode; readonly hlvx?: boolean; readonly lr?: boolean }

/** Reads `size` bytes at va for a load (Spike's load_slow_path), logging it; the zero-extended value or a trap. */
const load = (e: Exec, va: bigint, size: AccessSize, opts: LoadOpts = {}): bigint | Trap => {
  const mode = opts.mode ?? effectiveDataMode(e.h)
  const bp = checkTriggers(e, 'load', va, size)
  if (bp !== undefined) return bp
  let value: bigint
  if ((va & BigInt(size - 1)) !== 0n) {
    if (!e.isa.misalignedInHardware) return trap(CAUSE.misalignedLoad, va, mode.virt)
    if (opts.lr === true) return trap(CAUSE.loadAccess, va, mode.virt)
    // Performed in hardware as Spike does: the part in the first page, then the rest in the next page,
    // each translated on its own (so a fault in the second page reports that part's address).
    const len0 = Math.min(size, 4096 - Number(va & 0xfffn))
    const v0 = loadPart(e, va, len0, mode, opts)
    if (isTrap(v0)) return v0
    value = v0
    if (len0 < size) {
      const v1 = loadPart(e, u64(va + BigInt(len0)), size - len0, mode, opts)
      if (isTrap(v1)) return v1
      value |= v1 << BigInt(8 * len0)
    }
  } else {
    const v = loadPart(e, va, size, mode, opts)
    if (isTrap(v)) return v
    value = v
  }
  e.loads.push({ va, size })
  return value
}

const isAccessSize = (n: number): n is AccessSize => n === 1 || n === 2 || n === 4 || n === 8

/** One translated piece of a load: `len` bytes at va, all in one page. */
const loadPart = (e: Exec, va: bigint, len: number, mode: Mode, opts: LoadOpts): bigint | Trap => {
  const pa = translateAccess(e, va, 'load', mode, len, opts.hlvx === true)
  if (isTrap(pa)) return pa
  if (opts.lr === true) {
    if (!reservable(e.memory, pa, len as AccessSize)) return trap(CAUSE.loadAccess, va, mode.virt)
    e.h = hart(e.h.pc, e.h.x, e.h.priv, e.h.virt, e.h.csr, pa, e.h.instret, e.h.cycle)
  }
  if (isAccessSize(len) && (pa & BigInt(len - 1)) === 0n) return readPhys(e, pa, len, va, mode)
  let v = 0n
  for (let i = len - 1; i >= 0; i--) {
    const b = readPhys(e, pa + BigInt(i), 1, va, mode)
    if (isTrap(b)) return b
    v = (v << 8n) | b
  }
  return v
}

const inClint = (pa: bigint, size: number): boolean => pa >= CLINT_BASE && pa + BigInt(size) <= CLINT_BASE + CLINT_SIZE

const readPhys = (e: Exec, pa: bigint, size: AccessSize, va: bigint, mode: Mode): bigint | Trap => {
  if (inClint(pa, size)) return clintLoad(e, pa - CLINT_BASE, size)
  const v = busRead(e.memory, pa, size)
  return v === undefined ? trap(CAUSE.loadAccess, va, mode.virt) : v
}

/** Writes the low `size` bytes of value at va (Spike's store_slow_path), logging it; undefined or a trap. */
const store = (e: Exec, va: bigint, size: AccessSize, value: bigint, mode: Mode = effectiveDataMode(e.h)): Trap | undefined => {
  const bp = checkTriggers(e, 'store', va, size)
  if (bp !== undefined) return bp
  if ((va & BigInt(size - 1)) !== 0n) {
    if (!e.isa.misalignedInHardware) return trap(CAUSE.misalignedStore, va, mode.virt)
    const len0 = Math.min(size, 4096 - Number(va & 0xfffn))
    const t0 = storePart(e, va, len0, value, mode)
    if (t0 !== undefined) return t0
    if (len0 < size) {
      const t1 = storePart(e, u64(va + BigInt(len0)), size - len0, value >> BigInt(8 * len0), mode)
      if (t1 !== undefined) return t1
    }
  } else {
    const t = storePart(e, va, size, value, mode)
    if (t !== undefined) return t
  }
  e.stores.push({ va, value: BigInt.asUintN(8 * size, value), size })
  return undefined
}

/** One translated piece of a store: `len` bytes at va, all in one page. */
const storePart = (e: Exec, va: bigint, len: number, value: bigint, mode: Mode): Trap | undefined => {
  const pa = translateAccess(e, va, 'store', mode, len)
  if (isTrap(pa)) return pa
  if (isAccessSize(len) && (pa & BigInt(len - 1)) === 0n) return writePhys(e, pa, len, value, va, mode)
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
const probeStore = (e: Exec, va: bigint, size: AccessSize, mode: Mode): bigint | Trap => {
  const bp = checkTriggers(e, 'store', va, size)
  if (bp !== undefined) return bp
  if ((va & BigInt(size - 1)) !== 0n) {
    return trap(e.isa.misalignedInHardware ? CAUSE.storeAccess : CAUSE.misalignedStore, va, mode.virt)
  }
  return translateAccess(e, va, 'store', mode, size)
}

/** AMO and SC report load faults as store faults (Spike's convert_load_traps_to_store_traps). */
const asStoreTrap = (t: Trap): Trap => {
  const c = t.cause === CAUSE.misalignedLoad ? CAUSE.misalignedStore
    : t.cause === CAUSE.loadPageFault ? CAUSE.storePageFault
    : t.cause === CAUSE.loadAccess ? CAUSE.storeAccess
    : t.cause === CAUSE.loadGuestPageFault ? CAUSE.storeGuestPageFault : t.cause
  return trap(c, t.tval, t.gva, t.tval2, t.tinst)
}

// ---- the CLINT (Spike's riscv/clint.cc): msip at 0x0, mtimecmp at 0x4000, mtime at 0xbff8 ----------------

const MTIMECMP = 0x4000n, MTIME = 0xbff8n

/** The bytes [off, off+size) of a little-endian register of `width` bytes at `base` holding `value`. */
const regBytes = (value: bigint, base: bigint, width: bigint, off: bigint, size: number): bigint =>
  off >= base && off + BigInt(size) <= base + width ? BigInt.asUintN(8 * size, value >> (8n * (off - base))) : 0n

const clintLoad = (e: Exec, off: bigint, size: AccessSize): bigint => {
  if (off < MTIMECMP) {
    // 32-bit msip registers, one per hart; only hart 0 exists
    const msip = (e.h.csr.mip & MIP_MSIP) !== 0n ? 1n : 0n
    return size === 8 ? regBytes(msip, 0n, 4n, off, 4) : regBytes(msip, 0n, 4n, off, size)
  }
  if (off < MTIME) return regBytes(e.mtimecmp, MTIMECMP, 8n, off, size)
  return regBytes(e.mtime, MTIME, 8n, off, size)
}

const withBytes = (reg: bigint, base: bigint, off: bigint, size: number, value: bigint): bigint => {
  const shift = 8n * (off - base)
  const mask = ((1n << BigInt(8 * size)) - 1n) << shift
  return BigInt.asUintN(64, (reg & ~mask) | ((value << shift) & mask))
}

const clintStore = (e: Exec, off: bigint, size: AccessSize, value: bigint): void => {
  const c = e.h.csr
  if (off < MTIMECMP) {
    if (off === 0n) {                          // hart 0's msip (an 8-byte store also writes hart 1's, absent)
      const mip = (value & 1n) !== 0n ? c.mip | MIP_MSIP : c.mip & ~MIP_MSIP
      setCsrs(e, { ...c, mip }, [])
    }
  } else if (off < MTIMECMP + 8n) {
    e.mtimecmp = withBytes(e.mtimecmp, MTIMECMP, off, size, value)
  } else if (off >= MTIME) {
    e.mtime = withBytes(e.mtime, MTIME, off, size, value)
  }
  // Spike ticks the CLINT by 0 after a store: time is synchronised and MTIP recomputed.
  syncTimer(e)
}

const syncTimer = (e: Exec): void => {
  const c = e.h.csr
  const mip = e.mtime >= e.mtimecmp ? c.mip | MIP_MTIP : c.mip & ~MIP_MTIP
  if (mip !== c.mip || c.time !== e.mtime) setCsrs(e, { ...c, mip, time: e.mtime }, [])
}

// ---- triggers (Sdtrig, Spike's riscv/triggers.cc) ---------------------------------------------------------

type TriggerOp = 'execute' | 'load' | 'store'
const OP_BIT: Record<TriggerOp, bigint> = { execute: MCONTROL.execute, load: MCONTROL.load, store: MCONTROL.store }

/** Does mcontrol trigger `t` match this access (address triggers, timing before; Spike's common_match too)? */
const triggerMatches = (h: Hart, tdata1: bigint, tdata2: bigint, op: TriggerOp, addr: bigint, len: number): boolean => {
  if (tdata1 >> 60n !== 2n || (tdata1 & OP_BIT[op]) === 0n) return false
  if ((tdata1 & (MCONTROL.select | MCONTROL.timing)) !== 0n) return false      // data and after-timing triggers: not modelled
  const modeOk = h.priv === PRV_M ? (tdata1 & MCONTROL.m) !== 0n
    : h.virt ? false                                                             // mcontrol has no VS/VU bits
    : h.priv === PRV_S ? (tdata1 & MCONTROL.s) !== 0n : (tdata1 & MCONTROL.u) !== 0n
  if (!modeOk) return false
  if (getField(tdata1, MCONTROL.action) === 0n) {
    // A breakpoint-exception trigger does not fire where the handler would be re-entered with interrupts off.
    const c = h.csr
    const bp = ((c.medeleg >> 3n) & 1n) === 1n
    if (h.priv === PRV_M && (c.mstatus & MSTATUS_MIE) === 0n) return false
    if (h.priv === PRV_S && !h.virt && bp && (c.mstatus & MSTATUS_SIE) === 0n) return false
    if (h.priv === PRV_S && h.virt && bp && ((c.hedeleg >> 3n) & 1n) === 1n && (c.vsstatus & MSTATUS_SIE) === 0n) return false
  } else {
    return false                                                                 // debug-mode entry: not modelled
  }
  const match = getField(tdata1, MCONTROL.match)
  for (let i = 0; i < len; i++) {
    const a = u64(addr + BigInt(i))
    const lo = tdata2 & M32, hi = tdata2 >> 32n
    if (match === 0n ? a === tdata2 : match === 2n ? a >= tdata2 : match === 3n ? a < tdata2
      : match === 4n ? ((a & M32) & hi) === lo : ((a >> 32n) & hi) === lo) return true
  }
  return false
}

/** Is any trigger an mcontrol? Memoised per (immutable) trigger array: a pure cache. */
const armedCache = new WeakMap<Csrs['triggers'], boolean>()
const armed = (ts: Csrs['triggers']): boolean => {
  let a = armedCache.get(ts)
  if (a === undefined) { a = ts.some(([t1]) => t1 >> 60n === 2n); armedCache.set(ts, a) }
  return a
}

/**
 * Checks the triggers for an access before it happens (Spike's module_t::detect_memory_access_match,
 * with chains): a breakpoint exception (cause 3, tval = the address) when one fires; `hit` is set on
 * every trigger that matched.
 */
const checkTriggers = (e: Exec, op: TriggerOp, addr: bigint, len: number): Trap | undefined => {
  const ts = e.h.csr.triggers
  if (!armed(ts)) return undefined
  let chainOk = true
  let fires = false
  let updated = ts
  ts.forEach(([t1, t2], i) => {
    const chain = (t1 & MCONTROL.chain) !== 0n
    if (!chainOk) { chainOk = !chain; return }
    const hit = triggerMatches(e.h, t1, t2, op, addr, len)
    if (hit) updated = updated.with(i, [t1 | MCONTROL.hit, t2])
    if (hit && !chain) fires = true
    chainOk = hit || !chain
  })
  if (!fires) return undefined
  e.firedTriggers = updated
  return trap(CAUSE.breakpoint, addr, e.h.virt)
}

// ---- jumps ---------------------------------------------------------------------------------------------

/** A control transfer: without C a target that is not 4-byte aligned traps (cause 0, tval = target). */
const jumpTarget = (e: Exec, target: bigint): bigint | Trap =>
  !e.isa.c && (target & 2n) !== 0n ? trap(CAUSE.misalignedFetch, target, e.h.virt) : target

// ---- ALU -----------------------------------------------------------------------------------------------

const M32 = 0xffff_ffffn
const w32 = (v: bigint): bigint => sext(v, 32)
const i32 = (v: bigint): bigint => BigInt.asIntN(32, v)
const MIN64 = -(1n << 63n)
const MIN32 = -(1n << 31n)

export const alu = (op: string, a: bigint, b: bigint): bigint => {
  switch (op) {
    case 'add': return u64(a + b)
    case 'sub': return u64(a - b)
    case 'sll': return u64(a << (b & 63n))
    case 'slt': return s64(a) < s64(b) ? 1n : 0n
    case 'sltu': return a < b ? 1n : 0n
    case 'xor': return a ^ b
    case 'srl': return a >> (b & 63n)
    case 'sra': return u64(s64(a) >> (b & 63n))
    case 'or': return a | b
    case 'and': return a & b
    case 'addw': return w32(a + b)
    case 'subw': return w32(a - b)
    case 'sllw': return w32(a << (b & 31n))
    case 'srlw': return w32((a & M32) >> (b & 31n))
    case 'sraw': return w32(i32(a) >> (b & 31n))
    case 'mul': return u64(a * b)
    case 'mulh': return u64((s64(a) * s64(b)) >> 64n)
    case 'mulhsu': return u64((s64(a) * b) >> 64n)
    case 'mulhu': return (a * b) >> 64n
    // Division by zero gives all ones (quotient) or the dividend (remainder); overflow gives MIN / 0.
    case 'div': return b === 0n ? MASK64 : s64(a) === MIN64 && s64(b) === -1n ? a : u64(s64(a) / s64(b))
    case 'divu': return b === 0n ? MASK64 : a / b
    case 'rem': return b === 0n ? a : s64(a) === MIN64 && s64(b) === -1n ? 0n : u64(s64(a) % s64(b))
    case 'remu': return b === 0n ? a : a % b
    case 'mulw': return w32(a * b)
    case 'divw': return i32(b) === 0n ? MASK64 : i32(a) === MIN32 && i32(b) === -1n ? w32(a) : w32(i32(a) / i32(b))
    case 'divuw': return (b & M32) === 0n ? MASK64 : w32((a & M32) / (b & M32))
    case 'remw': return i32(b) === 0n ? w32(a) : i32(a) === MIN32 && i32(b) === -1n ? 0n : w32(i32(a) % i32(b))
    case 'remuw': return (b & M32) === 0n ? w32(a) : w32((a & M32) % (b & M32))
    default: throw new Error(`alu: ${op}`)
  }
}

export const LOAD_SIZE: Record<string, AccessSize> = { lb: 1, lbu: 1, lh: 2, lhu: 2, lw: 4, lwu: 4, ld: 8 }
export const STORE_SIZE: Record<string, AccessSize> = { sb: 1, sh: 2, sw: 4, sd: 8 }

export const extendLoad = (op: string, v: bigint): bigint => {
  switch (op) {
    case 'lb': case 'hlv.b': return sext(v, 8)
    case 'lh': case 'hlv.h': return sext(v, 16)
    case 'lw': case 'hlv.w': return sext(v, 32)
    default: return v
  }
}

const amoOp = (op: string, old: bigint, src: bigint, width: 32 | 64): bigint => {
  const sx = (v: bigint): bigint => (width === 32 ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v))
  const zx = (v: bigint): bigint => BigInt.asUintN(width, v)
  switch (op.slice(0, -2)) {
    case 'amoswap': return zx(src)
    case 'amoadd': return zx(old + src)
    case 'amoxor': return zx(old ^ src)
    case 'amoand': return zx(old & src)
    case 'amoor': return zx(old | src)
    case 'amomin': return sx(old) < sx(src) ? zx(old) : zx(src)
    case 'amomax': return sx(old) > sx(src) ? zx(old) : zx(src)
    case 'amominu': return zx(old) < zx(src) ? zx(old) : zx(src)
    case 'amomaxu': return zx(old) > zx(src) ? zx(old) : zx(src)
    default: throw new Error(`amo: ${op}`)
  }
}

// ---- execute ---------------------------------------------------------------------------------------------

/** Executes one decoded instruction: the next pc, or the trap it raises. */
const execute = (e: Exec, insn: Insn): bigint | Trap => {
  const x = e.h.x
  const pc = e.pc
  const next = u64(pc + BigInt(insn.length))
  switch (insn._tag) {
    case 'R':
      writeRd(e, insn.rd, alu(insn.op, x[insn.rs1]!, x[insn.rs2]!))
      return next
    case 'I': {
      const a = x[insn.rs1]!
      switch (insn.op) {
        case 'addi': writeRd(e, insn.rd, u64(a + insn.imm)); return next
        case 'slti': writeRd(e, insn.rd, s64(a) < insn.imm ? 1n : 0n); return next
        case 'sltiu': writeRd(e, insn.rd, a < u64(insn.imm) ? 1n : 0n); return next
        case 'xori': writeRd(e, insn.rd, a ^ u64(insn.imm)); return next
        case 'ori': writeRd(e, insn.rd, a | u64(insn.imm)); return next
        case 'andi': writeRd(e, insn.rd, a & u64(insn.imm)); return next
        case 'addiw': writeRd(e, insn.rd, w32(a + insn.imm)); return next
        case 'jalr': {
          const target = jumpTarget(e, u64(a + insn.imm) & ~1n)
          if (isTrap(target)) return target
          writeRd(e, insn.rd, next)
          return target
        }
        default: {
          const v = load(e, u64(a + insn.imm), LOAD_SIZE[insn.op]!)
          if (isTrap(v)) return v
          writeRd(e, insn.rd, extendLoad(insn.op, v))
          return next
        }
      }
    }
    case 'Shift': {
      const a = x[insn.rs1]!
      const s = BigInt(insn.shamt)
      switch (insn.op) {
        case 'slli': writeRd(e, insn.rd, u64(a << s)); break
        case 'srli': writeRd(e, insn.rd, a >> s); break
        case 'srai': writeRd(e, insn.rd, u64(s64(a) >> s)); break
        case 'slliw': writeRd(e, insn.rd, w32(a << s)); break
        case 'srliw': writeRd(e, insn.rd, w32((a & M32) >> s)); break
        case 'sraiw': writeRd(e, insn.rd, w32(i32(a) >> s)); break
      }
      return next
    }
    case 'S': {
      const t = store(e, u64(x[insn.rs1]! + insn.imm), STORE_SIZE[insn.op]!, x[insn.rs2]!)
      return t ?? next
    }
    case 'B': {
      const a = x[insn.rs1]!, b = x[insn.rs2]!
      let taken: boolean
      switch (insn.op) {
        case 'beq': taken = a === b; break
        case 'bne': taken = a !== b; break
        case 'blt': taken = s64(a) < s64(b); break
        case 'bge': taken = s64(a) >= s64(b); break
        case 'bltu': taken = a < b; break
        case 'bgeu': taken = a >= b; break
      }
      return taken ? jumpTarget(e, u64(pc + insn.imm)) : next
    }
    case 'U':
      writeRd(e, insn.rd, insn.op === 'lui' ? u64(insn.imm) : u64(pc + insn.imm))
      return next
    case 'J': {
      const target = jumpTarget(e, u64(pc + insn.imm))
      if (isTrap(target)) return target
      writeRd(e, insn.rd, next)
      return target
    }
    case 'Fence': return next
    case 'Amo': return executeAmo(e, insn.op, insn.rd, x[insn.rs1]!, x[insn.rs2]!) ?? next
    case 'Csr': case 'CsrI': return executeCsr(e, insn) ?? next
    case 'System': return executeSystem(e, insn.op, next)
    case 'FenceVma': return executeFenceVma(e, insn.op, insn.rs1, insn.rs2) ?? next
    case 'Hlv': case 'Hsv': return executeHypervisorAccess(e, insn) ?? next
    case 'Illegal': return illegalInstruction(insn.bits)
  }
}

const executeAmo = (e: Exec, op: string, rd: number, addr: bigint, src: bigint): Trap | undefined => {
  const width = op.endsWith('.w') ? 32 : 64
  const size: AccessSize = width === 32 ? 4 : 8
  const mode = effectiveDataMode(e.h)
  const ext = (v: bigint): bigint => (width === 32 ? sext(v, 32) : v)
  if (op.startsWith('lr.')) {
    const v = load(e, addr, size, { lr: true })
    if (isTrap(v)) return v
    writeRd(e, rd, ext(v))
    return undefined
  }
  if (op.startsWith('sc.')) {
    const pa = probeStore(e, addr, size, mode)
    if (isTrap(pa)) return pa
    if (!reservable(e.memory, pa, size)) return trap(CAUSE.storeAccess, addr, mode.virt)
    const have = e.h.reservation === pa
    if (have) {
      const t = store(e, addr, size, src, mode)
      if (t !== undefined) return t
    }
    e.h = hart(e.h.pc, e.h.x, e.h.priv, e.h.virt, e.h.csr, undefined, e.h.instret, e.h.cycle)
    writeRd(e, rd, have ? 0n : 1n)
    return undefined
  }
  const probe = probeStore(e, addr, size, mode)
  if (isTrap(probe)) return probe
  const old = load(e, addr, size)
  if (isTrap(old)) return asStoreTrap(old)
  const t = store(e, addr, size, amoOp(op, old, src, width), mode)
  if (t !== undefined) return t
  writeRd(e, rd, ext(old))
  return undefined
}

const executeCsr = (e: Exec, insn: Extract<Insn, { _tag: 'Csr' | 'CsrI' }>): Trap | undefined => {
  const src = insn._tag === 'Csr' ? e.h.x[insn.rs1]! : BigInt(insn.uimm)
  const srcField = insn._tag === 'Csr' ? insn.rs1 : insn.uimm
  const kind = insn.op.startsWith('csrrw') ? 'w' : insn.op.startsWith('csrrs') ? 's' : 'c'
  const write = kind === 'w' || srcField !== 0
  const denial = csrDenial(e.h, e.isa, insn.csr, write)
  if (denial !== undefined) return denial === 'virtual' ? virtualInstruction(e.bits) : illegalInstruction(e.bits)
  const old = csrRead(e.h, e.isa, insn.csr)
  if (write) {
    const value = kind === 'w' ? src : kind === 's' ? old | src : old & ~src
    const w = csrWrite(e.h, e.isa, insn.csr, value)
    e.h = w.hart
    for (const n of w.logged) e.logged.push(n)
    if (w.values !== undefined) for (const [n, v] of w.values) (e.loggedValues ??= new Map()).set(n, v)
    e.wroteInstret ||= w.wroteInstret
    e.wroteCycle ||= w.wroteCycle
  }
  writeRd(e, insn.rd, old)
  return undefined
}

const executeSystem = (e: Exec, op: string, next: bigint): bigint | Trap => {
  const h = e.h
  const c = h.csr
  switch (op) {
    case 'ecall':
      return trap(h.priv === PRV_U ? CAUSE.userEcall : h.priv === PRV_M ? CAUSE.machineEcall
        : h.virt ? CAUSE.virtualSupervisorEcall : CAUSE.supervisorEcall)
    case 'ebreak':
      return trap(CAUSE.breakpoint, e.pc, h.virt)               // Spike: tval = pc
    case 'fence.i':
      return next
    case 'mret': {
      if (h.priv !== PRV_M) return illegalInstruction(e.bits)
      let s = c.mstatus
      const prevPriv = Number(getField(s, MSTATUS_MPP)) as Priv
      const prevVirt = (s & MSTATUS_MPV) !== 0n
      if (prevPriv !== PRV_M) s &= ~MSTATUS_MPRV
      s = setField(s, MSTATUS_MIE, getField(s, MSTATUS_MPIE))
      s = setField(s, MSTATUS_MPIE, 1n)
      s = setField(s, MSTATUS_MPP, e.isa.u ? BigInt(PRV_U) : BigInt(PRV_M))
      s &= ~MSTATUS_MPV
      setCsrs(e, { ...c, mstatus: legalizeMstatus(c.mstatus, s, e.isa) }, [CSR.mstatus])
      setMode(e, prevPriv, prevVirt)
      return csrRead(h, e.isa, CSR.mepc)
    }
    case 'sret': {
      if (h.virt) {
        if (h.priv === PRV_U || (c.hstatus & HSTATUS_VTSR) !== 0n) return virtualInstruction(e.bits)
      } else if (h.priv < ((c.mstatus & MSTATUS_TSR) !== 0n ? PRV_M : PRV_S)) {
        return illegalInstruction(e.bits)
      }
      const target = csrRead(h, e.isa, CSR.sepc)
      let s = csrRead(h, e.isa, CSR.sstatus)
      const prevPriv = Number(getField(s, MSTATUS_SPP)) as Priv
      s = setField(s, MSTATUS_SIE, getField(s, MSTATUS_SPIE))
      s = setField(s, MSTATUS_SPIE, 1n)
      s = setField(s, MSTATUS_SPP, BigInt(PRV_U))
      let prevVirt = h.virt
      if (!h.virt) {
        if (e.isa.h) {
          prevVirt = (c.hstatus & HSTATUS_SPV) !== 0n
          setCsrs(e, { ...e.h.csr, hstatus: c.hstatus & ~HSTATUS_SPV }, [CSR.hstatus])
        }
        setCsrs(e, { ...e.h.csr, mstatus: e.h.csr.mstatus & ~MSTATUS_MPRV }, [CSR.mstatus])
      }
      const w = csrWrite(e.h, e.isa, CSR.sstatus, s)
      setCsrs(e, w.hart.csr, w.logged)
      setMode(e, prevPriv, prevVirt)
      return target
    }
    case 'wfi':
      if ((c.mstatus & MSTATUS_TW) !== 0n) {
        if (h.priv !== PRV_M) return illegalInstruction(e.bits)
      } else if (h.virt) {
        if (h.priv === PRV_U || (c.hstatus & HSTATUS_VTW) !== 0n) return virtualInstruction(e.bits)
      } else if (e.isa.s && h.priv < PRV_S) {
        return illegalInstruction(e.bits)
      }
      // WFI retires; the hart then waits (Platform.inWfi) until an interrupt is pending (see step).
      return next
    default:
      return illegalInstruction(e.bits)
  }
}

const setMode = (e: Exec, priv: Priv, virt: boolean): void => {
  e.h = hart(e.h.pc, e.h.x, priv, virt && priv !== PRV_M, e.h.csr, e.h.reservation, e.h.instret, e.h.cycle)
}

const executeFenceVma = (e: Exec, op: string, rs1: number, rs2: number): Trap | undefined => {
  const h = e.h
  const c = h.csr
  const tvm = (c.mstatus & MSTATUS_TVM) !== 0n
  if (op === 'sfence.vma') {
    if (h.virt) {
      if (h.priv === PRV_U || (c.hstatus & HSTATUS_VTVM) !== 0n) return virtualInstruction(e.bits)
    } else if (h.priv < (tvm ? PRV_M : PRV_S)) return illegalInstruction(e.bits)
  } else {
    if (h.virt) return virtualInstruction(e.bits)
    if (h.priv < (op === 'hfence.gvma' && tvm ? PRV_M : PRV_S)) return illegalInstruction(e.bits)
  }
  const va = rs1 === 0 ? undefined : h.x[rs1]!
  const id = rs2 === 0 ? undefined : h.x[rs2]!
  const ctx = contextFor(c, e.isa, h.priv, h.virt)
  const fence = { ...(va === undefined ? {} : { va }), ...(id === undefined ? {} : { asid: id }) }
  if (op === 'sfence.vma') e.tlb = sfenceVma(e.tlb, ctx, fence)
  else if (op === 'hfence.vvma') e.tlb = hfenceVvma(e.tlb, contextFor(c, e.isa, PRV_S, true), fence)
  else e.tlb = hfenceGvma(e.tlb, { ...(va === undefined ? {} : { gpa: va << 2n }), ...(id === undefined ? {} : { vmid: id }) })
  return undefined
}

const HLV_SIZE: Record<string, AccessSize> = {
  'hlv.b': 1, 'hlv.bu': 1, 'hlv.h': 2, 'hlv.hu': 2, 'hlvx.hu': 2, 'hlv.w': 4, 'hlv.wu': 4, 'hlvx.wu': 4, 'hlv.d': 8,
  'hsv.b': 1, 'hsv.h': 2, 'hsv.w': 4, 'hsv.d': 8,
}

const executeHypervisorAccess = (e: Exec, insn: Extract<Insn, { _tag: 'Hlv' | 'Hsv' }>): Trap | undefined => {
  const h = e.h
  if (h.virt) return virtualInstruction(e.bits)
  if (h.priv < ((h.csr.hstatus & HSTATUS_HU) !== 0n ? PRV_U : PRV_S)) return illegalInstruction(e.bits)
  const mode = hypervisorAccessMode(h)
  const size = HLV_SIZE[insn.op]!
  if (insn._tag === 'Hsv') return store(e, h.x[insn.rs1]!, size, h.x[insn.rs2]!, mode)
  const v = load(e, h.x[insn.rs1]!, size, { mode, hlvx: insn.op.startsWith('hlvx') })
  if (isTrap(v)) return v
  writeRd(e, insn.rd, extendLoad(insn.op, v))
  return undefined
}

// ---- interrupts --------------------------------------------------------------------------------------

/** Spike's default interrupt priority: MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI. */
const PRIORITY = [11n, 3n, 7n, 9n, 1n, 5n, 12n, 10n, 2n, 6n]

/** The interrupt to take before the next instruction, if any (Spike's take_interrupt). */
export const pendingInterrupt = (h: Hart, isa: Isa): bigint | undefined => {
  const c = h.csr
  const pending = mipRead(c) & c.mie
  if (pending === 0n) return undefined
  const mideleg = midelegRead(c, isa)
  const mEnabled = h.priv < PRV_M || (c.mstatus & MSTATUS_MIE) !== 0n
  let enabled = mEnabled ? pending & ~mideleg : 0n
  if (enabled === 0n) {
    const hideleg = c.hideleg & mideleg
    const sie = (csrRead(h, isa, CSR.sstatus) & MSTATUS_SIE) !== 0n
    const hsEnabled = h.virt || h.priv < PRV_S || (h.priv === PRV_S && sie)
    enabled = hsEnabled ? pending & mideleg & ~hideleg : 0n
    if (h.virt && enabled === 0n) {
      const vsEnabled = h.priv < PRV_S || (h.priv === PRV_S && sie)
      enabled = vsEnabled ? pending & hideleg : 0n
    }
  }
  if (enabled === 0n) return undefined
  for (const code of PRIORITY) if ((enabled >> code) & 1n) return code
  return undefined
}

// ---- the step ------------------------------------------------------------------------------------------

/**
 * The end of a Spike chunk (after `interleave` steps, a trap, or WFI): the LR/SC reservation is dropped,
 * the CLINT advances mtime by interleave / INSNS_PER_RTC_TICK, time and MTIP follow, and the next step
 * starts a new batch.
 */
const endChunk = (h: Hart, p: Platform, interleave: number, inWfi: boolean): { hart: Hart; platform: Platform } => {
  const mtime = BigInt.asUintN(64, p.mtime + BigInt(Math.floor(interleave / SPIKE_INSNS_PER_RTC_TICK)))
  const c = h.csr
  const mip = mtime >= p.mtimecmp ? c.mip | MIP_MTIP : c.mip & ~MIP_MTIP
  return {
    hart: hart(h.pc, h.x, h.priv, h.virt, { ...c, mip, time: mtime }, undefined, h.instret, h.cycle),
    platform: platform(mtime, p.mtimecmp, 0, true, inWfi),
  }
}

const trapped = (m: Machine, h: Hart, tlb: Tlb, t: Trap, bits: number | undefined, isa: Isa): StepResult => {
  const entry = takeTrap(h, isa, t, h.pc)
  const next = endChunk(entry.hart, m.platform, m.options.interleave, false)
  const host = serviceHtif(m.memory, m.htif)
  return {
    machine: machine(m.isa, m.options, next.hart, host.memory, tlb, host.htif, next.platform),
    event: { _tag: 'Trapped', pc: h.pc, bits, priv: h.priv, virt: h.virt, trap: t, target: entry.target },
  }
}

/** Counters advance by one unless written by the instruction or stopped by mcountinhibit (IR bit 2, CY bit 0). */
const bumpCounters = (h: Hart, wroteInstret: boolean, wroteCycle: boolean, pc: bigint): Hart => {
  const inhibit = h.csr.mcountinhibit
  const instret = wroteInstret || (inhibit & 4n) !== 0n ? h.instret : h.instret + 1n
  const cycle = wroteCycle || (inhibit & 1n) !== 0n ? h.cycle : h.cycle + 1n
  return hart(pc, h.x, h.priv, h.virt, h.csr, h.reservation, instret, cycle)
}

const withTriggers = (h: Hart, ts: Csrs['triggers'] | undefined): Hart =>
  ts === undefined ? h : hart(h.pc, h.x, h.priv, h.virt, { ...h.csr, triggers: ts }, h.reservation, h.instret, h.cycle)

const isSerializing = (insn: Insn): boolean =>
  insn._tag === 'Csr' || insn._tag === 'CsrI' || (insn._tag === 'System' && (insn.op === 'mret' || insn.op === 'sret'))

/**
 * Executes one instruction of `m`, or takes an interrupt, or (after WFI) waits one step, and returns the
 * new machine and what happened. A machine whose program has exited (htif.exitCode set) still steps;
 * callers stop on it. Interrupts are taken where Spike takes them: when a batch starts (after a trap,
 * WFI, a chunk end or a serializing instruction) and before a CSR instruction.
 */
export const step = (m: Machine): StepResult => {
  const h0 = m.hart
  const isa = effectiveIsa(m.isa, h0.csr.misa)
  const p = m.platform
  let inWfi = p.inWfi
  if (p.batchStart) {
    if ((mipRead(h0.csr) & h0.csr.mie) !== 0n) inWfi = false      // any pending interrupt ends WFI
    const irq = pendingInterrupt(h0, isa)
    if (irq !== undefined) return trapped(m, h0, m.tlb, trap(INTERRUPT_BIT | irq), undefined, isa)
  }
  if (inWfi) {
    // Still waiting: Spike counts the wait as a retired step (minstret and mcycle advance) and ends the chunk.
    const waited = endChunk(bumpCounters(h0, false, false, h0.pc), p, m.options.interleave, true)
    const host = serviceHtif(m.memory, m.htif)
    return { machine: machine(m.isa, m.options, waited.hart, host.memory, m.tlb, host.htif, waited.platform), event: { _tag: 'Waiting', pc: h0.pc } }
  }
  const e: Exec = {
    isa, pc: h0.pc, bits: 0, h: h0, memory: m.memory, tlb: m.tlb,
    rd: 0, rdValue: 0n, logged: [], loads: [], stores: [], wroteInstret: false, wroteCycle: false,
    loggedValues: undefined, mtime: p.mtime, mtimecmp: p.mtimecmp, firedTriggers: undefined,
  }
  const bits = fetch(e)
  if (isTrap(bits)) return trapped(m, withTriggers(h0, e.firedTriggers), e.tlb, bits, undefined, isa)
  e.bits = bits
  const insn = decodeMemo(bits)
  if ((insn._tag === 'Csr' || insn._tag === 'CsrI') && !p.batchStart) {
    // A CSR instruction serializes before it executes: a new batch starts, so interrupts are checked.
    const irq = pendingInterrupt(h0, isa)
    if (irq !== undefined) return trapped(m, h0, e.tlb, trap(INTERRUPT_BIT | irq), undefined, isa)
  }
  const npc = implemented(insn, isa) ? execute(e, insn) : illegalInstruction(insn.length === 2 ? bits & 0xffff : bits)
  if (isTrap(npc)) return trapped(m, withTriggers(h0, e.firedTriggers), e.tlb, npc, bits, isa)
  const h1 = e.h
  const h2 = bumpCounters(h1, e.wroteInstret, e.wroteCycle, npc)
  const wfi = insn._tag === 'System' && insn.op === 'wfi'
  const chunk = p.chunk + 1
  const chunkEnds = wfi || chunk >= m.options.interleave
  const next = chunkEnds
    ? endChunk(h2, platform(e.mtime, e.mtimecmp, chunk, false, false), m.options.interleave, wfi)
    : { hart: h2, platform: platform(e.mtime, e.mtimecmp, chunk, isSerializing(insn), false) }
  const stored = e.stores.length > 0 ? exitOnStore(m, e.memory) : m.htif
  const host = chunkEnds ? serviceHtif(e.memory, stored) : { memory: e.memory, htif: stored }
  const length = insn.length
  return {
    machine: machine(m.isa, m.options, next.hart, host.memory, e.tlb, host.htif, next.platform),
    event: {
      _tag: 'Retired', pc: e.pc, bits: length === 2 ? bits & 0xffff : bits, length, priv: h0.priv, virt: h0.virt,
      rd: e.rd, rdValue: e.rdValue, csrs: loggedCsrs(e, h1), loads: e.loads, stores: e.stores,
    },
  }
}

const NO_CSRS: readonly (readonly [number, bigint])[] = []

/** The CSR items of the commit line: each CSR once, ascending by number, with its value after the instruction. */
const loggedCsrs = (e: Exec, h: Hart): readonly (readonly [number, bigint])[] => {
  if (e.logged.length === 0) return NO_CSRS
  const nums = [...new Set(e.logged)].sort((a, b) => a - b)
  return nums.map((n) => [n, e.loggedValues?.get(n) ?? csrRead(h, e.isa, n, false)] as const)
}

/**
 * An exit command stored to tohost ends the run at that store, so a commit log ends with it (Spike
 * itself notices at its next poll, after spinning; those spins are not part of the reference).
 */
const exitOnStore = (m: Machine, memory: PhysMemory): Machine['htif'] => {
  const h = m.htif
  if (h.tohost === undefined || h.exitCode !== undefined) return h
  const code = exitCommand(peek(memory, phys(h.tohost), 8))
  return code === undefined ? h : htifOf(h.tohost, h.fromhost, code, h.pending, h.output)
}
