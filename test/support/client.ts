import { startServer, type RunningServer, type StartOptions } from './server.js';
import { randomUUID } from 'node:crypto';

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export interface GraphQLResponse<TData = Record<string, any>> {
  status: number;
  headers: Headers;
  data: TData | null | undefined;
  errors: GraphQLError[] | undefined;
  body: any;
}

export interface TestUser {
  id: string;
  name: string;
  email: string;
  password: string;
  sessionToken: string;
  jwt: string;
}

/** A small HTTP client for the real server: Better Auth endpoints and GraphQL, nothing mocked. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      // Browsers send Origin on every POST; Better Auth's CSRF defence requires it on sign-up.
      headers: { 'content-type': 'application/json', origin: this.baseUrl, ...headers },
      body: JSON.stringify(body),
    });
  }

  signUp(input: { name: string; email: string; password: string }) {
    return this.post('/api/auth/sign-up/email', input);
  }

  signIn(input: { email: string; password: string }) {
    return this.post('/api/auth/sign-in/email', input);
  }

  /** Exchanges a Better Auth session token (from `set-auth-token`) for a JWT. */
  async mintJwt(sessionToken: string): Promise<Response> {
    return fetch(`${this.baseUrl}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  }

  async jwtFor(sessionToken: string): Promise<string> {
    const response = await this.mintJwt(sessionToken);
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}: ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    return token;
  }

  /** Signs up a fresh user and returns its session token and a JWT. */
  async createUser(overrides: Partial<{ name: string; email: string; password: string }> = {}): Promise<TestUser> {
    const input = {
      name: overrides.name ?? 'Test User',
      email: overrides.email ?? `user-${randomUUID()}@example.com`,
      password: overrides.password ?? 'correct horse battery staple',
    };
    const response = await this.signUp(input);
    if (!response.ok) throw new Error(`sign-up failed ${response.status}: ${await response.text()}`);
    const sessionToken = response.headers.get('set-auth-token');
    if (!sessionToken) throw new Error('sign-up returned no set-auth-token header');
    const { user } = (await response.json()) as { user: { id: string } };
    return { ...input, id: user.id, sessionToken, jwt: await this.jwtFor(sessionToken) };
  }

  async graphql<TData = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<GraphQLResponse<TData>> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: response.status, headers: response.headers, data: body?.data, errors: body?.errors, body };
  }
}

export const codesOf = (response: Pick<GraphQLResponse<unknown>, 'errors'>) => (response.errors ?? []).map((error) => error.extensions?.code);

/** The common suite set-up: the real server, a client for it, and one signed-up user with a JWT. */
export async function startServerWithUser(options: StartOptions = {}): Promise<{ server: RunningServer; api: ApiClient; user: TestUser }> {
  const server = await startServer(options);
  const api = new ApiClient(server.url);
  try {
    return { server, api, user: await api.createUser() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
