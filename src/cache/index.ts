// memvirt/cache: cache replacement policies (libCacheSim's, by CLI name), the simulator, miss-ratio
// curves, the hypervisor's VM block cache and hardware caches/TLBs.
export * from './policy.ts'
export * from './policies/index.ts'
export * from './admission.ts'
export * from './simulate.ts'
export * from './mrc.ts'
export * from './trace.ts'
export * from './blockcache.ts'
export * from './hw.ts'
export * from './synth.ts'
