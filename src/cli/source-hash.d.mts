// Types of source-hash.mjs (plain JavaScript, run by bin.mjs before any TypeScript loader exists).
/** The path of the CLI bundle build.mjs writes. */
export declare const BUNDLE: string
/** The first line of the bundle starts with this, followed by the hash of the sources it was built from. */
export declare const HASH_LINE: string
/** The name every chunk of the bundle starts with (memvirt.chunk-HASH.mjs, beside it). */
export declare const CHUNK_PREFIX: string
/** The hash of every TypeScript source under src/ (paths and contents, in sorted order). */
export declare const sourceHash: () => string
/** The second line of the bundle starts with this, followed by the stamp of the sources it was built from. */
export declare const STAMP_LINE: string
/** A stamp of every TypeScript source under src/ (paths, sizes, inodes, mtimes in ns, as text): reads no file. */
export declare const sourceStamp: () => string
