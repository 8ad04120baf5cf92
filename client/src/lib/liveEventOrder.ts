import type { Exchange, OperationResult } from '@urql/core';
import { fromArray, makeSubject, merge, mergeMap, pipe, share, tap } from 'wonka';

/** A mutation that has not answered by then (a hung request) no longer holds the stream back. */
export const MAX_HOLD_MS = 10_000;

/**
 * Holds live-stream results back while one of this tab's own mutations is on its way, and lets
 * them through right after its answer. The server publishes a change before it answers the
 * mutation, so the stream's echo of this tab's own change often arrives first, while Graphcache
 * still shows the optimistic result under a temporary id: placed then, the echo would count the
 * task a second time. After the answer the task is already where it belongs and the echo
 * changes nothing. Other tabs' changes wait at most as long as the mutation.
 *
 * Sits after the cache exchange, so results pass through it on their way to the cache.
 */
export const liveEventOrderExchange: Exchange =
  ({ forward }) =>
  (operations$) => {
    // Counted per key: two identical mutations (same variables) share an operation key.
    const pending = new Map<number, number>();
    let held: OperationResult[] = [];
    let holdTimer: ReturnType<typeof setTimeout> | undefined;
    const released = makeSubject<OperationResult>();

    const takeHeld = (): OperationResult[] => {
      clearTimeout(holdTimer);
      holdTimer = undefined;
      const out = held;
      held = [];
      return out;
    };

    const settle = (key: number): OperationResult[] => {
      const left = (pending.get(key) ?? 0) - 1;
      if (left > 0) pending.set(key, left);
      else pending.delete(key);
      return pending.size === 0 ? takeHeld() : [];
    };

    // urql never tears a mutation down: each one answers once (or fails) on the results stream.
    const tracked$ = pipe(
      operations$,
      tap((operation) => {
        if (operation.kind === 'mutation') pending.set(operation.key, (pending.get(operation.key) ?? 0) + 1);
      }),
      share,
    );

    const results$ = pipe(
      forward(tracked$),
      mergeMap((result) => {
        const { kind, key } = result.operation;
        if (kind === 'subscription' && pending.size > 0) {
          held.push(result);
          holdTimer ??= setTimeout(() => {
            pending.clear();
            for (const late of takeHeld()) released.next(late);
          }, MAX_HOLD_MS);
          return fromArray<OperationResult>([]);
        }
        if (kind === 'mutation' && pending.has(key)) return fromArray([result, ...settle(key)]);
        return fromArray([result]);
      }),
    );

    return merge([results$, released.source]);
  };
