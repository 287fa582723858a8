// The BLAS floor of a training step (see blas_floor.hpp).
#include "blas_floor.hpp"

#include <cblas.h>

#include <algorithm>

#include "micro.hpp"

namespace bench {

double blas_floor_ms(const std::vector<attn::GemmCall>& calls, int repeats) {
    std::size_t a_size = 1, b_size = 1, c_size = 1;
    for (const attn::GemmCall& call : calls) {
        a_size = std::max(a_size, call.m * call.k);
        b_size = std::max(b_size, call.k * call.n);
        c_size = std::max(c_size, call.m * call.n);
    }
    // One batch element's worth each: bmm's elements run one after another on the same buffers.
    std::vector<float> a(a_size, 0.5f), b(b_size, 0.25f), c(c_size);
    const auto replay = [&] {
        for (const attn::GemmCall& call : calls) {
            const int m = int(call.m), n = int(call.n), k = int(call.k);
            const int lda = call.trans_a ? m : k, ldb = call.trans_b ? k : n;  // row-major (k, m) or (m, k), ...
            for (std::size_t e = 0; e < call.batch; ++e) {
                cblas_sgemm(CblasRowMajor, call.trans_a ? CblasTrans : CblasNoTrans,
                            call.trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a.data(), lda, b.data(), ldb,
                            0.0f, c.data(), n);
            }
        }
    };
    return median_seconds(replay, repeats) * 1000;
}

std::vector<ShapeFloor> blas_floor_by_shape(const std::vector<attn::GemmCall>& calls, int repeats) {
    const auto same = [](const attn::GemmCall& a, const attn::GemmCall& b) {
        return a.trans_a == b.trans_a && a.trans_b == b.trans_b && a.m == b.m && a.n == b.n && a.k == b.k &&
               a.batch == b.batch;
    };
    std::vector<std::vector<attn::GemmCall>> groups;
    for (const attn::GemmCall& call : calls) {
        auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return same(g.front(), call); });
        if (group == groups.end()) {
            groups.push_back({call});
        } else {
            group->push_back(call);
        }
    }
    std::vector<ShapeFloor> floors;
    for (const auto& group : groups) floors.push_back({group.front(), group.size(), blas_floor_ms(group, repeats)});
    return floors;
}

}  // namespace bench
