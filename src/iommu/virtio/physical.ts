// The PVIOMMU's last step: what the hypervisor writes into the physical RISC-V IOMMU so that a DMA of
// a para-virtual endpoint lands where the guest's virtio-iommu mapping (IOVA → GPA) and the VM's
// G-stage (GPA → SPA) say, and nowhere else. RISC-V IOMMU spec v1.0: "Device-context" (tc.V, iohgatp,
// ta.PSCID, fsc as iosatp), "Device-directory-table" (1LVL), the first-stage page tables of the Priv.
// ISA (Sv39/48/57), and the commands that make a change visible: IOTINVAL.VMA, IODIR.INVAL_DDT, IOFENCE.C.
//
// The choice: a composed single-stage table per domain (IOVA → SPA, iohgatp Bare) built from the
// flattened runs of shadow.ts, rather than a first stage of the guest's mappings (IOVA → GPA) under the
// VM's G-stage. In the nested form the first-stage tables would have to be guest-physical (the IOMMU
// translates their addresses through iohgatp), so they would sit in the VM's memory where the guest could
// rewrite them; the composed tables live in host memory the guest never maps, cost one rebuild of a
// domain's table when the hypervisor changes the G-stage (it knows when), and each DMA takes one walk.
// Endpoints in bypass mode do use the G-stage: their DC has iohgatp = the VM's hgatp (GSCID the VM's)
// and fsc Bare, since their IOVAs are GPAs.
//
// One departure, forced by the PTE format: a write-only MAP (WRITE without READ) has no RISC-V leaf
// encoding (W = 1 with R = 0 is reserved), so such pages get no leaf — the physical IOMMU refuses
// those writes (access withheld, never widened).
import { type Either, left, right } from '../../bits/either.ts'
import { type Command, encodeCommand } from '../commands.ts'
import type { Step } from '../steps.ts'
import { type DeviceState, domainOfEndpoint, inBypassMode } from './device.ts'
import type { GStage } from './g-stage.ts'
import { type ShadowEntry, shadowTable } from './shadow.ts'

/** Where the hypervisor keeps the physical IOMMU's structures and how endpoints map to device_ids. */
export interface PhysicalLayout {
  /** The 1LVL device directory (base-format contexts: device_ids 0–127). */
  readonly ddt: bigint
  /** The first page of the composed tables; pages are taken in order, domain by domain (ascending id). */
  readonly tables: bigint
  /** Pages available from `tables`. */
  readonly pages: number
  /** The VM's GSCID, in the iohgatp of its bypass endpoints. */
  readonly gscid: number
  /** endpoint ID → device_id; endpoints not listed get no device context. */
  readonly deviceIds: ReadonlyMap<number, number>
}

/** Everything the hypervisor keeps written: the DCs by device_id and each domain's table words (non-zero ones). */
export interface PhysicalImage {
  readonly dcs: ReadonlyMap<number, readonly bigint[]>
  readonly domains: ReadonlyMap<number, ReadonlyMap<bigint, bigint>>
}

export const EMPTY_IMAGE: PhysicalImage = { dcs: new Map(), domains: new Map() }

const V = 1n, R = 2n, W = 4n, U = 16n, A = 64n, D = 128n
const PBMT_IO = 2n << 61n
const GIB = 1n << 30n, MIB2 = 1n << 21n, KIB4 = 1n << 12n
/** iosatp MODE of Sv39/48/57 and the levels each walks. */
const SCHEMES = [{ mode: 8n, levels: 3 }, { mode: 9n, levels: 4 }, { mode: 10n, levels: 5 }] as const

/** The leaf bits a run earns: R for a read, R and W for a write (a write alone earns nothing). */
const leafFlags = (e: ShadowEntry): bigint | undefined =>
  !e.read ? undefined : V | R | (e.write ? W | D : 0n) | U | A | (e.mmio ? PBMT_IO : 0n)

/**
 * One domain's composed table: its root, iosatp MODE and words. Each run is covered by the largest
 * leaves its alignment allows (1 GiB, 2 MiB, 4 KiB: IOVA and SPA both aligned and the leaf inside the run).
 */
const domainTable = (runs: readonly ShadowEntry[], alloc: () => bigint | undefined): Either<string, { root: bigint, mode: bigint, words: Map<bigint, bigint> }> => {
  const top = runs.reduce((m, e) => (e.iovaEnd > m ? e.iovaEnd : m), 0n)
  // The scheme whose lower canonical half holds every mapped IOVA.
  const scheme = SCHEMES.find((s) => top < 1n << BigInt(12 + 9 * s.levels - 1))
  if (scheme === undefined) return left(`IOVA 0x${top.toString(16)} is beyond what Sv57 maps`)
  const root = alloc()
  if (root === undefined) return left('out of table pages')
  const words = new Map<bigint, bigint>()
  const put = (leafLevel: number, iova: bigint, value: bigint): Either<string, void> => {
    let table = root
    for (let level = scheme.levels - 1; level > leafLevel; level--) {
      const at = table + ((iova >> BigInt(12 + 9 * level)) & 0x1ffn) * 8n
      const e = words.get(at)
      if (e === undefined) {
        const next = alloc()
        if (next === undefined) return left('out of table pages')
        words.set(at, ((next >> 12n) << 10n) | V)
        table = next
      } else table = (e >> 10n) << 12n
    }
    words.set(table + ((iova >> BigInt(12 + 9 * leafLevel)) & 0x1ffn) * 8n, value)
    return right(undefined)
  }
  for (const e of runs) {
    const flags = leafFlags(e)
    if (flags === undefined) continue
    let iova = e.iovaStart
    while (iova <= e.iovaEnd) {
      const spa = e.spaStart + (iova - e.iovaStart)
      const size = [GIB, MIB2, KIB4].find((p) => iova % p === 0n && spa % p === 0n && iova + p - 1n <= e.iovaEnd) ?? KIB4
      const r = put(size === GIB ? 2 : size === MIB2 ? 1 : 0, iova, ((spa >> 12n) << 10n) | flags)
      if (r._tag === 'Left') return r
      iova += size
    }
  }
  return right({ root, mode: scheme.mode, words })
}

/**
 * What the physical IOMMU must hold for the virtio-iommu state `s` over the VM's G-stage `g`: per
 * listed endpoint a DC — attached to a domain: iosatp of the domain's composed table, PSCID = the
 * domain's ID (so endpoints of one domain share its address space); in bypass mode: iohgatp of the VM;
 * neither: no DC (V = 0, every DMA refused) — and per domain its table words.
 */
export const physicalImage = (s: DeviceState, g: GStage, layout: PhysicalLayout): Either<string, PhysicalImage> => {
  let next = 0
  const alloc = (): bigint | undefined => (next < layout.pages ? layout.tables + BigInt(next++) * KIB4 : undefined)
  const domains = new Map<number, Map<bigint, bigint>>()
  const roots = new Map<number, { root: bigint, mode: bigint }>()
  for (const id of [...s.domains.keys()].sort((a, b) => a - b)) {
    const d = s.domains.get(id)!
    if (d.bypass) continue
    if (id >= 1 << 20) return left(`domain ${id} does not fit a 20-bit PSCID`)
    const runs = shadowTable(s, g, d.endpoints[0]!)
    const t = domainTable(runs === 'g-stage only' ? [] : runs, alloc)
    if (t._tag === 'Left') return t
    domains.set(id, t.right.words)
    roots.set(id, { root: t.right.root, mode: t.right.mode })
  }
  const dcs = new Map<number, readonly bigint[]>()
  const hgatpMode = g.hgatp >> 60n
  for (const [endpoint, did] of layout.deviceIds) {
    if (inBypassMode(s, endpoint)) {
      const iohgatp = hgatpMode === 0n ? 0n : (hgatpMode << 60n) | (BigInt(layout.gscid) << 44n) | (g.hgatp & ((1n << 44n) - 1n))
      dcs.set(did, [V, iohgatp, 0n, 0n])
      continue
    }
    const d = domainOfEndpoint(s, endpoint)
    const t = d === undefined ? undefined : roots.get(d.id)
    if (d !== undefined && t !== undefined) dcs.set(did, [V, 0n, BigInt(d.id) << 12n, (t.mode << 60n) | (t.root >> 12n)])
  }
  return right({ dcs, domains })
}

const dcWords = (layout: PhysicalLayout, did: number, dc: readonly bigint[] | undefined): (readonly [bigint, bigint])[] =>
  [0, 1, 2, 3].map((i) => [layout.ddt + BigInt(did) * 32n + BigInt(8 * i), dc?.[i] ?? 0n] as const)

const differs = (a: ReadonlyMap<bigint, bigint> | undefined, b: ReadonlyMap<bigint, bigint> | undefined): boolean => {
  const x = a ?? new Map<bigint, bigint>(), y = b ?? new Map<bigint, bigint>()
  return x.size !== y.size || [...x].some(([k, v]) => y.get(k) !== v)
}

/**
 * The hypervisor's program to go from image `prev` to `next`: stores of every word that changed (a
 * word no longer used is cleared), then the covering invalidations — IOTINVAL.VMA of the PSCID of each
 * domain whose table changed (or went), IODIR.INVAL_DDT of each device whose DC changed — and IOFENCE.C,
 * after which no translation cached from `prev` is used.
 */
export const syncSteps = (prev: PhysicalImage, next: PhysicalImage, layout: PhysicalLayout): readonly Step[] => {
  const steps: Step[] = []
  const words = (img: PhysicalImage): Map<bigint, bigint> => {
    const m = new Map<bigint, bigint>()
    for (const t of img.domains.values()) for (const [a, v] of t) m.set(a, v)
    for (const did of img.dcs.keys()) for (const [a, v] of dcWords(layout, did, img.dcs.get(did))) m.set(a, v)
    return m
  }
  const before = words(prev), after = words(next)
  const addrs = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const a of addrs) {
    const v = after.get(a) ?? 0n
    if ((before.get(a) ?? 0n) !== v) steps.push({ op: 'memory', addr: a, value: v })
  }
  const commands: Command[] = []
  const ids = [...new Set([...prev.domains.keys(), ...next.domains.keys()])].sort((a, b) => a - b)
  for (const id of ids) {
    if (differs(prev.domains.get(id), next.domains.get(id))) commands.push({ kind: 'IOTINVAL.VMA', av: false, pscid: id, pscv: true, gv: false, nl: false, gscid: 0, s: false, addr: 0n })
  }
  const dids = [...new Set([...prev.dcs.keys(), ...next.dcs.keys()])].sort((a, b) => a - b)
  for (const did of dids) {
    const x = prev.dcs.get(did), y = next.dcs.get(did)
    if (x === undefined ? y !== undefined : y === undefined || x.some((w, i) => w !== y[i])) commands.push({ kind: 'IODIR.INVAL_DDT', pid: 0, dv: true, did })
  }
  if (commands.length === 0 && steps.length === 0) return steps
  commands.push({ kind: 'IOFENCE.C', av: false, wsi: false, pr: false, pw: false, data: 0, addr: 0n })
  for (const c of commands) steps.push({ op: 'command', words: encodeCommand(c) })
  return steps
}
