#include "check.hpp"

#include <cmath>
#include <cstdio>

namespace attn::test {

namespace {

struct WorstError {
    double error = 0;
    std::string where;
    ~WorstError() {
        if (!where.empty()) std::printf("worst gradient-check error in this executable: %.3g (%s)\n", error, where.c_str());
    }
};
WorstError worst;

}  // namespace

Tensor param(const Shape& shape, std::uint64_t seed, real lo, real hi) {
    Rng rng(seed);
    Tensor t = uniform(shape, lo, hi, rng);
    t.set_requires_grad();
    return t;
}

Tensor param_of(const Shape& shape, std::vector<real> values) {
    Tensor t = Tensor::from(shape, std::move(values));
    t.set_requires_grad();
    return t;
}

void check_grads(const std::function<Tensor()>& f, const std::vector<Tensor>& inputs, double tolerance) {
    const GradCheckReport report = check_gradients(f, inputs);
    INFO(report.to_string());
    CHECK(report.checked > 0);
    CHECK(report.max_error <= tolerance);
    if (report.max_error >= worst.error) {
        worst.error = report.max_error;
        worst.where = report.to_string();
    }
}

Tensor probe(const Tensor& y, std::uint64_t seed) {
    Rng rng(seed);
    return sum(y * uniform(y.shape(), -1, 1, rng));
}

std::vector<Tensor> tensors_of(Module& module) {
    std::vector<Tensor> out;
    for (const NamedParameter& p : module.parameters()) out.push_back(*p.tensor);
    return out;
}

void check_every_parameter_learns(Module& module, const std::function<Tensor()>& loss) {
    module.zero_grad();
    {
        Tape tape;
        Recording on(tape);
        tape.backward(loss());
    }
    for (const NamedParameter& p : module.parameters()) {
        INFO("parameter " << p.name);
        REQUIRE(p.tensor->has_grad());
        double norm = 0;
        for (real g : p.tensor->grad().values()) norm += double(g) * double(g);
        CHECK(norm > 0);
    }
    module.zero_grad();
}

void check_values(const Tensor& t, const std::vector<real>& expected, double tolerance) {
    REQUIRE(t.size() == expected.size());
    const std::vector<real> got = t.values();
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO("element " << i << ": got " << got[i] << ", expected " << expected[i]);
        CHECK(std::abs(double(got[i]) - double(expected[i])) <= tolerance);
    }
}

}  // namespace attn::test
