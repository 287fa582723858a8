// bench/micro.hpp — micro-benchmarks at B5's shapes: the engine's matmul and batched matmul
// against raw cblas_sgemm on the same buffers, a one-element add recorded on the tape, softmax
// and layer norm.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "attn/support/json.hpp"

namespace bench {

/// A JSON object on one line (the suite's output is one object a line).
std::string one_line(const attn::JsonObject& object);

/// Median seconds of `f` over `repeats` runs, after 3 untimed ones.
double median_seconds(const std::function<void()>& f, int repeats);

/// Prints a table and returns one JSON object per measurement (as single lines).
std::vector<std::string> run_micro(int threads);

}  // namespace bench
