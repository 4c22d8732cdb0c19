// `run`, and the fast engine behind it: the same machine and the same results as folding `step` (proved
// by properties/cpu/step-run.prop.ts and fast-*.prop.ts), at block-compiler speed. While no debug trigger
// is armed, straight runs of RAM code are compiled into JavaScript functions (cpu/engine/block.ts)
// working on registers in a BigUint64Array and on RAM pages borrowed from the persistent memory
// (cpu/engine/pages.ts), in every mode: with translation on (satp, vsatp and hgatp, V = 0 or 1, MPRV),
// the hart's TLB is mirrored for the call and every access goes through it in step's order, walking
// (without A/D updates) where step would walk, so hits, fills, replacements and stale entries are the
// TLB's own, and the TLB is handed back as the fold of step leaves it. Whatever
// a block does not do — CSRs, traps, AMOs, system instructions, devices, tohost, misaligned or refused accesses —
// `step` does: the engine stops before such an instruction and hands back an ordinary Machine.
//
// Spike's chunk end (every `interleave` steps) is done inside the engine exactly as `step` does it
// (endChunk, then the HTIF poll, then the interrupt check of the next batch start); the engine stops
// only if the poll has something to serve or an interrupt is pending. Steps the blocks leave to `step`
// run with the memoised accelerators (cpu/engine/accel.ts).
//
// Local mutation only: the register file, TLBs and page copies belong to one call; the machine passed
// in is never modified, and pages the engine copied are handed back into a new memory version.
import { type Machine, platform, stepped } from '../machine.ts'
import { exitCommand, serviceHtif } from '../htif.ts'
import { type PhysMemory, peek } from '../../memory/memory.ts'
import { pageAtMemo } from '../../memory/engine/page-views.ts'
import { type VirtAddr, phys } from '../../bits/address.ts'
import { type AccessMode, accessMode, withCsrsAndReservation, resumed } from '../../cpu/hart.ts'
import { effectiveDataMode } from '../../cpu/csr/access.ts'
import { pendingInterrupt } from '../../cpu/step.ts'
import { alu } from '../../cpu/execute/alu.ts'
import {
  type Block, type BlockLog, type CommitSink, type Core, type Layout, type Translated, UNTRANSLATED, compile, pcNumber, sameSource, vpnOf,
} from '../../cpu/engine/block.ts'
import { type PageEntry, RunMemory } from '../../cpu/engine/pages.ts'
import { memoAccel } from '../../cpu/engine/accel.ts'
import { PRIV_NAMES } from '../../cpu/translation-context.ts'
import { type HartContext } from '../../cpu/translation-context.ts'
import { untranslated } from '../../mmu/translate.ts'
import { type Tlb } from '../../mmu/tlb.ts'
import { mirrorable } from '../../mmu/engine/tlb-mirror.ts'
import { pteReads, translateFast } from '../../mmu/engine/fast-walk.ts'
import { WalkMemo } from '../../mmu/engine/walk-memo.ts'
import { isRight } from '../../bits/either.ts'
import { type Isa } from '../../cpu/isa.ts'
import { type Observer, type RunLimits, type RunResult, foldSteps } from '../run.ts'
import { endChunk, step } from '../step.ts'

/**
 * Steps `m` until htif.exitCode is set or `limits.maxSteps` steps were made, telling `observe` about
 * every event in order: `foldSteps` (machine/run.ts) with the memoised accelerators where every event is
 * watched, else the fast engine, equal to it (properties/cpu/step-run.prop.ts, fast-engine.prop.ts).
 */
export const run = (m: Machine, limits: RunLimits, observe?: Observer): RunResult =>
  observe?.event === undefined ? runFast(m, limits, observe) : foldSteps(m, limits, observe, memoAccel)

/** The step fold with the memoised accelerators (the specification, faster). */
export const foldStepsFast = (m: Machine, limits: RunLimits, observe?: Observer): RunResult => foldSteps(m, limits, observe, memoAccel)

/**
 * Runs like `run` with at most a commit log watching: until the program exits
 * through HTIF or `limits.maxSteps` steps were made. Equal to folding `step`, step for step, and the
 * commit lines equal those of the fold's events.
 */
export const runFast = (m0: Machine, limits: RunLimits, observe?: Pick<Observer, 'commits' | 'machine'>): RunResult => {
  // Added devices (the IOMMU platform) work at chunk ends, which the blocks do not model: the fold runs.
  // A guest walker (--guest-translation shadow, the TLB's `guest`) must see every store (its write-protect),
  // which compiled blocks do not report: the fold runs.
  // An exact TLB (`--tlb exact`) runs here too: it differs from Spike's only where `step` flushes (traps,
  // xRET, CSR writes), never inside a block; with --report-stale (every hit checked) the mirror is refused.
  if (m0.devices.added.length > 0 || m0.tlb.guest !== undefined) return foldSteps(m0, limits, observe, memoAccel)
  const commits = observe?.commits
  const watch = observe?.machine
  let m = m0
  let steps = 0
  // Where blocks run only a few steps at a time (translation on, V = 1, CSR-heavy code), setting the
  // engine up costs more than it saves: after a short stretch, `step` alone takes the next `skip`
  // steps, a number that doubles while stretches stay short. Which engine runs changes no result.
  let skip = 0
  let backoff = 1
  while (m.htif.exitCode === undefined && steps < limits.maxSteps) {
    if (skip > 0) skip--
    else {
      const r = runBlocks(m, limits.maxSteps - steps, commits)
      m = r.machine
      steps += r.steps
      if (r.steps > 0) watch?.(m)
      if (r.steps >= SHORT_STRETCH) backoff = 1
      else { skip = backoff; backoff = Math.min(2 * backoff, MAX_BACKOFF) }
    }
    if (m.htif.exitCode !== undefined || steps >= limits.maxSteps) break
    const s = step(m, memoAccel)
    m = s.machine
    steps++
    commits?.push(s.event)
    watch?.(m)
  }
  return { machine: m, steps, reason: m.htif.exitCode !== undefined ? 'exit' : 'limit' }
}

/** A stretch of blocks shorter than this is not worth the engine's set-up. */
const SHORT_STRETCH = 16
/** The most steps `step` alone takes before blocks are tried again. */
const MAX_BACKOFF = 256

// ---- when the engine may run ----------------------------------------------------------------------

/** RAM as the engine needs it: page aligned, and every address below 2^53 (exact as a number). */
const layoutOf = (m: Machine): Layout | undefined => {
  const ram = m.memory.map.find((r) => r.kind === 'ram')
  if (ram === undefined || (ram.base & 0xfffn) !== 0n || ram.size > 1n << 32n || ram.base + ram.size >= 1n << 52n) return undefined
  return { base: Number(ram.base), size: Number(ram.size) }
}

/** No armed trigger, not at a batch start, not in WFI, inside a chunk. */
const eligible = (m: Machine): boolean => {
  const p = m.platform
  if (p.batchStart || p.inWfi || p.chunk >= m.options.interleave) return false
  return m.hart.csr.triggers.every(([t1]) => t1 >> 60n !== 2n)
}

const translates = (m: Machine, mode: AccessMode): boolean => !untranslated(PRIV_NAMES[mode.priv]!, mode.virt, m.hart.csr.satp)

/**
 * The translation context of the mode that translates (fetches and data share it, or only data
 * translates under MPRV), when the TLB can be mirrored and caches its translations (a tag); else undefined.
 */
const contextOf = (m: Machine, mode: AccessMode, isa: Isa, tlb: Tlb): HartContext | undefined => {
  if (!mirrorable(tlb)) return undefined
  // A kept PTE gone stale (a program store without a fence): walks must read through Spike's PTE cache: `step`.
  if (tlb.pteCache !== undefined && tlb.pteCache.stale.size > 0) return undefined
  const hc = tlb.engine.remember(m.hart.csr, mode.priv * 2 + (mode.virt ? 1 : 0), isa, memoAccel.context)
  return hc.key.tag === undefined ? undefined : hc
}

/** Does tohost hold an exit command not yet noticed? Then the next store of any kind ends the run: `step` does it. */
const exitPending = (memory: PhysMemory, m: Machine['htif']): boolean =>
  m.tohost !== undefined && m.exitCode === undefined && exitCommand(peek(memory, phys(m.tohost), 8)) !== undefined

// ---- the engine ---------------------------------------------------------------------------------------

const regs = new BigUint64Array(32)
const core: Core = { x: regs, xs: new BigInt64Array(regs.buffer), x32: new Uint32Array(regs.buffer), mem: new RunMemory(), pc: 0, alu }
/** Little-endian hosts only: blocks read register halves through x32. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
let busy = false
/** Quiet walks already made, re-used while the PTEs they read are unchanged (mmu/engine/walk-memo.ts). */
const walks = new WalkMemo()

/**
 * Compiled blocks by pc, one table per ISA variant (C and M change decoding) and RAM layout, and for
 * logging blocks per commit sink and privilege (their lines show it): a pure cache.
 */
const caches = new Map<string, Map<number, Block>>()
const loggedCaches = new WeakMap<CommitSink, Map<string, Map<number, Block>>>()
const MAX_BLOCKS = 1 << 16
const cacheFor = (isa: Isa, layout: Layout, tr: Translated, log: BlockLog | undefined): Map<number, Block> => {
  let tables = caches
  let key = `${isa.c ? 'c' : ''}${isa.m ? 'm' : ''}:${layout.base}:${layout.size}:${tr.fetch ? 'F' : ''}${tr.data ? 'D' : ''}`
  if (log !== undefined) {
    let perSink = loggedCaches.get(log.sink)
    if (perSink === undefined) { perSink = new Map(); loggedCaches.set(log.sink, perSink) }
    tables = perSink
    key += `:${log.priv}`
  }
  let c = tables.get(key)
  if (c === undefined || c.size > MAX_BLOCKS) { c = new Map(); tables.set(key, c) }
  return c
}

const FETCH_AND_DATA: Translated = { fetch: true, data: true }
const DATA_ONLY: Translated = { fetch: false, data: true }

const NONE = (m: Machine): { machine: Machine; steps: number } => ({ machine: m, steps: 0 })

/**
 * Runs compiled blocks from `m` for at most `budget` steps; stops before the first instruction `step`
 * must do. Returns the machine reached and the steps made (0, and `m` itself, when it could not start).
 */
const runBlocks = (m: Machine, budget: number, commits: CommitSink | undefined): { machine: Machine; steps: number } => {
  if (busy || !LITTLE_ENDIAN || !eligible(m)) return NONE(m)
  const layout = layoutOf(m)
  const h = m.hart
  if (layout === undefined) return NONE(m)
  const fetchMode = accessMode(h.priv, h.virt)
  const dataMode = effectiveDataMode(h)
  const tr: Translated = translates(m, fetchMode) ? FETCH_AND_DATA : translates(m, dataMode) ? DATA_ONLY : UNTRANSLATED
  // pc as a number: translated, the signed value of its bits (block.ts, VA_LIMIT); else a RAM address.
  const pc0 = tr.fetch ? pcNumber(h.pc) : h.pc >= BigInt(layout.base) && h.pc < BigInt(layout.base + layout.size) ? Number(h.pc) : undefined
  if (pc0 === undefined) return NONE(m)
  const isa = memoAccel.effectiveIsa(m.isa, h.csr.misa)
  let hc: HartContext | undefined
  if (tr.data) {
    hc = contextOf(m, dataMode, isa, m.tlb)
    if (hc === undefined || layout.size % 4096 !== 0) return NONE(m)
  }
  const log: BlockLog | undefined = commits === undefined ? undefined : { sink: commits, priv: h.priv }
  const cache = cacheFor(isa, layout, tr, log)
  let pc = pc0
  const first = cache.get(pc)
  // A known block that starts with an instruction for `step`: no need to set anything up.
  if (!tr.fetch && first !== undefined && first.n === 0 && first.page === pageAtMemo(m.memory, Math.floor(pc / 4096))) return NONE(m)
  if (exitPending(m.memory, m.htif)) return NONE(m)

  const mem = core.mem
  busy = true
  try {
    mem.begin(m.memory, BigInt(layout.base), layout.size, h.csr, h.priv, dataMode.priv, m.htif.tohost)
    if (hc !== undefined) {
      const ctx = hc.ctx
      const pages = (pn: number): DataView | undefined => mem.pageView(pn)
      walks.use(ctx, m.memory.map)
      mem.tlb.begin(m.tlb, hc.key, (vpn, access) => {
        const known = walks.recall(vpn, access, pages)
        if (known !== undefined) { mem.tlb.readFrom(walks.lastReads); return known }
        const out = translateFast(m.memory, ctx, { va: (BigInt(vpn) << 12n) as VirtAddr, access }, pages)
        if (out === undefined || !isRight(out.result)) return undefined
        const reads = pteReads(out)
        walks.remember(vpn, access, out.result.right, reads)
        mem.tlb.readFrom(reads)
        return out.result.right
      })
    }
    for (let i = 0; i < 32; i++) regs[i] = h.x[i]!                // (regs.set(h.x) takes the generic path: slower)
    const p0 = m.platform
    const interleave = m.options.interleave
    let csr = h.csr, reservation = h.reservation, htif = m.htif, devices = m.devices
    let chunk = p0.chunk, batchStart = false
    let steps = 0
    while (steps < budget) {
      let e: PageEntry | undefined
      if (tr.fetch) {
        e = mem.vfetchPage(vpnOf(pc - (pc & 4095)))
      } else {
        const o = pc - layout.base
        if (o < 0 || o >= layout.size) break
        e = mem.fetch(o >>> 12)
      }
      if (e === undefined) break
      let b = cache.get(pc)
      if (b === undefined || b.page !== e.dv) {
        if (b !== undefined && sameSource(b, e.dv)) b.page = e.dv
        else { b = compile(core, e.dv, e.p * 4096, pc, isa, layout, tr, log); cache.set(pc, b) }
      }
      if (b.n === 0) break
      if (b.epoch !== mem.epoch || b.marked !== e.p) { mem.markCode(e.p, e, b.off, b.len); b.epoch = mem.epoch; b.marked = e.p }
      const k = b.run(Math.min(budget - steps, interleave - chunk))
      pc = core.pc
      if (k === 0) break
      steps += k
      chunk += k
      batchStart = false
      if (chunk < interleave) continue
      // Spike's chunk end, as step's endChunk: the devices tick, time and mip follow, the reservation is
      // dropped, HTIF is polled, and the next step starts a batch (pending interrupts are taken).
      chunk = 0
      batchStart = true
      const ended = endChunk(m, withCsrsAndReservation(h, csr, reservation), devices)
      csr = ended.hart.csr
      devices = ended.devices
      reservation = undefined
      if (htif.tohost !== undefined && htif.exitCode === undefined && !quietHost(mem, layout, htif)) {
        const host = serviceHtif(mem.commit(), htif, m.dma)
        htif = host.htif
        mem.restart(host.memory)
        if (htif.exitCode !== undefined || exitPending(host.memory, htif)) break
      }
      if (pendingInterrupt(withCsrsAndReservation(h, csr, reservation), isa) !== undefined) break
    }
    if (steps === 0) return NONE(m)
    const countI = (csr.mcountinhibit & 4n) === 0n, countC = (csr.mcountinhibit & 1n) === 0n
    const n = BigInt(steps)
    const h1 = resumed(h, BigInt.asUintN(64, BigInt(pc)), registersOf(regs), csr, reservation,
      countI ? h.instret + n : h.instret, countC ? h.cycle + n : h.cycle)
    return { machine: stepped(m, h1, mem.commit(), hc === undefined ? m.tlb : mem.tlb.result(), htif, devices, platform(chunk, batchStart, false)), steps }
  } finally {
    mem.end()
    busy = false
  }
}

/** The register file as a fresh array (a plain loop: Array.from on a typed array runs the iterator protocol). */
const registersOf = (r: BigUint64Array): bigint[] => {
  const x: bigint[] = []
  for (let i = 0; i < 32; i++) x.push(r[i]!)                   // packed, like the arrays step makes
  return x
}

/**
 * Would HTIF's poll (serviceHtif) find nothing to do? tohost is zero, and no answer waits for fromhost
 * to be zero. Read through the call's pages; anything unusual (outside RAM, misaligned) says no.
 */
const quietHost = (mem: RunMemory, layout: Layout, htif: Machine['htif']): boolean => {
  const at = (a: bigint | undefined): number => {
    const o = a === undefined ? NaN : Number(a) - layout.base
    return o >= 0 && o <= layout.size - 8 && o % 8 === 0 ? o : NaN
  }
  const t = at(htif.tohost)
  if (Number.isNaN(t) || mem.peek8(t) !== 0n) return false
  if (htif.pending.length === 0 || htif.fromhost === undefined) return true
  const f = at(htif.fromhost)
  return !Number.isNaN(f) && mem.peek8(f) !== 0n
}
