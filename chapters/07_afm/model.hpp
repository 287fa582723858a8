// chapters/07_afm/model.hpp — factorization machines (Rendle 2010) and attentional factorization
// machines (Xiao, Ye, He, Zhang, Wu & Chua 2017), in the papers' symbols.
//
// Read top to bottom: the batch (m fields, one feature each, with its value x_i), the factorization
// machine in its two equal forms (the sum over pairs, and Rendle's O(kn) rewriting), the pair-wise
// interaction layer (AFM eq. 3), attention-based pooling (eq. 4-5), the AFM prediction (eq. 6),
// its loss with L2 on the attention network (eq. 7), and the ablation that replaces attention by a
// plain average. Sizes: B examples, m fields, n features, P = m(m-1)/2 field pairs, K embedding
// size, t attention-network width.
#pragma once

#include <cmath>
#include <vector>

#include "attn/attn.hpp"
#include "attn/data/libfm.hpp"
#include "attn/nn/layers.hpp"
#include "attn/nn/module.hpp"

namespace ch07 {

using namespace attn;

// ---- Batches: B examples, one feature per field --------------------------------------------------------

struct FeatureBatch {
    Ids features;  // (B, m) the feature index of each field
    Tensor x;      // (B, m) its value x_i (1 for a one-hot categorical field)
    Tensor y;      // (B) the targets
};

inline FeatureBatch make_batch(const LibfmData& data, const std::vector<std::size_t>& rows) {
    const std::size_t B = rows.size(), m = data.fields;
    std::vector<int> features;
    std::vector<real> x, y;
    for (std::size_t r : rows) {
        for (std::size_t k = 0; k < m; ++k) {
            features.push_back(data.features[r * m + k]);
            x.push_back(real(data.values[r * m + k]));
        }
        y.push_back(real(data.labels[r]));
    }
    return {Ids({B, m}, features), Tensor::from({B, m}, x), Tensor::from({B}, y)};
}

/// The field pairs i < j in order (0, 1), (0, 2), ..., (m-2, m-1): P = m(m-1)/2 of them.
struct FieldPairs {
    Ids first, second;  // (P) each
    std::size_t count() const { return first.values.size(); }
};

inline FieldPairs field_pairs(std::size_t m) {
    std::vector<int> first, second;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = i + 1; j < m; ++j) {
            first.push_back(int(i));
            second.push_back(int(j));
        }
    return {Ids(first), Ids(second)};
}

/// Mean squared error: the regression loss of both papers. prediction, y (B) -> ().
inline Tensor squared_error(const Tensor& prediction, const Tensor& y) {
    const Tensor d = prediction - y;
    return mean(d * d);
}

/// Checks a batch against a model's feature table: one index per field, inside the table.
inline void check_batch(const char* model, const FeatureBatch& batch, std::size_t features) {
    if (batch.features.shape.size() != 2 || batch.x.shape() != Shape(batch.features.shape) ||
        batch.y.shape() != Shape{batch.features.shape[0]}) {
        fail(model, "needs features and x (B, m) and y (B), got " + to_string(batch.features.shape) + ", " +
                        to_string(batch.x.shape()) + " and " + to_string(batch.y.shape()));
    }
    for (int f : batch.features.values) {
        if (f < 0 || std::size_t(f) >= features) {
            fail(model, "feature index " + std::to_string(f) + " is outside the table of " + std::to_string(features) + " features");
        }
    }
}

struct Embeddings {
    Tensor linear;  // (B, m) w_i x_i
    Tensor vx;      // (B, m, K) v_i x_i
};

/// What both models start from: each field's weight and embedding times its value.
/// w (n, 1), V (n, K), batch (B, m) -> w_i x_i (B, m) and v_i x_i (B, m, K).
inline Embeddings embed(const char* model, const Tensor& w, const Tensor& V, const FeatureBatch& batch) {
    check_batch(model, batch, w.shape(0));
    const std::size_t B = batch.x.shape(0), m = batch.x.shape(1);
    const Tensor x = reshape(batch.x, {B, m, 1});
    return {reshape(embedding(w, batch.features) * x, {B, m}),  // w_i x_i: (B, m)
            embedding(V, batch.features) * x};                  // v_i x_i: (B, m, K)
}

// ---- The factorization machine (Rendle 2010) ----------------------------------------------------------
//
//     y(x) = w_0 + sum_i w_i x_i + sum_{i<j} <v_i, v_j> x_i x_j
//
// Every pair of features interacts through the dot product of their K-dimensional embeddings, and
// every pair counts the same.

class FactorizationMachine : public Module {
public:
    FactorizationMachine(std::size_t features, std::size_t k, Rng& rng)
        : w0(Tensor::zeros({1}).set_requires_grad()),
          w(Tensor::zeros({features, 1}).set_requires_grad()),
          V(normal({features, k}, 0, real(0.1), rng).set_requires_grad()) {}

    /// sum_{i<j} <v_i, v_j> x_i x_j, computed the way Rendle's lemma rewrites it, in O(K m):
    ///     1/2 sum_f [ (sum_i v_if x_i)^2 - sum_i v_if^2 x_i^2 ]          vx (B, m, K) -> (B)
    static Tensor pairwise_fast(const Tensor& vx) {
        // EXERCISE ch7.fm_identity (2 points): the FM's pairwise term in O(km): 1/2 sum_f [(sum_i v_if x_i)^2 - sum_i (v_if x_i)^2]
        const Tensor sum_then_square = sum(vx, 1) * sum(vx, 1);  // (B, K)
        const Tensor square_then_sum = sum(vx * vx, 1);          // (B, K)
        return sum(sum_then_square - square_then_sum, 1) * real(0.5);  // (B)
        // END EXERCISE ch7.fm_identity
    }

    /// The same by its definition, pair by pair (O(K m^2)): what the fast form is tested against.
    static Tensor pairwise_by_definition(const Tensor& vx) {
        const FieldPairs pairs = field_pairs(vx.shape(1));
        const Tensor products = index_select(vx, 1, pairs.first) * index_select(vx, 1, pairs.second);  // (B, P, K)
        return sum(sum(products, 2), 1);                                                               // (B)
    }

    /// y(x): (B)
    Tensor predict(const FeatureBatch& batch) const {
        const Embeddings e = embed("FactorizationMachine", w, V, batch);
        return sum(e.linear, 1) + pairwise_fast(e.vx) + w0;  // (B)
    }

    Tensor loss(const FeatureBatch& batch, Rng&) const { return squared_error(predict(batch), batch.y); }

    Tensor w0, w, V;  // (1), (n, 1), (n, K)

protected:
    void list(Lister& out) override {
        out.parameter("w0", w0);
        out.parameter("w", w);
        out.parameter("V", V);
    }
};

// ---- The attentional factorization machine (Xiao et al. 2017) -------------------------------------------
//
//     y(x) = w_0 + sum_i w_i x_i + p^T sum_{i<j} a_ij (v_i ⊙ v_j) x_i x_j                      (eq. 6)
//     a'_ij = h^T ReLU(W (v_i ⊙ v_j) x_i x_j + b),   a_ij = softmax over the pairs of a'_ij    (eq. 4-5)
//
// With a_ij = 1 and p = 1 this is the FM again. Attention lets the model decide, per example, how
// much each pair's interaction counts.

enum class Pooling { attention, uniform };

struct Config {
    std::size_t k = 8;               // K, the embedding size
    std::size_t t = 16;              // the attention network's width
    real dropout = 0;                // on the pooled vector (the paper: 0.5; README, "What differs")
    real lambda = 0;                 // L2 strength on W (eq. 7)
    Pooling pooling = Pooling::attention;
};

class Afm : public Module {
public:
    Afm(std::size_t features, std::size_t fields_, const Config& c, Rng& rng)
        : config(c),
          fields(fields_),
          pairs(field_pairs(fields_)),
          w0(Tensor::zeros({1}).set_requires_grad()),
          w(Tensor::zeros({features, 1}).set_requires_grad()),
          V(normal({features, c.k}, 0, real(0.1), rng).set_requires_grad()),
          W(c.k, c.t, rng),
          h(uniform({c.t}, real(-1 / std::sqrt(double(c.t))), real(1 / std::sqrt(double(c.t))), rng).set_requires_grad()),
          p(Tensor::full({c.k}, 1).set_requires_grad()),
          drop(c.dropout) {
        if (fields < 2) fail("Afm", "needs at least 2 fields to have a pair, got " + std::to_string(fields));
        if (c.k == 0 || c.t == 0) fail("Afm", "the embedding size K and the attention width t must be at least 1");
    }

    /// The pair-wise interaction layer (eq. 3): (v_i ⊙ v_j) x_i x_j for every field pair.
    /// vx (B, m, K) -> (B, P, K)
    Tensor interactions(const Tensor& vx) const {
        // EXERCISE ch7.pairwise_interactions (3 points): the pair-wise interaction layer: (v_i ⊙ v_j) x_i x_j for every pair i < j
        return index_select(vx, 1, pairs.first) * index_select(vx, 1, pairs.second);  // (B, P, K)
        // END EXERCISE ch7.pairwise_interactions
    }

    /// Attention-based pooling (eq. 4-5): the weights a_ij, (B, P, K) -> (B, P), rows summing to 1.
    Tensor attention(const Tensor& e) const {
        // EXERCISE ch7.attention_weights (4 points): a'_ij = h^T ReLU(W e_ij + b), then softmax over the pairs
        const std::size_t B = e.shape(0), P = e.shape(1), K = e.shape(2);
        const Tensor hidden = relu(W.forward(reshape(e, {B * P, K})));                 // (B*P, t)
        const Tensor scores = reshape(matmul(hidden, reshape(h, {config.t, 1})), {B, P});  // a'_ij: (B, P)
        return softmax(scores, -1);                                                     // a_ij: (B, P)
        // END EXERCISE ch7.attention_weights
    }

    struct Output {
        Tensor y;        // (B) predictions
        Tensor weights;  // (B, P) a_ij (uniform pooling: 1/P everywhere)
    };

    Output forward(const FeatureBatch& batch, Rng& rng) const {
        const Embeddings embedded = embed("Afm", w, V, batch);
        const std::size_t B = batch.x.shape(0), m = batch.x.shape(1), P = pairs.count(), K = config.k;
        if (m != fields) fail("Afm", "the model has " + std::to_string(fields) + " fields, the batch " + std::to_string(m));
        const Tensor linear = sum(embedded.linear, 1);                                      // sum_i w_i x_i: (B)
        const Tensor e = interactions(embedded.vx);                                         // (B, P, K)
        const Tensor a = config.pooling == Pooling::attention ? attention(e)
                                                              : Tensor::full({B, P}, real(1) / real(P));  // (B, P)
        const Tensor f = sum(e * reshape(a, {B, P, 1}), 1);                                 // sum_ij a_ij e_ij: (B, K)
        const Tensor pf = reshape(matmul(drop.forward(f, rng), reshape(p, {K, 1})), {B});   // p^T f: (B)
        return {linear + pf + w0, a};                                                       // (B)
    }

    /// Squared error, plus lambda ||W||^2 (eq. 7: the paper regularises only the attention network).
    Tensor loss(const FeatureBatch& batch, Rng& rng) const {
        Tensor l = squared_error(forward(batch, rng).y, batch.y);
        if (config.lambda > 0 && config.pooling == Pooling::attention) l = l + sum(W.W * W.W) * config.lambda;
        return l;
    }

    Config config;
    std::size_t fields;  // m
    FieldPairs pairs;
    Tensor w0, w, V;  // (1), (n, 1), (n, K)
    Linear W;         // (K, t) and b (t)
    Tensor h;         // (t)
    Tensor p;         // (K)
    Dropout drop;

protected:
    void list(Lister& out) override {
        out.parameter("w0", w0);
        out.parameter("w", w);
        out.parameter("V", V);
        if (config.pooling == Pooling::attention) {
            out.child("W", W);
            out.parameter("h", h);
        }
        out.parameter("p", p);
        out.child("drop", drop);  // listed so that eval() switches it off
    }
};

}  // namespace ch07
