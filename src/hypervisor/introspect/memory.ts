// Virtual-machine introspection of memory: reading a machine's memory as the guest sees it, through the
// guest's own page tables (VS-stage over G-stage, or the S-stage), or guest-physically, or physically —
// without touching the machine (Priv. ISA "Virtual Address Translation Process"; H chapter "Two-Stage
// Address Translation"). A query is a pure function of the machine state: no A/D update, no TLB fill.
import { type Either, left, right, isLeft } from '../../bits/either.ts'
import { guestPhys, phys, virt } from '../../bits/address.ts'
import { hex } from '../../bits/bits.ts'
import { peek, poke } from '../../memory/memory.ts'
import { inRam } from '../../cpu/bus.ts'
import { type Priv, PRV_M } from '../../cpu/hart.ts'
import { henvcfgRead } from '../../cpu/csr/access.ts'
import { ENVCFG_ADUE, ENVCFG_PBMTE, MSTATUS_MXR, MSTATUS_SUM } from '../../cpu/csr/fields.ts'
import { type Privilege, type TranslationContext, type WalkOutcome, translateGuestPhysical, translateSpec } from '../../mmu/translate.ts'
import { allowAll } from '../../mmu/walk.ts'
import { type Machine, withMemory } from '../../machine/machine.ts'

/**
 * Which address space an introspection address is in:
 * - `current`: as the hart's current mode translates a load (V=1: VS over G; S/U: satp; M: physical).
 *   MPRV is not applied: the debugger looks with the mode the hart runs in.
 * - `guest`: guest-virtual, VS-stage (vsatp) over G-stage (hgatp), whatever mode the hart is in now
 *   (a hypervisor looking into its guest). Needs the H extension.
 * - `host`: virtual through the S-stage (satp) alone, as an HS-mode or S-mode kernel sees it.
 * - `guest-physical`: through the G-stage (hgatp) alone. Needs H.
 * - `physical`: untranslated.
 */
export type Space = 'current' | 'guest' | 'host' | 'guest-physical' | 'physical'
export const SPACES: readonly Space[] = ['current', 'guest', 'host', 'guest-physical', 'physical']

/** Why an introspection query has no answer: one line naming the address. */
export interface IntrospectError {
  readonly _tag: 'IntrospectError'
  readonly message: string
}
export const introspectError = (message: string): IntrospectError => ({ _tag: 'IntrospectError', message })

const PRIV_NAMES: readonly Privilege[] = ['U', 'S', 'S', 'M']

/**
 * How permissive the introspection walk is. The walk itself is the model's (translateSpec): every
 * PTE, reserved-bit and canonical-address rule applies. `debugger` relaxes what a debugger should not
 * be stopped by: the leaf is checked as an S-mode load with SUM and MXR set (a kernel's view of user
 * pages and execute-only code), A=0 is not a fault (hardware A/D updating is assumed, and the updated
 * memory is discarded), and PMP is not consulted (QEMU's debug accesses bypass PMP likewise; QEMU
 * checks the current mode's permissions, which would hide user pages from a stopped kernel).
 * `architectural` checks exactly what a load of the hart's mode would (its SUM, MXR, ADUE), PMP
 * aside: what `monitor translate` explains.
 */
export type WalkView = 'debugger' | 'architectural'

/** The mode (privilege, V) whose tables a space uses. */
const spaceMode = (m: Machine, space: 'current' | 'guest' | 'host'): { priv: Priv; virt: boolean } => {
  const h = m.hart
  switch (space) {
    case 'current': return { priv: h.priv, virt: h.virt }
    case 'guest': return { priv: h.virt ? h.priv : 1, virt: true }
    case 'host': return { priv: h.virt || h.priv === PRV_M ? 1 : h.priv, virt: false }
  }
}

/** The translation context of a debugger's load in `space`, from the hart's CSRs (no memo, no PMP). */
export const introspectionContext = (m: Machine, space: 'current' | 'guest' | 'host', view: WalkView = 'debugger'): TranslationContext => {
  const c = m.hart.csr
  const mode = spaceMode(m, space)
  const henv = henvcfgRead(c)
  const lenient = view === 'debugger'
  const priv = PRIV_NAMES[mode.priv]!
  return {
    priv: lenient && priv === 'U' ? 'S' : priv, virt: mode.virt,
    satp: c.satp, vsatp: c.vsatp, hgatp: c.hgatp,
    mstatus: { sum: lenient || (c.mstatus & MSTATUS_SUM) !== 0n, mxr: lenient || (c.mstatus & MSTATUS_MXR) !== 0n },
    vsstatus: { sum: lenient || (c.vsstatus & MSTATUS_SUM) !== 0n, mxr: lenient || (c.vsstatus & MSTATUS_MXR) !== 0n },
    menvcfg: { adue: lenient || (c.menvcfg & ENVCFG_ADUE) !== 0n, pbmte: (c.menvcfg & ENVCFG_PBMTE) !== 0n },
    henvcfg: { adue: lenient || (henv & ENVCFG_ADUE) !== 0n, pbmte: (henv & ENVCFG_PBMTE) !== 0n },
    svnapot: m.isa.svnapot,
    physCheck: allowAll,
  }
}

/**
 * The walk of `address` in `space` as a load, with its trail (the model's readable walker). The
 * outcome's memory may carry A/D updates the walk would make: introspection never keeps it.
 */
export const walkIn = (m: Machine, space: Space, address: bigint, view: WalkView = 'debugger'): Either<IntrospectError, WalkOutcome> => {
  if ((space === 'guest' || space === 'guest-physical') && !m.isa.h) return left(introspectError(`space ${space} needs the H extension (ISA ${m.isa.name})`))
  if (space === 'physical') return left(introspectError('physical addresses are not translated'))
  if (space === 'guest-physical') {
    return right(translateGuestPhysical(m.memory, introspectionContext(m, 'guest', view), guestPhys(address), 'load'))
  }
  return right(translateSpec(m.memory, introspectionContext(m, space, view), { va: virt(address), access: 'load' }))
}

/** The physical address `address` in `space` reaches, or why it reaches none. */
export const physicalAddress = (m: Machine, space: Space, address: bigint): Either<IntrospectError, bigint> => {
  if (space === 'physical') return right(BigInt.asUintN(64, address))
  const w = walkIn(m, space, address)
  if (isLeft(w)) return w
  const r = w.right.result
  if (isLeft(r)) return left(introspectError(`${space} address ${hex(address)} does not translate: ${r.left.reason}`))
  return right(r.right.pa as bigint)
}

/** One byte at a physical address: RAM directly, a device by a load whose new device state is dropped. */
const byteAt = (m: Machine, pa: bigint): number | undefined => {
  if (inRam(m.bus.ram, pa, 1)) return Number(peek(m.memory, phys(pa), 1))
  const r = m.bus.load(m.devices, pa, 1)
  return r === undefined ? undefined : Number(r.value)
}

const PAGE = 4096n

/**
 * `length` bytes from `address` in `space`. Each 4 KiB page of the range is translated on its own
 * (contiguous virtual pages need not be contiguous physically). Pure: the machine is not changed.
 */
export const readMemory = (m: Machine, space: Space, address: bigint, length: number): Either<IntrospectError, Uint8Array> => {
  if (!Number.isSafeInteger(length) || length < 0) return left(introspectError(`bad length ${length}`))
  if (address < 0n || address + BigInt(length) > 1n << 64n) return left(introspectError(`range ${hex(address)}+${length} leaves the 64-bit address space`))
  const out = new Uint8Array(length)
  let i = 0
  while (i < length) {
    const a = address + BigInt(i)
    const inPage = Math.min(length - i, Number(PAGE - (a % PAGE)))
    const pa = physicalAddress(m, space, a)
    if (isLeft(pa)) return pa
    for (let k = 0; k < inPage; k++) {
      const b = byteAt(m, pa.right + BigInt(k))
      if (b === undefined) return left(introspectError(`nothing answers at PA ${hex(pa.right + BigInt(k))} (${space} address ${hex(a + BigInt(k))})`))
      out[i + k] = b
    }
    i += inPage
  }
  return right(out)
}

/** The little-endian value of `size` bytes at `address` in `space`. */
export const readValue = (m: Machine, space: Space, address: bigint, size: 1 | 2 | 4 | 8): Either<IntrospectError, bigint> => {
  const bytes = readMemory(m, space, address, size)
  if (isLeft(bytes)) return bytes
  let v = 0n
  for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes.right[k]!)
  return right(v)
}

/**
 * The machine with `bytes` written at `address` in `space` (a debugger's write: translated as the
 * debugger reads, RAM only; no A/D update, no TLB change — the hart's TLB may then hold a stale
 * translation only if the write changes a page table, as a debugger's write on real hardware would).
 */
export const writeMemory = (m: Machine, space: Space, address: bigint, bytes: Uint8Array): Either<IntrospectError, Machine> => {
  let memory = m.memory
  for (let i = 0; i < bytes.length; i++) {
    const a = address + BigInt(i)
    const pa = physicalAddress(m, space, a)
    if (isLeft(pa)) return pa
    if (!inRam(m.bus.ram, pa.right, 1)) return left(introspectError(`PA ${hex(pa.right)} is not RAM: a debugger writes RAM only`))
    memory = poke(memory, phys(pa.right), 1, BigInt(bytes[i]!))
  }
  return right(memory === m.memory ? m : withMemory(m, memory))
}

/**
 * A hex dump: 16 bytes a line, `address: xx xx … |ascii|`, addresses as 16 hex digits.
 * @example hexDump(0x80000000n, new Uint8Array([0x41])) // '0x0000000080000000: 41  |A|\n'
 */
export const hexDump = (address: bigint, bytes: Uint8Array): string => {
  const lines: string[] = []
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16)
    const hexes = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ')
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${hex(address + BigInt(i))}: ${hexes}  |${ascii}|`)
  }
  return lines.map((l) => l + '\n').join('')
}
