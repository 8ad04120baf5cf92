// Reference servers for the bench's ceiling rows (issue 15), each the least code that does the
// same work as a Taskfort row, so a Taskfort row's ratio to its ceiling says what our stack costs:
//   0  bare node:http answering {"data":{"__typename":"Query"}}
//   Y  bare graphql-yoga, a one-field schema, no plugins (Yoga's own floor); it also serves the
//      taskEvents subscription shape with a stream that never yields, over Yoga's own SSE
//      transport: the floor of a live stream (row SY)
//   E  node:http + the same driver (better-sqlite3 / pg) running the list's SQL; the bearer JWT
//      verified once with jose against the server's JWKS, then remembered; JSON.stringify
//   W  the same for createTask (the quota-checked INSERT … RETURNING) and toggleTask (UPDATE … RETURNING)
// Started by bench/run.ts: `node --import tsx bench/ceilings.ts <port> <json options>`; prints
// "ready" once listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createSchema, createYoga } from 'graphql-yoga';
import pg from 'pg';

export interface CeilingOptions {
  kind: 'bare' | 'yoga' | 'raw';
  /** For 'raw': the database (file: URL or postgresql:// URL) and how to check tokens. */
  databaseUrl?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  maxTasksPerUser?: number;
}

const TYPENAME_ANSWER = '{"data":{"__typename":"Query"}}';

/** A subscription source that stays open and never yields, until the client goes away. */
const idleStream = (): AsyncIterable<never> => ({
  [Symbol.asyncIterator]: () => ({
    next: () => new Promise<IteratorResult<never>>(() => {}),
    return: () => Promise.resolve({ done: true, value: undefined }),
  }),
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.once('end', () => resolve(body));
    req.once('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface TaskRow {
  id: string;
  title: string;
  description: string | null;
  completed: boolean | number;
  priority: number;
  dueDate: string | null;
  createdAt: string | Date;
  updatedAt: string | Date;
}

const PRIORITY = ['LOW', 'MEDIUM', 'HIGH'];
const iso = (value: string | Date) => (value instanceof Date ? value : new Date(value)).toISOString();
const taskJson = (row: TaskRow) => ({
  id: row.id,
  title: row.title,
  description: row.description,
  completed: Boolean(row.completed),
  priority: PRIORITY[row.priority],
  dueDate: row.dueDate,
  createdAt: iso(row.createdAt),
  updatedAt: iso(row.updatedAt),
});
const COLUMNS = `"id", "title", "description", "completed", "priority", "dueDate", "createdAt", "updatedAt"`;

/** The three statements of the raw rows, for one driver. */
interface RawDatabase {
  listPage(userId: string, take: number): Promise<TaskRow[]>;
  createTask(userId: string, id: string, title: string, description: string | null, priority: number, max: number): Promise<TaskRow | undefined>;
  toggleTask(userId: string, id: string): Promise<TaskRow | undefined>;
}

function sqliteDatabase(url: string): RawDatabase {
  const db = new Database(url.slice('file:'.length), { timeout: 10_000 });
  db.pragma('journal_mode = WAL');
  const list = db.prepare<[string, number], TaskRow>(`SELECT ${COLUMNS} FROM "task" WHERE "userId" = ? ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`);
  const create = db.prepare<unknown[], TaskRow>(
    `INSERT INTO "task" ("id", "title", "description", "priority", "createdAt", "updatedAt", "userId")
     SELECT ?, ?, ?, ?, ?, ?, "id" FROM "user" WHERE "id" = ? AND "taskCount" < ? RETURNING ${COLUMNS}`,
  );
  const toggle = db.prepare<unknown[], TaskRow>(
    `UPDATE "task" SET "completed" = NOT "completed", "updatedAt" = ? WHERE "id" = ? AND "userId" = ? RETURNING ${COLUMNS}`,
  );
  const now = () => new Date().toISOString().replace('Z', '+00:00');
  return {
    listPage: async (userId, take) => list.all(userId, take),
    createTask: async (userId, id, title, description, priority, max) => {
      const stamp = now();
      return create.get(id, title, description, priority, stamp, stamp, userId, max);
    },
    toggleTask: async (userId, id) => toggle.get(now(), id, userId),
  };
}

function postgresDatabase(url: string): RawDatabase {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // Named statements: prepared once per connection, as a hand-written server would do.
  const run = async (name: string, text: string, values: unknown[]) => (await pool.query<TaskRow>({ name, text, values })).rows;
  return {
    listPage: (userId, take) => run('list', `SELECT ${COLUMNS} FROM "task" WHERE "userId" = $1 ORDER BY "createdAt" DESC, "id" DESC LIMIT $2`, [userId, take]),
    createTask: async (userId, id, title, description, priority, max) =>
      (
        await run(
          'create',
          `INSERT INTO "task" ("id", "title", "description", "priority", "createdAt", "updatedAt", "userId")
           SELECT $1, $2, $3, $4, now(), now(), "id" FROM "user" WHERE "id" = $5 AND "taskCount" < $6 FOR UPDATE RETURNING ${COLUMNS}`,
          [id, title, description, priority, userId, max],
        )
      )[0],
    toggleTask: async (userId, id) =>
      (
        await run('toggle', `UPDATE "task" SET "completed" = NOT "completed", "updatedAt" = now() WHERE "id" = $1 AND "userId" = $2 RETURNING ${COLUMNS}`, [
          id,
          userId,
        ])
      )[0],
  };
}

async function rawHandler(options: CeilingOptions) {
  const db = options.databaseUrl!.startsWith('file:') ? sqliteDatabase(options.databaseUrl!) : postgresDatabase(options.databaseUrl!);
  const jwks = createLocalJWKSet((await (await fetch(options.jwksUrl!)).json()) as Parameters<typeof createLocalJWKSet>[0]);
  const knownTokens = new Map<string, string>();
  const viewerOf = async (req: IncomingMessage): Promise<string | undefined> => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    const known = knownTokens.get(token);
    if (known) return known;
    const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience, algorithms: ['EdDSA'] });
    knownTokens.set(token, payload.sub!);
    return payload.sub;
  };
  return async (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.parse(await readBody(req)) as { query: string; variables?: Record<string, unknown> };
    const userId = await viewerOf(req).catch(() => undefined);
    if (!userId) return sendJson(res, 401, '{"errors":[{"message":"unauthenticated"}]}');
    const variables = body.variables ?? {};
    if (body.query.includes('createTask')) {
      const input = variables.input as { title: string; description?: string; priority?: string };
      const row = await db.createTask(
        userId,
        randomUUID(),
        input.title,
        input.description ?? null,
        Math.max(0, PRIORITY.indexOf(input.priority ?? 'MEDIUM')),
        options.maxTasksPerUser ?? 1e9,
      );
      return sendJson(res, 200, JSON.stringify(row ? { data: { createTask: taskJson(row) } } : { errors: [{ message: 'limit' }] }));
    }
    if (body.query.includes('toggleTask')) {
      const row = await db.toggleTask(userId, String(variables.id));
      return sendJson(res, 200, JSON.stringify(row ? { data: { toggleTask: taskJson(row) } } : { errors: [{ message: 'not found' }] }));
    }
    const first = Number(variables.first ?? 20);
    const rows = await db.listPage(userId, first + 1);
    const edges = rows.slice(0, first).map((row) => ({ cursor: Buffer.from(`GPC:S:${row.id}`).toString('base64'), node: taskJson(row) }));
    return sendJson(
      res,
      200,
      JSON.stringify({ data: { tasks: { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } } } }),
    );
  };
}

async function main() {
  const port = Number(process.argv[2]);
  const options = JSON.parse(process.argv[3] ?? '{}') as CeilingOptions;
  let server;
  if (options.kind === 'bare') {
    server = createServer((req, res) => {
      req.resume();
      req.once('end', () => sendJson(res, 200, TYPENAME_ANSWER));
    });
  } else if (options.kind === 'yoga') {
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: `type Query { hello: String }
          type Task { id: ID! title: String! completed: Boolean! }
          type TaskEvent { kind: String! taskId: ID! at: String! task: Task }
          type Subscription { taskEvents: TaskEvent! }`,
        resolvers: {
          Query: { hello: () => 'world' },
          Subscription: { taskEvents: { subscribe: idleStream, resolve: (event: unknown) => event } },
        },
      }),
      logging: false,
      graphiql: false,
    });
    server = createServer(yoga);
  } else {
    const handle = await rawHandler(options);
    server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => sendJson(res, 500, JSON.stringify({ errors: [{ message: String(error) }] })));
    });
  }
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

await main();
