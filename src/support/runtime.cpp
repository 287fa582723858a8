#include "attn/support/runtime.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc systems
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "attn/ops.hpp"

namespace attn {

void configure_runtime(int blas_threads) {
    set_blas_threads(blas_threads);
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 << 20);  // blocks below 256 MB come from the heap, not mmap
    mallopt(M_TRIM_THRESHOLD, 512 << 20);  // and freed heap memory is kept for the next step
#endif
}

}  // namespace attn
