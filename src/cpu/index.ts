// memvirt/hart: one RV64IMAC+H hart as pure data and functions — ISA strings, the hart's state, decode,
// the CSR file, traps, `stepHart` (one instruction or trap, Priv. ISA + Unprivileged ISA) and the
// accelerator records (`specAccel`, the specification; `memoAccel`, the memoised engine).
export * from './isa.ts'
export * from './hart.ts'
export * from './event.ts'
export * from './bus.ts'
export * from './trap.ts'
export * from './accel.ts'
export * from './step.ts'
export * from './decode/index.ts'
export * from './csr/access.ts'
export { memoAccel } from './engine/accel.ts'
