// The stub's `monitor` commands (GDB manual, "Remote Protocol" › "General Query Packets": qRcmd):
// `translate ADDR` explains the walk of an address in the hart's current mode, entry by entry, as
// `memvirt translate` does (src/mmu/explain.ts); `physical on|off` switches memory packets to physical
// addresses (QEMU's `maintenance packet Qqemu.PhyMemMode`); `stats` shows what the session has run.
import { hex } from '../bits/bits.ts'
import { virt } from '../bits/address.ts'
import { type Elf } from '../elf/elf.ts'
import { explainText } from '../mmu/explain.ts'
import { type Machine } from '../machine/machine.ts'
import { introspectionContext, walkIn } from '../hypervisor/introspect/memory.ts'
import { modeText } from '../hypervisor/introspect/registers.ts'
import { resolveAddress, symbolText } from '../hypervisor/introspect/symbols.ts'

/** What a monitor command sees and may change. */
export interface MonitorState {
  readonly machine: Machine
  readonly physical: boolean
  readonly elf: Elf | undefined
  /** Steps the session has executed since attach (its position in history). */
  readonly position: number
  readonly earliest: number
  readonly traps: number
}

export const MONITOR_HELP = [
  'monitor translate ADDR   explain the walk of ADDR (number or symbol[+off]) as a load in the current mode',
  'monitor physical on|off  memory packets use physical addresses (on) or the current mode\'s (off)',
  'monitor stats            instructions retired, traps taken, steps and the reverse-execution window',
  '',
].join('\n')

/** The walk trail of `address` as a load in the hart's mode (its own SUM, MXR and ADUE; PMP aside). */
export const explainAddress = (m: Machine, address: bigint): string => {
  const w = walkIn(m, 'current', address, 'architectural')
  if (w._tag === 'Left') return `${w.left.message}\n`
  const ctx = introspectionContext(m, 'current', 'architectural')
  return explainText({ index: 1, ctx, request: { va: virt(address), access: 'load' }, outcome: w.right })
}

/** Runs one monitor command line: the output text and the new `physical` setting. */
export const monitor = (s: MonitorState, line: string): { text: string; physical: boolean } => {
  const words = line.trim().split(/\s+/)
  const [cmd, arg] = words
  switch (cmd) {
    case 'translate': {
      if (arg === undefined || words.length > 2) return { text: 'usage: monitor translate ADDR\n', physical: s.physical }
      const a = resolveAddress(s.elf, arg)
      if (a._tag === 'Left') return { text: `${a.left.message}\n`, physical: s.physical }
      return { text: explainAddress(s.machine, a.right), physical: s.physical }
    }
    case 'physical':
      if (arg === 'on' && words.length === 2) return { text: 'memory packets now use physical addresses\n', physical: true }
      if (arg === 'off' && words.length === 2) return { text: 'memory packets now use the current mode\'s addresses\n', physical: false }
      return { text: `physical is ${s.physical ? 'on' : 'off'}; usage: monitor physical on|off\n`, physical: s.physical }
    case 'stats': {
      const m = s.machine
      const at = s.elf === undefined ? undefined : symbolText(s.elf, m.hart.pc)
      return {
        text: [
          `instructions retired ${m.hart.instret} (minstret), traps taken since attach ${s.traps}`,
          `pc ${hex(m.hart.pc)}${at === undefined ? '' : ` <${at}>`}, ${modeText(m.hart, m.isa)}-mode`,
          `step ${s.position} of the session; reverse execution reaches back to step ${s.earliest}`,
          '',
        ].join('\n'),
        physical: s.physical,
      }
    }
    case 'help': case undefined: case '':
      return { text: MONITOR_HELP, physical: s.physical }
    default:
      return { text: `unknown monitor command "${cmd}"\n${MONITOR_HELP}`, physical: s.physical }
  }
}
