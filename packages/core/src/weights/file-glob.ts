/**
 * Files {@link downloadModel} fetches by default: configs, tokenizers, chat templates and safetensors weights at
 * the top of the repository (sub-folders such as `original/` are left out).
 */
export const DEFAULT_MODEL_FILES: readonly string[] = ['*.json', '*.safetensors', '*.jinja', '*.txt', 'tokenizer.model', '*.tiktoken'];

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * True when the repository path `path` matches one of `globs`: `*` and `?` stay within a folder, `**` crosses
 * folders (`**\/*.json` matches JSON files at any depth).
 */
export function matchesFileGlob(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(path));
}
