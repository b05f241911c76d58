import { homedir } from 'node:os';
import { join } from 'node:path';

/** Environment variables read by PIO's model lookup (defaults to `process.env`). */
export type ModelEnv = Readonly<Record<string, string | undefined>>;

/**
 * The Hugging Face hub cache folder, as `huggingface_hub` chooses it: `HF_HUB_CACHE`, else `HF_HOME/hub`,
 * else `XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 */
export function hfHubCacheDir(env: ModelEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'huggingface', 'hub');
}

/** The cache folder name of a model repository: `org/name` → `models--org--name`. */
export function hfRepoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** True for a Hugging Face repository id `org/name` (letters, digits, `-`, `_`, `.`; no `..`). */
export function isHfRepoId(value: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(value) && !value.includes('..') && !value.includes('--');
}

/** True for a full 40-hex-digit git commit hash. */
export function isCommitHash(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value);
}
