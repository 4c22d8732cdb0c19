// Bad or unusual input at the edge of the shell (issue 13, defects 2, 3, 6, 8 and 9, and the wording of
// ELF and compressed-trace errors): every reject is one line on stderr with exit status 2; nothing
// allocates in proportion to a number read from a file.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const dir = mkdtempSync(join(tmpdir(), 'memvirt-edges-'))
const file = (name: string, data: string | Uint8Array): string => { const p = join(dir, name); writeFileSync(p, data); return p }

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[], timeout = 300_000): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const rejected = (r: Run, what: RegExp): void => {
  assert.is(r.code, 2, r.stderr)
  assert.is(r.stdout, '')
  assert.match(r.stderr, /^memvirt( [a-z]+)?: [^\n]*\n$/)
  assert.match(r.stderr, what)
}

// ---- inputs ----------------------------------------------------------------------------------------

const folder = join(dir, 'a-folder')
mkdirSync(folder)
const trace30 = file('30.txt', Array.from({ length: 30 }, (_, i) => String((i * 7) % 11)).join('\n') + '\n')
/** vmcsv: a file of prose (lines starting with a letter, some with commas). */
const prose = file('prose.csv', 'This is not a block trace.\nIt has words, commas, and more words.\nvm,block,op\n')
const headed = file('headed.csv', 'vm,block,op\n0,1,R\n0,1,R\n1,2,W\n')
const misplacedHeader = file('misplaced.csv', '0,1,R\nvm,block,op\n')

/** basics.elf with its symbol `tohost` renamed `tohosx` in the string table (the name's bytes patched). */
const basics = readFileSync(join(root, 'golden/programs/basics.elf'))
const withoutTohost = (() => {
  const b = Buffer.from(basics)
  const name = Buffer.from('tohost\0', 'latin1')
  for (let at = b.indexOf(name); at !== -1; at = b.indexOf(name, at + 1)) b[at + 5] = 'x'.charCodeAt(0)
  return file('no-tohost.elf', b)
})()
/**
 * basics.elf with the physical address of its first PT_LOAD segment moved to 0x1000, below RAM. The
 * program header is found by the gABI: e_phoff at 0x20, e_phentsize at 0x36, e_phnum at 0x38, p_type at 0
 * of each 56-byte header (1 = PT_LOAD), p_paddr at 24.
 */
const { belowRam, loadHeader } = (() => {
  const b = Buffer.from(basics)
  const phoff = Number(b.readBigUInt64LE(0x20))
  const phentsize = b.readUInt16LE(0x36)
  const phnum = b.readUInt16LE(0x38)
  let ph = -1
  for (let i = 0; i < phnum && ph === -1; i++) if (b.readUInt32LE(phoff + i * phentsize) === 1) ph = phoff + i * phentsize
  b.writeBigUInt64LE(0x1000n, ph + 24)
  return { belowRam: file('below-ram.elf', b), loadHeader: ph }
})()

/** MSR lines: a 1 TiB read from byte 12288, and reads touching 2 and 3 blocks of 4 KiB (hand-worked below). */
const msrLine = (offset: number, size: number): string => `128166372000000000,web,0,Read,${offset},${size},500\n`
const tibRead = file('big.msr.csv', msrLine(12288, 2 ** 40))
// bytes 4095 … 4096 touch blocks 0 and 1; bytes 4095 … 8192 touch blocks 0, 1 and 2 (Size 4098 is just
// over one block, but the range straddles two block boundaries)
const twoBlocks = file('two.msr.csv', msrLine(4095, 2))
const threeBlocks = file('three.msr.csv', msrLine(4095, 4098))
const threeOnLine2 = file('three-on-2.msr.csv', msrLine(4095, 2) + msrLine(4095, 4098))
/** Killed after a minute: before the limit, the 1 TiB line replayed 2^28 blocks for many minutes. */
const MINUTE = 60_000

const runs = {
  tibCache: memvirt(['cache', tibRead, '--format', 'msr', '--size', '10'], MINUTE),
  tibBlock: memvirt(['blockcache', tibRead, '--format', 'msr', '--size', '64'], MINUTE),
  twoCache: memvirt(['cache', twoBlocks, '--format', 'msr', '--size', '10', '--max-request-blocks', '2']),
  twoBlock: memvirt(['blockcache', twoBlocks, '--format', 'msr', '--size', '64', '--max-request-blocks', '2', '--json']),
  threeCache: memvirt(['cache', threeBlocks, '--format', 'msr', '--size', '10', '--max-request-blocks', '2']),
  threeBlock: memvirt(['blockcache', threeBlocks, '--format', 'msr', '--size', '64', '--max-request-blocks', '2']),
  threeCacheLine2: memvirt(['cache', threeOnLine2, '--format', 'msr', '--size', '10', '--max-request-blocks', '2']),
  threeBlockLine2: memvirt(['blockcache', threeOnLine2, '--format', 'msr', '--size', '64', '--max-request-blocks', '2']),
  threeCacheRaised: memvirt(['cache', threeBlocks, '--format', 'msr', '--size', '10', '--max-request-blocks', '3']),
  limitRange: ['0', '4294967297', '1.5', 'abc', ''].flatMap((n) => [
    memvirt(['cache', twoBlocks, '--format', 'msr', '--size', '10', '--max-request-blocks', n]),
    memvirt(['blockcache', twoBlocks, '--format', 'msr', '--size', '64', '--max-request-blocks', n]),
  ]),
  limitCeiling: memvirt(['blockcache', twoBlocks, '--format', 'msr', '--size', '64', '--max-request-blocks', '4294967296']),
  fifoRatio: memvirt(['cache', trace30, '--format', 'txt', '--policy', 's3fifo', '--size', '10', '-e', 'fifo-size-ratio=1.5']),
  fifoRatioOne: memvirt(['cache', trace30, '--format', 'txt', '--policy', 's3fifo', '--size', '10', '-e', 'fifo-size-ratio=1']),
  fifoRatioOk: memvirt(['cache', trace30, '--format', 'txt', '--policy', 's3fifo', '--size', '10', '-e', 'fifo-size-ratio=0.5']),
  clockBits: memvirt(['cache', trace30, '--format', 'txt', '--policy', 'clock', '--size', '10', '-e', 'n-bit-counter=0']),
  objectKey: memvirt(['cache', trace30, '--format', 'txt', '--policy', 'clock', '--size', '10', '-e', 'toString=1']),
  folderTxt: memvirt(['cache', folder, '--format', 'txt', '--size', '10']),
  folderCsv: memvirt(['cache', folder, '--format', 'csv', '--size', '10']),
  folderMsr: memvirt(['cache', folder, '--format', 'msr', '--size', '10']),
  folderOracle: memvirt(['cache', folder, '--format', 'oracleGeneral', '--size', '10']),
  folderBlock: memvirt(['blockcache', folder, '--format', 'vmcsv', '--size', '10']),
  folderCheck: memvirt(['check', join(root, 'golden/programs/basics.elf'), '--against', folder]),
  prose: memvirt(['blockcache', prose, '--format', 'vmcsv', '--size', '10']),
  headed: memvirt(['blockcache', headed, '--format', 'vmcsv', '--size', '10', '--json']),
  misplacedHeader: memvirt(['blockcache', misplacedHeader, '--format', 'vmcsv', '--size', '10']),
  noTohost: memvirt(['run', withoutTohost, '--max-insns', '100000']),
  belowRam: memvirt(['run', belowRam]),
  zstd: memvirt(['cache', file('trace.oracleGeneral.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, ...new Array<number>(44).fill(0)])), '--format', 'oracleGeneral', '--size', '10']),
  gzip: memvirt(['cache', file('trace.txt.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), '--format', 'txt', '--size', '10']),
}

// ---- defect 2: a request's size is a size -----------------------------------------------------------

test('msr: one line asking for a 1 TiB read (2^28 blocks of 4 KiB) is refused before any replay, in one line naming the file, the line, Size and the limit 2^18: exit 2, nothing on stdout (cache and blockcache)', async () => {
  for (const [command, r] of [['cache', runs.tibCache], ['blockcache', runs.tibBlock]] as const) {
    const run = await r
    rejected(run, new RegExp(`^memvirt ${command}: .*big\\.msr\\.csv: line 1: Size 1099511627776 bytes from Offset 12288 span 268435456 blocks of 4096 bytes; a request may span at most 262144 \\(--max-request-blocks\\)\n$`))
  }
})

test('msr --max-request-blocks: a request of exactly the limit is replayed (2 blocks, limit 2: 2 requests); one block over is refused naming its line, also on line 2 after a replayed line, with nothing on stdout; raising the limit replays it', async () => {
  const two = await runs.twoCache
  assert.is(two.code, 0, two.stderr)
  assert.match(two.stdout, /^lru\s+10\s+2\s+2\s/m)
  const twoBlock = await runs.twoBlock
  assert.is(twoBlock.code, 0, twoBlock.stderr)
  assert.is((JSON.parse(twoBlock.stdout) as { total: { requests: number } }).total.requests, 2)
  const over = /: line 1: Size 4098 bytes from Offset 4095 span 3 blocks of 4096 bytes; a request may span at most 2 \(--max-request-blocks\)$/m
  rejected(await runs.threeCache, over)
  rejected(await runs.threeBlock, over)
  const overOn2 = /three-on-2\.msr\.csv: line 2: Size 4098 bytes from Offset 4095 span 3 blocks/
  rejected(await runs.threeCacheLine2, overOn2)
  rejected(await runs.threeBlockLine2, overOn2)
  const raised = await runs.threeCacheRaised
  assert.is(raised.code, 0, raised.stderr)
  assert.match(raised.stdout, /^lru\s+10\s+3\s+3\s/m)
})

test('--max-request-blocks is an integer from 1 to 2^32 (a disk has 2^32 block ids): 0, 2^32 + 1, 1.5, abc and nothing are one line, exit 2; 2^32 is accepted', async () => {
  for (const r of runs.limitRange) rejected(await r, /--max-request-blocks: expected an integer from 1 to 2\^32, got /)
  const ceiling = await runs.limitCeiling
  assert.is(ceiling.code, 0, ceiling.stderr)
})

test('blockcache msr: one line asking for a 1 TiB I/O, the limit raised to 2^32, streams its 2^28 blocks in bounded memory (RSS under 300 MB after 3 s of CPU, no V8 abort; the old list of blocks passed 500 MB by then)', async () => {
  if (!existsSync('/proc/self/stat')) return // the memory check reads Linux's /proc
  const tib = file('tib.msr', '128166372003061629,hm,0,Read,0,1099511627776,1331\n')
  const child = spawn(process.execPath, [bin, 'blockcache', tib, '--format', 'msr', '--size', '10', '--max-request-blocks', '4294967296'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (s: Buffer) => { stderr += s.toString() })
  let exit: { code: number | null; signal: string | null } | undefined
  child.on('exit', (code, signal) => { exit = { code, signal } })
  // CPU time, not wall time, so a loaded machine does not make the run look small: utime + stime are
  // fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s
  let maxRss = 0
  let cpu = 0
  for (let i = 0; i < 1200 && exit === undefined && cpu < 300; i++) {
    await new Promise((r) => setTimeout(r, 100))
    try {
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0)
      maxRss = Math.max(maxRss, kb * 1024)
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      cpu = Number(fields[11]) + Number(fields[12])
    } catch { /* the process has just ended */ }
  }
  const stillRunning = exit === undefined
  child.kill('SIGKILL')
  assert.ok(stillRunning, `still replaying after ${cpu / 100} s of CPU (ended: ${JSON.stringify(exit)}, ${stderr})`)
  assert.ok(maxRss < 300 * 2 ** 20, `RSS ${maxRss} bytes after ${cpu / 100} s of CPU`)
})

// ---- defect 3: parameter ranges ----------------------------------------------------------------------

test('S3-FIFO fifo-size-ratio lies in (0, 1): 1.5 and 1 are one line, exit 2 (1.5 used to evict for ever)', async () => {
  rejected(await runs.fifoRatio, /--eviction-params: fifo-size-ratio of s3fifo must be a number in \(0, 1\), got 1\.5/)
  rejected(await runs.fifoRatioOne, /fifo-size-ratio of s3fifo must be a number in \(0, 1\), got 1$/m)
})

test('S3-FIFO fifo-size-ratio 0.5 is accepted: 30 requests replayed', async () => {
  const r = await runs.fifoRatioOk
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^s3fifo\s+10\s+30\s/m)
})

test('CLOCK n-bit-counter is an integer from 1 to 31 (libCacheSim keeps 2^n − 1 in a C int)', async () => {
  rejected(await runs.clockBits, /n-bit-counter of clock must be an integer from 1 to 31, got 0/)
})

test('a key every JS object has (toString) is no policy parameter', async () => {
  rejected(await runs.objectKey, /--eviction-params: no chosen policy has parameter toString/)
})

// ---- defect 6: a folder is not a trace ---------------------------------------------------------------

test('a folder given as the trace: one line "is a directory" in every cache format, blockcache and check', async () => {
  for (const r of [runs.folderTxt, runs.folderCsv, runs.folderMsr, runs.folderOracle, runs.folderBlock, runs.folderCheck]) {
    rejected(await r, /cannot read .*a-folder: is a directory \(EISDIR\)/)
  }
})

// ---- defect 8: vmcsv -----------------------------------------------------------------------------------

test('vmcsv: a file of prose is an error naming its line, not 0 requests', async () => {
  rejected(await runs.prose, /prose\.csv: line 1: /)
})

test('vmcsv: a header of three names on line 1 is skipped; the records after it are read', async () => {
  const r = await runs.headed
  assert.is(r.code, 0, r.stderr)
  assert.is((JSON.parse(r.stdout) as { total: { requests: number } }).total.requests, 3)
})

test('vmcsv: a header anywhere but line 1 is an error naming that line', async () => {
  rejected(await runs.misplacedHeader, /misplaced\.csv: line 2: /)
})

// ---- defect 9 and ELF wording ----------------------------------------------------------------------------

test('run: an ELF without a tohost symbol is one line, exit 2 (it could never exit)', async () => {
  rejected(await runs.noTohost, /no-tohost\.elf: no `tohost` symbol/)
})

test('run: a PT_LOAD segment outside RAM names the byte offset of its program header', async () => {
  rejected(await runs.belowRam, new RegExp(`below-ram\\.elf: byte ${loadHeader} \\(program header, PT_LOAD\\): segment at 0x1000 .* lies outside RAM 0x80000000\\.\\.`))
})

// ---- compressed traces ---------------------------------------------------------------------------------------

test('a zstd-compressed trace is decompressed as libCacheSim does; a frame cut short is one line naming the compressed byte offset', async () => {
  rejected(await runs.zstd, /trace\.oracleGeneral\.zst: zstd: compressed byte offset 48: unexpected EOF/)
})

test('a gzip-compressed trace is recognised by its magic 1f 8b', async () => {
  rejected(await runs.gzip, /trace\.txt\.gz: byte 0: gzip-compressed/)
})

test.run()
