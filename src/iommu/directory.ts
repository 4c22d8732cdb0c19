// The device directory and the process directory (RISC-V IOMMU spec v1.0, "Device-Directory-Table",
// "Process-Directory-Table", "Process to locate the Device-context" and "Process to locate the
// Process-context"): non-leaf entries, the device_id and process_id splits, and the two numbered walks.
import { type Either, isLeft, left, right } from '../bits/either.ts'
import { bit, bits, hex } from '../bits/bits.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, peek } from '../memory/memory.ts'
import { regionAt } from '../memory/memory-map.ts'
import type { Capabilities } from './capabilities.ts'
import {
  type DeviceContext, type FctlWritability, type FeatureControl,
  PDTP_PD17, PDTP_PD20, PDTP_PD8, dcSize, decodeDeviceContext, deviceContextProblem,
} from './device-context.ts'
import { type ProcessContext, decodeProcessContext, processContextProblem } from './process-context.ts'
import { type IoStage, type IoWalkRequest, type WalkSession, gStageWalk } from './walk-adapter.ts'

// ---- non-leaf entries -----------------------------------------------------------------------------

/** A non-leaf DDT or PDT entry: V (bit 0), reserved 9:1, PPN 53:10, reserved 63:54. */
export interface NonLeafEntry {
  readonly v: boolean
  readonly ppn: bigint
  /** Bits 9:1 and 63:54 in place. */
  readonly reserved: bigint
}

export const decodeNonLeaf = (x: bigint): NonLeafEntry => ({
  v: bit(x, 0), ppn: bits(x, 53, 10), reserved: (bits(x, 9, 1) << 1n) | (bits(x, 63, 54) << 54n),
})
export const encodeNonLeaf = (e: NonLeafEntry): bigint =>
  (e.v ? 1n : 0n) | ((e.ppn & ((1n << 44n) - 1n)) << 10n) | (e.reserved & ((0x1ffn << 1n) | (0x3ffn << 54n)))

// ---- device_id and process_id ---------------------------------------------------------------------

/** ddtp.iommu_mode. */
export type IommuMode = 'Off' | 'Bare' | '1LVL' | '2LVL' | '3LVL'
export const IOMMU_MODES: readonly IommuMode[] = ['Off', 'Bare', '1LVL', '2LVL', '3LVL']

/**
 * DDI[0..2] of a device_id: base format 7/9/8 bits (device_id[6:0], [15:7], [23:16]); extended
 * format 6/9/9 bits ([5:0], [14:6], [23:15]).
 */
export const deviceDirectoryIndexes = (deviceId: number, extended: boolean): readonly [number, number, number] => {
  const d = BigInt(deviceId)
  return extended
    ? [Number(bits(d, 5, 0)), Number(bits(d, 14, 6)), Number(bits(d, 23, 15))]
    : [Number(bits(d, 6, 0)), Number(bits(d, 15, 7)), Number(bits(d, 23, 16))]
}

/** Step 5 of "Process to translate an IOVA": a device_id wider than the mode's DDT supports. */
export const deviceIdTooWide = (mode: IommuMode, ddi: readonly [number, number, number]): boolean =>
  (mode === '2LVL' && ddi[2] !== 0) || (mode === '1LVL' && (ddi[2] !== 0 || ddi[1] !== 0))

/** PDI[0..2] of a process_id: 8/9/3 bits (process_id[7:0], [16:8], [19:17]). */
export const processDirectoryIndexes = (processId: number): readonly [number, number, number] =>
  [processId & 0xff, (processId >>> 8) & 0x1ff, (processId >>> 17) & 0x7]

/** Widest process_id a pdtp.MODE supports: PD8 8 bits, PD17 17, PD20 20. */
export const pdtProcessIdBits = (pdtpMode: number): number => (pdtpMode === PDTP_PD8 ? 8 : pdtpMode === PDTP_PD17 ? 17 : 20)

// ---- reading directory memory ---------------------------------------------------------------------

/** A directory read: the doubleword, or undefined when it violates a PMA (not RAM) or lies beyond PAS. */
const readDword = (memory: PhysMemory, pa: bigint, pas: number): bigint | undefined => {
  if (pa >> BigInt(pas) !== 0n) return undefined
  const region = regionAt(memory.map, phys(pa), 8n)
  return region === undefined || region.kind !== 'ram' ? undefined : peek(memory, phys(pa), 8)
}

/** One directory reference, for explanations: what was read where, and what the walk made of it. */
export interface DirectoryStep {
  readonly table: 'DDT' | 'PDT'
  readonly level: number
  readonly addr: bigint
  readonly value: readonly bigint[]
  readonly note: string
}

/** A failed directory walk: the cause (257/258/259 for the DDT, 265/266/267 or a G-stage cause for the PDT). */
export interface DirectoryFault {
  readonly cause: number
  readonly iotval2: bigint
  readonly reason: string
}

const fail = (cause: number, reason: string, iotval2 = 0n): Either<DirectoryFault, never> => left({ cause, iotval2, reason })

// ---- "Process to locate the Device-context" --------------------------------------------------------

export interface DdtConfig {
  readonly mode: '1LVL' | '2LVL' | '3LVL'
  /** ddtp.PPN. */
  readonly ppn: bigint
  readonly caps: Capabilities
  readonly fctl: FeatureControl
  readonly writable: FctlWritability
}

/** Walks the DDT for `deviceId` (already width-checked). Pushes each reference on `steps`. */
export const locateDeviceContext = (memory: PhysMemory, cfg: DdtConfig, deviceId: number, steps: DirectoryStep[]): Either<DirectoryFault, DeviceContext> => {
  const extended = cfg.caps.msiFlat
  const ddi = deviceDirectoryIndexes(deviceId, extended)
  // Step 1: a = ddtp.PPN × 2^12; i = LEVELS − 1.
  let a = cfg.ppn << 12n
  const levels = cfg.mode === '3LVL' ? 3 : cfg.mode === '2LVL' ? 2 : 1
  for (let i = levels - 1; i > 0; i--) {
    // Step 3: ddte = the 8 bytes at a + DDI[i] × 8; a PMA/PMP violation is cause 257.
    const at = a + BigInt(ddi[i]!) * 8n
    const raw = readDword(memory, at, cfg.caps.pas)
    if (raw === undefined) return fail(257, `DDT level ${i} entry at ${hex(at)} is not readable memory`)
    const ddte = decodeNonLeaf(raw)
    // Step 5: V = 0 → 258. Step 6: reserved bits → 259.
    if (!ddte.v) { steps.push({ table: 'DDT', level: i, addr: at, value: [raw], note: 'not valid' }); return fail(258, `DDT level ${i} entry at ${hex(at)} has V=0`) }
    if (ddte.reserved !== 0n) { steps.push({ table: 'DDT', level: i, addr: at, value: [raw], note: 'reserved bits set' }); return fail(259, `DDT level ${i} entry at ${hex(at)} has reserved bits set`) }
    steps.push({ table: 'DDT', level: i, addr: at, value: [raw], note: `→ next table at ${hex(ddte.ppn << 12n)}` })
    // Step 7: i = i − 1, a = ddte.PPN × 2^12.
    a = ddte.ppn << 12n
  }
  // Step 8: DC = DC_SIZE bytes at a + DDI[0] × DC_SIZE.
  const size = dcSize(cfg.caps)
  const at = a + BigInt(ddi[0]) * BigInt(size)
  const dws: bigint[] = []
  for (let k = 0; k < size / 8; k++) {
    const dw = readDword(memory, at + BigInt(8 * k), cfg.caps.pas)
    if (dw === undefined) return fail(257, `device context at ${hex(at)} is not readable memory`)
    dws.push(dw)
  }
  const dc = decodeDeviceContext(dws)
  // Step 9: V = 0 → 258. Step 10: misconfigured → 259.
  if (!dc.tc.v) { steps.push({ table: 'DDT', level: 0, addr: at, value: dws, note: 'DC not valid' }); return fail(258, `device context at ${hex(at)} has tc.V=0`) }
  const why = deviceContextProblem(dc, cfg.caps, cfg.fctl, cfg.writable)
  if (why !== undefined) { steps.push({ table: 'DDT', level: 0, addr: at, value: dws, note: `misconfigured: ${why}` }); return fail(259, `device context misconfigured: ${why}`) }
  steps.push({ table: 'DDT', level: 0, addr: at, value: dws, note: 'device context' })
  return right(dc)
}

// ---- "Process to locate the Process-context" -------------------------------------------------------

/**
 * Walks the PDT of `dc` for `processId` (already width-checked). With a G-stage, every PDT address is a
 * GPA translated as an implicit read (guest-page faults with iotval2 bit 0 set, the original access
 * type's cause; a G-stage access fault is reported as 265).
 */
export const locateProcessContext = (
  s: WalkSession, dc: DeviceContext, g: IoStage, req: IoWalkRequest, processId: number, caps: Capabilities, steps: DirectoryStep[],
): Either<DirectoryFault, ProcessContext> => {
  const pdi = processDirectoryIndexes(processId)
  const mode = dc.fsc.mode
  const levels = mode === PDTP_PD20 ? 3 : mode === PDTP_PD17 ? 2 : 1
  // Step 1: a = pdtp.PPN × 2^12; i = LEVELS − 1.
  let a = dc.fsc.ppn << 12n
  for (let i = levels - 1; ; i--) {
    // Step 2: the entry's address (PC entries are 16 bytes).
    const gpa = i !== 0 ? a + BigInt(pdi[i]!) * 8n : a + BigInt(pdi[0]) * 16n
    // Step 3: translate a GPA through the G-stage as an implicit read. (The C model's rule that an
    // implicit read sets D in a writable G-stage leaf, option implicitGStageDirty, is its first-stage
    // walk's only: its PDT reads are plain reads.)
    const t = gStageWalk(s, g, { ...req, implicitDirty: false }, gpa, 'implicit-read')
    if (isLeft(t)) {
      const e = t.left
      return e.cause >= 20 ? fail(e.cause, `PDT address ${hex(gpa)}: ${e.reason}`, e.iotval2) : fail(265, `PDT address ${hex(gpa)}: G-stage access fault: ${e.reason}`)
    }
    const pa = t.right.out
    if (i === 0) {
      // Step 10: PC = 16 bytes at a.
      const ta = readDword(s.memory, pa, caps.pas)
      const fsc = readDword(s.memory, pa + 8n, caps.pas)
      if (ta === undefined || fsc === undefined) return fail(265, `process context at ${hex(pa)} is not readable memory`)
      const pc = decodeProcessContext(ta, fsc)
      // Step 11: V = 0 → 266. Step 12: misconfigured → 267.
      if (!pc.ta.v) { steps.push({ table: 'PDT', level: 0, addr: pa, value: [ta, fsc], note: 'PC not valid' }); return fail(266, `process context at ${hex(pa)} has ta.V=0`) }
      const why = processContextProblem(pc, caps, dc.tc.sxl)
      if (why !== undefined) { steps.push({ table: 'PDT', level: 0, addr: pa, value: [ta, fsc], note: `misconfigured: ${why}` }); return fail(267, `process context misconfigured: ${why}`) }
      steps.push({ table: 'PDT', level: 0, addr: pa, value: [ta, fsc], note: 'process context' })
      return right(pc)
    }
    // Step 5: pdte = 8 bytes at a; PMA/PMP violation → 265. Step 7: V = 0 → 266. Step 8: reserved → 267.
    const raw = readDword(s.memory, pa, caps.pas)
    if (raw === undefined) return fail(265, `PDT level ${i} entry at ${hex(pa)} is not readable memory`)
    const pdte = decodeNonLeaf(raw)
    if (!pdte.v) { steps.push({ table: 'PDT', level: i, addr: pa, value: [raw], note: 'not valid' }); return fail(266, `PDT level ${i} entry at ${hex(pa)} has V=0`) }
    if (pdte.reserved !== 0n) { steps.push({ table: 'PDT', level: i, addr: pa, value: [raw], note: 'reserved bits set' }); return fail(267, `PDT level ${i} entry at ${hex(pa)} has reserved bits set`) }
    steps.push({ table: 'PDT', level: i, addr: pa, value: [raw], note: `→ next table at ${hex(pdte.ppn << 12n)}` })
    // Step 9: i = i − 1, a = pdte.PPN × 2^12.
    a = pdte.ppn << 12n
  }
}
