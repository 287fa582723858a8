// The Tensor handle: construction, gradient bookkeeping, element access.
#include "attn/tensor.hpp"

#include <stdexcept>

#include "attn/memory.hpp"
#include "attn/record.hpp"

namespace attn {

// The link-time precision check of attn/config.hpp: only the matching library defines its symbol.
namespace detail {
#ifdef ATTN_REAL_DOUBLE
extern const int library_built_for_double = 1;
#else
extern const int library_built_for_float = 1;
#endif
}  // namespace detail

const char* precision_name() { return sizeof(real) == 8 ? "float64" : "float32"; }

Ids::Ids(Shape shape_, std::vector<int> values_) : shape(std::move(shape_)), values(std::move(values_)) {
    if (values.size() != element_count(shape)) {
        fail("Ids", "shape " + to_string(shape) + " needs " + std::to_string(element_count(shape)) +
                        " values, got " + std::to_string(values.size()));
    }
}

Ids::Ids(std::vector<int> values_) : shape{values_.size()}, values(std::move(values_)) {}

Storage::~Storage() {
    if (parameter_bytes != 0) count_parameter_bytes(-(long long)parameter_bytes);
}

Tensor::Tensor(std::shared_ptr<Storage> storage) : storage_(std::move(storage)) {}

Tensor make_tensor(Array value) {
    auto storage = std::make_shared<Storage>();
    storage->value = std::move(value);
    return Tensor(std::move(storage));
}

Tensor Tensor::zeros(const Shape& shape) {
    require_memory(shape);
    return make_tensor(attn::zeros(shape));
}

Tensor Tensor::full(const Shape& shape, real value) {
    require_memory(shape);
    Array a = xt::empty<real>(shape);
    a.fill(value);
    return make_tensor(std::move(a));
}

Tensor Tensor::scalar(real value) { return make_tensor(Array(value)); }

Tensor Tensor::from(const Shape& shape, std::vector<real> values) {
    if (values.size() != element_count(shape)) {
        fail("Tensor::from", "shape " + to_string(shape) + " needs " +
                                 std::to_string(element_count(shape)) + " values, got " +
                                 std::to_string(values.size()));
    }
    require_memory(shape);
    Array a = xt::empty<real>(shape);
    std::copy(values.begin(), values.end(), a.begin());
    return make_tensor(std::move(a));
}

Storage& Tensor::storage() const {
    if (!storage_) throw std::logic_error("attn: this Tensor is empty (default-constructed, never assigned)");
    return *storage_;
}

Tensor& Tensor::set_requires_grad(bool on) {
    Storage& s = storage();
    if (s.tape_id != 0) {
        throw std::logic_error("set_requires_grad: only a leaf tensor (not computed by a recorded op) can be "
                               "made a parameter; use detach() first");
    }
    // A parameter counts towards the memory training needs (attn/memory.hpp), once.
    if (on && s.parameter_bytes == 0 && s.value.size() > 0) {
        const std::size_t bytes = s.value.size() * sizeof(real);
        count_parameter_bytes((long long)bytes);
        s.parameter_bytes = bytes;
    }
    s.requires_grad = on;
    return *this;
}

bool Tensor::requires_grad() const { return storage().requires_grad; }
bool Tensor::has_grad() const { return storage().has_grad; }

namespace {

void require_grad_present(const Storage& s) {
    if (!s.has_grad) {
        const std::string who = s.name.empty() ? "this tensor" : "'" + s.name + "'";
        throw std::logic_error(
            "grad: " + who + " has no gradient: " +
            (s.requires_grad ? "no backward pass has reached it since it was created or zero_grad() "
                               "(was it used in the loss, inside a Recording scope?)"
                             : "it does not require one (call set_requires_grad() on parameters)"));
    }
}

}  // namespace

Tensor Tensor::grad() const {
    require_grad_present(storage());
    return make_tensor(storage().grad);
}

real* Tensor::grad_data() {
    require_grad_present(storage());
    return storage().grad.data();
}

const real* Tensor::grad_data() const {
    require_grad_present(storage());
    return storage().grad.data();
}

void Tensor::zero_grad() {
    Storage& s = storage();
    s.grad = Array();
    s.has_grad = false;
}

Tensor Tensor::detach() const { return make_tensor(storage().value); }

Shape Tensor::shape() const { return shape_of(storage().value); }

std::size_t Tensor::shape(int axis) const {
    const Shape s = shape();
    return s[normalize_axis("Tensor::shape", axis, s)];
}

std::size_t Tensor::dim() const { return storage().value.dimension(); }
std::size_t Tensor::size() const { return storage().value.size(); }
real* Tensor::data() { return storage().value.data(); }
const real* Tensor::data() const { return storage().value.data(); }

real Tensor::item() const {
    const Array& v = storage().value;
    if (v.size() != 1) fail("item", "needs a one-element tensor, got shape " + to_string(shape_of(v)));
    return v.data()[0];
}

real Tensor::at(std::initializer_list<std::size_t> index) const {
    const Array& v = storage().value;
    if (index.size() != v.dimension()) {
        fail("at", std::to_string(index.size()) + " indices for shape " + to_string(shape_of(v)));
    }
    std::size_t offset = 0, axis = 0;
    for (std::size_t i : index) {
        if (i >= v.shape()[axis]) {
            fail("at", "index " + std::to_string(i) + " is out of range on axis " + std::to_string(axis) +
                           " of shape " + to_string(shape_of(v)));
        }
        offset = offset * v.shape()[axis] + i;
        ++axis;
    }
    return v.data()[offset];
}

std::vector<real> Tensor::values() const {
    const Array& v = storage().value;
    return std::vector<real>(v.begin(), v.end());
}

Tensor& Tensor::named(std::string name) {
    storage().name = std::move(name);
    return *this;
}

const std::string& Tensor::name() const { return storage().name; }

}  // namespace attn
