#include "attn/support/runtime.hpp"

#include <cstdio>

#include <cstdlib>  // defines __GLIBC__ on glibc systems
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "attn/ops.hpp"

namespace attn {

void configure_runtime(int blas_threads) {
    set_blas_threads(blas_threads);
    // Lines as they are printed, also into a pipe or a file (`| tee run.log`): a long run's results
    // table is then readable while it runs, and a killed run keeps what it had printed.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
#ifdef __GLIBC__
    // Every step allocates and frees the same large arrays (a (B, T, V) logit array of a real
    // vocabulary is tens of MB). Served by mmap, each would be returned to the system when freed
    // and page-faulted back in at the next step — a third of the time in the kernel. So: no mmap
    // (glibc caps M_MMAP_THRESHOLD at 32 MB, so raising the threshold cannot cover them; M_MMAP_MAX
    // = 0 does), and freed heap memory is kept (trimmed only above 2 GB) for the next step.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
#endif
}

}  // namespace attn
