// memvirt's public API: the functional core. Everything exported here is pure.
export * from './bits/bits.ts'
export * from './bits/address.ts'
