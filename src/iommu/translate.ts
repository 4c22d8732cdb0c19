// "Process to translate an IOVA" (RISC-V IOMMU spec v1.0, "Data Structures"), steps 1–20, for
// untranslated requests, translated requests and PCIe ATS translation requests; then the response
// ("PCIe ATS translation request handling" for which faults give UR, CA or a Success with no
// permissions) and the fault record, written to the fault queue unless DTF filters it.
import { type Either, isLeft, left, right } from '../bits/either.ts'
import { bits, hex } from '../bits/bits.ts'
import type { PhysMemory } from '../memory/memory.ts'
import { type Scheme, SV39, SV39X4, SV48, SV48X4, SV57, SV57X4 } from '../mmu/atp.ts'
import {
  type DeviceContext, IOHGATP_SV39X4, MSIPTP_OFF, IOHGATP_SV48X4, IOHGATP_SV57X4, IOSATP_SV39, IOSATP_SV48, IOSATP_SV57, PDTP_BARE,
} from './device-context.ts'
import {
  type DirectoryStep, deviceDirectoryIndexes, deviceIdTooWide, locateDeviceContext, locateProcessContext, pdtProcessIdBits,
} from './directory.ts'
import { type FaultRecord, ttypOf } from './fault-record.ts'
import { type MrifTarget, msiTranslate, sizeAvoidingMsiPages } from './msi.ts'
import type { ProcessContext } from './process-context.ts'
import { reportFault } from './fault-queue.ts'
import type { Iommu, MemoryWrite } from './iommu.ts'
import {
  type Caches, type IotlbEntry, type IotlbTags, type LeafGrant,
  dropIotlbEntry, fillDc, fillIotlb, fillPc, lookupDc, lookupIotlb, lookupPc,
} from './caches.ts'
import { capabilitiesOf, ddtpPpn, fctlOf, iommuModeOf } from './registers.ts'
import {
  type IoAccess, type IoStage, type IoWalkFault, type IoWalkRequest, type TrailStep,
  firstStageWalk, gStageWalk, ioSession, sessionStores,
} from './walk-adapter.ts'

/** An inbound transaction (or ATS translation request) from a device. */
export interface IoRequest {
  readonly deviceId: number
  /** The process_id (PCIe PASID), when the request carries one. */
  readonly processId?: number
  readonly access: IoAccess
  /** Supervisor privilege requested; meaningful only with a process_id. */
  readonly privileged: boolean
  readonly type: 'untranslated' | 'translated' | 'ats'
  readonly iova: bigint
}

export type ResponseStatus = 'success' | 'unsupported-request' | 'completer-abort'

/** The fields of an ATS translation completion ("PCIe ATS translation request handling"). */
export interface AtsCompletion {
  readonly r: boolean, readonly w: boolean, readonly x: boolean
  /** Untranslated access only: set for an MRIF-mode MSI page ("not eligible to receive a translated address"). */
  readonly u: boolean
  readonly priv: boolean
  readonly g: boolean
  /** The range in bytes (a power of two ≥ 4 KiB). */
  readonly size: bigint
  readonly pbmt: number
}

export interface IoResponse {
  readonly status: ResponseStatus
  /**
   * untranslated/translated success: the PPN of the accessed address (pa >> 12). ATS success: the PPN
   * field of the completion, NAPOT-encoded with its size (the C model's and PCIe's encoding); 0 when the
   * completion grants nothing.
   */
  readonly ppn: bigint
  /** The translated address (an SPA; a GPA for an ATS request with T2GPA = 1); undefined on a fault. */
  readonly pa: bigint | undefined
  /** log2 of the translation's range: the smaller of both stages'. */
  readonly pageBits: number
  readonly ats: AtsCompletion | undefined
  /** The fault the process stopped with, whether or not it was recorded. */
  readonly fault: { readonly cause: number, readonly iotval2: bigint, readonly reason: string } | undefined
  /**
   * An MRIF-mode MSI page: the destination MRIF and the notice MSI ("MSI PTE, MRIF mode"). `pa` is then
   * the notice MSI's address (the C model's response), never a place for the device's data.
   */
  readonly mrif?: MrifTarget
}

/** What the translation looked at, in order: directory entries and page-table references. */
export interface TranslateExplanation {
  readonly directory: readonly DirectoryStep[]
  readonly trail: readonly TrailStep[]
  readonly notes: readonly string[]
}

export interface TranslateOutcome {
  readonly iommu: Iommu
  readonly memory: PhysMemory
  readonly response: IoResponse
  readonly writes: readonly MemoryWrite[]
  readonly records: readonly FaultRecord[]
  readonly explanation: TranslateExplanation
  /** DC.tc.DTF of the device context located (false when none was): whether later faults of this request are recorded. */
  readonly dtf: boolean
}

const FIRST_SCHEMES: Readonly<Record<number, Scheme>> = { [IOSATP_SV39]: SV39, [IOSATP_SV48]: SV48, [IOSATP_SV57]: SV57 }
const G_SCHEMES: Readonly<Record<number, Scheme>> = { [IOHGATP_SV39X4]: SV39X4, [IOHGATP_SV48X4]: SV48X4, [IOHGATP_SV57X4]: SV57X4 }

/** Where the process stopped: the cause, iotval2 and why. */
interface Stop { readonly cause: number, readonly iotval2: bigint, readonly reason: string }
const stop = (cause: number, reason: string, iotval2 = 0n): Either<Stop, never> => left({ cause, reason, iotval2 })

/** A successful translation before the response is formed. */
interface Found {
  readonly pa: bigint
  readonly pageBits: number
  /** What the leaf of each stage granted (a Bare stage grants everything). */
  readonly first: LeafGrant
  readonly g: LeafGrant
  readonly mrif?: MrifTarget
}

const flag = (pte: bigint | undefined, at: number): boolean => pte === undefined || ((pte >> BigInt(at)) & 1n) === 1n
const pbmtOf = (pte: bigint | undefined): number => (pte === undefined ? 0 : Number(bits(pte, 62, 61)))

/** What a leaf PTE grants (after any A/D update); a Bare stage (no PTE) grants everything. */
const grantOf = (pte: bigint | undefined): LeafGrant => ({
  r: flag(pte, 1), w: flag(pte, 2), x: flag(pte, 3), u: flag(pte, 4), global: pte !== undefined && flag(pte, 5), d: flag(pte, 7), pbmt: pbmtOf(pte),
})
const ALL: LeafGrant = grantOf(undefined)
/** "…equivalent to that of a regular RISC-V second-stage PTE with R=W=U=1 and X=0" (and A = D = 1). */
const MSI_GRANT: LeafGrant = { r: true, w: true, x: false, u: true, global: false, d: true, pbmt: 0 }

/** The ATS cause classes: CA, UR, and Success with no permissions (no record). */
const ATS_COMPLETER_ABORT: ReadonlySet<number> = new Set([1, 5, 7, 261, 263, 265, 267, 268, 269, 270, 271, 272, 274])
const ATS_NO_PERMISSION: ReadonlySet<number> = new Set([12, 13, 15, 20, 21, 23, 266, 262])


/**
 * Translates one request. Pure: returns the IOMMU (fault-queue registers), memory (A/D updates, fault
 * records), the response and everything stored, never changing its inputs.
 */
export const translate = (iommu: Iommu, memory: PhysMemory, request: IoRequest): TranslateOutcome => {
  // PCIe carries "Execute Requested" only in the PASID prefix: a translated or ATS request without a
  // process_id cannot ask for execute, so it is a read (the C model's reading of the request too).
  const req: IoRequest = request.access === 'execute' && request.type !== 'untranslated' && request.processId === undefined
    ? { ...request, access: 'read' } : request
  const regs = iommu.regs
  const caps = capabilitiesOf(regs)
  const directory: DirectoryStep[] = []
  const notes: string[] = []
  const session = ioSession(memory, caps.pas)
  const pidValid = req.processId !== undefined
  let dc: DeviceContext | undefined
  let caches: Caches = iommu.caches

  const run = (): Either<Stop, Found> => {
    const mode = iommuModeOf(regs)
    // Step 1: Off → 256.
    if (mode === 'Off') return stop(256, 'ddtp.iommu_mode is Off')
    // Step 2: Bare → translated and ATS requests are 260; untranslated pass through.
    if (mode === 'Bare') {
      if (req.type !== 'untranslated') return stop(260, `${req.type} request while ddtp.iommu_mode is Bare`)
      notes.push('ddtp.iommu_mode is Bare: the IOVA is the physical address')
      return right({ pa: req.iova, pageBits: 12, first: ALL, g: ALL })
    }
    // Steps 3–5: the device_id split and its width.
    const ddi = deviceDirectoryIndexes(req.deviceId, caps.msiFlat)
    if (deviceIdTooWide(mode, ddi)) return stop(260, `device_id ${hex(BigInt(req.deviceId), 6)} is wider than ${mode} supports`)
    // Step 6: locate the DC (or find it in the device-context cache).
    const cachedDc = lookupDc(caches, req.deviceId)
    caches = cachedDc.caches
    let d: DeviceContext
    if (cachedDc.dc !== undefined) {
      d = cachedDc.dc
      notes.push('device context from the device-context cache')
    } else {
      const located = locateDeviceContext(session.memory, { mode, ppn: ddtpPpn(regs), caps, fctl: fctlOf(regs), writable: iommu.options }, req.deviceId, directory)
      if (isLeft(located)) return located
      d = located.right
      caches = fillDc(caches, req.deviceId, d)
    }
    dc = d
    // Step 7: transaction types the DC disallows.
    if (req.type !== 'untranslated' && !d.tc.enAts) return stop(260, `${req.type} request with DC.tc.EN_ATS = 0`)
    if (pidValid && !d.tc.pdtv) return stop(260, 'request with a process_id but DC.tc.PDTV = 0')
    if (pidValid && d.tc.pdtv && d.fsc.mode !== PDTP_BARE && req.processId >= 2 ** pdtProcessIdBits(d.fsc.mode)) {
      return stop(260, `process_id ${req.processId} is wider than pdtp.MODE supports`)
    }
    const g: IoStage = { scheme: G_SCHEMES[d.iohgatp.mode], root: d.iohgatp.ppn << 12n, adUpdate: d.tc.gade }
    const gscid = g.scheme === undefined ? 0 : d.iohgatp.mid
    const wreq = (supervisor: boolean, sum: boolean): IoWalkRequest =>
      ({ access: req.access, supervisor, sum, checkPermissions: req.type !== 'ats', svpbmt: caps.svpbmt, pas: caps.pas,
        implicitDirty: iommu.options.implicitGStageDirty === 'refmodel' && d.tc.sade })
    // Step 8: translated request without T2GPA: already an SPA.
    if (req.type === 'translated' && !d.tc.t2gpa) {
      notes.push('translated request with T2GPA = 0: the IOVA is the SPA')
      return right({ pa: req.iova, pageBits: 12, first: ALL, g: ALL })
    }
    const bare: IoStage = { scheme: undefined, root: 0n, adUpdate: false }
    // Step 9: translated request with T2GPA: the IOVA is a GPA, first stage Bare.
    if (req.type === 'translated') return twoStage(bare, g, wreq(false, false), 0, gscid, 'translated request with T2GPA = 1: the IOVA is a GPA')
    // Step 10: no PDT: the first stage is DC.fsc (iosatp), its address space DC.ta.PSCID.
    if (!d.tc.pdtv) return twoStage({ scheme: FIRST_SCHEMES[d.fsc.mode], root: d.fsc.ppn << 12n, adUpdate: d.tc.sade }, g, wreq(false, false), d.ta.pscid, gscid, 'first stage from DC.fsc (iosatp)')
    // Steps 11–12: no process_id: 0 by default with DPE, else first stage Bare.
    let processId = req.processId
    let supervisor = pidValid && req.privileged
    if (processId === undefined && d.tc.dpe) { processId = 0; supervisor = false; notes.push('no process_id: DPE = 1 makes it 0') }
    if (processId === undefined) return twoStage(bare, g, wreq(false, false), 0, gscid, 'no process_id and DPE = 0: first stage Bare')
    // Step 13: pdtp.MODE Bare: first stage Bare.
    if (d.fsc.mode === PDTP_BARE) return twoStage(bare, g, wreq(supervisor, false), 0, gscid, 'pdtp.MODE is Bare: first stage Bare')
    // Step 14: locate the PC (its addresses G-stage translated as implicit reads), or find it cached.
    const cachedPc = lookupPc(caches, req.deviceId, processId)
    caches = cachedPc.caches
    let pc: ProcessContext
    if (cachedPc.pc !== undefined) {
      pc = cachedPc.pc
      notes.push('process context from the process-context cache')
    } else {
      const located = locateProcessContext(session, d, g, wreq(supervisor, false), processId, caps, directory)
      if (isLeft(located)) return located
      pc = located.right
      caches = fillPc(caches, req.deviceId, processId, pc)
    }
    // Step 15: supervisor requests need PC.ta.ENS.
    if (supervisor && !pc.ta.ens) return stop(260, 'supervisor request with PC.ta.ENS = 0')
    // Step 16: the first stage is PC.fsc, its address space PC.ta.PSCID.
    return twoStage({ scheme: FIRST_SCHEMES[pc.fsc.mode], root: pc.fsc.ppn << 12n, adUpdate: d.tc.sade }, g, wreq(supervisor, pc.ta.sum), pc.ta.pscid, gscid, 'first stage from PC.fsc')
  }

  // Steps 17–20: the first stage (IOVA → GPA), then the G-stage (GPA → SPA); page size the smaller.
  const twoStage = (first: IoStage, g: IoStage, wreq: IoWalkRequest, pscid: number, gscid: number, note: string): Either<Stop, Found> => {
    notes.push(note)
    const t2gpaAts = req.type === 'ats' && dc?.tc.t2gpa === true
    const tags: IotlbTags = { gv: g.scheme !== undefined, gscid, pscv: first.scheme !== undefined, pscid: first.scheme === undefined ? 0 : pscid }
    if (!t2gpaAts) {
      const hit = lookupIotlb(caches, tags, req.iova)
      caches = hit.caches
      if (hit.entry !== undefined) {
        const used = fromIotlb(hit.entry, wreq, req.iova)
        if (used === 'miss') caches = dropIotlbEntry(caches, hit.entry)
        else { notes.push('translation from the IOTLB'); return used }
      }
    }
    const s1 = firstStageWalk(session, first, g, wreq, req.iova, iommu.options.barePageBits)
    if (isLeft(s1)) return left(walkStop(s1.left))
    const gpa = s1.right.out
    // Step 18: with an MSI page table, a GPA in a virtual interrupt file's page is translated by it.
    let found: Found
    let gBits: number
    const msi = dc !== undefined && dc.msiptp.mode !== MSIPTP_OFF ? msiTranslate(session.memory, dc, caps, gpa, req.access === 'execute', wreq.checkPermissions) : { kind: 'not-msi' as const }
    if (msi.kind === 'fault') return stop(msi.cause, `MSI address translation: ${msi.reason}`)
    if (msi.kind === 'translated') {
      notes.push(`GPA ${hex(gpa)} is a virtual interrupt file: MSI PTE at ${hex(msi.pteAddr)} = ${hex(msi.pte)}`)
      gBits = 12
      found = { pa: t2gpaAts ? gpa : msi.pa, pageBits: 12, first: grantOf(s1.right.pte), g: MSI_GRANT }
    } else if (msi.kind === 'mrif') {
      const t = msi.target
      notes.push(`GPA ${hex(gpa)} is a virtual interrupt file in MRIF mode: MSI PTE at ${hex(msi.pteAddr)} = ${hex(msi.pte[0])} ${hex(msi.pte[1])}: MRIF at ${hex(t.mrif)}, notice MSI ${t.nid} to ${hex(t.notice)}`)
      // Not cached: "an IOMMU might perform MRIF-mode processing solely as an extension of cache-miss walks".
      return right({ pa: t.notice, pageBits: 12, first: grantOf(s1.right.pte), g: MSI_GRANT, mrif: t })
    } else {
      // Step 19: the G-stage; a superpage is narrowed so that it covers no virtual interrupt file.
      const s2 = gStageWalk(session, g, wreq, gpa, 'final')
      if (isLeft(s2)) return left(walkStop(s2.left))
      gBits = g.scheme === undefined ? iommu.options.barePageBits : dc === undefined ? s2.right.pageBits : sizeAvoidingMsiPages(dc, caps, gpa, s2.right.pageBits)
      found = { pa: t2gpaAts ? gpa : s2.right.out, pageBits: Math.min(s1.right.pageBits, gBits), first: grantOf(s1.right.pte), g: grantOf(s2.right.pte) }
    }
    const pageBits = found.pageBits
    // The IOTLB is filled by untranslated requests (the C model's default: ATS completions are not cached).
    if (req.type === 'untranslated') {
      const size = (1n << BigInt(pageBits)) - 1n
      const leafBits = g.scheme === undefined ? 64 : gBits
      caches = fillIotlb(caches, {
        ...tags, iovaBase: req.iova & ~size, pageBits, paBase: found.pa & ~size, first: found.first, g: found.g,
        gpaBase: leafBits >= 64 ? 0n : gpa & ~((1n << BigInt(leafBits)) - 1n), gLeafBits: leafBits,
      })
    }
    return right(found)
  }

  const result = run()
  const next: Iommu = caches === iommu.caches ? iommu : { ...iommu, caches }
  const stores: MemoryWrite[] = sessionStores(session).map((w) => ({ addr: w.addr, size: 8, value: w.value, why: 'A/D update' }))
  const explanation = { directory, trail: session.trail, notes }
  if (!isLeft(result)) {
    const f = result.right
    return { iommu: next, memory: session.memory, writes: stores, records: [], explanation, dtf: dc?.tc.dtf === true, response: success(req, f, pidValid) }
  }
  const e = result.left
  const fault = { cause: e.cause, iotval2: e.iotval2, reason: e.reason }
  // ATS: page faults and the "not valid" causes give a Success granting nothing, with no record.
  if (req.type === 'ats' && ATS_NO_PERMISSION.has(e.cause)) {
    const none: AtsCompletion = { r: false, w: false, x: false, u: false, priv: false, g: false, size: 4096n, pbmt: 0 }
    return { iommu: next, memory: session.memory, writes: stores, records: [], explanation, dtf: dc?.tc.dtf === true, response: { status: 'success', ppn: 0n, pa: undefined, pageBits: 12, ats: none, fault } }
  }
  const status: ResponseStatus = req.type === 'ats' && ATS_COMPLETER_ABORT.has(e.cause) ? 'completer-abort' : 'unsupported-request'
  const record: FaultRecord = {
    cause: e.cause, pid: pidValid ? req.processId : 0, pv: pidValid, priv: pidValid && req.privileged,
    ttyp: ttypOf(req.type, req.access), did: req.deviceId, custom: 0, iotval: req.iova, iotval2: e.iotval2,
  }
  // "If a fault condition prevents locating a valid device context then the DTF value assumed … is 0."
  const reported = reportFault(next, session.memory, record, dc?.tc.dtf === true)
  return {
    iommu: reported.iommu, memory: reported.memory, writes: [...stores, ...reported.writes], records: reported.records, explanation, dtf: dc?.tc.dtf === true,
    response: { status, ppn: 0n, pa: undefined, pageBits: 12, ats: undefined, fault },
  }
}

const PAGE_FAULT: Readonly<Record<IoAccess, number>> = { execute: 12, read: 13, write: 15 }

/**
 * Using an IOTLB entry, as the C model does: the first-stage leaf's R/W/X (unless ATS) and U rules
 * are checked against the cached bits and a denial is a page fault; a G-stage denial, or a write whose
 * leaves have D = 0, is a miss (the entry is dropped and the walk runs, doing the A/D update).
 * Either outcome is one the spec allows: a translation valid at some time since the last invalidation.
 */
const fromIotlb = (e: IotlbEntry, w: IoWalkRequest, iova: bigint): Either<Stop, Found> | 'miss' => {
  const a = w.access
  const f = e.first
  if (w.checkPermissions && ((a === 'execute' && !f.x) || (a === 'read' && !f.r) || (a === 'write' && !f.w))) {
    return stop(PAGE_FAULT[a], `IOTLB: the cached first-stage leaf denies ${a}`)
  }
  if (e.pscv && ((!w.supervisor && !f.u) || (w.supervisor && f.u && (a === 'execute' || !w.sum)))) {
    return stop(PAGE_FAULT[a], 'IOTLB: the cached first-stage leaf fails the U/SUM rule')
  }
  if ((a === 'execute' && !e.g.x) || (a === 'read' && !e.g.r) || (a === 'write' && !e.g.w)) return 'miss'
  if (a === 'write' && (!f.d || !e.g.d)) return 'miss'
  return right({ pa: e.paBase | (iova & ((1n << BigInt(e.pageBits)) - 1n)), pageBits: e.pageBits, first: f, g: e.g })
}

const walkStop = (f: IoWalkFault): Stop => ({ cause: f.cause, iotval2: f.iotval2, reason: `${f.stage === 'G' ? 'G-stage' : 'first stage'}: ${f.reason}` })

/** The success response: for ATS the completion's fields from both leaves ("PCIe ATS translation request handling"). */
const success = (req: IoRequest, f: Found, pidValid: boolean): IoResponse => {
  const base = { status: 'success' as const, pa: f.pa, pageBits: f.pageBits, fault: undefined, ...(f.mrif === undefined ? {} : { mrif: f.mrif }) }
  if (req.type !== 'ats') return { ...base, ppn: f.pa >> 12n, ats: undefined }
  const size = 1n << BigInt(f.pageBits)
  const r = f.first.r && f.g.r
  const w = f.first.w && f.g.w && f.first.d && f.g.d
  // X only with R, and only when execute was requested.
  const x = req.access === 'execute' && r && f.first.x && f.g.x
  const firstPbmt = f.first.pbmt
  return {
    ...base,
    ppn: ((f.pa & ~(size - 1n)) | (size / 2n - 1n)) >> 12n,
    ats: {
      // U: an MRIF-mode page is for untranslated requests only ("PCIe ATS translation request handling").
      r, w, x, u: f.mrif !== undefined,
      priv: pidValid && req.privileged,
      // Global only from a first-stage page table and only for a request with a PASID.
      g: pidValid && f.first.global,
      size,
      // Svpbmt: a first-stage PBMT other than PMA overrides the G-stage's.
      pbmt: firstPbmt !== 0 ? firstPbmt : f.g.pbmt,
    },
  }
}

