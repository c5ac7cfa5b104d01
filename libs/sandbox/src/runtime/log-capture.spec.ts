import { parseMountInfo } from './bwrap/cgroups';
import { LogCapture } from './log-capture';

describe('LogCapture', () => {
  it('delivers up to the cap across both streams, cutting the crossing chunk, and counts the rest', () => {
    const got: [string, string][] = [];
    const cap = new LogCapture(10, (s, c) => got.push([s, c.toString()]));
    cap.push('stdout', Buffer.from('abcd'));
    cap.push('stderr', Buffer.from('efgh'));
    cap.push('stdout', Buffer.from('ijklmn'));
    cap.push('stderr', Buffer.from('zzz'));
    expect(got).toEqual([
      ['stdout', 'abcd'],
      ['stderr', 'efgh'],
      ['stdout', 'ij'],
    ]);
    expect(cap.deliveredBytes).toBe(10);
    expect(cap.droppedBytes).toBe(7);
    expect(cap.truncated).toBe(true);
  });

  it('is not truncated when everything fits exactly', () => {
    const cap = new LogCapture(4, () => undefined);
    cap.push('stdout', Buffer.from('abcd'));
    expect(cap.truncated).toBe(false);
  });

  it('survives a consumer that throws', () => {
    const cap = new LogCapture(100, () => {
      throw new Error('consumer bug');
    });
    expect(() => cap.push('stdout', Buffer.from('x'))).not.toThrow();
    expect(cap.deliveredBytes).toBe(1);
  });

  it('drops everything with a zero cap', () => {
    const cap = new LogCapture(0);
    cap.push('stderr', Buffer.from('x'));
    expect(cap.truncated).toBe(true);
  });
});

describe('parseMountInfo', () => {
  it('reads mount points, types and super options, unescaping octal sequences', () => {
    const text = [
      '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory',
      '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate',
      '90 22 0:50 / /srv/with\\040space rw - tmpfs aihub-output rw,size=1024k',
      'garbage line',
    ].join('\n');
    expect(parseMountInfo(text)).toEqual([
      { mountPoint: '/sys/fs/cgroup/cpu', fsType: 'cgroup', superOptions: ['rw', 'cpu'] },
      { mountPoint: '/sys/fs/cgroup/memory', fsType: 'cgroup', superOptions: ['rw', 'memory'] },
      { mountPoint: '/sys/fs/cgroup/unified', fsType: 'cgroup2', superOptions: ['rw', 'nsdelegate'] },
      { mountPoint: '/srv/with space', fsType: 'tmpfs', superOptions: ['rw', 'size=1024k'] },
    ]);
  });
});
