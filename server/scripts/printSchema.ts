// Writes the SDL the server serves to specs/schema.graphql (the committed contract, checked in tests).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../config.js';
import { printedSchema } from '../graphql/schema/index.js';

const target = resolve(repoRoot, 'specs/schema.graphql');
writeFileSync(target, `${printedSchema()}\n`);
console.log(`wrote ${target}`);
