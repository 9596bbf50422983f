/* Stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks.
 *
 * Go >= 1.22 windows binaries load bcryptprimitives.dll from system32 at start-up and
 * throw "bcryptprimitives.dll not found" without it (runtime/os_windows.go
 * loadOptionalSyscalls); they use only ProcessPrng.  RtlGenRandom (advapi32's
 * SystemFunction036) fills the buffer from Wine's system RNG.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* BOOL ProcessPrng(PBYTE pbData, SIZE_T cbData); documented to always return TRUE. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
