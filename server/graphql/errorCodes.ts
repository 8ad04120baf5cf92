import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const LIMIT_MESSAGE = /(depth|aliases|directives|token) limit/i;
const VARIABLE_MESSAGE = /^Variable "\$([^"]+)"/;

function withCode(error: GraphQLError, code: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code, ...extra },
  });
}

/** A variable of the wrong type is the client's: BAD_USER_INPUT naming it, HTTP 400. */
export function withVariableCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  const variable = VARIABLE_MESSAGE.exec(error.message);
  return variable ? withCode(error, 'BAD_USER_INPUT', { field: variable[1], http: { status: 400 } }) : error;
}

/**
 * graphql-js reports invalid documents and variables with a message only. Every error a client
 * receives carries `extensions.code`: QUERY_TOO_COMPLEX for a cost limit, GRAPHQL_VALIDATION_FAILED
 * for an invalid document, BAD_USER_INPUT (naming the variable, HTTP 400) for a variable of the
 * wrong type.
 */
export const errorCodesPlugin: Plugin = {
  // GET (and form-encoded POST) parameters are parsed with a bare JSON.parse: `variables=%7Bbad`
  // surfaced as an unexpected error (500, logged as a server fault). It is the client's: 400, as
  // Yoga answers a JSON body that does not parse.
  onRequestParse({ requestParser, setRequestParser }) {
    if (!requestParser) return;
    const parse = requestParser;
    setRequestParser(async (request) => {
      try {
        return await parse(request);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        throw new GraphQLError('The variables or extensions parameter is not valid JSON.', {
          extensions: { code: 'BAD_REQUEST', http: { spec: true, status: 400 } },
        });
      }
    });
  },
  onValidate() {
    return ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((error) =>
          error.extensions?.code ? error : withCode(error, LIMIT_MESSAGE.test(error.message) ? 'QUERY_TOO_COMPLEX' : 'GRAPHQL_VALIDATION_FAILED'),
        ),
      );
    };
  },
  onExecute() {
    return {
      onExecuteDone({ result, setResult }) {
        if (!('errors' in result) || !result.errors?.some((error) => !error.extensions?.code)) return;
        setResult({
          ...result,
          errors: result.errors.map(withVariableCode),
        });
      },
    };
  },
};
