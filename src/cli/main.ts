// The `memvirt` command line. Decodes argv with commander, dispatches to the subcommand shells,
// and turns bad input into one line on stderr with exit status 2 (never a stack trace).
import { Command, CommanderError } from 'commander'
import { commands } from './commands.ts'
import { InputError } from './io.ts'
import { abandonOutputs } from './output.ts'

const program = new Command()
  .name('memvirt')
  .description('An executable reference model of memory virtualization (RISC-V MMU, caches, allocation).')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })

for (const register of commands) register(program)

const fail = (e: unknown): void => {
  abandonOutputs()
  if (e instanceof CommanderError) {
    // commander already printed its one-line message (or the help text)
    process.exitCode = e.exitCode === 0 ? 0 : 2
  } else if (e instanceof InputError) {
    process.stderr.write(`memvirt: ${e.message}\n`)
    process.exitCode = 2
  } else {
    throw e
  }
}

try {
  await program.parseAsync(process.argv)
} catch (e) {
  fail(e)
}
