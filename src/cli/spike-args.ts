// Spike's command-line conventions for `memvirt run`, decoded once at the edge: `-m<MiB>` and
// `-m<base>:<size>,…` (riscv-isa-sim spike_main/spike.cc, parse_mem_layout and create_mem_region),
// `--pc=ADDR`, and the HTIF plusargs `+signature=FILE`, `+signature-granularity=N` (fesvr/htif.cc).
import { type Either, left, right } from '../bits/either.ts'
import { type RamRegion, ramAtDramBase } from '../machine/machine.ts'

/** Spike's (and the Priv. ISA's) 4 KiB page: `-m` regions are widened to whole pages. */
const PGSIZE = 0x1000n
/** Physical addresses have at most 56 bits (Priv. ISA, Sv39/48/57 PPNs): RAM must end at or below 2^56. */
export const PA_LIMIT = 1n << 56n

/**
 * A number as C's strtoull with base 0 reads it: `0x…` hexadecimal, a leading `0` octal, otherwise
 * decimal; the whole text must be the number (Spike ignores trailing garbage in some places; memvirt does
 * not), and it must fit in 64 bits.
 */
export const parseCNumber = (text: string): bigint | undefined => {
  if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(text)) return undefined
  const n = /^0[0-7]+$/.test(text) ? BigInt('0o' + text.slice(1)) : BigInt(text)
  return n < 1n << 64n ? n : undefined
}

/** A decoded `-m`: the RAM regions (sorted, merged) and the warnings Spike prints while aligning them. */
export interface MemLayout {
  readonly ram: readonly RamRegion[]
  readonly warnings: readonly string[]
}

const hexUpper = (n: bigint): string => '0x' + n.toString(16).toUpperCase()

/** One region widened to whole pages, as Spike's create_mem_region does (with its warning). */
const pageAligned = (base0: bigint, size0: bigint, warnings: string[]): Either<string, RamRegion> => {
  const base = base0 - base0 % PGSIZE
  let size = size0 + base0 % PGSIZE
  if (size % PGSIZE !== 0n) size += PGSIZE - size % PGSIZE
  if (size !== size0) {
    warnings.push(`the memory at [${hexUpper(base0)}, ${hexUpper(base0 + size0 - 1n)}] has been realigned to the 4 KiB page size: [${hexUpper(base)}, ${hexUpper(base + size - 1n)}]`)
  }
  if (size === 0n) return left(`a memory region at ${hexUpper(base0)} is empty`)
  if (base + size > PA_LIMIT) return left(`the memory at ${hexUpper(base)} (${hexUpper(size)} bytes) ends above 2^56, the physical address space`)
  return right({ base, size })
}

/** Regions sorted by base (then size), overlapping ones merged into one (Spike's merge_overlapping_memory_regions). */
const merged = (regions: readonly RamRegion[]): RamRegion[] => {
  const sorted = [...regions].sort((a, b) => (a.base !== b.base ? (a.base < b.base ? -1 : 1) : a.size < b.size ? -1 : a.size > b.size ? 1 : 0))
  const out: RamRegion[] = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && r.base <= last.base + last.size - 1n) {
      const end = r.base + r.size > last.base + last.size ? r.base + r.size : last.base + last.size
      out[out.length - 1] = { base: last.base, size: end - last.base }
    } else {
      out.push(r)
    }
  }
  return out
}

/**
 * Spike's `-m` argument: a number alone is a size in MiB at 0x8000_0000 (`-m2048`); otherwise a list of
 * `base:size` pairs separated by commas (`-m0x80000000:0x10000000,0x90000000:0x1000`), each widened to
 * whole 4 KiB pages (with Spike's warning), then sorted and overlapping regions merged. Numbers are
 * read as strtoull with base 0 reads them. Errors name what was expected.
 *
 * @example
 * parseMemLayout('16')                // right({ ram: [{ base: 0x80000000n, size: 0x1000000n }], warnings: [] })
 * parseMemLayout('0x1000:0x800')      // ram [{ base: 0x1000n, size: 0x1000n }] and a realignment warning
 */
export const parseMemLayout = (text: string): Either<string, MemLayout> => {
  if (!text.includes(':')) {
    const mib = parseCNumber(text)
    if (mib === undefined) return left(`expected a size in MiB or base:size pairs, got "${text}"`)
    const warnings: string[] = []
    const r = pageAligned(0x8000_0000n, mib << 20n, warnings)
    return r._tag === 'Left' ? r : right({ ram: ramAtDramBase(r.right.size), warnings })
  }
  const warnings: string[] = []
  const regions: RamRegion[] = []
  for (const pair of text.split(',')) {
    const parts = pair.split(':')
    const base = parts.length === 2 ? parseCNumber(parts[0]!) : undefined
    const size = parts.length === 2 ? parseCNumber(parts[1]!) : undefined
    if (base === undefined || size === undefined) return left(`expected base:size pairs separated by commas, got "${pair}"`)
    const r = pageAligned(base, size, warnings)
    if (r._tag === 'Left') return r
    regions.push(r.right)
  }
  return right({ ram: merged(regions), warnings })
}

// ---- HTIF plusargs ------------------------------------------------------------------------------------------

/** The program and Spike's HTIF plusargs found among `run`'s positional arguments. */
export interface PlusArgs {
  readonly elf: string
  readonly signature?: string
  readonly granularity?: string
}

/**
 * Splits `run`'s positional arguments into the ELF and Spike's plusargs (`+signature=FILE`,
 * `+signature-granularity=N`), which Spike's HTIF accepts anywhere on the line. Exactly one argument
 * must be the ELF; any other `+…` argument is an error (Spike's HTIF would reject it too).
 *
 * @example
 * plusArgs(['+signature=out.sig', 'test.elf']) // right({ elf: 'test.elf', signature: 'out.sig' })
 */
export const plusArgs = (args: readonly string[]): Either<string, PlusArgs> => {
  const elves: string[] = []
  let signature: string | undefined
  let granularity: string | undefined
  for (const a of args) {
    if (a.startsWith('+signature=')) signature = a.slice('+signature='.length)
    else if (a.startsWith('+signature-granularity=')) granularity = a.slice('+signature-granularity='.length)
    else if (a.startsWith('+')) return left(`unknown plusarg "${a}" (expected +signature=FILE or +signature-granularity=N)`)
    else elves.push(a)
  }
  if (elves.length !== 1) return left(elves.length === 0 ? 'expected an ELF file' : `expected one ELF file, got ${elves.length}: ${elves.join(' ')}`)
  return right({ elf: elves[0]!, ...(signature === undefined ? {} : { signature }), ...(granularity === undefined ? {} : { granularity }) })
}
