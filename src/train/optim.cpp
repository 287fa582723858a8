// Optimisers, clipping and schedules (see attn/train/optim.hpp for the update rules).
#include "attn/train/optim.hpp"

#include <cmath>
#include <stdexcept>

namespace attn {

// ---- the shared machinery ------------------------------------------------------------------------

Optimizer::Optimizer(const std::vector<NamedParameter>& parameters, real learning_rate_)
    : learning_rate(learning_rate_) {
    for (const NamedParameter& p : parameters) parameters_.push_back({p.name, *p.tensor});
}

void Optimizer::step() {
    ++steps_taken;
    for (std::size_t k = 0; k < parameters_.size(); ++k) {
        Tensor& p = parameters_[k].tensor;
        if (!p.has_grad()) continue;
        update(k, p.data(), p.grad_data(), p.size());
    }
}

void Optimizer::zero_grad() {
    for (NamedTensor& p : parameters_) p.tensor.zero_grad();
}

std::vector<real>& Optimizer::buffer(const std::string& prefix, std::size_t k) {
    for (auto& [name, per_parameter] : buffers_) {
        if (name == prefix) {
            if (per_parameter[k].empty()) per_parameter[k].assign(parameters_[k].tensor.size(), real(0));
            return per_parameter[k];
        }
    }
    buffers_.push_back({prefix, std::vector<std::vector<real>>(parameters_.size())});
    return buffer(prefix, k);
}

bool Optimizer::has_buffer(const std::string& prefix, std::size_t k) const {
    for (const auto& [name, per_parameter] : buffers_) {
        if (name == prefix) return !per_parameter[k].empty();
    }
    return false;
}

std::vector<NamedTensor> Optimizer::state() const {
    std::vector<NamedTensor> out;
    for (const auto& [prefix, per_parameter] : buffers_) {
        for (std::size_t k = 0; k < parameters_.size(); ++k) {
            if (per_parameter[k].empty()) continue;
            out.push_back({prefix + "." + parameters_[k].name,
                           Tensor::from(parameters_[k].tensor.shape(), per_parameter[k])});
        }
    }
    return out;
}

void Optimizer::load_state(const std::vector<NamedTensor>& state) {
    buffers_.clear();
    for (const NamedTensor& entry : state) {
        const std::size_t dot = entry.name.find('.');
        const std::string prefix = entry.name.substr(0, dot), name = entry.name.substr(dot + 1);
        std::size_t k = 0;
        while (k < parameters_.size() && parameters_[k].name != name) ++k;
        if (dot == std::string::npos || k == parameters_.size()) {
            throw std::runtime_error("optimizer state: entry '" + entry.name + "' matches no parameter");
        }
        if (entry.tensor.shape() != parameters_[k].tensor.shape()) {
            throw std::runtime_error("optimizer state: '" + entry.name + "' has shape " + to_string(entry.tensor.shape()) +
                                     ", the parameter has " + to_string(parameters_[k].tensor.shape()));
        }
        buffer(prefix, k) = entry.tensor.values();
    }
}

// ---- SGD -----------------------------------------------------------------------------------------

Sgd::Sgd(const std::vector<NamedParameter>& parameters, real learning_rate, real momentum_, real weight_decay_)
    : Optimizer(parameters, learning_rate), momentum(momentum_), weight_decay(weight_decay_) {}

void Sgd::update(std::size_t k, real* p, const real* g, std::size_t n) {
    if (momentum == 0) {
        for (std::size_t i = 0; i < n; ++i) p[i] -= learning_rate * (g[i] + weight_decay * p[i]);
        return;
    }
    const bool first = !has_buffer("momentum", k);  // torch: v = g on the first step
    std::vector<real>& v = buffer("momentum", k);
    for (std::size_t i = 0; i < n; ++i) {
        const real d = g[i] + weight_decay * p[i];
        v[i] = first ? d : momentum * v[i] + d;
        p[i] -= learning_rate * v[i];
    }
}

// ---- Adam and AdamW --------------------------------------------------------------------------------

Adam::Adam(const std::vector<NamedParameter>& parameters, real learning_rate, real beta1_, real beta2_, real eps_,
           real weight_decay_)
    : Optimizer(parameters, learning_rate), beta1(beta1_), beta2(beta2_), eps(eps_), weight_decay(weight_decay_) {}

void Adam::adam_step(std::size_t k, real* __restrict p, const real* __restrict g, std::size_t n, real l2) {
    // Four distinct arrays (__restrict) and the settings in locals, not read through `this` at every
    // element: that lets the compiler vectorise the loop. Each element's arithmetic is unchanged, so
    // the result is the same to the bit.
    real* __restrict m = buffer("m", k).data();
    real* __restrict v = buffer("v", k).data();
    const double t = double(steps_taken);
    const real correction1 = real(1 - std::pow(double(beta1), t));
    const real correction2 = real(1 - std::pow(double(beta2), t));
    const real b1 = beta1, b2 = beta2, rate = learning_rate, epsilon = eps;
    for (std::size_t i = 0; i < n; ++i) {
        const real d = g[i] + l2 * p[i];
        m[i] = b1 * m[i] + (1 - b1) * d;
        v[i] = b2 * v[i] + (1 - b2) * d * d;
        p[i] -= rate * (m[i] / correction1) / (std::sqrt(v[i] / correction2) + epsilon);
    }
}

void Adam::update(std::size_t k, real* p, const real* g, std::size_t n) { adam_step(k, p, g, n, weight_decay); }

AdamW::AdamW(const std::vector<NamedParameter>& parameters, real learning_rate, real beta1_, real beta2_, real eps_,
             real weight_decay_)
    : Adam(parameters, learning_rate, beta1_, beta2_, eps_, weight_decay_) {}

void AdamW::update(std::size_t k, real* p, const real* g, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] *= 1 - learning_rate * weight_decay;  // decoupled decay
    adam_step(k, p, g, n, 0);
}

// ---- clipping -------------------------------------------------------------------------------------

double clip_grad_norm(const std::vector<NamedParameter>& parameters, double max_norm) {
    double squares = 0;
    for (const NamedParameter& p : parameters) {
        if (!p.tensor->has_grad()) continue;
        const real* g = p.tensor->grad_data();
        const std::size_t n = p.tensor->size();  // hoisted: an out-of-line call per element cost 3% of a fine-tuning run
        for (std::size_t i = 0; i < n; ++i) squares += double(g[i]) * double(g[i]);
    }
    const double norm = std::sqrt(squares);
    if (norm > max_norm) {
        const real factor = real(max_norm / (norm + 1e-6));
        for (const NamedParameter& p : parameters) {
            if (!p.tensor->has_grad()) continue;
            real* g = p.tensor->grad_data();
            const std::size_t n = p.tensor->size();
            for (std::size_t i = 0; i < n; ++i) g[i] *= factor;
        }
    }
    return norm;
}

// ---- schedules ------------------------------------------------------------------------------------

StepDecay::StepDecay(real base, long every, real gamma) : base_(base), every_(every), gamma_(gamma) {
    if (every <= 0) throw std::invalid_argument("StepDecay: every must be positive, got " + std::to_string(every));
}

real StepDecay::rate(long step) const {
    return real(double(base_) * std::pow(double(gamma_), double((std::max(step, 1L) - 1) / every_)));
}

NoamSchedule::NoamSchedule(std::size_t d_model, long warmup, real factor)
    : scale_(double(factor) / std::sqrt(double(d_model))), warmup_(warmup) {
    if (warmup <= 0) throw std::invalid_argument("NoamSchedule: warmup must be positive, got " + std::to_string(warmup));
}

real NoamSchedule::rate(long step) const {
    const double s = double(std::max(step, 1L));
    return real(scale_ * std::min(1 / std::sqrt(s), s * std::pow(double(warmup_), -1.5)));
}

WarmupLinearDecay::WarmupLinearDecay(real peak, long warmup, long total) : peak_(peak), warmup_(warmup), total_(total) {
    if (warmup < 0 || total <= warmup) {
        throw std::invalid_argument("WarmupLinearDecay: needs 0 <= warmup < total, got warmup " + std::to_string(warmup) + " and total " +
                                    std::to_string(total));
    }
}

real WarmupLinearDecay::rate(long step) const {
    const double s = double(std::max(step, 1L));
    const double up = warmup_ > 0 ? s / double(warmup_) : 1.0;
    const double down = (double(total_) - s) / double(total_ - warmup_);
    return real(peak_ * std::max(0.0, std::min(up, down)));
}

}  // namespace attn
