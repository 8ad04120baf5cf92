import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from '../builder.js';
import './scalars.js';
import './task.js';
import './user.js';
import './taskEvents.js';

// Query and Mutation fields live with their types; every root field requires a signed-in viewer.
builder.queryType({ authScopes: { authenticated: true } });
builder.mutationType({ authScopes: { authenticated: true } });

export const schema = builder.toSchema();

export const printedSchema = () => printSchema(lexicographicSortSchema(schema));
