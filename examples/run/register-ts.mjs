// Lets Node run the TypeScript examples directly: `node --conditions=@pio/source --import ./run/register-ts.mjs x.ts`.
// The `@pio/source` condition makes the workspace packages resolve to their TypeScript sources, so nothing needs a build.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
