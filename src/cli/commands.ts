// The list of `memvirt` subcommands. Each subsystem's shell module exports a `register` function
// that adds its command (with its options) to the commander program.
import type { Command } from 'commander'
import { register as cache } from './cache.ts'
import { register as registerAlloc } from './alloc.ts'
import { register as registerTranslate } from './translate.ts'
import { register as registerDemo } from './demo.ts'
import { register as registerRun } from './run.ts'
import { register as registerCheck } from './check.ts'
import { register as registerIommu } from './iommu.ts'
import { register as registerVirtioIommu } from './virtio-iommu.ts'
import { registerMigrate } from './redundancy.ts'
import { register as registerIntrospect } from './introspect.ts'
import { register as registerGdbserver } from './gdbserver.ts'
import { register as registerCosim } from './cosim.ts'

export type Register = (program: Command) => void

export const commands: readonly Register[] = [
  cache,
  registerAlloc,
  registerTranslate,
  registerDemo,
  registerRun,
  registerCheck,
  registerIommu,
  registerVirtioIommu,
  registerMigrate,
  registerIntrospect,
  registerGdbserver,
  registerCosim,
]
