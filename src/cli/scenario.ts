// Translation scenarios: the JSON input of `memvirt translate`, decoded once at the edge with io-ts
// (the codec kit, src/codec/) into a memory image, a translation context and a list of accesses. Every
// error names the line and column of bad JSON or the path of a bad field (`accesses[2].va`).
// CSR fields and their WARL legalization follow the Priv. ISA (satp, hgatp, menvcfg, henvcfg) and Spike.
import * as t from 'io-ts'
import { type Either, left, right, isLeft } from '../bits/either.ts'
import { type DecodeError, type FieldError, decodeValue, exact, fieldError, Hex64, list, oneOf, Bool, Text, parseJson, showValue } from '../codec/index.ts'
import { phys } from '../bits/address.ts'
import { hex } from '../bits/bits.ts'
import { emptyMemory, poke, type AccessSize, type PhysMemory } from '../memory/memory.ts'
import { defaultMemoryMap, memoryMap, regionAt, type MemoryMap, type MemoryRegion } from '../memory/memory-map.ts'
import { decodeHgatp, decodeSatp } from '../mmu/atp.ts'
import type { AccessType } from '../mmu/faults.ts'
import { PTE_N, PTE_PPN_SHIFT, PPN_MASK } from '../mmu/pte.ts'
import type { EnvcfgBits, Privilege, StatusBits, TranslationContext } from '../mmu/translate.ts'

// ---- what a decoded scenario is -----------------------------------------------------------------

export type Extension = 'Svnapot' | 'Svpbmt' | 'Svadu'

/** One access to translate, with its effective privilege and V (the scenario's unless overridden). */
export interface ScenarioAccess {
  readonly va: bigint
  readonly access: AccessType
  readonly hlvx: boolean
  readonly priv: Privilege
  readonly virt: boolean
  readonly note: string | undefined
}

export interface Scenario {
  readonly description: string | undefined
  readonly extensions: readonly Extension[]
  /** Physical memory holding the scenario's data and PTEs, with its memory map. */
  readonly memory: PhysMemory
  /** The translation context of the hart (privilege and V are the scenario's defaults). */
  readonly ctx: TranslationContext
  /** What WARL legalization changed, one sentence each (shown in the text output). */
  readonly notes: readonly string[]
  readonly accesses: readonly ScenarioAccess[]
}

// ---- leaf codecs (the rest come from the codec kit, src/codec/) ---------------------------------------

const Size = oneOf<AccessSize>([1, 2, 4, 8])

/**
 * A register given either raw (a hex string) or as named bits ({"SUM": true}); the named bits are
 * what translation reads, the rest of a raw value is ignored.
 */
const bitsOrRaw = <K extends string>(fields: Readonly<Record<K, number>>) => {
  const named = exact('an object of named bits', {}, Object.fromEntries(Object.keys(fields).map((k) => [k, Bool])) as Record<K, typeof Bool>)
  const example = `{"${Object.keys(fields)[0]}": true}`
  return new t.Type<bigint, unknown, unknown>(
    `a hex string or an object like ${example}`, (u): u is bigint => typeof u === 'bigint',
    (u, c) => {
      if (typeof u === 'object' && u !== null && !Array.isArray(u)) {
        const r = named.validate(u, c)
        if (isLeft(r)) return r
        let v = 0n
        for (const [k, b] of Object.entries(fields) as [K, number][]) if ((r.right as Partial<Record<K, boolean>>)[k] === true) v |= 1n << BigInt(b)
        return t.success(v)
      }
      if (typeof u === 'string') return Hex64.validate(u, c)
      return t.failure(u, c, `expected a hex string or an object like ${example}, got ${showValue(u)}`)
    },
    t.identity,
  )
}

// mstatus / vsstatus: SUM is bit 18, MXR bit 19 (vsstatus has the sstatus layout: the same positions).
const STATUS_BITS = { SUM: 18, MXR: 19 } as const
// menvcfg / henvcfg: ADUE is bit 61 (Svadu), PBMTE bit 62 (Svpbmt).
const ENVCFG_BITS = { ADUE: 61, PBMTE: 62 } as const
const Status = bitsOrRaw(STATUS_BITS)
const Envcfg = bitsOrRaw(ENVCFG_BITS)

const FLAG_LETTERS = 'VRWXUGAD'
/** PTE flags as letters ("VRW---AD", or "VRWAD"): each of V R W X U G A D at most once, '-' ignored. */
const Flags = new t.Type<bigint, string, unknown>(
  'PTE flags as letters like "VRW---AD"', (u): u is bigint => typeof u === 'bigint',
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, `expected PTE flags as letters like "VRW---AD", got ${showValue(u)}`)
    let v = 0n
    for (const ch of u) {
      if (ch === '-') continue
      const i = FLAG_LETTERS.indexOf(ch)
      if (i < 0) return t.failure(u, c, `expected PTE flags as letters from VRWXUGAD (or '-'), got ${showValue(u)}`)
      if ((v >> BigInt(i)) & 1n) return t.failure(u, c, `flag ${ch} appears twice in ${showValue(u)}`)
      v |= 1n << BigInt(i)
    }
    return t.success(v)
  },
  (v) => String(v),
)

const PBMT_CODES = { PMA: 0n, NC: 1n, IO: 2n, reserved: 3n } as const

// ---- the scenario schema --------------------------------------------------------------------------

const RegionCodec = exact('a memory region', { name: Text, base: Hex64, size: Hex64, kind: oneOf(['ram', 'mmio'] as const) })
const WordCodec = exact('a memory word', { addr: Hex64, value: Hex64 }, { size: Size })
const PteCodec = exact('a PTE', { addr: Hex64, flags: Flags }, { pa: Hex64, ppn: Hex64, pbmt: oneOf(['PMA', 'NC', 'IO', 'reserved'] as const), napot: Bool })
const PrivilegeCodec = oneOf(['U', 'S', 'M'] as const)
const AccessCodec = exact('an access', { va: Hex64, access: oneOf(['fetch', 'load', 'store'] as const) }, { hlvx: Bool, privilege: PrivilegeCodec, V: Bool, note: Text })
const CsrsCodec = exact('an object of CSRs', {}, { satp: Hex64, vsatp: Hex64, hgatp: Hex64, mstatus: Status, vsstatus: Status, menvcfg: Envcfg, henvcfg: Envcfg })

/** The scenario file's schema (io-ts, from the codec kit). Published in the README; `decodeScenario` adds the semantic checks. */
export const ScenarioCodec = exact('a scenario (a JSON object)', {
  privilege: PrivilegeCodec,
  accesses: list(AccessCodec, { min: 1 }),
}, {
  description: Text,
  extensions: list(oneOf(['Svnapot', 'Svpbmt', 'Svadu'] as const)),
  memoryMap: list(RegionCodec, { min: 1 }),
  memory: list(WordCodec),
  ptes: list(PteCodec),
  csrs: CsrsCodec,
  V: Bool,
})
export type ScenarioJson = t.TypeOf<typeof ScenarioCodec>

// ---- from JSON to a scenario ------------------------------------------------------------------------

const fail = (path: string, message: string): Either<FieldError, never> => left(fieldError(path, message))

const status = (raw: bigint): StatusBits => ({ sum: ((raw >> 18n) & 1n) === 1n, mxr: ((raw >> 19n) & 1n) === 1n })
const envBits = (raw: bigint): EnvcfgBits => ({ adue: ((raw >> 61n) & 1n) === 1n, pbmte: ((raw >> 62n) & 1n) === 1n })

/**
 * WARL legalization of the envcfg registers: menvcfg.ADUE is read-only 0 without Svadu and
 * menvcfg.PBMTE without Svpbmt; henvcfg.ADUE and henvcfg.PBMTE are read-only 0 while the (legalized)
 * menvcfg bit is 0 (Priv. ISA, menvcfg: norm:menvcfg_adue_henvcfg_adue_rdonly0 and
 * norm:menvcfg_pbmte_henvcfg_pbmte_rdonly0). Spike reads them the same way (riscv/csrs.h,
 * henvcfg_csr_t::read), checked by golden/translate/spike. Returns the legal bits and one note per
 * bit that was dropped.
 */
export const legalizeEnvcfg = (menvcfg: bigint, henvcfg: bigint, exts: readonly Extension[]): { menvcfg: EnvcfgBits; henvcfg: EnvcfgBits; notes: string[] } => {
  const notes: string[] = []
  const m = envBits(menvcfg)
  const h = envBits(henvcfg)
  const madue = m.adue && exts.includes('Svadu')
  const mpbmte = m.pbmte && exts.includes('Svpbmt')
  if (m.adue && !madue) notes.push('menvcfg.ADUE=1 reads as 0: Svadu is not in the extensions')
  if (m.pbmte && !mpbmte) notes.push('menvcfg.PBMTE=1 reads as 0: Svpbmt is not in the extensions')
  if (h.adue && !madue) notes.push('henvcfg.ADUE=1 reads as 0 while menvcfg.ADUE=0')
  if (h.pbmte && !mpbmte) notes.push('henvcfg.PBMTE=1 reads as 0 while menvcfg.PBMTE=0')
  return { menvcfg: { adue: madue, pbmte: mpbmte }, henvcfg: { adue: h.adue && madue, pbmte: h.pbmte && mpbmte }, notes }
}

const SATP_MODES = 'expected 0 (Bare), 8 (Sv39), 9 (Sv48) or 10 (Sv57)'
const HGATP_MODES = 'expected 0 (Bare), 8 (Sv39x4), 9 (Sv48x4) or 10 (Sv57x4)'
const modeOf = (v: bigint): bigint => v >> 60n

const buildMap = (regions: ScenarioJson['memoryMap']): Either<FieldError, MemoryMap> => {
  if (regions === undefined) return right(defaultMemoryMap)
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!
    if (r.size === 0n) return fail(`memoryMap[${i}].size`, 'a region must not be empty')
    if (r.base + r.size > 1n << 64n) return fail(`memoryMap[${i}].size`, 'the region runs past the end of the 64-bit address space')
  }
  const m = memoryMap(regions.map((r): MemoryRegion => ({ name: r.name, base: r.base, size: r.size, kind: r.kind })))
  return typeof m === 'string' ? fail('memoryMap', m) : right(m)
}

/** Writes the scenario's words and PTEs; every byte must be RAM and written at most once. */
const buildMemory = (map: MemoryMap, json: ScenarioJson): Either<FieldError, PhysMemory> => {
  let mem = emptyMemory(map)
  const written = new Map<bigint, string>()
  const put = (path: string, addr: bigint, size: AccessSize, value: bigint): Either<FieldError, void> => {
    const region = regionAt(map, phys(addr), BigInt(size))
    if (region === undefined || region.kind !== 'ram') return fail(`${path}.addr`, `${hex(addr)} (${size} bytes) is not inside a RAM region of the memory map`)
    for (let b = 0n; b < BigInt(size); b++) {
      const before = written.get(addr + b)
      if (before !== undefined) return fail(`${path}.addr`, `byte ${hex(addr + b)} is already written by ${before}`)
      written.set(addr + b, path)
    }
    mem = poke(mem, phys(addr), size, value)
    return right(undefined)
  }
  const words = json.memory ?? []
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    const size = w.size ?? 8
    if (w.value >> BigInt(8 * size) !== 0n) return fail(`memory[${i}].value`, `${hex(w.value)} does not fit in ${size} byte${size === 1 ? '' : 's'}`)
    const r = put(`memory[${i}]`, w.addr, size, w.value)
    if (isLeft(r)) return r
  }
  const ptes = json.ptes ?? []
  for (let i = 0; i < ptes.length; i++) {
    const p = ptes[i]!
    const path = `ptes[${i}]`
    if (p.addr % 8n !== 0n) return fail(`${path}.addr`, `${hex(p.addr)} is not 8-byte aligned (PTEs are 8 bytes)`)
    if ((p.pa === undefined) === (p.ppn === undefined)) return fail(path, 'give exactly one of "pa" (a 4 KiB-aligned address) or "ppn"')
    let ppn: bigint
    if (p.pa !== undefined) {
      if (p.pa % 0x1000n !== 0n) return fail(`${path}.pa`, `${hex(p.pa)} is not 4 KiB aligned (a PTE holds a page number)`)
      ppn = p.pa >> 12n
    } else ppn = p.ppn!
    if (ppn > PPN_MASK) return fail(`${path}.${p.pa !== undefined ? 'pa' : 'ppn'}`, 'the page number does not fit in the 44-bit PPN field')
    const value = p.flags | (ppn << PTE_PPN_SHIFT) | (PBMT_CODES[p.pbmt ?? 'PMA'] << 61n) | (p.napot === true ? PTE_N : 0n)
    const r = put(path, p.addr, 8, value)
    if (isLeft(r)) return r
  }
  return right(mem)
}

/** From decoded JSON to a scenario: the semantic checks the schema alone cannot express. */
const toScenario = (json: ScenarioJson): Either<FieldError, Scenario> => {
  const csrs = json.csrs ?? {}
  const satp = csrs.satp ?? 0n
  const vsatp = csrs.vsatp ?? 0n
  const hgatp = csrs.hgatp ?? 0n
  // A CSR write with an unsupported MODE has no effect, so such a value can never be held: refuse it.
  if (decodeSatp(satp) === undefined) return fail('csrs.satp', `unsupported MODE ${modeOf(satp)} in ${hex(satp)}; ${SATP_MODES}`)
  if (decodeSatp(vsatp) === undefined) return fail('csrs.vsatp', `unsupported MODE ${modeOf(vsatp)} in ${hex(vsatp)}; ${SATP_MODES}`)
  if (decodeHgatp(hgatp) === undefined) return fail('csrs.hgatp', `unsupported MODE ${modeOf(hgatp)} in ${hex(hgatp)}; ${HGATP_MODES}`)
  const exts = json.extensions ?? []
  const env = legalizeEnvcfg(csrs.menvcfg ?? 0n, csrs.henvcfg ?? 0n, exts)
  // hgatp.PPN[1:0] are WARL 0: the x4 root table is 16 KiB aligned (Spike masks them on write).
  const notes = (hgatp & 3n) === 0n ? env.notes : [...env.notes, `hgatp.PPN[1:0]=${hgatp & 3n} reads as 0: the G-stage root table is 16 KiB aligned`]
  const virt = json.V ?? false
  if (virt && json.privilege === 'M') return fail('V', 'V=1 needs privilege U or S (VU- or VS-mode); M-mode always runs with V=0')
  const accesses: ScenarioAccess[] = []
  for (let i = 0; i < json.accesses.length; i++) {
    const a = json.accesses[i]!
    const priv = a.privilege ?? json.privilege
    const v = a.V ?? virt
    const path = `accesses[${i}]`
    if (v && priv === 'M') return fail(`${path}.${a.V !== undefined ? 'V' : 'privilege'}`, 'V=1 needs privilege U or S (VU- or VS-mode); M-mode always runs with V=0')
    const hlvx = a.hlvx ?? false
    if (hlvx && a.access !== 'load') return fail(`${path}.hlvx`, `HLVX.HU/WU is a load; access must be "load", got "${a.access}"`)
    if (hlvx && !v) return fail(`${path}.hlvx`, 'HLVX translates as a guest access: it needs V=1 (the caller resolves hstatus.SPVP into privilege)')
    accesses.push({ va: a.va, access: a.access, hlvx, priv, virt: v, note: a.note })
  }
  const map = buildMap(json.memoryMap)
  if (isLeft(map)) return map
  const memory = buildMemory(map.right, json)
  if (isLeft(memory)) return memory
  const ctx: TranslationContext = {
    priv: json.privilege, virt, satp, vsatp, hgatp,
    mstatus: status(csrs.mstatus ?? 0n), vsstatus: status(csrs.vsstatus ?? 0n),
    menvcfg: env.menvcfg, henvcfg: env.henvcfg,
    svnapot: exts.includes('Svnapot'),
  }
  return right({ description: json.description, extensions: exts, memory: memory.right, ctx, notes, accesses })
}

/** Decodes a parsed JSON value into a scenario, or the first error with the path of its field. */
export const decodeScenario = (u: unknown): Either<FieldError, Scenario> => {
  const r = decodeValue(ScenarioCodec, u)
  return isLeft(r) ? r : toScenario(r.right)
}

/**
 * Parses and decodes scenario text: a syntax error gives its line and column, a bad field its path.
 * `formatError(file, e)` (src/codec/errors.ts) is the line users see.
 */
export const parseScenario = (text: string): Either<DecodeError, Scenario> => {
  const json = parseJson(text)
  return isLeft(json) ? json : decodeScenario(json.right)
}
