# interrupts: the CLINT and interrupt timing as Spike models them (riscv/clint.cc, riscv/sim.cc,
# processor_t::step): mtime advances 50 ticks per 5000-step chunk and a chunk also ends at a trap or
# WFI; pending interrupts are taken when a chunk starts and around CSR instructions. A machine timer
# interrupt ends a WFI; a software interrupt (msip store) is taken at the next CSR instruction; a
# supervisor software interrupt set by M is delegated to S with mideleg. (Priv. ISA §3.1.9 "Machine
# Interrupt Registers", §3.2.1 "Machine Timer Registers", §3.3.3 "Wait for Interrupt".)
# ISA: rv64ima_zicsr_zicntr.
.include "prelude.inc"

.equ CLINT_MSIP, 0x2000000
.equ CLINT_MTIMECMP, 0x2004000
.equ CLINT_MTIME, 0x200bff8

.section .text.init
.globl _start
_start:
  START
  la t0, mirq
  csrw mtvec, t0

  CASE 1                       # MTIP is pending from reset (mtimecmp = 0); a future mtimecmp clears it
  csrr a0, mip
  andi a0, a0, 0x80
  CHECK a0, 0x80
  li s0, CLINT_MTIME
  ld a1, 0(s0)
  addi a1, a1, 120             # three chunk ends from now
  li s1, CLINT_MTIMECMP
  sd a1, 0(s1)
  csrr a0, mip
  andi a0, a0, 0x80
  CHECK a0, 0

  CASE 2                       # WFI waits until the timer fires; the interrupt (cause 7) is taken then
  li s10, 0                    # the handler counts interrupts here
  li t0, 0x80
  csrs mie, t0                 # MTIE
  csrsi mstatus, 8             # MIE: nothing pending yet
  wfi
  CHECK s10, 1
  CHECK s2, 0x8000000000000007
  csrci mstatus, 8
  rdtime a0
  li t0, 120
  bltu a0, t0, fail            # time reached mtimecmp

  CASE 3                       # a software interrupt: pending after the msip store, taken before the next CSR instruction
  li t0, 8
  csrs mie, t0                 # MSIE
  csrsi mstatus, 8
  li s0, CLINT_MSIP
  li t0, 1
  sw t0, 0(s0)
  addi a0, zero, 1             # not a CSR instruction: no interrupt yet
  CHECK s10, 1
  csrr a1, mscratch            # the interrupt comes first
  CHECK s10, 2
  CHECK s2, 0x8000000000000003
  csrci mstatus, 8

  CASE 4                       # SSIP set by M, delegated to S by mideleg: taken in S with scause 1
  li t0, 2
  csrw mideleg, t0
  csrs mie, t0                 # SSIE
  la t0, sirq
  csrw stvec, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x800                 # MPP = S
  csrs mstatus, t0
  la t0, in_s
  csrw mepc, t0
  li t0, 2
  csrs mip, t0                 # SSIP pending; S-mode interrupts are enabled below S... and in S when SIE
  mret
in_s:
  csrsi sstatus, 2             # SIE: the interrupt is taken right after this CSR write
  CHECK s10, 3
  CHECK s2, 0x8000000000000001
  EXIT_PASS

# M-mode interrupt handler: count, record mcause, quiet the source, return.
.align 2
mirq:
  csrr s2, mcause
  addi s10, s10, 1
  bgez s2, m_exception         # bit 63 clear: an exception nobody expected
  li t0, CLINT_MTIMECMP
  li t1, -1
  sd t1, 0(t0)                 # timer: mtimecmp far away clears MTIP
  li t0, CLINT_MSIP
  sw zero, 0(t0)               # software: clear msip
  mret
m_exception:
  ori gp, gp, 0x100
  j fail

# S-mode interrupt handler: record scause, clear SSIP, return to S.
.align 2
sirq:
  csrr s2, scause
  addi s10, s10, 1
  csrci sip, 2
  csrci sstatus, 2
  sret
