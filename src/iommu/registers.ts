// The memory-mapped register file (RISC-V IOMMU spec v1.0, "Memory-mapped register interface"): the
// registers at the spec's offsets as data, and `writeRegister` / `readRegister` with each register's
// WARL, RO, RW1C and busy behaviour. Writes complete synchronously, so every busy bit is hard-wired to
// 0 and cqon/fqon/pqon follow cqen/fqen/pqen at once (the spec allows it; the C model does the same).
import { bit, bits, mask } from '../bits/bits.ts'
import { type Capabilities, decodeCapabilities } from './capabilities.ts'
import { type IommuMode, IOMMU_MODES } from './directory.ts'
import type { FeatureControl } from './device-context.ts'
import { type InterruptSource, type MsiCfgEntry, EMPTY_MSI_CFG_TBL, IPSR, MSI_CFG_TBL_OFFSET, ipsrClearedBy, msiCfgFieldAt, msiEntryImplemented, writeIcvec, writeMsiCfgField } from './interrupts.ts'

export { IPSR } from './interrupts.ts'

/** The registers this model implements; every other offset reads 0 and ignores writes. */
export interface RegisterFile {
  readonly capabilities: bigint
  readonly fctl: bigint
  readonly ddtp: bigint
  readonly cqb: bigint
  readonly cqh: bigint
  readonly cqt: bigint
  readonly fqb: bigint
  readonly fqh: bigint
  readonly fqt: bigint
  readonly pqb: bigint
  readonly pqh: bigint
  readonly pqt: bigint
  readonly cqcsr: bigint
  readonly fqcsr: bigint
  readonly pqcsr: bigint
  readonly ipsr: bigint
  readonly icvec: bigint
  /** msi_cfg_tbl (offset 768, 16 entries: interrupts.ts). */
  readonly msiCfgTbl: readonly MsiCfgEntry[]
}

export type RegisterName = Exclude<keyof RegisterFile, 'msiCfgTbl'>

/** "Register layout": name, offset, size in bytes. */
export const REGISTER_LAYOUT: readonly (readonly [RegisterName, number, 4 | 8])[] = [
  ['capabilities', 0, 8], ['fctl', 8, 4], ['ddtp', 16, 8], ['cqb', 24, 8], ['cqh', 32, 4], ['cqt', 36, 4],
  ['fqb', 40, 8], ['fqh', 48, 4], ['fqt', 52, 4], ['pqb', 56, 8], ['pqh', 64, 4], ['pqt', 68, 4],
  ['cqcsr', 72, 4], ['fqcsr', 76, 4], ['pqcsr', 80, 4], ['ipsr', 84, 4], ['icvec', 760, 8],
]

const BY_OFFSET: ReadonlyMap<number, readonly [RegisterName, 4 | 8]> = new Map(REGISTER_LAYOUT.map(([n, o, s]) => [o, [n, s] as const]))

/** Implementation choices the spec leaves open, with the C model's values as defaults. */
export interface RegisterOptions {
  /** The deepest ddtp.iommu_mode implemented (the C model's max_iommu_mode); default 3LVL. */
  readonly maxIommuMode: IommuMode
  /** Whether fctl.GXL is writable (the C model's gxl_writeable); default false. */
  readonly gxlWritable: boolean
  /**
   * V, the writable bits of each icvec field: the IOMMU has 2^V interrupt vectors (msi_cfg_tbl entries
   * 2^V … 15 read 0). 0–4; default 4, the spec's full table (the C model takes it at reset).
   */
  readonly interruptVectorBits: number
  /**
   * When an ipsr bit's condition is looked at. `spec`: the conditions of the ipsr table hold as levels —
   * enabling cqcsr.cie (fqcsr.fie) while an error bit is 1 sets cip (fip). `refmodel`: only when a
   * condition arises (an error bit 0 → 1, a new record, fence_w_ip) or software clears the bit (RW1C)
   * while it holds, as the C model calls generate_interrupt; enabling cie or fie sets nothing.
   */
  readonly ipsrOnEnable: 'spec' | 'refmodel'
}

export const DEFAULT_REGISTER_OPTIONS: RegisterOptions = { maxIommuMode: '3LVL', gxlWritable: false, interruptVectorBits: 4, ipsrOnEnable: 'spec' }

// ---- field positions ---------------------------------------------------------------------------------

export const CQCSR = { cqen: 0, cie: 1, cqmf: 8, cmd_to: 9, cmd_ill: 10, fence_w_ip: 11, cqon: 16, busy: 17 } as const
export const FQCSR = { fqen: 0, fie: 1, fqmf: 8, fqof: 9, fqon: 16, busy: 17 } as const
export const PQCSR = { pqen: 0, pie: 1, pqmf: 8, pqof: 9, pqon: 16, busy: 17 } as const

const set = (x: bigint, at: number, v: boolean): bigint => (v ? x | (1n << BigInt(at)) : x & ~(1n << BigInt(at)))

/**
 * A write of `v` to fqcsr or pqcsr, the two queues the IOMMU writes into (FQCSR and PQCSR share one layout):
 * en 0 → 1 zeroes the tail and the overflow and memory-fault bits; on follows en; ie is written; mf and of
 * are RW1C.
 */
const inboundCsr = (old: bigint, v: bigint, tail: bigint): { readonly csr: bigint; readonly tail: bigint } => {
  const Q = FQCSR
  let c = old
  const en = bit(v, Q.fqen)
  if (en && !bit(c, Q.fqen)) {
    tail = 0n
    c = set(set(c, Q.fqof, false), Q.fqmf, false)
  }
  c = set(set(c, Q.fqen, en), Q.fqon, en)
  c = set(c, Q.fie, bit(v, Q.fie))
  for (const b of [Q.fqmf, Q.fqof]) if (bit(v, b)) c = set(c, b, false) // RW1C
  return { csr: c, tail }
}

// ---- constructors -------------------------------------------------------------------------------------

/**
 * The register file after reset: capabilities as given, ddtp.iommu_mode = Off (the recommended reset
 * value), every queue off, every other register 0 (their reset values are UNSPECIFIED).
 */
export const resetRegisters = (capabilities: bigint, fctl = 0n): RegisterFile => ({
  capabilities, fctl, ddtp: 0n, cqb: 0n, cqh: 0n, cqt: 0n, fqb: 0n, fqh: 0n, fqt: 0n, pqb: 0n, pqh: 0n, pqt: 0n,
  cqcsr: 0n, fqcsr: 0n, pqcsr: 0n, ipsr: 0n, icvec: 0n, msiCfgTbl: EMPTY_MSI_CFG_TBL,
})

// ---- views --------------------------------------------------------------------------------------------

export const capabilitiesOf = (r: RegisterFile): Capabilities => decodeCapabilities(r.capabilities)
export const fctlOf = (r: RegisterFile): FeatureControl => ({ be: bit(r.fctl, 0), wsi: bit(r.fctl, 1), gxl: bit(r.fctl, 2) })
export const iommuModeOf = (r: RegisterFile): IommuMode => IOMMU_MODES[Number(bits(r.ddtp, 3, 0))] ?? 'Off'
export const ddtpPpn = (r: RegisterFile): bigint => bits(r.ddtp, 53, 10)
/** Entries in a queue from its base register: 2^(LOG2SZ-1 + 1). */
export const queueEntries = (base: bigint): bigint => 1n << (bits(base, 4, 0) + 1n)
export const queueBase = (base: bigint): bigint => bits(base, 53, 10) << 12n

// ---- reads --------------------------------------------------------------------------------------------

/**
 * An access is valid when it is 4 or 8 bytes, aligned to its size, and does not span registers (an
 * 8-byte access to a 4-byte register does). Invalid accesses read 0 and ignore writes (UNSPECIFIED by
 * the spec; the C model's choice).
 */
const locate = (offset: number, size: number): { name: RegisterName, regSize: 4 | 8, high: boolean } | undefined => {
  if ((size !== 4 && size !== 8) || offset < 0 || offset >= 4096 || offset % size !== 0) return undefined
  const exact = BY_OFFSET.get(offset)
  if (exact !== undefined) return exact[1] >= size ? { name: exact[0], regSize: exact[1], high: false } : undefined
  const lower = BY_OFFSET.get(offset - 4)
  if (size === 4 && lower !== undefined && lower[1] === 8) return { name: lower[0], regSize: 8, high: true }
  return undefined
}

/** The value a `size`-byte read at `offset` returns (little-endian halves for 4-byte reads of 8-byte registers). */
export const readRegister = (r: RegisterFile, offset: number, size: 4 | 8): bigint => {
  if (offset >= MSI_CFG_TBL_OFFSET && offset < MSI_CFG_TBL_OFFSET + 256) {
    const f = msiCfgFieldAt(offset)
    if (size > f.size || offset % size !== 0) return 0n
    const v = r.msiCfgTbl[f.entry]![f.field]
    return f.size === 8 && size === 4 ? (offset === f.base ? v & mask(32) : v >> 32n) : v
  }
  const at = locate(offset, size)
  if (at === undefined) return 0n
  const v = r[at.name]
  if (at.regSize === 8 && size === 4) return at.high ? v >> 32n : v & mask(32)
  return v
}

// ---- writes -------------------------------------------------------------------------------------------

const MODE_RANK: Readonly<Record<IommuMode, number>> = { Off: 0, Bare: 1, '1LVL': 2, '2LVL': 3, '3LVL': 4 }

const queuesOn = (r: RegisterFile): boolean =>
  bit(r.cqcsr, CQCSR.cqen) || bit(r.cqcsr, CQCSR.cqon) || bit(r.fqcsr, FQCSR.fqen) || bit(r.fqcsr, FQCSR.fqon) || bit(r.pqcsr, 0) || bit(r.pqcsr, 16)

const ppnMask = (caps: Capabilities): bigint => mask(Math.max(0, caps.pas - 12))

/** What the IOMMU does with a full-width write `v` to register `name`. */
const writeField = (r: RegisterFile, o: RegisterOptions, name: RegisterName, v: bigint): RegisterFile => {
  const caps = capabilitiesOf(r)
  switch (name) {
    case 'capabilities': case 'cqh': case 'fqt': case 'pqt':
      return r // read-only
    case 'fctl': {
      // WARL: BE writable only with END = 1, WSI only with IGS = BOTH, GXL only if the option says so;
      // a change while the IOMMU is not Off or a queue is on is UNSPECIFIED: dropped, as the C model does.
      if (iommuModeOf(r) !== 'Off' || queuesOn(r)) return r
      let f = r.fctl
      if (caps.end) f = set(f, 0, bit(v, 0))
      if (caps.igs === 2) f = set(f, 1, bit(v, 1))
      if (o.gxlWritable) f = set(f, 2, bit(v, 2))
      return { ...r, fctl: f }
    }
    case 'ddtp': {
      // iommu_mode WARL: an unimplemented or reserved mode keeps the old value; changing between two
      // directory modes (not through Off or Bare) is UNSPECIFIED and ignored, as in the C model.
      const next = IOMMU_MODES[Number(bits(v, 3, 0))]
      const now = iommuModeOf(r)
      if (next === undefined || MODE_RANK[next] > MODE_RANK[o.maxIommuMode]) return r
      if (!(now === 'Off' || now === 'Bare' || next === 'Off' || next === 'Bare')) return r
      return { ...r, ddtp: BigInt(MODE_RANK[next]) | ((bits(v, 53, 10) & ppnMask(caps)) << 10n) }
    }
    case 'cqb': case 'fqb': case 'pqb': {
      // Writing a queue base while the queue is on is UNSPECIFIED: dropped (C model). The matching
      // software-side index (cqt, fqh, pqh) becomes 0.
      const csr = name === 'cqb' ? r.cqcsr : name === 'fqb' ? r.fqcsr : r.pqcsr
      if (name === 'pqb' && !caps.ats) return r
      if (bit(csr, 16)) return r
      const base = bits(v, 4, 0) | ((bits(v, 53, 10) & ppnMask(caps)) << 10n)
      if (name === 'cqb') return { ...r, cqb: base, cqt: 0n }
      if (name === 'fqb') return { ...r, fqb: base, fqh: 0n }
      return { ...r, pqb: base, pqh: 0n }
    }
    case 'cqt': return { ...r, cqt: v & (queueEntries(r.cqb) - 1n) }
    case 'fqh': return { ...r, fqh: v & (queueEntries(r.fqb) - 1n) }
    case 'pqh': return caps.ats ? { ...r, pqh: v & (queueEntries(r.pqb) - 1n) } : r
    case 'cqcsr': {
      let c = r.cqcsr, cqh = r.cqh
      const en = bit(v, CQCSR.cqen)
      if (en && !bit(c, CQCSR.cqen)) {
        // cqen 0 → 1: cqh = 0 and cmd_ill, cmd_to, cqmf, fence_w_ip = 0; the queue turns on.
        cqh = 0n
        for (const b of [CQCSR.cmd_ill, CQCSR.cmd_to, CQCSR.cqmf, CQCSR.fence_w_ip]) c = set(c, b, false)
      }
      c = set(set(c, CQCSR.cqen, en), CQCSR.cqon, en)
      c = set(c, CQCSR.cie, bit(v, CQCSR.cie))
      for (const b of [CQCSR.cqmf, CQCSR.cmd_to, CQCSR.cmd_ill, CQCSR.fence_w_ip]) if (bit(v, b)) c = set(c, b, false) // RW1C
      return { ...r, cqcsr: c, cqh }
    }
    case 'fqcsr': {
      const q = inboundCsr(r.fqcsr, v, r.fqt)
      return { ...r, fqcsr: q.csr, fqt: q.tail }
    }
    case 'pqcsr': {
      // read-only 0 without capabilities.ATS (page-request.ts writes the records)
      if (!caps.ats) return r
      const q = inboundCsr(r.pqcsr, v, r.pqt)
      return { ...r, pqcsr: q.csr, pqt: q.tail }
    }
    case 'ipsr':
      // RW1C pending bits; a pending condition that still holds sets its bit again at once.
      return withInterruptsPending({ ...r, ipsr: r.ipsr & ~ipsrClearedBy(v) }, o.ipsrOnEnable === 'spec' ? ALL_SOURCES : ipsrClearedBy(v))
    case 'icvec':
      return { ...r, icvec: writeIcvec(caps, o.interruptVectorBits, v) }
  }
}

/**
 * `source`'s ipsr bit set (its interrupt-pending condition arose; the caller checks the enable bit the
 * spec names for it). A 0 → 1 change is signalled by `signalInterrupts` (interrupt-delivery.ts).
 */
export const raiseInterrupt = (r: RegisterFile, source: InterruptSource): RegisterFile =>
  bit(r.ipsr, IPSR[source]) ? r : { ...r, ipsr: set(r.ipsr, IPSR[source], true) }

/** Every ipsr pending bit (cip, fip, pmip, pip). */
export const ALL_SOURCES = 0xfn

/**
 * ipsr.cip is set while cqcsr.cie = 1 and an error bit or fence_w_ip is 1; ipsr.fip while
 * fqcsr.fie = 1 and fqof or fqmf is 1; ipsr.pip while pqcsr.pie = 1 and pqof or pqmf is 1 (a new
 * record sets fip or pip separately, in the fault queue or the page-request queue). Only the bits in
 * `sources` are looked at (a mask of ipsr bits).
 */
export const withInterruptsPending = (r: RegisterFile, sources: bigint = ALL_SOURCES): RegisterFile => {
  const cq = bit(sources, IPSR.cip) && bit(r.cqcsr, CQCSR.cie) && [CQCSR.cqmf, CQCSR.cmd_to, CQCSR.cmd_ill, CQCSR.fence_w_ip].some((b) => bit(r.cqcsr, b))
  const fq = bit(sources, IPSR.fip) && bit(r.fqcsr, FQCSR.fie) && (bit(r.fqcsr, FQCSR.fqmf) || bit(r.fqcsr, FQCSR.fqof))
  const pq = bit(sources, IPSR.pip) && bit(r.pqcsr, PQCSR.pie) && (bit(r.pqcsr, PQCSR.pqmf) || bit(r.pqcsr, PQCSR.pqof))
  let p = r.ipsr
  if (cq) p = set(p, IPSR.cip, true)
  if (fq) p = set(p, IPSR.fip, true)
  if (pq) p = set(p, IPSR.pip, true)
  return p === r.ipsr ? r : { ...r, ipsr: p }
}

/**
 * A `size`-byte register write at `offset`. A 4-byte write to half of an 8-byte register is merged
 * with the other half first (the register sees one 8-byte write, as in the C model).
 */
export const writeRegister = (r: RegisterFile, o: RegisterOptions, offset: number, size: 4 | 8, value: bigint): RegisterFile => {
  if (offset >= MSI_CFG_TBL_OFFSET && offset < MSI_CFG_TBL_OFFSET + 256) return writeMsiCfg(r, o, offset, size, value)
  const at = locate(offset, size)
  if (at === undefined) return r
  const old = r[at.name]
  const v = at.regSize === 4 ? value & mask(32)
    : size === 8 ? value & mask(64)
    : at.high ? (old & mask(32)) | ((value & mask(32)) << 32n) : (old & ~mask(32)) | (value & mask(32))
  const next = writeField(r, o, at.name, v)
  return o.ipsrOnEnable === 'spec' ? withInterruptsPending(next) : next
}

/** A write to msi_cfg_tbl: entries the IOMMU does not implement ignore it; 4-byte halves of msi_addr merge. */
const writeMsiCfg = (r: RegisterFile, o: RegisterOptions, offset: number, size: 4 | 8, value: bigint): RegisterFile => {
  const f = msiCfgFieldAt(offset)
  const caps = capabilitiesOf(r)
  if (size > f.size || offset % size !== 0 || !msiEntryImplemented(caps, o.interruptVectorBits, f.entry)) return r
  const e = r.msiCfgTbl[f.entry]!
  const old = e[f.field]
  const v = f.size === 4 || size === 8 ? value & mask(8 * f.size)
    : offset === f.base ? (old & ~mask(32)) | (value & mask(32)) : (old & mask(32)) | ((value & mask(32)) << 32n)
  const tbl = r.msiCfgTbl.slice()
  tbl[f.entry] = writeMsiCfgField(caps, e, f.field, v)
  return { ...r, msiCfgTbl: tbl }
}
