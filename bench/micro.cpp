// Micro-benchmarks (see micro.hpp). Each number is the median of repeated timings.
#include "micro.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include "attn/attn.hpp"
#include "attn/support/json.hpp"
#include "attn/nn/layers.hpp"

namespace bench {

using namespace attn;

double median_seconds(const std::function<void()>& f, int repeats) {
    for (int i = 0; i < 3; ++i) f();
    std::vector<double> s;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        f();
        s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
}

std::string one_line(const JsonObject& j) {
    std::string line = j.str();
    line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
    return line;
}

std::vector<std::string> run_micro(int threads) {
    std::vector<std::string> out;
    Rng rng(1);
    NoRecording off;
    std::printf("\nmicro-benchmarks, %d thread%s\n%-34s %12s %12s %8s %10s\n", threads, threads == 1 ? "" : "s", "operation",
                "engine us", "raw us", "raw/eng", "GFLOP/s");

    // matmul at B5's shapes: (B*T, D) x (D, D), x (D, d_ff), (B*T, d_ff) x (d_ff, D), x (D, V)
    const std::size_t rows = 64 * 32;
    for (const auto& inner_outer : std::vector<std::pair<std::size_t, std::size_t>>{{128, 128}, {128, 512}, {512, 128}, {128, 1000}}) {
        const std::size_t k = inner_outer.first, n = inner_outer.second;  // (lambdas cannot capture structured bindings in C++17)
        const Tensor a = uniform({rows, k}, -1, 1, rng), b = uniform({k, n}, -1, 1, rng);
        std::vector<float> c(rows * n);
        const double engine = median_seconds([&] { const Tensor y = matmul(a, b); }, 50);
        const double raw = median_seconds([&] {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(n), int(k), 1.0f, a.data(), int(k), b.data(),
                        int(n), 0.0f, c.data(), int(n));
        }, 50);
        const double flops = 2.0 * double(rows) * double(n) * double(k);
        char name[64];
        std::snprintf(name, sizeof name, "matmul (%zu, %zu) x (%zu, %zu)", rows, k, k, n);
        std::printf("%-34s %12.1f %12.1f %8.2f %10.1f\n", name, engine * 1e6, raw * 1e6, raw / engine, flops / raw / 1e9);
        JsonObject j;
        j.add("name", std::string(name)).add("threads", long(threads)).add("engine_us", engine * 1e6).add("raw_us", raw * 1e6)
            .add("raw_over_engine", raw / engine).add("raw_gflops", flops / raw / 1e9).add("engine_gflops", flops / engine / 1e9);
        out.push_back(one_line(j));
    }

    // batched matmul at B5's attention shapes: (B*h, T, d) x (B*h, T, d)^T
    {
        const std::size_t batch = 64 * 4, T = 32, d = 32;
        const Tensor q = uniform({batch, T, d}, -1, 1, rng), k = uniform({batch, T, d}, -1, 1, rng);
        std::vector<float> c(batch * T * T);
        const double engine = median_seconds([&] { const Tensor y = bmm(q, k, Trans::no, Trans::yes); }, 50);
        const double raw = median_seconds([&] {
            for (std::size_t i = 0; i < batch; ++i)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(T), int(T), int(d), 1.0f, q.data() + i * T * d, int(d),
                            k.data() + i * T * d, int(d), 0.0f, c.data() + i * T * T, int(T));
        }, 50);
        const double flops = 2.0 * double(batch * T * T * d);
        std::printf("%-34s %12.1f %12.1f %8.2f %10.1f\n", "bmm (256, 32, 32) x (256, 32, 32)^T", engine * 1e6, raw * 1e6, raw / engine,
                    flops / raw / 1e9);
        JsonObject j;
        j.add("name", std::string("bmm (256, 32, 32) x (256, 32, 32)^T")).add("threads", long(threads)).add("engine_us", engine * 1e6)
            .add("raw_us", raw * 1e6).add("raw_over_engine", raw / engine).add("raw_gflops", flops / raw / 1e9);
        out.push_back(one_line(j));
    }

    // a one-element add recorded on the tape (what an RNN step pays per tiny op)
    {
        Tensor x = Tensor::from({1}, {1.0f}).set_requires_grad();
        const Tensor y = Tensor::from({1}, {2.0f});
        const int ops = 20000;
        const double seconds = median_seconds([&] {
            Tape tape;
            Recording on(tape);
            for (int i = 0; i < ops; ++i) { const Tensor z = add(x, y); }
        }, 21);
        std::printf("%-34s %12.3f %12s\n", "1-element add on the tape (us/op)", seconds / ops * 1e6, "");
        JsonObject j;
        j.add("name", std::string("tiny add on the tape")).add("threads", long(threads)).add("ns_per_op", seconds / ops * 1e9);
        out.push_back(one_line(j));
    }

    // softmax over (B, h, T, T) and layer norm over (B, T, D), forward only and forward + backward
    {
        const Tensor scores = uniform({64, 4, 32, 32}, -3, 3, rng).set_requires_grad();
        const Tensor h = uniform({64, 32, 128}, -1, 1, rng).set_requires_grad();
        LayerNorm norm(128);
        const double soft_forward = median_seconds([&] { const Tensor y = softmax(scores, -1); }, 50);
        const double soft_both = median_seconds([&] {
            Tape tape;
            Recording on(tape);
            tape.backward(sum(softmax(scores, -1)));
        }, 50);
        const double norm_forward = median_seconds([&] { const Tensor y = norm.forward(h); }, 50);
        const double norm_both = median_seconds([&] {
            Tape tape;
            Recording on(tape);
            tape.backward(sum(norm.forward(h)));
        }, 50);
        std::printf("%-34s %12.1f\n%-34s %12.1f\n%-34s %12.1f\n%-34s %12.1f\n", "softmax (64, 4, 32, 32) forward", soft_forward * 1e6,
                    "  forward + backward (+ sum)", soft_both * 1e6, "layer norm (64, 32, 128) forward", norm_forward * 1e6,
                    "  forward + backward (+ sum)", norm_both * 1e6);
        JsonObject j;
        j.add("name", std::string("softmax and layer norm")).add("threads", long(threads)).add("softmax_forward_us", soft_forward * 1e6)
            .add("softmax_forward_backward_us", soft_both * 1e6).add("layernorm_forward_us", norm_forward * 1e6)
            .add("layernorm_forward_backward_us", norm_both * 1e6);
        out.push_back(one_line(j));
    }
    return out;
}

}  // namespace bench
