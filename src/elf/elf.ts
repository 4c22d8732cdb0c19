// ELF64 loading for RISC-V executables (System V gABI "ELF Header", "Program Header", "Sections",
// "Symbol Table"; RISC-V psABI "ELF Object Files": e_machine = EM_RISCV = 243). Pure: bytes in,
// an `Elf` value or an `ElfError` naming the byte offset and field out. Like Spike's front end
// (fesvr/elfloader.cc), it loads the PT_LOAD segments and looks up `tohost` and `fromhost` in
// the symbol table.
import { type Either, left, right } from '../bits/either.ts'
import { type Option, some, none } from 'fp-ts/lib/Option.js'

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

/**
 * One PT_LOAD segment: `memsz` bytes, the first `filesz` from `data`, the rest zero. Spike's
 * loader places the bytes at `paddr` (fesvr/elfloader.cc); `vaddr` is kept for traces.
 */
export type Segment = {
  readonly vaddr: bigint
  readonly paddr: bigint
  readonly filesz: bigint
  readonly memsz: bigint
  /** p_flags: PF_X = 1, PF_W = 2, PF_R = 4. */
  readonly flags: number
  /** A copy of the segment's file image (filesz bytes). */
  readonly data: Uint8Array
}

/** A symbol table entry (Elf64_Sym). */
export type ElfSymbol = {
  readonly name: string
  readonly value: bigint
  readonly size: bigint
  /** STT_*: 0 NOTYPE, 1 OBJECT, 2 FUNC, 3 SECTION, 4 FILE. */
  readonly type: number
  /** STB_*: 0 LOCAL, 1 GLOBAL, 2 WEAK. */
  readonly bind: number
  readonly shndx: number
}

/** A loaded RISC-V ELF64 executable. */
export type Elf = {
  readonly entry: bigint
  /** e_flags (EF_RISCV_RVC = 1, float ABI in bits 2:1, EF_RISCV_RVE = 8, EF_RISCV_TSO = 16). */
  readonly flags: number
  readonly segments: readonly Segment[]
  /** Symbols by name; of entries with the same name the later one wins, as in Spike's loader (globals follow locals). */
  readonly symbols: ReadonlyMap<string, ElfSymbol>
  /** Address of the HTIF `tohost` symbol, when present. */
  readonly tohost: Option<bigint>
  /** Address of the HTIF `fromhost` symbol, when present. */
  readonly fromhost: Option<bigint>
}

/** Why bytes are not a loadable RISC-V ELF64 executable: the offending byte offset and field. */
export type ElfError = {
  readonly _tag: 'ElfError'
  readonly offset: number
  readonly field: string
  /** One line naming the offset and field, e.g. "byte 4 (e_ident[EI_CLASS]): ...". */
  readonly message: string
}

/** Loader options, each defaulting to Spike's behaviour. */
export type ElfOptions = {
  /**
   * Added to the entry point, segment addresses and symbol values of a position-independent
   * (ET_DYN) executable. Spike: `load_offset = DRAM_BASE` = 0x80000000 (fesvr/htif.h). ET_EXEC
   * files load at their own addresses.
   */
  readonly dynLoadOffset: bigint
}

/** Spike's defaults. */
export const spikeElfOptions: ElfOptions = { dynLoadOffset: 0x8000_0000n }

export const elfError = (offset: number, field: string, what: string): ElfError =>
  ({ _tag: 'ElfError', offset, field, message: `byte ${offset} (${field}): ${what}` })

// ---------------------------------------------------------------------------------------------
// Constants (gABI and RISC-V psABI)
// ---------------------------------------------------------------------------------------------

const EHDR_SIZE = 64, PHDR_SIZE = 56, SHDR_SIZE = 64, SYM_SIZE = 24
const ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1, ET_EXEC = 2, ET_DYN = 3, EM_RISCV = 243
const PT_LOAD = 1, SHT_SYMTAB = 2

// ---------------------------------------------------------------------------------------------
// Bounds-checked little-endian reads
// ---------------------------------------------------------------------------------------------

type Reader = { readonly bytes: Uint8Array; readonly view: DataView }
const reader = (bytes: Uint8Array): Reader =>
  ({ bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) })
const u8 = (r: Reader, at: number): number => r.view.getUint8(at)
const u16 = (r: Reader, at: number): number => r.view.getUint16(at, true)
const u32 = (r: Reader, at: number): number => r.view.getUint32(at, true)
const u64 = (r: Reader, at: number): bigint => r.view.getBigUint64(at, true)

/** [start, start + size) lies inside the file; checked on bigints so huge 64-bit values cannot wrap. */
const within = (r: Reader, start: bigint, size: bigint): boolean =>
  start >= 0n && size >= 0n && start + size <= BigInt(r.bytes.length)

const hex = (x: number | bigint): string => '0x' + x.toString(16)

// ---------------------------------------------------------------------------------------------
// The loader
// ---------------------------------------------------------------------------------------------

/**
 * Parses a RISC-V ELF64 little-endian executable (ET_EXEC, or ET_DYN relocated by
 * `options.dynLoadOffset`). Errors (never thrown) name the byte offset and the field: truncated
 * files, a bad magic number, 32-bit (ELFCLASS32) or big-endian files, a machine other than RISC-V
 * (Spike also accepts EM_NONE; the issue asks for non-RISC-V files to be rejected, so this does),
 * another type, and headers, segments or symbols pointing outside the file. As in Spike, PT_LOAD
 * segments with p_memsz = 0 are skipped.
 * @example parseElf(readFileSync('prog.elf')) // right({ entry: 0x80000000n, segments: [...], ... })
 */
export function parseElf(bytes: Uint8Array, options: ElfOptions = spikeElfOptions): Either<ElfError, Elf> {
  const r = reader(bytes)
  if (bytes.length < EHDR_SIZE) return left(elfError(0, 'e_ident', `truncated: the ELF header needs ${EHDR_SIZE} bytes, the file has ${bytes.length}`))
  // e_ident: magic, class, data encoding, version.
  if (u8(r, 0) !== 0x7f || u8(r, 1) !== 0x45 || u8(r, 2) !== 0x4c || u8(r, 3) !== 0x46)
    return left(elfError(0, 'e_ident[EI_MAG0..3]', 'not an ELF file (magic is not 7f 45 4c 46)'))
  const cls = u8(r, 4)
  if (cls !== ELFCLASS64)
    return left(elfError(4, 'e_ident[EI_CLASS]', cls === 1 ? '32-bit ELF (ELFCLASS32); only ELF64 (RV64) is supported' : `invalid class ${cls}`))
  const data = u8(r, 5)
  if (data !== ELFDATA2LSB)
    return left(elfError(5, 'e_ident[EI_DATA]', data === 2 ? 'big-endian ELF (ELFDATA2MSB); RISC-V is little-endian' : `invalid data encoding ${data}`))
  if (u8(r, 6) !== EV_CURRENT) return left(elfError(6, 'e_ident[EI_VERSION]', `unsupported version ${u8(r, 6)}`))
  const type = u16(r, 0x10)
  if (type !== ET_EXEC && type !== ET_DYN) return left(elfError(0x10, 'e_type', `type ${type} is not an executable (ET_EXEC = 2 or ET_DYN = 3)`))
  const loadOffset = type === ET_DYN ? options.dynLoadOffset : 0n
  const relocate = (a: bigint): bigint => BigInt.asUintN(64, a + loadOffset)
  const machine = u16(r, 0x12)
  if (machine !== EM_RISCV) return left(elfError(0x12, 'e_machine', `machine ${machine} is not RISC-V (EM_RISCV = 243)`))
  if (u32(r, 0x14) !== EV_CURRENT) return left(elfError(0x14, 'e_version', `unsupported version ${u32(r, 0x14)}`))
  const entry = u64(r, 0x18), phoff = u64(r, 0x20), shoff = u64(r, 0x28), flags = u32(r, 0x30)
  const phentsize = u16(r, 0x36), phnum = u16(r, 0x38), shentsize = u16(r, 0x3a), shnum = u16(r, 0x3c)

  // Program headers → PT_LOAD segments.
  if (phnum === 0) return left(elfError(0x38, 'e_phnum', 'no program headers, so nothing to load'))
  if (phentsize !== PHDR_SIZE) return left(elfError(0x36, 'e_phentsize', `${phentsize}, expected ${PHDR_SIZE}`))
  if (!within(r, phoff, BigInt(phnum * PHDR_SIZE)))
    return left(elfError(0x20, 'e_phoff', `program header table (${phnum} × ${PHDR_SIZE} bytes at ${hex(phoff)}) extends past the end of the ${bytes.length}-byte file`))
  const segments: Segment[] = []
  for (let i = 0; i < phnum; i++) {
    const ph = Number(phoff) + i * PHDR_SIZE
    const fileOffset = u64(r, ph + 8), vaddr = u64(r, ph + 16), paddr = u64(r, ph + 24)
    const filesz = u64(r, ph + 32), memsz = u64(r, ph + 40)
    if (u32(r, ph) !== PT_LOAD || memsz === 0n) continue
    if (filesz > memsz) return left(elfError(ph + 32, `program header ${i} p_filesz`, `p_filesz ${hex(filesz)} exceeds p_memsz ${hex(memsz)}`))
    if (!within(r, fileOffset, filesz))
      return left(elfError(ph + 8, `program header ${i} p_offset`, `segment (${hex(filesz)} bytes at ${hex(fileOffset)}) extends past the end of the ${bytes.length}-byte file`))
    const start = Number(fileOffset)
    segments.push({ vaddr: relocate(vaddr), paddr: relocate(paddr), filesz, memsz, flags: u32(r, ph + 4), data: bytes.slice(start, start + Number(filesz)) })
  }
  if (segments.length === 0) return left(elfError(0x38, 'e_phnum', 'no PT_LOAD segment'))

  // Section headers → the symbol table (optional: a stripped executable simply has none).
  let symbols: ReadonlyMap<string, ElfSymbol> = new Map()
  if (shoff !== 0n && shnum !== 0) {
    if (shentsize !== SHDR_SIZE) return left(elfError(0x3a, 'e_shentsize', `${shentsize}, expected ${SHDR_SIZE}`))
    if (!within(r, shoff, BigInt(shnum * SHDR_SIZE)))
      return left(elfError(0x28, 'e_shoff', `section header table (${shnum} × ${SHDR_SIZE} bytes at ${hex(shoff)}) extends past the end of the ${bytes.length}-byte file`))
    const table = readSymbols(r, Number(shoff), shnum, relocate)
    if (table._tag === 'Left') return table
    symbols = table.right
  }
  return right({ entry: relocate(entry), flags, segments, symbols, tohost: lookup(symbols, 'tohost'), fromhost: lookup(symbols, 'fromhost') })
}

/** Reads the SHT_SYMTAB section (if any) with its linked string table. */
function readSymbols(r: Reader, shoff: number, shnum: number, relocate: (a: bigint) => bigint): Either<ElfError, ReadonlyMap<string, ElfSymbol>> {
  const symbols = new Map<string, ElfSymbol>()
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * SHDR_SIZE
    if (u32(r, sh + 4) !== SHT_SYMTAB) continue
    const offset = u64(r, sh + 24), size = u64(r, sh + 32), link = u32(r, sh + 40), entsize = u64(r, sh + 56)
    if (entsize !== BigInt(SYM_SIZE)) return left(elfError(sh + 56, `section header ${i} sh_entsize`, `symbol entry size ${entsize}, expected ${SYM_SIZE}`))
    if (!within(r, offset, size)) return left(elfError(sh + 24, `section header ${i} sh_offset`, `symbol table (${hex(size)} bytes at ${hex(offset)}) extends past the end of the file`))
    if (link >= shnum) return left(elfError(sh + 40, `section header ${i} sh_link`, `string table index ${link} is not below e_shnum ${shnum}`))
    const str = shoff + link * SHDR_SIZE
    const strOffset = u64(r, str + 24), strSize = u64(r, str + 32)
    if (!within(r, strOffset, strSize)) return left(elfError(str + 24, `section header ${link} sh_offset`, `string table (${hex(strSize)} bytes at ${hex(strOffset)}) extends past the end of the file`))
    const count = Math.floor(Number(size) / SYM_SIZE)
    for (let k = 0; k < count; k++) {
      const at = Number(offset) + k * SYM_SIZE
      const nameOffset = u32(r, at)
      const name = cString(r, Number(strOffset), Number(strSize), nameOffset)
      if (name === undefined) return left(elfError(at, `symbol ${k} st_name`, `name offset ${nameOffset} is outside the ${strSize}-byte string table or unterminated`))
      const info = u8(r, at + 4)
      if (name !== '') symbols.set(name, { name, value: relocate(u64(r, at + 8)), size: u64(r, at + 16), type: info & 0xf, bind: info >> 4, shndx: u16(r, at + 6) })
    }
  }
  return right(symbols)
}

/** The NUL-terminated string at `index` in a string table of `size` bytes at `base`, or undefined. */
function cString(r: Reader, base: number, size: number, index: number): string | undefined {
  if (index >= size) return undefined
  let s = ''
  for (let p = base + index; p < base + size; p++) {
    const c = u8(r, p)
    if (c === 0) return s
    s += String.fromCharCode(c)
  }
  return undefined
}

const lookup = (symbols: ReadonlyMap<string, ElfSymbol>, name: string): Option<bigint> => {
  const s = symbols.get(name)
  return s === undefined ? none : some(s.value)
}

/** The address (st_value) of a symbol by name. */
export const symbolAddress = (elf: Elf, name: string): Option<bigint> => lookup(elf.symbols, name)
