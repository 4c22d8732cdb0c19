// The para-virtual virtio-iommu device and its composition with a VM's G-stage (Virtio 1.3, "IOMMU
// device"). One file per concept: config, device state, mappings, requests, PROBE properties, fault
// reports, DMA translation, the G-stage call and the PVIOMMU composition; fidelity options in options.ts.
export * from './config.ts'
export * from './status.ts'
export * from './options.ts'
export * from './mappings.ts'
export * from './device.ts'
export * from './requests.ts'
export * from './probe.ts'
export * from './fault.ts'
export * from './translate.ts'
export * from './g-stage.ts'
export * from './pviommu.ts'
export * from './shadow.ts'
