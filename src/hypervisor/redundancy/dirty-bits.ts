// Dirty tracking from G-stage D bits, as a dirty-logging hypervisor does it for a guest (KVM's dirty log
// on hardware that manages D; Priv. ISA, H chapter, "Guest Physical Address Translation" and the Svadu
// chapter): at a checkpoint (or a migration round's start) the tracker clears D in every writable G-stage
// leaf of the hart's hgatp table ("arming" it); the hart sets D again on the first guest store through the
// leaf (and on an implicit VS-stage PTE A/D write, which the G-stage treats as a store). At the next
// checkpoint, the leaves with D = 1 name the host pages the guest wrote in between.
//
// What D bits cannot see is taken from the memory's versions (checkpoint.ts): pages outside the armed
// leaves (the hypervisor's own memory, unmapped or unarmed pages, leaves the program rewrote), and writes
// to armed pages made otherwise than through the G-stage (the hart at V=0 or in M, HTIF, DMA) — a page
// the versions list as written under an armed leaf whose D stayed 0. So a checkpoint never misses a page;
// the D-bit set and the version set are compared where both apply by properties/hypervisor/redundancy/dbits.prop.ts.
//
// Fidelity. Clearing D is a memory write to the program's G-stage tables, so the program can see it (a
// load of its own G-stage PTE reads D = 0 where an untracked run reads 1). Only hardware D updating keeps
// the guest unaware: the tracker arms only while menvcfg.ADUE = 1 (Svadu on the G-stage); under Svade a
// cleared D would make the guest's next store a guest-page fault to the program's hypervisor, so nothing
// is armed and every page comes from the versions. A cached translation must not keep granting stores
// past a cleared D: where a real hypervisor runs HFENCE.GVMA, the tracker withdraws D from the cached
// G-stage flags of exactly the TLB entries built from a cleared leaf, so their next store walks again
// (and sets D) while loads and fetches still hit. Spike's log is unchanged unless the program reads its
// G-stage PTEs, or stores through a translation it changed without a fence (the re-walk then finds the
// new one where the untracked run used the stale entry).
import { phys } from '../../bits/address.ts'
import { ENVCFG_ADUE } from '../../cpu/csr/fields.ts'
import { type Machine, withMemory, withTlb } from '../../machine/machine.ts'
import { type Scheme, decodeHgatp } from '../../mmu/atp.ts'
import { FLAG_D, PTE_A, PTE_D, PTE_N, PTE_R, PTE_V, PTE_W, PTE_X, pteppn } from '../../mmu/pte.ts'
import { type Tlb, type TlbEntry, devicesWrote, withGuest, withPteCache } from '../../mmu/tlb.ts'
import { emptyPteCache } from '../../mmu/pte-cache.ts'
import { type PhysMemory, changedPages, pageAt, peek, poke, writtenPages } from '../../memory/memory.ts'

/** Where a checkpoint's (or a migration round's) dirty set comes from. */
export type DirtySource = 'versions' | 'dbits'

/** One leaf of a G-stage table: where its PTE is, the PTE, and the host pages it maps. */
export interface GLeaf {
  /** Physical address of the PTE. */
  readonly pteAddr: bigint
  readonly pte: bigint
  /** The first guest-physical address it maps (the first path that reached it). */
  readonly gpa: bigint
  /** First host page number and number of 4 KiB pages (1, 16 for Svnapot 64 KiB, 512, 512², …). */
  readonly hostPn: number
  readonly pages: number
}

/** Why nothing is armed: hgatp is Bare, or the G-stage has no hardware D updating (Svade). */
export type Unarmed = 'bare' | 'svade'

/** The tracker between two checkpoints: the leaves it armed (D cleared) at the last one, or why none. */
export interface DirtyTracker {
  readonly armed: readonly GLeaf[]
  readonly unarmed: Unarmed | undefined
}

/** The tracker before any checkpoint: nothing armed, so everything comes from the versions. */
export const idleTracker: DirtyTracker = { armed: [], unarmed: 'bare' }

const LEAF_BITS = PTE_R | PTE_W | PTE_X
const AD = PTE_A | PTE_D

/**
 * Every valid leaf of the G-stage table `hgatp` names, in `memory` (Sv39x4/Sv48x4/Sv57x4: the root has
 * 2^(9+2) entries). A table reached twice at the same level is read once (its leaves are the same PTEs);
 * a superpage whose PPN is not aligned to its size is left out (a walk through it faults).
 */
export const gStageLeaves = (memory: PhysMemory, scheme: Scheme, rootPn: bigint, napot: boolean): readonly GLeaf[] => {
  const out: GLeaf[] = []
  const seen = new Set<string>()
  const visit = (table: bigint, level: number, gpaBase: bigint): void => {
    const key = `${table}:${level}`
    if (seen.has(key)) return
    seen.add(key)
    const entries = level === scheme.levels - 1 ? 512 << scheme.widenBits : 512
    const shift = BigInt(12 + 9 * level)
    for (let i = 0; i < entries; i++) {
      const pteAddr = table + BigInt(8 * i)
      const pte = peek(memory, phys(pteAddr), 8)
      if ((pte & PTE_V) === 0n) continue
      const gpa = gpaBase | (BigInt(i) << shift)
      if ((pte & LEAF_BITS) === 0n) {
        if (level > 0) visit(pteppn(pte) << 12n, level - 1, gpa)
        continue
      }
      const ppn = pteppn(pte)
      const napotLeaf = level === 0 && napot && (pte & PTE_N) !== 0n
      const pages = napotLeaf ? 16 : 512 ** level
      const first = napotLeaf ? ppn & ~0xfn : ppn
      if (!napotLeaf && (ppn & BigInt(pages - 1)) !== 0n) continue
      out.push({ pteAddr, pte, gpa, hostPn: Number(first), pages })
    }
  }
  visit(rootPn << 12n, scheme.levels - 1, 0n)
  return out
}

/** The machine's G-stage: its scheme and root page, or why it cannot be armed. */
const gStageOf = (m: Machine): { readonly scheme: Scheme; readonly rootPn: bigint } | Unarmed => {
  const g = decodeHgatp(m.hart.csr.hgatp)
  if (g?.scheme === undefined) return 'bare'
  if ((m.hart.csr.menvcfg & ENVCFG_ADUE) === 0n) return 'svade'
  return { scheme: g.scheme, rootPn: g.ppn }
}

/** The same TLB with D withdrawn from the cached G-stage flags of every entry built from one of `cleared` (PTE addresses). */
const withdrawD = (tlb: Tlb, cleared: ReadonlySet<bigint>): Tlb => {
  const hit = (e: TlbEntry): boolean => e.gstage !== undefined && (e.gFlags & FLAG_D) !== 0 && cleared.has(e.gstage.pteAddr)
  if (!tlb.sets.some((set) => set.some(hit))) return tlb
  const sets = tlb.sets.map((set) => set.some(hit) ? set.map((e) => hit(e) ? { ...e, gFlags: e.gFlags & ~FLAG_D } : e) : set)
  return { ...tlb, sets }
}

/**
 * Arms the tracker on `m`: clears D in every writable leaf of its G-stage table and withdraws D from the
 * TLB entries built from those leaves (a guest walker, as the shadow VMM, is told of the PTE writes).
 * Returns the machine as it runs on and the tracker; with hgatp Bare or menvcfg.ADUE = 0 nothing changes.
 */
export const armDirtyBits = (m: Machine): { readonly machine: Machine; readonly tracker: DirtyTracker } => {
  const g = gStageOf(m)
  if (typeof g === 'string') return { machine: m, tracker: { armed: [], unarmed: g } }
  const leaves = gStageLeaves(m.memory, g.scheme, g.rootPn, m.isa.svnapot).filter((l) => (l.pte & PTE_W) !== 0n)
  let memory = m.memory
  const cleared = new Set<bigint>()
  const armed = leaves.map((l) => {
    if ((l.pte & PTE_D) === 0n) return l
    cleared.add(l.pteAddr)
    const pte = l.pte & ~PTE_D
    memory = poke(memory, phys(l.pteAddr), 8, pte)
    return { ...l, pte }
  })
  if (cleared.size === 0) return { machine: m, tracker: { armed, unarmed: undefined } }
  // The VMM's fence of those leaves: on Spike it also empties the PTE cache, whose kept leaves still have D set.
  const withdrawn = withdrawD(m.tlb, cleared)
  const tlb = withdrawn.pteCache === undefined ? withdrawn : withPteCache(withdrawn, emptyPteCache(), false)
  const guest = m.tlb.guest === undefined ? undefined : devicesWrote(m.tlb.guest, m.memory, memory)
  return { machine: withTlb(withMemory(m, memory), withGuest(tlb, guest)), tracker: { armed, unarmed: undefined } }
}

/** A dirty set and where each page of it came from. */
export interface DirtySet {
  /** Every page to copy, ascending. */
  readonly pages: readonly number[]
  /** Host pages of armed leaves found with D = 1 (a superpage's: its pages that hold data), ascending. */
  readonly byDBits: readonly number[]
  /** The armed leaves found with D = 1. */
  readonly dirtyLeaves: readonly GLeaf[]
  /** Pages the D bits do not cover, written since (versions): outside every armed leaf still in place. */
  readonly untracked: readonly number[]
  /** Pages under an armed leaf still in place, written since (versions) although its D stayed 0: not through the G-stage. */
  readonly unseen: readonly number[]
}

const ascending = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b)

/**
 * The pages written between `base` (the memory when `tracker` was armed) and `now`, by D bits where they
 * apply and by versions elsewhere. An armed leaf still in place is one whose PTE now equals what the
 * tracker left, A and D aside; a leaf the program rewrote is not trusted (its pages come from the versions).
 */
export const dirtyPages = (tracker: DirtyTracker, base: PhysMemory, now: PhysMemory): DirtySet => {
  const versions = changedPages(base, now)
  if (tracker.armed.length === 0) return { pages: ascending(versions), byDBits: [], dirtyLeaves: [], untracked: ascending(versions), unseen: [] }
  const inPlace = tracker.armed.flatMap((l) => {
    const pte = peek(now, phys(l.pteAddr), 8)
    return (pte & ~AD) === (l.pte & ~AD) ? [{ ...l, pte }] : []
  })
  const dirtyLeaves = inPlace.filter((l) => (l.pte & PTE_D) !== 0n)
  const written = dirtyLeaves.some((l) => l.pages > 1) ? writtenPages(now) : []
  const byDBits = ascending(dirtyLeaves.flatMap((l) => l.pages === 1
    ? (pageAt(now, l.hostPn) === undefined ? [] : [l.hostPn])
    : written.filter((pn) => pn >= l.hostPn && pn < l.hostPn + l.pages)))
  const covered = (pn: number): boolean => inPlace.some((l) => pn >= l.hostPn && pn < l.hostPn + l.pages)
  const dSet = new Set(byDBits)
  const untracked = ascending(versions.filter((pn) => !covered(pn)))
  const unseen = ascending(versions.filter((pn) => covered(pn) && !dSet.has(pn)))
  return { pages: ascending([...byDBits, ...untracked, ...unseen]), byDBits, dirtyLeaves, untracked, unseen }
}
