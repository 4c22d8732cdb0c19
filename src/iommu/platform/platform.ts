// The platform `memvirt run --iommu` runs on: Spike's (machine/machine.ts) with the RISC-V IOMMU's
// register file at IOMMU_BASE and a DMA engine (machine/devices/dma-engine.ts) at DMA_BASE whose DMA port
// has the IOMMU in front (iommu-port.ts). Both work at each chunk end, as bus masters: the IOMMU's
// command queue first, then the engine's transfer, each of its accesses translated by the IOMMU.
import { isLeft, right } from '../../bits/either.ts'
import { MIP_MEIP } from '../../cpu/csr/fields.ts'
import { type Machine, withAddedDevices } from '../../machine/machine.ts'
import { type AddedSpec, addedDevice } from '../../machine/added-device.ts'
import { type DmaEngine, DMA_WINDOW_SIZE, loadDma, requesterOf, resetDmaEngine, storeDma, transfer } from '../../machine/devices/dma-engine.ts'
import { EXAMPLE_CAPABILITIES } from '../capabilities.ts'
import { type Iommu, type IommuOptions, DEFAULT_OPTIONS, resetIommu } from '../iommu.ts'
import { IOMMU_WINDOW_SIZE, iommuIrq, loadIommu, runIommu, storeIommu } from './iommu-device.ts'
import { type Translator, iommuPort } from './iommu-port.ts'
import { translate } from '../translate.ts'

/** Where the IOMMU's registers are (our choice; free on Spike's map). */
export const IOMMU_BASE = 0x3001_0000n
/** Where the DMA engine's registers are. */
export const DMA_BASE = 0x3002_0000n

/**
 * The IOMMU's capabilities on this platform: EXAMPLE_CAPABILITIES (Sv39/48/57, their x4 G-stages,
 * Svpbmt, AMO_HWAD, ATS, T2GPA, PAS 56, PD8/17/20) with IGS = BOTH, so software may choose wired
 * interrupts (fctl.WSI).
 */
export const PLATFORM_CAPABILITIES = EXAMPLE_CAPABILITIES | (2n << 28n)

/** The state of the two devices. */
export interface IoPlatform {
  readonly iommu: Iommu
  readonly dma: DmaEngine
}

const ioPlatform = (iommu: Iommu, dma: DmaEngine): IoPlatform => ({ iommu, dma })

// window 0 is the IOMMU's, window 1 the DMA engine's
const IOMMU_WINDOW = 0

/** The platform's devices, their DMA translated by `translator`. */
const platformSpec = (translator: Translator): AddedSpec<IoPlatform> => ({
  name: 'iommu+dma',
  windows: [{ name: 'iommu', base: IOMMU_BASE, size: IOMMU_WINDOW_SIZE }, { name: 'dma', base: DMA_BASE, size: DMA_WINDOW_SIZE }],
  driven: MIP_MEIP,
  load: (s, w, offset, size) => {
    if (w === IOMMU_WINDOW) {
      const r = loadIommu(s.iommu, offset, size)
      return isLeft(r) ? r : right({ state: r.right.state === s.iommu ? s : ioPlatform(r.right.state, s.dma), value: r.right.value })
    }
    const r = loadDma('dma')(s.dma, offset, size)
    return isLeft(r) ? r : right({ state: r.right.state === s.dma ? s : ioPlatform(s.iommu, r.right.state), value: r.right.value })
  },
  store: (s, w, offset, size, value) => {
    if (w === IOMMU_WINDOW) {
      const r = storeIommu(s.iommu, offset, size, value)
      return isLeft(r) ? r : right(r.right === s.iommu ? s : ioPlatform(r.right, s.dma))
    }
    const r = storeDma('dma')(s.dma, offset, size, value)
    return isLeft(r) ? r : right(r.right === s.dma ? s : ioPlatform(s.iommu, r.right))
  },
  irq: (s) => iommuIrq(s.iommu),
  master: (s, memory0, ram) => {
    // The command queue first (software may have queued invalidations for the transfer to see), then the transfer.
    const q = runIommu(s.iommu, memory0)
    const t = transfer(s.dma, { iommu: q.iommu, memory: q.memory }, iommuPort(ram, requesterOf(s.dma), translator))
    return t.state === s.dma && t.memory.iommu === s.iommu ? { state: s, memory: t.memory.memory } : { state: ioPlatform(t.memory.iommu, t.state), memory: t.memory.memory }
  },
})
export const ioPlatformSpec: AddedSpec<IoPlatform> = platformSpec(translate)

/** The platform after reset: the IOMMU Off with every queue off, fctl = 0, the DMA engine idle. */
export const resetIoPlatform = (options: IommuOptions = DEFAULT_OPTIONS): IoPlatform =>
  ioPlatform(resetIommu(PLATFORM_CAPABILITIES, 0n, options), resetDmaEngine)

/**
 * `m` with the IOMMU and the DMA engine on its bus (`memvirt run --iommu`), DMA translated by `translator`
 * (default the readable `translate`; `run` passes the engine).
 */
export const withIommuPlatform = (m: Machine, options: IommuOptions = DEFAULT_OPTIONS, translator: Translator = translate): Machine =>
  withAddedDevices(m, [addedDevice(translator === translate ? ioPlatformSpec : platformSpec(translator), resetIoPlatform(options))])

/** The IOMMU platform's devices in `m`, if it has them. */
export const ioPlatformOf = (m: Machine): IoPlatform | undefined => {
  const a = m.devices.added.find((d) => d.name === ioPlatformSpec.name)
  return a === undefined ? undefined : a.state as IoPlatform
}
