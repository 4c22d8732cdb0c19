// memvirt/machine: Spike's platform around the hart — loading an ELF, the bus and its devices (boot ROM,
// CLINT, HTIF, DMA ports, the DMA engine), `step` (Spike's loop) and `run` (the fast engine, proven equal
// to `foldSteps`, the fold of `step`).
export * from './machine.ts'
export * from './step.ts'
export * from './run.ts'
export { run, runFast, foldStepsFast } from './engine/run.ts'
export * from './device.ts'
export * from './bus.ts'
export * from './dma.ts'
export * from './added-device.ts'
export * from './devices/dma-engine.ts'
export * from './clint.ts'
export * from './htif.ts'
export * from './signature.ts'
export * from './summary.ts'
export { parseElf, symbolAddress, type Elf, type ElfError } from '../elf/elf.ts'
export { parseIsa, DEFAULT_ISA, type Isa } from '../cpu/isa.ts'
