import { isAbsolute, relative, sep } from 'node:path';
import { PathNotAllowedError } from '../errors/path-not-allowed-error.js';
import { resolveRealPath } from './resolve-real-path.js';

/** Options of {@link createPathGuard}. */
export interface PathGuardOptions {
  /** Folders inside which paths are allowed (their symlinks are resolved too). */
  allowedRoots: readonly string[];
}

/** Confines paths to a set of root folders. */
export interface PathGuard {
  /** The roots as given. */
  readonly allowedRoots: readonly string[];
  /**
   * Resolves `path` (symlinks included) and returns its real path when it lies inside one of the roots.
   *
   * @throws PathNotAllowedError when the raw path has a `..` segment, or its real path is outside every root.
   */
  validate(path: string): Promise<string>;
}

/** True when `child` is `root` or inside it (both absolute, resolved). */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Creates a {@link PathGuard}. Every check resolves the path and the roots with `fs.realpath`, so a symlink
 * inside a root that points outside it is refused, and a root that is itself a symlink works. Any `..` segment in
 * the raw input is refused outright, even when it would land inside a root.
 */
export function createPathGuard(options: PathGuardOptions): PathGuard {
  const allowedRoots = [...options.allowedRoots];
  return {
    allowedRoots,
    async validate(path) {
      const roots = await Promise.all(allowedRoots.map((root) => resolveRealPath(root)));
      if (path.split(/[\\/]/).includes('..')) {
        throw new PathNotAllowedError({ path, allowedRoots: roots, reason: 'parent-segment' });
      }
      if (roots.length === 0) throw new PathNotAllowedError({ path, allowedRoots: roots, reason: 'no-roots' });
      const real = await resolveRealPath(path);
      if (!roots.some((root) => isInside(root, real))) {
        throw new PathNotAllowedError({ path, resolvedPath: real, allowedRoots: roots, reason: 'outside-roots' });
      }
      return real;
    },
  };
}
