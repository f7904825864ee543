/*
 * No shared objects in the static glibc build (scripts/publish.sh links this in).
 *
 * A statically linked process cannot safely load a shared object that needs libc.so.6: dlopen maps a
 * second glibc beside the one linked in, with its own malloc arenas, TLS and locale state, and the two
 * corrupt each other's memory (seen as access violations and strings read back empty). The .NET
 * runtime reaches dlopen for OpenSSL (System.Security.Cryptography), ICU (when globalization is not
 * invariant), GSSAPI and NativeLibrary.Load. The agent uses none of them; this definition makes any
 * future use fail at once and loudly instead of corrupting the process. NSS (getaddrinfo of a host
 * name, getpwnam) uses glibc's internal loader, not dlopen: the agent resolves no names (numeric
 * addresses only), and docs/building.md says so.
 */
#include <stddef.h>

static const char refused[] = "redirect-router is statically linked: loading shared objects is disabled (docs/building.md)";
static int failed;

void *dlopen(const char *file, int mode)
{
    (void)file;
    (void)mode;
    failed = 1;
    return NULL;
}

char *dlerror(void)
{
    if (!failed)
    {
        return NULL;
    }
    failed = 0;
    return (char *)refused;
}
