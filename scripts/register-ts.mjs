// Lets Node run the repository's TypeScript directly (examples, benchmarks):
//   node --conditions=@pio/source --import <repo>/scripts/register-ts.mjs x.ts
// The `@pio/source` condition makes the workspace packages resolve to their TypeScript sources, so nothing needs a build.
// The one copy of these hooks in the repository: the examples and every package's bench scripts use it.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
