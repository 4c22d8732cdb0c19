// Names of the CSRs by number (privileged ISA ch. "Control and Status Registers (CSRs)", the
// "Currently allocated RISC-V ... CSR addresses" tables, and the Hypervisor and Debug specs), as
// assembly language spells them. Used by the disassembler; numbers without a name print in hex.

const fixed: readonly (readonly [number, string])[] = [
  // Unprivileged floating-point and counter/timer CSRs
  [0x001, 'fflags'], [0x002, 'frm'], [0x003, 'fcsr'],
  [0xc00, 'cycle'], [0xc01, 'time'], [0xc02, 'instret'],
  // Supervisor
  [0x100, 'sstatus'], [0x104, 'sie'], [0x105, 'stvec'], [0x106, 'scounteren'], [0x10a, 'senvcfg'],
  [0x140, 'sscratch'], [0x141, 'sepc'], [0x142, 'scause'], [0x143, 'stval'], [0x144, 'sip'],
  [0x180, 'satp'], [0x5a8, 'scontext'],
  // Hypervisor and virtual supervisor
  [0x600, 'hstatus'], [0x602, 'hedeleg'], [0x603, 'hideleg'], [0x604, 'hie'], [0x605, 'htimedelta'],
  [0x606, 'hcounteren'], [0x607, 'hgeie'], [0x60a, 'henvcfg'], [0x643, 'htval'], [0x644, 'hip'],
  [0x645, 'hvip'], [0x64a, 'htinst'], [0x680, 'hgatp'], [0x6a8, 'hcontext'], [0xe12, 'hgeip'],
  [0x200, 'vsstatus'], [0x204, 'vsie'], [0x205, 'vstvec'], [0x240, 'vsscratch'], [0x241, 'vsepc'],
  [0x242, 'vscause'], [0x243, 'vstval'], [0x244, 'vsip'], [0x280, 'vsatp'],
  // Machine information, trap setup and handling, configuration
  [0xf11, 'mvendorid'], [0xf12, 'marchid'], [0xf13, 'mimpid'], [0xf14, 'mhartid'], [0xf15, 'mconfigptr'],
  [0x300, 'mstatus'], [0x301, 'misa'], [0x302, 'medeleg'], [0x303, 'mideleg'], [0x304, 'mie'],
  [0x305, 'mtvec'], [0x306, 'mcounteren'], [0x309, 'mvip'], [0x30a, 'menvcfg'], [0x320, 'mcountinhibit'],
  [0x340, 'mscratch'], [0x341, 'mepc'], [0x342, 'mcause'], [0x343, 'mtval'], [0x344, 'mip'],
  [0x34a, 'mtinst'], [0x34b, 'mtval2'], [0x747, 'mseccfg'],
  [0xb00, 'mcycle'], [0xb02, 'minstret'],
  // Debug/trace (Sdtrig) and debug mode (Sdext)
  [0x7a0, 'tselect'], [0x7a1, 'tdata1'], [0x7a2, 'tdata2'], [0x7a3, 'tdata3'], [0x7a4, 'tinfo'],
  [0x7a5, 'tcontrol'], [0x7a8, 'mcontext'],
  [0x7b0, 'dcsr'], [0x7b1, 'dpc'], [0x7b2, 'dscratch0'], [0x7b3, 'dscratch1'],
]

const numbered = (base: number, prefix: string, first: number, last: number): [number, string][] =>
  Array.from({ length: last - first + 1 }, (_, k) => [base + k, `${prefix}${first + k}`])

/** CSR number → name. */
export const CSR_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  ...fixed,
  ...numbered(0xc03, 'hpmcounter', 3, 31),
  ...numbered(0xb03, 'mhpmcounter', 3, 31),
  ...numbered(0x323, 'mhpmevent', 3, 31),
  ...numbered(0x3a0, 'pmpcfg', 0, 15),
  ...numbered(0x3b0, 'pmpaddr', 0, 63),
])

/** The name of a CSR, or its number in hex (`0x7c0`) when it has none. */
export const csrName = (csr: number): string => CSR_NAMES.get(csr) ?? '0x' + csr.toString(16)
