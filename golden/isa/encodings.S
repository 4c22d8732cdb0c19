# memvirt golden encodings: one instruction per line, covering every RV64IMAC + Zicsr + Zifencei +
# privileged + H opcode and format, with edge immediates. Assembled by build.sh; the assembler and
# objdump are the reference for the expected words and texts (encodings.txt).
# Written for memvirt from the ISA manuals; no code copied from other projects.

	.option	norelax
	.text
	.globl	_start
_start:
	.option	norvc
# ---- RV64I: U-type (lui, auipc) ------------------------------------------------------------
	lui	a0, 0
	lui	a0, 0xfffff
	lui	t6, 0x80000
	lui	ra, 0x7ffff
	lui	zero, 0x12345
	auipc	a1, 0x12345
	auipc	t0, 0
	auipc	s11, 0xfffff
# ---- J-type (jal) and jalr -----------------------------------------------------------------
back_j:
	jal	ra, back_j
	jal	zero, fwd_j
	jal	t0, fwd_j
	jal	ra, . + 0xffffe
	jal	zero, . - 0x100000
	jal	a0, . + 2
fwd_j:
	jalr	zero, 0(ra)
	jalr	zero, 0(a0)
	jalr	ra, 0(a0)
	jalr	ra, 8(a0)
	jalr	t1, -2048(t2)
	jalr	zero, 2047(s0)
	jalr	a5, 0(a6)
# ---- B-type (branches) ---------------------------------------------------------------------
back_b:
	beq	a0, a1, back_b
	bne	a0, a1, fwd_b
	blt	s0, s1, fwd_b
	bge	t3, t4, back_b
	bltu	a2, a3, fwd_b
	bgeu	a4, a5, back_b
	beq	a0, zero, fwd_b
	bne	a0, zero, fwd_b
	blt	a0, zero, fwd_b
	bge	a0, zero, fwd_b
	blt	zero, a0, fwd_b
	bge	zero, a0, fwd_b
	beq	zero, a0, fwd_b
	beq	t0, t1, . + 4094
	bne	t0, t1, . - 4096
	bltu	x31, x30, . + 2
fwd_b:
# ---- Loads and stores (I-type and S-type immediates) ---------------------------------------
	lb	a0, 0(a1)
	lh	a0, -2048(a1)
	lw	a0, 2047(a1)
	ld	t6, -1(sp)
	lbu	s2, 1(s3)
	lhu	s4, 100(gp)
	lwu	s5, -100(tp)
	ld	zero, 8(zero)
	sb	a0, 0(a1)
	sh	a2, -2048(a3)
	sw	a4, 2047(a5)
	sd	ra, -1(sp)
	sd	t6, 1024(x31)
	sw	zero, -33(s0)
# ---- I-type arithmetic ---------------------------------------------------------------------
	addi	zero, zero, 0
	addi	a0, zero, 5
	addi	a0, zero, -2048
	addi	a0, a1, 0
	addi	a0, a1, 2047
	addi	sp, sp, -16
	addi	zero, a0, 1
	slti	a0, a1, -1
	slti	a0, a1, 2047
	sltiu	a0, a1, 1
	sltiu	a0, a1, -1
	sltiu	a0, a1, 2
	xori	a0, a1, -1
	xori	a0, a1, 0x555
	ori	a0, a1, -2048
	ori	a0, a1, 0
	andi	a0, a1, 0xff
	andi	a0, a1, -1
	addiw	a0, a1, 0
	addiw	a0, a1, -2048
	addiw	a0, a1, 2047
	addiw	zero, zero, 1
# ---- Shifts by immediate -------------------------------------------------------------------
	slli	a0, a1, 0
	slli	a0, a1, 1
	slli	a0, a1, 31
	slli	a0, a1, 32
	slli	a0, a1, 63
	srli	a0, a1, 0
	srli	a0, a1, 63
	srai	a0, a1, 1
	srai	a0, a1, 63
	slliw	a0, a1, 0
	slliw	a0, a1, 31
	srliw	a0, a1, 17
	sraiw	a0, a1, 31
	sraiw	t0, t1, 0
# ---- R-type --------------------------------------------------------------------------------
	add	a0, a1, a2
	sub	a0, a1, a2
	sll	a0, a1, a2
	slt	a0, a1, a2
	sltu	a0, a1, a2
	xor	a0, a1, a2
	srl	a0, a1, a2
	sra	a0, a1, a2
	or	a0, a1, a2
	and	a0, a1, a2
	addw	t0, t1, t2
	subw	t0, t1, t2
	sllw	t0, t1, t2
	srlw	t0, t1, t2
	sraw	t0, t1, t2
	sub	a0, zero, a1
	subw	a0, zero, a1
	sltu	a0, zero, a1
	slt	a0, a1, zero
	slt	a0, zero, a1
	add	zero, ra, sp
	add	s10, s11, t6
	or	x31, x0, x1
# ---- M -------------------------------------------------------------------------------------
	mul	a0, a1, a2
	mulh	a0, a1, a2
	mulhsu	a0, a1, a2
	mulhu	a0, a1, a2
	div	a0, a1, a2
	divu	a0, a1, a2
	rem	a0, a1, a2
	remu	a0, a1, a2
	mulw	s0, s1, s2
	divw	s0, s1, s2
	divuw	s0, s1, s2
	remw	s0, s1, s2
	remuw	s0, s1, s2
# ---- A: LR/SC and AMOs with every aq/rl combination ------------------------------------------
	lr.w	a0, (a1)
	lr.w.aq	a0, (a1)
	lr.w.rl	a0, (a1)
	lr.w.aqrl	a0, (a1)
	lr.d	t0, (sp)
	lr.d.aq	t0, (sp)
	sc.w	a0, a2, (a1)
	sc.w.rl	a0, a2, (a1)
	sc.d	a0, a2, (a1)
	sc.d.aqrl	a0, a2, (a1)
	amoswap.w	a0, a2, (a1)
	amoswap.w.aq	a0, a2, (a1)
	amoadd.w	a0, a2, (a1)
	amoadd.w.rl	a0, a2, (a1)
	amoxor.w	a0, a2, (a1)
	amoand.w	a0, a2, (a1)
	amoor.w	a0, a2, (a1)
	amomin.w	a0, a2, (a1)
	amomax.w	a0, a2, (a1)
	amominu.w	a0, a2, (a1)
	amomaxu.w.aqrl	a0, a2, (a1)
	amoswap.d	zero, a2, (a1)
	amoadd.d	a0, a2, (a1)
	amoxor.d.aq	a0, a2, (a1)
	amoand.d	a0, a2, (a1)
	amoor.d.rl	a0, a2, (a1)
	amomin.d	a0, a2, (a1)
	amomax.d	a0, a2, (a1)
	amominu.d	a0, a2, (a1)
	amomaxu.d	t6, t5, (t4)
# ---- Fences (FENCE, FENCE.TSO, FENCE.I) ------------------------------------------------------
	fence
	fence	rw, rw
	fence	r, w
	fence	w, r
	fence	i, o
	fence	io, rw
	fence	iorw, r
	fence.tso
	fence.i
# ---- Zicsr ---------------------------------------------------------------------------------
	csrrw	a0, mstatus, a1
	csrrs	a0, mstatus, zero
	csrrs	a0, mstatus, a1
	csrrc	a0, mie, a1
	csrrw	zero, mtvec, a1
	csrrs	zero, mip, a1
	csrrc	zero, mip, a1
	csrrwi	a0, mscratch, 31
	csrrsi	a0, sstatus, 0
	csrrci	a0, sstatus, 1
	csrrwi	zero, mepc, 5
	csrrsi	zero, mstatus, 8
	csrrci	zero, mstatus, 8
	csrrs	a0, cycle, zero
	csrrs	a0, time, zero
	csrrs	a0, instret, zero
	csrrs	a0, mcycle, zero
	csrrs	a0, mhartid, zero
	csrrs	a0, misa, zero
	csrrs	a0, mvendorid, zero
	csrrs	a0, marchid, zero
	csrrs	a0, mimpid, zero
	csrrw	a0, medeleg, a1
	csrrw	a0, mideleg, a1
	csrrw	a0, mcause, a1
	csrrw	a0, mtval, a1
	csrrw	a0, mcounteren, a1
	csrrw	a0, menvcfg, a1
	csrrw	a0, mtval2, a1
	csrrw	a0, mtinst, a1
	csrrw	a0, pmpcfg0, a1
	csrrw	a0, pmpcfg2, a1
	csrrw	a0, pmpaddr0, a1
	csrrw	a0, pmpaddr15, a1
	csrrw	a0, tselect, a1
	csrrw	a0, tdata1, a1
	csrrw	a0, tdata2, a1
	csrrw	a0, tdata3, a1
	csrrw	a0, sie, a1
	csrrw	a0, stvec, a1
	csrrw	a0, scounteren, a1
	csrrw	a0, senvcfg, a1
	csrrw	a0, sscratch, a1
	csrrw	a0, sepc, a1
	csrrw	a0, scause, a1
	csrrw	a0, stval, a1
	csrrw	a0, sip, a1
	csrrw	a0, satp, a1
	csrrw	a0, hstatus, a1
	csrrw	a0, hedeleg, a1
	csrrw	a0, hideleg, a1
	csrrw	a0, hie, a1
	csrrw	a0, hcounteren, a1
	csrrw	a0, hgeie, a1
	csrrw	a0, htval, a1
	csrrw	a0, hip, a1
	csrrw	a0, hvip, a1
	csrrw	a0, htinst, a1
	csrrw	a0, hgatp, a1
	csrrw	a0, henvcfg, a1
	csrrw	a0, htimedelta, a1
	csrrs	a0, hgeip, zero
	csrrw	a0, vsstatus, a1
	csrrw	a0, vsie, a1
	csrrw	a0, vstvec, a1
	csrrw	a0, vsscratch, a1
	csrrw	a0, vsepc, a1
	csrrw	a0, vscause, a1
	csrrw	a0, vstval, a1
	csrrw	a0, vsip, a1
	csrrw	a0, vsatp, a1
	csrrw	a0, 0x7c0, a1
	csrrs	a0, 0xfff, zero
	csrrw	zero, cycle, zero
# ---- Privileged and trap-return instructions ------------------------------------------------
	ecall
	ebreak
	sret
	mret
	wfi
	sfence.vma
	sfence.vma	a0
	sfence.vma	a0, a1
	sfence.vma	zero, a1
# ---- Hypervisor extension ------------------------------------------------------------------
	hfence.vvma
	hfence.vvma	a0
	hfence.vvma	a0, a1
	hfence.gvma
	hfence.gvma	a0, a1
	hfence.gvma	zero, a1
	hlv.b	a0, (a1)
	hlv.bu	a0, (a1)
	hlv.h	a0, (a1)
	hlv.hu	a0, (a1)
	hlvx.hu	a0, (a1)
	hlv.w	a0, (a1)
	hlv.wu	a0, (a1)
	hlvx.wu	a0, (a1)
	hlv.d	t6, (sp)
	hsv.b	a2, (a1)
	hsv.h	a2, (a1)
	hsv.w	a2, (a1)
	hsv.d	t6, (sp)
# ---- C: every RV64C form, with edge immediates (explicit c. mnemonics) -----------------------
	.option	rvc
c_start:
	c.addi4spn	s0, sp, 4
	c.addi4spn	a5, sp, 1020
	c.addi4spn	a0, sp, 16
	c.lw	a5, 0(a0)
	c.lw	s0, 124(s1)
	c.ld	a5, 0(a0)
	c.ld	s1, 248(a5)
	c.sw	a4, 0(a2)
	c.sw	s0, 124(a3)
	c.sd	a4, 0(a2)
	c.sd	s0, 248(a3)
	c.nop
	c.addi	a0, 1
	c.addi	a0, -32
	c.addi	sp, 31
	c.addiw	a0, 0
	c.addiw	t6, -32
	c.addiw	a1, 31
	c.li	a0, 0
	c.li	a0, -32
	c.li	ra, 31
	c.addi16sp	sp, -512
	c.addi16sp	sp, 496
	c.addi16sp	sp, 16
	c.lui	a0, 1
	c.lui	ra, 0x1f
	c.lui	t6, 0xfffe0
	c.lui	s0, 0xfffff
	c.srli	s0, 1
	c.srli	a5, 63
	c.srli	a0, 32
	c.srai	s1, 1
	c.srai	a4, 63
	c.andi	a0, 0
	c.andi	a0, -32
	c.andi	s0, 31
	c.sub	a0, a1
	c.xor	s0, s1
	c.or	a4, a5
	c.and	a2, a3
	c.subw	a0, a1
	c.addw	s0, a5
c_back:
	c.j	c_back
	c.j	c_fwd
	c.beqz	a0, c_back
	c.bnez	s1, c_fwd
	c.beqz	a5, c_fwd
c_fwd:
	c.slli	a0, 1
	c.slli	t6, 63
	c.slli	ra, 32
	c.lwsp	a0, 0(sp)
	c.lwsp	ra, 252(sp)
	c.ldsp	a0, 0(sp)
	c.ldsp	t6, 504(sp)
	c.jr	ra
	c.jr	a0
	c.mv	a0, a1
	c.mv	t6, ra
	c.ebreak
	c.jalr	a0
	c.jalr	ra
	c.add	a0, a1
	c.add	sp, t6
	c.swsp	a0, 0(sp)
	c.swsp	ra, 252(sp)
	c.sdsp	a0, 0(sp)
	c.sdsp	t6, 504(sp)
# Compressed edge immediates of c.j / c.beqz given as raw parcels (the assembler would relax them).
	.insn	2, 0xb001	# c.j with offset -2048
	.insn	2, 0xaffd	# c.j with offset +2046
	.insn	2, 0xd001	# c.beqz s0 with offset -256
	.insn	2, 0xeffd	# c.bnez a5 with offset +254
# HINT encodings (legal, execute as no-ops): c.addi x0 / c.li x0 / c.slli with shamt 0.
	.insn	2, 0x0005	# c.addi x0, 1 (HINT)
	.insn	2, 0x4005	# c.li x0, 1 (HINT)
	.insn	2, 0x0502	# c.slli a0, 0 (HINT in RV64)
	.insn	2, 0x8101	# c.srli a0, 0 (HINT in RV64)
	.option	norvc
	.align	2
# Raw 32-bit words the assembler has no syntax for.
	.insn	4, 0x0100000f	# fence w,0 (pause hint)
	.insn	4, 0x8330000f	# fence.tso
	.insn	4, 0x0000100f	# fence.i
	.insn	4, 0xc0001073	# csrrw zero, cycle, zero (unimp)
	.option	rvc
	c.nop		# ends the section on a 4-byte boundary (no padding parcel)
