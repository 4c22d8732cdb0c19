// Output files, as a user meets them (node src/cli/bin.mjs): a regular or new file is replaced atomically;
// a device node, a FIFO or a symbolic link is written in place and stays what it was; a bad output path is
// one line and exit 2 before any work, with nothing left behind; Ctrl-C (SIGINT) or SIGTERM during a long
// logged run leaves no temporary file. (Issue 13, defects 1 and 5.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'src/cli/bin.mjs')
const program = (name: string): string => join(root, 'golden/programs', name)
/** Spike's commit log of basics.elf (`spike --log-commits`): what `run --log-commits` must write. */
const spikeLog = readFileSync(program('basics.spike.commits'), 'utf8')
const isRoot = process.getuid?.() === 0

interface Run { code: number; stdout: string; stderr: string }
const memvirt = (args: readonly string[], cwd = root): Promise<Run> => new Promise((resolve) => {
  execFile(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
    resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }))
})
const fresh = (): string => mkdtempSync(join(tmpdir(), 'memvirt-output-'))
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Reads a FIFO with `cat` while `writer` runs; returns what was read. Should the writer never open the FIFO
 * (it replaced it, say), the reader is stopped 3 s after the writer ends.
 */
const readFifo = async (fifo: string, writer: Promise<Run>): Promise<{ run: Run; read: string }> => {
  const reader = execFile('cat', [fifo], { encoding: 'utf8', maxBuffer: 1 << 26 })
  let read = ''
  reader.stdout?.on('data', (s: string) => { read += s })
  const done = new Promise((r) => reader.on('close', r))
  const run = await writer
  const timeout = sleep(3000).then(() => 'timeout')
  if (await Promise.race([done, timeout]) === 'timeout') {
    reader.kill()
    await done
  }
  return { run, read }
}

/** One line on stderr naming the command, exit 2, no stack trace, nothing on stdout. */
const rejected = (r: Run, what: RegExp): void => {
  assert.is(r.code, 2, r.stderr)
  assert.is(r.stdout, '')
  assert.match(r.stderr, /^memvirt( [a-z]+)?: [^\n]*\n$/)
  assert.match(r.stderr, what)
}

test('a character device given as --log-commits is written in place and stays a device (mknod c 1 3 as root, else a FIFO)', async () => {
  const dir = fresh()
  const node = join(dir, 'x')
  if (isRoot) {
    // the same device as /dev/null, in a folder of our own: replacing it would turn it into a regular file
    execFileSync('mknod', [node, 'c', '1', '3'])
    const r = await memvirt(['run', program('basics.elf'), '--log-commits', node])
    assert.is(r.code, 0, r.stderr)
    assert.ok(lstatSync(node).isCharacterDevice(), 'mknod node: still a character device')
  } else {
    execFileSync('mkfifo', [node])
    const { run: r, read } = await readFifo(node, memvirt(['run', program('basics.elf'), '--log-commits', node]))
    assert.is(r.code, 0, r.stderr)
    assert.ok(lstatSync(node).isFIFO(), 'FIFO (not root, so no mknod): still a FIFO')
    assert.is(read, spikeLog)
  }
  assert.equal(readdirSync(dir), ['x'])
  rmSync(dir, { recursive: true })
})

test('a FIFO given as --log-commits: the reader gets Spike\'s log, the FIFO stays a FIFO, no temporary file', async () => {
  const dir = fresh()
  const fifo = join(dir, 'pipe')
  execFileSync('mkfifo', [fifo])
  const { run: r, read } = await readFifo(fifo, memvirt(['run', program('basics.elf'), '--log-commits', fifo]))
  assert.is(r.code, 0, r.stderr)
  assert.ok(lstatSync(fifo).isFIFO())
  assert.is(read, spikeLog)
  assert.equal(readdirSync(dir), ['pipe'])
  rmSync(dir, { recursive: true })
})

test('a symbolic link given as --log-commits is written through: the link stays, its target holds the log', async () => {
  const dir = fresh()
  writeFileSync(join(dir, 'target.log'), 'old contents, longer than nothing\n')
  symlinkSync(join(dir, 'target.log'), join(dir, 'link.log'))
  const r = await memvirt(['run', program('basics.elf'), '--log-commits', join(dir, 'link.log')])
  assert.is(r.code, 0, r.stderr)
  assert.ok(lstatSync(join(dir, 'link.log')).isSymbolicLink(), 'the link is still a link')
  assert.is(readFileSync(join(dir, 'target.log'), 'utf8'), spikeLog)
  assert.equal(readdirSync(dir).sort(), ['link.log', 'target.log'])
  rmSync(dir, { recursive: true })
})

test('-o through a link to /dev/stdout writes to standard output and leaves the link a link', async () => {
  const dir = fresh()
  const link = join(dir, 'stdout')
  symlinkSync('/dev/stdout', link)
  const [viaLink, plain] = await Promise.all([
    memvirt(['translate', join(root, 'golden/translate/sv39.json'), '-o', link]),
    memvirt(['translate', join(root, 'golden/translate/sv39.json')]),
  ])
  assert.is(viaLink.code, 0, viaLink.stderr)
  assert.ok(lstatSync(link).isSymbolicLink())
  assert.ok(plain.stdout.length > 0)
  assert.is(viaLink.stdout, plain.stdout)
  assert.equal(readdirSync(dir), ['stdout'])
  rmSync(dir, { recursive: true })
})

test('a regular file is replaced whole: the new contents under the name, no temporary sibling', async () => {
  const dir = fresh()
  const log = join(dir, 'basics.log')
  writeFileSync(log, 'x'.repeat(100_000))
  const r = await memvirt(['run', program('basics.elf'), '--log-commits', log])
  assert.is(r.code, 0, r.stderr)
  assert.is(readFileSync(log, 'utf8'), spikeLog)
  assert.equal(readdirSync(dir), ['basics.log'])
  rmSync(dir, { recursive: true })
})

/** Starts a long logged run, waits for its temporary file, sends `signal`, and returns what is left in the folder. */
const interrupted = async (signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; left: string[] }> => {
  const dir = fresh()
  const child = spawn(process.execPath, [bin, 'run', program('loop.elf'), '--max-insns', '1000000000', '--log-commits', join(dir, 'loop.log')],
    { cwd: root, stdio: 'ignore' })
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, sig) => r({ code, signal: sig })))
  for (let i = 0; i < 1000 && readdirSync(dir).length === 0; i++) await sleep(10)
  const temporaries = readdirSync(dir).filter((n) => n.endsWith('.tmp')).length
  child.kill(signal)
  const how = await ended
  assert.is(temporaries, 1, 'the run writes its log into a temporary file')
  // the clean-up runs as the process ends; give it a moment
  for (let i = 0; i < 300 && readdirSync(dir).length > 0; i++) await sleep(10)
  const left = readdirSync(dir)
  rmSync(dir, { recursive: true })
  return { ...how, left }
}

test('Ctrl-C (SIGINT) during `run --log-commits` ends the run and leaves no temporary file (and no partial log)', async () => {
  const r = await interrupted('SIGINT')
  assert.ok(r.signal === 'SIGINT' || r.code === 130, `ended by SIGINT (${r.signal ?? r.code})`)
  assert.equal(r.left, [])
})

test('SIGTERM during `run --log-commits` leaves no temporary file', async () => {
  const r = await interrupted('SIGTERM')
  assert.ok(r.signal === 'SIGTERM' || r.code === 143, `ended by SIGTERM (${r.signal ?? r.code})`)
  assert.equal(r.left, [])
})

// Defect 5: bad output paths are one line, exit 2, before the work, nothing left behind.
const badPaths = (() => {
  const dir = fresh()
  mkdirSync(join(dir, 'folder'))
  const missing = join(dir, 'no-such-dir', 'x')
  return {
    dir,
    runs: {
      plotMissingDir: memvirt(['alloc', '--plot', `${missing}.svg`], dir),
      emitWorkloadDir: memvirt(['alloc', '--emit-workload', join(dir, 'folder')], dir),
      emitTasksMissingDir: memvirt(['gpu', '--emit-tasks', `${missing}.csv`], dir),
      gpuPlotDir: memvirt(['gpu', '--plot', join(dir, 'folder')], dir),
      logCommitsDir: memvirt(['run', program('basics.elf'), '--log-commits', join(dir, 'folder')], dir),
      traceEmpty: memvirt(['run', program('basics.elf'), '--trace', ''], dir),
      sameFile: memvirt(['run', program('basics.elf'), '--trace', join(dir, 't'), '--log-commits', join(dir, 't')], dir),
      longRunBadTrace: memvirt(['run', program('loop.elf'), '--max-insns', '1000000000', '--trace', `${missing}.jsonl`], dir),
      cachePlotDir: memvirt(['cache', join(root, 'golden/cache/three-vms.msr.csv'), '--format', 'msr', '--size', '10', '--plot', join(dir, 'folder')], dir),
      translateOutputDir: memvirt(['translate', join(root, 'golden/translate/sv39.json'), '-o', join(dir, 'folder')], dir),
      demoTraceMissingDir: memvirt(['demo', '--trace', `${missing}.jsonl`], dir),
    },
  }
})()

test('alloc --plot into a missing folder: one line naming the file and ENOENT, exit 2', async () => {
  rejected(await badPaths.runs.plotMissingDir, /cannot write .*no-such-dir\/x\.svg: no such file or directory \(ENOENT\)/)
})

test('alloc --emit-workload naming a folder: "is a directory", exit 2', async () => {
  rejected(await badPaths.runs.emitWorkloadDir, /cannot write .*folder: is a directory \(EISDIR\)/)
})

test('gpu --emit-tasks into a missing folder and gpu --plot naming a folder: one line each, exit 2', async () => {
  rejected(await badPaths.runs.emitTasksMissingDir, /cannot write .*no-such-dir\/x\.csv: no such file or directory/)
  rejected(await badPaths.runs.gpuPlotDir, /cannot write .*folder: is a directory/)
})

test('run --log-commits naming a folder: one line, exit 2', async () => {
  rejected(await badPaths.runs.logCommitsDir, /cannot write .*folder: is a directory \(EISDIR\)/)
})

test('run --trace \'\': an empty file name is one line, exit 2', async () => {
  rejected(await badPaths.runs.traceEmpty, /--trace: expected a file name, got an empty one/)
})

test('run --trace and --log-commits naming the same file: one line, exit 2', async () => {
  rejected(await badPaths.runs.sameFile, /--log-commits and --trace name the same file/)
})

test('a bad --trace path is rejected before a 10⁹-step run starts (the run would take minutes)', async () => {
  const t0 = Date.now()
  rejected(await badPaths.runs.longRunBadTrace, /cannot write .*no-such-dir\/x\.jsonl: no such file or directory/)
  assert.ok(Date.now() - t0 < 60_000)
})

test('cache --plot, translate -o and demo --trace with bad paths: one line each, exit 2', async () => {
  rejected(await badPaths.runs.cachePlotDir, /cannot write .*folder: is a directory/)
  rejected(await badPaths.runs.translateOutputDir, /cannot write .*folder: is a directory/)
  rejected(await badPaths.runs.demoTraceMissingDir, /cannot write .*no-such-dir\/x\.jsonl: no such file or directory/)
})

test('after every rejected output path, the folder holds only what it held before (no temporary file, no output)', async () => {
  await Promise.all(Object.values(badPaths.runs))
  assert.equal(readdirSync(badPaths.dir), ['folder'])
  assert.equal(readdirSync(join(badPaths.dir, 'folder')), [])
  assert.not.ok(existsSync(join(badPaths.dir, 'no-such-dir')))
  rmSync(badPaths.dir, { recursive: true })
})

test.run()
