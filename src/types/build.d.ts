// Set by scripts/build.mjs: a digest of the hot bundles, naming their code cache files.
declare const KAGI_BUILD_ID: string;
