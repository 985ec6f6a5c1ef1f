// Entry of the hot `run` bundle (scripts/build.mjs): one file, no chunks to load, because `run`
// stands in front of every program a developer starts. Rare paths load the main build lazily.
export { runRunCommand } from '../internal/run.js';
