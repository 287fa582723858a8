// attn/config.hpp — the one scalar type, chosen when the library is compiled.
//
// attn is built twice from the same sources: `libattn` with real = float (training, chapters,
// benchmarks) and `libattn_f64` with real = double (gradient checks). Code reads `real`,
// `Tensor`, `Array` and never a template parameter. Define ATTN_REAL_DOUBLE to get double.
//
// Linking float32 headers against the float64 library (or the reverse) would be a silent
// disaster, so every translation unit that includes this header references a symbol that only the
// matching library defines: a mismatch fails at link time with a name that says what is wrong.
#pragma once

namespace attn {

#ifdef ATTN_REAL_DOUBLE
using real = double;
namespace detail {
extern const int library_built_for_double;  // defined in libattn_f64 only
[[maybe_unused]] static const int* const precision_link_check = &library_built_for_double;
}  // namespace detail
#else
using real = float;
namespace detail {
extern const int library_built_for_float;  // defined in libattn only
[[maybe_unused]] static const int* const precision_link_check = &library_built_for_float;
}  // namespace detail
#endif

/// "float32" or "float64": what this build computes in.
const char* precision_name();

}  // namespace attn
