// attn/attn.hpp — the engine in one include, without xtensor: tensors, the tape, the
// differentiable primitives, gradient checks and the random generator. Nothing above the engine
// (modules, data, training, command lines, files) is pulled in: include those from their folders.
#pragma once

#include "attn/config.hpp"
#include "attn/gradcheck.hpp"
#include "attn/ops.hpp"
#include "attn/random.hpp"
#include "attn/shape.hpp"
#include "attn/tape.hpp"
#include "attn/tensor.hpp"
