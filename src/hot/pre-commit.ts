// Entry of the hot pre-commit bundle (scripts/build.mjs): git runs it on every commit.
export { runPreCommitHook } from '../internal/hook.js';
