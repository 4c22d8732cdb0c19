// The stale-translation report of `memvirt run --report-stale` (text, one line per access) and
// `--report-stale-json FILE` (one JSON document): every access whose TLB answer differed from a fresh
// walk (cpu/event.ts StaleTranslation, mmu/stale.ts), with the fence that would have removed the entry.
import { type StaleTranslation } from '../cpu/event.ts'
import { type CoveringFence } from '../mmu/stale.ts'
import { EXCEPTION_NAMES } from '../mmu/exception-codes.ts'
import { type TlbConfig } from '../mmu/tlb.ts'
import { type Priv } from '../cpu/hart.ts'

const hex = (v: bigint): string => `0x${v.toString(16)}`

/** The mode an access was translated at: M, S (HS when the hart has H), U, VS or VU. */
const modeName = (priv: Priv, virt: boolean): string => (virt ? 'V' : '') + (['U', 'S', '?', 'M'][priv] ?? '?')

/** The fence as assembly would name its operands (HFENCE.GVMA's rs1 holds the guest-physical address >> 2). */
export const fenceText = (f: CoveringFence): string => {
  switch (f.insn) {
    case 'sfence.vma': return `sfence.vma va=${hex(f.va)}${f.asid === undefined ? '' : ` asid=${f.asid}`}`
    case 'hfence.vvma': return `hfence.vvma va=${hex(f.va)}${f.asid === undefined ? '' : ` asid=${f.asid}`} (vmid ${f.vmid}; or sfence.vma in VS-mode)`
    case 'hfence.gvma': return `hfence.gvma gpa=${hex(f.gpa)} vmid=${f.vmid} (rs1 = ${hex(f.gpa >> 2n)})`
  }
}

const where = (pa: bigint, gpa: bigint | undefined): string => (gpa === undefined ? '' : `gpa ${hex(gpa)} `) + `pa ${hex(pa)}`

/**
 * One line: `stale: pc 0x… S load va 0x…: TLB pa 0x…, walk pa 0x… (or the fault); fence: sfence.vma …`.
 * The mode is the one the access was translated at (M-mode with MPRV shows the mode it borrowed).
 */
export const staleLine = (s: StaleTranslation): string => {
  const fresh = s.fresh._tag === 'Translated'
    ? where(s.fresh.pa, s.fresh.gpa)
    : `${EXCEPTION_NAMES.get(s.fresh.fault.cause) ?? 'fault'} (cause ${s.fresh.fault.cause})`
  return `stale: pc ${hex(s.pc)} ${modeName(s.priv, s.virt)} ${s.access} va ${hex(s.va)}: TLB ${where(s.stalePa, s.staleGpa)}, walk ${fresh}; fence: ${fenceText(s.fence)}\n`
}

/** The closing line of the text report. */
export const staleSummary = (count: number): string =>
  count === 0 ? 'stale: none (every TLB answer equalled a fresh walk)\n' : `stale: ${count} access${count === 1 ? '' : 'es'} used a stale translation\n`

const fenceJson = (f: CoveringFence): object => {
  switch (f.insn) {
    case 'sfence.vma': return { insn: f.insn, va: hex(f.va), asid: f.asid === undefined ? null : hex(f.asid) }
    case 'hfence.vvma': return { insn: f.insn, va: hex(f.va), asid: f.asid === undefined ? null : hex(f.asid), vmid: f.vmid }
    case 'hfence.gvma': return { insn: f.insn, gpa: hex(f.gpa), vmid: f.vmid }
  }
}

/** One access as a JSON object: 64-bit values as hex strings, absent ones as null. */
export const staleRecord = (s: StaleTranslation): object => ({
  pc: hex(s.pc), mode: modeName(s.priv, s.virt), access: s.access, va: hex(s.va),
  stalePa: hex(s.stalePa), staleGpa: s.staleGpa === undefined ? null : hex(s.staleGpa),
  freshPa: s.fresh._tag === 'Translated' ? hex(s.fresh.pa) : null,
  freshGpa: s.fresh._tag === 'Translated' && s.fresh.gpa !== undefined ? hex(s.fresh.gpa) : null,
  freshFault: s.fresh._tag === 'Fault' ? { cause: Number(s.fresh.fault.cause), name: EXCEPTION_NAMES.get(s.fresh.fault.cause) ?? null } : null,
  fence: fenceJson(s.fence),
})

/** The TLB a report was made with, as `--tlb` flags name it. */
export const tlbDescription = (c: TlbConfig): object =>
  c.exact === true
    ? { mode: 'exact', entries: c.sets * c.ways, ways: c.ways, policy: c.replacement }
    : { mode: 'spike' }

/** The whole JSON report (with a final newline). */
export const staleJson = (config: TlbConfig, stale: readonly StaleTranslation[]): string =>
  JSON.stringify({ tool: 'memvirt run --report-stale', tlb: tlbDescription(config), count: stale.length, stale: stale.map(staleRecord) }, null, 2) + '\n'
