# pageloop: the translated CPU benchmark's workload (bench/cpu.ts, issue 19). The loop body of loop.S —
# ALU, shifts, a compare, 64- and 32-bit loads and stores — walking 64 data pages, one page and 16 bytes
# further each iteration (wrapping in 256 KiB), ITERATIONS times, then exit 0 through HTIF tohost.
# Built three times (build.sh), one per mode the loop runs in (--defsym MODE=…):
#   MODE=0  pageloop_m.elf   M-mode, no translation: the buffer at its physical address.
#   MODE=1  pageloop_s.elf   S-mode under Sv39: code, tohost and page tables through an identity 1 GiB
#                            leaf at 0x8000_0000; the buffer at VA 0x4000_0000 through 64 4 KiB leaves.
#   MODE=2  pageloop_vs.elf  VS-mode under Sv39 (vsatp) over Sv39x4 (hgatp): the same guest tables, in
#                            guest-physical memory that a 1 GiB G-stage leaf maps to host memory 1:1.
# ISA: rv64ih_zicsr (MODE=2), rv64i_zicsr otherwise. ITERATIONS = 325 000 (≈ 5.2 M instructions).
.include "prelude.inc"
.option norelax

.ifndef ITERATIONS
.equ ITERATIONS, 325000
.endif
.equ PAGES, 64
.equ STRIDE, 4096 + 16          # one page and one 16-byte step further each iteration
.equ BUFFER_MASK, 0x3fff0       # offsets inside the 256 KiB buffer
.equ DATA_VA, 0x40000000
.equ SATP_SV39, 8 << 60
.equ G_LEAF, LEAF_RWX | PTE_U   # G-stage leaves need U = 1

.section .text.init
.globl _start
_start:
  START
  CASE 1
.if MODE == 0
  la s7, buffer
  j body_start
.else
  # Sv39 tables (for S: satp; for VS: vsatp, in guest-physical memory = host memory 1:1)
  PTE_NUM root, 2, 0x80000000, LEAF_RWX        # VA 0x8000_0000 … (1 GiB) → PA 0x8000_0000 …
  PTE_AT root, 1, l1, PTE_V                    # VA 0x4000_0000 … → l1
  PTE_AT l1, 0, l0, PTE_V
  la t0, buffer                                # l0[i] → buffer page i
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, LEAF_RWX
  la t1, l0
  li t2, PAGES
  li t3, 1 << 10
1: sd t0, 0(t1)
  add t0, t0, t3
  addi t1, t1, 8
  addi t2, t2, -1
  bnez t2, 1b
  la t0, root
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
.if MODE == 1
  csrw satp, t0
  ENTER_S body_start
.else
  csrw vsatp, t0
  PTE_NUM groot, 2, 0x80000000, G_LEAF         # Sv39x4: GPA 0x8000_0000 … (1 GiB) → PA 0x8000_0000 …
  la t0, groot
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw hgatp, t0
  li t0, 1 << 39                               # mstatus.MPV = 1 with MPP = S: mret enters VS
  csrs mstatus, t0
  ENTER_S body_start
.endif
.endif

.section .text
body_start:
.if MODE == 0
  nop
.else
  li s7, DATA_VA
.endif
  li a1, 0
  mv a0, s7
  li s4, BUFFER_MASK
  li s6, STRIDE
  li s0, ITERATIONS
  li s1, 0x9e3779b9
  li s2, 0x7f4a7c15
loop:
  add t0, s1, s2                 #  1
  ld t1, 0(a0)                   #  2
  xor t2, t1, t0                 #  3
  sd t2, 0(a0)                   #  4
  slli t3, t2, 3                 #  5
  lw t4, 8(a0)                   #  6
  sub t5, t4, t3                 #  7
  sw t5, 12(a0)                  #  8
  srli t6, t5, 5                 #  9
  sltu s3, t6, t1                # 10
  add s1, s1, t6                 # 11
  add a1, a1, s6                 # 12  next page, next 16 bytes
  and a1, a1, s4                 # 13  wrap inside the buffer
  add a0, s7, a1                 # 14
  addi s0, s0, -1                # 15
  bnez s0, loop                  # 16
  EXIT_PASS

.section .bss
.align 14
groot: .zero 16384               # Sv39x4 root: 16 KiB, 16 KiB-aligned
root: .zero 4096
l1: .zero 4096
l0: .zero 4096
buffer: .zero PAGES * 4096
