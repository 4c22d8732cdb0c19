// The hart's accelerators: pure functions the step calls on its hot paths (decoding a word, the PMP
// check, whether a debug trigger is armed, the ISA under misa), passed in as data so that an engine can
// put memoised equals in their place (src/cpu/engine/accel.ts). The defaults here are the specification.
import { type Pmp, type PmpAccess, pmpAllowsAt } from '../memory/pmp.ts'
import { type Described, describe } from './decode/described.ts'
import { type Csrs } from './hart.ts'
import { type Isa, effectiveIsa } from './isa.ts'
import { type ContextMaker, specContext } from './translation-context.ts'

export interface HartAccel {
  /** decodeInstruction and what the step asks of the word (decode/described.ts). */
  readonly describe: (bits: number) => Described
  /** PMP's verdict for a privilege as the hart numbers it (memory/pmp.ts, pmpAllowsAt). */
  readonly pmpAllows: (pmp: Pmp, pa: bigint, len: number, access: PmpAccess, priv: number, hlvx?: boolean) => boolean
  /** Could a debug trigger fire (triggers.ts)? */
  readonly triggersArmed: (ts: Csrs['triggers']) => boolean
  /** The extensions in force under misa (isa.ts). */
  readonly effectiveIsa: (isa: Isa, misa: bigint) => Isa
  /** The translation context of a CSR file at a mode, its page-table reads checked by PMP (translation-context.ts). */
  readonly context: ContextMaker
}

/**
 * Is any debug trigger an mcontrol address trigger, so that one could fire (triggers.ts checks them
 * before each access only then)?
 */
export const triggersArmed = (ts: Csrs['triggers']): boolean => ts.some(([t1]) => t1 >> 60n === 2n)

/** The specification itself: nothing remembered between calls. */
export const specAccel: HartAccel = { describe, pmpAllows: pmpAllowsAt, triggersArmed, effectiveIsa, context: specContext }
