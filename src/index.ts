// memvirt's public API: the functional core. Everything exported here is pure.
export * from './bits/bits.ts'
export * from './bits/address.ts'
export * from './memory/memory.ts'
export * from './memory/memory-map.ts'
export * from './mmu/pte.ts'
export * from './mmu/atp.ts'
export * from './mmu/faults.ts'
export { CAUSE, EXCEPTION_NAMES } from './mmu/exception-codes.ts'
export * from './mmu/permissions.ts'
export type {
  TrailStep, TrailPurpose, StageLeaf, PhysCheck, WalkSession, StageParams, GStageParams, WalkFailure, ReservedRule,
} from './mmu/walk.ts'
export { allowAll, newSession, walk, walkStage, walkGuestPhysical, gStageParams, inRange, leafOutput, describeFailure } from './mmu/walk.ts'
export * from './mmu/translate.ts'
export * from './mmu/tlb.ts'
// The library's `translate` is the fast one (same outcome as the readable `translateSpec`), and TLBs
// made with `fastTlb` refill through it.
export { translate, translateFast } from './mmu/engine/fast-walk.ts'
export { fastEngine, fastTlb, withFastEngine } from './mmu/engine/tlb.ts'
export * from './mmu/explain.ts'
