// age-encryption as a chunk of its own (bundles/table.ts): 100+ ms to import, so crypto/age.ts
// imports this only when a key must be wrapped, unwrapped or made.
export * from 'age-encryption';
