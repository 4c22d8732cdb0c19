// CSR access, as the rest of the model imports it: which CSR numbers exist, who may access them
// (illegal vs virtual-instruction), what they read, and how a write is legalized (WARL). Priv. ISA ch.
// "Control and Status Registers (CSRs)". Each CSR's definition (read, write, legalization and access rule
// side by side) lives in the file of its chapter; table.ts indexes them by number:
//   machine.ts     ch. "Machine-Level ISA": mstatus, misa, medeleg/mideleg, mie/mip, mtvec, mepc, …
//   supervisor.ts  ch. "Supervisor-Level ISA": sstatus, sie/sip, stvec, sepc, satp, …
//   hypervisor.ts  ch. "Hypervisor Extension": hstatus, hedeleg/hideleg, hgatp, the vs* CSRs, mtval2/mtinst
//   pmp.ts         §"Physical Memory Protection": pmpcfg, pmpaddr
//   counters.ts    Zicntr and the counter CSRs: cycle/time/instret, mcycle, minstret, x-counteren, …
//   debug.ts       Debug spec "Sdtrig": tselect, tdata1–3, tinfo, the context CSRs
export { CSR } from './numbers.ts'
export { type CsrDenial, type CsrWrite } from './define.ts'
export { csrDenial, csrExists, csrRead, csrWrite } from './table.ts'
export { effectiveDataMode, legalizeMstatus, medelegMask, midelegRead, mipRead } from './machine.ts'
export { legalizeSatp } from './supervisor.ts'
export { hedelegMask, henvcfgRead, hypervisorAccessMode, legalizeHgatp } from './hypervisor.ts'
export { MCONTROL, legalizeTdata1 } from './debug.ts'
