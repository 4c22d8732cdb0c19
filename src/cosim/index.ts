// memvirt/cosim: the model as a lockstep oracle for a design under test — the DUT event protocol
// (events.ts), the pure co-simulation core (core.ts: startCosim, cosimStep, cosimRun), the
// implementation-defined choices (options.ts), and the converter of Spike's logs into DUT traces
// (spike-trace.ts), the independent source of the golden traces.
export * from './events.ts'
export * from './options.ts'
export { type CosimState, type CosimStep, startCosim, cosimStep, cosimRun, refuse, EXTERNAL_MIP, WFI_STEPS } from './core.ts'
export { spikeTraceEvents, spikeFetches, loadSize, type SpikeFetch } from './spike-trace.ts'
