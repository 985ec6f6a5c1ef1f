// Entry of the hot hook bundle (scripts/build.mjs): git runs it on every commit and checkout.
export { runHook } from '../internal/hook.js';
