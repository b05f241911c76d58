/** The arguments `scripts/release-check.mjs` runs each sample of the docs with, by sample file name. */
export const SAMPLE_ARGS: Readonly<Record<string, (server?: { url: string }) => string[]>>;
/** The `npm install` commands of a markdown file (sh blocks and inline code), in order, without trailing comments. */
export function npmInstallLines(markdown: string): string[];
/** The sample blocks (`<!-- example: file -->` before a fenced block) of a markdown file. */
export function sampleBlocks(markdown: string): Array<{ file: string; code: string }>;
