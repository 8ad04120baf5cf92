import { codegenOnce } from './prepareClient.js';

/** Component tests import typed documents from client/src/gql: generate them first. */
export default async function setup() {
  await codegenOnce();
}
