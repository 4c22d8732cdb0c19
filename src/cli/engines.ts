// The engines the shell runs the model with: the specification files never choose one. A machine as
// loaded translates through its TLB's spec engine; the shell gives that TLB the fast engine (the fast
// page-table walk and memoised translation contexts, mmu/engine/), which answers the same.
import { type Machine, withTlb } from '../machine/machine.ts'
import { withFastEngine } from '../mmu/engine/tlb.ts'

/** The machine with its hart's TLB under the fast engine (entries and everything else kept). */
export const withFastTranslation = (m: Machine): Machine =>
  withTlb(m, withFastEngine(m.tlb))
