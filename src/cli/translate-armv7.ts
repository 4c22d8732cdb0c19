// `memvirt translate --arch armv7 SCENARIO.json`: ARMv7 VMSA walks explained (ARM ARM DDI 0406C, B3.5
// and B3.6) — each descriptor read, its level and what the walker decided — and, when the scenario
// gives the VMM's guest-physical map, the shadow table the VMM keeps for the guest (issue 15): the
// path each access took (hit, fill, write-protect trap, guest fault) and the shadow leaves. The shell
// reads the file and decodes it once with the codec kit (src/codec/); the rest is pure.
import * as t from 'io-ts'
import { type Either, left, right, isLeft } from 'fp-ts/lib/Either.js'
import { readText } from './io.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, emptyMemory, poke } from '../memory/memory.ts'
import { defaultMemoryMap } from '../memory/memory-map.ts'
import { type ArmFault, showFault } from '../arch/armv7/faults.ts'
import { describeShortAttributes } from '../arch/armv7/short-descriptor.ts'
import { physicalDescriptors, translateArm } from '../arch/armv7/translate.ts'
import { type ArmAccess, type Pl, type Rights, type VmsaRegs, currentAsid, rights, showPermissions, showRights, usesLongDescriptors, vmsaRegs } from '../arch/armv7/vmsa.ts'
import type { ArmLeaf, WalkStep } from '../arch/armv7/walk.ts'
import { type ArmGrant, type ArmShadowAccess, type Tlbi, armNestedWalk, armShadowFormat, tlbiScope } from '../hypervisor/shadow/armv7.ts'
import { type AccessPath, type ShadowState, shadowAccess, shadowFence, shadowInit, shadowSetRegs, shadowTableBytes } from '../hypervisor/shadow/shadow.ts'
import { type VmmBlock, type VmmMap, vmmBlockAt, vmmMapProblem } from '../hypervisor/shadow/vmm-map.ts'
import {
  type FieldError, Bool, Hex64, Text, bounded, decodeValue, exact, fieldError, formatError, hexBits, intRange, list, oneOf, parseJson, showValue,
} from '../codec/index.ts'

// ---- the scenario ------------------------------------------------------------------------------------

export type ArmEvent =
  | { readonly kind: 'access'; readonly va: bigint; readonly access: ArmAccess; readonly pl: Pl; readonly value: bigint | undefined; readonly note: string | undefined }
  | { readonly kind: 'tlbi'; readonly op: 'all' | 'asid' | 'mva' | 'mvaa'; readonly va: bigint; readonly asid: number | undefined }
  | { readonly kind: 'registers'; readonly regs: VmsaRegs }

export interface ArmScenario {
  readonly description: string | undefined
  readonly regs: VmsaRegs
  /** Physical memory (host-physical when there is a VMM map: the scenario's words are guest-physical and placed through it). */
  readonly memory: PhysMemory
  readonly vmm: VmmMap | undefined
  readonly maxRoots: number
  readonly pool: bigint
  readonly events: readonly ArmEvent[]
}

// ---- codecs (from the codec kit, src/codec/) ---------------------------------------------------------

const RightsText = new t.Type<string, string, unknown>('rights like "rwx" or "r--"',
  (u): u is string => typeof u === 'string' && /^[r-][w-][x-]$/.test(u),
  (u, c) => (typeof u === 'string' && /^[r-][w-][x-]$/.test(u) ? t.success(u) : t.failure(u, c, `expected rights like "rwx" or "r--", got ${showValue(u)}`)),
  t.identity)

/** ARMv7's 32-bit values (virtual addresses; TTBCR, DACR, CONTEXTIDR): a wider one is an error, not cut to 32 bits. */
const Hex32Big = hexBits(32)
// TTBR0/TTBR1 are 64-bit registers under LPAE (ARM ARM B4.1.154), so they keep 64 bits
const RegistersCodec = exact('VMSA registers', {}, { mmu: Bool, afe: Bool, ttbcr: Hex32Big, ttbr0: Hex64, ttbr1: Hex64, dacr: Hex32Big, contextidr: Hex32Big })
const WordCodec = exact('a memory word', { addr: Hex64, value: Hex64 }, { size: oneOf([4, 8] as const) })
const BlockCodec = exact('a VMM block', { gpa: Hex64, hpa: Hex64, bits: bounded(intRange(12, 40)), rights: RightsText })
const EventCodec = exact('an event', {}, {
  va: Hex32Big, access: oneOf(['read', 'write', 'fetch'] as const), pl: oneOf([0, 1] as const), value: Hex32Big, note: Text,
  tlbi: oneOf(['all', 'asid', 'mva', 'mvaa'] as const), asid: bounded(intRange(0, 255)), registers: RegistersCodec,
})
/** The schema of an ARMv7 scenario (notes/shadow-readme.md, "memvirt translate --arch armv7"). */
export const ArmScenarioCodec = exact('an ARMv7 scenario', { registers: RegistersCodec, events: list(EventCodec, { min: 1 }) }, {
  arch: oneOf(['armv7'] as const), description: Text, memory: list(WordCodec), vmm: list(BlockCodec, { min: 1 }),
  shadow: exact('shadow options', {}, { maxRoots: bounded(intRange(1, 64)), pool: Hex64 }),
})

type RegsJson = t.TypeOf<typeof RegistersCodec>
const u32 = (x: bigint | undefined, d: number): number => (x === undefined ? d : Number(x & 0xffff_ffffn))
const regsOf = (r: RegsJson, base: VmsaRegs): VmsaRegs => ({
  mmu: r.mmu ?? base.mmu, afe: r.afe ?? base.afe, ttbcr: u32(r.ttbcr, base.ttbcr), ttbr0: r.ttbr0 ?? base.ttbr0, ttbr1: r.ttbr1 ?? base.ttbr1,
  dacr: u32(r.dacr, base.dacr), contextidr: u32(r.contextidr, base.contextidr),
})

const fail = (path: string, message: string): Either<FieldError, never> => left(fieldError(path, message))

/** Decodes a parsed scenario, or the first problem with its field's path. */
export const decodeArmScenario = (u: unknown): Either<FieldError, ArmScenario> => {
  const r = decodeValue(ArmScenarioCodec, u)
  if (isLeft(r)) return r
  const j = r.right
  const vmm: VmmMap | undefined = j.vmm?.map((b) => ({ gpa: b.gpa, hpa: b.hpa, bits: b.bits, rights: rights(b.rights[0] === 'r', b.rights[1] === 'w', b.rights[2] === 'x') }))
  if (vmm !== undefined) {
    const problem = vmmMapProblem(vmm)
    if (problem !== undefined) return fail('vmm', problem)
  }
  let memory = emptyMemory(defaultMemoryMap)
  for (const [i, w] of (j.memory ?? []).entries()) {
    let addr = w.addr
    if (vmm !== undefined) {
      const b = vmmBlockAt(vmm, addr)
      if (b === undefined) return fail(`memory[${i}].addr`, `guest-physical ${showValue(`0x${addr.toString(16)}`)} is not in the VMM's map`)
      addr = b.hpa + (addr - b.gpa)
    }
    const size = w.size ?? 4
    if (w.value >> BigInt(8 * size) !== 0n) return fail(`memory[${i}].value`, `0x${w.value.toString(16)} does not fit in ${size} bytes (size ${size})`)
    memory = poke(memory, phys(addr), size, w.value)
  }
  let regs = regsOf(j.registers, vmsaRegs())
  const events: ArmEvent[] = []
  for (const [i, e] of j.events.entries()) {
    const at = `events[${i}]`
    const kinds = [e.access !== undefined, e.tlbi !== undefined, e.registers !== undefined].filter(Boolean).length
    if (kinds !== 1) return fail(at, 'expected exactly one of access (with va), tlbi, registers')
    if (e.registers !== undefined) {
      const next = regsOf(e.registers, regs)
      if (vmm !== undefined && usesLongDescriptors(next) !== usesLongDescriptors(regs)) {
        return fail(`${at}.registers.ttbcr`, 'a change of TTBCR.EAE under a VMM map is not modelled (the shadow format is chosen once)')
      }
      regs = next
      events.push({ kind: 'registers', regs })
      continue
    }
    if (e.tlbi !== undefined) {
      if ((e.tlbi === 'mva' || e.tlbi === 'mvaa') && e.va === undefined) return fail(`${at}.va`, `missing (TLBI${e.tlbi.toUpperCase()} names an address)`)
      events.push({ kind: 'tlbi', op: e.tlbi, va: e.va ?? 0n, asid: e.asid })
      continue
    }
    if (e.va === undefined) return fail(`${at}.va`, `missing (expected ${Hex32Big.name})`)
    if (e.access === 'write' && e.value === undefined && vmm !== undefined) return fail(`${at}.value`, 'missing (a write through the shadow stores a value)')
    events.push({ kind: 'access', va: e.va, access: e.access!, pl: e.pl ?? 1, value: e.value, note: e.note })
  }
  return right({
    description: j.description, regs: regsOf(j.registers, vmsaRegs()), memory, vmm,
    maxRoots: j.shadow?.maxRoots ?? 4, pool: j.shadow?.pool ?? 0x8000_0000n, events,
  })
}

/** Parses and decodes scenario text; errors name `file`. */
export const parseArmScenario = (text: string, file: string): Either<string, ArmScenario> => {
  const json = parseJson(text)
  if (isLeft(json)) return left(formatError(file, json.left))
  const s = decodeArmScenario(json.right)
  return isLeft(s) ? left(formatError(file, s.left)) : s
}

// ---- the explanation ---------------------------------------------------------------------------------

const h32 = (x: bigint): string => '0x' + x.toString(16).padStart(8, '0')
const hAddr = (x: bigint): string => '0x' + x.toString(16).padStart(x > 0xffff_ffffn ? 10 : 8, '0')
const SIZE_NAMES: Record<number, string> = { 12: '4 KiB', 16: '64 KiB', 20: '1 MiB', 21: '2 MiB', 24: '16 MiB', 30: '1 GiB', 32: '4 GiB' }
const sizeName = (bits: number): string => SIZE_NAMES[bits] ?? `2^${bits} bytes`

const describeRegs = (r: VmsaRegs): string => {
  if (!r.mmu) return 'ARMv7 VMSA, PL1&0 stage 1: SCTLR.M = 0 (MMU off)'
  if (usesLongDescriptors(r)) {
    return `ARMv7 VMSA, PL1&0 stage 1, long-descriptor format (TTBCR.EAE = 1): TTBCR ${h32(BigInt(r.ttbcr))} (T0SZ = ${r.ttbcr & 7}, T1SZ = ${(r.ttbcr >>> 16) & 7}), ` +
      `TTBR0 0x${r.ttbr0.toString(16).padStart(16, '0')}, TTBR1 0x${r.ttbr1.toString(16).padStart(16, '0')}, ASID ${currentAsid(r)}`
  }
  return `ARMv7 VMSA, PL1&0 stage 1, short-descriptor format: TTBCR ${h32(BigInt(r.ttbcr))} (N = ${r.ttbcr & 7}), TTBR0 ${h32(r.ttbr0 & 0xffff_ffffn)}, ` +
    `TTBR1 ${h32(r.ttbr1 & 0xffff_ffffn)}, DACR ${h32(BigInt(r.dacr >>> 0))}, SCTLR.AFE ${r.afe ? 1 : 0}, ASID ${currentAsid(r)}`
}

const describeLeaf = (l: ArmLeaf): string => {
  if (l.kind === 'flat') return 'MMU off: flat map'
  const attrs = l.attributes?.format === 'short' ? describeShortAttributes(l.attributes)
    : l.attributes?.format === 'long' ? `AttrIndx ${l.attributes.attrIndx} (MAIR), SH 0b${l.attributes.sh.toString(2).padStart(2, '0')}` : ''
  return `${l.kind} (${sizeName(l.pageBits)})${l.domain === undefined ? '' : `, domain ${l.domain}`}, ${showPermissions(l.permissions)}, ${attrs}, ${l.global ? 'global' : 'not global (nG)'}`
}

const stepLine = (s: WalkStep, hpa: bigint | undefined, long: boolean): string => {
  const d = long ? '0x' + s.descriptor.toString(16).padStart(16, '0') : h32(s.descriptor)
  const where = hpa === undefined ? hAddr(s.addr) : `GPA ${hAddr(s.addr)} (HPA ${hAddr(hpa)})`
  return `  level ${s.level}  ${d} at ${where}: ${s.decision}`
}

const faultLine = (f: ArmFault): string => `  → ${showFault(f)}`

const access = (e: Extract<ArmEvent, { kind: 'access' }>): ArmShadowAccess => ({ kind: e.access, pl: e.pl })

const shadowRights = (g: ArmGrant, writable: boolean): string => {
  const w = (r: Rights): Rights => (writable ? r : { ...r, write: false })
  return `PL1 ${showRights(w(g.permissions.pl1))} PL0 ${showRights(w(g.permissions.pl0))}`
}

const shadowEntries = (s: ShadowState<VmsaRegs, ArmShadowAccess, ArmGrant>): string[] =>
  s.entries.map((e) => {
    const last = e.vaBase + (1n << BigInt(e.leaf.pageBits)) - 1n
    const d = e.slots[0]!
    return `  [${e.tag}] VA ${h32(e.vaBase)}..${h32(last)} → HPA ${hAddr(e.leaf.hpaBase)} (${sizeName(e.leaf.pageBits)}), ${shadowRights(e.leaf.grant, e.leaf.writable)}` +
      `${e.leaf.writable || !e.leaf.grant.permissions.pl1.write ? '' : ' (write withheld: write-protect)'}; ` +
      `${e.slots.length > 1 ? `${e.slots.length} descriptors from` : 'descriptor at'} ${hAddr(d)}; built from guest descriptor${e.deps.length > 1 ? 's' : ''} at HPA ${e.deps.map(hAddr).join(', ')}`
  })

const TLBI_NAMES = { all: 'TLBIALL', asid: 'TLBIASID', mva: 'TLBIMVA', mvaa: 'TLBIMVAA' } as const

/** What happened at one event of a scenario: the material both renderings (text, JSON lines) are made of. */
export type ArmRecord =
  | { readonly kind: 'registers'; readonly regs: VmsaRegs; readonly shadow: { readonly root: string; readonly kept: number } | undefined }
  | { readonly kind: 'tlbi'; readonly op: Tlbi; readonly va: bigint; readonly asid: number; readonly shadow: { readonly dropped: number; readonly kept: number } | undefined }
  | {
    readonly kind: 'access'; readonly index: number; readonly event: Extract<ArmEvent, { kind: 'access' }>; readonly long: boolean
    readonly trail: readonly WalkStep[]
    /** Each descriptor's host-physical address (with a VMM), else undefined. */
    readonly hpas: readonly bigint[] | undefined
    readonly outcome:
      | { readonly fault: ArmFault }
      | { readonly pa: bigint; readonly leaf: ArmLeaf }
      | { readonly gpa: bigint; readonly hpa: bigint; readonly leaf: ArmLeaf; readonly block: VmmBlock }
    readonly shadow: { readonly path: AccessPath; readonly hpa: bigint | undefined } | undefined
  }

export interface ArmRun {
  readonly records: readonly ArmRecord[]
  /** The VMM's shadow state at the end (when the scenario has a VMM map). */
  readonly shadow: ShadowState<VmsaRegs, ArmShadowAccess, ArmGrant> | undefined
}

/** Runs a scenario's events in order: plain walks, or (with a VMM map) the composed walk and the shadow. */
export const runArmScenario = (sc: ArmScenario): ArmRun => {
  const records: ArmRecord[] = []
  let regs = sc.regs
  const vmm = sc.vmm
  const format = vmm === undefined ? undefined : armShadowFormat(vmm, usesLongDescriptors(regs))
  let memory = sc.memory
  let shadow = format === undefined ? undefined : shadowInit(format, memory, regs, { maxRoots: sc.maxRoots, poolBase: sc.pool, poolBytes: 0x100_0000n })
  let n = 0
  for (const e of sc.events) {
    if (e.kind === 'registers') {
      regs = e.regs
      if (format !== undefined && shadow !== undefined) shadow = shadowSetRegs(format, shadow, regs)
      records.push({ kind: 'registers', regs, shadow: shadow === undefined ? undefined : { root: shadow.roots[0]!.tag, kept: shadow.entries.length } })
      continue
    }
    if (e.kind === 'tlbi') {
      const op = TLBI_NAMES[e.op]
      const asid = e.asid ?? currentAsid(regs)
      let fence: { dropped: number; kept: number } | undefined
      if (format !== undefined && shadow !== undefined) {
        const before = shadow.entries.length
        shadow = shadowFence(format, shadow, tlbiScope(format, regs, op, e.va, asid))
        fence = { dropped: before - shadow.entries.length, kept: shadow.entries.length }
      }
      records.push({ kind: 'tlbi', op, va: e.va, asid, shadow: fence })
      continue
    }
    n++
    const long = usesLongDescriptors(regs)
    if (vmm === undefined || format === undefined || shadow === undefined) {
      const w = translateArm(regs, physicalDescriptors(memory), e.va, e.access, e.pl)
      if (!isLeft(w.result) && e.access === 'write' && e.value !== undefined) memory = poke(memory, phys(w.result.right.pa), 4, e.value)
      records.push({ kind: 'access', index: n, event: e, long, trail: w.trail, hpas: undefined, outcome: isLeft(w.result) ? { fault: w.result.left } : w.result.right, shadow: undefined })
      continue
    }
    // With a VMM: the guest's walk through the VMM's map (what two-stage hardware would do), then the shadow.
    const nw = armNestedWalk(vmm, shadow.host, regs, e.va, access(e))
    const r = shadowAccess(format, shadow, e.va, access(e), e.value === undefined ? undefined : { size: 4, value: e.value })
    shadow = r.state
    records.push({
      kind: 'access', index: n, event: e, long, trail: nw.walk.trail, hpas: nw.descriptorHpas,
      outcome: isLeft(nw.result) ? { fault: nw.result.left } : nw.result.right,
      shadow: { path: r.path, hpa: isLeft(r.outcome) ? undefined : r.outcome.right.hpa },
    })
  }
  return { records, shadow }
}

const SHADOW_PATHS: Record<AccessPath, string> = {
  hit: 'hit (the hardware finished the access in the shadow table)',
  fill: 'miss → exit; the VMM walked the guest table and filled a shadow leaf',
  'write-protect trap': 'store to a write-protected guest table page → exit; the VMM performed it and dropped the shadow leaves built from it',
  'guest fault': 'miss → exit; the composed walk faults, so the VMM delivers the guest its fault',
  emulated: 'miss → exit; no shadow leaf can allow this access, the VMM performed it',
}

const recordText = (r: ArmRecord): string[] => {
  switch (r.kind) {
    case 'registers':
      return [`registers: ${describeRegs(r.regs)}`, ...(r.shadow === undefined ? [] : [`  shadow: current root ${r.shadow.root}; ${r.shadow.kept} leaves kept`])]
    case 'tlbi':
      return [`${r.op}${r.op === 'TLBIMVA' || r.op === 'TLBIMVAA' ? ` ${h32(r.va)}` : ''}${r.op === 'TLBIASID' || r.op === 'TLBIMVA' ? ` (ASID ${r.asid})` : ''}`,
        ...(r.shadow === undefined ? [] : [`  shadow: ${r.shadow.dropped} leaf(s) dropped, ${r.shadow.kept} kept`])]
    case 'access': {
      const e = r.event
      const out = [`access ${r.index}: PL${e.pl} ${e.access} of VA ${h32(e.va)}${e.access === 'write' && e.value !== undefined ? ` (value ${h32(e.value)})` : ''}${e.note === undefined ? '' : ` — ${e.note}`}`]
      out.push(...r.trail.map((s, i) => stepLine(s, r.hpas?.[i], r.long)))
      const o = r.outcome
      if ('fault' in o) out.push(faultLine(o.fault))
      else if ('gpa' in o) {
        out.push(`  → GPA ${hAddr(o.gpa)}: ${describeLeaf(o.leaf)}`)
        out.push(`  → HPA ${hAddr(o.hpa)}: VMM block GPA ${hAddr(o.block.gpa)} (${sizeName(o.block.bits)}, ${showRights(o.block.rights)})`)
      } else out.push(`  → PA ${hAddr(o.pa)}: ${describeLeaf(o.leaf)}`)
      if (r.shadow !== undefined) out.push(`  shadow: ${SHADOW_PATHS[r.shadow.path]}${r.shadow.hpa === undefined ? '' : ` → HPA ${hAddr(r.shadow.hpa)}`}`)
      return out
    }
  }
}

/** The whole text output for a scenario. */
export const renderArmScenario = (sc: ArmScenario): string => {
  const out: string[] = []
  if (sc.description !== undefined) out.push(sc.description, '')
  out.push(describeRegs(sc.regs))
  if (sc.vmm !== undefined) {
    out.push(`VMM guest-physical map: ${sc.vmm.map((b) => `GPA ${hAddr(b.gpa)} → HPA ${hAddr(b.hpa)} (${sizeName(b.bits)}, ${showRights(b.rights)})`).join('; ')}`)
    out.push(`Shadow tables: ${armShadowFormat(sc.vmm, usesLongDescriptors(sc.regs)).name}, at most ${sc.maxRoots} root${sc.maxRoots === 1 ? '' : 's'}, pool at HPA ${hAddr(sc.pool)}`)
  }
  const run = runArmScenario(sc)
  for (const r of run.records) out.push('', ...recordText(r))
  const shadow = run.shadow
  if (shadow !== undefined) {
    const c = shadow.counters
    out.push('', `shadow leaves (${shadow.entries.length}):`, ...shadowEntries(shadow))
    out.push('', `counters: ${c.hits} hits, ${c.exits} exits (${c.fills} fills, ${c.writeProtectTraps} write-protect traps, ${c.guestFaults} guest faults, ${c.emulated} emulated), ` +
      `${c.fenceSyncs} fence syncs, ${c.regimeSyncs} register syncs, ${c.rootEvictions} root evictions; memory references: ${c.nestedRefs} by the VMM's walks ` +
      `(${c.exits === 0 ? '0' : (c.nestedRefs / c.exits).toFixed(2)} per exit), ` +
      `${c.shadowRefs} by the hardware's shadow walks; shadow table memory ${shadowTableBytes(shadow)} bytes`)
  }
  return out.join('\n') + '\n'
}

const hexJson = (x: bigint): string => '0x' + x.toString(16)
const faultJson = (f: ArmFault) => ({
  kind: f._tag, format: f.format, level: f.level, fsr: `0x${f.fsr.toString(16)}`, far: hexJson(f.far),
  ...(f.domain === undefined ? {} : { domain: f.domain }), reason: f.reason,
})
const leafJson = (l: ArmLeaf) => ({
  kind: l.kind, level: l.level, pageBits: l.pageBits, permissions: showPermissions(l.permissions),
  ...(l.domain === undefined ? {} : { domain: l.domain }), global: l.global,
})

/** One JSON object per event, then one with the shadow leaves and counters (when there is a VMM map). */
export const renderArmScenarioJson = (sc: ArmScenario): string => {
  const run = runArmScenario(sc)
  const lines: unknown[] = run.records.map((r) => {
    switch (r.kind) {
      case 'registers': return { event: 'registers', asid: currentAsid(r.regs), ...(r.shadow === undefined ? {} : { shadow: r.shadow }) }
      case 'tlbi': return { event: 'tlbi', op: r.op, va: hexJson(r.va), asid: r.asid, ...(r.shadow === undefined ? {} : { shadow: r.shadow }) }
      case 'access': {
        const o = r.outcome
        const outcome = 'fault' in o ? { fault: faultJson(o.fault) }
          : 'gpa' in o ? { gpa: hexJson(o.gpa), hpa: hexJson(o.hpa), leaf: leafJson(o.leaf), vmmBlock: { gpa: hexJson(o.block.gpa), bits: o.block.bits, rights: showRights(o.block.rights) } }
            : { pa: hexJson(o.pa), leaf: leafJson(o.leaf) }
        return {
          event: 'access', index: r.index, va: hexJson(r.event.va), access: r.event.access, pl: r.event.pl,
          walk: r.trail.map((s, i) => ({ level: s.level, addr: hexJson(s.addr), ...(r.hpas === undefined ? {} : { hpa: hexJson(r.hpas[i]!) }), descriptor: hexJson(s.descriptor), decision: s.decision })),
          ...outcome,
          ...(r.shadow === undefined ? {} : { shadow: { path: r.shadow.path, ...(r.shadow.hpa === undefined ? {} : { hpa: hexJson(r.shadow.hpa) }) } }),
        }
      }
    }
  })
  const s = run.shadow
  if (s !== undefined) {
    lines.push({
      event: 'summary',
      leaves: s.entries.map((e) => ({
        tag: e.tag, va: hexJson(e.vaBase), pageBits: e.leaf.pageBits, hpa: hexJson(e.leaf.hpaBase), rights: shadowRights(e.leaf.grant, e.leaf.writable),
        writable: e.leaf.writable, descriptors: e.slots.map(hexJson), builtFrom: e.deps.map(hexJson),
      })),
      counters: s.counters, tableBytes: shadowTableBytes(s),
    })
  }
  return lines.map((l) => JSON.stringify(l) + '\n').join('')
}

/** Reads, decodes and explains an ARMv7 scenario file; bad input fails with one line naming the file and field. */
export const translateArmv7File = (path: string, fail: (message: string) => never, json = false): string => {
  const text = readText(path, fail)
  const s = parseArmScenario(text, path)
  return isLeft(s) ? fail(s.left) : json ? renderArmScenarioJson(s.right) : renderArmScenario(s.right)
}
