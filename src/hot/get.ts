// Entry of the hot `get` bundle (scripts/build.mjs): the masked listing without the CLI framework.
export { parseGetArgv, runGetCommand } from '../internal/get.js';
