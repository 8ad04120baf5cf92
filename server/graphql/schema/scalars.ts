import { GraphQLError, GraphQLScalarType } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

/**
 * graphql-scalars quotes a refused variable in its message (`${value}`): for an object whose
 * toString is not a function that throws a TypeError instead of its GraphQLError, which the
 * client would see masked as "Unexpected error". Anything but a string is refused here first.
 */
function stringInputOnly(scalar: GraphQLScalarType, format: string): GraphQLScalarType {
  const config = scalar.toConfig();
  return new GraphQLScalarType({
    ...config,
    parseValue: (value) => {
      if (typeof value !== 'string') throw new GraphQLError(`${config.name} must be a string (${format}).`);
      return config.parseValue!(value);
    },
  });
}

builder.addScalarType('DateTime', stringInputOnly(DateTimeResolver, 'ISO 8601 date-time'));

builder.addScalarType(
  'Date',
  stringInputOnly(
    new GraphQLScalarType({
      ...LocalDateResolver.toConfig(),
      name: 'Date',
      description: 'A calendar date without time zone, as YYYY-MM-DD (ISO 8601).',
    }),
    'YYYY-MM-DD',
  ),
);
