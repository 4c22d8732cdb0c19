// The list of `memvirt` subcommands. Each subsystem's shell module exports a `register` function
// that adds its command (with its options) to the commander program. The modules are loaded on demand:
// a command line naming one command loads only the module that registers it (each module, with what it
// imports, is a chunk of the bundle: start-up parses only that), `--version` none, anything else (help, an
// unknown word) loads them all.
import type { Command } from 'commander'

export type Register = (program: Command) => void

/** A shell module: the commands it registers (in that order) and how to load its `register`. */
export interface CommandModule {
  readonly names: readonly string[]
  readonly load: () => Promise<Register>
}

/** The subcommands, in the order `memvirt --help` lists them. */
export const commands: readonly CommandModule[] = [
  { names: ['cache', 'blockcache'], load: async () => (await import('./cache.ts')).register },
  { names: ['alloc', 'gpu'], load: async () => (await import('./alloc.ts')).register },
  { names: ['translate'], load: async () => (await import('./translate.ts')).register },
  { names: ['demo'], load: async () => (await import('./demo.ts')).register },
  { names: ['run', 'resume'], load: async () => (await import('./run.ts')).register },
  { names: ['check'], load: async () => (await import('./check.ts')).register },
  { names: ['iommu'], load: async () => (await import('./iommu.ts')).register },
  { names: ['virtio-iommu'], load: async () => (await import('./virtio-iommu.ts')).register },
  { names: ['migrate'], load: async () => (await import('./redundancy.ts')).registerMigrate },
  { names: ['introspect'], load: async () => (await import('./introspect.ts')).register },
  { names: ['gdbserver'], load: async () => (await import('./gdbserver.ts')).register },
  { names: ['cosim', 'cosim-replay'], load: async () => (await import('./cosim.ts')).register },
]

/**
 * The modules a command line needs: the one registering the command it names, none for `--version` (the
 * program's own option, printed before any command is looked at), else all of them (help, an unknown word).
 */
export const commandsFor = (argv: readonly string[]): readonly CommandModule[] => {
  if (argv[2] === '-V' || argv[2] === '--version') return []
  const named = commands.filter((c) => c.names.includes(argv[2] ?? ''))
  return named.length > 0 ? named : commands
}
