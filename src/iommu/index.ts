// memvirt/iommu: the RISC-V IOMMU v1.0 (registers, directories, "Process to translate an IOVA", queues,
// fault records, caches, scenarios), the IOMMU on the machine's bus (`withIommuPlatform`), and the
// virtio-iommu device with its PVIOMMU composition (as the namespace `virtio`).
export * from './iommu.ts'
export * from './capabilities.ts'
export * from './registers.ts'
export * from './device-context.ts'
export * from './process-context.ts'
export * from './directory.ts'
export * from './commands.ts'
export * from './fault-record.ts'
export * from './fault-queue.ts'
export * from './command-queue.ts'
export * from './translate.ts'
export * from './msi.ts'
export * from './caches.ts'
export * from './steps.ts'
export * from './platform/platform.ts'
export * as virtio from './virtio/index.ts'
