import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The Hugging Face Hub cache folder, found the way `huggingface_hub` finds it: `HF_HUB_CACHE`, else `$HF_HOME/hub`,
 * else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 *
 * @param env - environment variables to read (default `process.env`).
 */
export function defaultHubCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface', 'hub');
}
