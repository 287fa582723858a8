// Central finite differences against backward (see attn/gradcheck.hpp for the method).
#include "attn/gradcheck.hpp"

#include <cmath>
#include <cstdio>

#include "attn/ops.hpp"
#include "attn/random.hpp"
#include "attn/record.hpp"

namespace attn {

namespace {

/// L = sum(y * R) in double, without recording.
double projected(const std::function<Tensor()>& f, const Array& r) {
    NoRecording off;
    const Tensor y = f();
    if (y.shape() != shape_of(r)) {
        throw std::logic_error("check_gradients: f returned shape " + to_string(y.shape()) +
                               " on a later call but " + to_string(shape_of(r)) + " on the first");
    }
    double total = 0;
    for (std::size_t i = 0; i < r.size(); ++i) total += double(value(y).data()[i]) * double(r.data()[i]);
    return total;
}

Shape unravel(std::size_t flat, const Shape& shape) {
    Shape index(shape.size());
    for (std::size_t a = shape.size(); a-- > 0;) {
        index[a] = flat % shape[a];
        flat /= shape[a];
    }
    return index;
}

}  // namespace

std::string GradCheckReport::to_string() const {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer,
                  "max error %.3g at input %zu %s: analytic %.10g, numeric %.10g (%zu elements, %s)",
                  max_error, worst_input, attn::to_string(worst_index).c_str(), analytic, numeric,
                  checked, precision);
    return buffer;
}

GradCheckReport check_gradients(const std::function<Tensor()>& f, const std::vector<Tensor>& inputs,
                                const GradCheckOptions& options) {
    const bool is_double = sizeof(real) == 8;
    const double h = options.step > 0 ? options.step : (is_double ? 1e-6 : 1e-2);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        if (!inputs[k].requires_grad()) {
            throw std::invalid_argument("check_gradients: input " + std::to_string(k) +
                                        " does not require a gradient; call set_requires_grad() on it");
        }
    }

    // Keep the callers' gradients: the check must not disturb a training loop.
    std::vector<std::optional<Array>> saved;
    for (const Tensor& x : inputs) {
        Storage& s = x.storage();
        saved.push_back(s.has_grad ? std::optional<Array>(s.grad) : std::nullopt);
        s.grad = Array();
        s.has_grad = false;
    }

    // Analytic: one backward of L = sum(f() * R).
    Array r;
    std::vector<Array> analytic;
    {
        Tape tape;
        Recording on(tape);
        const Tensor y = f();
        Rng rng(options.seed);
        r = value(uniform(y.shape(), real(-1), real(1), rng));
        const Tensor loss = sum(y * make_tensor(r));
        tape.backward(loss);
        for (const Tensor& x : inputs) {
            const Storage& s = x.storage();
            analytic.push_back(s.has_grad ? s.grad : attn::zeros(shape_of(s.value)));  // unreached: 0
        }
    }

    // Numeric: perturb one element at a time.
    GradCheckReport report;
    report.precision = precision_name();
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        Array& x = inputs[k].storage().value;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const real original = x.data()[i];
            x.data()[i] = static_cast<real>(original + h);
            const double up = projected(f, r);
            x.data()[i] = static_cast<real>(original - h);
            const double down = projected(f, r);
            x.data()[i] = original;

            const double numeric = (up - down) / (2 * h);
            const double a = analytic[k].data()[i];
            const double error = std::abs(a - numeric) /
                                 std::max({std::abs(a), std::abs(numeric), options.floor});
            ++report.checked;
            if (!(error <= report.max_error)) {  // also catches NaN
                report.max_error = std::isnan(error) ? INFINITY : error;
                report.worst_input = k;
                report.worst_index = unravel(i, shape_of(x));
                report.analytic = a;
                report.numeric = numeric;
            }
        }
    }

    for (std::size_t k = 0; k < inputs.size(); ++k) {
        Storage& s = inputs[k].storage();
        s.has_grad = saved[k].has_value();
        s.grad = saved[k] ? std::move(*saved[k]) : Array();
    }
    return report;
}

}  // namespace attn
