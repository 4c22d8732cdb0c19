// The record one step gathers the effects of its instruction in (src/cpu/step.ts): the hart as the
// instruction changes it, memory, TLB, the commit-log items, and the state of the platform's devices. It lives inside one
// call to `step` and never escapes it; everything the step returns is built from it with constructors.
import { type PhysMemory } from '../memory/memory.ts'
import { type Tlb } from '../mmu/tlb.ts'
import { type Csrs, type Hart, type Priv, withCsrs } from './hart.ts'
import { type Isa } from './isa.ts'
import { type Trap } from './trap.ts'
import { type MemRead, type MemWrite, type StaleTranslation } from './event.ts'
import { type HartBus } from './bus.ts'
import { type HartAccel } from './accel.ts'

// ---- the per-instruction effect record -------------------------------------------------------------

export interface Exec {
  readonly isa: Isa
  readonly pc: bigint
  /** The fetched bits (16 for compressed, 32 otherwise): illegal/virtual-instruction tval. */
  bits: number
  /** The hart as the instruction changes it, except the destination register (rd, rdValue), written at retirement. */
  h: Hart
  memory: PhysMemory
  tlb: Tlb
  rd: number
  rdValue: bigint
  /** CSRs the commit line names, and the loads and stores made: undefined until the first (most steps have none). */
  logged: number[] | undefined
  loads: MemRead[] | undefined
  stores: MemWrite[] | undefined
  wroteInstret: boolean
  wroteCycle: boolean
  /** Logged CSR values fixed at write time (see CsrWrite.values). */
  loggedValues: Map<number, bigint> | undefined
  /** The bus beyond RAM, and its devices' state (a device store changes it). */
  readonly bus: HartBus<unknown>
  devices: unknown
  /** The accelerators the step runs with (accel.ts). */
  readonly accel: HartAccel
  /** Translation statistics of this step (see TranslationCounts). */
  tlbHits: number
  walks: number
  twoStageWalks: number
  /** Where the most recent translateAccess went: the guest-physical (V = 1) and physical address. */
  lastGpa: bigint | undefined
  lastPa: bigint
  /** Stale TLB answers used (only when the TLB reports them): undefined until the first. */
  stale: StaleTranslation[] | undefined
  /** Triggers with `hit` set by a trigger that fired (kept although the instruction traps, as in Spike). */
  firedTriggers: Csrs['triggers'] | undefined
}

export const isTrap = (r: unknown): r is Trap => typeof r === 'object'

/**
 * Writes the destination register (x0: no effect). Each instruction writes at most one register, as its
 * last effect, so the write is recorded here and made to the register file once, when the instruction
 * retires (step.ts, `retire`); a trap discards it with the rest of the instruction's effects.
 */
export const writeRd = (e: Exec, rd: number, value: bigint): void => {
  if (rd === 0) return
  e.rd = rd
  e.rdValue = value
}

export const setCsrs = (e: Exec, csr: Csrs, logged: readonly number[]): void => {
  e.h = withCsrs(e.h, csr)
  for (const n of logged) logCsr(e, n)
}

/** Names CSR n in the commit line (with its value after the instruction, unless fixed in loggedValues). */
export const logCsr = (e: Exec, n: number): void => { (e.logged ??= []).push(n) }
export const logLoad = (e: Exec, r: MemRead): void => { (e.loads ??= []).push(r) }
export const logStore = (e: Exec, w: MemWrite): void => { (e.stores ??= []).push(w) }

export interface Mode { readonly priv: Priv; readonly virt: boolean }
