/**
 * A classic-BPF seccomp filter for bubblewrap's `--seccomp FD` (an array of `struct sock_filter`), so the
 * sandboxed code cannot reach kernel interfaces it has no business with even inside its namespaces:
 * ptrace and cross-process memory access, (u)mount and the new mount API, namespaces (unshare, setns,
 * clone with CLONE_NEW*), keyrings, bpf, perf, userfaultfd, io_uring, modules, kexec, reboot, swap,
 * clocks, open_by_handle_at, and terminal injection (TIOCSTI/TIOCLINUX). Denied calls fail with EPERM;
 * clone3 fails with ENOSYS (its flags live in memory a filter cannot read), so libc falls back to clone.
 * Any other ABI on the same kernel (i386 via int 0x80, x32) is refused outright.
 *
 * Built only for x86_64, where it is tested; {@link buildSeccompFilter} returns null elsewhere and the
 * driver logs that it runs without it (the namespace and capability isolation stays in place).
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;

/** offsets in struct seccomp_data */
const OFF_NR = 0;
const OFF_ARCH = 4;
const OFF_ARG0_LO = 16;
const OFF_ARG1_LO = 24;

/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET */
const CLONE_NEW_MASK = 0x7e020000;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

/** x86_64 syscall numbers refused with EPERM. */
export const DENIED_SYSCALLS_X86_64: Readonly<Record<string, number>> = {
  ptrace: 101,
  process_vm_readv: 310,
  process_vm_writev: 311,
  pidfd_getfd: 438,
  process_madvise: 440,
  mount: 165,
  umount2: 166,
  pivot_root: 155,
  chroot: 161,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  unshare: 272,
  setns: 308,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  bpf: 321,
  perf_event_open: 298,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  kexec_load: 246,
  kexec_file_load: 320,
  init_module: 175,
  finit_module: 313,
  delete_module: 176,
  reboot: 169,
  swapon: 167,
  swapoff: 168,
  acct: 163,
  settimeofday: 164,
  clock_settime: 227,
  adjtimex: 159,
  clock_adjtime: 305,
  open_by_handle_at: 304,
  name_to_handle_at: 303,
  quotactl: 179,
  quotactl_fd: 443,
  syslog: 103,
  lookup_dcookie: 212,
  iopl: 172,
  ioperm: 173,
  vhangup: 153,
  uselib: 134,
  _sysctl: 156,
  fanotify_init: 300,
};
const NR_CLONE = 56;
const NR_CLONE3 = 435;
const NR_IOCTL = 16;

type Label = 'deny' | 'nosys' | 'allow' | 'clone' | 'ioctl';
interface Insn {
  code: number;
  k: number;
  jt?: Label;
  jf?: Label;
  label?: Label;
}

function assemble(program: Insn[]): Buffer {
  const at = new Map<Label, number>();
  program.forEach((insn, i) => insn.label && at.set(insn.label, i));
  const out = Buffer.alloc(program.length * 8);
  program.forEach((insn, i) => {
    const offset = (label?: Label): number => {
      if (!label) return 0;
      const target = at.get(label);
      if (target === undefined || target <= i || target - i - 1 > 255)
        throw new Error(`seccomp: bad jump to ${label}`);
      return target - i - 1;
    };
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(offset(insn.jt), i * 8 + 2);
    out.writeUInt8(offset(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}

/** The filter for the current architecture, or null when there is none for it. */
export function buildSeccompFilter(arch: string = process.arch): Buffer | null {
  if (arch !== 'x64') return null;
  const deny = Object.values(DENIED_SYSCALLS_X86_64);
  const program: Insn[] = [
    { code: BPF_LD_W_ABS, k: OFF_ARCH },
    { code: BPF_JEQ_K, k: AUDIT_ARCH_X86_64, jf: 'deny' },
    { code: BPF_LD_W_ABS, k: OFF_NR },
    { code: BPF_JGE_K, k: X32_SYSCALL_BIT, jt: 'deny' },
    { code: BPF_JEQ_K, k: NR_CLONE, jt: 'clone' },
    { code: BPF_JEQ_K, k: NR_CLONE3, jt: 'nosys' },
    { code: BPF_JEQ_K, k: NR_IOCTL, jt: 'ioctl' },
    ...deny.map((nr): Insn => ({ code: BPF_JEQ_K, k: nr, jt: 'deny' })),
    { code: BPF_RET_K, k: SECCOMP_RET_ALLOW, label: 'allow' },
    { code: BPF_LD_W_ABS, k: OFF_ARG0_LO, label: 'clone' },
    { code: BPF_JSET_K, k: CLONE_NEW_MASK, jt: 'deny' },
    { code: BPF_RET_K, k: SECCOMP_RET_ALLOW },
    { code: BPF_LD_W_ABS, k: OFF_ARG1_LO, label: 'ioctl' },
    { code: BPF_JEQ_K, k: TIOCSTI, jt: 'deny' },
    { code: BPF_JEQ_K, k: TIOCLINUX, jt: 'deny' },
    { code: BPF_RET_K, k: SECCOMP_RET_ALLOW },
    { code: BPF_RET_K, k: SECCOMP_RET_ERRNO | EPERM, label: 'deny' },
    { code: BPF_RET_K, k: SECCOMP_RET_ERRNO | ENOSYS, label: 'nosys' },
  ];
  return assemble(program);
}
