// The `memvirt` command line. Decodes argv with commander, dispatches to the subcommand shells,
// and turns bad input into one line on stderr with exit status 2 (never a stack trace). Every line it
// prints about an error starts `memvirt COMMAND:` (or `memvirt:` before a command is known).
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { commandsFor } from './commands.ts'
import { InputError } from './io.ts'
import { abandonOutputs } from './output.ts'

/** The package's version (package.json sits two folders up from this file and from the bundle). */
const version = ((): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch {
    return 'unknown'
  }
})()

/** commander's own messages start `error: `; ours name the program and the command instead. */
const voice = (who: string) => (s: string, write: (s: string) => void): void => write(s.replace(/^error: /, `${who}: `))

const program = new Command()
  .name('memvirt')
  .description('An executable reference model of memory virtualization (RISC-V MMU, caches, allocation).')
  .version(`memvirt ${version}`, '-V, --version', 'print the version and exit')
  .helpCommand('help [command]', 'display help for a command')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: voice('memvirt') })

for (const register of await Promise.all(commandsFor(process.argv).map((c) => c.load()))) register(program)

/** The command running now, for the prefix of its error lines (`demo translate` for a nested one). */
let running = ''
const named = (cmd: Command, prefix: string): void => {
  for (const sub of cmd.commands) {
    const who = `${prefix} ${sub.name()}`
    sub.configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: voice(who) })
    named(sub, who)
  }
}
named(program, 'memvirt')
program.hook('preAction', (_root, action) => {
  const path: string[] = []
  for (let c: Command | null = action; c !== null && c !== program; c = c.parent) path.unshift(c.name())
  running = path.join(' ')
})

const fail = (e: unknown): void => {
  abandonOutputs()
  if (e instanceof CommanderError) {
    // commander already printed its one-line message (or the help text, or the version)
    process.exitCode = e.exitCode === 0 ? 0 : 2
  } else if (e instanceof InputError) {
    process.stderr.write(`memvirt${running === '' ? '' : ` ${running}`}: ${e.message}\n`)
    process.exitCode = 2
  } else {
    throw e
  }
}

// A reader that stops early (`memvirt cache … | head`) closes the pipe: memvirt stops quietly with status 0,
// as ripgrep does (no stack trace, and an output file still being written is abandoned, not left half-written).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e
  abandonOutputs()
  process.exit(0)
})

if (process.argv.length <= 2) {
  // `memvirt` alone asks what it can do: the help, on stdout, and success
  program.outputHelp()
} else {
  try {
    await program.parseAsync(process.argv)
  } catch (e) {
    fail(e)
  }
}
