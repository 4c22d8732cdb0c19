// Which trace format a file is in when `--format` is not given, as libCacheSim guesses it: from the name
// (an `oracleGeneral` file: libCacheSim's verify_trace_type looks for "oracleGeneralBin"/"oracleGeneral.bin"),
// else from the extension (.txt: one id a line) and, for .csv, from the first line: MSR Cambridge lines have
// seven fields with Read or Write fourth; other CSV is libCacheSim's csv format.
import { type TraceFormat } from './trace.ts'

/** The format of the trace at `name` whose first line is `firstLine`, or undefined when neither tells. */
export const guessTraceFormat = (name: string, firstLine: string): TraceFormat | undefined => {
  const base = name.split('/').pop() ?? name
  if (/oraclegeneral/i.test(base)) return 'oracleGeneral'
  if (/\.txt$/i.test(base)) return 'txt'
  if (/\.csv$/i.test(base)) {
    const f = firstLine.split(',').map((x) => x.trim())
    return f.length === 7 && /^(read|write|type)$/i.test(f[3]!) ? 'msr' : 'csv'
  }
  return undefined
}
