// memvirt/machine, the README's example: load the demo's ELF on Spike's platform and run it to its HTIF
// exit with the fast engine. hvdemo.S exits with code 0 ((0 << 1) | 1 stored to tohost) once every check
// passes; the run is bounded by maxSteps. The path is the repository's (the installed package ships the
// same file at node_modules/memvirt/golden/programs/hvdemo.elf).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readme, readmeBlock } from './readme-block.ts'
// --- README example begins
import { readFileSync } from 'node:fs'
import { parseElf, parseIsa, loadMachine, run } from '../../src/machine/index.ts'

const isa = parseIsa('rv64imah_zicsr')
const elf = parseElf(readFileSync('golden/programs/hvdemo.elf'))
if (isa._tag === 'Left' || elf._tag === 'Left') throw new Error('bad ISA or ELF')
const loaded = loadMachine(isa.right, elf.right)            // Spike's platform: boot ROM, CLINT, 2 GiB RAM
if (loaded._tag === 'Left') throw new Error(loaded.left.message)
const r = run(loaded.right, { maxSteps: 1_000_000 })        // r.reason 'exit', r.machine.htif.exitCode 0
// --- README example ends

test('memvirt/machine: the demo ends by its HTIF exit command, code 0 (Spike\'s fesvr: tohost = (code << 1) | 1)', () => {
  assert.is(r.reason, 'exit')
  assert.is(r.machine.htif.exitCode, 0)
  assert.ok(r.steps < 1_000_000)
})
test('the README shows this example as written here', () => {
  assert.ok(readme().includes(readmeBlock(new URL(import.meta.url))))
})
test.run()
