import { detectHostLayout } from './host-layout';
import { execTool, findTool } from './host-tools';

/**
 * Whether bubblewrap can create its namespaces here at all: `bwrap --unshare-all --unshare-user
 * --disable-userns … true` as the current user. For test suites that must skip (and say why) on hosts
 * without user namespaces; the driver's own self-test is stricter (it runs the real setup).
 */
export async function probeBubblewrap(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const bwrap = await findTool('bwrap');
  if (!bwrap) return { ok: false, reason: 'bubblewrap is not installed (apt-get install -y bubblewrap)' };
  const layout = await detectHostLayout();
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const p of layout.topLevel) {
    if (p.kind === 'symlink' && p.target) args.push('--symlink', p.target, p.path);
    else if (p.kind === 'directory') args.push('--ro-bind', p.path, p.path);
  }
  args.push('--proc', '/proc', '--dev', '/dev', 'true');
  const r = await execTool(bwrap, args, 15_000);
  return r.code === 0
    ? { ok: true }
    : { ok: false, reason: `bwrap cannot create namespaces here: ${(r.stderr || `exit ${r.code}`).trim()}` };
}
