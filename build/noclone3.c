/*
 * The clone3 fallback for the static glibc build (scripts/publish.sh links it in).
 *
 * glibc 2.34 and later create threads with clone3 and fall back to clone only when clone3 fails
 * with ENOSYS. Older container seccomp profiles (Docker before 20.10.10, podman before 3.4,
 * moby/moby#42680) answer EPERM instead, which makes every thread creation fail and the process
 * exit at start. EL7 binaries never call clone3, so a statically linked binary on an EL7 base
 * must not either: this definition of glibc's internal __clone3 reports ENOSYS, glibc takes the
 * clone path, and the linker never pulls clone3.o out of libc.a (clone-internal.o leaves
 * __clone3 undefined). It relies on a glibc internal name, so scripts/test-images.sh runs the
 * image under a seccomp profile that answers EPERM to clone3.
 */
#include <errno.h>
#include <stddef.h>

int __clone3(void *cl_args, size_t size, int (*func)(void *), void *arg)
{
    (void)cl_args;
    (void)size;
    (void)func;
    (void)arg;
    errno = ENOSYS;
    return -1;
}
