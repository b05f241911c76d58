// Lets Node run the benchmark's TypeScript sources directly (see ts-hooks.mjs).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
