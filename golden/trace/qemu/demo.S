# demo: a small program run under QEMU (`-M spike`, one instruction per translation block) to record a
# real `-d in_asm,cpu` reference log for `memvirt check --format qemu`: arithmetic, a loop (whose
# translation blocks QEMU re-executes without printing IN: again), a store and load, an ECALL handled in
# M-mode, and the HTIF exit. tohost/fromhost carry .size 8, which QEMU's HTIF requires. ISA: rv64im_zicsr.
.section .text.init
.globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li a0, 5
  li a1, 7
  mul a2, a0, a1               # 35
  li s0, 3
loop:                          # a3 = 35 + 3 + 2 + 1 = 41
  add a2, a2, s0
  addi s0, s0, -1
  bnez s0, loop
  la t1, data
  sd a2, 0(t1)
  ld a3, 0(t1)
  ecall                        # mcause 11; the handler skips it
  addi a4, a3, 1
  li t0, 1
  la t1, tohost
  sd t0, 0(t1)
1: j 1b

.align 2
handler:
  csrr t2, mepc
  addi t2, t2, 4
  csrw mepc, t2
  csrr s1, mcause
  mret

.section .data
.align 6
.globl tohost
tohost: .dword 0
.size tohost, 8
.align 6
.globl fromhost
fromhost: .dword 0
.size fromhost, 8
data: .dword 0
