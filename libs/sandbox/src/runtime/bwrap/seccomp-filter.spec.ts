import { buildSeccompFilter, DENIED_SYSCALLS_X86_64 } from './seccomp-filter';

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const decode = (buf: Buffer): Insn[] =>
  Array.from({ length: buf.length / 8 }, (_, i) => ({
    code: buf.readUInt16LE(i * 8),
    jt: buf.readUInt8(i * 8 + 2),
    jf: buf.readUInt8(i * 8 + 3),
    k: buf.readUInt32LE(i * 8 + 4),
  }));

/** A tiny classic-BPF interpreter over struct seccomp_data: enough to run the filter on test inputs. */
function evaluate(program: Insn[], data: { nr: number; arch?: number; args?: number[] }): number {
  const mem = Buffer.alloc(64);
  mem.writeUInt32LE(data.nr >>> 0, 0);
  mem.writeUInt32LE((data.arch ?? 0xc000003e) >>> 0, 4);
  (data.args ?? []).forEach((a, i) => mem.writeUInt32LE(a >>> 0, 16 + i * 8));
  let acc = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc];
    switch (code) {
      case 0x20: // ld w abs
        acc = mem.readUInt32LE(k);
        break;
      case 0x15: // jeq
        pc += acc === k ? jt : jf;
        break;
      case 0x35: // jge
        pc += acc >= k ? jt : jf;
        break;
      case 0x45: // jset
        pc += (acc & k) !== 0 ? jt : jf;
        break;
      case 0x06: // ret
        return k >>> 0;
      default:
        throw new Error(`unknown BPF op ${code.toString(16)}`);
    }
  }
  throw new Error('fell off the end of the program');
}

const ALLOW = 0x7fff0000;
const EPERM = 0x00050000 | 1;
const ENOSYS = 0x00050000 | 38;

describe('seccomp filter', () => {
  const filter = buildSeccompFilter('x64')!;
  const program = decode(filter);

  it('is a whole number of sock_filter instructions, within the kernel limit', () => {
    expect(filter.length % 8).toBe(0);
    expect(program.length).toBeLessThan(4096);
    expect(program.length).toBe(Object.keys(DENIED_SYSCALLS_X86_64).length + 17);
  });

  it('is only built for x86_64', () => {
    expect(buildSeccompFilter('arm64')).toBeNull();
  });

  it.each(Object.entries(DENIED_SYSCALLS_X86_64))('denies %s (nr %d) with EPERM', (_name, nr) => {
    expect(evaluate(program, { nr })).toBe(EPERM);
  });

  it.each([
    ['read', 0],
    ['write', 1],
    ['openat', 257],
    ['mmap', 9],
    ['execve', 59],
    ['fork', 57],
    ['exit_group', 231],
    ['socket', 41],
  ])('allows %s', (_name, nr) => {
    expect(evaluate(program, { nr })).toBe(ALLOW);
  });

  it('allows plain clone (threads, fork) but denies clone with any CLONE_NEW* flag', () => {
    const CLONE_THREAD_FLAGS = 0x3d0f00;
    expect(evaluate(program, { nr: 56, args: [CLONE_THREAD_FLAGS] })).toBe(ALLOW);
    expect(evaluate(program, { nr: 56, args: [17] })).toBe(ALLOW);
    for (const flag of [0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000])
      expect(evaluate(program, { nr: 56, args: [17 | flag] })).toBe(EPERM);
  });

  it('answers clone3 with ENOSYS so libc falls back to clone', () => {
    expect(evaluate(program, { nr: 435 })).toBe(ENOSYS);
  });

  it('denies terminal injection ioctls only', () => {
    expect(evaluate(program, { nr: 16, args: [1, 0x5412] })).toBe(EPERM); // TIOCSTI
    expect(evaluate(program, { nr: 16, args: [1, 0x541c] })).toBe(EPERM); // TIOCLINUX
    expect(evaluate(program, { nr: 16, args: [1, 0x5401] })).toBe(ALLOW); // TCGETS
  });

  it('refuses other ABIs: i386 and x32 system calls', () => {
    expect(evaluate(program, { nr: 0, arch: 0x40000003 })).toBe(EPERM); // AUDIT_ARCH_I386
    expect(evaluate(program, { nr: 0x40000000 | 1 })).toBe(EPERM); // x32 write
  });
});
