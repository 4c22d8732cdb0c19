// memvirt/mmu: address translation as a library — memory to put page tables in, PTEs, atp registers,
// the walker for any master, the hart's translate (the fast one; translateSpec is the readable one),
// TLBs and fences, explanations. Priv. ISA "Virtual-Memory System" and "Hypervisor Extension".
export * from '../bits/bits.ts'
export * from '../bits/address.ts'
export * from '../memory/memory.ts'
export * from '../memory/memory-map.ts'
export * from './pte.ts'
export * from './atp.ts'
export * from './faults.ts'
export { CAUSE, EXCEPTION_NAMES } from './exception-codes.ts'
export * from './permissions.ts'
export type {
  TrailStep, TrailPurpose, StageLeaf, PhysCheck, WalkSession, StageParams, GStageParams, WalkFailure, ReservedRule,
} from './walk.ts'
export { allowAll, newSession, walk, walkStage, walkGuestPhysical, gStageParams, inRange, leafOutput, describeFailure } from './walk.ts'
export * from './translate.ts'
export * from './tlb.ts'
export * from './stale.ts'
// The library's `translate` is the fast one (same outcome as the readable `translateSpec`), and TLBs
// made with `fastTlb` refill through it.
export { translate, translateFast } from './engine/fast-walk.ts'
export { fastEngine, fastTlb, withFastEngine } from './engine/tlb.ts'
export * from './explain.ts'
