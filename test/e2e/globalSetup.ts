import { clientBuildOnce } from '../../client/tooling/prepareClient.js';

/** The browser tests run the real server, which serves dist/client: build the web app first if needed. */
export default async function setup() {
  await clientBuildOnce();
}
