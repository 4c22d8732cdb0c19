// The one `Either` of memvirt: fp-ts's type and functions, re-exported so every file imports them
// from here. `left`, `right`, `isLeft` and `isRight` are built directly: they have exactly the
// shapes fp-ts makes ({ _tag, left } and { _tag, right }), so every fp-ts function accepts them, and
// building them here avoids a call through fp-ts's CommonJS exports on the translation hot path.
import type { Either, Left, Right } from 'fp-ts/lib/Either.js'

export type { Either, Left, Right }
export { map, mapLeft, chain, flatMap, fold, match, getOrElse, fromNullable } from 'fp-ts/lib/Either.js'

export const left = <E, A = never>(e: E): Either<E, A> => ({ _tag: 'Left', left: e })
export const right = <A, E = never>(a: A): Either<E, A> => ({ _tag: 'Right', right: a })
export const isLeft = <E, A>(x: Either<E, A>): x is Left<E> => x._tag === 'Left'
export const isRight = <E, A>(x: Either<E, A>): x is Right<A> => x._tag === 'Right'
