// The structured scenario of `memvirt iommu` (README, "memvirt iommu", "The structured form"): devices
// with their device contexts, process contexts and mappings as named entries, expanded to the raw
// programming interface (memory words and register writes, RISC-V IOMMU spec v1.0: "Device-Directory-
// Table", "Process-Directory-Table", the first-stage and G-stage page tables of the Privileged ISA, and
// "Command-Queue" for the named commands). The expansion is pure and deterministic: tables are
// allocated page by page from `tables` in the order the devices are listed.
import { type Either, left, right } from '../bits/either.ts'
import { type FieldError, fieldError } from '../codec/index.ts'
import { type Scheme, SV39, SV39X4, SV48, SV48X4, SV57, SV57X4, inputBits, isCanonical } from '../mmu/atp.ts'
import { PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../mmu/pte.ts'
import { decodeCapabilities } from './capabilities.ts'
import { type Command, encodeCommand } from './commands.ts'
import { type IommuMode, deviceDirectoryIndexes, deviceIdTooWide, pdtProcessIdBits, processDirectoryIndexes } from './directory.ts'
import { IOHGATP_SV39X4, IOHGATP_SV48X4, IOHGATP_SV57X4, IOSATP_SV39, IOSATP_SV48, IOSATP_SV57, PDTP_PD17, PDTP_PD20, PDTP_PD8 } from './device-context.ts'
import type { Step } from './steps.ts'

// ---- the structured form, as decoded ------------------------------------------------------------------

export type PageSize = '4KiB' | '2MiB' | '1GiB' | '512GiB'
export const PAGE_SIZES: readonly PageSize[] = ['4KiB', '2MiB', '1GiB', '512GiB']
/** The leaf's permissions (W alone is a reserved encoding: write it with a raw `memory` step). */
export type Permission = 'r' | 'rw' | 'x' | 'rx' | 'rwx'
export const PERMISSIONS: readonly Permission[] = ['r', 'rw', 'x', 'rx', 'rwx']

/** One leaf PTE: input address `iova` (an IOVA, or a GPA in a G-stage) → `to`, one page of `size`. */
export interface Mapping {
  readonly iova: bigint
  readonly to: bigint
  readonly size: PageSize
  readonly perm: Permission
  /** U; default true (a G-stage leaf needs U = 1; device requests without a process are user). */
  readonly user?: boolean
  readonly global?: boolean
  /** A and D; default true (false: the IOMMU sets them, with SADE/GADE, or faults). */
  readonly accessed?: boolean
  readonly dirty?: boolean
  /** PBMT: 0 PMA, 1 NC, 2 IO. */
  readonly pbmt?: 0 | 1 | 2
}

export interface FirstStage { readonly mode: 'Sv39' | 'Sv48' | 'Sv57', readonly pscid?: number, readonly mappings: readonly Mapping[] }
export interface GStage { readonly mode: 'Sv39x4' | 'Sv48x4' | 'Sv57x4', readonly gscid?: number, readonly mappings: readonly Mapping[] }

export interface Process {
  readonly processId: number
  readonly ens?: boolean
  readonly sum?: boolean
  /** Absent: PC.fsc.MODE = Bare. */
  readonly firstStage?: FirstStage
}

export interface Device {
  readonly name: string
  readonly deviceId: number
  /** tc.EN_ATS, T2GPA, DTF, SADE, GADE, DPE (all default false). */
  readonly ats?: boolean
  readonly t2gpa?: boolean
  readonly dtf?: boolean
  /** tc.EN_PRI (needs `ats`) and tc.PRPR (needs `pri`): page requests ("PCIe ATS Page Request handling"); default false. */
  readonly pri?: boolean
  readonly prpr?: boolean
  readonly sade?: boolean
  readonly gade?: boolean
  readonly dpe?: boolean
  /** Absent: iohgatp.MODE = Bare. */
  readonly gStage?: GStage
  /** DC.fsc as iosatp (absent with no `processes`: Bare). */
  readonly firstStage?: FirstStage
  /** A process directory: DC.tc.PDTV = 1, DC.fsc = pdtp of `pdt` (default PD8). */
  readonly pdt?: 'PD8' | 'PD17' | 'PD20'
  readonly processes?: readonly Process[]
}

export interface Queue { readonly base?: bigint, readonly entries?: number }

/** One msi_cfg_tbl entry: the message of `vector` (interrupts.ts). */
export interface MsiMessage { readonly vector: number, readonly addr: bigint, readonly data: number, readonly masked?: boolean }

/** The IOMMU's own interrupts: enables, icvec and msi_cfg_tbl, programmed before the queues are turned on. */
export interface Interrupts {
  /** cqcsr.cie and fqcsr.fie; default true. */
  readonly commandQueue?: boolean
  readonly faultQueue?: boolean
  /** icvec: each source's vector (default 0). */
  readonly vectors?: { readonly cip?: number, readonly fip?: number, readonly pmip?: number, readonly pip?: number }
  readonly msi?: readonly MsiMessage[]
}

/** The response codes of a "Page Request Group Response" by name. */
export type PrgResponse = 'success' | 'invalid-request' | 'response-failure'
export const PRG_RESPONSES: readonly PrgResponse[] = ['success', 'invalid-request', 'response-failure']

/** The structured steps; the raw steps other than `translate` and `page-request` pass through unchanged. */
export type StructuredStep =
  | Exclude<Step, { readonly op: 'translate' | 'page-request' }>
  /** A PCIe "Page Request" from a device (R, W, L and the group index by name; a Stop Marker is L alone). */
  | { readonly op: 'page-request', readonly device: string, readonly process?: number, readonly privileged?: boolean, readonly execute?: boolean,
      readonly read?: boolean, readonly write?: boolean, readonly last?: boolean, readonly group?: number, readonly page: bigint }
  /** ATS.INVAL to the device: one 4 KiB page at `iova`, or (absent) its whole address space; `process` sends it with a PASID. */
  | { readonly op: 'ats.inval', readonly device: string, readonly process?: number, readonly iova?: bigint }
  /** ATS.PRGR: software's "Page Request Group Response" to the device for page request group `group`. */
  | { readonly op: 'ats.prgr', readonly device: string, readonly process?: number, readonly group: number, readonly response: PrgResponse }
  | { readonly op: 'translate', readonly device: string, readonly process?: number, readonly access: 'read' | 'write' | 'execute',
      readonly privileged?: boolean, readonly type?: 'untranslated' | 'translated' | 'ats', readonly iova: bigint }
  | { readonly op: 'iotinval.vma', readonly device?: string, readonly process?: number, readonly iova?: bigint }
  | { readonly op: 'iotinval.gvma', readonly device?: string, readonly gpa?: bigint }
  | { readonly op: 'iodir.inval_ddt', readonly device?: string }
  | { readonly op: 'iodir.inval_pdt', readonly device: string, readonly process: number }
  | { readonly op: 'iofence.c', readonly addr?: bigint, readonly data?: number }

export interface StructuredScenario {
  readonly description?: string
  /** Default EXAMPLE_CAPABILITIES. */
  readonly capabilities?: bigint
  readonly fctl?: bigint
  /** ddtp.iommu_mode; default the fewest levels that hold every deviceId. */
  readonly ddt?: '1LVL' | '2LVL' | '3LVL'
  /** Where tables are allocated; default 0x8010_0000. */
  readonly tables?: bigint
  readonly faultQueue?: Queue
  readonly commandQueue?: Queue
  /** Given: a page-request queue (16-byte records) allocated after the command queue, pqb written and pqcsr.pqen set. */
  readonly pageRequestQueue?: Queue
  readonly interrupts?: Interrupts
  readonly devices: readonly Device[]
  /** Further 64-bit words, written after the tables (they may overwrite them). */
  readonly memory?: readonly { readonly addr: bigint, readonly value: bigint }[]
  readonly steps: readonly StructuredStep[]
}

/** The raw form: what `memvirt iommu` runs and `--print-raw` prints. */
export interface RawScenario {
  readonly description?: string
  readonly capabilities: bigint
  readonly fctl: bigint
  readonly memory: readonly { readonly addr: bigint, readonly value: bigint }[]
  readonly steps: readonly Step[]
}

export const DEFAULT_TABLES = 0x8010_0000n
export const DEFAULT_QUEUE_ENTRIES = 64

// ---- page tables ----------------------------------------------------------------------------------------

const PAGE = 4096n
const h = (v: bigint): string => `0x${v.toString(16)}`
const SIZE_BITS: Readonly<Record<PageSize, number>> = { '4KiB': 12, '2MiB': 21, '1GiB': 30, '512GiB': 39 }
const PERM_BITS: Readonly<Record<Permission, bigint>> = { r: PTE_R, rw: PTE_R | PTE_W, x: PTE_X, rx: PTE_R | PTE_X, rwx: PTE_R | PTE_W | PTE_X }
const FIRST: Readonly<Record<FirstStage['mode'], readonly [Scheme, number]>> = { Sv39: [SV39, IOSATP_SV39], Sv48: [SV48, IOSATP_SV48], Sv57: [SV57, IOSATP_SV57] }
const SECOND: Readonly<Record<GStage['mode'], readonly [Scheme, number]>> = { Sv39x4: [SV39X4, IOHGATP_SV39X4], Sv48x4: [SV48X4, IOHGATP_SV48X4], Sv57x4: [SV57X4, IOHGATP_SV57X4] }
const PDT_MODES: Readonly<Record<NonNullable<Device['pdt']>, number>> = { PD8: PDTP_PD8, PD17: PDTP_PD17, PD20: PDTP_PD20 }

const pointer = (table: bigint): bigint => ((table >> 12n) << 10n) | PTE_V
const leafPte = (m: Mapping): bigint =>
  ((m.to >> 12n) << 10n) | PTE_V | PERM_BITS[m.perm] | (m.user ?? true ? PTE_U : 0n) | (m.global === true ? PTE_G : 0n) |
  (m.accessed ?? true ? PTE_A : 0n) | (m.dirty ?? true ? PTE_D : 0n) | (BigInt(m.pbmt ?? 0) << 61n)

/** Page-granular allocation from the table area, in order; a table of n pages is n-page aligned. */
interface Allocator { next: bigint }
const allocate = (a: Allocator, pages: bigint): bigint => {
  const size = pages * PAGE
  const at = (a.next + size - 1n) / size * size
  a.next = at + size
  return at
}

/** The words of the tables being built, by address (the last write wins, as in memory). */
type Words = Map<bigint, bigint>

/**
 * Writes the leaves of `mappings` into the tables of `scheme` rooted at `root` ("Virtual Address
 * Translation Process" read backwards: the index of each level is the VPN field the walk will use).
 * An overlap with an earlier leaf, a misaligned address or a size the scheme cannot map is an error at
 * the mapping's field.
 */
const buildTables = (scheme: Scheme, root: bigint, mappings: readonly Mapping[], path: string, words: Words, alloc: Allocator, tables: Set<bigint>, gStage: boolean): FieldError | undefined => {
  const pointerAt = new Map<bigint, bigint>()          // entry address → next table, for entries this build made pointers
  const leafAt = new Set<bigint>()
  for (const [j, m] of mappings.entries()) {
    const at = `${path}.mappings[${j}]`
    const bitsWide = SIZE_BITS[m.size]
    const levels = scheme.levels
    const leafLevel = (bitsWide - 12) / 9
    if (leafLevel >= levels) return fieldError(`${at}.size`, `${m.size} is larger than the biggest page ${scheme.name} maps`)
    const align = (1n << BigInt(bitsWide)) - 1n
    if ((m.iova & align) !== 0n) return fieldError(`${at}.iova`, `${h(m.iova)} is not aligned to its size (${m.size})`)
    if ((m.to & align) !== 0n) return fieldError(`${at}.to`, `${h(m.to)} is not aligned to its size (${m.size})`)
    if (gStage ? m.iova >> BigInt(inputBits(scheme)) !== 0n : !isCanonical(m.iova, scheme)) {
      return fieldError(`${at}.iova`, `${h(m.iova)} is outside ${scheme.name}'s ${gStage ? `${inputBits(scheme)}-bit guest-physical` : 'canonical'} address space`)
    }
    if (m.to >> 56n !== 0n) return fieldError(`${at}.to`, `${h(m.to)} is wider than 56 bits`)
    if (gStage && m.user === false) return fieldError(`${at}.user`, 'a G-stage leaf must have U = 1 (false makes every access fault)')
    let table = root
    for (let level = levels - 1; ; level--) {
      const width = level === levels - 1 ? 9 + scheme.widenBits : 9
      const index = (m.iova >> BigInt(12 + 9 * level)) & ((1n << BigInt(width)) - 1n)
      const entry = table + index * 8n
      if (leafAt.has(entry)) return fieldError(`${at}.iova`, `${h(m.iova)} overlaps an earlier mapping`)
      if (level === leafLevel) {
        if (pointerAt.has(entry)) return fieldError(`${at}.iova`, `${h(m.iova)} overlaps an earlier mapping`)
        words.set(entry, leafPte(m))
        leafAt.add(entry)
        break
      }
      let next = pointerAt.get(entry)
      if (next === undefined) {
        next = allocate(alloc, 1n)
        tables.add(next)
        pointerAt.set(entry, next)
        words.set(entry, pointer(next))
      }
      table = next
    }
  }
  return undefined
}

/** A first stage's tables; returns DC.fsc / PC.fsc (MODE and root PPN), 0 (Bare) when absent. */
const firstStageAtp = (fs: FirstStage | undefined, path: string, words: Words, alloc: Allocator, guestTables: Set<bigint>): FieldError | bigint => {
  if (fs === undefined) return 0n
  const [scheme, modeNumber] = FIRST[fs.mode]
  const root = allocate(alloc, 1n)
  guestTables.add(root)
  const e = buildTables(scheme, root, fs.mappings, `${path}.firstStage`, words, alloc, guestTables, false)
  return e ?? ((BigInt(modeNumber) << 60n) | (root >> 12n))
}

/**
 * Down a directory (DDT or PDT) from `root` by `indexes[levels − 1] … indexes[1]`, allocating each
 * missing non-leaf table (recorded in `pointers` and `made`); returns the leaf table.
 */
const descend = (root: bigint, indexes: readonly number[], levels: number, pointers: Map<bigint, bigint>, words: Words, alloc: Allocator, made?: Set<bigint>): bigint => {
  let table = root
  for (let level = levels - 1; level > 0; level--) {
    const entry = table + BigInt(indexes[level]!) * 8n
    let next = pointers.get(entry)
    if (next === undefined) {
      next = allocate(alloc, 1n)
      made?.add(next)
      pointers.set(entry, next)
      words.set(entry, pointer(next))
    }
    table = next
  }
  return table
}

// ---- the expansion ---------------------------------------------------------------------------------------

const MODE_NUMBER: Readonly<Record<IommuMode, bigint>> = { Off: 0n, Bare: 1n, '1LVL': 2n, '2LVL': 3n, '3LVL': 4n }

/** The fewest DDT levels that hold every device_id. */
const ddtModeFor = (devices: readonly Device[], extended: boolean): '1LVL' | '2LVL' | '3LVL' => {
  const ddis = devices.map((d) => deviceDirectoryIndexes(d.deviceId, extended))
  if (ddis.every((x) => !deviceIdTooWide('1LVL', x))) return '1LVL'
  return ddis.every((x) => !deviceIdTooWide('2LVL', x)) ? '2LVL' : '3LVL'
}

const queueRegister = (q: Queue | undefined, path: string, entrySize: bigint, alloc: Allocator): Either<FieldError, bigint> => {
  const entries = BigInt(q?.entries ?? DEFAULT_QUEUE_ENTRIES)
  if ((entries & (entries - 1n)) !== 0n || entries < 2n) return left(fieldError(`${path}.entries`, `expected a power of two from 2, got ${entries}`))
  const bytes = entries * entrySize
  const pages = bytes <= PAGE ? 1n : bytes / PAGE
  const base = q?.base ?? allocate(alloc, pages)
  if (base % (pages * PAGE) !== 0n) return left(fieldError(`${path}.base`, `${h(base)} is not aligned to the queue's ${pages * PAGE} bytes (or 4 KiB)`))
  const log2 = BigInt(entries.toString(2).length - 1)
  return right((log2 - 1n) | ((base >> 12n) << 10n))
}

/** Expands a structured scenario into the raw form, or the first error at its field. */
export const expandStructured = (s: StructuredScenario, defaultCapabilities: bigint): Either<FieldError, RawScenario> => {
  const capabilities = s.capabilities ?? defaultCapabilities
  const caps = decodeCapabilities(capabilities)
  const extended = caps.msiFlat
  const alloc: Allocator = { next: s.tables ?? DEFAULT_TABLES }
  if (alloc.next % PAGE !== 0n) return left(fieldError('tables', `${h(alloc.next)} is not 4 KiB aligned`))
  const words: Words = new Map()
  // Names and ids are unique.
  const byName = new Map<string, Device>()
  for (const [i, d] of s.devices.entries()) {
    if (byName.has(d.name)) return left(fieldError(`devices[${i}].name`, `${JSON.stringify(d.name)} names an earlier device too`))
    const twin = s.devices.findIndex((e) => e.deviceId === d.deviceId)
    if (twin < i) return left(fieldError(`devices[${i}].deviceId`, `${d.deviceId} is the deviceId of devices[${twin}] too`))
    byName.set(d.name, d)
  }
  const mode = s.ddt ?? ddtModeFor(s.devices, extended)
  for (const [i, d] of s.devices.entries()) {
    if (deviceIdTooWide(mode, deviceDirectoryIndexes(d.deviceId, extended))) return left(fieldError(`devices[${i}].deviceId`, `${d.deviceId} is wider than a ${mode} directory holds`))
  }
  // The DDT root, then the queues.
  const ddtRoot = allocate(alloc, 1n)
  const fqb = queueRegister(s.faultQueue, 'faultQueue', 32n, alloc)
  if (fqb._tag === 'Left') return fqb
  const cqb = queueRegister(s.commandQueue, 'commandQueue', 16n, alloc)
  if (cqb._tag === 'Left') return cqb
  const pqb = s.pageRequestQueue === undefined ? undefined : queueRegister(s.pageRequestQueue, 'pageRequestQueue', 16n, alloc)
  if (pqb?._tag === 'Left') return pqb
  const dcBytes = extended ? 64n : 32n
  const ddtTables = new Map<bigint, bigint>()              // DDT entry address → the table it points to
  for (const [i, d] of s.devices.entries()) {
    const path = `devices[${i}]`
    // "Process to locate the Device-context", steps 1–7 in reverse: the non-leaf entries down to the leaf table.
    const ddi = deviceDirectoryIndexes(d.deviceId, extended)
    const table = descend(ddtRoot, ddi, mode === '3LVL' ? 3 : mode === '2LVL' ? 2 : 1, ddtTables, words, alloc)
    const dcAt = table + BigInt(ddi[0]) * dcBytes
    if (d.firstStage !== undefined && d.processes !== undefined) return left(fieldError(`${path}.processes`, 'a device has either firstStage (iosatp) or processes (a PDT), not both'))
    if (d.pdt !== undefined && d.processes === undefined) return left(fieldError(`${path}.pdt`, 'given without processes'))
    if (d.t2gpa === true && d.gStage === undefined) return left(fieldError(`${path}.t2gpa`, 'T2GPA needs a gStage'))
    if (d.pri === true && d.ats !== true) return left(fieldError(`${path}.pri`, 'EN_PRI needs ats (EN_ATS)'))
    if (d.prpr === true && d.pri !== true) return left(fieldError(`${path}.prpr`, 'PRPR needs pri (EN_PRI)'))
    // First-stage tables and the PDT live in guest-physical memory when there is a G-stage: they are
    // placed at GPA = SPA and the G-stage gets a 4 KiB identity leaf (R W U A D) for each of their pages.
    const guestTables = new Set<bigint>()
    const iosatp = firstStageAtp(d.firstStage, path, words, alloc, guestTables)
    if (typeof iosatp !== 'bigint') return left(iosatp)
    let fsc = iosatp
    const pscid = d.firstStage?.pscid ?? 0
    if (d.processes !== undefined) {
      const pdtMode = PDT_MODES[d.pdt ?? 'PD8']
      const levels = pdtMode === PDTP_PD20 ? 3 : pdtMode === PDTP_PD17 ? 2 : 1
      const pdtRoot = allocate(alloc, 1n)
      guestTables.add(pdtRoot)
      fsc = (BigInt(pdtMode) << 60n) | (pdtRoot >> 12n)
      const pdtTables = new Map<bigint, bigint>()
      const seen = new Set<number>()
      for (const [k, p] of d.processes.entries()) {
        const ppath = `${path}.processes[${k}]`
        if (p.processId >= 2 ** pdtProcessIdBits(pdtMode)) return left(fieldError(`${ppath}.processId`, `${p.processId} is wider than ${d.pdt ?? 'PD8'} holds`))
        if (seen.has(p.processId)) return left(fieldError(`${ppath}.processId`, `${p.processId} is listed twice`))
        seen.add(p.processId)
        // "Process to locate the Process-context", in reverse.
        const pdi = processDirectoryIndexes(p.processId)
        const pcAt = descend(pdtRoot, pdi, levels, pdtTables, words, alloc, guestTables) + BigInt(pdi[0]) * 16n
        const pcFsc = firstStageAtp(p.firstStage, ppath, words, alloc, guestTables)
        if (typeof pcFsc !== 'bigint') return left(pcFsc)
        words.set(pcAt, 1n | (p.ens === true ? 2n : 0n) | (p.sum === true ? 4n : 0n) | (BigInt(p.firstStage?.pscid ?? 0) << 12n))
        words.set(pcAt + 8n, pcFsc)
      }
    }
    let iohgatp = 0n
    if (d.gStage !== undefined) {
      const [scheme, modeNumber] = SECOND[d.gStage.mode]
      const root = allocate(alloc, 4n)                     // 16 KiB, 16-KiB aligned
      const identity: Mapping[] = [...guestTables].sort((a, b) => (a < b ? -1 : 1)).map((a) => ({ iova: a, to: a, size: '4KiB', perm: 'rw' }))
      for (const [j, m] of d.gStage.mappings.entries()) {
        const top = m.iova + (1n << BigInt(SIZE_BITS[m.size]))
        const hit = identity.find((t) => t.iova >= m.iova && t.iova < top)
        if (hit !== undefined) return left(fieldError(`${path}.gStage.mappings[${j}].iova`, `covers the first-stage table page at GPA ${h(hit.iova)} (tables sit at GPA = SPA; move \`tables\` or this mapping)`))
      }
      const e = buildTables(scheme, root, [...d.gStage.mappings, ...identity], `${path}.gStage`, words, alloc, new Set(), true)
      if (e !== undefined) return left(e)
      iohgatp = (BigInt(modeNumber) << 60n) | (BigInt(d.gStage.gscid ?? 0) << 44n) | (root >> 12n)
    }
    const tc = 1n | (d.ats === true ? 2n : 0n) | (d.pri === true ? 4n : 0n) | (d.prpr === true ? 64n : 0n) | (d.t2gpa === true ? 8n : 0n) | (d.dtf === true ? 16n : 0n) | (d.processes !== undefined ? 32n : 0n) |
      (d.gade === true ? 128n : 0n) | (d.sade === true ? 256n : 0n) | (d.dpe === true ? 512n : 0n)
    words.set(dcAt, tc)
    words.set(dcAt + 8n, iohgatp)
    words.set(dcAt + 16n, BigInt(pscid) << 12n)
    words.set(dcAt + 24n, fsc)
    if (extended) for (let k = 4n; k < 8n; k++) words.set(dcAt + k * 8n, 0n)
  }
  for (const w of s.memory ?? []) words.set(w.addr, w.value)
  const irq = interruptSetup(s.interrupts)
  if (irq._tag === 'Left') return irq
  const ie = (on: boolean | undefined): bigint => (s.interrupts !== undefined && (on ?? true) ? 2n : 0n)
  // Software's setup, in the order a driver does it: interrupt vectors and messages, fault queue, command queue, then ddtp.
  const setup: Step[] = [
    ...irq.right,
    { op: 'write-register', offset: 40, size: 8, value: fqb.right },
    { op: 'write-register', offset: 76, size: 4, value: 1n | ie(s.interrupts?.faultQueue) },
    { op: 'write-register', offset: 24, size: 8, value: cqb.right },
    { op: 'write-register', offset: 72, size: 4, value: 1n | ie(s.interrupts?.commandQueue) },
    ...(pqb === undefined ? [] : [
      { op: 'write-register', offset: 56, size: 8, value: pqb.right },
      { op: 'write-register', offset: 80, size: 4, value: 1n },
    ] as const),
    { op: 'write-register', offset: 16, size: 8, value: MODE_NUMBER[mode] | ((ddtRoot >> 12n) << 10n) },
  ]
  const steps: Step[] = [...setup]
  for (const [i, st] of s.steps.entries()) {
    const r = expandStep(st, `steps[${i}]`, byName)
    if (r._tag === 'Left') return r
    steps.push(r.right)
  }
  const memory = [...words.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([addr, value]) => ({ addr, value }))
  return right({ ...(s.description === undefined ? {} : { description: s.description }), capabilities, fctl: s.fctl ?? 0n, memory, steps })
}

const command = (c: Command): Step => ({ op: 'command', words: encodeCommand(c) })

/** The device's address-space tags as IOTINVAL operands: GV/GSCID from its G-stage, PSCV/PSCID from its first stage. */
const expandStep = (st: StructuredStep, path: string, byName: ReadonlyMap<string, Device>): Either<FieldError, Step> => {
  const device = (name: string | undefined): Either<FieldError, Device | undefined> => {
    if (name === undefined) return right(undefined)
    const d = byName.get(name)
    return d === undefined ? left(fieldError(`${path}.device`, `no device is named ${JSON.stringify(name)} (have: ${[...byName.keys()].join(', ')})`)) : right(d)
  }
  switch (st.op) {
    case 'translate': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      return right({ op: 'translate', deviceId: d.right!.deviceId, ...(st.process === undefined ? {} : { processId: st.process }), access: st.access, privileged: st.privileged ?? false, type: st.type ?? 'untranslated', iova: st.iova })
    }
    case 'iotinval.vma': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      const dev = d.right
      const pc = st.process === undefined ? undefined : dev?.processes?.find((p) => p.processId === st.process)
      if (st.process !== undefined && pc === undefined) return left(fieldError(`${path}.process`, `${st.process} is not a process of ${st.device ?? '(no device)'}`))
      const first = pc !== undefined ? pc.firstStage : dev?.firstStage
      return right(command({ kind: 'IOTINVAL.VMA', av: st.iova !== undefined, addr: st.iova ?? 0n, pscv: first !== undefined, pscid: first?.pscid ?? 0,
        gv: dev?.gStage !== undefined, gscid: dev?.gStage?.gscid ?? 0, nl: false, s: false }))
    }
    case 'iotinval.gvma': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      if (d.right !== undefined && d.right.gStage === undefined) return left(fieldError(`${path}.device`, `${st.device!} has no gStage`))
      return right(command({ kind: 'IOTINVAL.GVMA', av: st.gpa !== undefined, addr: st.gpa ?? 0n, pscv: false, pscid: 0,
        gv: d.right !== undefined, gscid: d.right?.gStage?.gscid ?? 0, nl: false, s: false }))
    }
    case 'iodir.inval_ddt': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      return right(command({ kind: 'IODIR.INVAL_DDT', pid: 0, dv: d.right !== undefined, did: d.right?.deviceId ?? 0 }))
    }
    case 'iodir.inval_pdt': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      return right(command({ kind: 'IODIR.INVAL_PDT', pid: st.process, dv: true, did: d.right!.deviceId }))
    }
    case 'page-request': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      if (st.page % PAGE !== 0n) return left(fieldError(`${path}.page`, `${h(st.page)} is not a page address (4 KiB aligned)`))
      const payload = (st.read ?? true ? 1n : 0n) | (st.write === true ? 2n : 0n) | (st.last ?? true ? 4n : 0n) | (BigInt(st.group ?? 0) << 3n) | st.page
      return right({ op: 'page-request', deviceId: d.right!.deviceId, ...(st.process === undefined ? {} : { processId: st.process }), privileged: st.privileged ?? false, execute: st.execute ?? false, payload })
    }
    case 'ats.inval': case 'ats.prgr': {
      const d = device(st.device)
      if (d._tag === 'Left') return d
      const id = d.right!.deviceId
      // ATS.INVAL's payload: the page (S = 0), or S = 1 with address bits 62:12 all 1, PCIe's "entire address space".
      const payload = st.op === 'ats.inval' ? (st.iova === undefined ? 0x7fff_ffff_ffff_f800n : (st.iova >> 12n) << 12n)
        : (BigInt(st.group) << 32n) | (BigInt({ success: 0, 'invalid-request': 1, 'response-failure': 15 }[st.response]) << 44n)
      return right(command({ kind: st.op === 'ats.inval' ? 'ATS.INVAL' : 'ATS.PRGR', pid: st.process ?? 0, pv: st.process !== undefined, dsv: id > 0xffff, rid: id & 0xffff, dseg: id >>> 16, payload }))
    }
    case 'iofence.c':
      return right(command({ kind: 'IOFENCE.C', av: st.addr !== undefined, wsi: false, pr: false, pw: false, data: st.data ?? 0, addr: st.addr ?? 0n }))
    default:
      return right(st)
  }
}

/** icvec (offset 760) and each message's msi_addr, msi_data and msi_vec_ctl (768 + 16·vector, + 8, + 12). */
const interruptSetup = (irq: Interrupts | undefined): Either<FieldError, Step[]> => {
  if (irq === undefined) return right([])
  const v = irq.vectors ?? {}
  const icvec = BigInt(v.cip ?? 0) | (BigInt(v.fip ?? 0) << 4n) | (BigInt(v.pmip ?? 0) << 8n) | (BigInt(v.pip ?? 0) << 12n)
  const steps: Step[] = [{ op: 'write-register', offset: 760, size: 8, value: icvec }]
  const seen = new Set<number>()
  for (const [i, m] of (irq.msi ?? []).entries()) {
    if (seen.has(m.vector)) return left(fieldError(`interrupts.msi[${i}].vector`, `vector ${m.vector} is given twice`))
    seen.add(m.vector)
    if (m.addr % 4n !== 0n) return left(fieldError(`interrupts.msi[${i}].addr`, `an MSI address is 4-byte aligned (msi_addr bits 1:0 are 0), got ${h(m.addr)}`))
    const at = 768 + 16 * m.vector
    steps.push({ op: 'write-register', offset: at, size: 8, value: m.addr }, { op: 'write-register', offset: at + 8, size: 4, value: BigInt(m.data) })
    if (m.masked === true) steps.push({ op: 'write-register', offset: at + 12, size: 4, value: 1n })
  }
  return right(steps)
}
