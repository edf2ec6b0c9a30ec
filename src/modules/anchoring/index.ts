export * from './anchoring';
