// Differential oracle for `src/iommu` against the RISC-V IOMMU C reference model (outside `npm test`).
// Builds the C model from a checkout given by IOMMU_REF_MODEL (…/iommu_ref_model/libiommu) together
// with ./harness.c into the temporary directory (build.ts) — the model's code never enters this repository —
// generates random raw scenarios, runs each through both, and reports agreement on response status,
// PPN and completion bits, cause, every IOMMU memory write (A/D, IOFENCE.C data, fault records),
// command-queue state and register reads, the IOMMU's own MSIs (as the stores they are) and ipsr reads.
// memvirt runs with the C model's choices (--cache refmodel, gvmaInvalidation, implicitGStageDirty and
// ipsrOnEnable = refmodel, 8 interrupt vectors).
//
//   IOMMU_REF_MODEL=/path/to/iommu_ref_model/libiommu node --import tsx bench/iommu-oracle/run.ts [N] [SEED]
import { spawnSync } from 'node:child_process'
import { buildOracle } from './build.ts'
import { phys } from '../../src/bits/address.ts'
import { EXAMPLE_CAPABILITIES } from '../../src/iommu/capabilities.ts'
import { encodeCommand, type Command } from '../../src/iommu/commands.ts'
import { DEFAULT_OPTIONS, resetIommu } from '../../src/iommu/iommu.ts'
import { type Event, runSteps, type Step } from '../../src/iommu/steps.ts'
import { eventJson } from '../../src/cli/iommu.ts'
import { emptyMemory, poke } from '../../src/memory/memory.ts'
import { defaultMemoryMap } from '../../src/memory/memory-map.ts'

// ---- a small seeded generator ---------------------------------------------------------------------
let state = 0x9e3779b9
const rnd = (): number => { state ^= state << 13; state ^= state >>> 17; state ^= state << 5; return (state >>> 0) / 2 ** 32 }
const int = (n: number): number => Math.floor(rnd() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
const chance = (p: number): boolean => rnd() < p
const pte = (pa: bigint, flags: bigint): bigint => ((pa >> 12n) << 10n) | flags

interface Scenario { readonly caps: bigint, readonly memory: readonly (readonly [bigint, bigint])[], readonly steps: readonly Step[], readonly ptes: readonly bigint[] }

const DDT = 0x8010_0000n, FQ = 0x8070_0000n, CQ = 0x8071_0000n, MSI_TARGET = 0x8073_0000n, PQ = 0x8074_0000n
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, G = 32n, A = 64n, D = 128n
const randomLeafFlags = (): bigint => {
  if (chance(0.08)) return 0n                                  // invalid
  const perm = pick([R, R | W, R | X, R | W | X, X, W])      // W alone is reserved
  return V | perm | (chance(0.85) ? U : 0n) | (chance(0.2) ? G : 0n) | (chance(0.8) ? A : 0n) | (chance(0.7) ? D : 0n)
}

/** One random scenario: up to three devices with random contexts, tables, requests and commands. */
const generate = (): Scenario => {
  const mem: [bigint, bigint][] = []
  const ptes: bigint[] = []
  const mode = pick([2, 3, 4])
  // A third of the scenarios have MSI_FLAT: extended (64-byte) device contexts and the 6/9/9 device_id split;
  // half of those MSI_MRIF too.
  const msiFlat = chance(0.33)
  const msiMrif = msiFlat && chance(0.5)
  const devices: number[] = []
  for (let d = 0; d < 1 + int(3); d++) {
    const id = msiFlat
      ? (mode === 2 ? int(64) : mode === 3 ? int(1 << 15) : int(1 << 24))
      : (mode === 2 ? int(128) : mode === 3 ? int(1 << 16) : int(1 << 24))
    if (devices.includes(id)) continue
    devices.push(id)
    const area = 0x8100_0000n + BigInt(d) * 0x100_0000n
    // DC location: walk the DDT levels, allocating non-leaf tables in this device's area.
    const ddi = msiFlat ? [id & 0x3f, (id >> 6) & 0x1ff, (id >> 15) & 0x1ff] : [id & 0x7f, (id >> 7) & 0x1ff, (id >> 16) & 0xff]
    let table = DDT
    for (let lvl = mode - 2; lvl >= 1; lvl--) {
      const next = area + 0xe0_0000n + BigInt(lvl) * 0x1000n
      mem.push([table + BigInt(ddi[lvl]!) * 8n, pte(next, V)])
      table = next
    }
    const dcAt = table + BigInt(ddi[0]!) * (msiFlat ? 64n : 32n)
    const gOn = chance(0.6), pdtv = chance(0.3)
    const enAts = chance(0.4), t2gpa = enAts && gOn && chance(0.3)
    // EN_PRI (with EN_ATS) and PRPR (with EN_PRI) for page requests.
    const enPri = enAts && chance(0.6), prpr = enPri && chance(0.5)
    const tc = (chance(0.95) ? 1n : 0n) | (enAts ? 2n : 0n) | (enPri ? 4n : 0n) | (prpr ? 64n : 0n) | (t2gpa ? 8n : 0n) | (chance(0.15) ? 16n : 0n) | (pdtv ? 32n : 0n) |
      (chance(0.4) ? 128n : 0n) | (chance(0.4) ? 256n : 0n) | (pdtv && chance(0.3) ? 512n : 0n)
    // Distinct GSCIDs and PSCIDs: two DCs with one GSCID (or PSCID) and different tables make it
    // "unpredictable whether the IOMMU uses the PTEs from the first page table or the second" (iohgatp's note).
    const gscid = BigInt(d + 1), pscid = BigInt(d + 1)
    const gRoot = area, firstRootGpa = 0x30_0000n
    const iohgatp = gOn ? (pick([8n, 9n, 10n]) << 60n) | (gscid << 44n) | (gRoot >> 12n) : 0n
    const gMode = Number(iohgatp >> 60n)
    // G-stage: GPA [0, 4 MiB): L1 entries 0, 1 random (2 MiB leaf or sparse L0), entry 1 also holds the first-stage tables region.
    const spa = (gpa: bigint): bigint => (gOn ? area + 0x40_0000n + gpa : gpa) // where a GPA lands when G maps it linearly
    if (gOn) {
      let l1 = gRoot + 0x4000n
      // Sv48x4 and Sv57x4: one and two more levels above, at index 0 (GPAs below 4 MiB).
      if (gMode === 10) { mem.push([gRoot, pte(gRoot + 0x9000n, V)]); mem.push([gRoot + 0x9000n, pte(gRoot + 0x8000n, V)]); mem.push([gRoot + 0x8000n, pte(l1, V)]) }
      else if (gMode === 9) { mem.push([gRoot, pte(gRoot + 0x8000n, V)]); mem.push([gRoot + 0x8000n, pte(l1, V)]) } else mem.push([gRoot, pte(l1, V)])
      for (let j = 0; j < 2; j++) {
        const at = l1 + BigInt(j) * 8n
        if (j === 1 || chance(0.5)) { const v = pte(spa(BigInt(j) * 0x20_0000n), j === 1 ? (V | R | W | U | A | D) : randomLeafFlags()); mem.push([at, v]); ptes.push(at) }
        else {
          const l0 = gRoot + 0x6000n
          mem.push([at, pte(l0, V)])
          for (let k = 0; k < 8; k++) { const a2 = l0 + BigInt(k) * 8n; mem.push([a2, pte(spa(BigInt(k) * 0x1000n), randomLeafFlags())]); ptes.push(a2) }
        }
      }
      l1 = 0n
    }
    // First stage at GPA 0x30_0000 (inside G L1[1]): Sv39 root → L1 → L0 with 8 leaves to GPA pages [0, 2 MiB) and one 2 MiB leaf.
    const fsAt = (gpa: bigint): bigint => (gOn ? spa(gpa) : 0x8000_0000n + area - 0x8000_0000n + 0x80_0000n + (gpa - firstRootGpa))
    const rootGpa = gOn ? firstRootGpa : fsAt(firstRootGpa)
    const fs = (off: bigint): bigint => rootGpa + off
    const where = (off: bigint): bigint => (gOn ? spa(firstRootGpa + off) : fsAt(firstRootGpa + off))
    mem.push([where(8n), pte(fs(0x1000n), V)])
    // Sv48 and Sv57 first stages: one and two more levels above the Sv39 root, at index 0.
    mem.push([where(0x4000n), pte(fs(0n), V)], [where(0x5000n), pte(fs(0x4000n), V)])
    const firstAtp = (): bigint => { const m = pick([8n, 8n, 9n, 10n]); return (m << 60n) | (fs(m === 8n ? 0n : m === 9n ? 0x4000n : 0x5000n) >> 12n) }
    mem.push([where(0x1000n), pte(fs(0x2000n), V)])
    const bigLeaf = where(0x1008n)
    mem.push([bigLeaf, pte(gOn ? 0n : 0x8000_0000n + area - 0x8000_0000n + 0x20_0000n, randomLeafFlags())]); ptes.push(bigLeaf)
    for (let k = 0; k < 8; k++) {
      const at = where(0x2000n + BigInt(k) * 8n)
      const target = gOn ? (msiFlat && chance(0.3) ? 0x10_0000n + BigInt(int(5)) * 0x1000n : BigInt(int(512)) * 0x1000n) : area + 0x10_0000n + BigInt(int(256)) * 0x1000n
      mem.push([at, pte(target, randomLeafFlags())]); ptes.push(at)
    }
    let fsc: bigint
    if (pdtv) {
      // PD8, PD17 or PD20 directory: the PC table at +0x8000 (process ids 0–3), PD17's root at +0x9000, PD20's at +0xa000.
      const pdMode = pick([1n, 1n, 2n, 3n])
      mem.push([where(0x9000n), pte(fs(0x8000n), V)], [where(0xa000n), pte(fs(0x9000n), V)])
      fsc = (pdMode << 60n) | (fs(pdMode === 1n ? 0x8000n : pdMode === 2n ? 0x9000n : 0xa000n) >> 12n)
      for (let p = 0; p < 4; p++) {
        const at = where(0x8000n + BigInt(p) * 16n)
        mem.push([at, chance(0.9) ? 1n | (chance(0.5) ? 2n : 0n) | (chance(0.5) ? 4n : 0n) | (pscid << 12n) : 0n])
        mem.push([at + 8n, chance(0.8) ? firstAtp() : 0n])
      }
    } else fsc = chance(0.8) ? firstAtp() : 0n
    mem.push([dcAt, tc], [dcAt + 8n, iohgatp], [dcAt + 16n, pscid << 12n], [dcAt + 24n, fsc])
    if (msiFlat) {
      // Flat MSI page table at SPA area + 0xd0_0000: 4 interrupt files (mask 0x3) at GPA pages 0x100–0x103
      // (inside the G-stage's first 2 MiB), PTEs in basic translate mode, invalid, MRIF mode (with MSI_MRIF
      // or without it), reserved mode M = 2, or with a reserved bit. An MRIF-mode PTE's MRIF is at
      // area + 0xb0_0000 + f·0x200 (sometimes outside RAM), its notice MSI to area + 0xa0_0000 + f·0x1000.
      const msiOn = chance(0.8)
      const msiTable = area + 0xd0_0000n
      mem.push([dcAt + 32n, msiOn ? (1n << 60n) | (msiTable >> 12n) : 0n], [dcAt + 40n, 3n], [dcAt + 48n, 0x100n], [dcAt + 56n, 0n])
      for (let f = 0; f < 4; f++) {
        const kind = rnd()
        const at = msiTable + BigInt(f) * 16n
        if (kind >= 0.55 && kind < 0.8) {
          const mrifAt = chance(0.05) ? 0x1000_0000n : area + 0xb0_0000n + BigInt(f) * 0x200n
          const nid = BigInt(int(2048))
          let dw0 = ((mrifAt >> 9n) << 7n) | 3n
          let dw1 = ((nid >> 10n) << 60n) | (((area + 0xa0_0000n + BigInt(f) * 0x1000n) >> 12n) << 10n) | (nid & 0x3ffn)
          if (chance(0.1)) { if (chance(0.5)) dw0 |= 1n << BigInt(pick([3, 6, 54, 62])); else dw1 |= 1n << BigInt(pick([54, 59, 61, 63])) }
          mem.push([at, dw0], [at + 8n, dw1])
        } else {
          const msiPte = kind < 0.55 ? pte(area + 0xc0_0000n + BigInt(f) * 0x1000n, V | 6n) : kind < 0.85 ? 0n : kind < 0.95 ? pte(area + 0xc0_0000n, V | 4n) : pte(area, V | 6n | 8n)
          mem.push([at, msiPte])
        }
        ptes.push(at)
      }
    }
  }
  // The IOMMU's own interrupts (in half the scenarios): fie and cie, icvec over the harness's 8 vectors, and
  // msi_cfg_tbl entries with addresses in RAM or not (cause 273) and random masks.
  const irq = chance(0.5)
  const msiAt = (v: number): bigint => (chance(0.85) ? MSI_TARGET + BigInt(v) * 4n : 0x2000n + BigInt(v) * 4n)
  const civ = int(8), fiv = chance(0.3) ? civ : int(8)
  const irqSetup: Step[] = !irq ? [] : [
    { op: 'write-register', offset: 760, size: 8, value: BigInt(civ) | (BigInt(fiv) << 4n) | (BigInt(int(16)) << 12n) },
    ...Array.from({ length: 8 }, (_, v): Step[] => [
      { op: 'write-register', offset: 768 + 16 * v, size: 8, value: msiAt(v) },
      { op: 'write-register', offset: 776 + 16 * v, size: 4, value: BigInt(int(2 ** 32)) },
      { op: 'write-register', offset: 780 + 16 * v, size: 4, value: chance(0.3) ? 1n : 0n },
    ]).flat(),
  ]
  const steps: Step[] = [
    { op: 'write-register', offset: 40, size: 8, value: BigInt(pick([0, 0, 1, 2])) | ((FQ >> 12n) << 10n) },
    ...irqSetup,
    { op: 'write-register', offset: 76, size: 4, value: irq && chance(0.8) ? 3n : 1n },
    { op: 'write-register', offset: 24, size: 8, value: 3n | ((CQ >> 12n) << 10n) },
    { op: 'write-register', offset: 72, size: 4, value: irq && chance(0.8) ? 3n : 1n },
    { op: 'write-register', offset: 16, size: 8, value: BigInt(mode) | ((DDT >> 12n) << 10n) },
    // The page-request queue: 2, 4 or 8 entries, sometimes outside RAM (pqmf), sometimes left off; pie half the time.
    { op: 'write-register', offset: 56, size: 8, value: BigInt(pick([0, 1, 2])) | (((chance(0.9) ? PQ : 0x1000n) >> 12n) << 10n) },
    ...(chance(0.85) ? [{ op: 'write-register', offset: 80, size: 4, value: 1n | (chance(0.5) ? 2n : 0n) } as const] : []),
  ]
  /** A page request's payload: R, W, L (a Stop Marker when L alone), a group index, a page. */
  const prPayload = (): bigint => {
    const l = chance(0.5), stop = l && chance(0.15)
    const rw = stop ? 0n : pick([1n, 2n, 3n, 0n])
    return rw | (l ? 4n : 0n) | (BigInt(int(512)) << 3n) | (0x4000_0000n + BigInt(int(64)) * 0x1000n)
  }
  const rid = (): number => (devices.length > 0 && chance(0.85) ? pick(devices) & 0xffff : int(1 << 16))
  /** The last ATS.INVAL's requester (and segment): most completions answer it. */
  let inval: { rid: number, dseg?: number } | undefined
  /** ATS.INVALs queued since the last completion (ITAGs 0 and 1 are handed out in order): completions mostly name those. */
  let invals = 0
  for (let n = 0; n < 6 + int(14); n++) {
    const r = rnd()
    if (r < 0.6 && chance(0.2)) {
      // A PCIe Page Request (or Stop Marker), sometimes with a PASID and its privilege and execute bits.
      const pv = chance(0.4)
      steps.push({ op: 'page-request', deviceId: chance(0.9) ? pick(devices) : int(1 << 24), ...(pv ? { processId: int(1 << 20) } : {}), privileged: chance(0.4), execute: chance(0.3), payload: prPayload() })
    } else if (r < 0.6 && chance(invals > 0 ? 0.3 : 0.03)) {
      // A device's Invalidation Completion (sometimes for ITAGs not outstanding or from another requester), or a timeout.
      const to = inval !== undefined && chance(0.8) ? inval : { rid: rid(), ...(chance(0.1) ? { dseg: int(4) } : {}) }
      const itags = invals >= 2 && chance(0.8) ? pick([3, 1, 2]) : invals === 1 && chance(0.8) ? 1 : pick([1, 2, 3])
      if (chance(0.75)) { steps.push({ op: 'invalidation-completion', ...to, itags, cc: pick([1, 1, 1, 1, 2, 0]) }); invals = Math.max(0, invals - (itags === 3 ? 2 : 1)) }
      else steps.push({ op: 'ats-timeout', itags: pick([1, 2, 3]) })
    } else if (r < 0.6 && msiFlat && chance(0.25)) {
      // A 32-bit write with data at an interrupt file's page: an MSI (stored to an MRIF on an MRIF-mode page).
      const pv = chance(0.2)
      steps.push({
        op: 'msi', deviceId: pick(devices), ...(pv ? { processId: int(4) } : {}),
        iova: 0x10_0000n + BigInt(int(5)) * 0x1000n + BigInt(pick([0, 0, 0, 4, 8, int(1024) * 4])),
        data: BigInt(pick([int(2048), int(64), 0, 2048 + int(100)])),
      })
    } else if (r < 0.6) {
      const pv = chance(0.3)
      steps.push({
        op: 'translate', deviceId: chance(0.9) ? pick(devices) : int(1 << 24), ...(pv ? { processId: chance(0.9) ? int(4) : int(1 << 20) } : {}),
        access: pick(['read', 'write', 'execute'] as const), privileged: chance(0.3), type: pick(['untranslated', 'untranslated', 'ats', 'translated'] as const),
        iova: chance(0.1) ? 0x10_0000n + BigInt(int(5)) * 0x1000n + BigInt(int(4096)) : chance(0.5) ? 0x4000_0000n + BigInt(int(8)) * 0x1000n + BigInt(int(4096)) : chance(0.5) ? 0x4020_0000n + BigInt(int(0x20_0000)) : BigInt(int(0x40_0000)),
      })
    } else if (r < 0.75 && ptes.length > 0) {
      const at = pick(ptes)
      steps.push({ op: 'memory', addr: at, value: (mem.find(([a]) => a === at)?.[1] ?? 0n) ^ pick([A, D, W, U, V]) })
    } else if (r < 0.9) {
      const c: Command = pick<() => Command>([
        () => ({ kind: 'IOTINVAL.VMA', av: chance(0.5), pscid: 1 + int(3), pscv: chance(0.5), gv: chance(0.5), nl: false, gscid: 1 + int(3), s: false, addr: 0x4000_0000n + BigInt(int(8)) * 0x1000n }),
        () => ({ kind: 'IOTINVAL.GVMA', av: chance(0.5), pscid: 0, pscv: false, gv: chance(0.7), nl: false, gscid: 1 + int(3), s: false, addr: BigInt(int(1024)) * 0x1000n }),
        () => ({ kind: 'IODIR.INVAL_DDT', pid: 0, dv: chance(0.5), did: pick(devices) }),
        () => ({ kind: 'IODIR.INVAL_PDT', pid: int(4), dv: true, did: pick(devices) }),
        () => ({ kind: 'IOFENCE.C', av: chance(0.5), wsi: false, pr: false, pw: false, data: int(1 << 30), addr: chance(0.9) ? 0x8072_0000n : 0x1000n }),
        () => ({ kind: pick(['ATS.INVAL', 'ATS.PRGR'] as const), pid: int(1 << 20), pv: chance(0.4), dsv: chance(0.1), rid: rid(), dseg: int(4), payload: BigInt(int(2 ** 30)) * 0x1_0000_0000n + BigInt(int(2 ** 30)) }),
      ])()
      if (c.kind === 'ATS.INVAL') { inval = { rid: c.rid, ...(c.dsv ? { dseg: c.dseg } : {}) }; invals++ }
      const words = encodeCommand(c)
      steps.push({ op: 'command', words: chance(0.05) ? [words[0] | (1n << 11n), words[1]] : words })
      // Software's usual pair: ATS.INVAL then IOFENCE.C, which waits for the device's completion (or a timeout).
      if (c.kind === 'ATS.INVAL' && chance(0.4)) {
        steps.push({ op: 'command', words: encodeCommand({ kind: 'IOFENCE.C', av: chance(0.7), wsi: false, pr: false, pw: false, data: int(1 << 30), addr: 0x8072_0000n }) })
        if (chance(0.4)) steps.push({ op: 'read-register', offset: 32, size: 4 })
        if (chance(0.7)) { steps.push(chance(0.85) ? { op: 'invalidation-completion', ...inval!, itags: invals >= 2 ? 3 : 1, cc: 1 } : { op: 'ats-timeout', itags: 3 }); invals = 0 }
      }
    } else if (r < 0.94) steps.push({ op: 'read-register', offset: pick([52, 72, 76, 84, 64, 68, 80]), size: 4 })
    else if (r < 0.97 && irq && chance(0.6)) {
      steps.push(pick<() => Step>([
        () => ({ op: 'write-register', offset: 84, size: 4, value: BigInt(pick([1, 2, 3, 0xf])) }),            // ipsr RW1C
        () => ({ op: 'write-register', offset: 780 + 16 * (chance(0.8) ? pick([civ, fiv]) : int(8)), size: 4, value: chance(0.4) ? 1n : 0n }),  // mask / unmask a vector
        () => ({ op: 'write-register', offset: 72, size: 4, value: 1n | (chance(0.6) ? 2n : 0n) | (chance(0.5) ? 1n << 10n : 0n) }), // cqen, cie?, clear cmd_ill?
      ])())
    } else if (r < 0.97) steps.push({ op: 'write-register', offset: pick([48, 64]), size: 4, value: BigInt(int(4)) }) // software consumes records (fqh, pqh)
    else if (chance(0.5)) steps.push({ op: 'write-register', offset: 76, size: 4, value: 1n | (irq && chance(0.7) ? 2n : 0n) | (!irq || chance(0.7) ? 1n << 9n : 0n) })  // fqen, fie?, clear fqof (RW1C)
    else steps.push({ op: 'write-register', offset: 80, size: 4, value: BigInt(pick([1, 3, 0x301, 0x303, 0x101, 0])) }) // pqcsr: pqen, pie, clear pqmf/pqof, or off
  }
  return { caps: EXAMPLE_CAPABILITIES | (msiFlat ? 1n << 22n : 0n) | (msiMrif ? 1n << 23n : 0n), memory: mem, steps, ptes }
}

// ---- running both --------------------------------------------------------------------------------------
const harnessLines = (s: Scenario): string => {
  const h = (v: bigint): string => v.toString(16)
  const out = [`reset ${h(s.caps)} 0`, ...s.memory.map(([a, v]) => `mem ${h(a)} ${h(v)}`)]
  for (const st of s.steps) {
    switch (st.op) {
      case 'write-register': out.push(`wr ${st.offset} ${st.size} ${h(st.value)}`); break
      case 'read-register': out.push(`rd ${st.offset} ${st.size}`); break
      case 'memory': out.push(`mw ${h(st.addr)} ${h(st.value)}`); break
      case 'command': out.push(`cmd ${h(st.words[0])} ${h(st.words[1])}`); break
      case 'page-request': out.push(`pr ${st.deviceId} ${st.processId === undefined ? 0 : 1} ${st.processId ?? 0} ${st.privileged ? 1 : 0} ${st.execute ? 1 : 0} ${h(st.payload)}`); break
      case 'invalidation-completion': out.push(`ic ${st.rid} ${st.dseg === undefined ? 0 : 1} ${st.dseg ?? 0} ${h(BigInt(st.itags))} ${st.cc}`); break
      case 'ats-timeout': out.push(`to ${h(BigInt(st.itags))}`); break
      case 'msi': out.push(`msi ${st.deviceId} ${st.processId === undefined ? 0 : 1} ${st.processId ?? 0} ${h(st.iova)} ${h(st.data)}`); break
      case 'translate': out.push(`tr ${st.deviceId} ${st.processId === undefined ? 0 : 1} ${st.processId ?? 0} ${['read', 'write', 'execute'].indexOf(st.access)} ${st.privileged ? 1 : 0} ${['untranslated', 'ats', 'translated'].indexOf(st.type)} ${h(st.iova)}`)
    }
  }
  out.push('end')
  return out.join('\n') + '\n'
}

/** What the scenarios exercised, counted from memvirt's events (so a widening of the generator shows). */
const coverage = new Map<string, number>()
const count = (what: string): void => { coverage.set(what, (coverage.get(what) ?? 0) + 1) }
const tally = (events: readonly Event[], steps: readonly Step[]): void => {
  for (const e of events) {
    if (e.op === 'register' && e.offset === 76 && ((e.value >> 9n) & 1n) === 1n) count('fqcsr read with fqof = 1 (queue overflowed)')
    if (e.op === 'interrupt') {
      const x = e.signal
      count(x.kind === 'msi' ? `IOMMU MSI ${x.source === 'unmask' ? 'released at unmask' : `on a ${x.source} edge`}${x.faulted ? ' (273)' : ''}` : `IOMMU interrupt ${x.kind}`)
    }
    if (e.op === 'page-request') count(e.outcome.queued !== undefined ? 'page request queued' : `page request refused: ${e.outcome.refused ?? ''}${e.outcome.response === undefined ? '' : ' (IOMMU response)'}`)
    if (e.op === 'ats-message' && e.message.origin === 'command') count(`ATS command message: ${e.message.message}`)
    if (e.op === 'command' && e.events.some((c) => c.waiting !== undefined)) count('command queue waiting on ATS invalidations')
    if (e.op === 'command' && e.events.some((c) => c.command?.kind === 'IOFENCE.C' && c.waiting === undefined) && steps[e.step]?.op !== 'command') count('IOFENCE.C completed after a completion or timeout')
    if (e.op === 'invalidation-completion') count(`invalidation completion ${e.expected ? 'expected' : 'unexpected'}`)
    if (e.op !== 'translate') continue
    const { response: r, explanation: x } = e.outcome
    const ok = r.status === 'success' && r.fault === undefined
    if (x.notes.some((n) => n.includes('virtual interrupt file:'))) count('MSI flat translation, success')
    if (r.mrif !== undefined) count('MRIF-mode MSI PTE, success')
    if (e.mrif !== undefined) count(`MSI to an MRIF: ${e.mrif.kind}`)
    if (r.fault !== undefined && r.fault.cause >= 261 && r.fault.cause <= 263 && r.fault.reason.startsWith('MSI')) count(`MSI fault ${r.fault.cause}`)
    const pdtLevels = Math.max(-1, ...x.directory.filter((d) => d.table === 'PDT').map((d) => d.level))
    if (ok && pdtLevels === 1) count('PD17 walk, success')
    if (ok && pdtLevels === 2) count('PD20 walk, success')
    const firstTop = Math.max(-1, ...x.trail.filter((t) => t.stage !== 'G' && t.purpose === 'translate').map((t) => t.level))
    const gTop = Math.max(-1, ...x.trail.filter((t) => t.stage === 'G').map((t) => t.level))
    if (ok && firstTop === 3) count('Sv48 first stage, success')
    if (ok && firstTop === 4) count('Sv57 first stage, success')
    if (ok && gTop === 3) count('Sv48x4 G-stage, success')
    if (ok && gTop === 4) count('Sv57x4 G-stage, success')
  }
}

const ours = (s: Scenario): Record<string, unknown>[] => {
  const memory = s.memory.reduce((m, [a, v]) => poke(m, phys(a), 8, v), emptyMemory(defaultMemoryMap))
  // The harness resets the C model with 8 interrupt vectors (num_vec_bits = 3). IPSR=spec runs memvirt's default
  // reading of ipsr's conditions instead of the C model's (to count the scenarios where they differ).
  const ipsrOnEnable = process.env['IPSR'] === 'spec' ? 'spec' : 'refmodel'
  const iommu = resetIommu(s.caps, 0n, { ...DEFAULT_OPTIONS, cache: 'refmodel', gvmaInvalidation: 'refmodel', implicitGStageDirty: 'refmodel', interruptVectorBits: 3, ipsrOnEnable })
  const events = runSteps(iommu, memory, s.steps).events
  tally(events, s.steps)
  // The C model reports an MSI as the store it makes (a memory-write line), as memvirt does besides its interrupt event.
  return events.filter((e) => e.op !== 'fault-record' && e.op !== 'interrupt').map((e) => JSON.parse(eventJson(e)) as Record<string, unknown>)
}

/** An msi step is an untranslated write request. */
type Request = Extract<Step, { op: 'translate' }>
const asRequest = (st: Step): Request | undefined =>
  st.op === 'translate' ? st : st.op === 'msi' ? { op: 'translate', deviceId: st.deviceId, ...(st.processId === undefined ? {} : { processId: st.processId }), access: 'write', privileged: false, type: 'untranslated', iova: st.iova } : undefined

/** A C-model translate line normalised to memvirt's fields (PA page for untranslated/translated, completion for ATS, the MRIF). */
const normalise = (c: Record<string, unknown>, step: Request | undefined): Record<string, unknown> => {
  const status = c['status'] as string
  const cause = c['cause'] as number
  if (step === undefined) return c
  const noGrant = step.type === 'ats' && c['r'] === 0 && c['w'] === 0
  if (status !== 'success' || noGrant) return { op: 'translate', status, ...(status !== 'success' || cause !== 0 ? { cause } : {}) }
  const ppn = BigInt(c['ppn'] as string)
  let pages = 1n
  if (c['s'] === 1) { let t = ppn; pages = 2n; while ((t & 1n) === 1n) { t >>= 1n; pages <<= 1n } }
  if (step.type !== 'ats') {
    const base = ppn & ~(pages - 1n)
    // On an MRIF page the C model's PPN is the notice MSI's page (no page offset).
    const mrif = c['mrif'] === undefined ? {} : { mrif: c['mrif'], nid: c['nid'] }
    return { op: 'translate', status, ppn: `0x${(c['mrif'] === undefined ? base | ((step.iova >> 12n) & (pages - 1n)) : base).toString(16)}`, ...mrif }
  }
  const mrif = c['mrif'] === undefined ? {} : { mrif: c['mrif'], nid: c['nid'] }
  return { op: 'translate', status, ppn: c['ppn'], r: c['r'] === 1, w: c['w'] === 1, x: c['x'] === 1, u: c['u'] === 1, priv: c['priv'] === 1, g: c['g'] === 1, size: `0x${(pages * 4096n).toString(16)}`, pbmt: c['pbmt'], ...mrif }
}
const oursNormalised = (full: Record<string, unknown>, step: Request | undefined): Record<string, unknown> => {
  // memvirt's `notice` is the PPN's address: compared through ppn.
  // memvirt's `refused` (the response code a refusal calls for) has no C counterpart: compared through the response message.
  const o = Object.fromEntries(Object.entries(full).filter(([k]) => k !== 'notice' && !(full['op'] === 'page-request' && k === 'refused')))
  if (o['op'] !== 'translate' || step === undefined) return o
  if (o['status'] !== 'success') return { op: 'translate', status: o['status'], cause: o['cause'] }
  if (step.type === 'ats' && o['r'] === false && o['w'] === false && o['status'] === 'success') return { op: 'translate', status: 'success', ...(o['cause'] !== undefined ? { cause: o['cause'] } : {}) }
  return o
}

const main = (): void => {
  const lib = process.env['IOMMU_REF_MODEL']
  if (lib === undefined) { console.error('set IOMMU_REF_MODEL to …/iommu_ref_model/libiommu'); process.exit(2) }
  const n = Number(process.argv[2] ?? 10000)
  state = Number(process.argv[3] ?? 12345) >>> 0 || 1
  const bin = buildOracle(lib)
  const scenarios = Array.from({ length: n }, generate)
  const run = spawnSync(bin, { input: scenarios.map(harnessLines).join(''), encoding: 'utf8', maxBuffer: 1 << 30 })
  const cLines = run.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>)
  let at = 0, agree = 0
  const kinds = new Map<string, { count: number, example: string }>()
  for (const [i, s] of scenarios.entries()) {
    const c: Record<string, unknown>[] = []
    while (at < cLines.length && cLines[at]!['op'] !== 'end') c.push(cLines[at++]!)
    at++
    const m = ours(s)
    // Pair translate lines with their steps, in order, on both sides.
    const translates = s.steps.flatMap((st) => asRequest(st) ?? [])
    let ti = 0, tj = 0
    const cn = c.map((e) => normalise(e, e['op'] === 'translate' ? translates[ti++] : undefined))
    const mn = m.map((e) => oursNormalised(e, e['op'] === 'translate' ? translates[tj++] : undefined))
    const a = cn.map((e) => JSON.stringify(e)), b = mn.map((e) => JSON.stringify(e))
    if (process.env['SHOW'] === String(i)) console.log(harnessLines(s), '\nC:\n' + a.join('\n'), '\nmemvirt:\n' + b.join('\n'))
    const k = a.findIndex((x, j) => x !== b[j])
    if (k < 0 && a.length === b.length) { agree++; continue }
    const idx = k < 0 ? Math.min(a.length, b.length) : k
    if (process.env['DUMP'] !== undefined) console.log(`DIFF ${i} ${a[idx] ?? '(none)'} ||| ${b[idx] ?? '(none)'}`)
    const opOf = (line: string | undefined): string => (JSON.parse(line ?? '{"op":"(none)"}') as { op: string }).op
    const key = `${opOf(a[idx])} ≠ ${opOf(b[idx])}: ${(a[idx] ?? '').replace(/0x[0-9a-f]+/g, 'H').slice(0, 120)} | ${(b[idx] ?? '').replace(/0x[0-9a-f]+/g, 'H').slice(0, 120)}`
    const prev = kinds.get(key)
    kinds.set(key, { count: (prev?.count ?? 0) + 1, example: prev?.example ?? `scenario ${i}: C ${a[idx]} / memvirt ${b[idx]}` })
  }
  console.log(`agreement: ${agree} of ${n} scenarios (${((100 * agree) / n).toFixed(2)} %)`)
  console.log(`coverage (memvirt's events): ${[...coverage.entries()].map(([k, v]) => `${k} ${v}`).join('; ')}`)
  for (const [key, v] of [...kinds.entries()].sort((x, y) => y[1].count - x[1].count)) console.log(`${v.count}× ${key}\n    e.g. ${v.example}`)
}

main()
