# htif_paged: the console device (device 1, command 1) driven from S-mode under Sv39, the program polling
# tohost through its page table until the host has taken each command. The host visits only
# when a Spike chunk ends (every 5 000 steps here: no trap ends one), so each visit falls in the middle of a
# run of translated blocks, which must then read tohost as the host left it.
# Prints "ABC", then exits. ISA: rv64ima_zicsr.
.include "prelude.inc"

.equ SATP_SV39, 8 << 60

.section .text.init
.globl _start
_start:
  START
  PTE_NUM root, 2, 0x80000000, LEAF_RWX        # VA 0x8000_0000 … (1 GiB) → PA 0x8000_0000 …: code, data, tohost
  la t0, root
  srli t0, t0, 12
  li t1, SATP_SV39
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  ENTER_S body

.section .text
body:
  CASE 1
  la s1, tohost
  la s2, fromhost
  li s0, 3
  li s3, 0x41                                  # 'A'
1: li t0, (1 << 56) | (1 << 48)                # device 1 (console), command 1 (write a character)
  or t0, t0, s3
  sd t0, 0(s1)
2: ld t0, 0(s1)                                # the host clears tohost when it takes the command
  bnez t0, 2b
  ld t0, 0(s2)                                 # and leaves fromhost alone (the console answers nothing)
  CHECK t0, 0
  addi s3, s3, 1
  addi s0, s0, -1
  bnez s0, 1b
  EXIT_PASS

.section .bss
.align 12
root: .zero 4096
