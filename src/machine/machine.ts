// A whole machine as Spike presents it: one hart, RAM at 0x8000_0000, and on the bus the boot ROM at
// 0x1000 holding Spike's reset vector and the CLINT, plus the HTIF `tohost`/`fromhost` mailbox (Spike's
// riscv/sim.cc, riscv/devices.cc, fesvr/htif.cc). Immutable: a step returns a new Machine.
import { type Either, left, right } from '../bits/either.ts'
import { phys } from '../bits/address.ts'
import { type PhysMemory, emptyMemory, pokeBytes } from '../memory/memory.ts'
import { type MemoryMap, memoryMap, SPIKE_RAM_BASE, SPIKE_RAM_SIZE } from '../memory/memory-map.ts'
import { type Tlb, type TlbConfig, emptyTlb, spikeTlbConfig, withGuest } from '../mmu/tlb.ts'
import { type Hart, resetHart, withCsrs } from '../cpu/hart.ts'
import { ramWindows } from '../cpu/bus.ts'
import { MIP_MSIP, MIP_MTIP } from '../cpu/csr/fields.ts'
import { type Isa } from '../cpu/isa.ts'
import { type Elf } from '../elf/elf.ts'
import { type Htif, htif } from './htif.ts'
import { type Bus, attach, bus } from './bus.ts'
import { type BootRom, BOOT_ROM_BASE, BOOT_ROM_SIZE, bootRom, bootRomDevice } from './boot-rom.ts'
import { type Clint, CLINT_BASE, CLINT_SIZE, clintDevice, resetClint } from './clint.ts'
import { type DmaPort, ramPort } from './dma.ts'
import { type AddedDevice, windowDevice } from './added-device.ts'

export type { Htif } from './htif.ts'
export { BOOT_ROM_BASE, BOOT_ROM_SIZE, resetVector } from './boot-rom.ts'
export { CLINT_BASE, CLINT_SIZE } from './clint.ts'

/** One region of RAM: `size` bytes from `base` (one of Spike's `-m<base>:<size>` regions). */
export interface RamRegion {
  readonly base: bigint
  readonly size: bigint
}

export interface MachineOptions {
  /**
   * The RAM regions, sorted by base and not overlapping each other or a device (Spike's `-m`; default
   * 2 GiB at 0x8000_0000, `-m2048`). An access must lie wholly inside one region.
   */
  readonly ram: readonly RamRegion[]
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

/** Spike's `-m<MiB>`: one region of `bytes` at 0x8000_0000. */
export const ramAtDramBase = (bytes: bigint): readonly RamRegion[] => [{ base: SPIKE_RAM_BASE, size: bytes }]

export const defaultMachineOptions: MachineOptions = { ram: ramAtDramBase(SPIKE_RAM_SIZE), interleave: SPIKE_INTERLEAVE }

const sameRam = (a: readonly RamRegion[], b: readonly RamRegion[]): boolean =>
  a.length === b.length && a.every((r, i) => r.base === b[i]!.base && r.size === b[i]!.size)

/** Where the run stands in Spike's chunking (platform state outside the hart and the devices). */
export interface Platform {
  /** Steps taken in the current chunk. */
  readonly chunk: number
  /** The next step starts a batch: pending interrupts are taken before it. */
  readonly batchStart: boolean
  /** The hart executed WFI and waits for an interrupt (Spike's in_wfi). */
  readonly inWfi: boolean
}

export const platform = (chunk: number, batchStart: boolean, inWfi: boolean): Platform => ({ chunk, batchStart, inWfi })

export const resetPlatform: Platform = platform(0, true, false)

/** The state of the devices on Spike's bus (machine/bus.ts places them). */
export interface Devices {
  readonly bootrom: BootRom
  readonly clint: Clint
  /** Devices a higher layer added (added-device.ts: the IOMMU and its DMA engine); none on Spike's platform. */
  readonly added: readonly AddedDevice[]
}

const NONE_ADDED: readonly AddedDevice[] = []

export const devices = (bootrom: BootRom, clint: Clint, added: readonly AddedDevice[] = NONE_ADDED): Devices => ({ bootrom, clint, added })

export interface Machine {
  readonly isa: Isa
  readonly options: MachineOptions
  readonly hart: Hart
  /** RAM (the persistent physical memory). */
  readonly memory: PhysMemory
  readonly tlb: Tlb
  /** The host-target interface: a bus master polling tohost in RAM (htif.ts). */
  readonly htif: Htif
  /** The bus: RAM's window and the devices by region; fixed for the machine's life. */
  readonly bus: Bus<Devices>
  readonly devices: Devices
  /** The port through which the platform's bus masters (HTIF) reach memory (dma.ts). */
  readonly dma: DmaPort<PhysMemory>
  readonly platform: Platform
}

// ---- constructor and named updaters ----------------------------------------------------------------
// The positional constructor stays in this file: everywhere else a machine is changed by naming the
// fields that change, so adding a platform field touches this file only.

const machine = (isa: Isa, options: MachineOptions, hart: Hart, memory: PhysMemory, tlb: Tlb, htif: Htif,
  bus: Bus<Devices>, devices: Devices, dma: DmaPort<PhysMemory>, platform: Platform): Machine =>
  ({ isa, options, hart, memory, tlb, htif, bus, devices, dma, platform })

export const withHart = (m: Machine, h: Hart): Machine => machine(m.isa, m.options, h, m.memory, m.tlb, m.htif, m.bus, m.devices, m.dma, m.platform)
export const withMemory = (m: Machine, memory: PhysMemory): Machine => machine(m.isa, m.options, m.hart, memory, m.tlb, m.htif, m.bus, m.devices, m.dma, m.platform)
export const withTlb = (m: Machine, tlb: Tlb): Machine => machine(m.isa, m.options, m.hart, m.memory, tlb, m.htif, m.bus, m.devices, m.dma, m.platform)
/**
 * The machine with an empty TLB of another configuration, refilled by the same engine (and guest walker): `exactTlbConfig()`
 * for `--tlb exact` (mmu/tlb.ts), `{ ...config, reportStale: true }` for `--report-stale`.
 */
export const withTlbConfig = (m: Machine, config: TlbConfig): Machine => withTlb(m, withGuest(emptyTlb(config, m.tlb.engine), m.tlb.guest))
export const withHtif = (m: Machine, h: Htif): Machine => machine(m.isa, m.options, m.hart, m.memory, m.tlb, h, m.bus, m.devices, m.dma, m.platform)
export const withDevices = (m: Machine, d: Devices): Machine => machine(m.isa, m.options, m.hart, m.memory, m.tlb, m.htif, m.bus, d, m.dma, m.platform)
/** The machine with device `name`'s state replaced. */
export const withDevice = <K extends keyof Devices>(m: Machine, name: K, state: Devices[K]): Machine =>
  withDevices(m, { ...m.devices, [name]: state })
export const withPlatform = (m: Machine, p: Platform): Machine => machine(m.isa, m.options, m.hart, m.memory, m.tlb, m.htif, m.bus, m.devices, m.dma, p)
/** The machine with other options (the bus follows a new RAM size). */
export const withOptions = (m: Machine, options: MachineOptions): Machine => {
  if (sameRam(options.ram, m.options.ram)) return machine(m.isa, options, m.hart, m.memory, m.tlb, m.htif, m.bus, m.devices, m.dma, m.platform)
  const b = spikeBus(options, m.devices.added)
  return machine(m.isa, options, m.hart, m.memory, m.tlb, m.htif, b, m.devices, ramPort(b.ram), m.platform)
}
/**
 * The machine with devices `added` on its bus besides the boot ROM and the CLINT (their windows may not
 * overlap those, RAM or each other), replacing any added before; the bus is rebuilt to place them.
 */
export const withAddedDevices = (m: Machine, added: readonly AddedDevice[]): Machine =>
  machine(m.isa, m.options, m.hart, m.memory, m.tlb, m.htif, spikeBus(m.options, added), devices(m.devices.bootrom, m.devices.clint, added), m.dma, m.platform)
/** The machine with its bus masters reaching memory through `port` (an IOMMU put in front, say). */
export const withDma = (m: Machine, port: DmaPort<PhysMemory>): Machine =>
  machine(m.isa, m.options, m.hart, m.memory, m.tlb, m.htif, m.bus, m.devices, port, m.platform)
/** The machine with another ISA (the hart keeps its CSRs: callers reset it if they need to). */
export const withIsa = (m: Machine, isa: Isa): Machine => machine(isa, m.options, m.hart, m.memory, m.tlb, m.htif, m.bus, m.devices, m.dma, m.platform)

/**
 * The machine after a step or a stretch of steps: the fields a step changes, in one constructor call
 * (the per-instruction path; fields a step never changes are copied from `m`).
 */
export const stepped = (m: Machine, h: Hart, memory: PhysMemory, tlb: Tlb, host: Htif, d: Devices, p: Platform): Machine =>
  // (the literal of `machine`, written out: small enough for V8 to inline into the step)
  ({ isa: m.isa, options: m.options, hart: h, memory, tlb, htif: host, bus: m.bus, devices: d, dma: m.dma, platform: p })

// ---- Spike's platform -------------------------------------------------------------------------------

/**
 * The platform's physical memory map: boot ROM and CLINT (devices) and the RAM regions (`ram`, `ram1`, …
 * in order of base); or, as a string, the pair of regions that overlap (Spike aborts on such a layout).
 */
export const platformMapOf = (options: MachineOptions): MemoryMap | string => memoryMap([
  { name: 'bootrom', base: BOOT_ROM_BASE, size: BOOT_ROM_SIZE, kind: 'mmio' },
  { name: 'clint', base: CLINT_BASE, size: CLINT_SIZE, kind: 'mmio' },
  ...options.ram.map((r, i) => ({ name: i === 0 ? 'ram' : `ram${i}`, base: r.base, size: r.size, kind: 'ram' as const })),
])

/** The platform's physical memory map, for options already checked (`platformMapOf`, `loadMachine`). */
export const platformMap = (options: MachineOptions): MemoryMap => {
  const m = platformMapOf(options)
  if (typeof m === 'string') throw new Error(m)         // checked where the options were decoded
  return m
}

/**
 * Spike's bus: RAM (at 0x8000_0000 unless -m says otherwise), the boot ROM at 0x1000, the CLINT (driving
 * MSIP and MTIP, and time), and each window of the devices `added` (none on Spike's platform).
 */
export const spikeBus = (options: MachineOptions, added: readonly AddedDevice[] = NONE_ADDED): Bus<Devices> => bus<Devices>(
  ramWindows(options.ram),
  [
    attach(BOOT_ROM_BASE, bootRomDevice, (d: Devices) => d.bootrom, (d, s) => devices(s, d.clint, d.added)),
    attach(CLINT_BASE, clintDevice, (d: Devices) => d.clint, (d, s) => devices(d.bootrom, s, d.added)),
    ...added.flatMap((a, i) => a.windows.map((w, k) => attach(w.base, windowDevice(w.name, k, w.size), (d: Devices) => d.added[i]!,
      (d, s) => devices(d.bootrom, d.clint, d.added.map((x, j) => (j === i ? s : x)))))),
  ],
  added.reduce((bits, a) => bits | a.driven, MIP_MSIP | MIP_MTIP),
  (d) => d.clint.mtime,
)

/**
 * Do the RAM regions (sorted by base) cover every byte of [base, base + length)? Regions that touch
 * cover a range that crosses from one into the next, as Spike's loader writes such a range page by page.
 */
export const coveredByRam = (ram: readonly RamRegion[], base: bigint, length: bigint): boolean => {
  let at = base
  const end = base + length
  for (const r of ram) if (at >= r.base && at < r.base + r.size) at = r.base + r.size < end ? r.base + r.size : end
  return at >= end
}

/** Why an ELF cannot be loaded into this machine. */
export type LoadError = { readonly _tag: 'LoadError'; readonly message: string }

/**
 * A machine out of reset with the ELF's PT_LOAD segments in RAM (at their physical addresses, zero-filled
 * to memsz), the boot ROM jumping to the entry point, and HTIF at the ELF's tohost/fromhost symbols.
 */
export const loadMachine = (isa: Isa, elf: Elf, options: MachineOptions = defaultMachineOptions): Either<LoadError, Machine> => {
  const map = platformMapOf(options)
  if (typeof map === 'string') return left({ _tag: 'LoadError', message: `the memory layout is impossible: ${map}` })
  let memory = emptyMemory(map)
  for (const seg of elf.segments) {
    if (seg.memsz === 0n) continue
    if (!coveredByRam(options.ram, seg.paddr, seg.memsz)) {
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
  const b = spikeBus(options)
  // The bus masters reach RAM through the identity port: the platform has no IOMMU.
  return right(machine(isa, options, hart0, memory, emptyTlb(spikeTlbConfig),
    htif(tohost, fromhost, undefined, [], []), b, devices(bootRom(elf.entry), resetClint), ramPort(b.ram), resetPlatform))
}
