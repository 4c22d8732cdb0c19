// Translation scenarios: the JSON input of `memvirt translate`, decoded once at the edge with io-ts
// into a memory image, a translation context and a list of accesses. Every decoding error names the
// path of the bad field (`scenario.accesses[2].va`); the schema is published in the README.
// CSR fields and their WARL legalization follow the Priv. ISA (satp, hgatp, menvcfg, henvcfg) and Spike.
import * as t from 'io-ts'
import { type Either, left, right, isLeft } from 'fp-ts/lib/Either.js'
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

/** A decoding failure: the path of the bad field and what is wrong with it. */
export interface ScenarioError {
  readonly path: string
  readonly message: string
}

export const formatScenarioError = (e: ScenarioError): string => (e.path === '' ? e.message : `${e.path}: ${e.message}`)

// ---- leaf codecs ----------------------------------------------------------------------------------

/** A short rendering of an offending JSON value for an error message. */
const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  const s = JSON.stringify(u)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

const got = (u: unknown): string =>
  typeof u === 'number' ? `the number ${show(u)} (64-bit values are written as hex strings)` : show(u)

const HEX = /^0x[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/

/**
 * A 64-bit value written as a hex string: `0x` then hex digits, `_` allowed between digits
 * ("0x8000_1000"). JSON numbers and decimal strings are refused: a JSON number above 2^53 silently
 * loses bits, and an address is easier to check in hex.
 */
export const Hex64 = new t.Type<bigint, string, unknown>(
  'a hex string like 0x8000_1000',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) => {
    if (typeof u !== 'string' || !HEX.test(u)) return t.failure(u, c, `expected a hex string like 0x8000_1000, got ${got(u)}`)
    const v = BigInt(u.replaceAll('_', ''))
    return v >> 64n === 0n ? t.success(v) : t.failure(u, c, `${u} does not fit in 64 bits`)
  },
  (v) => hex(v),
)

const oneOf = <A extends string>(values: readonly A[]) => new t.Type<A, A, unknown>(
  `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  (u): u is A => typeof u === 'string' && (values as readonly string[]).includes(u),
  (u, c) => typeof u === 'string' && (values as readonly string[]).includes(u)
    ? t.success(u as A)
    : t.failure(u, c, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(u)}`),
  t.identity,
)

const Bool = new t.Type<boolean, boolean, unknown>(
  'true or false', (u): u is boolean => typeof u === 'boolean',
  (u, c) => (typeof u === 'boolean' ? t.success(u) : t.failure(u, c, `expected true or false, got ${show(u)}`)), t.identity,
)

const Text = new t.Type<string, string, unknown>(
  'a string', (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' ? t.success(u) : t.failure(u, c, `expected a string, got ${show(u)}`)), t.identity,
)

const Size = new t.Type<AccessSize, AccessSize, unknown>(
  'a size of 1, 2, 4 or 8 bytes', (u): u is AccessSize => u === 1 || u === 2 || u === 4 || u === 8,
  (u, c) => (u === 1 || u === 2 || u === 4 || u === 8 ? t.success(u) : t.failure(u, c, `expected a size of 1, 2, 4 or 8 bytes, got ${show(u)}`)),
  t.identity,
)

// ---- structural codecs: objects with known fields, lists --------------------------------------------

type Required<P extends t.Props> = { readonly [K in keyof P]: t.TypeOf<P[K]> }
type Optional<P extends t.Props> = { readonly [K in keyof P]?: t.TypeOf<P[K]> }

/**
 * An object with required and optional fields. Unknown fields are errors (a misspelt "vstap" would
 * otherwise be silently ignored); a missing required field is reported at its own path.
 */
const struct = <R extends t.Props, O extends t.Props>(required: R, optional: O) => {
  const known = [...Object.keys(required), ...Object.keys(optional)]
  return new t.Type<Required<R> & Optional<O>, unknown, unknown>(
    `an object with ${known.join(', ')}`,
    (u): u is Required<R> & Optional<O> => typeof u === 'object' && u !== null,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected an object, got ${show(u)}`)
      const o = u as Record<string, unknown>
      for (const k of Object.keys(o)) {
        if (!known.includes(k)) return t.failure(o[k], t.appendContext(c, k, t.unknown, o[k]), `unknown field (expected one of ${known.join(', ')})`)
      }
      const out: Record<string, unknown> = {}
      for (const [k, codec] of Object.entries(required)) {
        if (!(k in o)) return t.failure(undefined, t.appendContext(c, k, codec, undefined), `missing (expected ${codec.name})`)
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]))
        if (isLeft(r)) return r
        out[k] = r.right
      }
      for (const [k, codec] of Object.entries(optional)) {
        if (!(k in o)) continue
        const r = codec.validate(o[k], t.appendContext(c, k, codec, o[k]))
        if (isLeft(r)) return r
        out[k] = r.right
      }
      return t.success(out as Required<R> & Optional<O>)
    },
    t.identity,
  )
}

const list = <C extends t.Mixed>(item: C, minLength = 0) => new t.Type<readonly t.TypeOf<C>[], unknown, unknown>(
  `a list of ${item.name}`,
  (u): u is readonly t.TypeOf<C>[] => Array.isArray(u),
  (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, `expected a list, got ${show(u)}`)
    if (u.length < minLength) return t.failure(u, c, `expected at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}, got an empty list`)
    const out: t.TypeOf<C>[] = []
    for (let i = 0; i < u.length; i++) {
      const r = item.validate(u[i], t.appendContext(c, String(i), item, u[i]))
      if (isLeft(r)) return r
      out.push(r.right)
    }
    return t.success(out)
  },
  t.identity,
)

/**
 * A register given either raw (a hex string) or as named bits ({"SUM": true}); the named bits are
 * what translation reads, the rest of a raw value is ignored.
 */
const bitsOrRaw = <K extends string>(fields: Readonly<Record<K, number>>) => {
  const named = struct({}, Object.fromEntries(Object.keys(fields).map((k) => [k, Bool])) as Record<K, typeof Bool>)
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
      return t.failure(u, c, `expected a hex string or an object like ${example}, got ${got(u)}`)
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
    if (typeof u !== 'string') return t.failure(u, c, `expected PTE flags as letters like "VRW---AD", got ${show(u)}`)
    let v = 0n
    for (const ch of u) {
      if (ch === '-') continue
      const i = FLAG_LETTERS.indexOf(ch)
      if (i < 0) return t.failure(u, c, `expected PTE flags as letters from VRWXUGAD (or '-'), got ${show(u)}`)
      if ((v >> BigInt(i)) & 1n) return t.failure(u, c, `flag ${ch} appears twice in ${show(u)}`)
      v |= 1n << BigInt(i)
    }
    return t.success(v)
  },
  (v) => String(v),
)

const PBMT_CODES = { PMA: 0n, NC: 1n, IO: 2n, reserved: 3n } as const

// ---- the scenario schema --------------------------------------------------------------------------

const RegionCodec = struct({ name: Text, base: Hex64, size: Hex64, kind: oneOf(['ram', 'mmio'] as const) }, {})
const WordCodec = struct({ addr: Hex64, value: Hex64 }, { size: Size })
const PteCodec = struct({ addr: Hex64, flags: Flags }, { pa: Hex64, ppn: Hex64, pbmt: oneOf(['PMA', 'NC', 'IO', 'reserved'] as const), napot: Bool })
const PrivilegeCodec = oneOf(['U', 'S', 'M'] as const)
const AccessCodec = struct({ va: Hex64, access: oneOf(['fetch', 'load', 'store'] as const) }, { hlvx: Bool, privilege: PrivilegeCodec, V: Bool, note: Text })
const CsrsCodec = struct({}, { satp: Hex64, vsatp: Hex64, hgatp: Hex64, mstatus: Status, vsstatus: Status, menvcfg: Envcfg, henvcfg: Envcfg })

/** The scenario file's schema (io-ts). Published in the README; `decodeScenario` adds the semantic checks. */
export const ScenarioCodec = struct({
  privilege: PrivilegeCodec,
  accesses: list(AccessCodec, 1),
}, {
  description: Text,
  extensions: list(oneOf(['Svnapot', 'Svpbmt', 'Svadu'] as const)),
  memoryMap: list(RegionCodec, 1),
  memory: list(WordCodec),
  ptes: list(PteCodec),
  csrs: CsrsCodec,
  V: Bool,
})
export type ScenarioJson = t.TypeOf<typeof ScenarioCodec>

/** Turns an io-ts context into the path users see: scenario.accesses[2].va */
const pathOf = (c: t.Context): string =>
  c.slice(1).reduce((p, e) => (/^\d+$/.test(e.key) ? `${p}[${e.key}]` : `${p}.${e.key}`), 'scenario')

// ---- from JSON to a scenario ------------------------------------------------------------------------

const fail = (path: string, message: string): Either<ScenarioError, never> => left({ path, message })

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

const buildMap = (regions: ScenarioJson['memoryMap']): Either<ScenarioError, MemoryMap> => {
  if (regions === undefined) return right(defaultMemoryMap)
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!
    if (r.size === 0n) return fail(`scenario.memoryMap[${i}].size`, 'a region must not be empty')
    if (r.base + r.size > 1n << 64n) return fail(`scenario.memoryMap[${i}].size`, 'the region runs past the end of the 64-bit address space')
  }
  const m = memoryMap(regions.map((r): MemoryRegion => ({ name: r.name, base: r.base, size: r.size, kind: r.kind })))
  return typeof m === 'string' ? fail('scenario.memoryMap', m) : right(m)
}

/** Writes the scenario's words and PTEs; every byte must be RAM and written at most once. */
const buildMemory = (map: MemoryMap, json: ScenarioJson): Either<ScenarioError, PhysMemory> => {
  let mem = emptyMemory(map)
  const written = new Map<bigint, string>()
  const put = (path: string, addr: bigint, size: AccessSize, value: bigint): Either<ScenarioError, void> => {
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
    if (w.value >> BigInt(8 * size) !== 0n) return fail(`scenario.memory[${i}].value`, `${hex(w.value)} does not fit in ${size} byte${size === 1 ? '' : 's'}`)
    const r = put(`scenario.memory[${i}]`, w.addr, size, w.value)
    if (isLeft(r)) return r
  }
  const ptes = json.ptes ?? []
  for (let i = 0; i < ptes.length; i++) {
    const p = ptes[i]!
    const path = `scenario.ptes[${i}]`
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
const toScenario = (json: ScenarioJson): Either<ScenarioError, Scenario> => {
  const csrs = json.csrs ?? {}
  const satp = csrs.satp ?? 0n
  const vsatp = csrs.vsatp ?? 0n
  const hgatp = csrs.hgatp ?? 0n
  // A CSR write with an unsupported MODE has no effect, so such a value can never be held: refuse it.
  if (decodeSatp(satp) === undefined) return fail('scenario.csrs.satp', `unsupported MODE ${modeOf(satp)} in ${hex(satp)}; ${SATP_MODES}`)
  if (decodeSatp(vsatp) === undefined) return fail('scenario.csrs.vsatp', `unsupported MODE ${modeOf(vsatp)} in ${hex(vsatp)}; ${SATP_MODES}`)
  if (decodeHgatp(hgatp) === undefined) return fail('scenario.csrs.hgatp', `unsupported MODE ${modeOf(hgatp)} in ${hex(hgatp)}; ${HGATP_MODES}`)
  const exts = json.extensions ?? []
  const env = legalizeEnvcfg(csrs.menvcfg ?? 0n, csrs.henvcfg ?? 0n, exts)
  // hgatp.PPN[1:0] are WARL 0: the x4 root table is 16 KiB aligned (Spike masks them on write).
  const notes = (hgatp & 3n) === 0n ? env.notes : [...env.notes, `hgatp.PPN[1:0]=${hgatp & 3n} reads as 0: the G-stage root table is 16 KiB aligned`]
  const virt = json.V ?? false
  if (virt && json.privilege === 'M') return fail('scenario.V', 'V=1 needs privilege U or S (VU- or VS-mode); M-mode always runs with V=0')
  const accesses: ScenarioAccess[] = []
  for (let i = 0; i < json.accesses.length; i++) {
    const a = json.accesses[i]!
    const priv = a.privilege ?? json.privilege
    const v = a.V ?? virt
    const path = `scenario.accesses[${i}]`
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
export const decodeScenario = (u: unknown): Either<ScenarioError, Scenario> => {
  const r = ScenarioCodec.validate(u, [{ key: '', type: ScenarioCodec, actual: u }])
  if (isLeft(r)) {
    const e = r.left[0]!
    return fail(pathOf(e.context), e.message ?? `invalid value ${show(e.value)}`)
  }
  return toScenario(r.right)
}

// ---- JSON syntax errors with a position ----------------------------------------------------------------

/**
 * Locates the first JSON syntax error in `text` (Node 20's JSON.parse does not always say where).
 * Returns the character offset and what was expected there, or undefined when the text is valid JSON.
 */
export const jsonSyntaxError = (text: string): { offset: number; expected: string } | undefined => {
  let i = 0
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++ }
  const err = (expected: string): { offset: number; expected: string } => ({ offset: i, expected })
  type E = { offset: number; expected: string } | undefined
  const str = (): E => {
    i++                                        // the opening quote
    while (i < text.length) {
      const ch = text[i]!
      if (ch === '"') { i++; return undefined }
      if (ch === '\\') {
        const esc = text[i + 1]
        if (esc === 'u') { if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i++; return err('4 hex digits after \\u') } i += 6; continue }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) { i++; return err('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)') }
        i += 2; continue
      }
      if (ch < ' ') return err('no control character inside a string (end the string with ")')
      i++
    }
    return err('a closing " before the end of the input')
  }
  const value = (): E => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++; ws()
      if (text[i] === '}') { i++; return undefined }
      for (;;) {
        ws()
        if (text[i] !== '"') return err('a field name in double quotes')
        const e = str(); if (e) return e
        ws()
        if (text[i] !== ':') return err("':' after the field name")
        i++
        const v = value(); if (v) return v
        ws()
        if (text[i] === ',') { i++; continue }
        if (text[i] === '}') { i++; return undefined }
        return err("',' or '}' after a field value")
      }
    }
    if (ch === '[') {
      i++; ws()
      if (text[i] === ']') { i++; return undefined }
      for (;;) {
        const v = value(); if (v) return v
        ws()
        if (text[i] === ',') { i++; continue }
        if (text[i] === ']') { i++; return undefined }
        return err("',' or ']' after a list entry")
      }
    }
    if (ch === '"') return str()
    const lit = /^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(text.slice(i, i + 400))
    if (lit !== null) { i += lit[0].length; return undefined }
    return err(i >= text.length ? 'a value before the end of the input' : 'a value (object, list, string, number, true, false or null)')
  }
  const e = value()
  if (e) return e
  ws()
  return i < text.length ? err('the end of the input after the JSON value') : undefined
}

/** Line and column (both from 1) of a character offset. */
export const lineColumn = (text: string, offset: number): { line: number; column: number } => {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

/** Parses and decodes scenario text. `name` is how the input is named in a syntax error (the file). */
export const parseScenario = (text: string, name: string): Either<ScenarioError, Scenario> => {
  const syntax = jsonSyntaxError(text)
  if (syntax !== undefined) {
    const { line, column } = lineColumn(text, syntax.offset)
    return fail('', `${name}: malformed JSON at line ${line}, column ${column} (offset ${syntax.offset}): expected ${syntax.expected}`)
  }
  return decodeScenario(JSON.parse(text) as unknown)
}
