// memvirt's public API ("."): the functional core of address translation, as `memvirt/mmu`. Every
// subsystem has its own entry point (package.json "exports"): memvirt/mmu, /hart, /machine, /cache,
// /alloc, /iommu. Everything exported here is pure.
export * from './mmu/index.ts'
