# htif: Spike's HTIF from the program's side (fesvr/htif.cc, syscall.cc): a proxied write(1, buf, len)
# through a request block, answered in fromhost and in the block's first doubleword; a character through
# the console device (device 1, command 1); then exit. The host serves tohost when a Spike chunk ends:
# an ECALL (a trap ends the chunk) makes that happen at once instead of after 5000 steps.
# ISA: rv64ima_zicsr.
.include "prelude.inc"

.equ SYS_WRITE, 64

.section .text.init
.globl _start
_start:
  START
  la t0, 1f
  csrw mtvec, t0               # the ECALLs below just continue at the next instruction
  j 2f
.align 2
1: csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
2:
  CASE 1                       # write(1, message, 13) through the syscall proxy
  la s0, request
  li t0, SYS_WRITE
  sd t0, 0(s0)
  li t0, 1
  sd t0, 8(s0)
  la t0, message
  sd t0, 16(s0)
  li t0, 13
  sd t0, 24(s0)
  la s1, tohost
  la s2, fromhost
  sd s0, 0(s1)                 # device 0, command 0, payload = the request block
  ecall                        # end the chunk: the host serves tohost now
3: ld t0, 0(s2)                # wait for the answer
  beqz t0, 3b
  CHECK t0, 1                  # device 0, command 0, payload 1
  sd zero, 0(s2)
  ld t0, 0(s0)
  CHECK t0, 13                 # the call's result: 13 bytes written
  ld t0, 0(s1)
  CHECK t0, 0                  # the host cleared tohost

  CASE 2                       # the console device prints one character
  li t0, (1 << 56) | (1 << 48) | 0x21
  sd t0, 0(s1)
  ecall
  ld t0, 0(s1)
  CHECK t0, 0
  EXIT_PASS

.section .data
.align 3
request: .zero 64
message: .ascii "hello, HTIF\n\n"
