// Entry of the hot post-checkout/post-merge bundle (scripts/build.mjs): git runs it on every
// checkout, mostly with nothing to do.
export { runPostHook } from '../internal/hook.js';
