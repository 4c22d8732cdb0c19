# memvirt golden ELF: a tiny bare-metal RV64 program for the ELF loader tests. It has three
# PT_LOAD segments (text, data, and a tohost page whose bss makes memsz > filesz) and the
# tohost/fromhost symbols Spike's HTIF looks up. It passes by writing 1 to tohost.
	.section .text.init, "ax", @progbits
	.globl	_start
_start:
	la	t0, message
	lw	t1, 0(t0)
	li	t2, 1
	la	t0, tohost
	sw	t2, 0(t0)
1:	j	1b

	.data
	.globl	message
message:
	.dword	0x1122334455667788
	.dword	0

	.section .tohost, "aw", @progbits
	.align	6
	.globl	tohost
tohost:	.dword	0
	.align	6
	.globl	fromhost
fromhost: .dword 0

	.bss
	.globl	scratch
scratch: .zero	256
