import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';

export type SharedSubscribe = (args: ExecutionArgs) => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;

/**
 * A change reaches every live stream of its user in this process as one object (the event bus
 * publishes it once per user). Streams of the same user with the same document and variables —
 * a user's tabs and devices — would each execute the same selection on it and get the same
 * result: here the first executes it and the others receive that result (and, in sse.ts, its
 * encoded frame).
 *
 * `viewerKeyOf` names whose eyes a result was computed for; a result is only ever shared between
 * streams with the same key, so a stream never sees what another viewer's execution produced.
 * What a stream yields that is not an object (its end: token expired, session ended) is executed
 * for that stream alone. graphql-js's own `subscribe` does exactly this per event; only the
 * sharing is added.
 */
export function sharedSubscribe<TContext>(viewerKeyOf: (context: TContext) => string | undefined): SharedSubscribe {
  const documentIds = new WeakMap<DocumentNode, number>();
  let documentCount = 0;
  const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

  return async (args) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const viewerKey = viewerKeyOf(args.contextValue as TContext);
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) documentIds.set(args.document, (documentId = documentCount++));
    const sharingKey =
      viewerKey === undefined ? undefined : `${viewerKey}\0${documentId}\0${args.operationName ?? ''}\0${JSON.stringify(args.variableValues ?? {})}`;
    const executeOn = (event: unknown) => execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>;

    return mapAsyncIterator(source, (event) => {
      if (sharingKey === undefined || typeof event !== 'object' || event === null) return executeOn(event);
      let results = resultsByEvent.get(event);
      if (!results) resultsByEvent.set(event, (results = new Map()));
      let result = results.get(sharingKey);
      if (!result) results.set(sharingKey, (result = Promise.resolve(executeOn(event))));
      return result;
    });
  };
}

/** Yoga's subscriptions (those not served by streams.ts) subscribe through the same sharing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the constraint Yoga's Plugin puts on a context type
export function sharedSubscriptionResultsPlugin<TContext extends Record<string, any>>(subscribe: SharedSubscribe): Plugin<TContext> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe);
    },
  };
}
