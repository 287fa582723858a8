// The progress line and the token loss.
#include <cstdio>
#include <cstring>
#include <limits>

#include "attn/train/loss.hpp"
#include "attn/train/progress.hpp"
#include "check.hpp"

using namespace attn;
using attn::test::check_grads;
using attn::test::param;

TEST_CASE("progress: plain lines when the output is not a terminal") {
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    Progress progress(40, "tok", file);
    CHECK_FALSE(progress.interactive());
    for (int i = 0; i < 40; ++i) progress.step(1 + i / 20, 2.0, 100);
    progress.finish();
    std::rewind(file);
    char buffer[4096] = {};
    const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
    std::fclose(file);
    const std::string text(buffer, n);
    INFO(text);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 21);  // steps 1, 3, ..., 39 (every total/20 = 2) and 40
    CHECK(text.find("epoch 2  step 40/40  loss 2.0000") != std::string::npos);
    CHECK(text.find("tok/s") != std::string::npos);
    CHECK(text.find("ETA 0.0s") != std::string::npos);
}

TEST_CASE("token_cross_entropy: mean over real tokens, pad ignored, never inf with smoothing") {
    const Tensor logits = param({2, 3, 4}, 1);
    const Ids targets({2, 3}, {1, 2, 0, 3, 0, 0});  // pad = 0
    const Tensor flat = cross_entropy(reshape(logits, {6, 4}), Ids({6}, targets.values), {0, 0});
    CHECK(token_cross_entropy(logits, targets, 0).item() == doctest::Approx(flat.item()).epsilon(1e-14));
    check_grads([&] { return token_cross_entropy(logits, targets, 0, 0.1); }, {logits});
    const Tensor masked = masked_fill(logits, Tensor::from({4}, {0, 0, 0, 1}), -std::numeric_limits<real>::infinity());
    CHECK(std::isfinite(token_cross_entropy(masked, Ids({2, 3}, {1, 2, 0, 2, 0, 0}), 0, 0.1).item()));
    CHECK_THROWS_WITH_AS(token_cross_entropy(logits, Ids({6}, targets.values), 0),
                         "token_cross_entropy: needs logits (B, T, V) and targets (B, T), got (2, 3, 4) and (6)",
                         std::invalid_argument);
}
