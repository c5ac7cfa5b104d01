import { lstat, readlink, stat } from 'node:fs/promises';
import type { HostLayout, HostPathKind } from './bwrap-command';

const TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** What dynamically linked programs (python3 included) need from /etc; nothing else of it is visible. */
const ETC = ['/etc/ld.so.cache', '/etc/alternatives'];

/** Looks at how the host lays out its system paths, once, so the sandbox mirrors it read-only. */
export async function detectHostLayout(): Promise<HostLayout> {
  const topLevel: HostLayout['topLevel'] = [];
  for (const path of TOP_LEVEL) {
    const st = await lstat(path).catch(() => null);
    let kind: HostPathKind = 'absent';
    let target: string | undefined;
    if (st?.isSymbolicLink()) {
      target = await readlink(path);
      // only links into /usr (merged-/usr hosts) are reproduced; anything else is left out
      kind = /^\/?usr\//.test(target) ? 'symlink' : 'absent';
    } else if (st?.isDirectory()) {
      kind = 'directory';
    }
    topLevel.push({ path, kind, target });
  }
  const etc: string[] = [];
  for (const path of ETC) if (await stat(path).catch(() => null)) etc.push(path);
  return { topLevel, etc };
}
