// A whole machine as Spike presents it: one hart, RAM at 0x8000_0000, the boot ROM at 0x1000 holding
// Spike's reset vector, a CLINT window, and the HTIF `tohost`/`fromhost` mailbox (Spike's riscv/sim.cc,
// riscv/devices.cc, fesvr/htif.cc). Immutable: a step returns a new Machine.
import { type Either, left, right } from '../bits/either.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, emptyMemory, pokeBytes } from '../memory/memory.ts'
import { type MemoryMap, memoryMap, SPIKE_RAM_BASE, SPIKE_RAM_SIZE } from '../memory/memory-map.ts'
import { type Tlb, emptyTlb, defaultTlbConfig } from '../mmu/tlb.ts'
import { type Hart, resetHart, withCsrs } from '../cpu/hart.ts'
import { MIP_MTIP } from '../cpu/csr/fields.ts'
import { type Isa } from '../cpu/isa.ts'
import { type Elf } from '../elf/elf.ts'
import { type Htif, htif } from './htif.ts'

export type { Htif } from './htif.ts'

/** Spike's DEFAULT_RSTVEC: the boot ROM's base and the hart's reset pc. */
export const BOOT_ROM_BASE = 0x1000n
export const BOOT_ROM_SIZE = 0x1000n
/** Spike's CLINT_BASE and CLINT_SIZE. */
export const CLINT_BASE = 0x200_0000n
export const CLINT_SIZE = 0xc_0000n

export interface MachineOptions {
  /** RAM size in bytes at 0x8000_0000 (Spike's `-m`, default 2 GiB). */
  readonly ramSize: bigint
  /**
   * Spike's INTERLEAVE (5000): Spike runs the hart in chunks of this many steps. A chunk also ends at
   * every trap and at WFI. At each chunk end Spike drops the LR/SC reservation, advances the CLINT's
   * mtime by interleave / 100 (INSNS_PER_RTC_TICK) and polls HTIF; pending interrupts are checked when
   * a chunk starts and around serializing instructions (CSR accesses, MRET, SRET, WFI).
   */
  readonly interleave: number
}

export const SPIKE_INTERLEAVE = 5000
export const SPIKE_INSNS_PER_RTC_TICK = 100

export const defaultMachineOptions: MachineOptions = { ramSize: SPIKE_RAM_SIZE, interleave: SPIKE_INTERLEAVE }

/** Platform state outside the hart: the CLINT timer and where the run stands in Spike's chunking. */
export interface Platform {
  /** CLINT mtime and hart 0's mtimecmp (both reset to 0, so MTIP is pending from reset, as in Spike). */
  readonly mtime: bigint
  readonly mtimecmp: bigint
  /** Steps taken in the current chunk. */
  readonly chunk: number
  /** The next step starts a batch: pending interrupts are taken before it. */
  readonly batchStart: boolean
  /** The hart executed WFI and waits for an interrupt (Spike's in_wfi). */
  readonly inWfi: boolean
}

export const platform = (mtime: bigint, mtimecmp: bigint, chunk: number, batchStart: boolean, inWfi: boolean): Platform =>
  ({ mtime, mtimecmp, chunk, batchStart, inWfi })

export const resetPlatform: Platform = platform(0n, 0n, 0, true, false)

export interface Machine {
  readonly isa: Isa
  readonly options: MachineOptions
  readonly hart: Hart
  readonly memory: PhysMemory
  readonly tlb: Tlb
  readonly htif: Htif
  readonly platform: Platform
}

// ---- constructors -----------------------------------------------------------------------------------

export const machine = (isa: Isa, options: MachineOptions, hart: Hart, memory: PhysMemory, tlb: Tlb, htif: Htif, platform: Platform): Machine =>
  ({ isa, options, hart, memory, tlb, htif, platform })

/** The platform's physical memory map: boot ROM and CLINT (devices) and RAM. */
export const platformMap = (options: MachineOptions): MemoryMap => {
  const m = memoryMap([
    { name: 'bootrom', base: BOOT_ROM_BASE, size: BOOT_ROM_SIZE, kind: 'mmio' },
    { name: 'clint', base: CLINT_BASE, size: CLINT_SIZE, kind: 'mmio' },
    { name: 'ram', base: SPIKE_RAM_BASE, size: options.ramSize, kind: 'ram' },
  ])
  if (typeof m === 'string') throw new Error(m)         // fixed regions: cannot overlap
  return m
}

/**
 * Spike's reset vector (riscv/sim.cc, set_rom): auipc t0,0; addi a1,t0,32 (the device tree, which this
 * model does not provide: those bytes read as zero); csrr a0,mhartid; ld t0,24(t0); jr t0; then the
 * 64-bit entry point at offset 24.
 */
export const resetVector = (entry: bigint): Uint8Array => {
  const words = [0x297, 0x28593 + ((8 * 4) << 20), 0xf1402573, 0x0182b283, 0x28067, 0, Number(entry & 0xffff_ffffn), Number(entry >> 32n)]
  const bytes = new Uint8Array(words.length * 4)
  const view = new DataView(bytes.buffer)
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true))
  return bytes
}

/** Why an ELF cannot be loaded into this machine. */
export type LoadError = { readonly _tag: 'LoadError'; readonly message: string }

/**
 * A machine out of reset with the ELF's PT_LOAD segments in RAM (at their physical addresses, zero-filled
 * to memsz), the boot ROM jumping to the entry point, and HTIF at the ELF's tohost/fromhost symbols.
 */
export const loadMachine = (isa: Isa, elf: Elf, options: MachineOptions = defaultMachineOptions): Either<LoadError, Machine> => {
  let memory = emptyMemory(platformMap(options))
  memory = pokeBytes(memory, phys(BOOT_ROM_BASE), resetVector(elf.entry))
  const ramEnd = SPIKE_RAM_BASE + options.ramSize
  for (const seg of elf.segments) {
    if (seg.memsz === 0n) continue
    if (seg.paddr < SPIKE_RAM_BASE || seg.paddr + seg.memsz > ramEnd) {
      return left({ _tag: 'LoadError', message: `segment at 0x${seg.paddr.toString(16)} (${seg.memsz} bytes) lies outside RAM` })
    }
    memory = pokeBytes(memory, phys(seg.paddr), seg.data)
    // bytes between filesz and memsz are zero already: never-written RAM reads as zero
  }
  const tohost = elf.tohost._tag === 'Some' ? elf.tohost.value : undefined
  const fromhost = elf.fromhost._tag === 'Some' ? elf.fromhost.value : undefined
  // The CLINT is created with mtime = mtimecmp = 0 and ticks once: MTIP is pending from reset (Spike).
  const h = resetHart(isa, BOOT_ROM_BASE)
  const hart0 = withCsrs(h, { ...h.csr, mip: h.csr.mip | MIP_MTIP })
  return right(machine(isa, options, hart0, memory,
    emptyTlb({ ...defaultTlbConfig, flushAll: true }), htif(tohost, fromhost, undefined, [], []), resetPlatform))
}
