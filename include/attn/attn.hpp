// attn/attn.hpp — everything a chapter needs from the engine, without xtensor.
#pragma once

#include "attn/config.hpp"
#include "attn/cli.hpp"
#include "attn/gradcheck.hpp"
#include "attn/io.hpp"
#include "attn/ops.hpp"
#include "attn/random.hpp"
#include "attn/shape.hpp"
#include "attn/tape.hpp"
#include "attn/tensor.hpp"
