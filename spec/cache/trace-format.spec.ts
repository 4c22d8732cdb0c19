// Guessing a trace's format when --format is not given (libCacheSim's cachesim guesses oracleGeneral from the
// name; the extension and first line decide the rest). Expected values by inspection of each case.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { guessTraceFormat } from '../../src/cache/trace-format.ts'

test('a name naming oracleGeneral is oracleGeneral, whatever its extension', () => {
  assert.is(guessTraceFormat('/t/w44.oracleGeneral.bin', ''), 'oracleGeneral')
  assert.is(guessTraceFormat('cluster52.oracleGeneralBin.zst', ''), 'oracleGeneral')
})

test('.txt is one id a line', () => {
  assert.is(guessTraceFormat('golden/cache/zipf-scan-10k.txt', '17'), 'txt')
})

test('.csv with seven fields and Read/Write fourth is MSR Cambridge; other CSV is csv', () => {
  assert.is(guessTraceFormat('web_0.csv', '128166372003061629,web,0,Read,0,4096,500'), 'msr')
  assert.is(guessTraceFormat('web_0.csv', 'Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime'), 'msr')
  assert.is(guessTraceFormat('requests.csv', 'time,id,size'), 'csv')
})

test('anything else is not guessed', () => {
  assert.is(guessTraceFormat('trace.dat', '17'), undefined)
  assert.is(guessTraceFormat('trace', '17'), undefined)
})

test.run()
